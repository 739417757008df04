// The YAML files shipped in config/ must stay valid as the schema evolves.
#include "config/loader.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <fstream>
#include <sstream>

#include "config_test_util.h"

namespace jwo::config {
namespace {

using testing::Describe;
using testing::TempDir;

const std::string kConfigDir = std::string(JWO_SOURCE_DIR) + "/config";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_CASE("dev.yaml loads without errors and keeps its state in <repo>/state") {
  const LoadResult r = LoadConfig(kConfigDir + "/dev.yaml");
  INFO(Describe(r));
  REQUIRE(r.ok());
  const Config& c = *r.config;
  const std::string state = std::string(JWO_SOURCE_DIR) + "/state";
  CHECK(std::filesystem::path(c.store.state_directory) ==
        std::filesystem::path(state).lexically_normal());
  CHECK(std::filesystem::path(c.control.socket_path) ==
        std::filesystem::path(state + "/control.sock").lexically_normal());
  REQUIRE(c.listeners.size() == 2);
  CHECK(c.listeners[0].address == "127.0.0.1");
  CHECK(c.listeners[0].port == 8080);
  CHECK_FALSE(c.listeners[0].tls.has_value());
  CHECK(c.listeners[0].apis ==
        std::vector<Api>{Api::kShopperAuthorization, Api::kPurchases, Api::kHealth, Api::kMetrics});
  // The shoppers' portal on a listener of its own, plain HTTP on loopback (no Secure cookies).
  CHECK(c.listeners[1].port == 8081);
  CHECK(c.listeners[1].apis == std::vector<Api>{Api::kPortal});
  CHECK(c.portal.enabled);
  CHECK_FALSE(c.portal.secure_cookies);
  CHECK(c.mail.smtp_url == "smtp://127.0.0.1:2525");
  CHECK(c.ordering.catalog_file ==
        (std::filesystem::path(kConfigDir) / "catalog.example.yaml").lexically_normal().string());
  CHECK(c.payments.enabled);
  CHECK(c.payments.endpoint == "http://127.0.0.1:9001");
  CHECK(c.log.target == LogTarget::kStderr);
  CHECK(c.log.level == LogLevel::kInfo);
  CHECK(c.fa.strategy == Strategy::kRetailerManaged);
  CHECK(c.fa.thresholds == std::map<std::string, int64_t>{{"USD", 1}});
}

TEST_CASE("jwo-edge.yaml has no errors other than TLS files absent on this machine") {
  const LoadResult r = LoadConfig(kConfigDir + "/jwo-edge.yaml");
  INFO(Describe(r));
  for (const ConfigError& e : r.errors) {
    CHECK_THAT(e.key, Catch::Matchers::StartsWith("listeners[0].tls."));
    CHECK_THAT(e.rule, Catch::Matchers::StartsWith("cannot read file /etc/jwo-edge/tls/"));
  }
}

TEST_CASE("jwo-edge.yaml loads cleanly once its TLS files exist") {
  TempDir dir;
  for (const char* name : {"server.crt", "server.key", "clients-ca.crt"}) {
    dir.Write(std::string("tls/") + name, "pem");
  }
  std::string text = ReadFile(kConfigDir + "/jwo-edge.yaml");
  const std::string from = "/etc/jwo-edge/tls/";
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
    text.replace(at, from.size(), "tls/");
  }
  const LoadResult r = LoadConfigFromString(text, (dir.path() / "jwo-edge.yaml").string());
  INFO(Describe(r));
  REQUIRE(r.ok());
  const Config& c = *r.config;
  CHECK(c.store.state_directory == "/var/lib/jwo-edge");
  CHECK(c.control.socket_path == "/run/jwo-edge/control.sock");
  CHECK(c.control.socket_mode == 0660);
  REQUIRE(c.listeners.size() == 2);
  CHECK(c.listeners[0].address == "0.0.0.0");
  CHECK(c.listeners[0].port == 8443);
  CHECK(c.listeners[0].apis == std::vector<Api>{Api::kShopperAuthorization});
  REQUIRE(c.listeners[0].tls.has_value());
  CHECK(c.listeners[0].tls->client_ca_file == (dir.path() / "tls/clients-ca.crt").string());
  CHECK(c.listeners[1].address == "127.0.0.1");
  CHECK(c.listeners[1].port == 9090);
  CHECK(c.listeners[1].apis == std::vector<Api>{Api::kHealth, Api::kMetrics});
  CHECK(c.fa.strategy == Strategy::kRetailerManaged);
  CHECK(c.fa.thresholds.at("USD") == 1);
  CHECK(c.fa.rules.adjust_amounts.at("USD") == 2500);
}

}  // namespace
}  // namespace jwo::config
