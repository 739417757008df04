// SimService: Amazon's Payment Service as the money-path simulation sees it — what each trip's
// card was authorized, charged, refunded — and the answers it gives, from the API contract in
// shared/api/amazon-jwo.md. Unlike the networked jwo-payment-sim (tests/fakes), it is a plain
// single-threaded model driven by the simulation's seeded random stream, and it counts a
// second Capture of a trip as a second charge: the worst thing the daemon can do.
//
// Thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "store/trip_record.h"

namespace jwo::sim {

// How a trip's card behaves at Adjust, drawn per trip from the seed.
struct CardBehaviour {
  int pending_first = 0;       // answers PENDING this many times first
  bool declined = false;       // DECLINED
  int64_t authorize_cap = -1;  // APPROVED up to this much (partial), or DECLINED leaving it
                               // standing; -1 = whatever is asked
};

struct ServiceTrip {
  CardBehaviour card;
  int adjust_calls = 0;
  int64_t authorized = 0;
  std::vector<int64_t> captures;  // every Capture applied: more than one is a double charge
  bool cancelled = false;
  std::map<std::string, int64_t> refunds;  // refundRequestId -> amount (applied once)
  int64_t refunded = 0;
};

struct ServiceAnswer {
  int status = 200;
  std::string body;
};

class SimService {
 public:
  explicit SimService(std::string currency) : currency_(std::move(currency)) {}

  void SetCard(const std::string& trip, CardBehaviour card) { trips_[trip].card = card; }

  // Carries out a request that arrived whole and answers it. A request that breaks the API
  // (what jwo-edge must never send) gets a 400 and is recorded in violations().
  ServiceAnswer Apply(store::Operation op, const std::string& body);

  // Whether a refund with this id would be refused with a 400 (drawn by the simulation).
  void RefuseRefund(const std::string& refund_request_id) { refused_.insert(refund_request_id); }

  const std::map<std::string, ServiceTrip>& trips() const { return trips_; }
  const ServiceTrip* Trip(const std::string& id) const {
    auto it = trips_.find(id);
    return it == trips_.end() ? nullptr : &it->second;
  }
  const std::vector<std::string>& violations() const { return violations_; }

 private:
  std::string currency_;
  std::map<std::string, ServiceTrip> trips_;
  std::set<std::string> refused_;
  std::vector<std::string> violations_;
};

}  // namespace jwo::sim
