// A portal on a real LMDB store with a fake clock, a captured mail sender and the sandbox
// processor, served request by request (PortalService::Serve) like the workers do.
#pragma once

#include <catch2/catch_test_macros.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "ledger/ledger.h"
#include "portal/portal_service.h"
#include "portal/sandbox_processor.h"
#include "store/shopper_index.h"
#include "tests/support/temp_dir.h"

namespace jwo::portal::testing {

// A fresh LMDB store in `dir` (its "store" subdirectory).
inline std::unique_ptr<store::Env> OpenStore(const jwo::testing::TempDir& dir) {
  store::EnvOptions o;
  o.directory = dir.File("store");
  auto e = store::Env::Open(o);
  REQUIRE(e.ok());
  return std::move(*e);
}

// One captured trip of `shopper` with an address, its receipt data (card ending 4242), started
// 2026-01-01 10:00 UTC; `debt` > 0 also books that much open debt of the trip.
inline store::TripRecord CapturedTrip(const std::string& trip, const std::string& shopper,
                                      const std::string& email, int64_t total) {
  store::TripRecord t;
  t.trip_id = trip;
  t.store_id = "store-1";
  t.shopper_id = shopper;
  t.currency = "USD";
  t.state = store::TripState::kCaptured;
  t.subtotal = t.total = t.captured = total;
  t.start_ms = t.created_ms = 1'767'261'600'000;  // 2026-01-01T10:00:00Z
  t.end_ms = t.start_ms + 300'000;
  store::PricedLineRecord l;
  l.name = "Chips";
  l.quantity = "1";
  l.gross = l.total = total;
  t.priced = {l};
  t.transactional_data = R"({"brand":"VISA","tail":"4242"})";
  t.have_transactional_data = t.have_shopper_identity = t.receipt_complete = true;
  t.shopper_email = email;
  return t;
}

struct Page {
  int status = 0;
  std::string body;
  std::string location;
};

class Rig {
  // First, so they outlive the portal's threads that use them.
  jwo::testing::TempDir dir_;
  std::mutex mutex_;
  std::vector<mail::Message> mails_;
  std::string csrf_;

 public:
  explicit Rig(config::PortalConfig cfg = {}) {
    env = OpenStore(dir_);
    processor = std::make_unique<SandboxProcessor>(*env);
    cfg.enabled = true;
    cfg.secure_cookies = true;
    PortalService::Deps d;
    d.env = env.get();
    d.clock = &clock;
    d.config = cfg;
    d.store_id = "store-1";
    d.send_mail = [this](const mail::Message& m) {
      std::lock_guard lock(mutex_);
      mails_.push_back(m);
      return mail::SendOutcome{mail::SendResult::kSent, 250, "ok"};
    };
    d.mail_from = "portal@store.example";
    d.payment_policy = [] { return payments::LifecyclePolicy{"store-1", false, true, false}; };
    d.staff_password = "correct-horse-battery";
    d.control = [](std::string_view) { return std::string(R"({"ok":true,"result":{}})"); };
    d.processor = processor.get();
    portal = std::make_unique<PortalService>(std::move(d));
    REQUIRE(portal->Start().ok());
  }

  void AddTrip(const store::TripRecord& t, int64_t debt = 0) {
    REQUIRE(env->Write([&](store::WriteTxn& txn) {
                 if (auto s = txn.Put(store::Table::kTrips, t.trip_id, store::EncodeTrip(t));
                     !s.ok())
                   return s;
                 if (debt > 0) {
                   store::DebtRecord d;
                   d.shopper_id = t.shopper_id;
                   d.trip_id = t.trip_id;
                   d.kind = store::DebtKind::kTrip;
                   d.cause = store::DebtCause::kDeclinedAdjust;
                   d.amount = {debt, *core::FindCurrency("USD")};
                   d.origin_store = "store-1";
                   d.created_ms = t.created_ms;
                   if (auto s = ledger::AddDebt(txn, d, t.created_ms); !s.ok()) return s;
                 }
                 return store::IndexTrip(txn, t);
               })
                .ok());
  }

  // One request as a browser with this rig's cookies; the CSRF token of the last page is added
  // to a POST unless `csrf` is false.
  Page Request(const std::string& method, const std::string& target, std::string body = {},
               bool csrf = true, const std::string& peer = "198.51.100.7:50000") {
    http::Request r;
    r.method = method;
    r.target = target;
    r.path = target.substr(0, target.find('?'));
    r.peer = peer;
    if (method == "POST" && csrf) body = "csrf=" + csrf_ + (body.empty() ? "" : "&" + body);
    r.body = body;
    std::string cookies;
    for (const auto& [k, v] : jar) cookies += (cookies.empty() ? "" : "; ") + k + "=" + v;
    if (!cookies.empty()) r.headers.emplace_back("Cookie", cookies);
    for (const auto& [k, v] : extra_headers) r.headers.emplace_back(k, v);
    http::Response resp = portal->Serve(r);
    Page p{resp.status, resp.body, {}};
    for (const auto& [k, v] : resp.headers) {
      if (k == "Location") p.location = v;
      if (k == "Set-Cookie") {
        const size_t eq = v.find('='), semi = v.find(';');
        const std::string value = v.substr(eq + 1, semi - eq - 1);
        if (value.empty()) {
          jar.erase(v.substr(0, eq));
        } else {
          jar[v.substr(0, eq)] = value;
        }
        set_cookies.push_back(v);
      }
    }
    std::smatch m;
    if (std::regex_search(p.body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]{64})\"")))
      csrf_ = m[1].str();
    return p;
  }

  // The code of the newest mail.
  std::string LastCode() {
    std::lock_guard lock(mutex_);
    if (mails_.empty()) return {};
    std::smatch m;
    const std::string subject = mails_.back().subject;
    return std::regex_search(subject, m, std::regex(": ([0-9]{6})$")) ? m[1].str() : "";
  }
  size_t MailCount() {
    std::lock_guard lock(mutex_);
    return mails_.size();
  }
  // Waits for the mail thread (codes are mailed after the page is answered).
  bool WaitForMails(size_t n) {
    for (int i = 0; i < 500 && MailCount() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return MailCount() >= n;
  }

  // Asks for a code and signs in with it; true on the redirect to /account.
  bool SignIn(const std::string& email) {
    Request("GET", "/");
    const size_t before = MailCount();
    if (Request("POST", "/signin/code", "email=" + email).status != 200) return false;
    if (!WaitForMails(before + 1)) return false;
    Page p = Request("POST", "/signin/verify", "email=" + email + "&code=" + LastCode());
    return p.status == 303 && p.location == "/account";
  }

  core::FakeClock clock{1'767'261'600'000 + 86'400'000};  // a day after the trips
  std::unique_ptr<store::Env> env;
  std::unique_ptr<SandboxProcessor> processor;
  std::unique_ptr<PortalService> portal;
  std::map<std::string, std::string> jar;
  std::vector<std::pair<std::string, std::string>> extra_headers;
  std::vector<std::string> set_cookies;
};

}  // namespace jwo::portal::testing
