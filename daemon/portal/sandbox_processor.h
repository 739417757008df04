// The sandbox payment processor: a faithful stand-in for a card processor, for development,
// demonstrations and tests (docs/portal.md lists its test cards). It keeps its charges in rows
// of its own ("x/<key>" in table portal), each committed in a transaction of its own before it
// answers — exactly as a remote processor has done the work before its answer reaches us, so a
// crash between the answer and the portal's commit is the real case, not a simulated one.
//
// Test cards (any expiry in the future, any CVC): 4242 4242 4242 4242 succeeds;
// 4000 0000 0000 0002 is declined; 4000 0000 0000 3220 needs the extra step (answer 1234
// succeeds, anything else declines); 4000 0000 0000 0119 answers kUnavailable after doing
// nothing. Any other number is kInvalid. Fault injection for tests: the environment variable
// JWO_SANDBOX_CRASH_AFTER_CHARGE=1 makes the process exit (as a power cut would stop it) right
// after a successful charge is committed, before the portal hears of it.
//
// Thread-safe (each call is one LMDB transaction).
#pragma once

#include "portal/processor.h"
#include "store/env.h"

namespace jwo::portal {

class SandboxProcessor final : public PaymentProcessor {
 public:
  explicit SandboxProcessor(store::Env& env) : env_(env) {}
  std::string_view Name() const override { return "sandbox"; }
  ChargeResult Charge(const ChargeRequest& request) override;
  ChargeResult Confirm(std::string_view idempotency_key, std::string_view answer) override;
  ChargeResult Lookup(std::string_view idempotency_key) override;

  // How many charges succeeded (tests: a payoff never charges twice).
  size_t SucceededCharges() const;

 private:
  store::Env& env_;
};

}  // namespace jwo::portal
