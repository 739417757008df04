// The real daemon on a damaged, lost or full store: fail mode with a clear error, never a crash
// and never a silently recreated store (docs/operations.md, "When things break").
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "daemon_process.h"
#include "fa_requests.h"
#include "store/env.h"
#include "store/gate_shoppers.h"
#include "store/records.h"
#include "tests/support/http_client.h"

using namespace jwo::testing;

namespace {

bool Has(const std::string& msg, const std::string& what) {
  return msg.find(what) != std::string::npos;
}

std::string Decide(DaemonProcess& d, const std::string& shopper, const std::string& trip = "t") {
  auto c = HttpClient::Connect("127.0.0.1", d.Port());
  REQUIRE(c.ok());
  auto r = c->Post(kFaPath, FaBody(shopper, trip));
  REQUIRE(r.ok());
  REQUIRE(r->status == 200);
  return r->body;
}

// Starts the daemon, books a debt and logs enough decisions for a store of many pages, stops.
void Populate(DaemonProcess& d) {
  REQUIRE(d.Start());
  REQUIRE(
      d.Ctl({"debt", "add", "debtor", "trip-1", "12.50", "USD", "--reason", "test"}).exit_code ==
      0);
  auto c = HttpClient::Connect("127.0.0.1", d.Port());
  REQUIRE(c.ok());
  for (int i = 0; i < 1500; ++i) {
    REQUIRE(c->Post(kFaPath, FaBody("s" + std::to_string(i), "t" + std::to_string(i))).ok());
  }
  d.Signal(SIGTERM);
  REQUIRE(d.WaitExit() == 0);
}

// Changes the stopped daemon's store directly (damage no daemon would write).
void WriteOffline(DaemonProcess& d,
                  const std::function<jwo::core::Status(jwo::store::WriteTxn&)>& fn) {
  jwo::store::EnvOptions o;
  o.directory = d.state_dir().string();
  o.map_size_bytes = 16 << 20;
  auto env = jwo::store::Env::Open(o);
  REQUIRE(env.ok());
  REQUIRE((*env)->Write(fn).ok());
}

// The daemon runs in fail mode with `error_part` in STATUS=, and answers the gate and ctl.
void ExpectFailMode(DaemonProcess& d, const std::string& error_part) {
  REQUIRE(d.Start(false));
  std::string status;
  REQUIRE(d.WaitForNotify([&](const std::string& m) {
    if (!Has(m, "store unavailable")) return false;
    status = m;
    return true;
  }));
  INFO(status);
  CHECK(Has(status, error_part));
  CHECK(Decide(d, "debtor") == R"({"status":"DENIED"})");  // fail_mode: deny
  auto c = HttpClient::Connect("127.0.0.1", d.Port());
  REQUIRE(c.ok());
  auto ready = c->Get("/readyz");
  CHECK(ready->status == 503);
  auto shown = d.Ctl({"shopper", "show", "debtor"});
  CHECK(shown.exit_code == 1);
  CHECK(d.running());
  CHECK(d.WaitExit(std::chrono::milliseconds(200)) == -1);  // still alive: no crash
}

}  // namespace

TEST_CASE("a truncated data.mdb: fail mode naming the file and sizes, never SIGBUS") {
  for (const char* cut : {"half", "three pages"}) {
    DYNAMIC_SECTION("truncated to " << cut) {
      DaemonProcess d;
      Populate(d);
      const auto data = d.state_dir() / "data.mdb";
      const uint64_t full = std::filesystem::file_size(data);
      REQUIRE(full >= 32 * 4096);
      const uint64_t size = std::string(cut) == "half" ? full / 2 : 3 * 4096;
      std::filesystem::resize_file(data, size);
      ExpectFailMode(
          d, data.string() + " is truncated: the file is " + std::to_string(size) + " bytes");
    }
  }
}

