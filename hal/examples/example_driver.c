/*
 * example_driver.c - a minimal jwo-edge gate driver in C, to copy and fill in.
 *
 * It drives no hardware: each lane "opens" for one second on admit and logs what a real
 * controller would do. Replace the parts marked HARDWARE with calls to your controller's
 * library or protocol (non-blocking: start the action, finish it in poll()).
 * Inputs: a card reader per lane and an emergency release input (per lane, or for the whole
 * gate). Their HARDWARE state is flags that stimulate() sets for the conformance kit; a real
 * driver reads them from the controller in poll() and reports each change from there.
 *
 * Settings: {} or {"lanes": N} with N from 1 to 8, read through the host (HAL ABI 1.1).
 * Build: see CMakeLists.txt beside this file; check with: jwo-hal-conformance ./jwo_hal_example.so
 */
#include <jwo_edge/gate_hal.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXAMPLE_MAX_LANES 8
#define EXAMPLE_MAX_CARD 64 /* bytes of card data the reader delivers at most */
#define NS_PER_MS 1000000ull

struct jwo_hal_instance {
  const jwo_hal_host_t* host; /* borrowed from the daemon until close() returns */
  uint32_t lanes;
  uint32_t mode[EXAMPLE_MAX_LANES + 1];
  uint64_t open_until_ns[EXAMPLE_MAX_LANES + 1]; /* 0: closed */
  uint64_t next_heartbeat_ns;
  /* HARDWARE: the inputs as the controller reports them. Index 0 is the whole gate
   * (JWO_HAL_LANE_NONE), 1.. the lanes. */
  int release_input[EXAMPLE_MAX_LANES + 1]; /* the emergency release is in force */
  uint8_t card[EXAMPLE_MAX_LANES + 1][EXAMPLE_MAX_CARD];
  size_t card_size[EXAMPLE_MAX_LANES + 1];     /* a card read and not yet reported; 0: none */
  int release_reported[EXAMPLE_MAX_LANES + 1]; /* what poll() last reported */
};

static uint64_t now_ns(const jwo_hal_instance_t* g) {
  return g->host->monotonic_ns(g->host->context);
}

static void log_line(const jwo_hal_instance_t* g, uint32_t level, const char* text) {
  g->host->log(g->host->context, level, text);
}

static void emit_data(const jwo_hal_instance_t* g, uint32_t type, uint32_t lane,
                      const uint8_t* data, size_t data_size) {
  jwo_hal_event_t e;
  memset(&e, 0, sizeof e);
  e.struct_size = sizeof e;
  e.type = type;
  e.lane = lane;
  e.data = data;
  e.data_size = data_size;
  g->host->emit(g->host->context, &e);
}

static void emit(const jwo_hal_instance_t* g, uint32_t type, uint32_t lane) {
  emit_data(g, type, lane, NULL, 0);
}

/* Life safety (gate_hal.h section 6): a lane under emergency release takes no command. The
 * check reads the input itself, not what poll() has reported yet. */
static int released(const jwo_hal_instance_t* g, uint32_t lane) {
  return g->release_input[JWO_HAL_LANE_NONE] || g->release_input[lane];
}

/* Reads {} or {"lanes": N} through the host's settings getters (ABI 1.1, gate_hal.h section
 * 9): no JSON parser in the driver. Unknown keys are refused by name, as the contract asks. */
