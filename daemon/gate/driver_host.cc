#include "gate/driver_host.h"

#include <prometheus/counter.h>

#include <chrono>
#include <cstddef>
#include <cstring>

#include "core/ids.h"
#include "core/log.h"

namespace jwo::gate {
namespace {

constexpr size_t kMaxDetail = 200;
constexpr size_t kMaxLogMessage = 500;

std::string Bounded(const char* text, size_t max) {
  if (text == nullptr) return {};
  const size_t n = strnlen(text, max);
  return std::string(text, n);
}

// True when the driver's event struct is large enough to hold `member` ending at `end`.
bool Covers(const jwo_hal_event_t* e, size_t end) { return e->struct_size >= end; }

}  // namespace

DriverHost::DriverHost(std::string gate_name, size_t capacity, prometheus::Counter* dropped)
    : gate_name_(std::move(gate_name)), capacity_(capacity), dropped_(dropped) {
  table_.abi_major = JWO_HAL_ABI_MAJOR;
  table_.abi_minor = JWO_HAL_ABI_MINOR;
  table_.struct_size = sizeof(jwo_hal_host_t);
  table_.context = this;
  table_.emit = &DriverHost::Emit;
  table_.log = &DriverHost::Log;
  table_.monotonic_ns = &DriverHost::MonotonicNs;
  hal::InstallSettingGetters<&DriverHost::SettingsOf>(&table_);
  // A driver call is charged with what the host does inside it. The first card tap's pseudonym
  // is the process's first SHA-256, and OpenSSL sets up its digest on first use: 2.5-3.5 ms
  // inside the driver's call, against ~1 us for every later tap (jwo-bench-gate-host). Paid
  // here, once per process, before any driver is opened.
  static const bool digest_ready = [] { return !core::Pseudonym("warm-up").empty(); }();
  (void)digest_ready;
  inbox_.reserve(64);
}

const hal::HostSettings& DriverHost::SettingsOf(void* context) {
  return static_cast<DriverHost*>(context)->settings_;
}

void DriverHost::SetDriverName(std::string name) {
  std::lock_guard lock(mutex_);
  driver_name_ = std::move(name);
}

int64_t DriverHost::NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::vector<GateEvent> DriverHost::TakeEvents() {
  std::lock_guard lock(mutex_);
  std::vector<GateEvent> out;
  out.swap(inbox_);
  return out;
}

void DriverHost::Emit(void* context, const jwo_hal_event_t* e) {
  auto* self = static_cast<DriverHost*>(context);
  if (e == nullptr || !Covers(e, offsetof(jwo_hal_event_t, direction))) {
    self->malformed_count_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  GateEvent g;
  g.type = e->type;
  g.lane = e->lane;
  if (Covers(e, offsetof(jwo_hal_event_t, code) + sizeof e->code)) {
    g.direction = e->direction;
    g.code = e->code;
  }
  if (Covers(e, offsetof(jwo_hal_event_t, data_size) + sizeof e->data_size) && e->data != nullptr &&
      e->data_size > 0) {
    g.data_size = e->data_size;
    g.data_pseudonym = core::Pseudonym(std::string_view(reinterpret_cast<const char*>(e->data),
                                                        std::min<size_t>(e->data_size, 4096)));
  }
  if (Covers(e, offsetof(jwo_hal_event_t, detail) + sizeof e->detail)) {
    g.detail = Bounded(e->detail, kMaxDetail);
  }
  g.at_ns = NowNs();
  g.at_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  std::lock_guard lock(self->mutex_);
  if (self->inbox_.size() >= self->capacity_) {
    self->dropped_count_.fetch_add(1);
    if (self->dropped_ != nullptr) self->dropped_->Increment();
    return;
  }
  self->inbox_.push_back(std::move(g));
}

void DriverHost::Log(void* context, uint32_t level, const char* message) {
  auto* self = static_cast<DriverHost*>(context);
  std::string driver;
  {
    std::lock_guard lock(self->mutex_);
    driver = self->driver_name_;
  }
  const core::LogLevel l =
      level <= JWO_HAL_LOG_ERROR ? static_cast<core::LogLevel>(level) : core::LogLevel::kError;
  if (!core::LogEnabled(l)) return;
  core::Log(l, "gate driver: " + Bounded(message, kMaxLogMessage),
            {{"gate", self->gate_name_}, {"driver", driver}});
}

uint64_t DriverHost::MonotonicNs(void*) { return static_cast<uint64_t>(NowNs()); }

}  // namespace jwo::gate
