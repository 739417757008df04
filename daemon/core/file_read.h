// Reading a whole configuration-sized file into memory, with a size bound so a wrong path (a
// device, a log file) fails fast instead of filling memory. Any thread.
#pragma once

#include <cstddef>
#include <string>

#include "core/status.h"

namespace jwo::core {

// The file's bytes. Errors: kIoError "cannot open file: <reason>" / "cannot read file:
// <reason>"; kOutOfRange "file is larger than N MiB" when it exceeds `max_bytes`.
Result<std::string> ReadFileBounded(const std::string& path, size_t max_bytes);

}  // namespace jwo::core
