// ShowAnswer: how jwo-edgectl presents the daemon's answer line, whatever its shape.
//
// The daemon answers {"ok": true, "result": ...} or {"ok": false, "code": "...", "error": "..."}
// (docs/operations.md). An answer of any other shape (a newer or older daemon, a proxy, damage)
// is reported as an error, never an uncaught exception. Any thread; writes only to the FILEs.
#pragma once

#include <cstdio>
#include <string_view>

namespace jwo::ctl {

// Prints `answer`: the raw line to `out` when `raw_json`, else the result as indented
// "key: value" lines. Returns the exit status: 0 for an ok answer; 1 after printing to `err`
// the daemon's error and code, or "unexpected answer from the daemon" naming what is missing
// for an answer that is not JSON or not of the shape above.
int ShowAnswer(std::string_view answer, bool raw_json, std::FILE* out, std::FILE* err);

}  // namespace jwo::ctl
