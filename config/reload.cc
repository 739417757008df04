#include "config/reload.h"

namespace jwo::config {
namespace {

// Collects the names of differing restart-only keys, in the order they are compared.
class Diff {
 public:
  template <typename T>
  void Compare(const std::string& key, const T& a, const T& b) {
    if (!(a == b)) changed_.push_back(key);
  }
  std::vector<std::string> Take() { return std::move(changed_); }

 private:
  std::vector<std::string> changed_;
};

void CompareTls(Diff& diff, const std::string& prefix, const std::optional<TlsConfig>& a,
                const std::optional<TlsConfig>& b) {
  if (a.has_value() != b.has_value()) {
    diff.Compare(prefix, a.has_value(), b.has_value());
    return;
  }
  if (!a) return;
  diff.Compare(prefix + ".certificate", a->certificate_file, b->certificate_file);
  diff.Compare(prefix + ".private_key", a->private_key_file, b->private_key_file);
  diff.Compare(prefix + ".client_ca", a->client_ca_file, b->client_ca_file);
}

struct KeyRule {
  std::string_view prefix;  // a section ("http": every key under it) or one key ("log.level")
  KeyReload rule;
};

// fa and log.level are read per request / per log call through the shared Config pointer;
// everything else sizes or opens something once at startup.
constexpr KeyRule kKeyRules[] = {
    {"store_id", KeyReload::kRestart},     {"store", KeyReload::kRestart},
    {"http", KeyReload::kRestart},         {"listeners", KeyReload::kRestart},
    {"fa", KeyReload::kReloadable},        {"audit", KeyReload::kRestart},
    {"log.level", KeyReload::kReloadable}, {"log.target", KeyReload::kRestart},
    {"control", KeyReload::kRestart},      {"ordering", KeyReload::kRestart},
    {"payments", KeyReload::kRestart},     {"gates", KeyReload::kRestart},
    {"ledger", KeyReload::kRestart},       {"mail", KeyReload::kRestart},
    {"portal", KeyReload::kRestart},       {"retention", KeyReload::kRestart},
};

bool Under(std::string_view path, std::string_view prefix) {
  return path == prefix ||
         (path.starts_with(prefix) && (path[prefix.size()] == '.' || path[prefix.size()] == '['));
}

}  // namespace

std::optional<KeyReload> ReloadRuleOf(std::string_view path) {
  for (const KeyRule& r : kKeyRules) {
    if (Under(path, r.prefix)) return r.rule;
  }
  return std::nullopt;
}

namespace {

// Sections that differ although no key compared by name did: a field added to config.h but
// not to the list above. Named by section so the operator still hears of it.
void CatchUnnamed(std::vector<std::string>& changed, const Config& a, const Config& b) {
  const auto check = [&](std::string_view section, bool same) {
    if (same) return;
    for (const std::string& key : changed) {
      if (Under(key, section)) return;
    }
    changed.emplace_back(section);
  };
  check("store", a.store == b.store);
  check("http", a.http == b.http);
  check("listeners", a.listeners == b.listeners);
  check("audit", a.audit == b.audit);
  check("log.target", a.log.target == b.log.target);
  check("control", a.control == b.control);
  check("ordering", a.ordering == b.ordering);
  check("payments", a.payments == b.payments);
  check("gates", a.gates == b.gates);
  check("ledger", a.ledger == b.ledger);
  check("mail", a.mail == b.mail);
  check("portal", a.portal == b.portal);
  check("retention", a.retention == b.retention);
  Config whole_a = ApplyReloadable(a, b);
  whole_a.source_file = b.source_file;
  if (!(whole_a == b) && changed.empty()) changed.emplace_back("(a key reload.cc does not name)");
}

}  // namespace

std::vector<std::string> RestartRequiredChanges(const Config& old_cfg, const Config& new_cfg) {
  Diff diff;
  diff.Compare("store_id", old_cfg.store_id, new_cfg.store_id);

  const StoreConfig& os = old_cfg.store;
  const StoreConfig& ns = new_cfg.store;
  diff.Compare("store.state_directory", os.state_directory, ns.state_directory);
  diff.Compare("store.map_size_mib", os.map_size_mib, ns.map_size_mib);
  diff.Compare("store.max_map_size_mib", os.max_map_size_mib, ns.max_map_size_mib);
  diff.Compare("store.max_readers", os.max_readers, ns.max_readers);

  const HttpConfig& oh = old_cfg.http;
  const HttpConfig& nh = new_cfg.http;
  diff.Compare("http.threads", oh.threads, nh.threads);
  diff.Compare("http.max_body_bytes", oh.max_body_bytes, nh.max_body_bytes);
  diff.Compare("http.max_header_bytes", oh.max_header_bytes, nh.max_header_bytes);
  diff.Compare("http.idle_timeout_ms", oh.idle_timeout_ms, nh.idle_timeout_ms);
  diff.Compare("http.request_timeout_ms", oh.request_timeout_ms, nh.request_timeout_ms);
  diff.Compare("http.max_connections", oh.max_connections, nh.max_connections);
  diff.Compare("http.max_pipelined_requests", oh.max_pipelined_requests, nh.max_pipelined_requests);

  if (old_cfg.listeners.size() != new_cfg.listeners.size()) {
    diff.Compare("listeners", old_cfg.listeners.size(), new_cfg.listeners.size());
  } else {
    for (size_t i = 0; i < old_cfg.listeners.size(); ++i) {
      const ListenerConfig& a = old_cfg.listeners[i];
      const ListenerConfig& b = new_cfg.listeners[i];
      const std::string prefix = "listeners[" + std::to_string(i) + "]";
      diff.Compare(prefix + ".name", a.name, b.name);
      diff.Compare(prefix + ".address", a.address, b.address);
      diff.Compare(prefix + ".port", a.port, b.port);
      diff.Compare(prefix + ".apis", a.apis, b.apis);
      CompareTls(diff, prefix + ".tls", a.tls, b.tls);
    }
  }

  diff.Compare("audit.batch_max", old_cfg.audit.batch_max, new_cfg.audit.batch_max);
  diff.Compare("audit.flush_interval_ms", old_cfg.audit.flush_interval_ms,
               new_cfg.audit.flush_interval_ms);
  diff.Compare("audit.queue_max", old_cfg.audit.queue_max, new_cfg.audit.queue_max);
  diff.Compare("log.target", old_cfg.log.target, new_cfg.log.target);
  diff.Compare("control.socket", old_cfg.control.socket_path, new_cfg.control.socket_path);
  diff.Compare("control.socket_mode", old_cfg.control.socket_mode, new_cfg.control.socket_mode);
  diff.Compare("ordering.catalog", old_cfg.ordering.catalog_file, new_cfg.ordering.catalog_file);
  const PaymentsConfig& op = old_cfg.payments;
  const PaymentsConfig& np = new_cfg.payments;
  diff.Compare("payments", op.enabled, np.enabled);
  diff.Compare("payments.endpoint", op.endpoint, np.endpoint);
  diff.Compare("payments.region", op.region, np.region);
  diff.Compare("payments.ca_file", op.ca_file, np.ca_file);
  diff.Compare("payments.credentials.source", op.credentials, np.credentials);
  diff.Compare("payments.credentials.file", op.credentials_file, np.credentials_file);
  diff.Compare("payments.credentials.profile", op.credentials_profile, np.credentials_profile);
  diff.Compare("payments.credentials.imds_endpoint", op.imds_endpoint, np.imds_endpoint);
  diff.Compare("payments.max_connections", op.max_connections, np.max_connections);
  diff.Compare("payments.request_timeout_ms", op.request_timeout_ms, np.request_timeout_ms);
  diff.Compare("payments.retry_base_ms", op.retry_base_ms, np.retry_base_ms);
  diff.Compare("payments.retry_cap_ms", op.retry_cap_ms, np.retry_cap_ms);
  diff.Compare("payments.pending_retry_ms", op.pending_retry_ms, np.pending_retry_ms);
  diff.Compare("payments.partial_capture", op.partial_capture, np.partial_capture);
  diff.Compare("payments.report_payment_status", op.report_payment_status,
               np.report_payment_status);
  diff.Compare("payments.refund_window_days", op.refund_window_days, np.refund_window_days);
  diff.Compare("payments.preauth_expiry_seconds", op.preauth_expiry_seconds,
               np.preauth_expiry_seconds);
  diff.Compare("payments.preauth_alert_seconds", op.preauth_alert_seconds,
               np.preauth_alert_seconds);
  diff.Compare("payments.unknown_capture", op.unknown_capture, np.unknown_capture);
  diff.Compare("payments.unknown_capture_alert", op.unknown_capture_alert,
               np.unknown_capture_alert);
  // Gate drivers are opened once at start (instances, threads, sockets): every key restarts.
  if (old_cfg.gates.size() != new_cfg.gates.size()) {
    diff.Compare("gates", old_cfg.gates.size(), new_cfg.gates.size());
  } else {
    for (size_t i = 0; i < old_cfg.gates.size(); ++i) {
      const GateConfig& a = old_cfg.gates[i];
      const GateConfig& b = new_cfg.gates[i];
      const std::string prefix = "gates[" + std::to_string(i) + "]";
      diff.Compare(prefix + ".name", a.name, b.name);
      diff.Compare(prefix + ".gate_id", a.gate_id, b.gate_id);
      diff.Compare(prefix + ".driver", a.driver, b.driver);
      diff.Compare(prefix + ".settings", a.settings_json, b.settings_json);
      diff.Compare(prefix + ".lanes", a.lanes, b.lanes);
      diff.Compare(prefix + ".deny_message", a.deny_message, b.deny_message);
      diff.Compare(prefix + ".deny_messages", a.deny_messages, b.deny_messages);
      diff.Compare(prefix + ".command_max_age_ms", a.command_max_age_ms, b.command_max_age_ms);
    }
  }
  std::vector<std::string> changed = diff.Take();
  CatchUnnamed(changed, old_cfg, new_cfg);
  return changed;
}

Config ApplyReloadable(const Config& running, const Config& loaded) {
  Config next = running;
  next.fa = loaded.fa;
  next.log.level = loaded.log.level;
  return next;
}

}  // namespace jwo::config
