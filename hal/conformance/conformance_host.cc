#include "hal/conformance/conformance_host.h"

#include <cstring>
#include <memory>

namespace jwo::hal::conformance {
namespace {

constexpr size_t kEventSize1_0 = sizeof(jwo_hal_event_t);
constexpr size_t kMaxDetail = 4096;

// strlen bounded by `max`; returns max + 1 when no NUL was found within it.
size_t BoundedLength(const char* s, size_t max) {
  for (size_t i = 0; i <= max; ++i) {
    if (s[i] == '\0') return i;
  }
  return max + 1;
}

}  // namespace

ConformanceHost::ConformanceHost(uint32_t lane_limit) : lane_limit_(lane_limit) {}

const jwo_hal_host_t* ConformanceHost::Table(int instance) {
  std::lock_guard lock(mutex_);
  for (auto& c : contexts_) {
    if (c->instance == instance) return &c->table;
  }
  auto c = std::make_unique<Context>();
  c->host = this;
  c->instance = instance;
  c->lanes = lane_limit_;
  c->table.abi_major = JWO_HAL_ABI_MAJOR;
  c->table.abi_minor = JWO_HAL_ABI_MINOR;
  c->table.struct_size = sizeof(jwo_hal_host_t);
  c->table.reserved = 0;
  c->table.context = c.get();
  c->table.emit = &ConformanceHost::Emit;
  c->table.log = &ConformanceHost::Log;
  c->table.monotonic_ns = &ConformanceHost::MonotonicNs;
  InstallSettingGetters<&ConformanceHost::SettingsOf>(&c->table);
  contexts_.push_back(std::move(c));
  return &contexts_.back()->table;
}

const HostSettings& ConformanceHost::SettingsOf(void* context) {
  return static_cast<Context*>(context)->settings;
}

void ConformanceHost::SetSettings(int instance, std::string_view settings_json) {
  Table(instance);
  std::lock_guard lock(mutex_);
  for (auto& c : contexts_) {
    if (c->instance == instance) c->settings.Set(settings_json);
  }
}

void ConformanceHost::SetLaneCount(int instance, uint32_t lanes) {
  Table(instance);
  std::lock_guard lock(mutex_);
  for (auto& c : contexts_) {
    if (c->instance == instance) c->lanes = lanes;
  }
}

void ConformanceHost::Emit(void* context, const jwo_hal_event_t* e) {
  auto* c = static_cast<Context*>(context);
  ConformanceHost* self = c->host;
  RecordedEvent r;
  r.instance = c->instance;
  r.at_ns = self->now_ns_;
  r.in_call = self->call_thread_.load() == std::this_thread::get_id();
  if (e == nullptr) {
    r.problems.push_back("emit() called with a NULL event");
  } else if (e->struct_size < kEventSize1_0) {
    r.problems.push_back("event struct_size " + std::to_string(e->struct_size) +
                         " is smaller than ABI 1.0's " + std::to_string(kEventSize1_0));
  } else {
    r.type = e->type;
    r.lane = e->lane;
    r.direction = e->direction;
    if (e->type == JWO_HAL_EVENT_CARD_TAPPED && e->data != nullptr && e->data_size <= kMaxDetail) {
      r.data.assign(reinterpret_cast<const char*>(e->data), e->data_size);
    }
    if (e->type < JWO_HAL_EVENT_CARD_TAPPED || e->type > JWO_HAL_EVENT_HEARTBEAT) {
      r.problems.push_back("unknown event type " + std::to_string(e->type));
    }
    std::lock_guard lock(self->mutex_);
    if (e->lane > c->lanes) {
      r.problems.push_back("lane " + std::to_string(e->lane) + " is beyond lane_count() " +
                           std::to_string(c->lanes));
    }
  }
  if (e != nullptr && e->struct_size >= kEventSize1_0) {
    if (e->type == JWO_HAL_EVENT_CARD_TAPPED && (e->data == nullptr || e->data_size == 0)) {
      r.problems.push_back("CARD_TAPPED without reader data");
    }
    if (e->type != JWO_HAL_EVENT_CARD_TAPPED && (e->data != nullptr || e->data_size != 0)) {
      r.problems.push_back("data set on an event other than CARD_TAPPED");
    }
    if (e->type == JWO_HAL_EVENT_PERSON_PASSED && e->direction > JWO_HAL_DIRECTION_OUT) {
      r.problems.push_back("PERSON_PASSED with direction " + std::to_string(e->direction));
    }
    if (e->type == JWO_HAL_EVENT_FAULT && e->code == 0) {
      r.problems.push_back("FAULT with code 0 (fault codes are nonzero)");
    }
    if ((e->type == JWO_HAL_EVENT_CARD_TAPPED || e->type == JWO_HAL_EVENT_PERSON_PASSED ||
         e->type == JWO_HAL_EVENT_DOOR_FORCED || e->type == JWO_HAL_EVENT_DOOR_HELD_OPEN ||
         e->type == JWO_HAL_EVENT_DOOR_CLOSED) &&
        e->lane == JWO_HAL_LANE_NONE) {
      r.problems.push_back("a lane event with lane JWO_HAL_LANE_NONE");
    }
    if (e->type == JWO_HAL_EVENT_HEARTBEAT && e->lane != JWO_HAL_LANE_NONE) {
      r.problems.push_back("HEARTBEAT with a lane (it belongs to JWO_HAL_LANE_NONE)");
    }
    if (e->detail != nullptr && BoundedLength(e->detail, kMaxDetail) > kMaxDetail) {
      r.problems.push_back("detail is not NUL-terminated within 4096 bytes");
    }
  }
  std::lock_guard lock(self->mutex_);
  self->events_.push_back(std::move(r));
}

void ConformanceHost::Log(void* context, uint32_t level, const char* message) {
  auto* c = static_cast<Context*>(context);
  std::string line = "[" + std::to_string(level) + "] ";
  line += message == nullptr ? "(NULL message)"
                             : std::string(message, BoundedLength(message, kMaxDetail));
  std::lock_guard lock(c->host->mutex_);
  c->host->logs_.push_back(std::move(line));
}

uint64_t ConformanceHost::MonotonicNs(void* context) {
  return static_cast<Context*>(context)->host->now_ns_.load();
}

std::vector<RecordedEvent> ConformanceHost::Events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

size_t ConformanceHost::EventCount() const {
  std::lock_guard lock(mutex_);
  return events_.size();
}

std::vector<RecordedEvent> ConformanceHost::EventsSince(size_t first) const {
  std::lock_guard lock(mutex_);
  if (first >= events_.size()) return {};
  return std::vector<RecordedEvent>(events_.begin() + static_cast<std::ptrdiff_t>(first),
                                    events_.end());
}

std::vector<std::string> ConformanceHost::Logs() const {
  std::lock_guard lock(mutex_);
  return logs_;
}

}  // namespace jwo::hal::conformance
