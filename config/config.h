// The daemon's configuration: plain structs filled from one YAML file and validated once.
//
// Start here: LoadConfig() in config/loader.h turns a file into a Config or a list of precise
// errors; docs/configuration.md documents every key. A Config is an immutable value once
// loaded: the daemon shares it as `std::shared_ptr<const Config>` and replaces the pointer on
// SIGHUP (only the parts listed as reloadable take effect without a restart).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/money.h"

namespace jwo::config {

enum class LogLevel { kDebug, kInfo, kWarning, kError };
enum class LogTarget { kAuto, kJournald, kStderr };

// What a listener serves. Amazon's gateway should reach only `shopper_authorization`;
// `metrics` and `health` belong on a listener store IT and the monitoring can reach.
// `portal` is the shoppers' self-service portal and its staff view (docs/portal.md): a
// listener of its own, never the one Amazon calls.
enum class Api { kShopperAuthorization, kHealth, kMetrics, kPurchases, kPortal };

struct TlsConfig {
  std::string certificate_file;  // PEM server certificate (chain)
  std::string private_key_file;  // PEM private key
  std::string client_ca_file;    // if set: client certificates are required and verified
  bool operator==(const TlsConfig&) const = default;
};

struct ListenerConfig {
  std::string name;              // unique, for logs and metrics
  std::string address;           // IPv4 or IPv6 literal, e.g. "127.0.0.1", "::"
  uint16_t port = 0;             // 0 = any free port (tests)
  std::optional<TlsConfig> tls;  // absent = plain HTTP (development only)
  std::vector<Api> apis;         // non-empty, no duplicates
  bool operator==(const ListenerConfig&) const = default;
};

struct HttpConfig {
  int threads = 0;                        // connection threads; 0 = half the cores, at least 1
  uint32_t max_body_bytes = 1024 * 1024;  // a 1,000-line Create Purchases cart is ~120 KiB
  uint32_t max_header_bytes = 8 * 1024;
  uint32_t idle_timeout_ms = 30'000;     // keep-alive connection with no request
  uint32_t request_timeout_ms = 10'000;  // from first byte of a request to its last
  uint32_t max_connections = 1024;       // over this, new connections are closed at accept
  uint32_t max_pipelined_requests = 16;  // per connection, read ahead of the answers
  bool operator==(const HttpConfig&) const = default;
};

struct StoreConfig {
  std::string state_directory;        // holds the LMDB environment (data.mdb, lock.mdb)
  uint64_t map_size_mib = 1024;       // initial map size; grows on MDB_MAP_FULL
  uint64_t max_map_size_mib = 65536;  // growth stops here (then writes fail, visibly)
  uint32_t max_readers = 0;           // 0 = derived from the thread count
  bool operator==(const StoreConfig&) const = default;
};

enum class Strategy { kRetailerManaged, kAmazonRecommendation };
enum class FailMode { kApprove, kDeny };

// What the amazon_recommendation strategy does for one combination of Amazon's recommendation
// and the local ledger.
enum class RuleAction {
  kFollow,   // Amazon's recommendation as sent (with its conditions and risks)
  kApprove,  // admit without conditions
  kDeny,     // deny
  kAdjust,   // admit with an ADJUST condition carrying `adjust_amounts` for the currency
};

struct RecommendationRules {
  RuleAction approved_clear = RuleAction::kFollow;  // Amazon approves, no local debt
  RuleAction approved_owes = RuleAction::kDeny;     // Amazon approves, local debt >= threshold
  RuleAction denied_clear = RuleAction::kFollow;    // Amazon denies, no local debt
  RuleAction denied_owes = RuleAction::kDeny;       // Amazon denies, local debt
  RuleAction absent_clear = RuleAction::kApprove;   // no recommendation in the request
  RuleAction absent_owes = RuleAction::kDeny;
  std::map<std::string, int64_t> adjust_amounts;  // currency code -> minor units
  bool operator==(const RecommendationRules&) const = default;
};

struct FaConfig {
  Strategy strategy = Strategy::kRetailerManaged;
  FailMode fail_mode = FailMode::kDeny;
  // Open debt at or above the threshold denies entry; currency code -> minor units. A currency
  // not listed uses the smallest unit (any open debt denies).
  std::map<std::string, int64_t> thresholds;
  RecommendationRules rules;
  bool operator==(const FaConfig&) const = default;
};

struct AuditConfig {
  // Decision records per write transaction. A commit costs about the same whatever its size
  // (two fdatasyncs, the meta page): at 512, a closed-loop gate run committed 250 times a second
  // and the writer's system time, 0.41-0.48 us a decision, slowed the connection thread too;
  // 4,096 leaves the 20 ms interval to decide (docs/performance.md, issue "Hot paths").
  uint32_t batch_max = 4096;
  uint32_t flush_interval_ms = 20;  // longest a record waits for its batch
  uint32_t queue_max = 65536;  // records waiting; beyond it new records are dropped and counted
  bool operator==(const AuditConfig&) const = default;
};

struct LogConfig {
  LogLevel level = LogLevel::kInfo;
  LogTarget target = LogTarget::kAuto;  // auto = journald when started by systemd, else stderr
  bool operator==(const LogConfig&) const = default;
};

struct ControlConfig {
  std::string socket_path;      // unix socket of jwo-edgectl
  uint32_t socket_mode = 0660;  // file permissions of the socket
  bool operator==(const ControlConfig&) const = default;
};

// `ordering:` — Create Purchases.
struct OrderingConfig {
  std::string catalog_file;  // YAML catalog (docs/pricing.md); reloaded on SIGHUP
  bool operator==(const OrderingConfig&) const = default;
};

enum class CredentialsSource { kFile, kEnvironment, kImds };
enum class ReportPaymentStatus { kAuto, kAlways, kNever };
// What a Capture whose answer never came becomes (docs/payments.md, "Unknown outcomes").
enum class UnknownCapture { kHold, kResend };

// `payments:` — Amazon's Payment Service and the outbox (docs/payments.md).
struct PaymentsConfig {
  bool enabled = false;  // the section is present
  std::string endpoint;  // https://<region>.payments.amazonphysicalstores.com
  std::string region;    // "" = the endpoint host's first label
  std::string ca_file;   // "" = the system trust store
  CredentialsSource credentials = CredentialsSource::kFile;
  std::string credentials_file;  // AWS shared-credentials format
  std::string credentials_profile = "default";
  std::string imds_endpoint = "http://169.254.169.254";
  uint32_t max_connections = 4;
  uint32_t request_timeout_ms = 15'000;
  uint32_t retry_base_ms = 1'000;
  uint32_t retry_cap_ms = 300'000;
  uint32_t pending_retry_ms = 5'000;
  bool partial_capture = true;
  ReportPaymentStatus report_payment_status = ReportPaymentStatus::kAuto;
  uint32_t refund_window_days = 30;
  uint32_t preauth_expiry_seconds = 7 * 86400;  // unsettled trips become debt after this
  uint32_t preauth_alert_seconds = 86400;       // alert this long before
  // hold: a Capture with an unknown outcome waits for an operator (never sent twice); resend:
  // only where Amazon's onboarding confirmed that a repeated Capture is a no-op.
  UnknownCapture unknown_capture = UnknownCapture::kHold;
  uint32_t unknown_capture_alert = 0;  // alert while more trips than this are capture_unknown
  bool operator==(const PaymentsConfig&) const = default;
};

// One lane of a gate: which F&A `gateAuthenticationEvent.data.lane` value selects it.
struct GateLaneConfig {
  std::string id;     // the value of data.lane, e.g. "2"
  uint32_t lane = 1;  // the driver's lane number (1-based)
  bool operator==(const GateLaneConfig&) const = default;
};

// `gates:` — one entry per gate controller, driven through a HAL driver (docs/hal.md).
struct GateConfig {
  std::string name;           // unique, [A-Za-z0-9_-]{1,64}: metrics label, jwo-edgectl argument
  std::string gate_id;        // the value of data.gate that selects this gate; default: name
  std::string driver;         // a driver name ("sim", "gpio") or an absolute path to a .so
  std::string settings_json;  // the driver's settings as a JSON object text ("{}" if absent)
  std::vector<GateLaneConfig> lanes;  // at least one; ids and lane numbers unique
  std::string deny_message;           // shown on a denial whose reason has no entry below
  std::map<std::string, std::string> deny_messages;  // fa reason name -> message
  uint32_t command_max_age_ms = 3000;  // a lane command older than this is dropped, not sent
  bool operator==(const GateConfig&) const = default;
};

// The debt-inflow breaker (docs/ledger.md): more new open debts from other stores within
// `window_seconds` than `chain_max` (all stores together) or `store_max` (one store) are
// recorded but not denied on until an operator confirms them.
struct LedgerBreakerConfig {
  uint32_t window_seconds = 600;
  uint32_t chain_max = 500;
  uint32_t store_max = 50;
  bool operator==(const LedgerBreakerConfig&) const = default;
};

enum class LedgerPortal { kOff, kPublish, kServe };

// `ledger:` — the chain-wide debt ledger over NATS JetStream (docs/ledger.md). Absent: the
// store stands alone.
struct LedgerConfig {
  bool enabled = false;
  std::vector<std::string> servers;  // nats:// or tls:// URLs
  std::string bucket = "debts";
  std::string ca_file;           // verify the servers against this CA (PEM)
  std::string certificate_file;  // client certificate (PEM), with private_key_file
  std::string private_key_file;
  std::string credentials_file;        // NATS .creds (user JWT and NKey seed)
  uint32_t ping_interval_ms = 10'000;  // two missed pings: the link is down
  uint32_t reconnect_wait_ms = 1'000;  // plus up to as much again of jitter
  uint32_t request_timeout_ms = 5'000;
  LedgerBreakerConfig breaker;
  // The chain's portal (docs/portal.md, "Topologies"): `publish` (an appliance: its receipts go
  // to the portal bucket, refund requests for it are run here), `serve` (the chain's portal
  // instance: receipts of every store are kept here, refund requests are sent to the trip's
  // store), `off`.
  LedgerPortal portal = LedgerPortal::kOff;
  bool operator==(const LedgerConfig&) const = default;
};

// `mail:` — receipts by e-mail through the store's SMTP relay (docs/configuration.md). Absent:
// nothing is mailed (the receipt data stays in the trip).
struct MailConfig {
  bool enabled = false;
  std::string smtp_url;       // smtp://relay:587 (STARTTLS) or smtps://relay:465
  bool require_tls = true;    // smtp:// only: refuse a relay without STARTTLS
  std::string ca_file;        // "" = the system trust store
  std::string username;       // "" = no AUTH
  std::string password_file;  // the password, alone in a file readable by the service
  std::string from;           // receipts@store.example
  std::string from_name;      // "Corner Store"
  std::string store_name;     // the receipt's heading; "" = store_id
  std::string support_line;   // last line of every receipt, e.g. where to ask for a refund
  uint32_t timeout_ms = 30'000;
  uint32_t give_up_hours = 72;
  bool operator==(const MailConfig&) const = default;
};

// `portal:` — the shoppers' self-service portal (docs/portal.md). Absent: a listener with
// `apis: [portal]` is refused.
struct PortalConfig {
  bool enabled = false;
  std::string public_url;      // https://portal.store.example: named in the sign-in mail
  bool secure_cookies = true;  // false only for plain-HTTP development
  uint32_t code_ttl_seconds = 600;
  uint32_t code_attempts = 5;         // wrong entries of one code before it is void
  uint32_t codes_per_hour = 5;        // sign-in codes mailed to one address
  uint32_t lockout_failures = 10;     // failed sign-ins of one address or peer within ...
  uint32_t lockout_minutes = 15;      // ... this window lock it out for as long
  uint32_t session_minutes = 30;      // idle time before a session ends
  std::string staff_password_file;    // "" = no staff view
  std::string processor = "sandbox";  // the payment processor of payoffs
  bool operator==(const PortalConfig&) const = default;
};

// `retention:` — how long personal data is kept (docs/portal.md, "Retention").
struct RetentionConfig {
  // A trip's shopper e-mail address is erased this long after the trip, unless the trip still
  // has an open debt (the shopper needs it to sign in and pay).
  uint32_t shopper_email_days = 90;
  bool operator==(const RetentionConfig&) const = default;
};

struct Config {
  std::string source_file;  // the file it was loaded from, for messages
  std::string store_id;     // ^[0-9a-zA-Z_-]{1,255}$, this store's id at Amazon
  StoreConfig store;
  HttpConfig http;
  std::vector<ListenerConfig> listeners;  // at least one
  FaConfig fa;
  AuditConfig audit;
  LogConfig log;
  ControlConfig control;
  OrderingConfig ordering;
  PaymentsConfig payments;
  std::vector<GateConfig> gates;  // `gates:`; empty = no gate hardware
  LedgerConfig ledger;
  MailConfig mail;
  PortalConfig portal;
  RetentionConfig retention;
  bool operator==(const Config&) const = default;
};

}  // namespace jwo::config
