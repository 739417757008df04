// The AWS shared credentials file provider.
#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <system_error>
#include <tuple>
#include <utility>

#include "payments/credentials.h"

namespace jwo::payments {
namespace {

core::Status Unavailable(std::string message) {
  return {core::StatusCode::kUnavailable, std::move(message)};
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// What identifies one version of the file: a rewrite in place changes the time or size, a
// rename-over (how helpers update atomically) changes the inode.
struct FileStamp {
  int64_t mtime_s = 0, mtime_ns = 0, size = 0;
  uint64_t inode = 0;
  bool operator==(const FileStamp&) const = default;
};

class FileProvider final : public CredentialsProvider {
 public:
  FileProvider(std::string path, std::string profile)
      : path_(std::move(path)), profile_(std::move(profile)) {}

  core::Result<AwsCredentials> Get(int64_t /*now_ms*/) override {
    std::lock_guard lock(mu_);
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) {
      return Unavailable("cannot read AWS credentials file '" + path_ +
                         "': " + std::error_code(errno, std::generic_category()).message());
    }
    const FileStamp stamp{st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_size, st.st_ino};
    if (!cached_ || stamp != stamp_) {
      core::Result<AwsCredentials> read = ReadProfile();
      // The stamp is kept only on success, so a half-written file is read again next time.
      if (!read.ok()) return read.status();
      cached_ = std::move(read.value());
      stamp_ = stamp;
    }
    return *cached_;
  }

 private:
  core::Result<AwsCredentials> ReadProfile() const {
    std::ifstream in(path_);
    if (!in) {
      return Unavailable("cannot read AWS credentials file '" + path_ +
                         "': " + std::error_code(errno, std::generic_category()).message());
    }
    std::map<std::string, std::string, std::less<>> keys;
    bool found = false;
    bool in_profile = false;
    std::string line;
    while (std::getline(in, line)) {
      const std::string_view text = Trim(line);
      if (text.empty() || text.front() == '#' || text.front() == ';') continue;
      if (text.front() == '[') {
        const size_t close = text.find(']');
        in_profile = close != std::string_view::npos && Trim(text.substr(1, close - 1)) == profile_;
        found |= in_profile;
        continue;
      }
      const size_t eq = text.find('=');
      if (!in_profile || eq == std::string_view::npos) continue;
      keys[std::string(Trim(text.substr(0, eq)))] = std::string(Trim(text.substr(eq + 1)));
    }
    if (!found) {
      return Unavailable("AWS credentials file '" + path_ + "' has no profile [" + profile_ + "]");
    }
    AwsCredentials creds;
    for (auto [key, field, required] :
         {std::tuple{"aws_access_key_id", &creds.access_key_id, true},
          std::tuple{"aws_secret_access_key", &creds.secret_access_key, true},
          std::tuple{"aws_session_token", &creds.session_token, false}}) {
      auto it = keys.find(key);
      if (it != keys.end()) *field = it->second;
      if (required && field->empty()) {
        return Unavailable("profile [" + profile_ + "] of AWS credentials file '" + path_ +
                           "' has no " + key);
      }
    }
    return creds;
  }

  const std::string path_;
  const std::string profile_;
  std::mutex mu_;
  std::optional<AwsCredentials> cached_;  // guarded by mu_
  FileStamp stamp_;                       // guarded by mu_; the version cached_ came from
};

}  // namespace

std::unique_ptr<CredentialsProvider> MakeFileProvider(std::string path, std::string profile) {
  return std::make_unique<FileProvider>(std::move(path), std::move(profile));
}

}  // namespace jwo::payments
