// Parses `ordering:` and `payments:` (docs/configuration.md).
#include <algorithm>
#include <filesystem>

#include "config/enum_names.h"
#include "config/section_parsers.h"

namespace jwo::config::internal {
namespace {

bool IsHttpUrl(const std::string& url) {
  const bool https = url.rfind("https://", 0) == 0;
  const bool http = url.rfind("http://", 0) == 0;
  const size_t host_start = https ? 8 : 7;
  return (https || http) && url.size() > host_start &&
         url.find_first_of("?#", host_start) == std::string::npos;
}

}  // namespace

void ParseOrdering(Reader& reader, const Value& value, const std::filesystem::path& base,
                   OrderingConfig* out) {
  auto f = reader.Map(value, {"catalog"});
  if (!f) return;
  if (const Value* v = reader.Require(*f, "catalog")) {
    ReadFile(reader, *v, base, true, &out->catalog_file);
  }
}

void ParsePayments(Reader& reader, const Value& value, const std::filesystem::path& base,
                   PaymentsConfig* out) {
  auto f = reader.Map(value, {"endpoint", "region", "ca_file", "credentials", "max_connections",
                              "request_timeout_ms", "retry_base_ms", "retry_cap_ms",
                              "pending_retry_ms", "partial_capture", "report_payment_status",
                              "refund_window_days", "preauth_expiry_seconds",
                              "preauth_alert_seconds", "unknown_capture", "unknown_capture_alert"});
  if (!f) return;
  out->enabled = true;
  if (const Value* v = reader.Require(*f, "endpoint");
      v && reader.String(*v, &out->endpoint) && !IsHttpUrl(out->endpoint)) {
    reader.Fail(*v,
                "must be an http:// or https:// URL without query, e.g. "
                "https://us-east-1.payments.amazonphysicalstores.com",
                out->endpoint);
  }
  if (const Value* v = f->Find("region")) reader.String(*v, &out->region);
  if (const Value* v = f->Find("ca_file")) ReadFile(reader, *v, base, true, &out->ca_file);
  if (const Value* v = reader.Require(*f, "credentials")) {
    auto c = reader.Map(*v, {"source", "file", "profile", "imds_endpoint"});
    if (c) {
      if (const Value* s = reader.Require(*c, "source")) {
        reader.Enum(*s, kCredentialsSourceNames, &out->credentials);
      }
      if (const Value* file = c->Find("file")) {
        ReadFile(reader, *file, base, false, &out->credentials_file);
      } else if (out->credentials == CredentialsSource::kFile) {
        reader.Fail(*v, "credentials.file is required when source is file");
      }
      if (const Value* p = c->Find("profile")) reader.String(*p, &out->credentials_profile);
      if (const Value* e = c->Find("imds_endpoint");
          e && reader.String(*e, &out->imds_endpoint) && !IsHttpUrl(out->imds_endpoint)) {
        reader.Fail(*e, "must be an http:// URL", out->imds_endpoint);
      }
    }
  }
  reader.OptionalInt(*f, "max_connections", uint32_t{1}, uint32_t{256}, &out->max_connections);
  reader.OptionalInt(*f, "request_timeout_ms", uint32_t{100}, uint32_t{600'000},
                     &out->request_timeout_ms);
  reader.OptionalInt(*f, "retry_base_ms", uint32_t{10}, uint32_t{600'000}, &out->retry_base_ms);
  reader.OptionalInt(*f, "retry_cap_ms", uint32_t{100}, uint32_t{86'400'000}, &out->retry_cap_ms);
  reader.OptionalInt(*f, "pending_retry_ms", uint32_t{10}, uint32_t{3'600'000},
                     &out->pending_retry_ms);
  if (const Value* v = f->Find("partial_capture")) {
    std::string text;
    if (reader.String(*v, &text)) {
      if (text == "true") {
        out->partial_capture = true;
      } else if (text == "false") {
        out->partial_capture = false;
      } else {
        reader.Fail(*v, "must be true or false", text);
      }
    }
  }
  reader.OptionalEnum(*f, "report_payment_status", kReportPaymentStatusNames,
                      &out->report_payment_status);
  reader.OptionalInt(*f, "refund_window_days", uint32_t{0}, uint32_t{3650},
                     &out->refund_window_days);
  reader.OptionalInt(*f, "preauth_expiry_seconds", uint32_t{1}, uint32_t{60 * 86400},
                     &out->preauth_expiry_seconds);
  reader.OptionalEnum(*f, "unknown_capture", kUnknownCaptureNames, &out->unknown_capture);
  reader.OptionalInt(*f, "unknown_capture_alert", uint32_t{0}, uint32_t{1'000'000},
                     &out->unknown_capture_alert);
  const Value* alert = f->Find("preauth_alert_seconds");
  // Without an explicit alert window, a short horizon gets a proportionate one.
  if (!alert)
    out->preauth_alert_seconds =
        std::min(out->preauth_alert_seconds, out->preauth_expiry_seconds / 2);
  if (alert && reader.Int(*alert, uint32_t{0}, uint32_t{60 * 86400}, &out->preauth_alert_seconds) &&
      out->preauth_alert_seconds >= out->preauth_expiry_seconds) {
    reader.Fail(*alert, "must be less than payments.preauth_expiry_seconds", alert->node.Scalar());
  }
}

}  // namespace jwo::config::internal
