// jwo-edgectl: the operator's command line for a running jwo-edged (docs/operations.md).
#include <boost/json.hpp>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "config/loader.h"
#include "ctl/answer.h"
#include "ctl/control_client.h"
#include "gate/ctl_request.h"
#include "jwo/version.h"
#include "nats/nats_link.h"

namespace {

namespace json = boost::json;

constexpr const char* kDefaultSocket = "/run/jwo-edge/control.sock";

void Usage(std::FILE* out) {
  std::fputs(
      "usage: jwo-edgectl [--socket PATH | --config FILE] [--json] COMMAND ...\n"
      "\n"
      "commands:\n"
      "  status                                   daemon, store, listeners, counters\n"
      "  shopper show SHOPPER                     balance, override, debts, audit, gate answer\n"
      "  shopper allow SHOPPER --reason TEXT      always admit (audited)\n"
      "  shopper block SHOPPER --reason TEXT      always deny (audited)\n"
      "  shopper clear-override SHOPPER --reason TEXT\n"
      "      [--scope store|chain]                an override of every store in the chain\n"
      "  debt add SHOPPER TRIP AMOUNT CURRENCY --reason TEXT\n"
      "  debt list SHOPPER\n"
      "  debt settle SHOPPER TRIP REFERENCE --reason TEXT [--kind trip|expired|manual]\n"
      "                                           --kind only when the trip has several open "
      "debts\n"
      "  audit [SHOPPER]                          recent operator changes, newest first\n"
      "  gate ... --reason TEXT                   gate hardware (a reason for every change); "
      "`jwo-edgectl gate` lists the "
      "forms\n"
      "  trip show TRIP                           cart, totals, payment state and history\n"
      "  trip list [STATE] [--limit N]            newest N (200) trips, e.g. held, attention\n"
      "  trip resolve TRIP price-line LINE AMOUNT --reason TEXT [--currency CODE]\n"
      "                                           (--currency: a trip held before any catalog)\n"
      "  trip resolve TRIP remove-line LINE --reason TEXT\n"
      "  trip resolve TRIP release --reason TEXT  charge what is priced, drop the rest\n"
      "  trip resolve TRIP captured AMOUNT --reason TEXT\n"
      "                                           a capture_unknown trip: Amazon did capture\n"
      "  trip resolve TRIP not-captured --reason TEXT\n"
      "                                           ... Amazon did not: send the Capture once more\n"
      "  trip resend-receipt TRIP --reason TEXT   mail the receipt again, to the address on file\n"
      "  refund TRIP AMOUNT REASON_CODE --reason TEXT   e.g. refund T1 4.99 DAMAGED_ITEM\n"
      "  outbox list [--dead]                     payment calls waiting, or dead letters\n"
      "  outbox show SEQ                          one entry with its exact request body\n"
      "  outbox retry SEQ --reason TEXT           send a dead letter again\n"
      "  outbox drop SEQ --reason TEXT            delete a dead letter settled outside jwo-edge\n"
      "  store verify                             read the whole store and check it; exit 1 on "
      "problems\n"
      "  ledger held                              debts the inflow breaker holds back\n"
      "  ledger confirm [--origin STORE] --reason TEXT\n"
      "                                           deny on the held debts (of one store)\n"
      "  ledger provision --server URL [--server URL ...] [--bucket NAME] [--replicas N]\n"
      "      [--max-bytes N] [--duplicate-window-s N] [--max-value-size N]\n"
      "      [--creds FILE] [--ca FILE] [--cert FILE --key FILE]\n"
      "                                           create or adjust the chain's bucket (cloud\n"
      "                                           operator; talks to NATS, not to the daemon)\n"
      "\n"
      "The socket is --socket, else the control.socket of --config, else $JWO_EDGE_SOCKET,\n"
      "else "
      "/run/jwo-edge/control.sock"
      ".\n"
      "Exit status: 0 done, 1 the daemon refused, 2 usage error, 3 daemon unreachable.\n",
      out);
}

struct Args {
  std::vector<std::string> positional;
  std::string reason;
  bool dead = false;
  std::string limit;
  std::string currency;
  std::string kind;
  std::string origin;
  std::string scope;
  std::vector<std::string> servers;
  std::string bucket = "debts";
  std::string replicas, max_bytes, duplicate_window_s, max_value_size;
  std::string creds, ca, cert, key;
};

// A whole decimal number in [min, max], or exit 2 naming the option.
int64_t NumberOption(const std::string& text, const char* option, int64_t min, int64_t max) {
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || v < min || v > max) {
    std::fprintf(stderr, "jwo-edgectl: %s must be a whole number from %lld to %lld\n", option,
                 static_cast<long long>(min), static_cast<long long>(max));
    std::exit(2);
  }
  return v;
}

