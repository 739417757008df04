// The shoppers' portal and the housekeeping (retention) of the daemon (docs/portal.md).
#include "admin/daemon_impl.h"
#include "core/file_read.h"
#include "core/log.h"

namespace jwo::admin {

bool Daemon::Impl::StartPortal() {
  const std::shared_ptr<const config::Config> config_snapshot = holder.Current();
  const config::Config& cfg = *config_snapshot;
  std::string staff_password;
  if (cfg.portal.enabled && !cfg.portal.staff_password_file.empty()) {
    auto text = core::ReadFileBounded(cfg.portal.staff_password_file, 4096);
    if (!text.ok()) {
      core::LogError(
          "portal.staff_password_file cannot be read",
          {{"file", cfg.portal.staff_password_file}, {"error", text.status().ToString()}});
      return false;
    }
    staff_password = std::move(*text);
    while (!staff_password.empty() &&
           (staff_password.back() == '\n' || staff_password.back() == '\r')) {
      staff_password.pop_back();
    }
    if (staff_password.size() < 12) {
      core::LogError(
          "portal.staff_password_file: the staff password must be at least 12 characters",
          {{"file", cfg.portal.staff_password_file}});
      return false;
    }
  }
  // Started once the store is open (it may open later, after a retry).
  portal_factory = [this, staff_password = std::move(staff_password), config_snapshot] {
    const config::Config& c = *config_snapshot;
    if (c.portal.enabled) {
      processor = std::make_unique<portal::SandboxProcessor>(*env);
      portal::PortalService::Deps d;
      d.env = env.get();
      d.clock = &clock;
      d.config = c.portal;
      d.store_id = c.store_id;
      d.store_name = c.mail.store_name;
      d.refund_window_days = c.payments.refund_window_days;
      // The chain's portal instance has no payments: refunds go to each trip's store.
      if (c.payments.enabled) d.payment_policy = [this] { return PaymentPolicy(); };
      d.outbox_changed = [this] {
        if (auto* p = dispatcher_ptr.load()) p->Wake();
      };
      d.mail_changed = [this] {
        if (auto* m = mail_ptr.load()) m->Wake();
      };
      d.send_mail = [smtp = mail_options.smtp](const mail::Message& m) {
        return mail::Send(smtp, m);
      };
      d.mail_from = mail_options.from;
      d.mail_from_name = mail_options.from_name;
      d.staff_password = staff_password;
      // The staff view runs read-only commands only (portal_staff.cc); the control API's reads
      // open their own read transactions and touch no shared state.
      d.control = [this](std::string_view line) {
        return control_api.Handle(line, "portal-staff");
      };
      d.processor = processor.get();
      d.chain_serve = c.ledger.enabled && c.ledger.portal == config::LedgerPortal::kServe;
      d.chain_changed = [this] {
        if (auto* p = chain_portal_ptr.load()) p->Wake();
      };
      portal = std::make_unique<portal::PortalService>(std::move(d));
      if (core::Status s = portal->Start(); !s.ok()) {
        core::LogError("the portal cannot start; its pages answer 503", {{"error", s.ToString()}});
        portal.reset();
      } else {
        portal_ptr = portal.get();
        core::LogInfo("portal started", {{"processor", std::string(processor->Name())},
                                         {"staff_view", staff_password.empty() ? "off" : "on"}});
      }
    }
    housekeeper = std::make_unique<portal::Housekeeper>(*env, clock, c.retention.shopper_email_days,
                                                        portal.get());
    housekeeper->Start();
  };
  return true;
}

}  // namespace jwo::admin
