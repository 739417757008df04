// jwo-payment-sim: argument parsing, the server and simulator assembly, the io threads and the
// signals. Everything else lives in the jwo_payment_sim library the tests link.
#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/log.h"
#include "http/server.h"
#include "jwo/version.h"
#include "tests/fakes/payment_sim/command_line.h"
#include "tests/fakes/payment_sim/simulator.h"

namespace {

namespace asio = boost::asio;
using namespace jwo;

constexpr auto kDrainDeadline = std::chrono::seconds(2);

core::Result<payment_sim::Script> LoadScript(const std::string& path) {
  std::ifstream in(path);
  if (!in) return core::IoError("cannot read script " + path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto script = payment_sim::ParseScript(text);
  if (!script.ok()) return core::InvalidArgument(path + ": " + script.status().message());
  return script;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = payment_sim::ParseCommandLine(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.ok()) {
    std::fprintf(stderr, "jwo-payment-sim: %s\n\n%s", parsed.status().message().c_str(),
                 payment_sim::UsageText().c_str());
    return 2;
  }
  const payment_sim::CommandLine& cl = *parsed;
  if (cl.help) {
    std::fputs(payment_sim::UsageText().c_str(), stdout);
    return 0;
  }
  if (cl.version) {
    std::printf("jwo-payment-sim %s\n", kVersion);
    return 0;
  }

  payment_sim::SimulatorOptions options;
  options.credentials = cl.credentials;
  options.region = cl.region;
  options.max_skew_ms = cl.max_skew_ms;
  options.max_records = cl.max_records;
  options.log_requests = !cl.quiet;
  if (!cl.script_file.empty()) {
    auto script = LoadScript(cl.script_file);
    if (!script.ok()) {
      std::fprintf(stderr, "jwo-payment-sim: %s\n", script.status().message().c_str());
      return 2;
    }
    options.startup_script = std::move(*script);
  }
  if (cl.capture_replay) options.startup_script.capture_replay = *cl.capture_replay;

  asio::io_context io;
  core::SystemClock clock;
  auto simulator = std::make_shared<payment_sim::PaymentSimulator>(io, std::move(options), clock);
  auto router = std::make_shared<http::Router>();
  simulator->AddRoutes(*router);

  // A scripted slow answer may take up to kMaxDelayMs; the server must not cut it short.
  http::ServerLimits limits;
  limits.request_timeout_ms = static_cast<uint32_t>(payment_sim::kMaxDelayMs + 60'000);
  // --threads connection threads serve the requests; `io` (the simulator's timers, the listener)
  // runs on this thread and the --threads - 1 others below.
  http::Server server(io, limits, static_cast<int>(std::max(1u, cl.threads)));
  http::ListenerSpec spec;
  spec.name = "payment-sim";
  spec.address = cl.listen_address;
  spec.port = cl.listen_port;
  spec.router = router;
  if (!cl.tls_cert_file.empty()) {
    spec.tls = http::TlsSettings{cl.tls_cert_file, cl.tls_key_file, ""};
  }
  auto port = server.AddListener(spec);
  if (!port.ok()) {
    std::fprintf(stderr, "jwo-payment-sim: %s\n", port.status().ToString().c_str());
    return 1;
  }
  const std::string host = cl.listen_address.find(':') != std::string::npos
                               ? "[" + cl.listen_address + "]"
                               : cl.listen_address;
  const std::string bound = host + ":" + std::to_string(*port);
  // Signals are caught before the port is announced: whoever reads the line may stop us.
  auto work = asio::make_work_guard(io);
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    core::LogInfo("stop requested", {{"signal", signo == SIGTERM ? "SIGTERM" : "SIGINT"}});
    server.Shutdown(kDrainDeadline, [&] {
      work.reset();
      io.stop();
    });
  });
  server.Start();
  core::LogInfo(
      "listening",
      {{"address", bound}, {"scheme", spec.tls ? "https" : "http"}, {"region", cl.region}});
  if (cl.print_port) {
    std::printf("listening %s\n", bound.c_str());
    std::fflush(stdout);
  }

  std::vector<std::thread> threads;
  for (unsigned i = 1; i < cl.threads; ++i) threads.emplace_back([&] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  return 0;
}
