// ConformanceReport: the verdict of each conformance check and the printed report.
//
// A check passes, fails, warns (the contract is kept, but something will surprise an
// operator), or is skipped (the driver does not declare the capability it tests). The kit
// passes when nothing failed. Add() may be called from any thread; the rest is for the thread
// that owns the report.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

namespace jwo::hal::conformance {

enum class Verdict { kPass, kFail, kWarn, kSkip };

struct CheckResult {
  std::string check;  // short name, e.g. "bad settings"
  Verdict verdict = Verdict::kPass;
  std::string detail;  // what was seen; for a failure, what the contract says instead
};

class ConformanceReport {
 public:
  void Add(std::string check, Verdict verdict, std::string detail);
  std::vector<CheckResult> Results() const;
  bool passed() const;  // no kFail
  // The first result of `check`, or nullptr.
  const CheckResult* Find(const std::string& check) const;

  // One line per check ("PASS  open/close cycles  ...") and a summary line.
  void Print(std::FILE* out) const;

 private:
  mutable std::mutex mutex_;
  std::vector<CheckResult> results_;
};

const char* VerdictName(Verdict v);

}  // namespace jwo::hal::conformance
