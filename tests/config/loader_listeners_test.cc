#include "config/loader.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "config_test_util.h"

namespace jwo::config {
namespace {

using Catch::Matchers::StartsWith;
using testing::Describe;
using testing::Load;
using testing::SoleError;
using testing::TempDir;

// A document whose `listeners:` section is `listeners` (written flow-style on one line, or as
// block lines starting on the next).
LoadResult WithListeners(const std::string& listeners, const std::string& file = "/e/t.yaml") {
  return LoadConfigFromString(
      "store_id: s1\nstore: {state_directory: /d}\n"
      "control: {socket: /s}\nlisteners: " +
          listeners + "\n",
      file);
}

TEST_CASE("listeners are read in order with their apis") {
  const LoadResult r = WithListeners(
      "\n  - {name: amazon, address: 0.0.0.0, port: 8443, apis: [shopper_authorization]}"
      "\n  - {name: local, address: '::1', port: 9090, apis: [health, metrics]}");
  INFO(Describe(r));
  REQUIRE(r.ok());
  REQUIRE(r.config->listeners.size() == 2);
  const ListenerConfig& a = r.config->listeners[0];
  CHECK(a.name == "amazon");
  CHECK(a.address == "0.0.0.0");
  CHECK(a.port == 8443);
  CHECK(a.apis == std::vector<Api>{Api::kShopperAuthorization});
  const ListenerConfig& b = r.config->listeners[1];
  CHECK(b.address == "::1");
  CHECK(b.apis == std::vector<Api>{Api::kHealth, Api::kMetrics});
}

TEST_CASE("listeners must be a non-empty sequence") {
  CHECK(SoleError(WithListeners("[]")).rule == "must list at least one listener");
  CHECK_THAT(SoleError(WithListeners("{name: a}")).rule, StartsWith("must be a sequence"));
}

TEST_CASE("listener names must be unique and safe") {
  const LoadResult r = WithListeners(
      "\n  - {name: a, address: 127.0.0.1, port: 1, apis: [health]}"
      "\n  - {name: a, address: 127.0.0.1, port: 2, apis: [health]}");
  const ConfigError e = SoleError(r);
  INFO(Describe(r));
  CHECK(e.key == "listeners[1].name");
  CHECK(e.line == 6);
  CHECK(e.ToString() ==
        "/e/t.yaml:6:12: listeners[1].name: duplicate listener name; names must be unique "
        "(found \"a\")");
  CHECK(SoleError(WithListeners("[{name: 'a b', address: '::', port: 1, apis: [health]}]")).key ==
        "listeners[0].name");
}

TEST_CASE("addresses must be IP literals") {
  for (const char* bad : {"localhost", "300.1.1.1", "1.2.3", "'::g'", "' 127.0.0.1'"}) {
    const LoadResult r =
        WithListeners(std::string("[{name: a, address: ") + bad + ", port: 1, apis: [health]}]");
    INFO(bad);
    CHECK(SoleError(r).key == "listeners[0].address");
    CHECK(SoleError(r).rule == "must be an IPv4 or IPv6 address literal such as 127.0.0.1 or ::");
  }
  for (const char* good : {"0.0.0.0", "127.0.0.1", "'::'", "'::1'", "'fe80::1'"}) {
    INFO(good);
    CHECK(WithListeners(std::string("[{name: a, address: ") + good + ", port: 1, apis: [health]}]")
              .ok());
  }
}

TEST_CASE("ports are 0 to 65535 and one address:port is bound once") {
  CHECK(SoleError(WithListeners("[{name: a, address: '::', port: 65536, apis: [health]}]")).rule ==
        "must be between 0 and 65535");
  const LoadResult dup = WithListeners(
      "[{name: a, address: '::', port: 80, apis: [health]},"
      " {name: b, address: '::', port: 80, apis: [metrics]}]");
  CHECK(SoleError(dup).key == "listeners[1].port");
  CHECK(SoleError(dup).rule == "another listener already uses :: port 80");
  CHECK(WithListeners("[{name: a, address: '::', port: 0, apis: [health]},"
                      " {name: b, address: '::', port: 0, apis: [metrics]}]")
            .ok());
}

TEST_CASE("apis must be known, listed once, and not empty") {
  const ConfigError unknown =
      SoleError(WithListeners("[{name: a, address: '::', port: 1, apis: [health, metric]}]"));
  CHECK(unknown.key == "listeners[0].apis[1]");
  CHECK(unknown.rule == "must be one of shopper_authorization, health, metrics, purchases, portal");
  CHECK(unknown.found == "metric");
  const ConfigError twice =
      SoleError(WithListeners("[{name: a, address: '::', port: 1, apis: [health, health]}]"));
  CHECK(twice.key == "listeners[0].apis[1]");
  CHECK(twice.rule == "api listed twice");
  CHECK_THAT(SoleError(WithListeners("[{name: a, address: '::', port: 1, apis: []}]")).rule,
             StartsWith("must list at least one of"));
  CHECK_THAT(SoleError(WithListeners("[{name: a, address: '::', port: 1, apis: health}]")).rule,
             StartsWith("must be a sequence"));
}

TEST_CASE("TLS files are resolved against the config directory and must be readable") {
  TempDir dir;
  dir.Write("tls/server.crt", "cert");
  dir.Write("tls/server.key", "key");
  dir.Write("tls/ca.crt", "ca");
  const std::string file = (dir.path() / "edge.yaml").string();
  const std::string head = "[{name: a, address: '::', port: 1, apis: [health], tls: ";

  SECTION("all present") {
    const LoadResult r =
        WithListeners(head +
                          "{certificate: tls/server.crt, private_key: tls/server.key, client_ca: "
                          "tls/ca.crt}}]",
                      file);
    INFO(Describe(r));
    REQUIRE(r.ok());
    const TlsConfig& tls = r.config->listeners[0].tls.value();
    CHECK(tls.certificate_file == (dir.path() / "tls/server.crt").string());
    CHECK(tls.private_key_file == (dir.path() / "tls/server.key").string());
    CHECK(tls.client_ca_file == (dir.path() / "tls/ca.crt").string());
  }
  SECTION("client CA is optional") {
    const LoadResult r =
        WithListeners(head + "{certificate: tls/server.crt, private_key: tls/server.key}}]", file);
    REQUIRE(r.ok());
    CHECK(r.config->listeners[0].tls->client_ca_file.empty());
  }
  SECTION("a missing file names the resolved path and the path as written") {
    const LoadResult r =
        WithListeners(head + "{certificate: tls/nope.crt, private_key: tls/server.key}}]", file);
    const ConfigError e = SoleError(r);
    INFO(Describe(r));
    CHECK(e.key == "listeners[0].tls.certificate");
    CHECK(e.rule == "cannot read file " + (dir.path() / "tls/nope.crt").string() +
                        ": No such file or directory");
    CHECK(e.found == "tls/nope.crt");
  }
  SECTION("a directory is not a certificate") {
    const LoadResult r =
        WithListeners(head + "{certificate: tls, private_key: tls/server.key}}]", file);
    CHECK_THAT(SoleError(r).rule, Catch::Matchers::EndsWith(": not a regular file"));
  }
  SECTION("certificate and key are required within tls") {
    const LoadResult r = WithListeners(head + "{client_ca: tls/ca.crt}}]", file);
    REQUIRE(r.errors.size() == 2);
    CHECK(r.errors[0].key == "listeners[0].tls.certificate");
    CHECK(r.errors[1].key == "listeners[0].tls.private_key");
    CHECK(r.errors[1].rule == "required key is missing");
  }
  SECTION("an empty tls section still needs its files") {
    CHECK(WithListeners("\n  - name: a\n    address: '::'\n    port: 1\n    apis: [health]\n"
                        "    tls:\n",
                        file)
              .errors.size() == 2);
  }
}

TEST_CASE("an unreadable TLS key is reported when permissions are enforced") {
  if (geteuid() == 0) SKIP("root reads any file");
  TempDir dir;
  dir.Write("c.crt", "cert");
  const auto key = dir.Write("k.key", "key");
  chmod(key.c_str(), 0);
  const LoadResult r = WithListeners(
      "[{name: a, address: '::', port: 1, apis: [health], tls: {certificate: c.crt, private_key: "
      "k.key}}]",
      (dir.path() / "edge.yaml").string());
  CHECK_THAT(SoleError(r).rule, Catch::Matchers::EndsWith(": Permission denied"));
}

}  // namespace
}  // namespace jwo::config
