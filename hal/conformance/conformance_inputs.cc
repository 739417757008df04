// The "inputs" check: drives the instance's inputs through stimulate() (gate_hal.h section 10)
// and checks the event each one causes, and that every command is refused with JWO_HAL_ESTATE
// during an emergency release.
//
// For each input whose capability the instance has, the kit stimulates the first lane that
// can see it (lane 1, else 2, ...; a tamper switch or release input may also belong to the
// whole gate: JWO_HAL_LANE_NONE is tried as well), polls on the simulated clock until the
// event comes (up to kMaxWaitPolls: a door's held-open time may be minutes) and compares
// type, lane, direction and card data. Then it checks the refusals: unknown inputs and lanes
// (JWO_HAL_EINVAL) and inputs without their capability (JWO_HAL_EUNSUPPORTED).
// Verdicts: skip without stimulate; fail on a missing or wrong event, a wrong status or a
// command accepted during a release; warn when a declared input cannot be simulated.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hal/conformance/conformance_checker.h"

namespace jwo::hal::conformance {
namespace {

// Card data with a NUL inside: a driver that copies it as a C string is caught.
constexpr uint8_t kCard[] = {0x04, 0xa1, 0x00, 0xb2, 0x7f, 0xff, 0x10, 0x3c};
// Polls (JWO_HAL_POLL_INTERVAL_MS apart) the kit waits for an event: the gpio driver's longest
// door_held_ms, 10 minutes, and some.
constexpr int kMaxWaitPolls = 61'000;
// Polls after each event, so that a momentary input (a passage beam) is back at rest.
constexpr int kSettlePolls = 20;
constexpr const char* kDenyMessage = "Please see a member of staff";

struct Input {
  jwo_hal_input_t input;
  const char* name;
  uint64_t cap;
  uint32_t event;
};

constexpr Input kTap{JWO_HAL_INPUT_CARD_TAP, "card tap", JWO_HAL_CAP_CARD_READER,
                     JWO_HAL_EVENT_CARD_TAPPED};
constexpr Input kPersonIn{JWO_HAL_INPUT_PERSON_IN, "person in", JWO_HAL_CAP_PASSAGE_SENSOR,
                          JWO_HAL_EVENT_PERSON_PASSED};
constexpr Input kPersonOut{JWO_HAL_INPUT_PERSON_OUT, "person out", JWO_HAL_CAP_PASSAGE_SENSOR,
                           JWO_HAL_EVENT_PERSON_PASSED};
constexpr Input kDoorForced{JWO_HAL_INPUT_DOOR_FORCED, "door forced", JWO_HAL_CAP_DOOR_SENSOR,
                            JWO_HAL_EVENT_DOOR_FORCED};
constexpr Input kDoorHeld{JWO_HAL_INPUT_DOOR_HELD_OPEN, "door held open", JWO_HAL_CAP_DOOR_SENSOR,
                          JWO_HAL_EVENT_DOOR_HELD_OPEN};
constexpr Input kDoorClosed{JWO_HAL_INPUT_DOOR_CLOSED, "door closed", JWO_HAL_CAP_DOOR_SENSOR,
                            JWO_HAL_EVENT_DOOR_CLOSED};
constexpr Input kTamper{JWO_HAL_INPUT_TAMPER, "tamper", JWO_HAL_CAP_TAMPER, JWO_HAL_EVENT_TAMPER};
constexpr Input kReleaseOn{JWO_HAL_INPUT_EMERGENCY_ON, "emergency on", JWO_HAL_CAP_EMERGENCY_INPUT,
                           JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE};
constexpr Input kReleaseOff{JWO_HAL_INPUT_EMERGENCY_OFF, "emergency off",
                            JWO_HAL_CAP_EMERGENCY_INPUT, JWO_HAL_EVENT_EMERGENCY_RELEASE_CLEARED};
constexpr const Input* kAll[] = {&kTap,        &kPersonIn, &kPersonOut, &kDoorForced, &kDoorHeld,
                                 &kDoorClosed, &kTamper,   &kReleaseOn, &kReleaseOff};

// Tamper and emergency may belong to the whole gate; every other input belongs to one lane.
bool LaneOnly(const Input& in) {
  return in.cap != JWO_HAL_CAP_TAMPER && in.cap != JWO_HAL_CAP_EMERGENCY_INPUT;
}

uint32_t Direction(const Input& in) {
  return in.input == JWO_HAL_INPUT_PERSON_IN    ? JWO_HAL_DIRECTION_IN
         : in.input == JWO_HAL_INPUT_PERSON_OUT ? JWO_HAL_DIRECTION_OUT
                                                : JWO_HAL_DIRECTION_UNKNOWN;
}

std::string LaneName(uint32_t lane) {
  return lane == JWO_HAL_LANE_NONE ? "lane NONE" : "lane " + std::to_string(lane);
}

std::string DirectionName(uint32_t direction) {
  return direction == JWO_HAL_DIRECTION_IN    ? "in"
         : direction == JWO_HAL_DIRECTION_OUT ? "out"
                                              : "unknown";
}

std::string CardData() { return std::string(reinterpret_cast<const char*>(kCard), sizeof kCard); }

// What is wrong with `e` as the event for `in` on `lane`; empty when nothing is.
std::string Mismatch(const Input& in, uint32_t lane, const RecordedEvent& e) {
  if (e.lane != lane) return "came on " + LaneName(e.lane) + ", expected " + LaneName(lane);
  if (in.event == JWO_HAL_EVENT_PERSON_PASSED && e.direction != Direction(in)) {
    return "came with direction " + DirectionName(e.direction) + ", expected " +
           DirectionName(Direction(in));
  }
  if (in.event == JWO_HAL_EVENT_CARD_TAPPED && e.data != CardData()) {
    return "came with " + std::to_string(e.data.size()) + " bytes of data that are not the " +
           std::to_string(sizeof kCard) + " bytes given (data must be copied whole)";
  }
  return "";
}

}  // namespace

class Checker::InputsRun {
 public:
  explicit InputsRun(Checker& c) : c_(c) {}

