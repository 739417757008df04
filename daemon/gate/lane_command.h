// LaneCommand: one instruction for a lane (admit, deny with a message, set a mode), and how an
// F&A decision becomes one. Plain values; pure functions, any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.h"
#include "fa/policy.h"

namespace jwo::gate {

// Shown on a denial when the gate configures no message at all.
inline constexpr std::string_view kDefaultDenyMessage = "Please see a member of staff";

enum class CommandKind { kAdmit, kDeny, kSetMode };

// "admit", "deny", "set_mode".
std::string_view CommandKindName(CommandKind kind);

struct LaneCommand {
  CommandKind kind = CommandKind::kAdmit;
  uint32_t lane = 0;        // the driver's lane number
  std::string message;      // kDeny
  uint32_t mode = 0;        // kSetMode: a jwo_hal_lane_mode_t
  int64_t enqueued_ns = 0;  // monotonic, for the staleness rule
  std::string trip_id;      // the decision's trip, for correlation ("" for operator commands)
};

// deny_messages[reason] when configured, else deny_message, else kDefaultDenyMessage.
std::string DenyMessageFor(const config::GateConfig& gate, std::string_view reason);

// Admit for an approved decision, deny with the configured message for a denied one.
LaneCommand CommandForDecision(const config::GateConfig& gate, uint32_t lane,
                               const fa::Decision& decision, std::string trip_id, int64_t now_ns);

}  // namespace jwo::gate
