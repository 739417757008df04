#include "portal/portal_service.h"

#include <algorithm>
#include <set>

#include "core/email_address.h"
#include "core/log.h"
#include "core/time_format.h"
#include "mail/receipt.h"
#include "portal/portal_visit.h"
#include "store/shopper_index.h"

namespace jwo::portal {
namespace {

using core::Status;
constexpr size_t kMaxQueued = 256;
constexpr size_t kMaxQueuedCodes = 1000;  // sign-in mails waiting for the relay
// Code requests from one peer address (any e-mail address, on file or not) per window: keeps one
// client from mailing codes to every address it can guess. Behind a reverse proxy all shoppers
// share one address, hence a generous number.
constexpr size_t kCodesPerPeer = 30;
constexpr int64_t kCodesPerPeerWindowMs = 600'000;
constexpr int64_t kTouchEveryMs = 60'000;  // a session's idle clock is rewritten at most this often

bool IsHex(std::string_view s, size_t n) {
  return s.size() == n && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::string ClockTime(int64_t ms) { return core::FormatUtc(ms, "%H:%M UTC"); }

}  // namespace

PortalService::PortalService(Deps deps)
    : deps_(std::move(deps)),
      payoffs_(PayoffService::Deps{deps_.env, deps_.processor, deps_.clock, deps_.payment_policy,
                                   deps_.outbox_changed, deps_.store_id}) {
  if (deps_.store_name.empty()) deps_.store_name = deps_.store_id;
}

PortalService::~PortalService() { Stop(); }

Status PortalService::Start() {
  Status s = deps_.env->Write([&](store::WriteTxn& txn) {
    auto secret = LoadOrCreateSecret(txn);
    if (!secret.ok()) return secret.status();
    secret_ = std::move(*secret);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  std::lock_guard lock(mutex_);
  stopping_ = false;
  for (size_t i = 0; i < std::max<size_t>(1, deps_.threads); ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
  workers_.emplace_back([this] { MailLoop(); });
  return Status::Ok();
}

void PortalService::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_all();
    mail_wake_.notify_all();
  }
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();
  // Requests still queued are answered, not dropped: the client learns to try again.
  std::deque<std::pair<http::Request, http::Respond>> left;
  {
    std::lock_guard lock(mutex_);
    left.swap(queue_);
  }
  for (auto& [req, respond] : left) {
    respond(web::Html(503, "<p>The portal is restarting. Please try again in a minute.</p>"));
  }
}

void PortalService::Handle(http::Request&& request, http::Respond respond) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && queue_.size() < kMaxQueued) {
      queue_.emplace_back(std::move(request), std::move(respond));
      wake_.notify_one();
      return;
    }
  }
  http::Response busy = web::Html(503, "<p>The portal is busy. Please try again in a minute.</p>");
  busy.headers.emplace_back("Retry-After", "30");
  respond(std::move(busy));
}

void PortalService::WorkerLoop() {
  for (;;) {
    std::pair<http::Request, http::Respond> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job.second(Serve(job.first));
  }
}

// Sign-in codes are mailed here, after the page was answered: how long the relay takes must not
// tell a visitor whether the address is on file. A code that cannot be sent is not retried (it
// expires in minutes; the shopper asks again).
void PortalService::MailLoop() {
  for (;;) {
    mail::Message m;
    {
      std::unique_lock lock(mutex_);
      mail_wake_.wait(lock, [&] { return stopping_ || !mail_queue_.empty(); });
      if (stopping_) return;
      m = std::move(mail_queue_.front());
      mail_queue_.pop_front();
    }
    const mail::SendOutcome out = deps_.send_mail(m);
    std::lock_guard lock(mutex_);
    if (out.result == mail::SendResult::kSent) {
      ++stats_.codes_sent;
    } else {
      ++stats_.codes_failed;
      core::LogWarning("portal: a sign-in code was not mailed", {{"error", out.detail}});
    }
  }
}

PortalService::Stats PortalService::GetStats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

