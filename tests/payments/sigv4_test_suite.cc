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

struct ParsedRequest {
  HttpRequestToSign request;
  std::string request_line;
  std::vector<std::string> header_lines;
};

// A request as the suite writes it: request line, header lines, a blank line, the body. A line
// that starts with a space or tab continues the previous header's value (HTTP/1.1's obsolete
// line folding, RFC 7230 3.2.4; the suite's get-header-value-multiline case): it is appended
// to that value and header line after a '\n', as written, and left for the canonicalizer to
// fold.
ParsedRequest ParseRequestText(const std::string& name, const std::string& raw) {
  ParsedRequest out;
  const size_t blank = raw.find("\n\n");
  const std::string head = raw.substr(0, blank);
  if (blank != std::string::npos) out.request.body = raw.substr(blank + 2);
  std::istringstream lines(head);
  std::getline(lines, out.request_line);
  // The path may hold a space ("GET /example space/ HTTP/1.1"): cut at the first and last one.
  const size_t first = out.request_line.find(' ');
  const size_t last = out.request_line.rfind(" HTTP/");
  if (first == std::string::npos || last == std::string::npos || last <= first) {
    Die(name + ": bad request line '" + out.request_line + "'");
  }
  out.request.method = out.request_line.substr(0, first);
  const std::string target = out.request_line.substr(first + 1, last - first - 1);
  const size_t question = target.find('?');
  out.request.path = target.substr(0, question);
  if (question != std::string::npos) out.request.query = target.substr(question + 1);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    if (line.front() == ' ' || line.front() == '\t') {
      if (out.header_lines.empty()) Die(name + ": continuation line before any header");
      out.header_lines.back().append("\n").append(line);
      out.request.headers.back().second.append("\n").append(line);
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string::npos) Die(name + ": bad header line '" + line + "'");
    out.header_lines.push_back(line);
    out.request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  return out;
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

  ParsedRequest parsed = ParseRequestText(c.name, ReadFileText(c.dir + "/request.txt"));
  c.request = std::move(parsed.request);
  c.request_line = std::move(parsed.request_line);
  c.header_lines = std::move(parsed.header_lines);
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

HttpRequestToSign ExpectedSignedRequest(const SigV4Case& c) {
  const std::string path = c.dir + "/header-signed-request.txt";
  if (!std::filesystem::exists(path)) Die(c.name + ": no header-signed-request.txt");
  return ParseRequestText(c.name, ReadFileText(path)).request;
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
