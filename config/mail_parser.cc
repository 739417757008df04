// Parses `mail:` (docs/configuration.md, "mail").
#include <filesystem>

#include "config/section_parsers.h"
#include "core/email_address.h"

namespace jwo::config::internal {

void ParseMail(Reader& reader, const Value& value, const std::filesystem::path& base,
               MailConfig* out) {
  auto f =
      reader.Map(value, {"smtp_url", "require_tls", "ca_file", "username", "password_file", "from",
                         "from_name", "store_name", "support_line", "timeout_ms", "give_up_hours"});
  if (!f) return;
  out->enabled = true;
  if (const Value* v = reader.Require(*f, "smtp_url"); v && reader.String(*v, &out->smtp_url)) {
    const bool smtp = out->smtp_url.rfind("smtp://", 0) == 0 && out->smtp_url.size() > 7;
    const bool smtps = out->smtp_url.rfind("smtps://", 0) == 0 && out->smtp_url.size() > 8;
    if (!(smtp || smtps) || out->smtp_url.find_first_of(" \r\n") != std::string::npos) {
      reader.Fail(*v, "must be smtp://host[:port] (STARTTLS) or smtps://host[:port]",
                  out->smtp_url);
    }
  }
  if (const Value* v = f->Find("require_tls")) {
    std::string text;
    if (reader.String(*v, &text)) {
      if (text == "true" || text == "false") {
        out->require_tls = text == "true";
      } else {
        reader.Fail(*v, "must be true or false", text);
      }
    }
  }
  if (const Value* v = f->Find("ca_file")) ReadFile(reader, *v, base, true, &out->ca_file);
  if (const Value* v = f->Find("username")) reader.String(*v, &out->username);
  if (const Value* v = f->Find("password_file")) {
    ReadFile(reader, *v, base, true, &out->password_file);
  }
  if (!out->username.empty() && out->password_file.empty()) {
    reader.Fail(value, "username needs password_file (the password alone in a file)");
  }
  if (const Value* v = reader.Require(*f, "from");
      v && reader.String(*v, &out->from) && !core::IsValidEmailAddress(out->from)) {
    reader.Fail(*v, "must be a plain e-mail address, e.g. receipts@store.example", out->from);
  }
  for (const auto& [key, field] :
       {std::pair<const char*, std::string*>{"from_name", &out->from_name},
        {"store_name", &out->store_name},
        {"support_line", &out->support_line}}) {
    if (const Value* v = f->Find(key);
        v && reader.String(*v, field) && field->find_first_of("\r\n") != std::string::npos) {
      reader.Fail(*v, "must be one line");
    }
  }
  reader.OptionalInt(*f, "timeout_ms", uint32_t{1000}, uint32_t{600'000}, &out->timeout_ms);
  reader.OptionalInt(*f, "give_up_hours", uint32_t{1}, uint32_t{24 * 30}, &out->give_up_hours);
}

}  // namespace jwo::config::internal
