#include "tests/fakes/payment_sim_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace jwo::testing {
namespace {

int ExitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string MakeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/jwo-payment-sim-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return "";
  return pattern;
}

}  // namespace

PaymentSimProcess::PaymentSimProcess(std::vector<std::string> extra_args)
    : extra_args_(std::move(extra_args)), dir_(MakeTempDir()) {}

PaymentSimProcess::~PaymentSimProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::error_code ignored;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
}

core::Status PaymentSimProcess::Start(std::chrono::milliseconds timeout) {
  if (pid_ > 0) return {core::StatusCode::kFailedPrecondition, "jwo-payment-sim already runs"};
  if (dir_.empty()) return {core::StatusCode::kUnavailable, "no temporary directory"};
  std::vector<std::string> args = {
      JWO_PAYMENT_SIM_BINARY, "--listen",      "127.0.0.1:" + std::to_string(port_),
      "--print-port",         "--region",      kSimRegion,
      "--access-key",         kSimAccessKeyId, "--secret-key",
      kSimSecretAccessKey};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return {core::StatusCode::kUnavailable, "pipe failed"};
  const std::string log = dir_ + "/stderr.log";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    pid_ = -1;
    return {core::StatusCode::kUnavailable, std::string("cannot spawn ") + JWO_PAYMENT_SIM_BINARY};
  }

  // The one line the simulator prints on stdout; read until its newline or EOF.
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    char buf[256];
    const ssize_t n = read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  close(out[0]);
  const size_t colon = line.rfind(':');
  if (line.rfind("listening ", 0) != 0 || colon == std::string::npos) {
    Signal(SIGKILL);
    WaitExit();
    return {core::StatusCode::kUnavailable, "jwo-payment-sim did not start: " + Stderr()};
  }
  port_ = static_cast<uint16_t>(std::stoi(line.substr(colon + 1)));
  return core::Status::Ok();
}

void PaymentSimProcess::Signal(int signo) {
  if (pid_ > 0) kill(pid_, signo);
}

int PaymentSimProcess::WaitExit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return ExitStatus(status);
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string PaymentSimProcess::Stderr() const {
  std::ifstream in(dir_ + "/stderr.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace jwo::testing