  void Run() {
    if (c_.Has(JWO_HAL_CAP_CARD_READER)) Group("card reader", {&kTap});
    if (c_.Has(JWO_HAL_CAP_PASSAGE_SENSOR)) Group("passage sensor", {&kPersonIn, &kPersonOut});
    if (c_.Has(JWO_HAL_CAP_DOOR_SENSOR)) Door();
    if (c_.Has(JWO_HAL_CAP_TAMPER)) GateInput("tamper input", kTamper);
    if (c_.Has(JWO_HAL_CAP_EMERGENCY_INPUT)) GateInput("emergency input", kReleaseOn);
    Refusals();
    if (c_.blocked_) return;
    std::string seen;
    for (const auto& [lane, names] : seen_) {
      seen += (seen.empty() ? "" : "; ") + LaneName(lane) + ": " + names;
    }
    if (seen.empty()) seen = "no input declared";
    if (releases_ > 0) {
      std::string refused;
      for (const auto& [cap, name] : {std::pair{JWO_HAL_CAP_ADMIT, "admit"},
                                      {JWO_HAL_CAP_DENY, "deny"},
                                      {JWO_HAL_CAP_LANE_MODE, "set_lane_mode"}}) {
        if (c_.Has(cap)) refused += (refused.empty() ? "" : ", ") + std::string(name);
      }
      if (!refused.empty()) {
        seen += "; during each release " + refused + " answered JWO_HAL_ESTATE";
        if (c_.Has(JWO_HAL_CAP_ADMIT)) seen += ", and admit worked after it";
      }
    }
    if (!not_simulated_.empty()) seen += "; not simulated: " + not_simulated_;
    if (!fail_.empty()) {
      c_.Add("inputs", Verdict::kFail, fail_);
    } else if (!warn_.empty()) {
      c_.Add("inputs", Verdict::kWarn,
             "declared, but stimulate() answers JWO_HAL_EUNSUPPORTED: " + warn_ +
                 " (not exercised); " + seen);
    } else {
      c_.Add("inputs", Verdict::kPass, seen + "; bad inputs and lanes refused");
    }
  }

