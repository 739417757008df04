// Helpers for the chain-ledger end-to-end tests (ledger_test.cc, ledger_failover_test.cc): the
// daemon configuration, provisioning through jwo-edgectl, the gate's answer, the ledger section
// of `jwo-edgectl status`, and the bucket's stream as the server's monitor reports it.
//
// Every wait polls its condition until a deadline; the condition is the assertion, never the
// time. Catch2 macros fail the calling test. Not thread-safe; call from the test's thread.
#pragma once

#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/integration/daemon_process.h"
#include "tests/integration/fa_requests.h"
#include "tests/support/http_client.h"
#include "tests/support/nats_server.h"

namespace jwo::testing {

using LedgerClock = std::chrono::steady_clock;

// DefaultTestConfig for store `store` with a `ledger:` section naming `urls`; `extra` is
// appended inside the section (two-space indented keys).
inline std::string ChainConfig(const std::string& store, const std::vector<std::string>& urls,
                               const std::string& extra = "") {
  std::string cfg = DefaultTestConfig();
  cfg.replace(cfg.find("it-store"), 8, store);
  std::string list;
  for (const std::string& u : urls) list += (list.empty() ? "" : ", ") + u;
  cfg += "ledger:\n  servers: [" + list + "]\n  reconnect_wait_ms: 100\n" + extra;
  return cfg;
}
inline std::string ChainConfig(const std::string& store, const std::string& url,
                               const std::string& extra = "") {
  return ChainConfig(store, std::vector<std::string>{url}, extra);
}

// Turns the debt-inflow breaker off, for tests that move hundreds of debts on purpose.
inline constexpr const char* kNoBreaker = "  breaker:\n    chain_max: 0\n    store_max: 0\n";

// `jwo-edgectl ledger provision` against `urls` with `extra` arguments; the whole answer.
inline CommandResult TryProvision(const std::vector<std::string>& urls,
                                  const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv{JWO_BINARY_DIR "/daemon/ctl/jwo-edgectl", "ledger", "provision"};
  for (const std::string& u : urls) {
    argv.push_back("--server");
    argv.push_back(u);
  }
  argv.insert(argv.end(), extra.begin(), extra.end());
  return RunCommand(argv);
}

inline void Provision(const NatsServer& nats) {
  auto r = TryProvision({nats.url()});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
}

// A provisioned nats-server and the started daemons of store-a, store-b, ... on it, each with
// `extra` in its ledger section. The server outlives the daemons (declared first).
struct Chain {
  NatsServer nats;
  std::vector<std::unique_ptr<DaemonProcess>> stores;

  explicit Chain(int n, const std::string& extra = "") {
    REQUIRE(nats.Start().ok());
    Provision(nats);
    for (int i = 0; i < n; ++i) {
      const std::string id = std::string("store-") + static_cast<char>('a' + i);
      stores.push_back(std::make_unique<DaemonProcess>(ChainConfig(id, nats.url(), extra)));
      REQUIRE(stores.back()->Start());
    }
  }
  DaemonProcess& operator[](int i) { return *stores.at(i); }
};

// The gate's answer for `shopper` at `store`: "DENIED" or "APPROVED".
inline std::string Decide(DaemonProcess& d, const std::string& store, const std::string& shopper) {
  auto c = HttpClient::Connect("127.0.0.1", d.Port());
  REQUIRE(c.ok());
  auto r = c->Post(kFaPath, FaBody(shopper, "t", "", store));
  REQUIRE(r.ok());
  REQUIRE(r->status == 200);
  return r->body.find("DENIED") != std::string::npos ? "DENIED" : "APPROVED";
}

// Polls the gate until it answers `want` (true) or the deadline passes.
inline bool WaitDecision(DaemonProcess& d, const std::string& store, const std::string& shopper,
                         const std::string& want,
                         std::chrono::milliseconds within = std::chrono::seconds(10)) {
  const auto deadline = LedgerClock::now() + within;
  while (LedgerClock::now() < deadline) {
    if (Decide(d, store, shopper) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// The "ledger" section of `jwo-edgectl --json status`.
inline boost::json::object Ledger(DaemonProcess& d) {
  auto r = d.Ctl({"--json", "status"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  boost::json::value v = boost::json::parse(r.output);
  const boost::json::object& status = v.at("result").as_object();
  REQUIRE(status.contains("ledger"));
  return status.at("ledger").as_object();
}

inline bool WaitLedger(DaemonProcess& d,
                       const std::function<bool(const boost::json::object&)>& pred,
                       std::chrono::milliseconds within = std::chrono::seconds(15)) {
  const auto deadline = LedgerClock::now() + within;
  while (LedgerClock::now() < deadline) {
    if (pred(Ledger(d))) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// The last `max_lines` lines of the daemon's log that contain `needle`, for failure messages.
inline std::string LogLines(const DaemonProcess& d, const std::string& needle,
                            size_t max_lines = 40) {
  const std::string log = d.Stderr();
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < log.size()) {
    size_t end = log.find('\n', pos);
    if (end == std::string::npos) end = log.size();
    if (log.compare(pos, end - pos, needle) != 0 &&
        std::string_view(log).substr(pos, end - pos).find(needle) != std::string_view::npos) {
      lines.push_back(log.substr(pos, end - pos));
    }
    pos = end + 1;
  }
  std::string out;
  for (size_t i = lines.size() > max_lines ? lines.size() - max_lines : 0; i < lines.size(); ++i) {
    out += lines[i] + "\n";
  }
  return out;
}

inline int64_t Int(const boost::json::object& o, const char* key) {
  return o.at(key).to_number<int64_t>();
}

// The bucket's stream as one server stores it (its monitor's /jsz); -1 fields when the server
// does not answer or holds no such stream.
struct StreamState {
  int64_t messages = -1;
  int64_t first_seq = -1;
  int64_t last_seq = -1;
};

inline StreamState BucketStream(const NatsServer& nats) {
  StreamState out;
  auto jsz = nats.Monitor("/jsz?streams=true");
  if (!jsz.ok()) return out;
  boost::json::value v = boost::json::parse(*jsz);
  const auto* accounts = v.as_object().if_contains("account_details");
  if (accounts == nullptr) return out;
  for (const auto& acc : accounts->as_array()) {
    const auto* streams = acc.as_object().if_contains("stream_detail");
    if (streams == nullptr) continue;
    for (const auto& s : streams->as_array()) {
      if (s.at("name").as_string() != "KV_debts") continue;
      const auto& state = s.at("state");
      out.messages = state.at("messages").to_number<int64_t>();
      out.first_seq = state.at("first_seq").to_number<int64_t>();
      out.last_seq = state.at("last_seq").to_number<int64_t>();
    }
  }
  return out;
}

// Stream messages of the bucket, from the server's monitor.
inline int64_t StreamMessages(const NatsServer& nats) {
  const StreamState s = BucketStream(nats);
  REQUIRE(s.messages >= 0);
  return s.messages;
}

}  // namespace jwo::testing