bool PortalService::PeerMayAskForCode(const std::string& peer, int64_t now) {
  std::lock_guard lock(mutex_);
  if (code_requests_.size() > 10'000) code_requests_.clear();  // bounded; a reset only forgives
  std::deque<int64_t>& times = code_requests_[peer];
  while (!times.empty() && times.front() <= now - kCodesPerPeerWindowMs) times.pop_front();
  if (times.size() >= kCodesPerPeer) return false;
  times.push_back(now);
  return true;
}

std::string PortalService::Csrf(std::string_view pre) const {
  return HmacHex(secret_, "csrf/" + std::string(pre));
}

bool PortalService::TripVisible(const Visit& v, std::string_view trip_id) const {
  if (!v.session) return false;
  if (v.session->kind == SessionKind::kReceipt) return v.session->trip_id == trip_id;
  return std::any_of(v.trips.begin(), v.trips.end(),
                     [&](const store::IndexedTrip& t) { return t.trip_id == trip_id; });
}

http::Response PortalService::Serve(const http::Request& request) {
  if (request.path == "/portal.css") {
    http::Response css{200, std::string(web::Stylesheet()), "text/css; charset=utf-8", {}};
    css.headers.emplace_back("Cache-Control", "public, max-age=3600");
    return css;
  }
  Visit v(request);
  v.now = deps_.clock->NowUnixMs();
  v.peer = web::PeerAddress(request.peer);
  v.query = web::ParseQuery(request.target);
  v.frame.store_name = deps_.store_name;
  const bool post = request.method == "POST";
  v.pre = web::Cookie(request, "jwo_pre");
  const bool had_pre = IsHex(v.pre, 32);
  if (!had_pre) {
    v.pre = RandomHex(16);
    v.set_cookies.emplace_back(
        "Set-Cookie", web::SetCookie("jwo_pre", v.pre, deps_.config.secure_cookies, "Lax"));
  }
  v.csrf = Csrf(v.pre);

  const std::string sid = web::Cookie(request, "jwo_session");
  const int64_t idle_ms = int64_t{deps_.config.session_minutes} * 60'000;
  // Read first: most requests change nothing, and a write transaction would queue behind the
  // store's writers. The idle clock is rewritten at most once a minute.
  enum class Then { kNothing, kForget, kTouch } then = Then::kNothing;
  Status s = deps_.env->Read([&](const store::ReadTxn& txn) {
    v.session.reset();
    v.trips.clear();
    then = Then::kNothing;
    if (!IsHex(sid, 64)) return Status::Ok();
    auto session = ReadSession(txn, sid);
    if (!session.ok()) return session.status();
    if (!session->has_value()) return Status::Ok();
    if ((*session)->last_ms < v.now - idle_ms) {
      then = Then::kForget;
      return Status::Ok();
    }
    v.session = std::move(*session);
    v.session_id = sid;
    if (v.session->kind == SessionKind::kShopper) {
      auto trips = store::TripsForEmailHash(txn, v.session->email_hash);
      if (!trips.ok()) return trips.status();
      v.trips = std::move(*trips);
    }
    if (v.session->last_ms < v.now - kTouchEveryMs) then = Then::kTouch;
    return Status::Ok();
  });
  if (s.ok() && then != Then::kNothing) {
    s = deps_.env->Write([&](store::WriteTxn& txn) {
      if (then == Then::kForget) return DeleteSession(txn, sid);
      SessionRecord touched = *v.session;
      touched.last_ms = v.now;
      return WriteSession(txn, sid, touched);
    });
  }
  if (!s.ok()) {
    core::LogError("portal: the store failed", {{"error", s.ToString()}});
    return web::Html(503, web::Page(v.frame, "Please try again",
                                    "<p>Something went wrong on our side. Nothing was changed. "
                                    "Please try again in a minute.</p>"));
  }
  if (!sid.empty() && !v.session) {  // expired or unknown: forget it in the browser too
    v.set_cookies.emplace_back(
        "Set-Cookie", web::SetCookie("jwo_session", "", deps_.config.secure_cookies, "Strict", 0));
  }
  std::set<std::string> ids;
  for (const store::IndexedTrip& t : v.trips) ids.insert(t.shopper_id);
  v.shopper_ids.assign(ids.begin(), ids.end());
  if (v.session) v.frame.csrf_for_signout = v.csrf;

  http::Response r;
  if (post) {
    auto form = web::ParseForm(request.body);
    if (!form.ok()) {
      r = web::Html(400, web::Page(v.frame, "Something is wrong with that form",
                                   "<p class=\"error\" role=\"alert\">The form could not be read. "
                                   "Nothing was changed.</p><p><a href=\"/\">Start again</a></p>"));
    } else {
      v.form = std::move(*form);
      // CSRF: the token must be the one made for this browser's cookie. A POST from another
      // site has neither (the cookie is SameSite and the token unknown to the other site).
      if (!had_pre || !ConstantTimeEquals(web::Field(v.form, "csrf"), v.csrf)) {
        r = web::Html(403, web::Page(v.frame, "This form has expired",
                                     "<p class=\"error\" role=\"alert\">The form was not sent from "
                                     "this page, or it expired. Nothing was changed.</p><p><a "
                                     "href=\"/\">Reload the portal</a> and try again.</p>"));
      } else {
        r = Route(v);
      }
    }
  } else {
    r = Route(v);
  }
  for (auto& c : v.set_cookies) r.headers.push_back(std::move(c));
  return r;
}

http::Response PortalService::Route(Visit& v) {
  const std::string& path = v.request.path;
  const bool post = v.request.method == "POST";
  if (path == "/staff") return Staff(v);
  if (!post && path == "/") {
    if (v.session) return web::Redirect("/account");
    return SignInPage(v, 200, {});
  }
  if (post && path == "/signin/code") return RequestCode(v);
  if (post && path == "/signin/verify") return VerifyCode(v);
  if (post && path == "/signin/receipt") return ReceiptSignIn(v);
  if (!v.session) return web::Redirect("/");  // everything below needs a session
  if (post && path == "/signout") return SignOut(v);
  if (!post && path == "/account") return Account(v);
  if (!post && path == "/receipt") return ReceiptPage(v, web::Field(v.query, "trip"));
  if (post && path == "/receipt/resend") return Resend(v);
  if (post && path == "/refund") return Refund(v);
  if (post && path == "/payoff") return StartPayoff(v);
  if (post && path == "/payoff/confirm") return ConfirmPayoff(v);
  if (!post && path == "/payoff") return PayoffPage(v);
  return web::Html(404, web::Page(v.frame, "Not found", "<p><a href=\"/\">Start page</a></p>"));
}

int64_t PortalService::LockedUntil(std::string_view subject) {
  int64_t until = 0;
  (void)deps_.env->Read([&](const store::ReadTxn& txn) {
    auto f = ReadFailures(txn, subject);
    if (f.ok()) until = f->locked_until_ms;
    return Status::Ok();
  });
  return until > deps_.clock->NowUnixMs() ? until : 0;
}

void PortalService::RecordFailure(std::initializer_list<std::string> subjects) {
  const int64_t now = deps_.clock->NowUnixMs();
  const int64_t window = int64_t{deps_.config.lockout_minutes} * 60'000;
  bool locked = false;
  Status s = deps_.env->Write([&](store::WriteTxn& txn) {
    locked = false;
    for (const std::string& subject : subjects) {
      auto f = AddFailure(txn, subject, deps_.config.lockout_failures, window, now);
      if (!f.ok()) return f.status();
      if (f->locked_until_ms > now) locked = true;
    }
    return Status::Ok();
  });
  if (!s.ok())
    core::LogError("portal: a failed sign-in was not recorded", {{"error", s.ToString()}});
  std::lock_guard lock(mutex_);
  ++stats_.sign_in_failures;
  if (locked) ++stats_.lockouts;
}

http::Response PortalService::SignInPage(Visit& v, int status, std::string_view error) {
  std::string h;
  if (!error.empty()) h += "<p class=\"error\" role=\"alert\">" + web::Escape(error) + "</p>";
  h += "<p>See your receipts, ask for a refund, or pay an open balance to shop here again.</p>"
       "<h2>Sign in with your e-mail</h2><form method=\"post\" action=\"/signin/code\">"
       "<input type=\"hidden\" name=\"csrf\" value=\"" +
       v.csrf +
       "\">"
       "<label for=\"email\">E-mail address</label>"
       "<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" required "
       "aria-describedby=\"email-hint\">"
       "<p class=\"hint\" id=\"email-hint\">The address your receipts go to. We e-mail you a "
       "one-time code.</p><button type=\"submit\">Send me a code</button></form>"
       "<h2>Or find one receipt</h2><form method=\"post\" action=\"/signin/receipt\">"
       "<input type=\"hidden\" name=\"csrf\" value=\"" +
       v.csrf +
       "\">"
       "<label for=\"date\">Date of the visit</label>"
       "<input id=\"date\" name=\"date\" type=\"date\" required>"
       "<label for=\"last4\">Last four digits of the card</label>"
       "<input id=\"last4\" name=\"last4\" inputmode=\"numeric\" pattern=\"[0-9]{4}\" "
       "maxlength=\"4\" required>"
       "<label for=\"amount\">Amount charged</label>"
       "<input id=\"amount\" name=\"amount\" inputmode=\"decimal\" placeholder=\"12.34\" required>"
       "<button type=\"submit\" class=\"secondary\">Find the receipt</button></form>";
  return web::Html(status, web::Page(v.frame, "Your visits", h));
}

http::Response PortalService::RequestCode(Visit& v) {
  const std::string email = Trim(web::Field(v.form, "email"));
  if (!core::IsValidEmailAddress(email)) {
    return SignInPage(v, 400, "Enter an e-mail address like name@example.com.");
  }
  const std::string hash = store::EmailHash(email);
  for (const std::string& subject : {"a/" + hash, "p/" + v.peer}) {
    if (const int64_t until = LockedUntil(subject)) {
      return SignInPage(v, 429,
                        "Too many attempts. Please try again after " + ClockTime(until) + ".");
    }
  }
  if (!PeerMayAskForCode(v.peer, v.now)) {
    return SignInPage(
        v, 429, "Too many codes were asked for from here. Please try again in a few minutes.");
  }
  std::string code;
  Status s = deps_.env->Write([&](store::WriteTxn& txn) {
    code.clear();
    auto trips = store::TripsForEmailHash(txn, hash);
    if (!trips.ok()) return trips.status();
    if (trips->empty()) return Status::Ok();  // the same page: who is on file is not told
    auto existing = ReadCode(txn, hash);
    if (!existing.ok()) return existing.status();
    CodeRecord c = existing->value_or(CodeRecord{});
    std::erase_if(c.sent_ms, [&](int64_t t) { return t <= v.now - 3'600'000; });
    if (c.sent_ms.size() >= deps_.config.codes_per_hour) return Status::Ok();
    code = RandomDigits(6);
    c.code_mac = HmacHex(secret_, "code/" + hash + "/" + code);
    c.expires_ms = v.now + int64_t{deps_.config.code_ttl_seconds} * 1000;
    c.wrong = 0;
    c.sent_ms.push_back(v.now);
    return WriteCode(txn, hash, c);
  });
  if (!s.ok()) return SignInPage(v, 503, "Something went wrong on our side. Please try again.");
  if (!code.empty()) {
    mail::Message m;
    m.from = deps_.mail_from;
    m.from_name = deps_.mail_from_name;
    m.to = email;
    m.subject = "Your sign-in code for " + deps_.store_name + ": " + code;
    const std::string minutes = std::to_string(deps_.config.code_ttl_seconds / 60);
    m.text = "Your code is " + code + "\n\nIt works once, for " + minutes +
             " minutes. If you did not ask for it, ignore this e-mail.\n" +
             (deps_.config.public_url.empty() ? "" : "\n" + deps_.config.public_url + "\n");
    m.html = "<p>Your code is <strong>" + code + "</strong></p><p>It works once, for " + minutes +
             " minutes. If you did not ask for it, ignore this e-mail.</p>";
    m.message_id = "code." + RandomHex(8) + "@jwo-edge.invalid";
    m.date_unix_ms = v.now;
    std::lock_guard lock(mutex_);
    if (mail_queue_.size() >= kMaxQueuedCodes) {
      ++stats_.codes_failed;  // the relay is far behind; the shopper asks again later
    } else {
      mail_queue_.push_back(std::move(m));
      mail_wake_.notify_one();
    }
  }
  std::string h = "<p class=\"notice\" role=\"status\">If <strong>" + web::Escape(email) +
                  "</strong> is on file here, a six-digit code is on its way. It works for " +
                  std::to_string(deps_.config.code_ttl_seconds / 60) + " minutes.</p>";
  h += "<form method=\"post\" action=\"/signin/verify\">"
       "<input type=\"hidden\" name=\"csrf\" value=\"" +
       v.csrf +
       "\">"
       "<input type=\"hidden\" name=\"email\" value=\"" +
       web::Escape(email) +
       "\">"
       "<label for=\"code\">Code from the e-mail</label>"
       "<input id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" "
       "pattern=\"[0-9]{6}\" maxlength=\"6\" required>"
       "<button type=\"submit\">Sign in</button></form>"
       "<p class=\"hint\">No e-mail? Check the spam folder, or <a href=\"/\">ask again</a> (at "
       "most " +
       std::to_string(deps_.config.codes_per_hour) + " codes an hour).</p>";
  return web::Html(200, web::Page(v.frame, "Check your e-mail", h));
}

http::Response PortalService::VerifyCode(Visit& v) {
  const std::string email = Trim(web::Field(v.form, "email"));
  const std::string code = Trim(web::Field(v.form, "code"));
  const std::string hash = store::EmailHash(email);
  for (const std::string& subject : {"a/" + hash, "p/" + v.peer}) {
    if (const int64_t until = LockedUntil(subject)) {
      return SignInPage(v, 429,
                        "Too many attempts. Please try again after " + ClockTime(until) + ".");
    }
  }
  bool ok = false;
  Status s = deps_.env->Write([&](store::WriteTxn& txn) {
    ok = false;
    auto c = ReadCode(txn, hash);
    if (!c.ok()) return c.status();
    if (!c->has_value() || (*c)->code_mac.empty()) return Status::Ok();
    CodeRecord rec = **c;
    const bool live = rec.expires_ms >= v.now && rec.wrong < deps_.config.code_attempts;
    if (live && ConstantTimeEquals(rec.code_mac, HmacHex(secret_, "code/" + hash + "/" + code))) {
      ok = true;
      rec.code_mac.clear();  // used: it works once (the send times stay for the hourly limit)
      if (Status w = WriteCode(txn, hash, rec); !w.ok()) return w;
      if (Status f = ClearFailures(txn, "a/" + hash); !f.ok()) return f;
      SessionRecord session{SessionKind::kShopper, hash, "", v.now, v.now};
      v.session_id = RandomHex(32);
      return WriteSession(txn, v.session_id, session);
    }
    if (++rec.wrong >= deps_.config.code_attempts) rec.code_mac.clear();  // void after N tries
    return WriteCode(txn, hash, rec);
  });
  if (!s.ok()) return SignInPage(v, 503, "Something went wrong on our side. Please try again.");
  if (!ok) {
    RecordFailure({"a/" + hash, "p/" + v.peer});
    return SignInPage(v, 400,
                      "That code is not right, was used already, or has expired. Ask for a new "
                      "one below.");
  }
  {
    std::lock_guard lock(mutex_);
    ++stats_.sign_ins;
  }
  http::Response r = web::Redirect("/account");
  r.headers.emplace_back("Set-Cookie", web::SetCookie("jwo_session", v.session_id,
                                                      deps_.config.secure_cookies, "Strict"));
  return r;
}

http::Response PortalService::ReceiptSignIn(Visit& v) {
  const std::string date = Trim(web::Field(v.form, "date"));
  const std::string last4 = Trim(web::Field(v.form, "last4"));
  const std::string amount = Trim(web::Field(v.form, "amount"));
  if (const int64_t until = LockedUntil("p/" + v.peer)) {
    return SignInPage(v, 429,
                      "Too many attempts. Please try again after " + ClockTime(until) + ".");
  }
  const bool date_ok = date.size() == 10 && date[4] == '-' && date[7] == '-' &&
                       date.find_first_not_of("0123456789-") == std::string::npos;
  const bool last4_ok =
      last4.size() == 4 && last4.find_first_not_of("0123456789") == std::string::npos;
  if (!date_ok || !last4_ok || amount.empty()) {
    return SignInPage(v, 400,
                      "Enter the date, the card's last four digits and the amount charged.");
  }
  std::string found;
  Status s = deps_.env->Write([&](store::WriteTxn& txn) {
    found.clear();
    auto trips = store::TripsOnDate(txn, date, 2000);
    if (!trips.ok()) return trips.status();
    for (const std::string& id : *trips) {
      auto bytes = txn.Get(store::Table::kTrips, id);
      if (!bytes.ok()) return bytes.status();
      if (!bytes->has_value()) continue;
      auto t = store::DecodeTrip(**bytes);
      if (!t.ok()) continue;  // one damaged trip does not stop the look-up
      auto cur = core::FindCurrency(t->currency);
      if (!cur) continue;
      auto minor = core::ParseMinorUnits(amount, *cur);
      if (minor.ok() && *minor == t->captured && mail::CardLastFour(*t) == last4) {
        found = t->trip_id;
        break;
      }
    }
    if (found.empty()) return Status::Ok();
    v.session_id = RandomHex(32);
    return WriteSession(txn, v.session_id,
                        SessionRecord{SessionKind::kReceipt, "", found, v.now, v.now});
  });
  if (!s.ok()) return SignInPage(v, 503, "Something went wrong on our side. Please try again.");
  if (found.empty()) {
    RecordFailure({"p/" + v.peer});
    return SignInPage(v, 400,
                      "No receipt matches that date, card and amount. Check them against your "
                      "bank statement (dates are in UTC).");
  }
  http::Response r = web::Redirect("/receipt?trip=" + found);
  r.headers.emplace_back("Set-Cookie", web::SetCookie("jwo_session", v.session_id,
                                                      deps_.config.secure_cookies, "Strict"));
  return r;
}

http::Response PortalService::SignOut(Visit& v) {
  (void)deps_.env->Write([&](store::WriteTxn& txn) { return DeleteSession(txn, v.session_id); });
  http::Response r = web::Redirect("/");
  r.headers.emplace_back(
      "Set-Cookie", web::SetCookie("jwo_session", "", deps_.config.secure_cookies, "Strict", 0));
  return r;
}

core::Result<size_t> PortalService::Housekeep(bool startup) {
  size_t n = 0;
  const int64_t now = deps_.clock->NowUnixMs();
  Status s = deps_.env->Write([&](store::WriteTxn& txn) {
    auto swept = SweepExpired(txn, int64_t{deps_.config.session_minutes} * 60'000,
                              int64_t{deps_.config.lockout_minutes} * 60'000, now);
    if (!swept.ok()) return swept.status();
    n = *swept;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  auto recovered = payoffs_.Recover(startup ? 0 : 60'000);
  if (!recovered.ok()) return recovered.status();
  return n + *recovered;
}

void PortalService::Register(http::Router& router, std::function<PortalService*()> current) {
  auto handler = [current](http::Request&& req, http::Respond respond) {
    PortalService* p = current();
    if (p == nullptr) {
      http::Response r = web::Html(503, "<p>The portal is starting. Please try again shortly.</p>");
      r.headers.emplace_back("Retry-After", "5");
      respond(std::move(r));
      return;
    }
    p->Handle(std::move(req), std::move(respond));
  };
  for (const char* path : {"/", "/account", "/receipt", "/payoff", "/staff", "/portal.css"}) {
    router.Add("GET", path, handler);
  }
  for (const char* path : {"/signin/code", "/signin/verify", "/signin/receipt", "/signout",
                           "/receipt/resend", "/refund", "/payoff", "/payoff/confirm"}) {
    router.Add("POST", path, handler);
  }
}

}  // namespace jwo::portal
