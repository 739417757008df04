#include "config/reload.h"

#include <catch2/catch_test_macros.hpp>

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
