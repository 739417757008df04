#include "config/reload.h"

#include <catch2/catch_test_macros.hpp>
#include <string>
#include <vector>

#include "config_test_util.h"

namespace jwo::config {
namespace {

Config Base() {
  Config c;
  c.source_file = "/etc/jwo-edge/jwo-edge.yaml";
  c.store_id = "s1";
  c.store.state_directory = "/var/lib/jwo-edge";
  c.listeners.push_back({"amazon",
                         "0.0.0.0",
                         8443,
                         TlsConfig{"/tls/a.crt", "/tls/a.key", ""},
                         {Api::kShopperAuthorization}});
  c.listeners.push_back({"local", "127.0.0.1", 9090, std::nullopt, {Api::kHealth}});
  c.control.socket_path = "/run/jwo-edge/control.sock";
  return c;
}

TEST_CASE("identical configs need no restart") {
  CHECK(RestartRequiredChanges(Base(), Base()).empty());
}

TEST_CASE("fa, log level and the source file are reloadable") {
  Config next = Base();
  next.source_file = "/elsewhere.yaml";
  next.fa.strategy = Strategy::kAmazonRecommendation;
  next.fa.fail_mode = FailMode::kApprove;
  next.fa.thresholds["USD"] = 500;
  next.fa.rules.absent_owes = RuleAction::kAdjust;
  next.fa.rules.adjust_amounts["USD"] = 2500;
  next.log.level = LogLevel::kDebug;
  CHECK(RestartRequiredChanges(Base(), next).empty());
}

TEST_CASE("every other changed key is named, in schema order") {
  Config next = Base();
  next.control.socket_mode = 0600;
  next.http.threads = 3;
  next.store.map_size_mib = 2048;
  next.listeners[1].port = 9091;
  next.listeners[0].tls->private_key_file = "/tls/b.key";
  next.listeners[1].apis.push_back(Api::kMetrics);
  next.audit.queue_max = 10;
  next.log.target = LogTarget::kStderr;
  next.store_id = "s2";
  CHECK(RestartRequiredChanges(Base(), next) ==
        std::vector<std::string>{"store_id", "store.map_size_mib", "http.threads",
                                 "listeners[0].tls.private_key", "listeners[1].port",
                                 "listeners[1].apis", "audit.queue_max", "log.target",
                                 "control.socket_mode"});
}

TEST_CASE("adding or removing TLS or a listener is one change") {
  Config next = Base();
  next.listeners[1].tls = TlsConfig{"/c", "/k", ""};
  CHECK(RestartRequiredChanges(Base(), next) == std::vector<std::string>{"listeners[1].tls"});
  next = Base();
  next.listeners.pop_back();
  CHECK(RestartRequiredChanges(Base(), next) == std::vector<std::string>{"listeners"});
}

TEST_CASE("ApplyReloadable takes only fa and log level from the new config") {
  Config loaded = Base();
  loaded.fa.strategy = Strategy::kAmazonRecommendation;
  loaded.fa.thresholds["EUR"] = 100;
  loaded.log.level = LogLevel::kError;
  loaded.log.target = LogTarget::kStderr;
  loaded.http.threads = 7;
  loaded.listeners.pop_back();
  const Config next = ApplyReloadable(Base(), loaded);
  CHECK(next.fa.strategy == Strategy::kAmazonRecommendation);
  CHECK(next.fa.thresholds.at("EUR") == 100);
  CHECK(next.log.level == LogLevel::kError);
  CHECK(next.log.target == LogTarget::kAuto);
  CHECK(next.http.threads == 0);
  CHECK(next.listeners.size() == 2);
  CHECK(RestartRequiredChanges(Base(), next).empty());
}

}  // namespace
}  // namespace jwo::config

namespace {

// The keys the loader accepts in the mapping at `section` ("" for the root), read from its
// "unknown key; expected one of a, b, c" message: the schema itself, not a copy of it.
std::vector<std::string> SchemaKeys(const std::string& section_yaml, const std::string& prefix) {
  const jwo::config::LoadResult r = jwo::config::testing::LoadMinimalWith(section_yaml);
  for (const jwo::config::ConfigError& e : r.errors) {
    const std::string marker = "unknown key; expected one of ";
    if (e.rule.rfind(marker, 0) != 0) continue;
    std::vector<std::string> keys;
    std::string list = e.rule.substr(marker.size());
    size_t pos = 0;
    while (pos <= list.size()) {
      const size_t comma = list.find(", ", pos);
      const std::string key =
          list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      keys.push_back(prefix.empty() ? key : prefix + "." + key);
      if (comma == std::string::npos) break;
      pos = comma + 2;
    }
    return keys;
  }
  FAIL("no key list for " << section_yaml);
  return {};
}

}  // namespace

TEST_CASE("every key of the schema is classified for SIGHUP as reloadable or restart-only") {
  constexpr const char* kUnknown = "zzzzzzzzzzzzzzzzzzzz";
  std::vector<std::string> keys = SchemaKeys(std::string(kUnknown) + ": 1\n", "");
  REQUIRE(keys.size() >= 10);
  for (const char* section : {"http", "fa", "audit", "log", "payments"}) {
    auto more = SchemaKeys(std::string(section) + ":\n  " + kUnknown + ": 1\n", section);
    keys.insert(keys.end(), more.begin(), more.end());
  }
  for (const std::string& key : keys) {
    if (key == "log") continue;  // a mixed section: its keys are classified one by one
    INFO(key);
    CHECK(jwo::config::ReloadRuleOf(key).has_value());
  }
  CHECK(jwo::config::ReloadRuleOf("fa.strategy") == jwo::config::KeyReload::kReloadable);
  CHECK(jwo::config::ReloadRuleOf("log.level") == jwo::config::KeyReload::kReloadable);
  CHECK(jwo::config::ReloadRuleOf("log.target") == jwo::config::KeyReload::kRestart);
  CHECK(jwo::config::ReloadRuleOf("listeners[0].port") == jwo::config::KeyReload::kRestart);
  CHECK_FALSE(jwo::config::ReloadRuleOf("log.format").has_value());  // a new key fails above
  CHECK_FALSE(jwo::config::ReloadRuleOf("fast").has_value());
}
