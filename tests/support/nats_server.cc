#include "tests/support/nats_server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json/value.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/json.h"
#include "tests/support/http_client.h"

namespace jwo::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kReadyTimeout = std::chrono::seconds(10);

core::Status Unavailable(std::string m) { return {core::StatusCode::kUnavailable, std::move(m)}; }

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The port of the first URL in `key` of the ports file ({"nats":["nats://127.0.0.1:N"],
// "monitoring":["http://127.0.0.1:M"]}); 0 when absent.
int PortOf(const boost::json::value& ports, const char* key) {
  const auto* list = ports.is_object() ? ports.as_object().if_contains(key) : nullptr;
  if (list == nullptr || !list->is_array() || list->as_array().empty()) return 0;
  const auto& first = list->as_array()[0];
  if (!first.is_string()) return 0;
  const std::string url(first.as_string());
  const size_t colon = url.rfind(':');
  return colon == std::string::npos ? 0 : std::atoi(url.c_str() + colon + 1);
}

// nats-server's path, resolved before fork: the child may only make async-signal-safe calls.
std::string ServerBinary() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/sbin:/usr/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = dir + "/nats-server";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "/usr/sbin/nats-server";
}

}  // namespace

core::Result<int> PickFreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Unavailable("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  if (port == 0) return Unavailable("cannot bind a free port");
  return port;
}

NatsServer::NatsServer() : NatsServer(NatsClusterMember{"jwo-test", "", 0, {}}) {}

NatsServer::NatsServer(NatsClusterMember member) : member_(std::move(member)) {}

NatsServer::~NatsServer() { Stop(); }

core::Status NatsServer::WriteConfig() const {
  std::ofstream out(dir_.File("server.conf"), std::ios::trunc);
  out << "server_name: \"" << member_.server_name << "\"\n"
      << "host: 127.0.0.1\n"
      << "port: " << (port_ == 0 ? -1 : port_) << "\n"
      << "http: \"127.0.0.1:-1\"\n"
      << "ports_file_dir: \"" << dir_.path()
      << "\"\n"
      // Small caps: JetStream otherwise sizes its limits from the host.
      << "jetstream { store_dir: \"" << dir_.File("store")
      << "\", max_memory_store: 64MB, max_file_store: 1GB }\n";
  if (!member_.cluster_name.empty()) {
    out << "cluster {\n  name: \"" << member_.cluster_name
        << "\"\n  listen: \"127.0.0.1:" << member_.cluster_port << "\"\n  routes: [\n";
    for (int p : member_.route_ports) {
      if (p != member_.cluster_port) out << "    \"nats-route://127.0.0.1:" << p << "\"\n";
    }
    out << "  ]\n}\n";
  }
  out << extra_config_;
  out.close();
  if (!out) return Unavailable("cannot write " + dir_.File("server.conf"));
  return core::Status::Ok();
}

core::Status NatsServer::Start(bool wait_for_cluster) {
  if (running()) return {core::StatusCode::kFailedPrecondition, "nats-server already running"};
  if (core::Status s = WriteConfig(); !s.ok()) return s;
  const std::string binary = ServerBinary();
  const std::string conf = dir_.File("server.conf");
  const std::string log = dir_.File("server.log");
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return Unavailable("fork failed");
  if (pid == 0) {
    // Dies with the test process even when it crashes before the destructor runs.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    const char* argv[] = {binary.c_str(), "-c", conf.c_str(), nullptr};
    ::execv(binary.c_str(), const_cast<char* const*>(argv));
    ::_exit(127);
  }
  pid_ = pid;
  frozen_ = false;
  core::Status ready = WaitReady(wait_for_cluster);
  if (!ready.ok()) Kill();
  return ready;
}

core::Status NatsServer::WaitReady(bool wait_for_cluster) {
  const std::string ports_file = dir_.File("nats-server_" + std::to_string(pid_) + ".ports");
  const Clock::time_point deadline = Clock::now() + kReadyTimeout;
  const bool clustered = !member_.cluster_name.empty();
  const std::string health =
      clustered && wait_for_cluster ? "/healthz" : "/healthz?js-enabled-only=true";
  while (Clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Unavailable("nats-server exited during start-up:\n" + LogTail());
    }
    if (monitor_port_ == 0) {
      core::Result<boost::json::value> ports = core::ParseJson(ReadAll(ports_file));
      if (ports.ok()) {
        const int client = PortOf(*ports, "nats");
        const int monitor = PortOf(*ports, "monitoring");
        if (client != 0 && monitor != 0) {
          port_ = client;
          monitor_port_ = monitor;
          url_ = "nats://127.0.0.1:" + std::to_string(port_);
        }
      }
    }
    if (monitor_port_ != 0) {
      core::Result<std::string> body = Monitor(health);
      if (body.ok()) return core::Status::Ok();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return Unavailable("nats-server not ready within 10 s:\n" + LogTail());
}

core::Result<std::string> NatsServer::Monitor(const std::string& target) const {
  if (!running() || monitor_port_ == 0) return Unavailable("nats-server not running");
  core::Result<HttpClient> client = HttpClient::Connect(
      "127.0.0.1", static_cast<uint16_t>(monitor_port_), std::nullopt, std::chrono::seconds(2));
  if (!client.ok()) return client.status();
  core::Result<ClientResponse> r = client->Get(target);
  if (!r.ok()) return r.status();
  if (r->status != 200) return Unavailable(target + " answered " + std::to_string(r->status));
  return std::move(r->body);
}

void NatsServer::Signal(int sig) {
  if (running()) ::kill(pid_, sig);
}

void NatsServer::Reap(int timeout_ms) {
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (running()) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno != EINTR)) {
      pid_ = -1;
      break;
    }
    if (Clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  monitor_port_ = 0;
  frozen_ = false;
}

