#include "tests/support/smtp_server.h"

#include <fcntl.h>
#include <signal.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace jwo::testing {
namespace {

// Debian's interpreter, where python3-aiosmtpd lives (a python3 earlier in PATH may lack it).
constexpr char kPython[] = "/usr/bin/python3";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

core::Status Unavailable(std::string m) { return {core::StatusCode::kUnavailable, std::move(m)}; }

}  // namespace

SmtpServer::SmtpServer(SmtpServerOptions options) : options_(std::move(options)) {}

SmtpServer::~SmtpServer() { Stop(); }

core::Status SmtpServer::Start() {
  if (pid_ > 0) return {core::StatusCode::kFailedPrecondition, "SMTP listener already running"};
  const std::string script = JWO_SOURCE_DIR "/tests/support/smtp_sink.py";
  const std::string mail_dir = dir_.File("mail");
  std::filesystem::create_directories(mail_dir);
  const std::string out = dir_.File("sink.out");
  std::vector<std::string> args = {kPython, script, "--dir", mail_dir};
  if (!options_.tls_cert.empty()) {
    args.insert(args.end(), {"--tls-cert", options_.tls_cert, "--tls-key", options_.tls_key});
    if (options_.require_starttls) args.push_back("--require-starttls");
  }
  if (!options_.auth.empty()) args.insert(args.end(), {"--auth", options_.auth});
  for (const std::string& r : options_.reject_rcpt) args.insert(args.end(), {"--reject-rcpt", r});
  if (options_.hang_data) args.push_back("--hang-data");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return Unavailable("fork failed");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execv(kPython, argv.data());
    ::_exit(127);
  }
  pid_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = ReadAll(out);  // Python's warnings may come first
    const size_t at = text.find("listening ");
    if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
      port_ = std::stoi(text.substr(at + 10));
      return core::Status::Ok();
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Unavailable("the SMTP listener exited (is python3-aiosmtpd installed?):\n" + text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Stop();
  return Unavailable("the SMTP listener did not start within 10 s:\n" + ReadAll(out));
}

void SmtpServer::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::vector<ReceivedMail> SmtpServer::WaitForMessages(size_t n,
                                                      std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<ReceivedMail> mails = Messages();
  while (mails.size() < n && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    mails = Messages();
  }
  return mails;
}

std::vector<ReceivedMail> SmtpServer::Messages() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir_.File("mail"), ec)) {
    if (e.path().extension() == ".eml") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  std::vector<ReceivedMail> out;
  for (const std::string& n : names) {
    ReceivedMail m;
    m.raw = ReadAll(dir_.File("mail/" + n + ".eml"));
    boost::json::error_code jec;
    const boost::json::value meta =
        boost::json::parse(ReadAll(dir_.File("mail/" + n + ".json")), jec);
    if (!jec && meta.is_object()) {
      const auto& o = meta.as_object();
      if (o.at("mail_from").is_string()) m.mail_from = o.at("mail_from").as_string().c_str();
      for (const auto& r : o.at("rcpt_tos").as_array()) m.rcpt_tos.push_back(r.as_string().c_str());
      m.tls = o.at("tls").as_bool();
      if (o.at("auth_user").is_string()) m.auth_user = o.at("auth_user").as_string().c_str();
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::string MailHeader(const std::string& raw, const std::string& name) {
  const std::string headers = raw.substr(0, raw.find("\r\n\r\n"));
  std::string value;
  bool in = false;
  std::istringstream lines(headers);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (in && !line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      value += line;
      continue;
    }
    if (in) break;
    const size_t colon = line.find(':');
    if (colon != std::string::npos && strncasecmp(line.c_str(), name.c_str(), name.size()) == 0 &&
        colon == name.size()) {
      value = line.substr(colon + 1);
      while (!value.empty() && value[0] == ' ') value.erase(0, 1);
      in = true;
    }
  }
  return value;
}

std::string MailDecoded(const std::string& raw) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '=') {
      out += raw[i];
    } else if (raw.compare(i, 3, "=\r\n") == 0) {
      i += 2;  // soft line break
    } else if (i + 2 < raw.size() && hex(raw[i + 1]) >= 0 && hex(raw[i + 2]) >= 0) {
      out += static_cast<char>(hex(raw[i + 1]) * 16 + hex(raw[i + 2]));
      i += 2;
    } else {
      out += raw[i];
    }
  }
  return out;
}

}  // namespace jwo::testing
