// Env's checks of the files under the state directory: a lost data.mdb (the store marker) and
// a truncated one. Part of store::Env (env.h); kept apart so env.cc stays about transactions.
#include "store/env.h"

#include <fcntl.h>
#include <lmdb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/time_format.h"

namespace jwo::store {

using core::Status;
using core::StatusCode;

Status Env::CheckLostStore() {
  namespace fs = std::filesystem;
  const fs::path data = DataFilePath();
  const fs::path marker = fs::path(options_.directory) / kStoreMarkerFile;
  std::error_code ec;
  const bool data_exists = fs::exists(data, ec);
  const uint64_t data_size = data_exists ? fs::file_size(data, ec) : 0;
  if (ec) return Status(StatusCode::kIoError, "cannot stat " + data.string() + ": " + ec.message());
  const bool marker_exists = fs::exists(marker, ec);
  if (data_size > 0) {
    if (options_.init_store) {
      return Status(StatusCode::kAlreadyExists,
                    data.string() + " holds a store (" + std::to_string(data_size) +
                        " bytes); a fresh store is created only where data.mdb is missing or "
                        "empty: move it away first if it really is to be replaced");
    }
    return Status::Ok();
  }
  if (options_.init_store) {
    if (data_exists) fs::remove(data, ec);
    fs::remove(marker, ec);  // the new store gets its own
    core::LogWarning("creating a fresh, empty store (operator request)",
                     {{"directory", options_.directory}});
    return Status::Ok();
  }
  if (!marker_exists && !data_exists) return Status::Ok();  // first start of an installation
  const std::string how = data_exists ? "empty (0 bytes)" : "missing";
  const std::string why = marker_exists ? marker.string() + " says a store existed here"
                                        : "an empty data file is never a store this build made";
  return Status(StatusCode::kFailedPrecondition,
                data.string() + " is " + how + ", but " + why +
                    ": every debt and override would be lost, so it is not recreated. Restore "
                    "data.mdb from a backup, or create an empty store with `jwo-edged "
                    "--init-store --config FILE` (docs/operations.md, When things break)");
}

Status Env::WriteMarker() const {
  namespace fs = std::filesystem;
  const fs::path marker = fs::path(options_.directory) / kStoreMarkerFile;
  std::error_code ec;
  if (fs::exists(marker, ec)) return Status::Ok();
  const fs::path tmp = marker.string() + ".tmp";
  const std::string text = "jwo-edge store " + core::NewUuidV4() + " created " +
                           core::FormatIso8601(core::SystemClock().NowUnixMs()) +
                           "\nThis file says a store exists here: do not delete it (see "
                           "docs/operations.md).\n";
  auto fail = [&](const char* what) {
    return Status(StatusCode::kIoError,
                  std::string(what) + " " + tmp.string() + ": " + std::strerror(errno));
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return fail("cannot create");
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written) return fail("cannot write");
  if (::rename(tmp.c_str(), marker.c_str()) != 0) return fail("cannot rename");
  if (const int dir = ::open(options_.directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Status::Ok();
}

Status Env::CheckFileSize() const {
  // mdb_env_info reads the meta pages, which LMDB has already read with pread at open (a file
  // too short to hold them is refused by mdb_env_open itself).
  MDB_envinfo info;
  MDB_stat stat;
  int rc = mdb_env_info(env_, &info);
  if (rc == 0) rc = mdb_env_stat(env_, &stat);
  if (rc != 0)
    return Status(StatusCode::kIoError, std::string("mdb_env_info: ") + mdb_strerror(rc));
  const uint64_t needed = (uint64_t{info.me_last_pgno} + 1) * stat.ms_psize;
  const std::string path = DataFilePath();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Status(StatusCode::kIoError, "cannot stat " + path + ": " + std::strerror(errno));
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size < needed) {
    return Status(StatusCode::kCorruption,
                  path + " is truncated: the file is " + std::to_string(size) +
                      " bytes, but the store's last used page ends at " + std::to_string(needed) +
                      " bytes; restore it from a backup (docs/operations.md, When things break)");
  }
  return Status::Ok();
}

std::string Env::DataFilePath() const {
  return (std::filesystem::path(options_.directory) / "data.mdb").string();
}

}  // namespace jwo::store
