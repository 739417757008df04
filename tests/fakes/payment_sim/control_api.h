// The simulator's control API: unsigned JSON endpoints under /_sim/ on the same port as the
// Payment Service APIs, for tests and scripts to steer the simulator and read what it saw.
//
//   GET  /_sim/health                       200 {"ok": true}
//   GET  /_sim/requests[?after=N&api=A&trip=T]  received requests, oldest first
//   GET  /_sim/trips                        every trip's state
//   GET  /_sim/trips?id=T                   one trip's state; 404 when the simulator never
//                                           applied a call for it
//   GET  /_sim/violations                   protocol violations (rules in trip_book.h)
//   GET  /_sim/summary                      counts per API and answer
//   GET  /_sim/behaviour                    the current behaviour, in the script format
//   POST /_sim/script    <script>           merges a script (script.h); 400 naming the key
//   POST /_sim/faults    {"faults": [...]}  replaces the fault list ([] clears it)
//   POST /_sim/outage    {"seconds": N}     starts an outage of N seconds (0 ends it)
//   POST /_sim/reset                        forgets records, trips and violations; restores
//                                           the startup behaviour
//
// Thread safety: the handlers may run on any io thread; the simulator serialises them.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "http/router.h"

namespace jwo::payment_sim {

class PaymentSimulator;

// Registers the routes above on `router`; the handlers share ownership of `sim`.
void AddControlRoutes(http::Router& router, const std::shared_ptr<PaymentSimulator>& sim);

// The value of query parameter `name` in `target` ("/x?a=1&b=two"), percent-decoded, or ""
// when absent.
std::string QueryParam(std::string_view target, std::string_view name);

}  // namespace jwo::payment_sim
