// The entry point every fuzz target in this folder defines, libFuzzer's contract: called once
// per input, returns 0, and crashes (abort, sanitizer report, uncaught exception) only when it
// found a bug. Two mains call it: libFuzzer (-fsanitize=fuzzer, JWO_FUZZ=ON with clang) and
// replay_main.cc, the deterministic driver every build registers with ctest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace jwo::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Stops the process with `what` on stderr: a property the target checks has failed.
[[noreturn]] void Fail(const char* what);

}  // namespace jwo::fuzz
