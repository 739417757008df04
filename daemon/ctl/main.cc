// jwo-edgectl: the operator's command line for a running jwo-edged (docs/operations.md).
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "config/loader.h"
#include "ctl/control_client.h"
#include "jwo/version.h"

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
      "  debt add SHOPPER TRIP AMOUNT CURRENCY --reason TEXT\n"
      "  debt list SHOPPER\n"
      "  debt settle SHOPPER TRIP REFERENCE --reason TEXT\n"
      "  audit [SHOPPER]                          recent operator changes, newest first\n"
      "\n"
      "The socket is --socket, else the control.socket of --config, else $JWO_EDGE_SOCKET,\n"
      "else " "/run/jwo-edge/control.sock" ".\n"
      "Exit status: 0 done, 1 the daemon refused, 2 usage error, 3 daemon unreachable.\n",
      out);
}

// Human output: nested objects as indented "key: value" lines, arrays of objects as blocks.
void Print(const json::value& v, int indent, const std::string& key);

void PrintScalarLine(const json::value& v, int indent, const std::string& key) {
  std::string text = v.is_string() ? std::string(v.get_string()) : json::serialize(v);
  std::printf("%*s%s%s%s\n", indent, "", key.c_str(), key.empty() ? "" : ": ", text.c_str());
}

void Print(const json::value& v, int indent, const std::string& key) {
  if (v.is_object()) {
    if (!key.empty()) std::printf("%*s%s:\n", indent, "", key.c_str());
    const int inner = key.empty() ? indent : indent + 2;
    for (const auto& kv : v.get_object()) Print(kv.value(), inner, std::string(kv.key()));
  } else if (v.is_array()) {
    const auto& arr = v.get_array();
    if (arr.empty()) {
      std::printf("%*s%s: (none)\n", indent, "", key.c_str());
      return;
    }
    std::printf("%*s%s:\n", indent, "", key.c_str());
    for (const auto& item : arr) {
      if (item.is_object()) {
        bool first = true;
        for (const auto& kv : item.get_object()) {
          std::string text = kv.value().is_string() ? std::string(kv.value().get_string())
                                                    : json::serialize(kv.value());
          std::printf("%*s%s %s: %s\n", indent + 2, "", first ? "-" : " ",
                      std::string(kv.key()).c_str(), text.c_str());
          first = false;
        }
      } else {
        PrintScalarLine(item, indent + 2, "-");
      }
    }
  } else {
    PrintScalarLine(v, indent, key);
  }
}

struct Args {
  std::vector<std::string> positional;
  std::string reason;
};

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
    auto loaded = jwo::config::LoadConfig(config_file);
    if (!loaded.ok()) {
      for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
      return 2;
    }
    socket = loaded.config->control.socket_path;
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
    need(3, "shopper allow|block|clear-override SHOPPER --reason TEXT");
    req = {{"command", "shopper." + verb}, {"shopper", p[2]}, {"reason", args.reason}};
  } else if (group == "debt" && verb == "add") {
    need(6, "debt add SHOPPER TRIP AMOUNT CURRENCY --reason TEXT");
    req = {{"command", "debt.add"}, {"shopper", p[2]},  {"trip", p[3]},
           {"amount", p[4]},        {"currency", p[5]}, {"reason", args.reason}};
  } else if (group == "debt" && verb == "list") {
    need(3, "debt list SHOPPER");
    req = {{"command", "debt.list"}, {"shopper", p[2]}};
  } else if (group == "debt" && verb == "settle") {
    need(5, "debt settle SHOPPER TRIP REFERENCE --reason TEXT");
    req = {{"command", "debt.settle"}, {"shopper", p[2]},      {"trip", p[3]},
           {"reference", p[4]},        {"reason", args.reason}};
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
  if (raw_json) {
    std::printf("%s\n", answer->c_str());
  }
  json::value parsed;
  try {
    parsed = json::parse(*answer);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "jwo-edgectl: unreadable answer from the daemon: %s\n", e.what());
    return 1;
  }
  const json::object& obj = parsed.as_object();
  if (!obj.at("ok").as_bool()) {
    std::fprintf(stderr, "jwo-edgectl: %s (%s)\n", std::string(obj.at("error").as_string()).c_str(),
                 std::string(obj.at("code").as_string()).c_str());
    return 1;
  }
  if (!raw_json) Print(obj.at("result"), 0, "");
  return 0;
}