TEST_CASE("a lost data.mdb is not silently recreated; --init-store is the explicit way") {
  for (const char* how : {"empty", "missing"}) {
    DYNAMIC_SECTION("data.mdb " << how) {
      DaemonProcess d;
      Populate(d);
      const auto data = d.state_dir() / "data.mdb";
      if (std::string(how) == "empty") {
        std::filesystem::resize_file(data, 0);
      } else {
        std::filesystem::remove(data);
      }
      // Before the fix the daemon became ready on a new, empty store: the debtor APPROVED.
      ExpectFailMode(d, data.string() + " is " + how);

      auto init = RunCommand({JWO_BINARY_DIR "/daemon/jwo-edged", "--init-store", "--config",
                              d.config_path().string()});
      INFO(init.output);
      CHECK(init.exit_code == 0);
      CHECK(Has(init.output, "created an empty store"));
      // The running daemon retries the open and finds the new store.
      REQUIRE(d.WaitForNotify([](const std::string& m) { return Has(m, "READY=1"); },
                              std::chrono::seconds(15)));
      CHECK(Decide(d, "debtor") == R"({"status":"APPROVED"})");
      // A second init is refused: the store exists.
      auto again = RunCommand({JWO_BINARY_DIR "/daemon/jwo-edged", "--init-store", "--config",
                               d.config_path().string()});
      CHECK(again.exit_code == 1);
    }
  }
}

namespace {

// A small tmpfs over a directory, detached at scope exit (lazily: the daemon may still map it).
struct SmallTmpfs {
  std::filesystem::path dir;
  bool mounted = false;
  SmallTmpfs(std::filesystem::path d, const char* size) : dir(std::move(d)) {
    std::filesystem::create_directories(dir);
    mounted = geteuid() == 0 &&
              mount("tmpfs", dir.c_str(), "tmpfs", 0, (std::string("size=") + size).c_str()) == 0;
  }
  ~SmallTmpfs() {
    if (mounted) umount2(dir.c_str(), MNT_DETACH);
  }
};

// Writes a file until the file system refuses; returns its path.
std::filesystem::path FillDisk(const std::filesystem::path& dir) {
  const auto path = dir / "filler";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  std::setvbuf(f, nullptr, _IONBF, 0);
  const std::string block(4096, 'f');
  while (std::fwrite(block.data(), 1, block.size(), f) == block.size()) {
  }
  std::fclose(f);
  return path;
}

}  // namespace

TEST_CASE("a full disk: the daemon keeps serving reads, refuses writes clearly, and recovers") {
  DaemonProcess d;
  SmallTmpfs disk(d.state_dir(), "3m");
  if (!disk.mounted) SKIP("needs root and tmpfs mounts");
  REQUIRE(d.Start());
  REQUIRE(
      d.Ctl({"debt", "add", "debtor", "trip-1", "12.50", "USD", "--reason", "test"}).exit_code ==
      0);
  const auto filler = FillDisk(d.state_dir());

  // Decisions go on; their records need new pages until a commit finds no space. Before the
  // fix, the daemon exited 75 here (and under systemd, again after every restart).
  auto c = HttpClient::Connect("127.0.0.1", d.Port());
  REQUIRE(c.ok());
  bool refused = false;
  for (int i = 0; i < 20000 && !refused; ++i) {
    auto r = c->Post(kFaPath, FaBody("s" + std::to_string(i), "t" + std::to_string(i)));
    REQUIRE(r.ok());
    if (i % 200 == 199) refused = d.WaitForLog("no disk space", std::chrono::milliseconds(50));
  }
  REQUIRE(refused);
  CHECK(d.running());
  CHECK(d.WaitExit(std::chrono::milliseconds(300)) == -1);

  // Reads answer from what is stored.
  CHECK(Has(Decide(d, "debtor"), R"("status":"DENIED")"));
  CHECK(Decide(d, "someone-else") == R"({"status":"APPROVED"})");
  auto ready = c->Get("/readyz");
  CHECK(ready->status == 503);
  CHECK(Has(ready->body, "store_no_space"));
  auto metrics = c->Get("/metrics");
  CHECK_FALSE(Has(metrics->body, "jwo_fa_decision_log_records_total{fate=\"dropped\"} 0"));
  CHECK(Has(metrics->body, "jwo_store_no_space 1"));
  auto status = d.Ctl({"status"});
  CHECK(Has(status.output, "no_space"));
  auto refused_add =
      d.Ctl({"debt", "add", "debtor", "trip-2", "1.00", "USD", "--reason", "during full disk"});
  CHECK(refused_add.exit_code == 1);
  CHECK(Has(refused_add.output, "no space left for the store"));
  auto shown = d.Ctl({"shopper", "show", "debtor"});
  CHECK(shown.exit_code == 0);

  // Space returns: the next commit goes through and the daemon is ready again by itself.
  std::filesystem::remove(filler);
  for (int i = 0; i < 50; ++i) {
    REQUIRE(c->Post(kFaPath, FaBody("r" + std::to_string(i), "r" + std::to_string(i))).ok());
  }
  CHECK(d.WaitForLog("store writes succeed again"));
  CHECK(c->Get("/readyz")->status == 200);
  CHECK(Has(c->Get("/metrics")->body, "jwo_store_no_space 0"));
  CHECK(d.Ctl({"debt", "add", "debtor", "trip-2", "1.00", "USD", "--reason", "after"}).exit_code ==
        0);
}

