#include "config/loader.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "config_test_util.h"

namespace jwo::config {
namespace {

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::StartsWith;
using testing::Describe;
using testing::Load;
using testing::LoadMinimalWith;
using testing::SoleError;
using testing::TempDir;

TEST_CASE("a minimal document loads with the defaults of config.h") {
  const LoadResult r = LoadMinimalWith("");
  INFO(Describe(r));
  REQUIRE(r.ok());
  const Config& c = *r.config;
  CHECK(c.source_file == "/etc/jwo/test.yaml");
  CHECK(c.store_id == "s1");
  CHECK(c.store.state_directory == "/srv/state");
  CHECK(c.store.map_size_mib == 1024);
  CHECK(c.store.max_map_size_mib == 65536);
  CHECK(c.http.threads == 0);
  CHECK(c.http.max_body_bytes == 1048576);
  CHECK(c.audit.batch_max == 4096);
  CHECK(c.log.level == LogLevel::kInfo);
  CHECK(c.log.target == LogTarget::kAuto);
  CHECK(c.fa.strategy == Strategy::kRetailerManaged);
  CHECK(c.fa.fail_mode == FailMode::kDeny);
  CHECK(c.fa.thresholds.empty());
  CHECK(c.control.socket_path == "/run/t/control.sock");
  CHECK(c.control.socket_mode == 0660);
  REQUIRE(c.listeners.size() == 1);
  CHECK(c.listeners[0].name == "a");
  CHECK(c.listeners[0].port == 0);
  CHECK(c.listeners[0].apis == std::vector<Api>{Api::kHealth});
  CHECK_FALSE(c.listeners[0].tls.has_value());
}

TEST_CASE("every optional key is read") {
  const LoadResult r = LoadMinimalWith(R"(
http:
  threads: 4
  max_body_bytes: 2048
  max_header_bytes: 4096
  idle_timeout_ms: 5000
  request_timeout_ms: 2000
  max_connections: 100
  max_pipelined_requests: 2
audit:
  batch_max: 64
  flush_interval_ms: 5
  queue_max: 1000
log:
  level: debug
  target: journald
)");
  INFO(Describe(r));
  REQUIRE(r.ok());
  const Config& c = *r.config;
  CHECK(c.http.threads == 4);
  CHECK(c.http.max_body_bytes == 2048);
  CHECK(c.http.max_header_bytes == 4096);
  CHECK(c.http.idle_timeout_ms == 5000);
  CHECK(c.http.request_timeout_ms == 2000);
  CHECK(c.http.max_connections == 100);
  CHECK(c.http.max_pipelined_requests == 2);
  CHECK(c.audit.batch_max == 64);
  CHECK(c.audit.flush_interval_ms == 5);
  CHECK(c.audit.queue_max == 1000);
  CHECK(c.log.level == LogLevel::kDebug);
  CHECK(c.log.target == LogTarget::kJournald);
}

TEST_CASE("store keys are read and map size must not exceed its maximum") {
  const std::string head =
      "store_id: s1\nlisteners: [{name: a, address: ::1, port: 1, apis: [health]}]\n"
      "control: {socket: /s}\n";
  const LoadResult ok = Load(head +
                             "store: {state_directory: /d, map_size_mib: 8, "
                             "max_map_size_mib: 16, max_readers: 500}\n");
  INFO(Describe(ok));
  REQUIRE(ok.ok());
  CHECK(ok.config->store.map_size_mib == 8);
  CHECK(ok.config->store.max_map_size_mib == 16);
  CHECK(ok.config->store.max_readers == 500);

  const ConfigError e = SoleError(Load(head + "store:\n  state_directory: /d\n  map_size_mib: 32\n"
                                              "  max_map_size_mib: 16\n"));
  CHECK(e.key == "store.map_size_mib");
  CHECK(e.line == 6);
  CHECK_THAT(e.rule, ContainsSubstring("must not exceed store.max_map_size_mib (16)"));

  // Against the default map size, the maximum is the key to blame.
  const ConfigError below =
      SoleError(Load(head + "store: {state_directory: /d, max_map_size_mib: 512}\n"));
  CHECK(below.key == "store.max_map_size_mib");
  CHECK(below.rule == "store.map_size_mib (1024) must not exceed store.max_map_size_mib (512)");
}

TEST_CASE("an unknown key is an error suggesting the closest known key") {
  const LoadResult r = LoadMinimalWith("fa:\n  stratgy: retailer_managed\n");
  const ConfigError e = SoleError(r);
  INFO(Describe(r));
  CHECK(e.key == "fa.stratgy");
  CHECK(e.line == 7);
  CHECK(e.column == 3);
  CHECK(e.ToString() ==
        "/etc/jwo/test.yaml:7:3: fa.stratgy: unknown key; did you mean 'strategy'?");
}

TEST_CASE("an unknown key far from every known key lists the known keys") {
  const ConfigError e = SoleError(LoadMinimalWith("log:\n  colour: red\n"));
  CHECK(e.key == "log.colour");
  CHECK(e.rule == "unknown key; expected one of level, target");
}

TEST_CASE("a prefix of a known key suggests it") {
  const ConfigError e = SoleError(LoadMinimalWith("http:\n  max_conn: 5\n"));
  CHECK(e.rule == "unknown key; did you mean 'max_connections'?");
}

TEST_CASE("a key given twice is an error") {
  const ConfigError e = SoleError(LoadMinimalWith("log: {level: info, level: debug}\n"));
  CHECK(e.key == "log.level");
  CHECK_THAT(e.rule, StartsWith("key repeated"));
}

TEST_CASE("a value of the wrong type names the key and what was found") {
  SECTION("sequence for an integer") {
    const ConfigError e = SoleError(LoadMinimalWith("http:\n  threads: [1]\n"));
    CHECK(e.key == "http.threads");
    CHECK(e.rule == "must be an integer, not a sequence");
    CHECK(e.line == 7);
    CHECK(e.column == 12);
  }
  SECTION("quoted number") {
    const ConfigError e = SoleError(LoadMinimalWith("http:\n  threads: \"4\"\n"));
    CHECK(e.rule == "must be an integer, not a quoted string");
    CHECK(e.found == "4");
  }
  SECTION("word for an integer") {
    const ConfigError e = SoleError(LoadMinimalWith("http: {threads: four}\n"));
    CHECK(e.rule == "must be an integer (decimal digits only)");
    CHECK(e.found == "four");
  }
  SECTION("fraction for an integer") {
    CHECK(SoleError(LoadMinimalWith("http: {threads: 1.5}\n")).found == "1.5");
  }
  SECTION("scalar for a section") {
    const ConfigError e = SoleError(LoadMinimalWith("audit: 5\n"));
    CHECK(e.key == "audit");
    CHECK_THAT(e.rule, StartsWith("must be a mapping"));
  }
  SECTION("mapping for a string") {
    const ConfigError e = SoleError(LoadMinimalWith("log: {level: {a: 1}}\n"));
    CHECK(e.key == "log.level");
    CHECK(e.rule == "must be a string, not a mapping");
  }
  SECTION("empty value points at its key") {
    const ConfigError e = SoleError(LoadMinimalWith("log:\n  level:\n  target: auto\n"));
    CHECK(e.rule == "must be a string, not nothing");
    CHECK(e.line == 7);
    CHECK(e.column == 3);
  }
}

TEST_CASE("a number out of range names the range") {
  SECTION("above") {
    const ConfigError e = SoleError(LoadMinimalWith("http:\n  threads: 65\n"));
    CHECK(e.ToString() ==
          "/etc/jwo/test.yaml:7:12: http.threads: must be between 0 and 64 (found \"65\")");
  }
  SECTION("below") {
    CHECK(SoleError(LoadMinimalWith("http: {max_body_bytes: 1023}\n")).rule ==
          "must be between 1024 and 16777216");
  }
  SECTION("negative") {
    CHECK(SoleError(LoadMinimalWith("audit: {batch_max: -1}\n")).found == "-1");
  }
  SECTION("beyond 64 bits") {
    CHECK(SoleError(LoadMinimalWith("audit: {batch_max: 99999999999999999999}\n")).rule ==
          "must be between 1 and 65536");
  }
  SECTION("audit queue smaller than a batch") {
    const ConfigError e = SoleError(LoadMinimalWith("audit: {batch_max: 100, queue_max: 50}\n"));
    CHECK(e.key == "audit.queue_max");
    CHECK(e.rule == "must be at least audit.batch_max (100)");
  }
}

TEST_CASE("a value outside an enum lists the allowed names") {
  const ConfigError e = SoleError(LoadMinimalWith("fa:\n  strategy: retailer_manged\n"));
  CHECK(e.ToString() ==
        "/etc/jwo/test.yaml:7:13: fa.strategy: must be one of retailer_managed, "
        "amazon_recommendation (found \"retailer_manged\")");
  CHECK(SoleError(LoadMinimalWith("log: {target: syslog}\n")).rule ==
        "must be one of auto, journald, stderr");
}

TEST_CASE("missing required keys are each reported") {
  const LoadResult r = Load("store:\n  map_size_mib: 10\nlisteners: [{name: a}]\n");
  INFO(Describe(r));
  std::vector<std::string> keys;
  for (const ConfigError& e : r.errors) {
    CHECK(e.rule == "required key is missing");
    keys.push_back(e.key);
  }
  CHECK(keys == std::vector<std::string>{"store_id", "store.state_directory",
                                         "listeners[0].address", "listeners[0].port",
                                         "listeners[0].apis", "control"});
  CHECK(r.errors[1].line == 2);
}

TEST_CASE("all errors of a file are reported, not just the first") {
  const LoadResult r = LoadMinimalWith(
      "http: {threads: 100}\nlog: {level: loud}\nfa: {strategy: x}\naudit: {batch: 1}\n");
  INFO(Describe(r));
  CHECK(r.errors.size() == 4);
  CHECK_FALSE(r.config.has_value());
}

TEST_CASE("an empty file reports the required keys without a position") {
  const LoadResult r = Load("");
  REQUIRE(r.errors.size() == 4);
  CHECK(r.errors[0].ToString() == "/etc/jwo/test.yaml: store_id: required key is missing");
  CHECK(r.errors[3].key == "control");
}

TEST_CASE("a document that is not a mapping is an error") {
  const ConfigError e = SoleError(Load("- a\n- b\n"));
  CHECK(e.line == 1);
  CHECK_THAT(e.rule, StartsWith("must be a mapping"));
}

TEST_CASE("a YAML syntax error is reported with its line and column") {
  const LoadResult r = LoadMinimalWith("log:\n  level: info\n   target: auto\n");
  const ConfigError e = SoleError(r);
  INFO(Describe(r));
  CHECK(e.key.empty());
  CHECK(e.line == 8);
  CHECK(e.column == 10);
  CHECK(e.ToString() == "/etc/jwo/test.yaml:8:10: YAML syntax error: illegal map value");
}

TEST_CASE("a second YAML document is an error") {
  const ConfigError e = SoleError(LoadMinimalWith("---\nstore_id: other\n"));
  CHECK(e.line == 7);  // yaml-cpp marks a document at its first node, after the "---"
  CHECK_THAT(e.rule, ContainsSubstring("one YAML document"));
}

// yaml-cpp 0.7's LoadAll loops forever on these, allocating until memory runs out (found by the
// config_text fuzz target; tests/fuzz/config_text/regressions/lone_comma).
TEST_CASE("a stray comma is a YAML syntax error, not a hang") {
  for (const char* text : {",", "# comment\n,\n", ", directory, so"}) {
    INFO(text);
    const ConfigError e = SoleError(Load(text));
    CHECK(e.line == 1 + (text[0] == '#'));
    CHECK_THAT(e.rule, ContainsSubstring("YAML syntax error"));
  }
}

TEST_CASE("store_id must be a safe identifier") {
  const std::string rest(testing::kMinimal.substr(testing::kMinimal.find('\n') + 1));
  CHECK(Load("store_id: 12345\n" + rest).ok());
  const ConfigError e = SoleError(Load("store_id: store one\n" + rest));
  CHECK(e.key == "store_id");
  CHECK(e.found == "store one");
  CHECK(!Load("store_id: " + std::string(256, 'x') + "\n" + rest).ok());
  CHECK(Load("store_id: " + std::string(255, 'x') + "\n" + rest).ok());
}

TEST_CASE("control socket mode is read as octal and never opens the socket to others") {
  const std::string head(testing::kMinimal.substr(0, testing::kMinimal.find("control:")));
  auto mode = [&](const std::string& text) {
    return Load(head + "control: {socket: /s, socket_mode: " + text + "}\n");
  };
  CHECK(mode("\"0660\"").config.value().control.socket_mode == 0660);
  CHECK(mode("0640").config.value().control.socket_mode == 0640);
  CHECK(mode("600").config.value().control.socket_mode == 0600);
  CHECK(SoleError(mode("\"0666\"")).rule ==
        "must not give other users access (the last digit must be 0)");
  CHECK(SoleError(mode("\"0x1f\"")).rule == "must be an octal permission string such as \"0660\"");
  CHECK(SoleError(mode("\"4770\"")).key == "control.socket_mode");
  CHECK(SoleError(mode("\"0680\"")).found == "0680");
}

TEST_CASE("a control socket path too long for sun_path is an error") {
  const std::string head(testing::kMinimal.substr(0, testing::kMinimal.find("control:")));
  const ConfigError e =
      SoleError(Load(head + "control: {socket: /" + std::string(120, 's') + "}\n"));
  CHECK(e.key == "control.socket");
  CHECK_THAT(e.rule, StartsWith("path too long for a unix socket"));
}

TEST_CASE("relative paths are resolved against the config file's directory") {
  const std::string doc =
      "store_id: s1\nstore: {state_directory: ../state}\n"
      "listeners: [{name: a, address: 127.0.0.1, port: 0, apis: [health]}]\n"
      "control: {socket: run/./control.sock}\n";
  SECTION("absolute file name") {
    const LoadResult r = LoadConfigFromString(doc, "/opt/jwo/etc/edge.yaml");
    INFO(Describe(r));
    REQUIRE(r.ok());
    CHECK(r.config->store.state_directory == "/opt/jwo/state");
    CHECK(r.config->control.socket_path == "/opt/jwo/etc/run/control.sock");
  }
  SECTION("relative file name: against the current directory") {
    const LoadResult r = LoadConfigFromString(doc, "conf/edge.yaml");
    REQUIRE(r.ok());
    CHECK(r.config->store.state_directory ==
          (std::filesystem::current_path() / "state").lexically_normal().string());
  }
  SECTION("absolute paths are kept") {
    const LoadResult r = LoadConfigFromString(
        "store_id: s1\nstore: {state_directory: /var/lib//x/}\n"
        "listeners: [{name: a, address: 127.0.0.1, port: 0, apis: [health]}]\n"
        "control: {socket: /run/x.sock}\n",
        "/opt/edge.yaml");
    REQUIRE(r.ok());
    CHECK(r.config->store.state_directory == "/var/lib/x/");
    CHECK(r.config->control.socket_path == "/run/x.sock");
  }
}

TEST_CASE("LoadConfig reads a file and names it in the result") {
  TempDir dir;
  const auto file =
      dir.Write("etc/edge.yaml", std::string(testing::kMinimal) + "store_id_typo: 1\n");
  const LoadResult bad = LoadConfig(file.string());
  CHECK(SoleError(bad).file == file.string());
  CHECK(SoleError(bad).line == 6);

  dir.Write("etc/good.yaml",
            "store_id: s1\nstore: {state_directory: data}\n"
            "listeners: [{name: a, address: 127.0.0.1, port: 0, apis: [health]}]\n"
            "control: {socket: data/ctl.sock}\n");
  const LoadResult good = LoadConfig((dir.path() / "etc/good.yaml").string());
  INFO(Describe(good));
  REQUIRE(good.ok());
  CHECK(good.config->source_file == (dir.path() / "etc/good.yaml").string());
  CHECK(good.config->store.state_directory == (dir.path() / "etc/data").string());
}

TEST_CASE("an unreadable file is one error with the errno text") {
  TempDir dir;
  SECTION("missing") {
    const std::string path = (dir.path() / "nope.yaml").string();
    const LoadResult r = LoadConfig(path);
    CHECK(SoleError(r).ToString() == path + ": cannot open file: No such file or directory");
  }
  SECTION("a directory") {
    const LoadResult r = LoadConfig(dir.path().string());
    CHECK(SoleError(r).rule == "cannot read file: Is a directory");
  }
}

TEST_CASE("jwo-edgectl's fallback reads control.socket from a file that does not load") {
  TempDir dir;
  // Valid YAML, invalid configuration: the YAML is read, every other key ignored.
  auto bad_key =
      dir.Write("a/bad.yaml", "store_id: \"\"\nbogus: 1\ncontrol:\n  socket: ctl.sock\n");
  REQUIRE_FALSE(jwo::config::LoadConfig(bad_key.string()).ok());
  CHECK(jwo::config::LenientControlSocket(bad_key.string()) ==
        (dir.path() / "a" / "ctl.sock").string());
  // Not YAML at all: a line scan still finds it.
  auto broken = dir.Write("broken.yaml",
                          "store_id: [\ncontrol:\n  socket_mode: \"0660\"\n  socket: "
                          "\"/run/x/control.sock\"  # here\nlog: {\n");
  CHECK(jwo::config::LenientControlSocket(broken.string()) == "/run/x/control.sock");
  auto none = dir.Write("none.yaml", "store_id: [\n");
  CHECK_FALSE(jwo::config::LenientControlSocket(none.string()).has_value());
  CHECK_FALSE(jwo::config::LenientControlSocket((dir.path() / "missing.yaml").string()));
}

}  // namespace
}  // namespace jwo::config

