// LoadOneYamlDocument: the one YAML document of a configuration or catalog file, and where a
// second document starts when the text holds more than one (both files must hold exactly one).
//
// It replaces YAML::LoadAll, which in yaml-cpp 0.7 (Debian 12) never returns on some malformed
// input - a lone "," is enough - and allocates a null document per turn until memory runs out
// (jbeder/yaml-cpp#1040, fixed upstream after 0.8). Here at most two documents are parsed, and a
// document that starts where the previous one started (the parser did not move) is a syntax
// error. Found by the config_text fuzz target (tests/fuzz). Reentrant: any thread.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string_view>

namespace jwo::config {

struct YamlDocument {
  YAML::Node root;  // the first document; a null node for a text without one
  // Where the second document's first node is, when there is a second document.
  std::optional<YAML::Mark> second_document;
};

// Parses the first document of `text` and looks for a second one.
// Throws YAML::Exception (with its mark) for a syntax error in either document, as
// YAML::LoadAll does.
YamlDocument LoadOneYamlDocument(std::string_view text);

}  // namespace jwo::config
