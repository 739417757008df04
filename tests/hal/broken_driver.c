/*
 * Deliberately broken gate drivers for the loader, conformance and containment tests. One
 * source, built once per defect (BROKEN_<KIND>, see CMakeLists.txt):
 *   WRONG_MAJOR   descriptor says ABI 2.0
 *   SHORT         descriptor's struct_size stops before the command functions
 *   NO_ENTRY      exports no jwo_hal_entry
 *   NULL_POLL     poll is NULL
 *   CAP_NO_FN     declares JWO_HAL_CAP_ADMIT without an admit function
 *   BLOCKING      poll number block_after_polls+1 sleeps block_ms (settings, defaults 0 / 400)
 *   FAULTY        reports FAULT 42 at open and fails every poll with JWO_HAL_EIO
 *   UNDECLARED    emits event type `emit` (settings) on lane 1 at open, declaring only ADMIT
 *   LANES         lane_count() answers `lanes` (settings), e.g. 0 or 4294967295
 *   ABI_1_0       built as an ABI 1.0 driver (minor 0, the 1.0 descriptor size); its
 *                 instance_capabilities lies beyond struct_size and must never be called
 *   INSTANCE_CAPS instance_capabilities() answers `caps` (settings, read through the host's
 *                 ABI 1.1 getters; default ADMIT) against a descriptor declaring ADMIT
 *   ADMITS_IN_RELEASE  declares ADMIT and EMERGENCY_INPUT; stimulate() reports an emergency
 *                 release (lane 1, 2 or NONE) at once, but admit() answers JWO_HAL_OK during
 *                 it. Settings: `refuse` 1 refuses as the contract asks (the control case),
 *                 `event_lane` N reports the release on lane N whatever the stimulated one,
 *                 `silent` 1 reports nothing, `unsupported` 1 answers JWO_HAL_EUNSUPPORTED
 *                 (hardware that cannot be simulated)
 *   TAP_AS_STRING declares ADMIT and CARD_READER; a stimulated tap reports the card data cut
 *                 at its first NUL (copied as a C string)
 */
#define _POSIX_C_SOURCE 200809L
#include <jwo_edge/gate_hal.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct jwo_hal_instance {
  const jwo_hal_host_t* host;
  unsigned long lanes;
  long block_ms;
  long block_after;
  long polls;
  long caps;
  int released[3]; /* ADMITS_IN_RELEASE: [0] the whole gate, [1], [2] the lanes */
  long refuse;
  long event_lane;
  long silent;
  long unsupported;
};

static long setting(const char* json, const char* key, long fallback) {
  const char* at = strstr(json, key);
  if (at == NULL) return fallback;
  at = strchr(at, ':');
  return at == NULL ? fallback : strtol(at + 1, NULL, 10);
}

#if defined(BROKEN_FAULTY) || defined(BROKEN_UNDECLARED) || defined(BROKEN_ADMITS_IN_RELEASE)
static void emit(jwo_hal_instance_t* g, uint32_t type, uint32_t lane, int32_t code,
                 const char* detail) {
  jwo_hal_event_t e;
  memset(&e, 0, sizeof e);
  e.struct_size = sizeof e;
  e.type = type;
  e.lane = lane;
  e.code = code;
  e.detail = detail;
  g->host->emit(g->host->context, &e);
}
#endif

static int broken_open(const jwo_hal_host_t* host, const char* settings, jwo_hal_instance_t** out,
                       char* error, size_t error_size) {
  jwo_hal_instance_t* g;
  size_t end = strlen(settings);
  while (end > 0 && (settings[end - 1] == ' ' || settings[end - 1] == '\n')) --end;
  if (settings[0] != '{' || end == 0 || settings[end - 1] != '}') {
    strncpy(error, "settings: must be a JSON object", error_size - 1);
    error[error_size - 1] = '\0';
    return JWO_HAL_ESETTINGS;
  }
  g = (jwo_hal_instance_t*)calloc(1, sizeof *g);
  if (g == NULL) return JWO_HAL_ENOMEM;
  g->host = host;
  g->block_ms = setting(settings, "\"block_ms\"", 400);
  g->block_after = setting(settings, "\"block_after_polls\"", 0);
  g->refuse = setting(settings, "\"refuse\"", 0);
  g->event_lane = setting(settings, "\"event_lane\"", -1);
  g->silent = setting(settings, "\"silent\"", 0);
  g->unsupported = setting(settings, "\"unsupported\"", 0);
#ifdef BROKEN_INSTANCE_CAPS
  {
    int64_t caps = JWO_HAL_CAP_ADMIT;
    if (JWO_HAL_HOST_HAS(host, setting_int)) host->setting_int(host->context, "/caps", &caps);
    g->caps = (long)caps;
  }
#endif
  g->lanes = strtoul(
      strstr(settings, "\"lanes\"") != NULL ? strchr(strstr(settings, "\"lanes\""), ':') + 1 : "2",
      NULL, 10);
#ifdef BROKEN_FAULTY
  emit(g, JWO_HAL_EVENT_FAULT, JWO_HAL_LANE_NONE, 42, "controller reports relay coil open circuit");
#endif
#ifdef BROKEN_UNDECLARED
  emit(g, (uint32_t)setting(settings, "\"emit\"", JWO_HAL_EVENT_DOOR_CLOSED), 1, 0, "");
#endif
  *out = g;
  return JWO_HAL_OK;
}

static void broken_close(jwo_hal_instance_t* g) { free(g); }
static uint32_t broken_lane_count(const jwo_hal_instance_t* g) {
#ifdef BROKEN_LANES
  return (uint32_t)g->lanes;
#else
  (void)g;
  return 2;
#endif
}

