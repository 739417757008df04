// The daemon's ordering and payment wiring: the catalog (loaded at start and on SIGHUP) and
// the Payment Service client, credentials and outbox dispatcher.
#include <fstream>
#include <sstream>
#include "admin/daemon_impl.h"

#include "core/log.h"
#include "hal/loader/driver_library.h"
#include "ordering/catalog.h"
#include "payments/credentials_refresh.h"
#include "payments/sigv4.h"
#include "store/records.h"

namespace jwo::admin {

payments::LifecyclePolicy Daemon::Impl::PaymentPolicy() const {
  const std::shared_ptr<const config::Config> config_snapshot = holder.Current();
  const config::Config& cfg = *config_snapshot;
  payments::LifecyclePolicy p;
  p.store_id = cfg.store_id;
  p.partial_capture = cfg.payments.partial_capture;
  p.queue_receipts = cfg.mail.enabled;
  switch (cfg.payments.report_payment_status) {
    case config::ReportPaymentStatus::kAlways:
      p.report_payment_status = true;
      break;
    case config::ReportPaymentStatus::kNever:
      p.report_payment_status = false;
      break;
    case config::ReportPaymentStatus::kAuto:
      // amazon_managed balances: Amazon decides at the gate from what we report.
      p.report_payment_status = cfg.fa.strategy == config::Strategy::kAmazonRecommendation;
      break;
  }
  return p;
}

gate::GateService::Options Daemon::Impl::GateOptions() {
  gate::GateService::Options options;
  options.runner.on_trip_event = [this](const std::string& gate, const gate::GateEvent& e) {
    store::Writer* writer = writer_ptr.load();
    if (writer == nullptr) return;
    store::GateEventRecord r{
        e.trip_id, gate, e.lane, std::string(hal::EventTypeName(e.type)), e.detail, e.at_unix_ms};
    const uint32_t n = gate_event_counter.fetch_add(1);
    // Best effort: an event that finds the writer full is in the log and the gate status.
    (void)writer->Submit(
        [r = std::move(r), n](store::WriteTxn& txn) {
          auto key = store::GateEventKey(r.trip_id, r.at_ms, n);
          if (!key.ok()) return core::Status::Ok();
          return txn.Put(store::Table::kGateEvents, *key, store::EncodeGateEvent(r));
        },
        nullptr);
  };
  return options;
}

bool Daemon::Impl::LoadCatalog() {
  const std::string path = holder.Current()->ordering.catalog_file;
  if (path.empty()) return true;
  auto loaded = ordering::Catalog::LoadFile(path);
  if (!loaded.ok()) {
    core::LogError("catalog not loaded; the previous catalog (if any) stays in force",
                   {{"file", path}, {"error", loaded.status().message()}});
    return false;
  }
  catalog.Set(*loaded);
  core::LogInfo("catalog loaded", {{"file", path}, {"items", std::to_string((*loaded)->size())}});
  return true;
}

bool Daemon::Impl::StartPayments() {
  const std::shared_ptr<const config::Config> config_snapshot = holder.Current();
  const config::PaymentsConfig& pc = config_snapshot->payments;
  switch (pc.credentials) {
    case config::CredentialsSource::kFile:
      credentials = payments::MakeFileProvider(pc.credentials_file, pc.credentials_profile);
      break;
    case config::CredentialsSource::kEnvironment:
      credentials = payments::MakeEnvironmentProvider();
      break;
    case config::CredentialsSource::kImds:
      credentials = payments::MakeImdsProvider(pc.imds_endpoint, clock);
      break;
  }
  payments::PaymentEndpoint endpoint;
  endpoint.base_url = pc.endpoint;
  endpoint.ca_file = pc.ca_file;
  endpoint.max_connections = pc.max_connections;
  endpoint.request_timeout_ms = pc.request_timeout_ms;
  if (core::Status valid = payments::ValidateEndpoint(endpoint); !valid.ok()) {
    core::LogError("payments.endpoint is not usable", {{"error", valid.ToString()}});
    return false;
  }
  payment_client = std::make_unique<payments::PaymentClient>(io, endpoint);
  payments::DispatcherOptions options;
  options.schedule.max_in_flight = pc.max_connections * 2;
  options.schedule.retry_base_ms = pc.retry_base_ms;
  options.schedule.retry_cap_ms = pc.retry_cap_ms;
  options.schedule.pending_retry_ms = pc.pending_retry_ms;
  options.schedule.unknown_capture = pc.unknown_capture == config::UnknownCapture::kResend
                                         ? payments::UnknownCapturePolicy::kResend
                                         : payments::UnknownCapturePolicy::kHold;
  options.unknown_capture_alert = pc.unknown_capture_alert;
  // A routine stop waits for calls on the wire, up to one request timeout (and 30 s at most).
  options.stop_drain_ms = std::min<int64_t>(pc.request_timeout_ms, 30'000);
  options.preauth_expiry_ms = int64_t{pc.preauth_expiry_seconds} * 1000;
  options.preauth_alert_ms = int64_t{pc.preauth_alert_seconds} * 1000;
  // Check often enough that an expiry is acted on within a small fraction of its horizon.
  options.expiry_check_ms = std::min<int64_t>(30'000, options.preauth_expiry_ms / 20);
  options.region = pc.region.empty() ? payments::RegionFromHost(payment_client->host()) : pc.region;
  if (options.region.empty()) {
    core::LogError("payments.region is required: the endpoint's host does not name a region",
                   {{"endpoint", pc.endpoint}});
    return false;
  }
  // The dispatcher needs the store and the writer: it is created now and started once the
  // store is open.
  dispatcher_factory = [this, options] {
    dispatcher = std::make_unique<payments::Dispatcher>(
        *env, *writer, *payment_client, *credentials, [this] { return PaymentPolicy(); }, options,
        clock);
  };
  core::LogInfo("payments configured", {{"endpoint", pc.endpoint}, {"region", options.region}});
  return true;
}

bool Daemon::Impl::StartMail() {
  const std::shared_ptr<const config::Config> config_snapshot = holder.Current();
  const config::Config& cfg = *config_snapshot;
  const config::MailConfig& mc = cfg.mail;
  mail::MailDispatcherOptions o;
  o.smtp.url = mc.smtp_url;
  o.smtp.require_tls = mc.require_tls;
  o.smtp.ca_file = mc.ca_file;
  o.smtp.username = mc.username;
  o.smtp.timeout_ms = static_cast<int>(mc.timeout_ms);
  if (!mc.password_file.empty()) {
    std::ifstream in(mc.password_file);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
      core::LogError("mail.password_file cannot be read", {{"file", mc.password_file}});
      return false;
    }
    o.smtp.password = text.str();
    while (!o.smtp.password.empty() &&
           (o.smtp.password.back() == '\n' || o.smtp.password.back() == '\r')) {
      o.smtp.password.pop_back();
    }
  }
  o.from = mc.from;
  o.from_name = mc.from_name;
  o.message_id_domain = cfg.store_id + ".jwo-edge";
  o.receipt.store_name = mc.store_name;
  o.receipt.support_line = mc.support_line;
  o.give_up_after_ms = int64_t{mc.give_up_hours} * 3'600'000;
  mail_options = std::move(o);  // the portal mails its sign-in codes through the same relay
  // Started once the store is open (it may open later, after a retry).
  mail_factory = [this] {
    const mail::MailDispatcherOptions& o = mail_options;
    mail = std::make_unique<mail::MailDispatcher>(*env, o, clock);
    mail->Start();
    mail_ptr = mail.get();
    core::LogInfo("receipt mail started", {{"relay", o.smtp.url}, {"from", o.from}});
  };
  return true;
}

}  // namespace jwo::admin
