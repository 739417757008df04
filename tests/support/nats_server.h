// NatsServer and NatsCluster: real nats-server processes with JetStream for tests, on loopback,
// each in its own temporary directory (config file, store, ports file, log).
//
// A server gets a free client port on its first start (port -1, read back from the ports file)
// and keeps it across Restart(), so connected clients find it again. The children die with the
// test process (PR_SET_PDEATHSIG) and are stopped and reaped by the destructors, also when a
// REQUIRE fails. Never touches port 4222 or a system service; runs as any user.
//
// Thread safety: none; drive one object from one thread (clients may run anywhere).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "tests/support/temp_dir.h"

namespace jwo::testing {

// Where a server sits in a cluster; empty cluster_name = standalone.
struct NatsClusterMember {
  std::string server_name;
  std::string cluster_name;
  int cluster_port = 0;
  std::vector<int> route_ports;  // every member's cluster port, own included
};

class NatsServer {
 public:
  NatsServer();
  explicit NatsServer(NatsClusterMember member);
  ~NatsServer();  // Stop()
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  // Starts the process and waits (up to 10 s) until it is ready: the ports file is written and
  // the monitor's /healthz answers 200 (standalone: JetStream enabled; clustered: JetStream
  // current with the meta leader, unless wait_for_cluster is false). Errors: kUnavailable with
  // the log's tail when it exits or does not get ready. REQUIRES: not running.
  core::Status Start(bool wait_for_cluster = true);
  // Stop() (when running), then Start() on the same store and port.
  core::Status Restart(bool wait_for_cluster = true);
  // SIGTERM, reaped; SIGKILL after 10 s. No-op when not running.
  void Stop();
  // SIGKILL, reaped: a crash. No-op when not running.
  void Kill();
  // SIGSTOP / SIGCONT: a hung server whose sockets stay open (a half-open link's other end).
  void Freeze();
  void Thaw();
  // Stop() and delete the JetStream store: the data-loss case. Start() then begins empty.
  void Wipe();

  // Text appended to the generated server.conf at the next Start() (e.g. a `tls { }` block).
  void SetExtraConfig(std::string text) { extra_config_ = std::move(text); }
  // A directory of this server's, for files the test writes beside it (certificates).
  const std::string& dir() const { return dir_.path(); }

  bool running() const { return pid_ > 0; }
  // "nats://127.0.0.1:<port>". REQUIRES: started once.
  const std::string& url() const { return url_; }
  int port() const { return port_; }
  const std::string& server_name() const { return member_.server_name; }
  // GET on the monitor port, e.g. "/jsz?streams=true". kUnavailable when not running.
  core::Result<std::string> Monitor(const std::string& target) const;
  // The last `bytes` of the server's log, for failure messages.
  std::string LogTail(size_t bytes = 2000) const;

 private:
  core::Status WriteConfig() const;
  core::Status WaitReady(bool wait_for_cluster);
  void Signal(int sig);
  void Reap(int timeout_ms);

  NatsClusterMember member_;
  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;          // 0 until the first start picked one
  int monitor_port_ = 0;  // new on every start
  std::string url_;
  bool frozen_ = false;
  std::string extra_config_;
};

// Three (or `size`) JetStream servers clustered over loopback routes.
class NatsCluster {
 public:
  explicit NatsCluster(int size = 3);
  // Starts every node, then waits until all report JetStream current (a meta leader exists).
  core::Status Start();
  std::vector<std::string> urls() const;
  int size() const { return static_cast<int>(nodes_.size()); }
  NatsServer& node(int i) { return *nodes_.at(i); }
  void Kill(int i) { node(i).Kill(); }
  // Restarts node i on its store and ports; does not wait for it to catch up.
  core::Status Restart(int i) { return node(i).Restart(false); }
  // The index of the node leading `stream` (from /jsz?streams=true of the running nodes).
  // kUnavailable while no running node reports a leader (e.g. during an election).
  core::Result<int> StreamLeader(const std::string& stream) const;

 private:
  std::vector<std::unique_ptr<NatsServer>> nodes_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
core::Result<int> PickFreePort();

}  // namespace jwo::testing
