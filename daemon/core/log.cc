#include "core/log.h"

#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "core/clock.h"
#include "core/time_format.h"

namespace jwo::core {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::atomic<LogTarget> g_target{LogTarget::kStderr};
std::mutex g_stderr_mutex;  // keeps lines whole when several threads log at once

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "?";
}

int SyslogPriority(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return 7;
    case LogLevel::kInfo:
      return 6;
    case LogLevel::kWarning:
      return 4;
    case LogLevel::kError:
      return 3;
  }
  return 6;
}

std::string JournalKey(std::string_view key) {
  std::string k = "JWO_";
  for (char c : key) k += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return k;
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level = level; }
LogLevel GetLogLevel() { return g_level; }
void SetLogTarget(LogTarget target) { g_target = target; }
bool LogEnabled(LogLevel level) { return level >= g_level.load(std::memory_order_relaxed); }

bool StderrIsJournal() {
  const char* js = std::getenv("JOURNAL_STREAM");
  if (js == nullptr) return false;
  struct stat st;
  if (fstat(2, &st) != 0) return false;
  unsigned long dev = 0, ino = 0;
  if (std::sscanf(js, "%lu:%lu", &dev, &ino) != 2) return false;
  return st.st_dev == dev && st.st_ino == ino;
}

void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  if (!LogEnabled(level)) return;
  if (g_target.load(std::memory_order_relaxed) == LogTarget::kNone) return;
  if (g_target.load(std::memory_order_relaxed) == LogTarget::kJournald) {
    std::vector<std::string> parts;
    parts.reserve(fields.size() + 3);
    parts.push_back("MESSAGE=" + std::string(message));
    parts.push_back("PRIORITY=" + std::to_string(SyslogPriority(level)));
    parts.push_back("SYSLOG_IDENTIFIER=jwo-edged");
    for (const auto& f : fields) parts.push_back(JournalKey(f.key) + "=" + f.value);
    std::vector<iovec> iov(parts.size());
    for (size_t i = 0; i < parts.size(); ++i) {
      iov[i].iov_base = parts[i].data();
      iov[i].iov_len = parts[i].size();
    }
    sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
    return;
  }
  std::string line = FormatIso8601(SystemClock().NowUnixMs());
  line += ' ';
  line += LevelName(level);
  line += ' ';
  line += message;
  for (const auto& f : fields) {
    line += ' ';
    line += f.key;
    line += '=';
    const bool quote = f.value.find(' ') != std::string::npos || f.value.empty();
    if (quote) line += '"';
    line += f.value;
    if (quote) line += '"';
  }
  line += '\n';
  std::lock_guard lock(g_stderr_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace jwo::core
