// Parses `portal:` (docs/configuration.md, "portal"; docs/portal.md).
#include <filesystem>

#include "config/section_parsers.h"

namespace jwo::config::internal {

void ParsePortal(Reader& reader, const Value& value, const std::filesystem::path& base,
                 PortalConfig* out) {
  auto f = reader.Map(value, {"public_url", "secure_cookies", "code_ttl_seconds", "code_attempts",
                              "codes_per_hour", "lockout_failures", "lockout_minutes",
                              "session_minutes", "staff_password_file", "processor"});
  if (!f) return;
  out->enabled = true;
  if (const Value* v = f->Find("public_url"); v && reader.String(*v, &out->public_url)) {
    const bool http =
        out->public_url.rfind("https://", 0) == 0 || out->public_url.rfind("http://", 0) == 0;
    if (!http || out->public_url.find_first_of(" \r\n\"<>") != std::string::npos) {
      reader.Fail(*v, "must be an http:// or https:// URL", out->public_url);
    }
  }
  if (const Value* v = f->Find("secure_cookies")) {
    std::string text;
    if (reader.String(*v, &text)) {
      if (text == "true" || text == "false") {
        out->secure_cookies = text == "true";
      } else {
        reader.Fail(*v, "must be true or false", text);
      }
    }
  }
  reader.OptionalInt(*f, "code_ttl_seconds", uint32_t{60}, uint32_t{3600}, &out->code_ttl_seconds);
  reader.OptionalInt(*f, "code_attempts", uint32_t{1}, uint32_t{10}, &out->code_attempts);
  reader.OptionalInt(*f, "codes_per_hour", uint32_t{1}, uint32_t{20}, &out->codes_per_hour);
  reader.OptionalInt(*f, "lockout_failures", uint32_t{3}, uint32_t{100}, &out->lockout_failures);
  reader.OptionalInt(*f, "lockout_minutes", uint32_t{1}, uint32_t{1440}, &out->lockout_minutes);
  reader.OptionalInt(*f, "session_minutes", uint32_t{5}, uint32_t{720}, &out->session_minutes);
  if (const Value* v = f->Find("staff_password_file")) {
    ReadFile(reader, *v, base, true, &out->staff_password_file);
  }
  if (const Value* v = f->Find("processor");
      v && reader.String(*v, &out->processor) && out->processor != "sandbox") {
    reader.Fail(*v, "must be sandbox (the only processor adapter of this build)", out->processor);
  }
}

}  // namespace jwo::config::internal
