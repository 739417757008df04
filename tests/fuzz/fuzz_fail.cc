#include <cstdio>
#include <cstdlib>

#include "fuzz_target.h"

namespace jwo::fuzz {

void Fail(const char* what) {
  std::fprintf(stderr, "fuzz property failed: %s\n", what);
  std::abort();
}

}  // namespace jwo::fuzz
