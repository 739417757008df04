#include "mail/mail_outbox.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <vector>

#include "core/json.h"
#include "core/log.h"

namespace jwo::mail {
namespace {

namespace json = boost::json;
using core::Status;

constexpr char kVersion = 1;

Status Corrupt(std::string m) { return {core::StatusCode::kCorruption, std::move(m)}; }

using core::JsonIntOr;
using core::JsonStringOr;

core::Result<store::TripRecord> LoadTrip(const store::ReadTxn& txn, const std::string& trip_id) {
  auto bytes = txn.Get(store::Table::kTrips, trip_id);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return core::NotFound("trip " + trip_id + " is not in the store");
  return store::DecodeTrip(**bytes);
}

}  // namespace

std::string_view MailStateName(MailState s) {
  switch (s) {
    case MailState::kPending:
      return "pending";
    case MailState::kSent:
      return "sent";
    case MailState::kFailed:
      return "failed";
  }
  return "unknown";
}

std::string MailKey(std::string_view kind, std::string_view trip_id) {
  return std::string(kind) + "/" + std::string(trip_id);
}

std::string EncodeMailEntry(const MailEntry& e) {
  json::object o{{"kind", e.kind},
                 {"trip", e.trip_id},
                 {"state", static_cast<int64_t>(e.state)},
                 {"created", e.created_ms},
                 {"next", e.next_ms},
                 {"sent", e.sent_ms},
                 {"attempts", static_cast<int64_t>(e.attempts)},
                 {"error", e.last_error}};
  return std::string(1, kVersion) + json::serialize(o);
}

core::Result<MailEntry> DecodeMailEntry(std::string_view bytes) {
  if (bytes.empty() || bytes[0] != kVersion) return Corrupt("mail entry: unknown record version");
  auto doc = core::ParseJson(bytes.substr(1));
  if (!doc.ok() || !doc->is_object()) return Corrupt("mail entry: not a JSON object");
  const json::object& o = doc->get_object();
  MailEntry e;
  e.kind = JsonStringOr(o, "kind");
  e.trip_id = JsonStringOr(o, "trip");
  const int64_t state = JsonIntOr(o, "state");
  if (e.kind.empty() || e.trip_id.empty() || state < 1 || state > 3) {
    return Corrupt("mail entry: missing kind or trip, or a state out of range");
  }
  e.state = static_cast<MailState>(state);
  e.created_ms = JsonIntOr(o, "created");
  e.next_ms = JsonIntOr(o, "next");
  e.sent_ms = JsonIntOr(o, "sent");
  e.attempts = static_cast<uint32_t>(std::clamp<int64_t>(JsonIntOr(o, "attempts"), 0, 1'000'000));
  e.last_error = JsonStringOr(o, "error");
  return e;
}

core::Result<bool> QueueReceipt(store::WriteTxn& txn, const store::TripRecord& t, int64_t now_ms) {
  if (t.state != store::TripState::kCaptured || !t.receipt_complete || t.shopper_email.empty()) {
    return false;
  }
  const std::string key = MailKey("receipt", t.trip_id);
  auto existing = txn.Get(store::Table::kMailOutbox, key);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return false;
  MailEntry e;
  e.kind = "receipt";
  e.trip_id = t.trip_id;
  e.created_ms = now_ms;
  e.next_ms = now_ms;
  if (Status s = txn.Put(store::Table::kMailOutbox, key, EncodeMailEntry(e)); !s.ok()) return s;
  return true;
}

Status QueueReceiptResend(store::WriteTxn& txn, const store::TripRecord& t, int64_t now_ms,
                          uint32_t max_per_day) {
  if (t.state != store::TripState::kCaptured || !t.receipt_complete || t.shopper_email.empty()) {
    return Status(core::StatusCode::kFailedPrecondition,
                  "this trip's receipt cannot be sent (not captured yet, or no address on file)");
  }
  const std::string prefix = "resend/" + t.trip_id + "/";
  uint32_t recent = 0;
  bool waiting = false;
  Status bad = Status::Ok();
  Status s = txn.Scan(store::Table::kMailOutbox, prefix, [&](std::string_view, std::string_view v) {
    auto e = DecodeMailEntry(v);
    if (!e.ok()) {
      bad = e.status();
      return false;
    }
    if (e->state == MailState::kPending) waiting = true;
    if (e->created_ms > now_ms - 86'400'000) ++recent;
    return true;
  });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  if (waiting) {
    return Status(core::StatusCode::kFailedPrecondition, "a copy of this receipt is on its way");
  }
  if (recent >= max_per_day) {
    return Status(core::StatusCode::kFailedPrecondition, "this receipt was sent again " +
                                                             std::to_string(recent) +
                                                             " times today; please try tomorrow");
  }
  MailEntry e;
  e.kind = "resend";
  e.trip_id = t.trip_id;
  e.created_ms = now_ms;
  e.next_ms = now_ms;
  // Zero-padded: the keys of one trip sort by time.
  std::string stamp = std::to_string(now_ms);
  stamp.insert(0, stamp.size() < 16 ? 16 - stamp.size() : 0, '0');
  return txn.Put(store::Table::kMailOutbox, prefix + stamp, EncodeMailEntry(e));
}

MailDispatcher::MailDispatcher(store::Env& env, MailDispatcherOptions options,
                               const core::Clock& clock)
    : env_(env), options_(std::move(options)), clock_(clock) {}

MailDispatcher::~MailDispatcher() { Stop(); }

void MailDispatcher::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void MailDispatcher::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void MailDispatcher::Wake() {
  std::lock_guard lock(mutex_);
  wanted_ = true;
  wake_.notify_all();
}

MailDispatcherStats MailDispatcher::Stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void MailDispatcher::Loop() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms),
                     [&] { return stopping_ || wanted_; });
      if (stopping_) return;
      wanted_ = false;
    }
    auto n = RunOnce();
    if (!n.ok()) core::LogError("mail outbox", {{"error", n.status().ToString()}});
  }
}

