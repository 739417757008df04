// The payment-processor adapter contract of shopper payoffs (docs/portal.md, "Processor
// adapters"). A real processor (a PSP's API with hosted card fields) implements this
// interface; this build ships the sandbox (sandbox_processor.h).
//
// The contract every adapter must keep, because the payoff's safety rests on it:
//  1. Charge is idempotent by `idempotency_key`: a second Charge with the same key, whatever
//     happened to the first (answered, timed out, the daemon crashed before committing the
//     answer), returns the first charge's outcome and never charges again. (Every mainstream
//     PSP offers such a key; the adapter passes the payoff id.)
//  2. Lookup(key) reports what the processor holds for the key without changing anything:
//     kNotFound when no charge was ever made with it.
//  3. An outcome the adapter cannot tell (timeout, 5xx) is kUnavailable, never kDeclined: the
//     payoff then stays open and is looked up again, so money taken is never forgotten.
//  4. The card itself never reaches jwo-edge's store or logs: `card` is the processor's token
//     (the sandbox takes its test card numbers as tokens and keeps only the last four).
//
// Implementations must be safe to call from several threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace jwo::portal {

enum class ChargeStatus {
  kSucceeded,       // the money is taken
  kDeclined,        // nothing taken; the shopper may try another card
  kActionRequired,  // the card needs an extra step (3-D Secure): Confirm with the answer
  kNotFound,        // Lookup: no charge with this key
  kUnavailable,     // the outcome is not known: ask again later with Lookup
  kInvalid,         // the request itself is wrong (not a card the processor takes)
};

struct ChargeRequest {
  std::string idempotency_key;  // the payoff id
  int64_t amount = 0;           // minor units
  std::string currency;         // ISO 4217
  std::string card;             // the processor's card token
  std::string description;      // "jwo-edge payoff P for store S"
};

struct ChargeResult {
  ChargeStatus status = ChargeStatus::kUnavailable;
  std::string reference;  // the processor's charge id (kSucceeded, kActionRequired)
  std::string last4;      // of the card, for the confirmation page
  std::string message;    // for the shopper (declines) or the operator
};

class PaymentProcessor {
 public:
  virtual ~PaymentProcessor() = default;
  virtual std::string_view Name() const = 0;
  virtual ChargeResult Charge(const ChargeRequest& request) = 0;
  // The extra step of a kActionRequired charge; idempotent like Charge.
  virtual ChargeResult Confirm(std::string_view idempotency_key, std::string_view answer) = 0;
  virtual ChargeResult Lookup(std::string_view idempotency_key) = 0;
};

}  // namespace jwo::portal