static int read_settings(const jwo_hal_host_t* host, uint32_t* lanes, char* error,
                         size_t error_size) {
  void* ctx = host->context;
  size_t count = 0;
  size_t i;
  int64_t n = 1;
  int rc;
  char key[64];
  if (!JWO_HAL_HOST_HAS(host, setting_key)) {
    snprintf(error, error_size,
             "this driver needs jwo-edge with HAL ABI 1.1 or later (settings access); the "
             "daemon speaks %u.%u",
             (unsigned)host->abi_major, (unsigned)host->abi_minor);
    return JWO_HAL_ESETTINGS;
  }
  rc = host->setting_count(ctx, "", &count);
  if (rc != JWO_HAL_OK) {
    snprintf(error, error_size, "settings: must be a JSON object (%s)", jwo_hal_status_name(rc));
    return JWO_HAL_ESETTINGS;
  }
  for (i = 0; i < count; ++i) {
    rc = host->setting_key(ctx, "", i, key, sizeof key);
    if (rc != JWO_HAL_OK || strcmp(key, "lanes") != 0) {
      snprintf(error, error_size, "settings.%s: unknown key (the only key is \"lanes\")",
               rc == JWO_HAL_OK ? key : "(a long key)");
      return JWO_HAL_ESETTINGS;
    }
  }
  rc = host->setting_int(ctx, "/lanes", &n);
  if (rc == JWO_HAL_ENOENT) {
    n = 1; /* the default */
  } else if (rc != JWO_HAL_OK || n < 1 || n > EXAMPLE_MAX_LANES) {
    snprintf(error, error_size, "settings.lanes: must be an integer from 1 to %d",
             EXAMPLE_MAX_LANES);
    return JWO_HAL_ESETTINGS;
  }
  *lanes = (uint32_t)n;
  return JWO_HAL_OK;
}

static int example_open(const jwo_hal_host_t* host, const char* settings_json,
                        jwo_hal_instance_t** out_instance, char* error, size_t error_size) {
  uint32_t lanes = 0;
  uint32_t i;
  jwo_hal_instance_t* g;
  int rc;
  if (host == NULL || settings_json == NULL || out_instance == NULL) return JWO_HAL_EINVAL;
  /* settings_json is the same text the host's getters read; the getters spare us parsing it. */
  rc = read_settings(host, &lanes, error, error_size);
  if (rc != JWO_HAL_OK) return rc;
  g = (jwo_hal_instance_t*)calloc(1, sizeof *g);
  if (g == NULL) {
    snprintf(error, error_size, "out of memory");
    return JWO_HAL_ENOMEM;
  }
  g->host = host;
  g->lanes = lanes;
  for (i = 1; i <= lanes; ++i) g->mode[i] = JWO_HAL_LANE_MODE_NORMAL;
  g->next_heartbeat_ns = now_ns(g);
  /* HARDWARE: open the controller here (non-blocking), or fail with JWO_HAL_EIO. */
  *out_instance = g;
  return JWO_HAL_OK;
}

static void example_close(jwo_hal_instance_t* g) {
  /* HARDWARE: put outputs back to idle and release the device. */
  free(g);
}

static uint32_t example_lane_count(const jwo_hal_instance_t* g) { return g->lanes; }

static int example_poll(jwo_hal_instance_t* g) {
  const uint64_t now = now_ns(g);
  uint32_t i;
  for (i = 1; i <= g->lanes; ++i) {
    if (g->open_until_ns[i] != 0 && now >= g->open_until_ns[i]) {
      g->open_until_ns[i] = 0; /* HARDWARE: end the relay pulse */
    }
    if (g->card_size[i] != 0) { /* HARDWARE: read the reader's buffer */
      emit_data(g, JWO_HAL_EVENT_CARD_TAPPED, i, g->card[i], g->card_size[i]);
      g->card_size[i] = 0;
    }
  }
  for (i = 0; i <= g->lanes; ++i) { /* report each change of a release input once */
    if (g->release_input[i] != g->release_reported[i]) {
      g->release_reported[i] = g->release_input[i];
      emit(g,
           g->release_input[i] ? JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE
                               : JWO_HAL_EVENT_EMERGENCY_RELEASE_CLEARED,
           i);
    }
  }
  if (now >= g->next_heartbeat_ns) {
    emit(g, JWO_HAL_EVENT_HEARTBEAT, JWO_HAL_LANE_NONE);
    g->next_heartbeat_ns = now + JWO_HAL_HEARTBEAT_INTERVAL_MS * NS_PER_MS;
  }
  return JWO_HAL_OK;
}

static int example_admit(jwo_hal_instance_t* g, uint32_t lane) {
  if (lane < 1 || lane > g->lanes) return JWO_HAL_EINVAL;
  if (released(g, lane) || g->mode[lane] != JWO_HAL_LANE_MODE_NORMAL) return JWO_HAL_ESTATE;
  g->open_until_ns[lane] = now_ns(g) + 1000 * NS_PER_MS; /* HARDWARE: start the relay pulse */
  log_line(g, JWO_HAL_LOG_DEBUG, "lane opened");
  return JWO_HAL_OK;
}

