// SmtpClient: hands one e-mail to the store's SMTP relay (receipts, sign-in codes), through
// libcurl's SMTP support rather than a hand-written protocol (style.md: prefer the kept
// library): STARTTLS or implicit TLS, AUTH, timeouts, MIME multipart/alternative.
//
// A send is one SMTP transaction; the answer says what a mail outbox should do next:
//   kSent       the relay accepted the message (250 after DATA);
//   kTransient  try again later: no connection, a timeout, a 4xx answer, a connection lost
//               after DATA (the relay may have taken the message: a retry can deliver a
//               duplicate, which for a receipt or a sign-in code is harmless, where losing it
//               is not; Message-ID stays the same so a reader's client can fold them);
//   kPermanent  retrying cannot help: a 5xx answer (the mailbox does not exist, the relay
//               refuses us), a relay without the required TLS, refused credentials, a bad
//               message (an address with a line break).
// The detail names the relay's answer or libcurl's error, never the password.
//
// Thread safety: Send() may run on any thread, concurrently; each call is its own connection.
#pragma once

#include <cstdint>
#include <string>

namespace jwo::mail {

struct SmtpOptions {
  std::string url;       // smtp://host:587 (STARTTLS) or smtps://host:465 (TLS from the start)
  std::string username;  // empty: no AUTH
  std::string password;
  // smtp:// only: refuse to send unless the relay offers STARTTLS. Off only for a relay on
  // loopback or in a lab.
  bool require_tls = true;
  std::string ca_file;  // empty: the system's CAs
  int connect_timeout_ms = 10'000;
  int timeout_ms = 30'000;  // the whole transaction
};

struct Message {
  std::string from;        // addr-spec: receipts@store.example
  std::string from_name;   // optional display name
  std::string to;          // addr-spec
  std::string subject;     // UTF-8
  std::string text;        // text/plain part (UTF-8), required
  std::string html;        // text/html part (UTF-8), optional
  std::string message_id;  // without <>, e.g. "receipt.trip-1@store-1.jwo-edge"; stable per mail
  int64_t date_unix_ms = 0;
};

enum class SendResult { kSent, kTransient, kPermanent };

struct SendOutcome {
  SendResult result = SendResult::kTransient;
  long smtp_code = 0;  // the relay's last reply code, 0 when none came
  std::string detail;
};

SendOutcome Send(const SmtpOptions& options, const Message& message);

// "sent", "transient", "permanent".
const char* SendResultName(SendResult r);

// True for a plain addr-spec a relay can take: local@domain, printable ASCII, no spaces, no
// angle brackets, no line breaks (header and command injection), at most 254 bytes.
bool IsValidAddress(const std::string& address);

// RFC 2047 encoded-word form of a header text when it is not plain ASCII (UTF-8, base64);
// plain ASCII is returned as is. Line breaks are removed first.
std::string EncodeHeaderText(const std::string& text);

}  // namespace jwo::mail
