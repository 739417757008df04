#include "core/file_read.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace jwo::core {

Result<std::string> ReadFileBounded(const std::string& path, size_t max_bytes) {
  auto why = [] { return std::error_code(errno, std::generic_category()).message(); };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open file: " + why());
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string reason = why();
      ::close(fd);
      return IoError("cannot read file: " + reason);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > max_bytes) {
      ::close(fd);
      return Status(StatusCode::kOutOfRange,
                    "file is larger than " + std::to_string(max_bytes >> 20) + " MiB");
    }
  }
  ::close(fd);
  return text;
}

}  // namespace jwo::core
