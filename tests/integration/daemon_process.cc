#include "daemon_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>

extern char** environ;

namespace jwo::testing {
namespace {

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

int ExitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

std::string DefaultTestConfig() {
  return R"(store_id: it-store
store:
  state_directory: @STATE@
  map_size_mib: 16
http:
  threads: 2
listeners:
  - name: amazon
    address: 127.0.0.1
    port: 0
    apis: [shopper_authorization, health, metrics]
fa:
  strategy: retailer_managed
  fail_mode: deny
  thresholds:
    USD: 10.00
audit:
  flush_interval_ms: 5
log:
  level: debug
  target: stderr
control:
  socket: @SOCKET@
)";
}

CommandResult RunCommand(const std::vector<std::string>& argv) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) return {};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipefd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipefd[1], 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipefd[1]);
  CommandResult result;
  if (rc != 0) {
    close(pipefd[0]);
    result.output = "spawn failed: " + std::string(std::strerror(rc));
    return result;
  }
  char buf[4096];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0)
    result.output.append(buf, static_cast<size_t>(n));
  close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = ExitStatus(status);
  return result;
}

DaemonProcess::DaemonProcess(std::string config_yaml) {
  dir_ =
      std::filesystem::temp_directory_path() / ("jwo-it-" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir_);
  WriteConfig(std::move(config_yaml));
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    WaitExit(std::chrono::seconds(5));
  }
  {
    std::lock_guard lock(mutex_);
    stop_reader_ = true;
  }
  if (notify_thread_.joinable()) notify_thread_.join();
  if (notify_fd_ >= 0) close(notify_fd_);
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void DaemonProcess::WriteConfig(std::string yaml) {
  yaml = Replace(std::move(yaml), "@STATE@", state_dir().string());
  yaml = Replace(std::move(yaml), "@SOCKET@", socket_path().string());
  yaml = Replace(std::move(yaml), "@DIR@", dir_.string());
  std::ofstream(config_path()) << yaml;
}

bool DaemonProcess::Start(bool wait_ready, std::chrono::seconds timeout) {
  if (notify_fd_ < 0) {
    const std::string path = (dir_ / "notify.sock").string();
    notify_fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (bind(notify_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return false;
    notify_thread_ = std::thread([this] { ReadNotifications(); });
  }
  {
    std::lock_guard lock(mutex_);
    messages_.clear();
    ports_.clear();
  }
  const std::string notify = "NOTIFY_SOCKET=" + (dir_ / "notify.sock").string();
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "NOTIFY_SOCKET=", 14) != 0 && std::strncmp(*e, "WATCHDOG_", 9) != 0 &&
        std::strncmp(*e, "JOURNAL_STREAM=", 15) != 0) {
      env_strings.emplace_back(*e);
    }
  }
  env_strings.push_back(notify);
  env_strings.insert(env_strings.end(), extra_env_.begin(), extra_env_.end());
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  const std::string binary = JWO_BINARY_DIR "/daemon/jwo-edged";
  const std::string config = config_path().string();
  const std::string log = (dir_ / "stderr.log").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  char* argv[] = {const_cast<char*>(binary.c_str()), const_cast<char*>("--config"),
                  const_cast<char*>(config.c_str()), nullptr};
  const int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    return false;
  }
  if (!wait_ready) return true;
  return WaitForNotify([](const std::string& m) { return m.find("READY=1") != std::string::npos; },
                       timeout);
}

void DaemonProcess::ReadNotifications() {
  static const std::regex kListener(R"((\w+)=https?://\[?[0-9a-fA-F.:]+\]?:(\d+))");
  char buf[4096];
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stop_reader_) return;
    }
    pollfd p{notify_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = recv(notify_fd_, buf, sizeof buf, 0);
    if (n <= 0) continue;
    std::string msg(buf, static_cast<size_t>(n));
    std::lock_guard lock(mutex_);
    if (msg.find("listening on") != std::string::npos) {
      for (std::sregex_iterator it(msg.begin(), msg.end(), kListener), end; it != end; ++it) {
        ports_[(*it)[1]] = static_cast<uint16_t>(std::stoi((*it)[2]));
      }
    }
    messages_.push_back(std::move(msg));
    cv_.notify_all();
  }
}

bool DaemonProcess::WaitForNotify(const std::function<bool(const std::string&)>& pred,
                                  std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  size_t seen = 0;
  for (;;) {
    for (; seen < messages_.size(); ++seen) {
      if (pred(messages_[seen])) return true;
    }
    if (pid_ > 0) {
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    cv_.wait_for(lock, std::chrono::milliseconds(50));
  }
}

std::vector<std::string> DaemonProcess::NotifyMessages() {
  std::lock_guard lock(mutex_);
  return messages_;
}

uint16_t DaemonProcess::Port(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = ports_.find(name);
  return it == ports_.end() ? 0 : it->second;
}

void DaemonProcess::Signal(int signo) {
  if (pid_ > 0) kill(pid_, signo);
}

int DaemonProcess::WaitExit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return ExitStatus(status);
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string DaemonProcess::Stderr() const {
  std::ifstream in(dir_ / "stderr.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool DaemonProcess::WaitForLog(const std::string& text, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Stderr().find(text) == std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

CommandResult DaemonProcess::Ctl(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {JWO_BINARY_DIR "/daemon/ctl/jwo-edgectl", "--socket",
                                   socket_path().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

}  // namespace jwo::testing
