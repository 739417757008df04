#include "portal/sandbox_processor.h"

#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>

#include "core/json.h"
#include "core/log.h"
#include "portal/portal_store.h"

namespace jwo::portal {
namespace {

namespace json = boost::json;
using core::Status;

enum class Card { kSucceeds, kDeclines, kNeedsStep, kUnavailable };

struct TestCardEntry {
  std::string_view number;
  Card card;
};
constexpr TestCardEntry kTestCards[] = {{"4242424242424242", Card::kSucceeds},
                                        {"4000000000000002", Card::kDeclines},
                                        {"4000000000003220", Card::kNeedsStep},
                                        {"4000000000000119", Card::kUnavailable}};

// The test card `number` names (spaces and dashes allowed), or nullptr.
const TestCardEntry* TestCard(std::string_view number) {
  std::string digits;
  for (char c : number) {
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c != ' ' && c != '-') {
      return nullptr;
    }
  }
  for (const TestCardEntry& e : kTestCards) {
    if (e.number == digits) return &e;
  }
  return nullptr;
}

std::string ChargeKey(std::string_view key) { return "x/" + std::string(key); }

ChargeResult FromRow(std::string_view bytes) {
  auto doc = core::ParseJson(bytes);
  if (!doc.ok() || !doc->is_object()) {
    return {ChargeStatus::kUnavailable, "", "", "the sandbox's charge record is damaged"};
  }
  const json::object& o = doc->as_object();
  const auto str = [&](std::string_view k) { return core::JsonStringOr(o, k); };
  const std::string status = str("status");
  ChargeResult r{ChargeStatus::kUnavailable, str("reference"), str("last4"), str("message")};
  if (status == "succeeded") r.status = ChargeStatus::kSucceeded;
  if (status == "declined") r.status = ChargeStatus::kDeclined;
  if (status == "action_required") r.status = ChargeStatus::kActionRequired;
  return r;
}

std::string ToRow(const ChargeResult& r, int64_t amount, std::string_view currency) {
  std::string status = "unavailable";
  if (r.status == ChargeStatus::kSucceeded) status = "succeeded";
  if (r.status == ChargeStatus::kDeclined) status = "declined";
  if (r.status == ChargeStatus::kActionRequired) status = "action_required";
  return json::serialize(json::object{{"status", status},
                                      {"reference", r.reference},
                                      {"last4", r.last4},
                                      {"message", r.message},
                                      {"amount", amount},
                                      {"currency", currency}});
}

}  // namespace

ChargeResult SandboxProcessor::Charge(const ChargeRequest& request) {
  const TestCardEntry* entry = TestCard(request.card);
  if (entry == nullptr) {
    return {ChargeStatus::kInvalid, "", "",
            "not a sandbox test card (use 4242 4242 4242 4242, see the portal's help)"};
  }
  if (request.amount <= 0) return {ChargeStatus::kInvalid, "", "", "nothing to charge"};
  const Card card = entry->card;
  const std::string last4(entry->number.substr(entry->number.size() - 4));
  if (card == Card::kUnavailable) {
    return {ChargeStatus::kUnavailable, "", last4, "the sandbox processor did not answer"};
  }
  ChargeResult result;
  Status s = env_.Write([&](store::WriteTxn& txn) {
    auto existing = txn.Get(store::Table::kPortal, ChargeKey(request.idempotency_key));
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) {  // the same key again: the first outcome, never a second charge
      result = FromRow(**existing);
      return Status::Ok();
    }
    result.reference = "sbx_" + RandomHex(8);
    result.last4 = last4;
    switch (card) {
      case Card::kSucceeds:
        result.status = ChargeStatus::kSucceeded;
        break;
      case Card::kDeclines:
        result.status = ChargeStatus::kDeclined;
        result.message = "Your card was declined.";
        break;
      default:
        result.status = ChargeStatus::kActionRequired;
        result.message = "Your bank asks you to confirm this payment.";
        break;
    }
    return txn.Put(store::Table::kPortal, ChargeKey(request.idempotency_key),
                   ToRow(result, request.amount, request.currency));
  });
  if (!s.ok()) return {ChargeStatus::kUnavailable, "", last4, s.ToString()};
  if (result.status == ChargeStatus::kSucceeded) {
    if (const char* crash = std::getenv("JWO_SANDBOX_CRASH_AFTER_CHARGE");
        crash != nullptr && std::string_view(crash) == "1") {
      core::LogWarning("sandbox: exiting after the charge (JWO_SANDBOX_CRASH_AFTER_CHARGE)",
                       {{"reference", result.reference}});
      _exit(86);
    }
  }
  return result;
}

ChargeResult SandboxProcessor::Confirm(std::string_view idempotency_key, std::string_view answer) {
  ChargeResult result;
  Status s = env_.Write([&](store::WriteTxn& txn) {
    auto existing = txn.Get(store::Table::kPortal, ChargeKey(idempotency_key));
    if (!existing.ok()) return existing.status();
    if (!existing->has_value()) {
      result = {ChargeStatus::kNotFound, "", "", "no such charge"};
      return Status::Ok();
    }
    result = FromRow(**existing);
    if (result.status != ChargeStatus::kActionRequired) return Status::Ok();  // decided already
    auto doc = core::ParseJson(**existing);
    int64_t amount = 0;
    std::string currency;
    if (doc.ok() && doc->is_object()) {
      amount = core::JsonIntOr(doc->as_object(), "amount");
      currency = core::JsonStringOr(doc->as_object(), "currency");
    }
    if (answer == "1234") {
      result.status = ChargeStatus::kSucceeded;
      result.message.clear();
    } else {
      result.status = ChargeStatus::kDeclined;
      result.message = "The confirmation failed; your card was not charged.";
    }
    return txn.Put(store::Table::kPortal, ChargeKey(idempotency_key),
                   ToRow(result, amount, currency));
  });
  if (!s.ok()) return {ChargeStatus::kUnavailable, "", "", s.ToString()};
  return result;
}

ChargeResult SandboxProcessor::Lookup(std::string_view idempotency_key) {
  ChargeResult result{ChargeStatus::kNotFound, "", "", "no such charge"};
  Status s = env_.Read([&](const store::ReadTxn& txn) {
    auto existing = txn.Get(store::Table::kPortal, ChargeKey(idempotency_key));
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) result = FromRow(**existing);
    return Status::Ok();
  });
  if (!s.ok()) return {ChargeStatus::kUnavailable, "", "", s.ToString()};
  return result;
}

size_t SandboxProcessor::SucceededCharges() const {
  size_t n = 0;
  (void)env_.Read([&](const store::ReadTxn& txn) {
    return txn.Scan(store::Table::kPortal, "x/", [&](std::string_view, std::string_view v) {
      if (FromRow(v).status == ChargeStatus::kSucceeded) ++n;
      return true;
    });
  });
  return n;
}

}  // namespace jwo::portal
