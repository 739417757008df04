#include "gate/lane_command.h"

namespace jwo::gate {

std::string_view CommandKindName(CommandKind kind) {
  switch (kind) {
    case CommandKind::kAdmit:
      return "admit";
    case CommandKind::kDeny:
      return "deny";
    case CommandKind::kSetMode:
      return "set_mode";
  }
  return "unknown";
}

std::string DenyMessageFor(const config::GateConfig& gate, std::string_view reason) {
  if (auto it = gate.deny_messages.find(std::string(reason)); it != gate.deny_messages.end()) {
    return it->second;
  }
  if (!gate.deny_message.empty()) return gate.deny_message;
  return std::string(kDefaultDenyMessage);
}

LaneCommand CommandForDecision(const config::GateConfig& gate, uint32_t lane,
                               const fa::Decision& decision, std::string trip_id, int64_t now_ns) {
  LaneCommand cmd;
  cmd.lane = lane;
  cmd.enqueued_ns = now_ns;
  cmd.trip_id = std::move(trip_id);
  if (decision.outcome == store::Outcome::kApproved) {
    cmd.kind = CommandKind::kAdmit;
  } else {
    cmd.kind = CommandKind::kDeny;
    cmd.message = DenyMessageFor(gate, fa::ReasonName(decision.reason));
  }
  return cmd;
}

}  // namespace jwo::gate
