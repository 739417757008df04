#include "hal/conformance/conformance_report.h"

namespace jwo::hal::conformance {

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kPass:
      return "PASS";
    case Verdict::kFail:
      return "FAIL";
    case Verdict::kWarn:
      return "WARN";
    case Verdict::kSkip:
      return "SKIP";
  }
  return "?";
}

void ConformanceReport::Add(std::string check, Verdict verdict, std::string detail) {
  std::lock_guard lock(mutex_);
  results_.push_back({std::move(check), verdict, std::move(detail)});
}

std::vector<CheckResult> ConformanceReport::Results() const {
  std::lock_guard lock(mutex_);
  return results_;
}

bool ConformanceReport::passed() const {
  std::lock_guard lock(mutex_);
  for (const CheckResult& r : results_) {
    if (r.verdict == Verdict::kFail) return false;
  }
  return true;
}

const CheckResult* ConformanceReport::Find(const std::string& check) const {
  std::lock_guard lock(mutex_);
  for (const CheckResult& r : results_) {
    if (r.check == check) return &r;
  }
  return nullptr;
}

void ConformanceReport::Print(std::FILE* out) const {
  std::lock_guard lock(mutex_);
  int counts[4] = {0, 0, 0, 0};
  for (const CheckResult& r : results_) {
    ++counts[static_cast<int>(r.verdict)];
    std::fprintf(out, "%s  %-22s %s\n", VerdictName(r.verdict), r.check.c_str(), r.detail.c_str());
  }
  std::fprintf(out, "\nresult: %s (%d passed, %d failed, %d warnings, %d skipped)\n",
               counts[1] == 0 ? "PASS" : "FAIL", counts[0], counts[1], counts[2], counts[3]);
}

}  // namespace jwo::hal::conformance