 private:
  enum class Outcome { kOk, kUnsupported, kFailed };

  void Fail(std::string text) {
    if (fail_.empty()) fail_ = std::move(text);
  }
  void Warn(const std::string& what) { warn_ += (warn_.empty() ? "" : ", ") + what; }
  void Seen(uint32_t lane, const Input& in) {
    for (auto& [l, names] : seen_) {
      if (l == lane) {
        names += ", " + std::string(in.name);
        return;
      }
    }
    seen_.emplace_back(lane, in.name);
  }
  void NotSimulated(const Input& in) {
    not_simulated_ += (not_simulated_.empty() ? "" : ", ") + std::string(in.name);
  }
  static std::string CallText(const Input& in, uint32_t lane) {
    return "stimulate(" + std::string(in.name) + ", " + LaneName(lane) + ")";
  }

  // One stimulate() call, retried after a poll while it answers JWO_HAL_EBUSY.
  int Stimulate(uint32_t input, uint32_t lane, const uint8_t* data, size_t size) {
    int rc = JWO_HAL_EBUSY;
    for (int i = 0; rc == JWO_HAL_EBUSY && i <= kMaxWaitPolls && !c_.blocked_; ++i) {
      if (i > 0) c_.PollFor(c_.main_, 1);
      rc =
          c_.Call("stimulate", [&] { return c_.fn_.stimulate(c_.main_, input, lane, data, size); });
    }
    return rc;
  }
  int Stimulate(const Input& in, uint32_t lane) {
    const bool tap = in.input == JWO_HAL_INPUT_CARD_TAP;
    return Stimulate(in.input, lane, tap ? kCard : nullptr, tap ? sizeof kCard : 0);
  }

  // Stimulates `in` on `lane` and polls until its event comes; kUnsupported when the driver
  // answers JWO_HAL_EUNSUPPORTED, kFailed (with fail_ set) for anything else that is wrong.
  Outcome Expect(const Input& in, uint32_t lane) {
    const size_t mark = c_.host_.EventCount();
    const int rc = Stimulate(in, lane);
    if (rc == JWO_HAL_EUNSUPPORTED) return Outcome::kUnsupported;
    if (rc != JWO_HAL_OK) {
      Fail(CallText(in, lane) + " returned " + jwo_hal_status_name(rc) +
           ", expected JWO_HAL_OK (or JWO_HAL_EUNSUPPORTED for an input this lane cannot see)");
      return Outcome::kFailed;
    }
    for (int polls = 0; !c_.blocked_; ++polls) {
      std::string wrong;
      for (const RecordedEvent& e : c_.host_.EventsSince(mark)) {
        if (e.instance != 0 || e.type != in.event) continue;
        const std::string mismatch = Mismatch(in, lane, e);
        if (mismatch.empty()) {
          Seen(lane, in);
          c_.PollFor(c_.main_, kSettlePolls);
          return Outcome::kOk;
        }
        if (wrong.empty()) wrong = mismatch;
      }
      if (!wrong.empty()) {
        Fail(CallText(in, lane) + ": " + std::string(EventTypeName(in.event)) + " " + wrong);
        return Outcome::kFailed;
      }
      if (polls == kMaxWaitPolls) break;
      c_.PollFor(c_.main_, 1);
    }
    Fail(CallText(in, lane) + " returned JWO_HAL_OK, but no " +
         std::string(EventTypeName(in.event)) + " came in " +
         std::to_string(kMaxWaitPolls * JWO_HAL_POLL_INTERVAL_MS / 1000) +
         " simulated seconds of polls");
    return Outcome::kFailed;
  }

