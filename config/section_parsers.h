// Parsers for the larger configuration sections, internal to config/ (loader.cc calls them).
//
// Each reads one YAML value into its struct through a Reader, recording every error in it and
// leaving defaults in place where a value is rejected. Single-threaded, like the Reader.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace jwo::config::internal {

// `text` made absolute against `base` (an absolute directory) and lexically normalised.
// An absolute `text` is only normalised.
std::string ResolvePath(const std::filesystem::path& base, const std::string& text);

// A file path: resolved against `base` into *out; with `must_exist`, an error unless it names a
// regular file. False (and an error recorded) when the value is refused.
bool ReadFile(Reader& reader, const Value& v, const std::filesystem::path& base, bool must_exist,
              std::string* out);

// `listeners:`; TLS file paths are resolved against `base` and must name readable files.
void ParseListeners(Reader& reader, const Value& value, const std::filesystem::path& base,
                    std::vector<ListenerConfig>* out);

// `ordering:` and `payments:`; paths resolved against `base`.
void ParseOrdering(Reader& reader, const Value& value, const std::filesystem::path& base,
                   OrderingConfig* out);
void ParsePayments(Reader& reader, const Value& value, const std::filesystem::path& base,
                   PaymentsConfig* out);

// `fa:`, including money amounts parsed exactly per currency.
void ParseFa(Reader& reader, const Value& value, FaConfig* out);

// `ledger:` (ledger_parser.cc); file paths resolved against `base` and must exist.
void ParseLedger(Reader& reader, const Value& value, const std::filesystem::path& base,
                 LedgerConfig* out);
// `mail:` (mail_parser.cc); file paths resolved against `base` and must exist.
void ParseMail(Reader& reader, const Value& value, const std::filesystem::path& base,
               MailConfig* out);

// `portal:` (portal_parser.cc); the staff password file must exist.
void ParsePortal(Reader& reader, const Value& value, const std::filesystem::path& base,
                 PortalConfig* out);

// `gates:` (gate_parser.cc); a driver given as a path is resolved against `base`.
void ParseGates(Reader& reader, const Value& value, const std::filesystem::path& base,
                std::vector<GateConfig>* out);

}  // namespace jwo::config::internal
