#include "tests/bench/load_report.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <string_view>

namespace jwo::bench {
namespace {

constexpr double kShortfallRatio = 0.98;
constexpr uint64_t kGeneratorLagNs = 100'000;

double Micros(uint64_t nanos) { return static_cast<double>(nanos) / 1000.0; }

uint64_t OrZero(uint64_t min_value) { return min_value == UINT64_MAX ? 0 : min_value; }

// printf into a std::string; every format here is short.
[[gnu::format(printf, 2, 3)]] void Appendf(std::string* out, const char* format, ...) {
  char line[512];
  va_list args;
  va_start(args, format);
  const int n = std::vsnprintf(line, sizeof line, format, args);
  va_end(args);
  if (n > 0) out->append(line, std::min(static_cast<size_t>(n), sizeof line - 1));
}

void AppendJsonPercentiles(std::string* out, const char* name, const LatencyHistogram& h,
                           bool full) {
  Appendf(out, "\"%s\":{", name);
  if (full) {
    Appendf(out, "\"min\":%.1f,\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p999\":%.1f,",
            Micros(h.min()), Micros(h.Percentile(50)), Micros(h.Percentile(90)),
            Micros(h.Percentile(99)), Micros(h.Percentile(99.9)));
    Appendf(out, "\"max\":%.1f,\"mean\":%.1f}", Micros(h.max()), h.mean() / 1000.0);
  } else {
    Appendf(out, "\"p50\":%.1f,\"p99\":%.1f,\"max\":%.1f}", Micros(h.Percentile(50)),
            Micros(h.Percentile(99)), Micros(h.max()));
  }
}

}  // namespace

double ThroughputRps(const LoadStats& stats) {
  if (stats.window_ns == 0) return 0;
  return static_cast<double>(stats.answered_in_window) * 1e9 / static_cast<double>(stats.window_ns);
}

bool RateFellShort(const LoadOptions& options, const LoadStats& stats) {
  if (!options.open_loop()) return false;
  return ThroughputRps(stats) < kShortfallRatio * options.rate || stats.unfinished > 0 ||
         stats.sent < stats.scheduled;
}

bool GeneratorLagged(const LoadOptions& options, const LoadStats& stats) {
  return options.open_loop() && stats.schedule_lag.Percentile(99) > kGeneratorLagNs;
}

std::string FormatTextReport(const LoadOptions& options, const LoadStats& stats,
                             double cpu_percent) {
  std::string out;
  if (options.open_loop()) {
    Appendf(&out, "jwo-loadgen: open loop at %.0f req/s", options.rate);
  } else {
    out.append("jwo-loadgen: closed loop (maximum rate)");
  }
  Appendf(&out, " to %s:%u%s\n", options.host.c_str(), options.port, options.path.c_str());
  Appendf(&out,
          "  %d connections, %d thread(s), pipeline %d, %.1f s measured after %.1f s warm-up\n",
          options.connections, options.threads, options.pipeline,
          static_cast<double>(stats.window_ns) / 1e9, options.warmup_s);
  Appendf(&out,
          "  requests    %llu %s, %llu sent, %llu answered; errors %llu (non-2xx %llu, "
          "connection lost %llu); unfinished %llu\n",
          static_cast<unsigned long long>(stats.scheduled), options.open_loop() ? "due" : "started",
          static_cast<unsigned long long>(stats.sent),
          static_cast<unsigned long long>(stats.completed),
          static_cast<unsigned long long>(stats.http_errors + stats.lost),
          static_cast<unsigned long long>(stats.http_errors),
          static_cast<unsigned long long>(stats.lost),
          static_cast<unsigned long long>(stats.unfinished));
  Appendf(&out, "  throughput  %.1f req/s\n", ThroughputRps(stats));
  const LatencyHistogram& h = stats.latency;
  Appendf(&out,
          "  latency us  p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  (min %.1f, mean "
          "%.1f)\n",
          Micros(h.Percentile(50)), Micros(h.Percentile(90)), Micros(h.Percentile(99)),
          Micros(h.Percentile(99.9)), Micros(h.max()), Micros(h.min()), h.mean() / 1000.0);
  if (options.open_loop()) {
    Appendf(&out,
            "  wait to send us  p50 %.1f  p99 %.1f  max %.1f  (generator lag p99 %.1f, max %.1f)\n",
            Micros(stats.send_delay.Percentile(50)), Micros(stats.send_delay.Percentile(99)),
            Micros(stats.send_delay.max()), Micros(stats.schedule_lag.Percentile(99)),
            Micros(stats.schedule_lag.max()));
  }
  out.append("  status     ");
  for (size_t code = 0; code < stats.status_counts.size(); ++code) {
    if (stats.status_counts[code] != 0) {
      Appendf(&out, " %zu: %llu", code, static_cast<unsigned long long>(stats.status_counts[code]));
    }
  }
  out.append("\n");
  if (options.count_outcomes) {
    Appendf(&out, "  outcomes    APPROVED %llu  DENIED %llu  other %llu",
            static_cast<unsigned long long>(stats.approved),
            static_cast<unsigned long long>(stats.denied),
            static_cast<unsigned long long>(stats.other_outcome));
    if (options.shoppers > 0) {
      Appendf(&out, "  (in-debt shoppers %llu, unexpected outcomes %llu)",
              static_cast<unsigned long long>(stats.expected_denied),
              static_cast<unsigned long long>(stats.mismatched));
    }
    out.append("\n");
  }
  Appendf(&out, "  answers     %llu-%llu bytes (body %llu-%llu)\n",
          static_cast<unsigned long long>(OrZero(stats.response_bytes_min)),
          static_cast<unsigned long long>(stats.response_bytes_max),
          static_cast<unsigned long long>(OrZero(stats.body_bytes_min)),
          static_cast<unsigned long long>(stats.body_bytes_max));
  Appendf(&out,
          "  connections %llu connect failures, %llu errors, %llu malformed answers, "
          "%llu reconnects; generator CPU %.0f%% of one core\n",
          static_cast<unsigned long long>(stats.connect_failures),
          static_cast<unsigned long long>(stats.connection_errors),
          static_cast<unsigned long long>(stats.malformed),
          static_cast<unsigned long long>(stats.reconnects), cpu_percent);
  if (RateFellShort(options, stats)) {
    Appendf(&out,
            "  *** RATE FELL SHORT: %.1f req/s achieved of %.0f req/s asked; the latencies "
            "include the queue that built up ***\n",
            ThroughputRps(stats), options.rate);
  }
  if (GeneratorLagged(options, stats)) {
    out.append(
        "  *** GENERATOR LAGGED: it noticed due requests late (see generator lag); "
        "its lateness is part of the latencies ***\n");
  }
  return out;
}

std::string FormatJsonReport(const LoadOptions& options, const LoadStats& stats,
                             double cpu_percent) {
  std::string out = "{";
  Appendf(&out, "\"mode\":\"%s\",\"target_rps\":%.1f,", options.open_loop() ? "open" : "closed",
          options.rate);
  Appendf(&out,
          "\"duration_s\":%.3f,\"warmup_s\":%.3f,\"connections\":%d,\"threads\":%d,"
          "\"pipeline\":%d,",
          static_cast<double>(stats.window_ns) / 1e9, options.warmup_s, options.connections,
          options.threads, options.pipeline);
  Appendf(&out,
          "\"scheduled\":%llu,\"sent\":%llu,\"completed\":%llu,\"errors\":%llu,"
          "\"http_errors\":%llu,\"lost\":%llu,\"unfinished\":%llu,",
          static_cast<unsigned long long>(stats.scheduled),
          static_cast<unsigned long long>(stats.sent),
          static_cast<unsigned long long>(stats.completed),
          static_cast<unsigned long long>(stats.http_errors + stats.lost),
          static_cast<unsigned long long>(stats.http_errors),
          static_cast<unsigned long long>(stats.lost),
          static_cast<unsigned long long>(stats.unfinished));
  Appendf(&out,
          "\"connect_failures\":%llu,\"connection_errors\":%llu,\"malformed\":%llu,"
          "\"reconnects\":%llu,",
          static_cast<unsigned long long>(stats.connect_failures),
          static_cast<unsigned long long>(stats.connection_errors),
          static_cast<unsigned long long>(stats.malformed),
          static_cast<unsigned long long>(stats.reconnects));
  Appendf(&out, "\"throughput_rps\":%.1f,\"rate_fell_short\":%s,\"generator_lagged\":%s,",
          ThroughputRps(stats), RateFellShort(options, stats) ? "true" : "false",
          GeneratorLagged(options, stats) ? "true" : "false");
  AppendJsonPercentiles(&out, "latency_us", stats.latency, true);
  out.append(",");
  AppendJsonPercentiles(&out, "send_delay_us", stats.send_delay, false);
  out.append(",");
  AppendJsonPercentiles(&out, "schedule_lag_us", stats.schedule_lag, false);
  out.append(",\"status\":{");
  bool first = true;
  for (size_t code = 0; code < stats.status_counts.size(); ++code) {
    if (stats.status_counts[code] == 0) continue;
    Appendf(&out, "%s\"%zu\":%llu", first ? "" : ",", code,
            static_cast<unsigned long long>(stats.status_counts[code]));
    first = false;
  }
  Appendf(&out,
          "},\"outcomes\":{\"approved\":%llu,\"denied\":%llu,\"other\":%llu,"
          "\"expected_denied\":%llu,\"mismatched\":%llu},",
          static_cast<unsigned long long>(stats.approved),
          static_cast<unsigned long long>(stats.denied),
          static_cast<unsigned long long>(stats.other_outcome),
          static_cast<unsigned long long>(stats.expected_denied),
          static_cast<unsigned long long>(stats.mismatched));
  Appendf(&out,
          "\"response_bytes\":{\"min\":%llu,\"max\":%llu},\"body_bytes\":{\"min\":%llu,"
          "\"max\":%llu},\"generator_cpu_percent\":%.1f}\n",
          static_cast<unsigned long long>(OrZero(stats.response_bytes_min)),
          static_cast<unsigned long long>(stats.response_bytes_max),
          static_cast<unsigned long long>(OrZero(stats.body_bytes_min)),
          static_cast<unsigned long long>(stats.body_bytes_max), cpu_percent);
  return out;
}

}  // namespace jwo::bench
