// The shoppers' self-service portal (docs/portal.md): server-rendered pages on a listener of
// its own (`apis: [portal]`), never on the listener Amazon calls.
//
//   GET  /                 sign in: by e-mail (a one-time code) or with a receipt's details
//   POST /signin/code      mails a code to the address, if it is on file (never says which)
//   POST /signin/verify    the code: a session cookie, or a wrong-code count toward lock-out
//   POST /signin/receipt   trip date + card last four + amount: a session for that one trip
//   GET  /account          balance with its per-trip breakdown, payoff, receipts and look-up
//   GET  /receipt?trip=T   a receipt, its refunds, the refund request and re-send forms
//   POST /receipt/resend   /refund   /payoff   /payoff/confirm   /signout
//   GET  /payoff?id=P      where a payoff is (confirmation: access restored)
//   GET  /staff            the read-only staff view, behind HTTP Basic authentication
//
// Every POST carries a CSRF token bound to the browser's `jwo_pre` cookie and keyed by the
// portal's secret; a POST without it changes nothing. Sessions live in LMDB (only the hash of
// the cookie), expire after `session_minutes` idle, and see only their own address's trips:
// every trip id and payoff id in a request is checked against the session.
//
// Requests are served on the portal's own worker threads (LMDB writes and the processor never
// run on the I/O threads that answer the gate). Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "http/message.h"
#include "http/router.h"
#include "mail/smtp_client.h"
#include "payments/lifecycle.h"
#include "portal/payoff.h"
#include "portal/processor.h"
#include "store/env.h"

namespace jwo::portal {

class PortalService {
 public:
  struct Deps {
    store::Env* env = nullptr;
    const core::Clock* clock = nullptr;
    config::PortalConfig config;
    std::string store_id;
    std::string store_name;  // page header; "" = store_id
    uint32_t refund_window_days = 30;
    std::function<payments::LifecyclePolicy()> payment_policy;
    std::function<void()> outbox_changed;  // wakes the payment dispatcher
    std::function<void()> mail_changed;    // wakes the mail dispatcher
    // Sends one message through the store's relay (mail::Send with the configured options).
    std::function<mail::SendOutcome(const mail::Message&)> send_mail;
    std::string mail_from, mail_from_name;
    std::string staff_password;  // "" = no staff view
    // A read-only command of the control API (a request line), for the staff view.
    std::function<std::string(std::string_view request_line)> control;
    PaymentProcessor* processor = nullptr;
    size_t threads = 2;
    // `ledger.portal: serve` (the chain's portal instance): refunds are requests sent to each
    // trip's store over the portal bucket (chain/chain_portal.h), not refunds queued here.
    bool chain_serve = false;
    std::function<void()> chain_changed;  // wakes the portal bucket's publisher
  };

  explicit PortalService(Deps deps);
  ~PortalService();  // Stop()
  PortalService(const PortalService&) = delete;
  PortalService& operator=(const PortalService&) = delete;

  // Loads (or creates) the portal's secret and starts the workers. Store errors.
  core::Status Start();
  void Stop();

  // Queues the request for a worker; answers 503 when more than 256 wait.
  void Handle(http::Request&& request, http::Respond respond);
  // Serves one request on the calling thread (the workers call it; tests may).
  http::Response Serve(const http::Request& request);

  // Housekeeping: expired codes, sessions and lock-outs deleted; payoffs left charging for a
  // minute looked up at the processor — at `startup` every charging payoff, since no charge of
  // this process can be in flight yet (one of a process that crashed mid-payoff is exactly
  // what recovery is for). Returns how many rows and payoffs were dealt with.
  core::Result<size_t> Housekeep(bool startup = false);

  // The portal's routes on `router`; `current` returns the running service, or null while the
  // store is not open (then the pages answer 503).
  static void Register(http::Router& router, std::function<PortalService*()> current);

  struct Stats {
    uint64_t codes_sent = 0, codes_failed = 0, sign_ins = 0, sign_in_failures = 0, lockouts = 0,
             refunds_requested = 0, payoffs_settled = 0, payoffs_declined = 0;
  };
  Stats GetStats() const;

 private:
  struct Visit;
  void WorkerLoop();
  void MailLoop();
  // Pages (portal_pages.cc / portal_shopper.cc / portal_staff.cc).
  http::Response Route(Visit& v);
  http::Response SignInPage(Visit& v, int status, std::string_view error);
  http::Response RequestCode(Visit& v);
  http::Response VerifyCode(Visit& v);
  http::Response ReceiptSignIn(Visit& v);
  http::Response SignOut(Visit& v);
  http::Response Account(Visit& v, int status = 200, std::string_view message = {},
                         bool error = false);
  http::Response ReceiptPage(Visit& v, std::string_view trip_id, int status = 200,
                             std::string_view message = {}, bool error = false);
  http::Response Resend(Visit& v);
  http::Response Refund(Visit& v);
  http::Response StartPayoff(Visit& v);
  http::Response ConfirmPayoff(Visit& v);
  http::Response PayoffPage(Visit& v);
  http::Response Staff(Visit& v);
  // Lock-out of an address hash or a peer: the time it ends, or 0 when not locked.
  int64_t LockedUntil(std::string_view subject);
  void RecordFailure(std::initializer_list<std::string> subjects);
  std::string Csrf(std::string_view pre) const;
  // The per-peer limit on code requests (in memory: a restart forgives).
  bool PeerMayAskForCode(const std::string& peer, int64_t now);
  bool TripVisible(const Visit& v, std::string_view trip_id) const;

  Deps deps_;
  PayoffService payoffs_;
  std::string secret_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;       // the workers: a request is queued
  std::condition_variable mail_wake_;  // the mail thread: a code is queued
  std::deque<std::pair<http::Request, http::Respond>> queue_;
  std::deque<mail::Message> mail_queue_;
  std::map<std::string, std::deque<int64_t>> code_requests_;  // guarded by mutex_
  bool stopping_ = false;
  Stats stats_;
  std::vector<std::thread> workers_;
};

}  // namespace jwo::portal