core::Result<size_t> MailDispatcher::RunOnce() {
  const int64_t now = clock_.NowUnixMs();
  std::vector<std::pair<std::string, MailEntry>> due;
  Status s = env_.Read([&](const store::ReadTxn& txn) {
    Status bad = Status::Ok();
    Status scan =
        txn.Scan(store::Table::kMailOutbox, "", [&](std::string_view k, std::string_view v) {
          auto e = DecodeMailEntry(v);
          if (!e.ok()) {
            bad = e.status();
            return true;  // one damaged row must not stop the others' mail
          }
          if (e->state == MailState::kPending && e->next_ms <= now)
            due.emplace_back(k, std::move(*e));
          return due.size() < options_.batch_max;
        });
    if (!bad.ok()) core::LogError("mail outbox: a row does not decode", {{"error", bad.message()}});
    return scan;
  });
  if (!s.ok()) return s;
  for (const auto& [key, entry] : due) {
    if (Status a = Attempt(key, entry); !a.ok()) return a;
  }
  return due.size();
}

Status MailDispatcher::Attempt(const std::string& key, const MailEntry& entry) {
  store::TripRecord trip;
  Status s = env_.Read([&](const store::ReadTxn& txn) {
    auto t = LoadTrip(txn, entry.trip_id);
    if (!t.ok()) return t.status();
    trip = std::move(*t);
    return Status::Ok();
  });
  SendOutcome out;
  if (!s.ok()) {
    out = {SendResult::kPermanent, 0, s.message()};
  } else if (trip.shopper_email.empty()) {
    out = {SendResult::kPermanent, 0, "the trip has no shopper e-mail address (any more)"};
  } else if (auto r = RenderReceipt(trip, options_.receipt); !r.ok()) {
    out = {SendResult::kPermanent, 0, "receipt: " + r.status().message()};
  } else {
    Message m;
    m.from = options_.from;
    m.from_name = options_.from_name;
    m.to = trip.shopper_email;
    m.subject = r->subject;
    m.text = r->text;
    m.html = r->html;
    // A re-send is a new message (its own id); the first receipt's id is stable across retries.
    m.message_id = "receipt." + entry.trip_id +
                   (entry.kind == "resend" ? "." + std::to_string(entry.created_ms) : "") + "@" +
                   options_.message_id_domain;
    m.date_unix_ms = clock_.NowUnixMs();
    out = Send(options_.smtp, m);  // no transaction open while the relay answers
  }
  const int64_t now = clock_.NowUnixMs();
  MailEntry next = entry;
  next.attempts = entry.attempts + 1;
  std::string event;
  if (out.result == SendResult::kSent) {
    next.state = MailState::kSent;
    next.sent_ms = now;
    next.last_error.clear();
    event = "receipt_mailed";
  } else {
    next.last_error = out.detail.substr(0, 300);
    const bool too_old = now - entry.created_ms >= options_.give_up_after_ms;
    if (out.result == SendResult::kPermanent || too_old) {
      next.state = MailState::kFailed;
      event = "receipt_mail_failed";
    } else {
      int64_t wait = options_.first_retry_ms;
      for (uint32_t i = 1; i < next.attempts && wait < options_.max_retry_ms; ++i) wait *= 2;
      next.next_ms = now + std::min(wait, options_.max_retry_ms);
    }
  }
  s = env_.Write([&](store::WriteTxn& txn) {
    if (Status p = txn.Put(store::Table::kMailOutbox, key, EncodeMailEntry(next)); !p.ok())
      return p;
    if (event.empty()) return Status::Ok();
    auto t = LoadTrip(txn, entry.trip_id);
    if (!t.ok())
      return t.status().code() == core::StatusCode::kNotFound ? Status::Ok() : t.status();
    t->Record(now, event, event == "receipt_mailed" ? "accepted by the relay" : next.last_error);
    return txn.Put(store::Table::kTrips, t->trip_id, store::EncodeTrip(*t));
  });
  if (!s.ok()) return s;
  std::lock_guard lock(mutex_);
  if (next.state == MailState::kSent) {
    ++stats_.sent;
  } else if (next.state == MailState::kFailed) {
    ++stats_.failed;
    core::LogWarning("receipt not mailed; given up",
                     {{"trip", entry.trip_id}, {"error", next.last_error}});
  } else {
    ++stats_.transient;
  }
  return Status::Ok();
}

}  // namespace jwo::mail