void NatsServer::Stop() {
  if (!running()) return;
  Signal(SIGTERM);
  if (frozen_) Signal(SIGCONT);  // a stopped process only acts on SIGTERM once continued
  Reap(10000);
}

void NatsServer::Kill() {
  if (!running()) return;
  Signal(SIGKILL);
  Reap(10000);
}

// kill() only queues the signal; waiting for the stop (or continue) report makes the state real
// before the test acts on it.
void NatsServer::Freeze() {
  if (!running() || frozen_) return;
  Signal(SIGSTOP);
  int status = 0;
  while (::waitpid(pid_, &status, WUNTRACED) < 0 && errno == EINTR) {
  }
  frozen_ = true;
}

void NatsServer::Thaw() {
  if (!running() || !frozen_) return;
  Signal(SIGCONT);
  int status = 0;
  while (::waitpid(pid_, &status, WCONTINUED) < 0 && errno == EINTR) {
  }
  frozen_ = false;
}

core::Status NatsServer::Restart(bool wait_for_cluster) {
  Stop();
  return Start(wait_for_cluster);
}

void NatsServer::Wipe() {
  Stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_.File("store"), ignored);
}

std::string NatsServer::LogTail(size_t bytes) const {
  const std::string log = ReadAll(dir_.File("server.log"));
  return log.size() <= bytes ? log : log.substr(log.size() - bytes);
}

NatsCluster::NatsCluster(int size) {
  std::vector<int> cluster_ports;
  for (int i = 0; i < size; ++i) {
    core::Result<int> p = PickFreePort();
    cluster_ports.push_back(p.ok() ? *p : 0);
  }
  for (int i = 0; i < size; ++i) {
    nodes_.push_back(std::make_unique<NatsServer>(
        NatsClusterMember{"n" + std::to_string(i), "jwo-test", cluster_ports[i], cluster_ports}));
  }
}

core::Status NatsCluster::Start() {
  // Each node alone cannot become current (no meta leader without a quorum), so all start
  // first and readiness is awaited afterwards.
  for (auto& n : nodes_) {
    if (core::Status s = n->Start(false); !s.ok()) return s;
  }
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(20);
  for (auto& n : nodes_) {
    while (!n->Monitor("/healthz").ok()) {
      if (Clock::now() >= deadline) {
        return Unavailable("cluster not ready within 20 s; " + n->server_name() + " log:\n" +
                           n->LogTail());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return core::Status::Ok();
}

std::vector<std::string> NatsCluster::urls() const {
  std::vector<std::string> out;
  for (const auto& n : nodes_) out.push_back(n->url());
  return out;
}

core::Result<int> NatsCluster::StreamLeader(const std::string& stream) const {
  for (const auto& n : nodes_) {
    core::Result<std::string> body = n->Monitor("/jsz?streams=true");
    if (!body.ok()) continue;
    core::Result<boost::json::value> jsz = core::ParseJson(*body);
    if (!jsz.ok() || !jsz->is_object()) continue;
    const auto* accounts = jsz->as_object().if_contains("account_details");
    if (accounts == nullptr || !accounts->is_array()) continue;
    for (const auto& account : accounts->as_array()) {
      const auto* streams =
          account.is_object() ? account.as_object().if_contains("stream_detail") : nullptr;
      if (streams == nullptr || !streams->is_array()) continue;
      for (const auto& s : streams->as_array()) {
        if (!s.is_object()) continue;
        const auto* name = s.as_object().if_contains("name");
        const auto* cluster = s.as_object().if_contains("cluster");
        if (name == nullptr || !name->is_string() || name->as_string() != stream ||
            cluster == nullptr || !cluster->is_object()) {
          continue;
        }
        const auto* leader = cluster->as_object().if_contains("leader");
        if (leader == nullptr || !leader->is_string()) continue;
        for (size_t i = 0; i < nodes_.size(); ++i) {
          if (nodes_[i]->running() && nodes_[i]->server_name() == leader->as_string()) {
            return static_cast<int>(i);
          }
        }
      }
    }
  }
  return Unavailable("no running node reports a leader for " + stream);
}

}  // namespace jwo::testing