/* Unused in the variants that leave it out of the descriptor. */
__attribute__((unused)) static int broken_poll(jwo_hal_instance_t* g) {
  ++g->polls;
#ifdef BROKEN_BLOCKING
  if (g->polls == g->block_after + 1) {
    struct timespec ts;
    ts.tv_sec = g->block_ms / 1000;
    ts.tv_nsec = (g->block_ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
  }
#endif
#ifdef BROKEN_FAULTY
  return JWO_HAL_EIO;
#else
  return JWO_HAL_OK;
#endif
}

/* ABI_1_0: present in the struct but beyond its struct_size, so never called. */
__attribute__((unused)) static uint64_t broken_instance_capabilities(const jwo_hal_instance_t* g) {
#ifdef BROKEN_ABI_1_0
  (void)g;
  abort();
#else
  return (uint64_t)g->caps;
#endif
}

__attribute__((unused)) static int broken_admit(jwo_hal_instance_t* g, uint32_t lane) {
#ifdef BROKEN_ADMITS_IN_RELEASE
  if (g->refuse && lane <= 2 && (g->released[0] || g->released[lane])) return JWO_HAL_ESTATE;
#endif
#ifdef BROKEN_INSTANCE_CAPS
  /* An instance without the capability refuses, as the contract asks. */
  if ((g->caps & (long)JWO_HAL_CAP_ADMIT) == 0) return JWO_HAL_EUNSUPPORTED;
#else
  (void)g;
#endif
  return lane >= 1 && lane <= 2 ? JWO_HAL_OK : JWO_HAL_EINVAL;
}

#if defined(BROKEN_ADMITS_IN_RELEASE) || defined(BROKEN_TAP_AS_STRING)
static int broken_stimulate(jwo_hal_instance_t* g, uint32_t input, uint32_t lane,
                            const uint8_t* data, size_t data_size) {
  if (input < JWO_HAL_INPUT_CARD_TAP || input > JWO_HAL_INPUT_EMERGENCY_OFF || lane > 2) {
    return JWO_HAL_EINVAL;
  }
#ifdef BROKEN_TAP_AS_STRING
  if (input != JWO_HAL_INPUT_CARD_TAP) return JWO_HAL_EUNSUPPORTED;
  if (lane == JWO_HAL_LANE_NONE || data == NULL || data_size == 0) return JWO_HAL_EINVAL;
  {
    jwo_hal_event_t e;
    memset(&e, 0, sizeof e);
    e.struct_size = sizeof e;
    e.type = JWO_HAL_EVENT_CARD_TAPPED;
    e.lane = lane;
    e.data = data;
    e.data_size = strnlen((const char*)data, data_size); /* the defect */
    g->host->emit(g->host->context, &e);
  }
  return JWO_HAL_OK;
#else
  (void)data;
  (void)data_size;
  if (g->unsupported ||
      (input != JWO_HAL_INPUT_EMERGENCY_ON && input != JWO_HAL_INPUT_EMERGENCY_OFF)) {
    return JWO_HAL_EUNSUPPORTED;
  }
  g->released[lane] = input == JWO_HAL_INPUT_EMERGENCY_ON;
  if (!g->silent) {
    emit(g,
         g->released[lane] ? JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE
                           : JWO_HAL_EVENT_EMERGENCY_RELEASE_CLEARED,
         g->event_lane >= 0 ? (uint32_t)g->event_lane : lane, 0, NULL);
  }
  return JWO_HAL_OK;
#endif
}
#endif

static const jwo_hal_driver_t kDescriptor = {
#ifdef BROKEN_WRONG_MAJOR
    2,
#else
    JWO_HAL_ABI_MAJOR,
#endif
#if defined(BROKEN_ABI_1_0) || defined(BROKEN_WRONG_MAJOR)
    0,
#else
    JWO_HAL_ABI_MINOR,
#endif
#ifdef BROKEN_SHORT
    offsetof(jwo_hal_driver_t, admit),
#elif defined(BROKEN_ABI_1_0)
    JWO_HAL_DRIVER_SIZE_1_0,
#else
    sizeof(jwo_hal_driver_t),
#endif
    0,
    "broken",
    "0.0.1",
#ifdef BROKEN_ADMITS_IN_RELEASE
    JWO_HAL_CAP_ADMIT | JWO_HAL_CAP_EMERGENCY_INPUT,
#elif defined(BROKEN_TAP_AS_STRING)
    JWO_HAL_CAP_ADMIT | JWO_HAL_CAP_CARD_READER,
#else
    JWO_HAL_CAP_ADMIT,
#endif
    broken_open,
    broken_close,
    broken_lane_count,
#ifdef BROKEN_NULL_POLL
    NULL,
#else
    broken_poll,
#endif
#ifdef BROKEN_CAP_NO_FN
    NULL,
#else
    broken_admit,
#endif
    NULL,
    NULL,
    NULL,
#if defined(BROKEN_ABI_1_0) || defined(BROKEN_INSTANCE_CAPS)
    broken_instance_capabilities,
#else
    NULL,
#endif
#if defined(BROKEN_ADMITS_IN_RELEASE) || defined(BROKEN_TAP_AS_STRING)
    broken_stimulate,
#else
    NULL,
#endif
};

#ifdef BROKEN_NO_ENTRY
JWO_HAL_EXPORT const jwo_hal_driver_t* jwo_hal_entry_misspelt(void) { return &kDescriptor; }
#else
JWO_HAL_EXPORT const jwo_hal_driver_t* jwo_hal_entry(void) { return &kDescriptor; }
#endif
