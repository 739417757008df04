#include "tests/payments/sim/money_sim.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "core/log.h"
#include "ledger/ledger.h"
#include "ordering/catalog.h"
#include "ordering/purchase_handler.h"
#include "payments/expiry.h"
#include "payments/lifecycle.h"
#include "payments/operator_actions.h"
#include "payments/outbox_commits.h"
#include "payments/outbox_schedule.h"
#include "store/codec.h"
#include "store/env.h"
#include "tests/payments/sim/sim_service.h"

namespace jwo::sim {
namespace {

using payments::OutboundResult;
using payments::OutboxSchedule;
using payments::RetryReason;
using payments::TransportOutcome;
using store::Operation;
using store::TripState;
using Verdict = OutboxSchedule::Verdict;

struct Crash {};  // thrown at a commit point or a random moment: the daemon dies there
struct Broken {   // an invariant failed
  std::string what;
};

constexpr const char* kCatalog = R"(currency: USD
rounding: {mode: half_up, level: line}
taxes:
  rates:
    state: {name: State sales tax, percent: 6.25}
  categories:
    general: [state]
    grocery: exempt
promotions:
  - {id: COLA-2FOR, type: multi_buy, quantity: 2, price: 2.50, skus: [COLA], priority: 10}
items:
  - {sku: COLA, name: Cola, price: 1.49, tax_category: general}
  - {sku: CHIPS, name: Chips, price: 3.99, tax_category: general}
  - {sku: MILK, name: Milk, price: 4.29, tax_category: grocery}
)";

constexpr int64_t kStart = 1'790'000'000'000;  // 2026-09-21, any fixed instant
constexpr int64_t kTimeoutMs = 2000;
constexpr int64_t kPreauthExpiryMs = 2 * 3'600'000;
constexpr int64_t kExpiryCheckMs = 30'000;
constexpr int64_t kSettleWithinMs = 3 * 3'600'000;

// How rough the world is for one seed: each probability is drawn per seed, so some seeds are
// calm and some are storms.
struct Weather {
  double refused, partial, throttled, unavailable, error_no_effect, error_after_effect,
      drop_unapplied, lost_answer, late_answer, crash_before_commit, crash_after_commit,
      duplicate_delivery, refund_refused;
  int outages, random_crashes;
};

struct AmazonTrip {
  ordering::PurchaseRequest req;
  bool acked = false;
};

class World {
 public:
  explicit World(const SimOptions& o) : o_(o), rng_(o.seed), service_("USD") {
    const std::filesystem::path base =
        std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    dir_ = base / ("jwo-money-sim-" + std::to_string(::getpid()) + "-" + std::to_string(o.seed));
    std::filesystem::remove_all(dir_);
    store::EnvOptions eo;
    eo.directory = dir_.string();
    eo.map_size_bytes = 8 << 20;
    eo.sync = false;  // a process crash loses nothing either way; the sim never cuts power
    auto env = store::Env::Open(eo);
    if (!env.ok()) throw Broken{"cannot open the store: " + env.status().ToString()};
    env_ = std::move(*env);
    auto catalog = ordering::Catalog::LoadYaml(kCatalog, "sim-catalog.yaml");
    if (!catalog.ok()) throw Broken{"catalog: " + catalog.status().ToString()};
    catalog_ = *catalog;
    policy_.store_id = "sim-store";
    policy_.partial_capture = true;
    policy_.report_payment_status = Chance(0.5);
    schedule_options_.max_in_flight = 4;
    schedule_options_.retry_base_ms = 500;
    schedule_options_.retry_cap_ms = 60'000;
    schedule_options_.pending_retry_ms = 2000;
    schedule_options_.unknown_capture = o.resend_unknown_captures
                                            ? payments::UnknownCapturePolicy::kResend
                                            : payments::UnknownCapturePolicy::kHold;
  }

