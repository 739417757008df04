#include "tests/payments/sigv4_test_suite.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/json/value.hpp>

#include "core/json.h"
#include "core/time_format.h"

namespace jwo::payments::testing {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "sigv4 test suite: %s\n", what.c_str());
  std::abort();
}

std::string JsonString(const boost::json::object& obj, std::string_view key) {
  const boost::json::value* v = obj.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool JsonBool(const boost::json::object& obj, std::string_view key, bool fallback) {
  const boost::json::value* v = obj.if_contains(key);
  return v != nullptr && v->is_bool() ? v->get_bool() : fallback;
}

SigV4Case LoadCase(const std::filesystem::path& dir, const std::filesystem::path& root) {
  SigV4Case c;
  c.dir = dir.string();
  c.name = std::filesystem::relative(dir, root).string();

  core::Result<boost::json::value> context = core::ParseJson(ReadFileText(c.dir + "/context.json"));
  if (!context.ok() || !context->is_object()) Die(c.name + ": bad context.json");
  const boost::json::object& ctx = context->get_object();
  const boost::json::value* creds = ctx.if_contains("credentials");
  if (creds == nullptr || !creds->is_object()) Die(c.name + ": no credentials");
  c.creds.access_key_id = JsonString(creds->get_object(), "access_key_id");
  c.creds.secret_access_key = JsonString(creds->get_object(), "secret_access_key");
  c.creds.session_token = JsonString(creds->get_object(), "token");
  c.params.region = JsonString(ctx, "region");
  c.params.service = JsonString(ctx, "service");
  core::Result<int64_t> time = core::ParseIso8601(JsonString(ctx, "timestamp"));
  if (!time.ok()) Die(c.name + ": " + time.status().message());
  c.params.unix_ms = *time;
  c.params.normalize_path = JsonBool(ctx, "normalize", true);
  c.params.add_content_sha256_header = JsonBool(ctx, "sign_body", false);
  c.params.sign_session_token = !JsonBool(ctx, "omit_session_token", false);

  const std::string raw = ReadFileText(c.dir + "/request.txt");
  const size_t blank = raw.find("\n\n");
  const std::string head = raw.substr(0, blank);
  if (blank != std::string::npos) c.request.body = raw.substr(blank + 2);
  std::istringstream lines(head);
  std::getline(lines, c.request_line);
  // The path may hold a space ("GET /example space/ HTTP/1.1"): cut at the first and last one.
  const size_t first = c.request_line.find(' ');
  const size_t last = c.request_line.rfind(" HTTP/");
  if (first == std::string::npos || last == std::string::npos || last <= first) {
    Die(c.name + ": bad request line '" + c.request_line + "'");
  }
  c.request.method = c.request_line.substr(0, first);
  const std::string target = c.request_line.substr(first + 1, last - first - 1);
  const size_t question = target.find('?');
  c.request.path = target.substr(0, question);
  if (question != std::string::npos) c.request.query = target.substr(question + 1);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) Die(c.name + ": bad header line '" + line + "'");
    c.header_lines.push_back(line);
    c.request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  return c;
}

}  // namespace

std::string SigV4SuiteDir() { return JWO_SOURCE_DIR "/tests/data/sigv4-test-suite"; }

std::vector<SigV4Case> LoadSigV4Suite() {
  const std::filesystem::path root = SigV4SuiteDir();
  std::vector<SigV4Case> cases;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().filename() == "context.json") {
      cases.push_back(LoadCase(entry.path().parent_path(), root));
    }
  }
  std::sort(cases.begin(), cases.end(),
            [](const SigV4Case& a, const SigV4Case& b) { return a.name < b.name; });
  return cases;
}

std::string ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "<missing: " + path + ">";
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string RenderSignedRequest(const SigV4Case& c, const SignedParts& signed_parts) {
  std::string out = c.request_line + "\n";
  for (const std::string& line : c.header_lines) out += line + "\n";
  for (const auto& [name, value] : signed_parts.added_headers) out += name + ":" + value + "\n";
  out += "\n";
  out += c.request.body;
  return out;
}

}  // namespace jwo::payments::testing
