#include "mail/smtp_client.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <memory>
#include <mutex>

#include "core/email_address.h"
#include "core/time_format.h"

namespace jwo::mail {
namespace {

// curl_global_init is not thread-safe in libcurl 7.88 on every platform; run it once.
void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct MimeDeleter {
  void operator()(curl_mime* m) const { curl_mime_free(m); }
};

std::string Base64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  out.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return out;
}

bool IsPlainHeaderText(const std::string& s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

SendOutcome Outcome(SendResult r, long code, std::string detail) {
  return {r, code, std::move(detail)};
}

// What libcurl's error and the relay's last code mean for a retry (see smtp_client.h).
SendOutcome Classify(CURLcode rc, long code, const char* error_buffer) {
  std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
  if (code != 0) detail = "relay answered " + std::to_string(code) + ": " + detail;
  if (code >= 500 && code < 600) return Outcome(SendResult::kPermanent, code, detail);
  if (code >= 400 && code < 500) return Outcome(SendResult::kTransient, code, detail);
  switch (rc) {
    case CURLE_LOGIN_DENIED:
    case CURLE_USE_SSL_FAILED:
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      return Outcome(SendResult::kPermanent, code, detail);
    default:
      return Outcome(SendResult::kTransient, code, detail);
  }
}

}  // namespace

const char* SendResultName(SendResult r) {
  switch (r) {
    case SendResult::kSent:
      return "sent";
    case SendResult::kTransient:
      return "transient";
    case SendResult::kPermanent:
      return "permanent";
  }
  return "unknown";
}

bool IsValidAddress(const std::string& a) { return core::IsValidEmailAddress(a); }

std::string EncodeHeaderText(const std::string& text) {
  std::string flat;
  flat.reserve(text.size());
  for (char c : text) {
    if (c != '\r' && c != '\n') flat += c;
  }
  if (IsPlainHeaderText(flat)) return flat;
  // One encoded word per 45 input bytes (60 base64 characters), cut only between UTF-8
  // characters, so every word decodes on its own (RFC 2047 section 5).
  std::string out;
  size_t i = 0;
  while (i < flat.size()) {
    size_t end = std::min(flat.size(), i + 45);
    while (end < flat.size() && end > i && (static_cast<unsigned char>(flat[end]) & 0xC0) == 0x80) {
      --end;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(flat.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

SendOutcome Send(const SmtpOptions& options, const Message& m) {
  if (!IsValidAddress(m.from)) {
    return Outcome(SendResult::kPermanent, 0, "the sender address is not valid: " + m.from);
  }
  if (!IsValidAddress(m.to)) {
    return Outcome(SendResult::kPermanent, 0, "the recipient address is not valid");
  }
  if (m.message_id.empty() || !IsPlainHeaderText(m.message_id) ||
      m.message_id.find_first_of("<> ") != std::string::npos) {
    return Outcome(SendResult::kPermanent, 0, "the Message-ID is not valid");
  }
  GlobalInit();
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) return Outcome(SendResult::kTransient, 0, "curl_easy_init failed");
  CURL* c = curl.get();
  char error[CURL_ERROR_SIZE] = {0};

  std::unique_ptr<curl_slist, ListDeleter> rcpt(
      curl_slist_append(nullptr, ("<" + m.to + ">").c_str()));
  const std::string from_header = m.from_name.empty()
                                      ? "<" + m.from + ">"
                                      : EncodeHeaderText(m.from_name) + " <" + m.from + ">";
  curl_slist* headers = nullptr;
  for (const std::string& h :
       {"Date: " + core::FormatUtc(m.date_unix_ms, "%a, %d %b %Y %H:%M:%S +0000"),
        "From: " + from_header, "To: <" + m.to + ">", "Subject: " + EncodeHeaderText(m.subject),
        "Message-ID: <" + m.message_id + ">"}) {
    headers = curl_slist_append(headers, h.c_str());
  }
  std::unique_ptr<curl_slist, ListDeleter> header_list(headers);

  // multipart/alternative: the text part first, the HTML part (when there is one) last, as
  // readers show the last part they understand.
  std::unique_ptr<curl_mime, MimeDeleter> mime(curl_mime_init(c));
  curl_mime* alternative = curl_mime_init(c);
  curl_mimepart* part = curl_mime_addpart(alternative);
  curl_mime_data(part, m.text.data(), m.text.size());
  curl_mime_type(part, "text/plain; charset=utf-8");
  curl_mime_encoder(part, "quoted-printable");
  if (!m.html.empty()) {
    part = curl_mime_addpart(alternative);
    curl_mime_data(part, m.html.data(), m.html.size());
    curl_mime_type(part, "text/html; charset=utf-8");
    curl_mime_encoder(part, "quoted-printable");
  }
  part = curl_mime_addpart(mime.get());
  curl_mime_subparts(part, alternative);  // owned by `mime` from here on
  curl_mime_type(part, "multipart/alternative");

  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_URL, options.url.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, ("<" + m.from + ">").c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(c, CURLOPT_MIMEPOST, mime.get());
  curl_easy_setopt(
      c, CURLOPT_USE_SSL,
      options.require_tls ? static_cast<long>(CURLUSESSL_ALL) : static_cast<long>(CURLUSESSL_TRY));
  if (!options.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, options.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, options.password.c_str());
  }
  if (!options.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout_ms));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout_ms));
  // libcurl 7.88 waits for the answer to the end of DATA with this timeout alone (default
  // 120 s), not CURLOPT_TIMEOUT: a relay that takes the message and never answers held a sender
  // two minutes. Whole seconds only (the _MS form is libcurl 8.6).
  curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT,
                   static_cast<long>((options.timeout_ms + 999) / 1000));

  const CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  if (rc == CURLE_OK) return Outcome(SendResult::kSent, code, "accepted");
  return Classify(rc, code, error);
}

}  // namespace jwo::mail
