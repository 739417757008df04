// The credentials providers that need no I/O beyond the process: fixed keys and the environment.
#include "payments/credentials.h"

#include <tuple>
#include <utility>

#include "core/time_format.h"

namespace jwo::payments {
namespace {

class StaticProvider final : public CredentialsProvider {
 public:
  explicit StaticProvider(AwsCredentials creds) : creds_(std::move(creds)) {}

  core::Result<AwsCredentials> Get(int64_t now_ms) override {
    if (creds_.access_key_id.empty() || creds_.secret_access_key.empty()) {
      return core::Status(core::StatusCode::kUnavailable,
                          "static AWS credentials lack an access key id or secret access key");
    }
    if (creds_.expires_unix_ms != 0 && now_ms >= creds_.expires_unix_ms) {
      return core::Status(
          core::StatusCode::kUnavailable,
          "static AWS credentials expired at " + core::FormatIso8601(creds_.expires_unix_ms));
    }
    return creds_;
  }

 private:
  const AwsCredentials creds_;  // immutable, so no lock
};

class EnvironmentProvider final : public CredentialsProvider {
 public:
  explicit EnvironmentProvider(std::function<const char*(const char*)> getenv_fn)
      : getenv_(std::move(getenv_fn)) {}

  core::Result<AwsCredentials> Get(int64_t /*now_ms*/) override {
    AwsCredentials creds;
    for (auto [name, field, required] :
         {std::tuple{"AWS_ACCESS_KEY_ID", &creds.access_key_id, true},
          std::tuple{"AWS_SECRET_ACCESS_KEY", &creds.secret_access_key, true},
          std::tuple{"AWS_SESSION_TOKEN", &creds.session_token, false}}) {
      const char* value = getenv_(name);
      if (value != nullptr) *field = value;
      if (required && field->empty()) {
        return core::Status(core::StatusCode::kUnavailable,
                            std::string("environment variable ") + name + " is not set");
      }
    }
    return creds;
  }

 private:
  // Called without a lock: getenv is safe against concurrent readers, and the process does not
  // change its own AWS_* variables after start.
  const std::function<const char*(const char*)> getenv_;
};

}  // namespace

std::unique_ptr<CredentialsProvider> MakeStaticProvider(AwsCredentials creds) {
  return std::make_unique<StaticProvider>(std::move(creds));
}

std::unique_ptr<CredentialsProvider> MakeEnvironmentProvider(
    std::function<const char*(const char*)> getenv_fn) {
  return std::make_unique<EnvironmentProvider>(std::move(getenv_fn));
}

}  // namespace jwo::payments
