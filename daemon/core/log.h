// Structured logging to journald (under systemd) or stderr (elsewhere).
//
// One process-wide logger. Log() may be called from any thread; the level and the target can
// be changed at any time (SIGHUP reload) and take effect for the next line. Fields become
// journald fields (upper-cased, prefixed "JWO_") or "key=value" pairs on stderr.
//
// Personal data rule: never pass an e-mail address or card data; pass shopper ids only through
// core::Pseudonym().
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace jwo::core {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

struct LogField {
  std::string_view key;  // lower_snake_case; journald gets JWO_<KEY>
  std::string value;
};

// kNone discards every line (the money-path simulation's millions of events).
enum class LogTarget { kStderr, kJournald, kNone };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
void SetLogTarget(LogTarget target);
// True when stderr is connected to the journal (JOURNAL_STREAM matches), i.e. started by
// systemd: the daemon then logs natively to journald.
bool StderrIsJournal();

bool LogEnabled(LogLevel level);
void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});

// Note: the fields are built before the level is checked; on hot paths test
// LogEnabled(LogLevel::kDebug) first.
inline void LogDebug(std::string_view m, std::initializer_list<LogField> f = {}) {
  if (LogEnabled(LogLevel::kDebug)) Log(LogLevel::kDebug, m, f);
}
inline void LogInfo(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kInfo, m, f);
}
inline void LogWarning(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kWarning, m, f);
}
inline void LogError(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kError, m, f);
}

}  // namespace jwo::core