static int example_deny(jwo_hal_instance_t* g, uint32_t lane, const char* message) {
  if (lane < 1 || lane > g->lanes || message == NULL) return JWO_HAL_EINVAL;
  if (released(g, lane)) return JWO_HAL_ESTATE;
  g->open_until_ns[lane] = 0; /* HARDWARE: light the red lamp, show `message` */
  log_line(g, JWO_HAL_LOG_DEBUG, "lane denied");
  return JWO_HAL_OK;
}

static int example_set_lane_mode(jwo_hal_instance_t* g, uint32_t lane, uint32_t mode) {
  if (lane < 1 || lane > g->lanes) return JWO_HAL_EINVAL;
  if (mode < JWO_HAL_LANE_MODE_NORMAL || mode > JWO_HAL_LANE_MODE_OUT_OF_SERVICE) {
    return JWO_HAL_EINVAL;
  }
  if (released(g, lane)) return JWO_HAL_ESTATE;
  g->mode[lane] = mode;
  if (mode != JWO_HAL_LANE_MODE_NORMAL) g->open_until_ns[lane] = 0;
  return JWO_HAL_OK;
}

/* For tests only (jwo-hal-conformance; the daemon never calls it): behave as if the hardware
 * had seen `input`. It sets the HARDWARE flags above, as the controller's messages would, so
 * the events come from poll() like real ones (gate_hal.h section 10). */
static int example_stimulate(jwo_hal_instance_t* g, uint32_t input, uint32_t lane,
                             const uint8_t* data, size_t data_size) {
  if (lane > g->lanes) return JWO_HAL_EINVAL;
  switch (input) {
    case JWO_HAL_INPUT_CARD_TAP:
      if (lane == JWO_HAL_LANE_NONE || data == NULL || data_size == 0 ||
          data_size > EXAMPLE_MAX_CARD) {
        return JWO_HAL_EINVAL;
      }
      if (g->card_size[lane] != 0) return JWO_HAL_EBUSY; /* the last card is not reported yet */
      memcpy(g->card[lane], data, data_size);
      g->card_size[lane] = data_size;
      return JWO_HAL_OK;
    case JWO_HAL_INPUT_EMERGENCY_ON:
    case JWO_HAL_INPUT_EMERGENCY_OFF:
      g->release_input[lane] = input == JWO_HAL_INPUT_EMERGENCY_ON;
      return JWO_HAL_OK;
    case JWO_HAL_INPUT_PERSON_IN:
    case JWO_HAL_INPUT_PERSON_OUT:
    case JWO_HAL_INPUT_DOOR_FORCED:
    case JWO_HAL_INPUT_DOOR_HELD_OPEN:
    case JWO_HAL_INPUT_DOOR_CLOSED:
    case JWO_HAL_INPUT_TAMPER:
      return JWO_HAL_EUNSUPPORTED; /* no such sensor in this example */
    default:
      return JWO_HAL_EINVAL;
  }
}

static const jwo_hal_driver_t kDescriptor = {
    JWO_HAL_ABI_MAJOR,
    JWO_HAL_ABI_MINOR,
    sizeof(jwo_hal_driver_t),
    0,
    "example",
    "1.0.0",
    JWO_HAL_CAP_ADMIT | JWO_HAL_CAP_DENY | JWO_HAL_CAP_LANE_MODE | JWO_HAL_CAP_CARD_READER |
        JWO_HAL_CAP_EMERGENCY_INPUT | JWO_HAL_CAP_HEARTBEAT,
    example_open,
    example_close,
    example_lane_count,
    example_poll,
    example_admit,
    example_deny,
    example_set_lane_mode,
    NULL,              /* control: not supported */
    NULL,              /* instance_capabilities (ABI 1.1): every instance has the descriptor's */
    example_stimulate, /* ABI 1.1, for tests: see above */
};

JWO_HAL_EXPORT const jwo_hal_driver_t* jwo_hal_entry(void) { return &kDescriptor; }
