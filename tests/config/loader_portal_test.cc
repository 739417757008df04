// `portal:` and `retention:` (docs/configuration.md): defaults, limits, and the sections a
// portal listener needs.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "config_test_util.h"

namespace jwo::config {
namespace {

using Catch::Matchers::ContainsSubstring;
using testing::Describe;
using testing::Load;
using testing::LoadMinimalWith;

constexpr std::string_view kPortalStore =
    "store_id: s1\n"
    "store: {state_directory: /srv/state}\n"
    "listeners:\n"
    "  - {name: a, address: 127.0.0.1, port: 0, apis: [health]}\n"
    "  - {name: p, address: 127.0.0.1, port: 0, apis: [portal]}\n"
    "control: {socket: /run/t/control.sock}\n";
constexpr std::string_view kPayments =
    "payments: {endpoint: 'https://us-east-1.payments.amazonphysicalstores.com', credentials: "
    "{source: environment}}\n";
constexpr std::string_view kMail = "mail: {smtp_url: 'smtp://relay:587', from: r@s.example}\n";

TEST_CASE("portal: defaults, and every key read") {
  const LoadResult d = Load(std::string(kPortalStore) + std::string(kPayments) +
                            std::string(kMail) + "portal: {}\n");
  INFO(Describe(d));
  REQUIRE(d.ok());
  CHECK(d.config->portal.enabled);
  CHECK(d.config->portal.secure_cookies);
  CHECK(d.config->portal.code_ttl_seconds == 600);
  CHECK(d.config->portal.lockout_failures == 10);
  CHECK(d.config->portal.processor == "sandbox");
  CHECK(d.config->retention.shopper_email_days == 90);
  const LoadResult r =
      Load(std::string(kPortalStore) + std::string(kPayments) + std::string(kMail) +
           "portal: {public_url: 'https://visits.example', secure_cookies: false, "
           "code_ttl_seconds: 120, code_attempts: 3, codes_per_hour: 2, "
           "lockout_failures: 4, lockout_minutes: 5, session_minutes: 10}\n"
           "retention: {shopper_email_days: 30}\n");
  INFO(Describe(r));
  REQUIRE(r.ok());
  CHECK(r.config->portal.public_url == "https://visits.example");
  CHECK_FALSE(r.config->portal.secure_cookies);
  CHECK(r.config->portal.code_ttl_seconds == 120);
  CHECK(r.config->portal.code_attempts == 3);
  CHECK(r.config->portal.codes_per_hour == 2);
  CHECK(r.config->portal.lockout_failures == 4);
  CHECK(r.config->portal.lockout_minutes == 5);
  CHECK(r.config->portal.session_minutes == 10);
  CHECK(r.config->retention.shopper_email_days == 30);
}

TEST_CASE("portal: a portal listener needs portal:, payments: and mail:") {
  const LoadResult bare = Load(kPortalStore);
  REQUIRE_FALSE(bare.ok());
  const std::string all = Describe(bare);
  CHECK_THAT(all, ContainsSubstring("there is no portal: section"));
  CHECK_THAT(all, ContainsSubstring("the portal needs payments:"));
  CHECK_THAT(all, ContainsSubstring("the portal needs mail:"));
}

TEST_CASE("portal: values out of range and unknown processors are refused by name") {
  const std::string base = std::string(kPortalStore) + std::string(kPayments) + std::string(kMail);
  const LoadResult ttl = Load(base + "portal: {code_ttl_seconds: 5}\n");
  REQUIRE_FALSE(ttl.ok());
  CHECK(testing::SoleError(ttl).key == "portal.code_ttl_seconds");
  const LoadResult proc = Load(base + "portal: {processor: stripe}\n");
  REQUIRE_FALSE(proc.ok());
  CHECK_THAT(testing::SoleError(proc).rule, ContainsSubstring("must be sandbox"));
  const LoadResult url = Load(base + "portal: {public_url: 'ftp://x'}\n");
  CHECK(testing::SoleError(url).key == "portal.public_url");
  const LoadResult cookies = Load(base + "portal: {secure_cookies: maybe}\n");
  CHECK(testing::SoleError(cookies).key == "portal.secure_cookies");
  const LoadResult staff = Load(base + "portal: {staff_password_file: /nonexistent/staff}\n");
  CHECK(testing::SoleError(staff).key == "portal.staff_password_file");
  const LoadResult days = LoadMinimalWith("retention: {shopper_email_days: 0}\n");
  CHECK(testing::SoleError(days).key == "retention.shopper_email_days");
  const LoadResult unknown = LoadMinimalWith("retention: {emails: 3}\n");
  REQUIRE_FALSE(unknown.ok());
}

TEST_CASE("portal: the chain's portal instance serves without payments; publish and off too") {
  const std::string ledger = "ledger: {servers: ['nats://127.0.0.1:4222'], portal: serve}\n";
  const LoadResult serve =
      Load(std::string(kPortalStore) + std::string(kMail) + "portal: {}\n" + ledger);
  INFO(Describe(serve));
  REQUIRE(serve.ok());
  CHECK(serve.config->ledger.portal == LedgerPortal::kServe);
  // serve without a portal listener makes no sense.
  const LoadResult headless = LoadMinimalWith(ledger);
  REQUIRE_FALSE(headless.ok());
  CHECK_THAT(Describe(headless), ContainsSubstring("needs a listener with apis: [portal]"));
  const LoadResult publish =
      LoadMinimalWith("ledger: {servers: ['nats://127.0.0.1:4222'], portal: publish}\n");
  REQUIRE(publish.ok());
  CHECK(publish.config->ledger.portal == LedgerPortal::kPublish);
  CHECK(LoadMinimalWith("ledger: {servers: ['nats://h:4222']}\n").config->ledger.portal ==
        LedgerPortal::kOff);
  CHECK(testing::SoleError(LoadMinimalWith("ledger: {servers: ['nats://h:4222'], portal: both}\n"))
            .key == "ledger.portal");
}

}  // namespace
}  // namespace jwo::config
