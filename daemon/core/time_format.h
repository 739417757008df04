// ISO 8601 timestamps as Amazon's APIs send them ("2024-03-01T10:15:30Z",
// "2024-03-01T10:15:30.123+02:00"). Pure functions, any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace jwo::core {

// Parses an ISO 8601 date-time with a 'T' separator, optional fractional seconds (up to 9
// digits, kept to the millisecond) and a zone ('Z', '+hh:mm', '-hh:mm' or '+hhmm'). A zone is
// required: a local time cannot be placed on the timeline. Returns milliseconds since the Unix
// epoch, or kInvalidArgument naming what is wrong.
Result<int64_t> ParseIso8601(std::string_view text);

// Formats milliseconds since the Unix epoch as "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string FormatIso8601(int64_t unix_ms);

// Formats the UTC time of `unix_ms` (whole seconds) with strftime's `format`, e.g.
// "%a, %d %b %Y %H:%M:%S +0000" for a mail's Date header. At most 127 bytes.
std::string FormatUtc(int64_t unix_ms, const char* format);

}  // namespace jwo::core