TEST_CASE("a store at store.max_map_size_mib: reads go on, writes are refused by name") {
  std::string config = DefaultTestConfig();
  const std::string from = "  map_size_mib: 16\n";
  REQUIRE(config.find(from) != std::string::npos);
  config.replace(config.find(from), from.size(), "  map_size_mib: 1\n  max_map_size_mib: 1\n");
  DaemonProcess d(config);
  REQUIRE(d.Start());
  REQUIRE(
      d.Ctl({"debt", "add", "debtor", "trip-1", "12.50", "USD", "--reason", "test"}).exit_code ==
      0);

  // Decision records fill the 1 MiB map until a commit cannot grow it.
  auto c = HttpClient::Connect("127.0.0.1", d.Port());
  REQUIRE(c.ok());
  bool refused = false;
  for (int i = 0; i < 40000 && !refused; ++i) {
    auto r = c->Post(kFaPath, FaBody("s" + std::to_string(i), "t" + std::to_string(i)));
    REQUIRE(r.ok());
    if (i % 200 == 199) {
      refused = d.WaitForLog("store.max_map_size_mib reached", std::chrono::milliseconds(50));
    }
  }
  REQUIRE(refused);
  CHECK(d.running());

  CHECK(Has(Decide(d, "debtor"), R"("status":"DENIED")"));
  CHECK(Decide(d, "someone-else") == R"({"status":"APPROVED"})");
  auto ready = c->Get("/readyz");
  CHECK(ready->status == 503);
  CHECK(Has(ready->body, "store_full"));
  CHECK_FALSE(Has(ready->body, "store_no_space"));
  CHECK(Has(c->Get("/metrics")->body, "jwo_store_full 1"));
  CHECK(Has(d.Ctl({"status"}).output, "raise store.max_map_size_mib"));
  CHECK(d.Ctl({"shopper", "show", "debtor"}).exit_code == 0);
  // Small writes may still fit in pages LMDB freed; the state stays until the operator acts.
  (void)d.Ctl({"debt", "add", "debtor", "trip-2", "1.00", "USD", "--reason", "while full"});
  CHECK(Has(c->Get("/readyz")->body, "store_full"));
}

TEST_CASE(
    "store verify: clean through the control socket, a damaged balance found online and "
    "offline") {
  DaemonProcess d;
  Populate(d);
  REQUIRE(d.Start());
  auto clean = d.Ctl({"store", "verify"});
  INFO(clean.output);
  CHECK(clean.exit_code == 0);
  CHECK(Has(clean.output, "no problems found"));
  d.Signal(SIGTERM);
  REQUIRE(d.WaitExit() == 0);
  const std::string edged = JWO_BINARY_DIR "/daemon/jwo-edged";
  auto offline_clean = RunCommand({edged, "--verify-store", "--config", d.config_path().string()});
  CHECK(offline_clean.exit_code == 0);

  // The debtor's balance no longer matches its open debt (12.50 USD).
  WriteOffline(d, [](jwo::store::WriteTxn& txn) {
    jwo::store::ShopperRecord s;
    s.open_debt_count = 1;
    return jwo::store::PutShopper(txn, "debtor", s);
  });
  auto offline = RunCommand({edged, "--verify-store", "--config", d.config_path().string()});
  INFO(offline.output);
  CHECK(offline.exit_code == 1);
  CHECK(Has(offline.output, "1 problem(s)"));
  CHECK(Has(offline.output,
            "shoppers [debtor]: balance {} differs from the sum of open debts "
            "{USD 1250} (minor units)"));

  REQUIRE(d.Start());
  auto online = d.Ctl({"store", "verify"});
  INFO(online.output);
  CHECK(online.exit_code == 1);
  CHECK(Has(online.output, "shoppers [debtor]: balance {}"));
  CHECK(Has(online.output, "(corruption)"));
  d.Signal(SIGTERM);
  REQUIRE(d.WaitExit() == 0);

  // A store that does not open is reported, not crashed on.
  std::filesystem::resize_file(d.state_dir() / "data.mdb", 3 * 4096);
  auto truncated = RunCommand({edged, "--verify-store", "--config", d.config_path().string()});
  CHECK(truncated.exit_code == 1);
  CHECK(Has(truncated.output, "does not open"));
  CHECK(Has(truncated.output, "is truncated"));
}

