// SmtpServer: a real SMTP listener on loopback for tests (tests/support/smtp_sink.py on
// Debian's python3-aiosmtpd), in its own temporary directory. Messages() reads what it
// accepted: the bytes received and the envelope. It can require STARTTLS and AUTH, refuse a
// recipient with a code, or take DATA and never answer (SmtpServerOptions).
//
// The child dies with the test process (PR_SET_PDEATHSIG) and is stopped by the destructor.
// Thread safety: none; one object per thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/status.h"
#include "tests/support/temp_dir.h"

namespace jwo::testing {

struct SmtpServerOptions {
  std::string tls_cert, tls_key;  // both: STARTTLS offered
  bool require_starttls = false;
  std::string auth;                      // "user:password": AUTH required
  std::vector<std::string> reject_rcpt;  // "addr:code", e.g. "nobody@x.example:550"
  bool hang_data = false;
};

struct ReceivedMail {
  std::string raw;  // the message as received (headers and body, CRLF line ends)
  std::string mail_from;
  std::vector<std::string> rcpt_tos;
  bool tls = false;
  std::string auth_user;  // empty without AUTH
};

class SmtpServer {
 public:
  explicit SmtpServer(SmtpServerOptions options = {});
  ~SmtpServer();
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;

  // Starts the listener and waits (up to 10 s) for its port. kUnavailable with its output when
  // python3-aiosmtpd is missing or it does not start.
  core::Status Start();
  void Stop();

  int port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  // Every message accepted so far, in order.
  std::vector<ReceivedMail> Messages() const;
  // Messages(), once it holds at least `n` (or when `timeout` passes: then fewer).
  std::vector<ReceivedMail> WaitForMessages(
      size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

 private:
  SmtpServerOptions options_;
  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// The header `name` of a received message (unfolded), or "" when absent.
std::string MailHeader(const std::string& raw, const std::string& name);
// The message with quoted-printable undone (soft line breaks joined, =XX decoded): what a
// reader sees of the text and HTML parts, for assertions on content.
std::string MailDecoded(const std::string& raw);

}  // namespace jwo::testing
