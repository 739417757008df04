// Create Purchases bodies and the daemon configuration used by the payment integration tests.
#pragma once

#include <random>
#include <string>
#include <vector>

namespace jwo::testing {

inline std::string NewTestUuid() {
  static std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    out += kHex[rng() % 16];
  }
  return out;
}

struct Item {
  Item(std::string s, std::string q = "1", std::string l = "")
      : sku(std::move(s)), quantity(std::move(q)), line_id(std::move(l)) {}
  std::string sku;
  std::string quantity;
  std::string line_id;
};

inline std::string PurchaseBody(const std::string& trip, const std::vector<Item>& items,
                                const std::string& shopper = "",
                                const std::string& store = "it-store") {
  std::string cart;
  for (const Item& i : items) {
    if (!cart.empty()) cart += ",";
    cart += R"({"id":")" + i.sku + R"(","type":"SKU","quantity":{"value":")" + i.quantity +
            R"(","unit":"unit"})";
    if (!i.line_id.empty()) cart += R"(,"lineItemId":")" + i.line_id + "\"";
    cart += "}";
  }
  std::string body =
      R"({"requestId":")" + NewTestUuid() + R"(","idempotentShoppingTripId":")" + trip +
      R"(","storeId":")" + store +
      R"(","shoppingTrip":{"startTime":"2026-11-27T10:00:00Z","endTime":"2026-11-27T10:05:00Z",)"
      R"("authEvents":[{"id":")" +
      NewTestUuid() +
      R"(","timestamp":"2026-11-27T10:00:00Z","location":"ENTRY","payloadType":"FINANCIAL"}]},)"
      R"("cartItems":[)" +
      cart + "]";
  if (!shopper.empty()) body += R"(,"shopperIdentity":{"id":")" + shopper + R"("})";
  return body + "}";
}

// A small catalog: COLA 1.49 and CHIPS 3.99 taxed 8.25 %, MILK 4.29 exempt.
inline constexpr const char* kTestCatalog = R"(currency: USD
rounding: {mode: half_up, level: line}
taxes:
  rates:
    state: {name: State sales tax, percent: 6.25}
    city: {name: City sales tax, percent: 2}
  categories:
    general: [state, city]
    grocery: exempt
items:
  - {sku: COLA, upcs: ["049000028911"], name: Cola, price: 1.49, tax_category: general}
  - {sku: CHIPS, name: Chips, price: 3.99, tax_category: general}
  - {sku: MILK, name: Milk, price: 4.29, tax_category: grocery}
)";

// DefaultTestConfig() plus purchases, the catalog and a payments section aimed at `sim_port`.
inline std::string PaymentsConfig(uint16_t sim_port) {
  return R"(store_id: it-store
store:
  state_directory: @STATE@
  map_size_mib: 16
http:
  threads: 2
listeners:
  - name: amazon
    address: 127.0.0.1
    port: 0
    apis: [shopper_authorization, purchases, health, metrics]
fa:
  strategy: retailer_managed
  fail_mode: deny
  thresholds:
    USD: 0.01
audit:
  flush_interval_ms: 5
log:
  level: info
  target: stderr
control:
  socket: @SOCKET@
ordering:
  catalog: @DIR@/catalog.yaml
payments:
  endpoint: http://127.0.0.1:)" +
         std::to_string(sim_port) + R"(
  region: us-east-1
  credentials:
    source: file
    file: @DIR@/aws-credentials
  request_timeout_ms: 2000
  retry_base_ms: 50
  retry_cap_ms: 400
  pending_retry_ms: 50
)";
}

}  // namespace jwo::testing
