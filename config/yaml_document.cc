#include "config/yaml_document.h"

#include <yaml-cpp/eventhandler.h>

#include <sstream>
#include <string>
#include <vector>

namespace jwo::config {
namespace {

// Records where each document starts and where its first node is; builds nothing.
class DocumentMarks final : public YAML::EventHandler {
 public:
  struct Document {
    YAML::Mark start;
    std::optional<YAML::Mark> first_node;
  };
  std::vector<Document> documents;

  void OnDocumentStart(const YAML::Mark& mark) override { documents.push_back({mark, {}}); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { Node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { Node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    Node(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    Node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    Node(mark);
  }
  void OnMapEnd() override {}

 private:
  void Node(const YAML::Mark& mark) {
    if (!documents.empty() && !documents.back().first_node) documents.back().first_node = mark;
  }
};

}  // namespace

YamlDocument LoadOneYamlDocument(std::string_view text) {
  const std::string copy(text);
  std::istringstream in(copy);
  YAML::Parser parser(in);
  DocumentMarks marks;
  for (int i = 0; i < 2 && parser.HandleNextDocument(marks); ++i) {
  }
  const auto& docs = marks.documents;
  if (docs.size() == 2 && docs[1].start.pos == docs[0].start.pos) {
    throw YAML::ParserException(docs[0].start,
                                "unexpected character (a ',' or another flow indicator outside "
                                "[] or {}?)");
  }
  YamlDocument result;
  result.root = YAML::Load(copy);
  if (docs.size() == 2) result.second_document = docs[1].first_node.value_or(docs[1].start);
  return result;
}

}  // namespace jwo::config
