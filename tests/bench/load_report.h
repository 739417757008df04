// LoadReport: how a finished jwo-loadgen run is told — a text summary for people, a one-line
// JSON object for scripts (tests/bench/run_fa_bench.sh reads its field names) — and the verdict
// on whether an open-loop run achieved its target rate.
//
// Pure functions, any thread.
#pragma once

#include <string>

#include "tests/bench/load_options.h"
#include "tests/bench/load_stats.h"

namespace jwo::bench {

// Answers whose last byte arrived inside the measured window, per second of the window.
double ThroughputRps(const LoadStats& stats);

// Open loop only (false for closed loop): true when the throughput fell below 98 % of the
// target rate, or recorded requests were left unsent or unanswered at the drain deadline —
// the server (or the generator) could not keep up, and latencies then include queueing that
// grows with the run's length.
bool RateFellShort(const LoadOptions& options, const LoadStats& stats);

// Open loop only: true when the generator itself noticed due requests late (p99 of the
// schedule lag over 100 us), so its own lateness is a visible part of the latencies.
bool GeneratorLagged(const LoadOptions& options, const LoadStats& stats);

// Multi-line human summary, ending in a newline. `cpu_percent` is the generator's CPU time over
// the run's wall time (100 = one core).
std::string FormatTextReport(const LoadOptions& options, const LoadStats& stats,
                             double cpu_percent);

// One line of JSON, newline-terminated; latencies in microseconds.
std::string FormatJsonReport(const LoadOptions& options, const LoadStats& stats,
                             double cpu_percent);

}  // namespace jwo::bench