int Provision(const Args& a) {
  jwo::nats::LinkOptions link;
  link.servers = a.servers;
  link.name = "jwo-edgectl ledger provision";
  link.credentials_file = a.creds;
  link.tls_ca_file = a.ca;
  link.tls_cert_file = a.cert;
  link.tls_key_file = a.key;
  jwo::nats::BucketSpec spec;
  spec.bucket = a.bucket;
  if (!a.replicas.empty()) spec.replicas = NumberOption(a.replicas, "--replicas", 1, 5);
  if (!a.max_bytes.empty())
    spec.max_bytes = NumberOption(a.max_bytes, "--max-bytes", -1, INT64_MAX);
  if (!a.duplicate_window_s.empty()) {
    spec.duplicate_window_s =
        NumberOption(a.duplicate_window_s, "--duplicate-window-s", 1, 7 * 86400);
  }
  if (!a.max_value_size.empty()) {
    spec.max_value_size = NumberOption(a.max_value_size, "--max-value-size", -1, 1 << 20);
  }
  // The debts bucket and its siblings: chain-scoped overrides (docs/ledger.md) and the chain's
  // portal (receipts and refund requests, docs/portal.md), whose values are whole trips.
  const int64_t value_size = spec.max_value_size;
  for (const std::string& bucket : {a.bucket, a.bucket + "-overrides", a.bucket + "-portal"}) {
    spec.bucket = bucket;
    spec.max_value_size = bucket == a.bucket + "-portal" ? 1 << 20 : value_size;
    auto done = jwo::nats::ProvisionBucket(link, spec);
    if (!done.ok()) {
      std::fprintf(stderr, "jwo-edgectl: ledger provision %s: %s\n", bucket.c_str(),
                   done.status().message().c_str());
      return done.status().code() == jwo::core::StatusCode::kUnavailable ? 3 : 1;
    }
    std::printf("%s\n", done->c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string socket;
  std::string config_file;
  bool raw_json = false;
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--socket" && i + 1 < argc) {
      socket = argv[++i];
    } else if (a == "--config" && i + 1 < argc) {
      config_file = argv[++i];
    } else if (a == "--reason" && i + 1 < argc) {
      args.reason = argv[++i];
    } else if (a == "--limit" && i + 1 < argc) {
      args.limit = argv[++i];
    } else if (a == "--currency" && i + 1 < argc) {
      args.currency = argv[++i];
    } else if (a == "--kind" && i + 1 < argc) {
      args.kind = argv[++i];
    } else if (a == "--scope" && i + 1 < argc) {
      args.scope = argv[++i];
    } else if (a == "--origin" && i + 1 < argc) {
      args.origin = argv[++i];
    } else if (a == "--server" && i + 1 < argc) {
      args.servers.push_back(argv[++i]);
    } else if (a == "--bucket" && i + 1 < argc) {
      args.bucket = argv[++i];
    } else if (a == "--replicas" && i + 1 < argc) {
      args.replicas = argv[++i];
    } else if (a == "--max-bytes" && i + 1 < argc) {
      args.max_bytes = argv[++i];
    } else if (a == "--duplicate-window-s" && i + 1 < argc) {
      args.duplicate_window_s = argv[++i];
    } else if (a == "--max-value-size" && i + 1 < argc) {
      args.max_value_size = argv[++i];
    } else if (a == "--creds" && i + 1 < argc) {
      args.creds = argv[++i];
    } else if (a == "--ca" && i + 1 < argc) {
      args.ca = argv[++i];
    } else if (a == "--cert" && i + 1 < argc) {
      args.cert = argv[++i];
    } else if (a == "--key" && i + 1 < argc) {
      args.key = argv[++i];
    } else if (a == "--dead") {
      args.dead = true;
    } else if (a == "--json") {
      raw_json = true;
    } else if (a == "--version") {
      std::printf("jwo-edgectl %s\n", jwo::kVersion);
      return 0;
    } else if (a == "--help" || a == "-h") {
      Usage(stdout);
      return 0;
    } else if (a.rfind("--", 0) == 0) {
      std::fprintf(stderr, "jwo-edgectl: unknown option '%s'\n", a.c_str());
      return 2;
    } else {
      args.positional.push_back(a);
    }
  }
  if (socket.empty() && !config_file.empty()) {
    // A broken file is exactly when the operator needs `status`: never stop here.
    auto loaded = jwo::config::LoadConfig(config_file);
    if (loaded.ok()) {
      socket = loaded.config->control.socket_path;
    } else {
      for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
      if (auto lenient = jwo::config::LenientControlSocket(config_file)) {
        socket = *lenient;
        std::fprintf(stderr,
                     "jwo-edgectl: %s does not load (%zu errors above); using its control.socket "
                     "%s anyway (give --socket PATH to choose)\n",
                     config_file.c_str(), loaded.errors.size(), socket.c_str());
      } else {
        std::fprintf(stderr,
                     "jwo-edgectl: %s does not load (%zu errors above) and names no "
                     "control.socket; using the default socket (give --socket PATH to choose)\n",
                     config_file.c_str(), loaded.errors.size());
      }
    }
  }
  if (socket.empty()) {
    const char* env = std::getenv("JWO_EDGE_SOCKET");
    socket = env != nullptr ? env : kDefaultSocket;
  }

  const auto& p = args.positional;
  auto need = [&](size_t n, const char* form) {
    if (p.size() != n) {
      std::fprintf(stderr, "usage: jwo-edgectl %s\n", form);
      std::exit(2);
    }
  };
  json::object req;
  const std::string group = p.empty() ? "" : p[0];
  const std::string verb = p.size() > 1 ? p[1] : "";
  if (group == "status") {
    need(1, "status");
    req = {{"command", "status"}};
  } else if (group == "shopper" && verb == "show") {
    need(3, "shopper show SHOPPER");
    req = {{"command", "shopper.show"}, {"shopper", p[2]}};
  } else if (group == "shopper" &&
             (verb == "allow" || verb == "block" || verb == "clear-override")) {
    need(3, "shopper allow|block|clear-override SHOPPER --reason TEXT [--scope store|chain]");
    req = {{"command", "shopper." + verb}, {"shopper", p[2]}, {"reason", args.reason}};
    if (!args.scope.empty()) req["scope"] = args.scope;
  } else if (group == "debt" && verb == "add") {
    need(6, "debt add SHOPPER TRIP AMOUNT CURRENCY --reason TEXT");
    req = {{"command", "debt.add"}, {"shopper", p[2]},  {"trip", p[3]},
           {"amount", p[4]},        {"currency", p[5]}, {"reason", args.reason}};
  } else if (group == "debt" && verb == "list") {
    need(3, "debt list SHOPPER");
    req = {{"command", "debt.list"}, {"shopper", p[2]}};
  } else if (group == "debt" && verb == "settle") {
    need(5, "debt settle SHOPPER TRIP REFERENCE --reason TEXT [--kind trip|expired|manual]");
    req = {{"command", "debt.settle"},
           {"shopper", p[2]},
           {"trip", p[3]},
           {"reference", p[4]},
           {"reason", args.reason}};
    if (!args.kind.empty()) req["kind"] = args.kind;
  } else if (group == "trip" && verb == "show") {
    need(3, "trip show TRIP");
    req = {{"command", "trip.show"}, {"trip", p[2]}};
  } else if (group == "trip" && verb == "list") {
    if (p.size() > 3) need(3, "trip list [STATE]");
    req = {{"command", "trip.list"}};
    if (p.size() == 3) req["state"] = p[2];
    if (!args.limit.empty()) req["limit"] = args.limit;
  } else if (group == "trip" && verb == "resend-receipt") {
    need(3, "trip resend-receipt TRIP --reason TEXT");
    req = {{"command", "trip.resend-receipt"}, {"trip", p[2]}, {"reason", args.reason}};
  } else if (group == "trip" && verb == "resolve" && p.size() >= 4) {
    const std::string& action = p[3];
    req = {
        {"command", "trip.resolve"}, {"trip", p[2]}, {"action", action}, {"reason", args.reason}};
    if (action == "price-line") {
      need(6, "trip resolve TRIP price-line LINE AMOUNT --reason TEXT [--currency CODE]");
      req["line"] = p[4];
      req["amount"] = p[5];
      if (!args.currency.empty()) req["currency"] = args.currency;
    } else if (action == "remove-line") {
      need(5, "trip resolve TRIP remove-line LINE --reason TEXT");
      req["line"] = p[4];
    } else if (action == "captured") {
      need(5, "trip resolve TRIP captured AMOUNT --reason TEXT");
      req["amount"] = p[4];
    } else if (action == "not-captured") {
      need(4, "trip resolve TRIP not-captured --reason TEXT");
    } else {
      need(4, "trip resolve TRIP release --reason TEXT");
    }
  } else if (group == "refund") {
    need(4, "refund TRIP AMOUNT REASON_CODE --reason TEXT");
    req = {{"command", "refund"},
           {"trip", p[1]},
           {"amount", p[2]},
           {"reason_code", p[3]},
           {"reason", args.reason}};
  } else if (group == "outbox" && verb == "list") {
    need(2, "outbox list [--dead]");
    req = {{"command", "outbox.list"}, {"dead", args.dead ? "true" : "false"}};
  } else if (group == "outbox" && (verb == "show" || verb == "retry" || verb == "drop")) {
    need(3, "outbox show|retry|drop SEQ [--reason TEXT]");
    req = {{"command", "outbox." + verb}, {"seq", p[2]}, {"reason", args.reason}};
  } else if (group == "gate") {
    std::string usage;
    if (!jwo::gate::GateCtlRequest({p.begin() + 1, p.end()}, &req, &usage)) {
      std::fprintf(stderr, "usage: jwo-edgectl %s\n", usage.c_str());
      return 2;
    }
    if (!args.reason.empty()) req["reason"] = args.reason;
  } else if (group == "ledger" && verb == "provision") {
    need(2, "ledger provision --server URL [--server URL ...] [options]");
    if (args.servers.empty()) {
      std::fprintf(stderr, "usage: jwo-edgectl ledger provision --server URL (at least one)\n");
      return 2;
    }
    return Provision(args);
  } else if (group == "ledger" && verb == "held") {
    need(2, "ledger held");
    req = {{"command", "ledger.held"}};
  } else if (group == "ledger" && verb == "confirm") {
    need(2, "ledger confirm [--origin STORE] --reason TEXT");
    req = {{"command", "ledger.confirm"}, {"reason", args.reason}};
    if (!args.origin.empty()) req["origin"] = args.origin;
  } else if (group == "store" && verb == "verify") {
    need(2, "store verify");
    req = {{"command", "store.verify"}};
  } else if (group == "audit") {
    if (p.size() > 2) {
      std::fprintf(stderr, "usage: jwo-edgectl audit [SHOPPER]\n");
      return 2;
    }
    req = {{"command", "audit.list"}};
    if (p.size() == 2) req["shopper"] = p[1];
  } else {
    Usage(stderr);
    return 2;
  }

  auto answer = jwo::ctl::Exchange(socket, json::serialize(req));
  if (!answer.ok()) {
    std::fprintf(stderr, "jwo-edgectl: %s\n", answer.status().message().c_str());
    return 3;
  }
  return jwo::ctl::ShowAnswer(*answer, raw_json, stdout, stderr);
}