namespace jwo::config {
namespace {

TEST_CASE("a 1 MB explicit key gets no did-you-mean search and is shortened in the message") {
  const std::string key(1 << 20, 'k');
  const LoadResult r = testing::LoadMinimalWith("? " + key + "\n: 1\n");
  REQUIRE_FALSE(r.ok());
  const ConfigError e = testing::SoleError(r);
  CHECK(e.key.size() < 100);
  CHECK(e.key.rfind("kkkk", 0) == 0);
  CHECK(e.key.find("(1048576 bytes)") != std::string::npos);
  CHECK(e.rule.rfind("unknown key; expected one of", 0) == 0);
}

}  // namespace
}  // namespace jwo::config

namespace jwo::config {
namespace {

TEST_CASE("ledger: absent means standalone; servers, bucket and breaker are read and checked") {
  const LoadResult none = testing::LoadMinimalWith("");
  REQUIRE(none.ok());
  CHECK_FALSE(none.config->ledger.enabled);

  const LoadResult ok = testing::LoadMinimalWith(
      "ledger:\n  servers: [nats://127.0.0.1:4222, tls://nats.example.net:4443]\n"
      "  bucket: chain-debts\n  ping_interval_ms: 2000\n"
      "  breaker: {window_seconds: 60, chain_max: 10, store_max: 3}\n");
  INFO(testing::Describe(ok));
  REQUIRE(ok.ok());
  const LedgerConfig& l = ok.config->ledger;
  CHECK(l.enabled);
  CHECK(l.servers ==
        std::vector<std::string>{"nats://127.0.0.1:4222", "tls://nats.example.net:4443"});
  CHECK(l.bucket == "chain-debts");
  CHECK(l.ping_interval_ms == 2000);
  CHECK(l.request_timeout_ms == 5000);
  CHECK(l.breaker.window_seconds == 60);
  CHECK(l.breaker.chain_max == 10);
  CHECK(l.breaker.store_max == 3);

  const ConfigError url =
      testing::SoleError(testing::LoadMinimalWith("ledger:\n  servers: [http://127.0.0.1:4222]\n"));
  CHECK(url.key == "ledger.servers[0]");
  CHECK_THAT(url.rule, Catch::Matchers::ContainsSubstring("nats:// or tls://"));
  const ConfigError empty =
      testing::SoleError(testing::LoadMinimalWith("ledger:\n  servers: []\n"));
  CHECK_THAT(empty.rule, Catch::Matchers::ContainsSubstring("at least one server"));
  const ConfigError bucket = testing::SoleError(
      testing::LoadMinimalWith("ledger:\n  servers: [nats://h:1]\n  bucket: a.b\n"));
  CHECK(bucket.key == "ledger.bucket");
  const ConfigError creds = testing::SoleError(testing::LoadMinimalWith(
      "ledger:\n  servers: [nats://h:1]\n  credentials_file: /nonexistent/x.creds\n"));
  CHECK_THAT(creds.rule, Catch::Matchers::ContainsSubstring("file not found"));
  const ConfigError half = testing::SoleError(testing::LoadMinimalWith(
      "ledger:\n  servers: [nats://h:1]\n  tls: {certificate_file: /etc/hostname}\n"));
  CHECK_THAT(half.rule, Catch::Matchers::ContainsSubstring("go together"));
}

}  // namespace
}  // namespace jwo::config