  // Expect() on lanes 1, 2, ... until one does not answer JWO_HAL_EUNSUPPORTED; returns that
  // lane (0 when none can see the input) and its outcome.
  std::pair<uint32_t, Outcome> OnFirstLane(const Input& in) {
    for (uint32_t lane = 1; lane <= c_.lanes_ && !c_.blocked_; ++lane) {
      const Outcome o = Expect(in, lane);
      if (o != Outcome::kUnsupported) return {lane, o};
    }
    return {0, Outcome::kUnsupported};
  }

  // Inputs of one capability, each on the first lane that sees it; at least one must work (a
  // one-way passage sensor sees people pass in one direction only).
  void Group(const char* what, std::initializer_list<const Input*> inputs) {
    bool any = false;
    for (const Input* in : inputs) {
      const Outcome o = OnFirstLane(*in).second;
      if (o == Outcome::kUnsupported) NotSimulated(*in);
      any = any || o != Outcome::kUnsupported;
    }
    if (!any) Warn(what);
  }

  // Forced, held open, closed: on one lane, in this order (the door stays open in between).
  void Door() {
    const auto [lane, forced] = OnFirstLane(kDoorForced);
    if (forced == Outcome::kUnsupported) {
      Warn("door sensor");
      return;
    }
    if (forced == Outcome::kOk && Expect(kDoorHeld, lane) == Outcome::kUnsupported) {
      NotSimulated(kDoorHeld);
      Warn("door sensor (held open)");
    }
    const Outcome closed = Expect(kDoorClosed, lane);
    if (closed == Outcome::kUnsupported && forced == Outcome::kOk) {
      Fail(CallText(kDoorClosed, lane) + " returned JWO_HAL_EUNSUPPORTED after " +
           CallText(kDoorForced, lane) + " was accepted: the kit cannot close the door");
    }
  }

  // Tamper or emergency release: on the first lane that has it, and on JWO_HAL_LANE_NONE (an
  // input of the whole gate); at least one must work.
  void GateInput(const char* what, const Input& in) {
    const bool release = in.input == JWO_HAL_INPUT_EMERGENCY_ON;
    const auto [lane, on_lane] = OnFirstLane(in);
    if (release && on_lane != Outcome::kUnsupported) Release(lane, on_lane);
    const Outcome on_gate = Expect(in, JWO_HAL_LANE_NONE);
    if (release && on_gate != Outcome::kUnsupported) Release(JWO_HAL_LANE_NONE, on_gate);
    if (on_lane == Outcome::kUnsupported && on_gate == Outcome::kUnsupported) Warn(what);
  }

  // The rest of a release of `lane` whose EMERGENCY_ON gave `on`: every command refused on
  // the released lanes, then EMERGENCY_OFF, then admit works again.
  void Release(uint32_t lane, Outcome on) {
    if (on != Outcome::kOk) {
      // Clear it anyway, so that the checks after this one find the gate in its normal state.
      Stimulate(kReleaseOff, lane);
      c_.PollFor(c_.main_, 100);
      return;
    }
    ++releases_;
    const uint32_t first = lane == JWO_HAL_LANE_NONE ? 1 : lane;
    const uint32_t last = lane == JWO_HAL_LANE_NONE ? c_.lanes_ : lane;
    bool mode_accepted = false;
    for (uint32_t l = first; l <= last; ++l) {
      auto refused = [&](const std::string& call, int rc) {
        if (rc == JWO_HAL_ESTATE) return;
        Fail(call + " during an emergency release of " + LaneName(lane) + " returned " +
             jwo_hal_status_name(rc) +
             ", expected JWO_HAL_ESTATE (gate_hal.h section 6: a driver refuses every command "
             "on a released lane and changes nothing)");
      };
      const std::string n = std::to_string(l);
      if (c_.Has(JWO_HAL_CAP_ADMIT)) {
        refused("admit(" + n + ")", c_.Call("admit", [&] { return c_.fn_.admit(c_.main_, l); }));
      }
      if (c_.Has(JWO_HAL_CAP_DENY)) {
        refused("deny(" + n + ")",
                c_.Call("deny", [&] { return c_.fn_.deny(c_.main_, l, kDenyMessage); }));
      }
      if (c_.Has(JWO_HAL_CAP_LANE_MODE)) {
        for (const uint32_t mode : {JWO_HAL_LANE_MODE_LOCKED, JWO_HAL_LANE_MODE_NORMAL}) {
          const int rc =
              c_.Call("set_lane_mode", [&] { return c_.fn_.set_lane_mode(c_.main_, l, mode); });
          mode_accepted = mode_accepted || rc == JWO_HAL_OK;
          refused("set_lane_mode(" + n + ", " + std::string(LaneModeName(mode)) + ")", rc);
        }
      }
    }
    const Outcome off = Expect(kReleaseOff, lane);
    if (off == Outcome::kUnsupported) {
      Fail(CallText(kReleaseOff, lane) + " returned JWO_HAL_EUNSUPPORTED after " +
           CallText(kReleaseOn, lane) + " was accepted: the kit cannot end the release");
    }
    for (uint32_t l = first; l <= last && mode_accepted; ++l) {  // undo a wrongly accepted lock
      c_.Call("set_lane_mode",
              [&] { return c_.fn_.set_lane_mode(c_.main_, l, JWO_HAL_LANE_MODE_NORMAL); });
    }
    if (off == Outcome::kOk && c_.Has(JWO_HAL_CAP_ADMIT)) {
      const int rc = c_.Call("admit", [&] { return c_.fn_.admit(c_.main_, first); });
      if (rc != JWO_HAL_OK) {
        Fail("admit(" + std::to_string(first) + ") after the release of " + LaneName(lane) +
             " was cleared returned " + jwo_hal_status_name(rc) + ", expected JWO_HAL_OK");
      }
    }
    c_.PollFor(c_.main_, 100);  // one simulated second: the admit's pulse ends
  }

