/*
 * example_driver.c - a minimal jwo-edge gate driver in C, to copy and fill in.
 *
 * It drives no hardware: each lane "opens" for one second on admit and logs what a real
 * controller would do. Replace the parts marked HARDWARE with calls to your controller's
 * library or protocol (non-blocking: start the action, finish it in poll()).
 *
 * Settings (JSON): {} or {"lanes": N} with N from 1 to 8.
 * Build: see CMakeLists.txt beside this file; check with: jwo-hal-conformance ./jwo_hal_example.so
 */
#include <jwo_edge/gate_hal.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXAMPLE_MAX_LANES 8
#define NS_PER_MS 1000000ull

struct jwo_hal_instance {
  const jwo_hal_host_t* host; /* borrowed from the daemon until close() returns */
  uint32_t lanes;
  uint32_t mode[EXAMPLE_MAX_LANES + 1];
  uint64_t open_until_ns[EXAMPLE_MAX_LANES + 1]; /* 0: closed */
  uint64_t next_heartbeat_ns;
};

static uint64_t now_ns(const jwo_hal_instance_t* g) {
  return g->host->monotonic_ns(g->host->context);
}

static void log_line(const jwo_hal_instance_t* g, uint32_t level, const char* text) {
  g->host->log(g->host->context, level, text);
}

static void emit(const jwo_hal_instance_t* g, uint32_t type, uint32_t lane) {
  jwo_hal_event_t e;
  memset(&e, 0, sizeof e);
  e.struct_size = sizeof e;
  e.type = type;
  e.lane = lane;
  g->host->emit(g->host->context, &e);
}

static const char* skip_space(const char* p) {
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') ++p;
  return p;
}

/* Accepts exactly {} or {"lanes": <1..8>} (whitespace allowed). Real drivers use a JSON
 * library; this keeps the example free of dependencies. */
static int parse_settings(const char* json, uint32_t* lanes, char* error, size_t error_size) {
  const char* p = skip_space(json);
  if (*p++ != '{') goto bad;
  p = skip_space(p);
  if (*p == '}') {
    *lanes = 1;
    p = skip_space(p + 1);
    if (*p != '\0') goto bad;
    return JWO_HAL_OK;
  }
  if (strncmp(p, "\"lanes\"", 7) != 0) {
    snprintf(error, error_size, "settings: the only key is \"lanes\"");
    return JWO_HAL_ESETTINGS;
  }
  p = skip_space(p + 7);
  if (*p++ != ':') goto bad;
  p = skip_space(p);
  {
    char* end = NULL;
    long n = strtol(p, &end, 10);
    if (end == p || n < 1 || n > EXAMPLE_MAX_LANES) {
      snprintf(error, error_size, "settings.lanes: must be an integer from 1 to %d",
               EXAMPLE_MAX_LANES);
      return JWO_HAL_ESETTINGS;
    }
    *lanes = (uint32_t)n;
    p = skip_space(end);
  }
  if (*p++ != '}') goto bad;
  p = skip_space(p);
  if (*p != '\0') goto bad;
  return JWO_HAL_OK;
bad:
  snprintf(error, error_size, "settings: must be {} or {\"lanes\": N}");
  return JWO_HAL_ESETTINGS;
}

static int example_open(const jwo_hal_host_t* host, const char* settings_json,
                        jwo_hal_instance_t** out_instance, char* error, size_t error_size) {
  uint32_t lanes = 0;
  uint32_t i;
  jwo_hal_instance_t* g;
  int rc;
  if (host == NULL || settings_json == NULL || out_instance == NULL) return JWO_HAL_EINVAL;
  rc = parse_settings(settings_json, &lanes, error, error_size);
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
  }
  if (now >= g->next_heartbeat_ns) {
    emit(g, JWO_HAL_EVENT_HEARTBEAT, JWO_HAL_LANE_NONE);
    g->next_heartbeat_ns = now + JWO_HAL_HEARTBEAT_INTERVAL_MS * NS_PER_MS;
  }
  return JWO_HAL_OK;
}

static int example_admit(jwo_hal_instance_t* g, uint32_t lane) {
  if (lane < 1 || lane > g->lanes) return JWO_HAL_EINVAL;
  if (g->mode[lane] != JWO_HAL_LANE_MODE_NORMAL) return JWO_HAL_ESTATE;
  g->open_until_ns[lane] = now_ns(g) + 1000 * NS_PER_MS; /* HARDWARE: start the relay pulse */
  log_line(g, JWO_HAL_LOG_DEBUG, "lane opened");
  return JWO_HAL_OK;
}

static int example_deny(jwo_hal_instance_t* g, uint32_t lane, const char* message) {
  if (lane < 1 || lane > g->lanes || message == NULL) return JWO_HAL_EINVAL;
  g->open_until_ns[lane] = 0; /* HARDWARE: light the red lamp, show `message` */
  log_line(g, JWO_HAL_LOG_DEBUG, "lane denied");
  return JWO_HAL_OK;
}

static int example_set_lane_mode(jwo_hal_instance_t* g, uint32_t lane, uint32_t mode) {
  if (lane < 1 || lane > g->lanes) return JWO_HAL_EINVAL;
  if (mode < JWO_HAL_LANE_MODE_NORMAL || mode > JWO_HAL_LANE_MODE_OUT_OF_SERVICE) {
    return JWO_HAL_EINVAL;
  }
  g->mode[lane] = mode;
  if (mode != JWO_HAL_LANE_MODE_NORMAL) g->open_until_ns[lane] = 0;
  return JWO_HAL_OK;
}

static const jwo_hal_driver_t kDescriptor = {
    JWO_HAL_ABI_MAJOR,
    JWO_HAL_ABI_MINOR,
    sizeof(jwo_hal_driver_t),
    0,
    "example",
    "1.0.0",
    JWO_HAL_CAP_ADMIT | JWO_HAL_CAP_DENY | JWO_HAL_CAP_LANE_MODE | JWO_HAL_CAP_HEARTBEAT,
    example_open,
    example_close,
    example_lane_count,
    example_poll,
    example_admit,
    example_deny,
    example_set_lane_mode,
    NULL, /* control: not supported */
};

JWO_HAL_EXPORT const jwo_hal_driver_t* jwo_hal_entry(void) { return &kDescriptor; }
