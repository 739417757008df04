// ConfigError: one precise complaint about a configuration file (file, line, key, rule broken).
//
// The loader collects every error it finds rather than stopping at the first, so store IT can
// fix a file in one pass, the way `nginx -t` reports. A ConfigError is a plain value; use it
// from any thread.
#pragma once

#include <string>

namespace jwo::config {

struct ConfigError {
  std::string file;   // the configuration file (or the name given for an in-memory document)
  int line = 0;       // 1-based; 0 when the error has no position (e.g. the file is unreadable)
  int column = 0;     // 1-based; 0 together with line
  std::string key;    // path of the offending key, e.g. "listeners[1].tls.certificate"; may be
                      // empty (YAML syntax errors, file errors)
  std::string rule;   // the rule that was broken, e.g. "must be between 1 and 64"
  std::string found;  // the offending scalar text as written; empty when there is none

  // "<file>:<line>:<column>: <key>: <rule> (found \"<found>\")". The position is left out when
  // line is 0, the key when empty, the found part when found is empty. Found text is quoted
  // with C-style escapes and cut to 80 characters so a stray binary blob stays one line.
  std::string ToString() const;
};

}  // namespace jwo::config