  // What must be refused: unknown inputs, lanes beyond lane_count(), JWO_HAL_LANE_NONE for an
  // input of one lane, a tap without data (JWO_HAL_EINVAL); an input without its capability
  // (JWO_HAL_EUNSUPPORTED).
  void Refusals() {
    auto expect = [&](const std::string& call, int rc, int want, const std::string& why) {
      if (rc == want) return;
      Fail(call + " returned " + jwo_hal_status_name(rc) + ", expected " +
           jwo_hal_status_name(want) + " (" + why + ")");
    };
    // 0 is never an input. (Not a large value: the C++ wrapper casts it to jwo_hal_input_t.)
    expect("stimulate(input 0, lane 1)", Stimulate(0, 1, nullptr, 0), JWO_HAL_EINVAL,
           "no such input");
    for (const Input* in : kAll) {
      if (!c_.Has(in->cap)) {
        expect(CallText(*in, 1), Stimulate(*in, 1), JWO_HAL_EUNSUPPORTED,
               "the instance does not declare " + CapabilityNames(in->cap));
        continue;
      }
      expect(CallText(*in, c_.lanes_ + 1), Stimulate(*in, c_.lanes_ + 1), JWO_HAL_EINVAL,
             "no such lane");
      if (LaneOnly(*in)) {
        expect(CallText(*in, JWO_HAL_LANE_NONE), Stimulate(*in, JWO_HAL_LANE_NONE), JWO_HAL_EINVAL,
               "an input of one lane");
      }
    }
    if (c_.Has(JWO_HAL_CAP_CARD_READER)) {
      expect("stimulate(card tap, lane 1, no data)",
             Stimulate(JWO_HAL_INPUT_CARD_TAP, 1, nullptr, 0), JWO_HAL_EINVAL,
             "a tap without data");
    }
  }

  Checker& c_;
  std::string fail_;
  std::string warn_;
  std::string not_simulated_;
  std::vector<std::pair<uint32_t, std::string>> seen_;  // lane, the inputs whose events came
  int releases_ = 0;
};

void Checker::CheckInputs() {
  if (fn_.stimulate == nullptr) {
    Add("inputs", Verdict::kSkip, "no stimulate (ABI 1.1): driver inputs not exercised");
    return;
  }
  InputsRun(*this).Run();
}

}  // namespace jwo::hal::conformance