TEST_CASE(
    "a debtor missing from the gate's index: shopper show says what the gate does, verify "
    "names it, the next change of the record repairs it") {
  DaemonProcess d;
  Populate(d);
  // Damage written around store::PutShopper: the debt stays, the gate's index forgets it.
  WriteOffline(d, [](jwo::store::WriteTxn& txn) {
    return txn.Delete(jwo::store::Table::kGateShoppers, "debtor");
  });
  REQUIRE(d.Start());
  CHECK(Decide(d, "debtor") == R"({"status":"APPROVED"})");
  auto shown = d.Ctl({"shopper", "show", "debtor"});
  INFO(shown.output);
  CHECK(Has(shown.output, "gate_would: APPROVE"));
  CHECK(Has(shown.output, "12.50"));
  auto verify = d.Ctl({"store", "verify"});
  INFO(verify.output);
  CHECK(verify.exit_code == 1);
  CHECK(Has(verify.output, "gate_shoppers [debtor]: missing, but the shopper has open debt"));
  // Any change of the record writes the index with it.
  REQUIRE(
      d.Ctl({"debt", "add", "debtor", "trip-2", "1.00", "USD", "--reason", "repair"}).exit_code ==
      0);
  CHECK(Has(Decide(d, "debtor", "t2"), R"("status":"DENIED")"));
  CHECK(d.Ctl({"store", "verify"}).exit_code == 0);
}

TEST_CASE("hundreds of control commands do not use up the store's reader slots") {
  DaemonProcess d;
  REQUIRE(d.Start());
  // One thread per control connection; before the fix each kept an LMDB reader slot after it
  // ended, and after ~120 commands every read answered "cannot begin read transaction".
  for (int i = 0; i < 200; ++i) {
    auto r = d.Ctl({"shopper", "show", "nobody"});
    REQUIRE(r.exit_code == 0);
  }
  CHECK(d.Ctl({"store", "verify"}).exit_code == 0);
}

TEST_CASE(
    "a backup taken with mdb_copy while the daemon runs restores as docs/operations.md says") {
  DaemonProcess d;
  REQUIRE(d.Start());
  REQUIRE(d.Ctl({"debt", "add", "before", "trip-b", "12.50", "USD", "--reason", "r"}).exit_code ==
          0);
  // The backup, taken while the daemon serves decisions (mdb_copy -c: a compacted, consistent
  // copy through a read transaction).
  const auto backup = d.dir() / "backup";
  std::filesystem::create_directories(backup);
  auto c = HttpClient::Connect("127.0.0.1", d.Port());
  REQUIRE(c.ok());
  std::thread traffic([&] {
    for (int i = 0; i < 300; ++i) (void)c->Post(kFaPath, FaBody("x" + std::to_string(i), "t"));
  });
  auto copied = RunCommand({"/usr/bin/mdb_copy", "-c", d.state_dir().string(), backup.string()});
  traffic.join();
  INFO(copied.output);
  REQUIRE(copied.exit_code == 0);
  REQUIRE(d.Ctl({"debt", "add", "after", "trip-a", "12.50", "USD", "--reason", "r"}).exit_code ==
          0);
  d.Signal(SIGTERM);
  REQUIRE(d.WaitExit() == 0);

  // The store is lost; the daemon starts in fail mode and is restored while it runs.
  const auto data = d.state_dir() / "data.mdb";
  std::filesystem::remove(data);
  ExpectFailMode(d, data.string() + " is missing");
  std::filesystem::copy_file(backup / "data.mdb", d.state_dir() / "data.mdb.restore");
  std::filesystem::rename(d.state_dir() / "data.mdb.restore", data);  // one rename
  REQUIRE(d.WaitForNotify([](const std::string& m) { return Has(m, "READY=1"); },
                          std::chrono::seconds(15)));
  CHECK(Decide(d, "before") == R"({"status":"DENIED","shopperRisks":["BadDebt"]})");
  CHECK(Decide(d, "after") == R"({"status":"APPROVED"})");  // booked after the backup: gone
  CHECK(d.Ctl({"store", "verify"}).exit_code == 0);
}