  ~World() {
    env_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  SimReport Run() {
    try {
      Setup();
      Loop();
      CheckAll(/*final=*/true);
    } catch (const Broken& b) {
      report_.ok = false;
      report_.failure = b.what + " (event " + std::to_string(report_.events) + ", t=+" +
                        std::to_string(now_ - kStart) + " ms)";
    }
    report_.simulated_ms = now_ - kStart;
    return report_;
  }

 private:
  // --- randomness and time ----------------------------------------------------------------

  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int64_t Between(int64_t a, int64_t b) {
    return std::uniform_int_distribution<int64_t>(a, b)(rng_);
  }
  double Upto(double p) { return std::uniform_real_distribution<double>(0, p)(rng_); }

  void At(int64_t t, std::function<void()> fn) {
    events_.emplace(std::make_pair(std::max(t, now_), next_event_++), std::move(fn));
  }

  void Trace(const std::string& what) {
    if (o_.trace)
      std::fprintf(stderr, "t=+%lld %s\n", static_cast<long long>(now_ - kStart), what.c_str());
  }

  bool Stormy() const { return now_ < heal_at_; }
  bool InOutage() const {
    if (!Stormy()) return false;
    for (const auto& [from, to] : outages_) {
      if (now_ >= from && now_ < to) return true;
    }
    return false;
  }

  // --- set-up ------------------------------------------------------------------------------

  void Setup() {
    now_ = kStart;
    w_.refused = Upto(0.15);
    w_.partial = Upto(0.05);
    w_.throttled = Upto(0.08);
    w_.unavailable = Upto(0.08);
    w_.error_no_effect = Upto(0.05);
    w_.error_after_effect = Upto(0.05);
    w_.drop_unapplied = Upto(0.05);
    w_.lost_answer = Upto(0.15);
    w_.late_answer = Upto(0.05);
    w_.crash_before_commit = Upto(0.03);
    w_.crash_after_commit = Upto(0.03);
    w_.duplicate_delivery = Upto(0.3);
    w_.refund_refused = Upto(0.3);
    w_.outages = static_cast<int>(Between(0, 2));
    w_.random_crashes = static_cast<int>(Between(0, 3));
    // The storm lasts until the last outage is over and every cart was delivered, and at
    // least half an hour; then the network heals and the daemon stops crashing.
    heal_at_ = kStart + 30 * 60'000;
    for (int i = 0; i < w_.outages; ++i) {
      const int64_t from = kStart + Between(0, 20 * 60'000);
      // From seconds to longer than the pre-auth horizon.
      outages_.emplace_back(from, from + Between(10'000, 3 * 3'600'000));
      heal_at_ = std::max(heal_at_, outages_.back().second + 10 * 60'000);
    }
    for (int i = 0; i < w_.random_crashes; ++i) {
      At(kStart + Between(1, heal_at_ - kStart), [this] {
        if (up_ && Stormy()) CrashNow("a random moment");
      });
    }
    static const char* kSkus[] = {"COLA", "CHIPS", "MILK"};
    for (int i = 0; i < o_.trips; ++i) {
      AmazonTrip a;
      ordering::PurchaseRequest& r = a.req;
      r.trip_id = "trip-" + std::to_string(i);
      r.request_id = "req-" + std::to_string(i);
      r.store_id = policy_.store_id;
      r.start_ms = kStart;
      r.end_ms = kStart + 60'000;
      r.shopper_id = "shopper-" + std::to_string(Between(0, std::max(1, o_.trips / 2)));
      if (!Chance(0.08)) {
        const int lines = static_cast<int>(Between(1, 4));
        for (int l = 0; l < lines; ++l) {
          store::CartLineRecord line;
          line.line_id = "l" + std::to_string(l);
          line.item_id = Chance(0.04) ? "MYSTERY" : kSkus[Between(0, 2)];
          line.item_type = "SKU";
          line.quantity = std::to_string(Between(1, 3));
          line.unit = "unit";
          r.cart.push_back(line);
        }
      }
      CardBehaviour card;
      const double roll = Upto(1.0);
      if (roll < 0.12) {
        card.declined = true;
      } else if (roll < 0.17) {
        card.declined = true;
        card.authorize_cap = Between(1, 800);  // an earlier authorization left standing
      } else if (roll < 0.27) {
        card.authorize_cap = Between(1, 1500);  // partial approval
      }
      if (Chance(0.2)) card.pending_first = static_cast<int>(Between(1, 3));
      service_.SetCard(r.trip_id, card);
      amazon_.push_back(std::move(a));
      const int idx = i;
      At(kStart + Between(0, 10 * 60'000), [this, idx] { Deliver(idx); });
    }
    for (int64_t t = kStart + 60'000; t < heal_at_ + kSettleWithinMs; t += 3 * 60'000) {
      At(t, [this] { Operate(); });
    }
    At(heal_at_ + kSettleWithinMs, [this] {
      std::string open;
      for (const store::TripRecord& t : AllTrips()) {
        if (!store::IsTerminal(t.state)) {
          open += " " + t.trip_id + "=" + std::string(store::TripStateName(t.state));
        }
      }
      for (const store::OutboxEntry& e : ReadOutbox(1)) {
        open += " [" + std::string(store::OperationName(e.operation)) + " " + e.trip_id +
                (e.dead              ? " dead"
                 : e.outcome_unknown ? " unknown"
                                     : " live") +
                ": " + e.last_error + "]";
      }
      for (const AmazonTrip& a : amazon_) {
        if (!a.acked) open += " unacknowledged:" + a.req.trip_id;
      }
      throw Broken{"the money path did not settle within " +
                   std::to_string(kSettleWithinMs / 60'000) + " minutes of calm:" + open};
    });
    Restart();
  }

  void Loop() {
    while (!events_.empty() && !done_) {
      auto it = events_.begin();
      now_ = it->first.first;
      std::function<void()> fn = std::move(it->second);
      events_.erase(it);
      if (++report_.events > 2'000'000) throw Broken{"runaway: more than 2M events"};
      try {
        fn();
      } catch (const Crash&) {
        CrashNow("a commit point");
      }
    }
  }

  // --- the daemon ------------------------------------------------------------------------

  // Every store change of the daemon goes through here: the crash points.
  core::Status Commit(const std::vector<std::string>& trips,
                      const std::function<core::Status(store::WriteTxn&)>& fn) {
    if (Stormy() && Chance(w_.crash_before_commit)) throw Crash{};
    ++report_.commits;
    core::Status s = env_->Write(fn);
    if (s.ok()) {
      for (const std::string& t : trips) CheckTrip(t);
    }
    if (Stormy() && Chance(w_.crash_after_commit)) throw Crash{};
    return s;
  }

  void CrashNow(const std::string& where) {
    Trace("CRASH at " + where);
    up_ = false;
    ++epoch_;
    schedule_.reset();
    ++report_.crashes;
    CheckAll(/*final=*/false);
    At(now_ + Between(1000, 5000), [this] { Restart(); });
  }

  void Restart() {
    Trace("start");
    up_ = true;
    ++epoch_;
    schedule_ = std::make_unique<OutboxSchedule>(schedule_options_, rng_());
    rescan_all_ = true;
    next_expiry_check_ = now_;
    tick_at_ = std::numeric_limits<int64_t>::max();
    Wake();
  }

  void Wake(bool all = false) {
    rescan_all_ = rescan_all_ || all;
    ScheduleTick(now_);
  }

  void ScheduleTick(int64_t t) {
    if (!up_ || t >= tick_at_) return;
    tick_at_ = t;
    const uint64_t epoch = epoch_;
    At(t, [this, epoch, t] {
      if (epoch != epoch_ || !up_ || t != tick_at_) return;
      tick_at_ = std::numeric_limits<int64_t>::max();
      Tick();
    });
  }

  // One turn of the dispatcher thread (Dispatcher::Run).
  void Tick() {
    const bool all = rescan_all_;
    rescan_all_ = false;
    Scan(all);
    if (now_ >= next_expiry_check_) {
      next_expiry_check_ = now_ + kExpiryCheckMs;
      WatchExpiry();
    }
    int64_t next_due = std::min(now_ + 60'000, next_expiry_check_);
    for (const auto& d : schedule_->TakeDue(now_, &next_due)) Send(d);
    ScheduleTick(next_due);
  }

  std::vector<store::OutboxEntry> ReadOutbox(uint64_t from) {
    std::vector<store::OutboxEntry> rows;
    core::Status s = env_->Read([&](const store::ReadTxn& txn) {
      core::Status decode = core::Status::Ok();
      core::Status scan = txn.ScanFrom(store::Table::kOutbox, store::BigEndianKey(from),
                                       [&](std::string_view k, std::string_view v) {
                                         auto e = store::DecodeOutbox(k, v);
                                         if (!e.ok()) {
                                           decode = e.status();
                                           return false;
                                         }
                                         rows.push_back(std::move(*e));
                                         return true;
                                       });
      return scan.ok() ? decode : scan;
    });
    if (!s.ok()) throw Broken{"outbox unreadable: " + s.ToString()};
    return rows;
  }

  void Scan(bool all) {
    const auto range = schedule_->BeginScan(all);
    for (const store::OutboxEntry& e : schedule_->Merge(range, ReadOutbox(range.from))) {
      const uint64_t seq = e.sequence;
      const auto policy = schedule_options_.unknown_capture;
      Trace("recover started capture " + e.trip_id);
      core::Status s = Commit({e.trip_id}, [&](store::WriteTxn& txn) {
        return payments::RecoverStartedCapture(txn, seq, policy, now_);
      });
      if (!s.ok()) throw Broken{"recovery commit failed: " + s.ToString()};
      if (policy == payments::UnknownCapturePolicy::kHold) {
        ++report_.unknown_captures;
        schedule_->Finish(seq, Verdict::kHeld, RetryReason::kOutcomeUnknown, now_, "", "crash");
      } else {
        schedule_->Finish(seq, Verdict::kRetry, RetryReason::kOutcomeUnknown, now_, "", "crash");
      }
    }
  }

  void WatchExpiry() {
    payments::ExpiryScan scan;
    core::Status s = env_->Read([&](const store::ReadTxn& txn) {
      auto r = payments::ScanExpiry(txn, now_, kPreauthExpiryMs, kPreauthExpiryMs / 4);
      if (!r.ok()) return r.status();
      scan = std::move(*r);
      return core::Status::Ok();
    });
    if (!s.ok()) throw Broken{"expiry scan failed: " + s.ToString()};
    std::vector<std::string> overdue;
    for (const std::string& trip : scan.overdue) {
      if (!schedule_->TripBusy(trip) && schedule_->MarkExpiring(trip)) overdue.push_back(trip);
    }
    if (overdue.empty()) return;
    std::vector<std::string> expired;
    core::Status c = Commit(overdue, [&](store::WriteTxn& txn) {
      auto r = payments::ExpireTrips(txn, overdue, policy_, now_);
      if (!r.ok()) return r.status();
      expired = *r;
      return core::Status::Ok();
    });
    if (!c.ok()) throw Broken{"expiry commit failed: " + c.ToString()};
    for (const std::string& trip : overdue) schedule_->Expired(trip);
    for (const std::string& trip : expired) Trace("expired " + trip);
    rescan_all_ = true;
  }

  // Dispatcher::Send.
  void Send(const OutboxSchedule::Dispatch& d) {
    const uint64_t seq = d.entry.sequence;
    if (d.start_commit) {
      core::Status s = Commit({d.entry.trip_id}, [&](store::WriteTxn& txn) {
        return payments::CommitAttemptStart(txn, seq, now_);
      });
      if (!s.ok()) {
        schedule_->Finish(seq, Verdict::kNotSent, RetryReason::kNone, now_, "", s.message());
        return;
      }
    }
    Transmit(d.entry);
  }

  // The network: what becomes of one request.
  void Transmit(const store::OutboxEntry& e) {
    const uint64_t epoch = epoch_;
    const uint64_t seq = e.sequence;
    const int64_t sent_at = now_;
    Trace("send " + std::string(store::OperationName(e.operation)) + " " + e.trip_id);
    auto deliver = [this, epoch, seq](int64_t at, OutboundResult r) {
      At(at, [this, epoch, seq, r] { OnResult(epoch, seq, r); });
    };
    OutboundResult r;
    if (InOutage() || (Stormy() && Chance(w_.refused))) {
      r.outcome = TransportOutcome::kConnectFailed;
      r.error = "connection refused";
      deliver(now_ + Between(1, 50), r);
      return;
    }
    if (Stormy() && Chance(w_.partial)) {
      r.outcome = TransportOutcome::kConnectionLost;
      r.request_may_have_been_sent = true;
      r.error = "reset while writing";
      deliver(now_ + Between(1, 300), r);
      return;
    }
    const store::OutboxEntry entry = e;
    At(now_ + Between(5, 300),
       [this, entry, sent_at, deliver] { Arrive(entry, sent_at, deliver); });
  }

  // The request arrived whole at the service: whatever happened to the daemon since.
  void Arrive(const store::OutboxEntry& e, int64_t sent_at,
              const std::function<void(int64_t, OutboundResult)>& deliver) {
    ++report_.calls;
    OutboundResult r;
    r.request_may_have_been_sent = r.request_fully_written = true;
    const int64_t deadline = sent_at + kTimeoutMs;
    auto answer = [&](int status, std::string body) {
      r.outcome = TransportOutcome::kResponse;
      r.status = status;
      r.body = std::move(body);
      if (status == 429) r.headers = {{"Retry-After", "1"}};
      const int64_t at = now_ + Between(5, 300);
      if (at >= deadline || (Stormy() && Chance(w_.late_answer))) {
        OutboundResult late;
        late.outcome = TransportOutcome::kTimeout;
        late.request_may_have_been_sent = late.request_fully_written = true;
        late.error = "no answer in time";
        deliver(deadline, late);
      } else {
        deliver(at, r);
      }
    };
    const bool storm = Stormy();
    if (storm && Chance(w_.throttled)) return answer(429, "");
    if (storm && Chance(w_.unavailable)) return answer(503, "");
    if (storm && Chance(w_.error_no_effect)) return answer(500, "");
    if (storm && Chance(w_.drop_unapplied)) {
      r.outcome = TransportOutcome::kConnectionLost;
      r.error = "closed before answering (nothing done)";
      deliver(now_ + Between(1, 100), r);
      return;
    }
    if (e.operation == Operation::kAdjust || e.operation == Operation::kCapture ||
        e.operation == Operation::kCancel) {
      const store::TripRecord t = LoadTrip(e.trip_id);
      if (store::IsTerminal(t.state)) {
        throw Broken{std::string(store::OperationName(e.operation)) + " reached the service for " +
                     e.trip_id + ", already " + std::string(store::TripStateName(t.state))};
      }
    }
    const ServiceAnswer a = service_.Apply(e.operation, e.body);
    CheckService(e.trip_id);
    if (storm && Chance(w_.error_after_effect)) return answer(502, "");
    if (storm && Chance(w_.lost_answer)) {
      r.outcome = Chance(0.5) ? TransportOutcome::kConnectionLost : TransportOutcome::kTimeout;
      r.error = "answer lost";
      deliver(r.outcome == TransportOutcome::kTimeout ? deadline : now_ + Between(1, 100), r);
      return;
    }
    answer(a.status, a.body);
  }

  // Dispatcher::OnAnswer.
  void OnResult(uint64_t epoch, uint64_t seq, const OutboundResult& r) {
    if (epoch != epoch_ || !up_) return;  // the socket of a daemon that died
    const payments::AttemptPlan plan = schedule_->Plan(seq, r);
    const store::OutboxEntry* found = schedule_->Find(seq);
    if (found == nullptr) throw Broken{"an answer for an entry the schedule forgot"};
    const store::OutboxEntry sent = *found;
    const std::string retry_after(r.Header("Retry-After"));
    Trace("result " + std::string(store::OperationName(sent.operation)) + " " + sent.trip_id +
          ": " + plan.error + " -> " + std::string(payments::AttemptOutcomeName(plan.outcome)));
    switch (plan.commit) {
      case payments::CommitKind::kNothing:
        schedule_->Finish(seq, Verdict::kRetry, plan.reason, now_, retry_after, plan.error);
        break;
      case payments::CommitKind::kClearAttempt:
      case payments::CommitKind::kHoldUnknownCapture: {
        const bool hold = plan.commit == payments::CommitKind::kHoldUnknownCapture;
        core::Status s = Commit({sent.trip_id}, [&](store::WriteTxn& txn) {
          return hold ? payments::HoldUnknownCapture(txn, seq, plan.error, now_)
                      : payments::CommitNotProcessed(txn, seq, plan.error);
        });
        if (!s.ok()) throw Broken{"commit failed: " + s.ToString()};
        if (hold) ++report_.unknown_captures;
        schedule_->Finish(seq, hold ? Verdict::kHeld : Verdict::kRetry, plan.reason, now_,
                          retry_after, plan.error);
        break;
      }
      case payments::CommitKind::kApplyAnswer: {
        payments::AnswerOutcome outcome;
        core::Status s = Commit({sent.trip_id}, [&](store::WriteTxn& txn) {
          auto o = payments::CommitAnswer(txn, sent, r.status, r.body, policy_, now_);
          if (!o.ok()) return o.status();
          outcome = std::move(*o);
          return core::Status::Ok();
        });
        if (!s.ok()) throw Broken{"answer commit failed: " + s.ToString()};
        const Verdict v = outcome.verdict == payments::AnswerVerdict::kDone ? Verdict::kDone
                          : outcome.verdict == payments::AnswerVerdict::kRetry
                              ? Verdict::kRetry
                              : Verdict::kDeadLetter;
        schedule_->Finish(seq, v, outcome.reason, now_, retry_after, outcome.detail);
        break;
      }
    }
    Wake();
  }

  // --- Amazon ------------------------------------------------------------------------------

  // Create Purchases, as PurchaseHandler::Handle does it (minus HTTP).
  void Deliver(int i) {
    AmazonTrip& a = amazon_[static_cast<size_t>(i)];
    if (!up_) {
      At(now_ + Between(500, 3000), [this, i] { Deliver(i); });  // Amazon retries
      return;
    }
    // Amazon retries a delivery whose answer it never got (the daemon died mid-request).
    At(now_ + Between(2000, 10'000), [this, i] {
      if (!amazon_[static_cast<size_t>(i)].acked) Deliver(i);
    });
    const ordering::PurchaseRequest& req = a.req;
    bool exists = false;
    core::Status read = env_->Read([&](const store::ReadTxn& txn) {
      auto bytes = txn.Get(store::Table::kPurchases, req.trip_id);
      if (!bytes.ok()) return bytes.status();
      exists = bytes->has_value();
      return core::Status::Ok();
    });
    if (!read.ok()) throw Broken{"purchases unreadable: " + read.ToString()};
    if (!exists) {
      store::TripRecord trip = ordering::BuildTrip(req, catalog_.get(), now_);
      trip.purchase_id = req.cart.empty() ? "" : "purchase-" + req.trip_id;
      trip.Record(now_, "created");
      store::PurchaseRecord record;
      record.trip_id = req.trip_id;
      record.purchase_id = trip.purchase_id;
      record.response_body = R"({"purchaseId":")" + trip.purchase_id + "\"}";
      record.cart_digest = ordering::CartDigest(req.cart);
      record.created_ms = now_;
      std::optional<store::PurchaseRecord> raced;
      store::TripRecord started;
      core::Status s = Commit({req.trip_id}, [&](store::WriteTxn& txn) {
        return ordering::CommitPurchase(txn, trip, record, policy_, now_, started, raced);
      });
      if (!s.ok()) throw Broken{"purchase commit failed: " + s.ToString()};
      Trace("purchase " + req.trip_id + " committed");
      Wake();
    }
    a.acked = true;  // the 201 went out (a crash above would have skipped this)
    if (Stormy() && Chance(w_.duplicate_delivery)) {
      At(now_ + Between(100, 30 * 60'000), [this, i] { Deliver(i); });
    }
  }

  // --- the store operator -------------------------------------------------------------------

  void Operate() {
    if (!up_) return;
    std::vector<store::TripRecord> trips = AllTrips();
    bool changed = false;
    for (const store::TripRecord& t : trips) {
      if (t.state == TripState::kCaptureUnknown) {
        // Checked with Amazon's record: the service knows whether the Capture happened.
        const ServiceTrip* st = service_.Trip(t.trip_id);
        std::optional<int64_t> captured;
        if (st != nullptr && !st->captures.empty()) captured = st->captures.back();
        core::Status s = Commit({t.trip_id}, [&](store::WriteTxn& txn) {
          return payments::ResolveUnknownCapture(txn, t.trip_id, captured, "operator", policy_,
                                                 now_)
              .status();
        });
        if (!s.ok()) throw Broken{"resolving " + t.trip_id + " failed: " + s.ToString()};
        if (captured) ++report_.resolved_captured;
        Trace("operator resolved " + t.trip_id + (captured ? " captured" : " not-captured"));
        changed = true;
      } else if (t.state == TripState::kHeld) {
        core::Status s = Commit({t.trip_id}, [&](store::WriteTxn& txn) {
          return payments::ResolveHeld(txn, t.trip_id, payments::HeldAction::kRelease, "", 0, "",
                                       "operator", policy_, now_)
              .status();
        });
        if (!s.ok()) throw Broken{"releasing " + t.trip_id + " failed: " + s.ToString()};
        changed = true;
      } else if (t.state == TripState::kCaptured && Stormy() && t.refunds.empty() && Chance(0.05)) {
        const int64_t amount = Between(1, t.captured);
        const std::string id = "refund-" + t.trip_id;
        if (Chance(w_.refund_refused)) service_.RefuseRefund(id);
        core::Status s = Commit({t.trip_id}, [&](store::WriteTxn& txn) {
          return payments::RequestRefund(txn, t.trip_id, amount, "DAMAGED_ITEM", "operator", 30,
                                         policy_, now_, [&] { return id; })
              .status();
        });
        if (!s.ok()) throw Broken{"refund of " + t.trip_id + " failed: " + s.ToString()};
        ++report_.refunds;
        changed = true;
      }
    }
    for (const store::OutboxEntry& e : ReadOutbox(1)) {
      if (!e.dead) continue;
      if (e.operation != Operation::kRefund) {
        throw Broken{"a dead letter that is not a refused refund: " + e.last_error};
      }
      core::Status s = Commit({e.trip_id}, [&](store::WriteTxn& txn) {
        return payments::DropOutbox(txn, e.sequence, "operator", now_);
      });
      if (!s.ok()) throw Broken{"dropping a dead letter failed: " + s.ToString()};
      changed = true;
    }
    if (changed) Wake(true);
    if (!Stormy() && Settled()) done_ = true;
  }

  // --- invariants ----------------------------------------------------------------------------

  store::TripRecord LoadTrip(const std::string& id) {
    store::TripRecord t;
    core::Status s = env_->Read([&](const store::ReadTxn& txn) {
      auto r = payments::LoadTrip(txn, id);
      if (!r.ok()) return r.status();
      t = std::move(*r);
      return core::Status::Ok();
    });
    if (!s.ok()) throw Broken{"trip " + id + " unreadable: " + s.ToString()};
    return t;
  }

  std::vector<store::TripRecord> AllTrips() {
    std::vector<store::TripRecord> out;
    core::Status s = env_->Read([&](const store::ReadTxn& txn) {
      auto r = payments::ListTrips(txn, "", 1'000'000);
      if (!r.ok()) return r.status();
      out = std::move(*r);
      return core::Status::Ok();
    });
    if (!s.ok()) throw Broken{"trips unreadable: " + s.ToString()};
    return out;
  }

  // The debt booked for a trip (all of its records, open or settled), and the check that the
  // shopper's balance is the sum of their open debts.
  int64_t TripDebt(const store::TripRecord& t) {
    if (t.shopper_id.empty()) return 0;
    int64_t debt = 0, open = 0, balance = 0;
    core::Status s = env_->Read([&](const store::ReadTxn& txn) {
      auto debts = ledger::ListDebts(txn, t.shopper_id);
      if (!debts.ok()) return debts.status();
      for (const store::DebtRecord& d : *debts) {
        if (d.state == store::DebtState::kOpen) open += d.amount.minor;
        // The trip's own debt and its expired remainder (kinds trip and expired).
        if (d.trip_id == t.trip_id && d.kind != store::DebtKind::kManual) debt += d.amount.minor;
      }
      auto shopper = ledger::ReadShopper(txn, t.shopper_id);
      if (!shopper.ok()) return shopper.status();
      if (shopper->has_value()) balance = (*shopper)->OpenDebt("USD");
      return core::Status::Ok();
    });
    if (!s.ok()) throw Broken{"ledger unreadable: " + s.ToString()};
    if (balance != open) {
      throw Broken{"balance of " + t.shopper_id + " is " + std::to_string(balance) +
                   " but the open debts sum to " + std::to_string(open)};
    }
    return debt;
  }

  void CheckService(const std::string& trip) {
    const ServiceTrip* st = service_.Trip(trip);
    if (st == nullptr) return;
    if (st->captures.size() > 1) {
      throw Broken{trip + " was captured " + std::to_string(st->captures.size()) +
                   " times at the Payment Service"};
    }
    if (!service_.violations().empty()) {
      throw Broken{"the Payment Service refused a request: " + service_.violations().front()};
    }
  }

  void CheckTrip(const std::string& id) {
    const store::TripRecord t = LoadTrip(id);
    CheckService(id);
    const ServiceTrip* st = service_.Trip(id);
    int64_t taken = 0, refunded_there = 0;
    if (st != nullptr) {
      for (int64_t c : st->captures) taken += c;
      refunded_there = st->refunded;
    }
    const int64_t debt = TripDebt(t);
    auto fail = [&](const std::string& what) {
      throw Broken{id + " (" + std::string(store::TripStateName(t.state)) + ", total " +
                   std::to_string(t.total) + ", captured " + std::to_string(t.captured) +
                   ", taken " + std::to_string(taken) + ", debt " + std::to_string(debt) +
                   "): " + what};
    };
    if (taken + debt > t.total) fail("the shopper owes money that was taken");
    if (t.refunded > t.captured) fail("refunded more than captured");
    if (refunded_there > taken) fail("the service refunded more than it captured");
    if (t.refunded > refunded_there) fail("the store counts a refund the service never made");
    switch (t.state) {
      case TripState::kDeclined:
      case TripState::kExpired:
        if (taken != 0) fail("settled without a capture, yet the service captured");
        if (debt != t.total) fail("the debt is not what was not captured");
        break;
      case TripState::kCaptured:
        if (taken != t.captured) fail("the store and the service disagree on the capture");
        if (debt != t.total - t.captured) fail("the debt is not what was not captured");
        break;
      case TripState::kCancelled:
        if (taken != 0 || debt != 0) fail("a cancelled trip was charged or owed");
        break;
      default:
        break;
    }
  }

  bool Settled() {
    for (const store::TripRecord& t : AllTrips()) {
      if (!store::IsTerminal(t.state)) return false;
    }
    for (const store::OutboxEntry& e : ReadOutbox(1)) {
      if (!e.dead) return false;
    }
    for (const AmazonTrip& a : amazon_) {
      if (!a.acked) return false;
    }
    return true;
  }

  void CheckAll(bool final) {
    std::set<std::string> stored;
    for (const store::TripRecord& t : AllTrips()) {
      stored.insert(t.trip_id);
      CheckTrip(t.trip_id);
      if (final) {
        if (!store::IsTerminal(t.state)) {
          throw Broken{t.trip_id + " never settled: " + std::string(store::TripStateName(t.state))};
        }
        const ServiceTrip* st = service_.Trip(t.trip_id);
        if (t.refunded != (st ? st->refunded : 0)) {
          throw Broken{t.trip_id + ": store and service disagree on what was refunded"};
        }
        if (t.state == TripState::kDeclined) ++report_.declined;
        if (t.state == TripState::kExpired) ++report_.expired;
      }
    }
    for (const AmazonTrip& a : amazon_) {
      if (a.acked && !stored.count(a.req.trip_id)) {
        throw Broken{"purchase " + a.req.trip_id + " was acknowledged and is gone"};
      }
      if (final && !a.acked) throw Broken{"purchase " + a.req.trip_id + " was never acknowledged"};
    }
  }

  const SimOptions o_;
  std::mt19937_64 rng_;
  std::filesystem::path dir_;
  std::unique_ptr<store::Env> env_;
  std::shared_ptr<const ordering::Catalog> catalog_;
  payments::LifecyclePolicy policy_;
  payments::ScheduleOptions schedule_options_;
  SimService service_;
  Weather w_{};
  std::vector<std::pair<int64_t, int64_t>> outages_;
  std::vector<AmazonTrip> amazon_;
  std::map<std::pair<int64_t, uint64_t>, std::function<void()>> events_;
  uint64_t next_event_ = 0;
  int64_t now_ = kStart;
  int64_t heal_at_ = 0;
  bool done_ = false;
  // The daemon incarnation.
  bool up_ = false;
  uint64_t epoch_ = 0;
  std::unique_ptr<OutboxSchedule> schedule_;
  bool rescan_all_ = true;
  int64_t next_expiry_check_ = 0;
  int64_t tick_at_ = std::numeric_limits<int64_t>::max();
  SimReport report_;
};

}  // namespace

SimReport RunSeed(const SimOptions& options) {
  // The daemon's log lines (a held Capture logs an error) would drown the trace.
  core::SetLogTarget(core::LogTarget::kNone);
  try {
    World world(options);
    return world.Run();
  } catch (const Broken& b) {
    SimReport r;
    r.ok = false;
    r.failure = b.what;
    return r;
  }
}

std::string ReplayCommand(const SimOptions& o) {
  std::string cmd =
      "jwo-money-sim --seed " + std::to_string(o.seed) + " --trips " + std::to_string(o.trips);
  if (o.resend_unknown_captures) cmd += " --resend";
  return cmd + " --trace";
}

}  // namespace jwo::sim
