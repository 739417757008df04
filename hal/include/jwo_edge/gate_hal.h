/*
 * jwo_edge/gate_hal.h - the jwo-edge gate hardware abstraction layer (HAL), ABI 1.1.
 *
 * A gate driver is a shared object (.so) that lets jwo-edged talk to one kind of gate
 * controller: it tells a lane to admit or deny a shopper, and it reports what the hardware sees
 * (card taps, passages, door states, tamper, faults, emergency release, heartbeats). This header
 * is the whole contract. It is plain C (C99), depends on nothing but <stddef.h> and <stdint.h>,
 * and may be compiled by any C or C++ compiler. Read it top to bottom once; docs/hal.md is the
 * step-by-step guide and hal/examples/ a driver to copy. Where docs/hal.md and this header
 * disagree, this header is right: every rule docs/hal.md states about loading and supervising
 * a driver is repeated here (8).
 *
 * 1. DISCOVERY AND VERSIONING
 *    The driver exports exactly one symbol, jwo_hal_entry(), returning a pointer to a
 *    jwo_hal_driver_t descriptor. The descriptor begins with the ABI major and minor version
 *    and its own size; the loader refuses a driver whose major differs from its own, or whose
 *    descriptor is smaller than ABI 1.0's, and names the file, both versions and what to do.
 *    A newer minor only ever appends members to the end of a struct: a driver built against
 *    1.0 runs on a 1.x daemon, and a 1.x driver on a 1.0 daemon (the daemon ignores members
 *    past the ones it knows). A function member that is NULL, or lies beyond struct_size,
 *    means "not supported". The same rule applies to the host table and to events.
 *    ABI 1.1 added: the settings getters in the host table (9), per-instance capabilities
 *    (jwo_hal_driver_t.instance_capabilities) and the test-input hook (stimulate, 10), and the
 *    status codes JWO_HAL_ENOENT, JWO_HAL_ETYPE and JWO_HAL_ERANGE. A 1.1 driver that needs a
 *    1.1 member checks for it with JWO_HAL_HOST_HAS and fails open() with a message when a 1.0
 *    daemon lacks it.
 *
 * 2. INSTANCES
 *    A driver may be opened several times (one instance per gate or bus), each with its own
 *    settings: a JSON object text taken from the gate's `settings:` in the daemon's YAML. The
 *    driver keeps all per-gate state in its jwo_hal_instance_t; global mutable state shared
 *    between instances must be locked by the driver (instances may be called concurrently,
 *    see 3).
 *
 * 3. THREADS
 *    The daemon owns threads, time and scheduling. For one instance, every driver function is
 *    called from one thread at a time, never concurrently; different instances (of the same
 *    driver) may be called concurrently from different threads. The daemon calls poll() about
 *    every JWO_HAL_POLL_INTERVAL_MS milliseconds; the driver does its periodic work there
 *    (reading inputs, ending a relay pulse, debouncing, sending heartbeats). A driver starts
 *    no thread of its own unless it declares JWO_HAL_CAP_OWN_THREADS; such a driver joins its
 *    threads in close().
 *
 * 4. NON-BLOCKING
 *    No driver function may block. Each returns within JWO_HAL_CALL_BUDGET_US under normal
 *    conditions: no sleep, no waiting for a device to answer (open device files O_NONBLOCK),
 *    no waiting for a mechanism to finish (admit() starts a relay pulse and returns; poll()
 *    ends it). The daemon measures every call; a call that overruns is counted, and one that
 *    does not return marks the gate faulty ("driver_stuck") while the rest of the daemon,
 *    including other gates, carries on. open() and close() get no larger budget than the
 *    others. The thresholds are in 8.
 *
 * 5. TIME
 *    Drivers take time only from host->monotonic_ns(), never from the system clock, so that a
 *    test harness (jwo-hal-conformance, the daemon's tests) can drive time deterministically.
 *
 * 6. LIFE SAFETY
 *    Software is never in the safety path. An emergency (fire alarm) release is wired in
 *    hardware; the driver only reports it (JWO_HAL_EVENT_EMERGENCY_RELEASE_*). While a release
 *    is active the daemon sends no admit, deny or lane-mode command to the affected lanes, and
 *    a driver must never act against a release on its own either.
 *    The daemon knows of a release only from the driver's events, and applies events after the
 *    driver call that emitted them returns (in the gate loop: after that round's commands have
 *    been sent). So a command can still reach a lane the driver has just seen released, above
 *    all right after open() reported a release already active. The driver must therefore check
 *    the release itself on every admit(), deny() and set_lane_mode(): refuse with
 *    JWO_HAL_ESTATE and change nothing at the lane (no relay, no indicator, no display). The
 *    daemon counts such a refusal as a failed command (jwo_gate_commands_total result
 *    "failed"; for admit and deny also jwo_gate_driver_errors_total call "command" and a
 *    warning in the log; for set_lane_mode, `jwo-edgectl gate mode` fails with the status),
 *    does not retry it, and does not mark the gate unready for it.
 *
 * 7. NAMES
 *    Everything public begins with jwo_hal_ (functions, types with _t, function pointer types
 *    with _fn) or JWO_HAL_ (macros).
 *
 * 8. LOADING AND SUPERVISION (what jwo-edged 1.x does; part of the contract)
 *    These are the daemon's rules, not ABI constants; they are stated here so that a driver can
 *    be written from this header alone. docs/hal.md sections 1, 2.1, 2.2, 2.4, 4 and 5 repeat
 *    them.
 *    - File name: a gate configured with `driver: NAME` loads the first jwo_hal_NAME.so found
 *      in $JWO_HAL_DRIVER_PATH (colon-separated), then /usr/lib/<triplet>/jwo-edge/hal/, then
 *      <dir of jwo-edged>/../hal/drivers; a `driver:` containing '/' is used as a path as it
 *      is. NAME must be the descriptor's name (the loader does not check this).
 *    - Loading: dlopen(path, RTLD_NOW | RTLD_LOCAL): every undefined symbol must resolve at
 *      load time, and nothing the driver exports is visible to other drivers. Each gate loads
 *      its driver on its own thread when the daemon starts; gates resolving to the same file share
 *      one copy of the library (and so its global state), and jwo_hal_entry() is called once
 *      per such load, i.e. once per gate.
 *    - Unloading: dlclose() runs when the daemon tears the gate down (at shutdown, after
 *      close() has returned if an instance was open), or right away when the loader refuses
 *      the driver. The library stays loaded between failed open() attempts. A gate whose
 *      thread is stuck in a driver call is never unloaded. After close() returns for its last
 *      instance, nothing of the driver (threads, timers, callbacks registered elsewhere) may
 *      still run.
 *    - Open retries: an open() that fails with any status but JWO_HAL_ESETTINGS (or returns
 *      JWO_HAL_OK with *out_instance NULL) is retried every 10 s. JWO_HAL_ESETTINGS, a refused
 *      load, and a configuration that maps a lane above lane_count() are not retried: the gate
 *      stays faulty ("driver_unavailable") until a restart.
 *    - Slow and stuck calls: every call, open() and close() included, is timed. One over
 *      JWO_HAL_CALL_BUDGET_US is counted (jwo_gate_driver_slow_calls_total); one still running
 *      after 1 s makes the gate unready ("driver_stuck") until it returns. At shutdown a gate
 *      whose thread has not finished (close() included) within 3 s is abandoned: its thread
 *      is detached and never touched again.
 *
 * 9. SETTINGS (ABI 1.1)
 *    A gate's `settings:` in the daemon's YAML reach open() as JSON text, converted so: a
 *    mapping is an object (keys in file order), a sequence an array; a plain (unquoted) scalar
 *    that reads as a JSON number, true, false or null in JSON's own grammar is that, and `~` is
 *    null; every other scalar, and every quoted one, is a string. So `lanes: 2` is the integer
 *    2, `pulse_s: 2.0` and `gain: 1e3` are non-integer numbers, `chip: "2"` is the string "2",
 *    and `enabled: yes` is the string "yes" (write true). Numbers keep the text written: no
 *    rounding happens on the way.
 *    Rather than parse that text, a driver reads it through the host table's setting_*
 *    functions (present when host->abi_minor >= 1), by JSON Pointer (RFC 6901): "" is the
 *    settings object, "/lanes" its member "lanes", "/relays/0/pin" the member "pin" of the
 *    first element of the array "relays"; in a key "~1" stands for '/' and "~0" for '~'.
 *    Types (jwo_hal_setting_type_t): an integer is a number written without fraction or
 *    exponent that fits int64_t or uint64_t; any other number is NUMBER. setting_int reads
 *    INTEGER only (2.0 is refused with JWO_HAL_ETYPE, so a typo shows); setting_number reads
 *    both. A driver refuses keys it does not know (setting_count and setting_key on "" list
 *    them) with JWO_HAL_ESETTINGS and an error naming the key, as it refuses bad values.
 *
 * 10. TEST INPUTS (ABI 1.1)
 *    A driver may implement stimulate(): it makes an instance behave as if its hardware had
 *    seen an input (a card tap, a person passing, a door, tamper, an emergency release on or
 *    off), injected as low in the driver as it can be (the line values, the controller's
 *    message), so that the driver's own path produces the events. A door forced or held open
 *    stays open until DOOR_CLOSED, a release stays in force until EMERGENCY_OFF; the other
 *    inputs are momentary. jwo-hal-conformance uses it to check a driver's inputs and its
 *    refusals during a release (check "inputs", docs/hal.md section 10); the daemon never
 *    calls it.
 */
#ifndef JWO_EDGE_GATE_HAL_H
#define JWO_EDGE_GATE_HAL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Versions and constants --------------------------------------------------------- */

#define JWO_HAL_ABI_MAJOR 1
#define JWO_HAL_ABI_MINOR 1

/* The name of the one symbol a driver exports (see jwo_hal_entry below). */
#define JWO_HAL_ENTRY_SYMBOL "jwo_hal_entry"

/* How often the daemon calls poll(), in milliseconds (a target, not a promise: a busy machine
 * may call later, never earlier by much). Drivers measure elapsed time with monotonic_ns(). */
#define JWO_HAL_POLL_INTERVAL_MS 10

/* The longest any driver call should take, in microseconds. */
#define JWO_HAL_CALL_BUDGET_US 1000

/* A driver declaring JWO_HAL_CAP_HEARTBEAT emits JWO_HAL_EVENT_HEARTBEAT about this often
 * (from poll); the daemon marks the gate faulty ("heartbeat_lost") after
 * JWO_HAL_HEARTBEAT_TIMEOUT_MS without one. */
#define JWO_HAL_HEARTBEAT_INTERVAL_MS 1000
#define JWO_HAL_HEARTBEAT_TIMEOUT_MS 5000

/* Size of the error buffer the daemon passes to open(); drivers truncate to it. */
#define JWO_HAL_ERROR_SIZE 512

/* Longest deny message the daemon sends, in bytes of UTF-8, without the terminating NUL.
 * A display that shows fewer characters truncates. */
#define JWO_HAL_MESSAGE_MAX 200

/* Lane numbers run from 1 to lane_count(); JWO_HAL_LANE_NONE in an event means "the whole
 * gate or bus" (a tamper switch on the cabinet, a release that opens every lane). */
#define JWO_HAL_LANE_NONE 0u

/* Marks jwo_hal_entry for export when a driver is built with -fvisibility=hidden (advised:
 * export nothing else, so that two drivers never clash on an internal symbol). */
#if defined(_WIN32)
#define JWO_HAL_EXPORT __declspec(dllexport)
#elif defined(__GNUC__)
#define JWO_HAL_EXPORT __attribute__((visibility("default")))
#else
#define JWO_HAL_EXPORT
#endif

/* ---- Status codes ------------------------------------------------------------------- */

/* Every int-returning driver function returns JWO_HAL_OK or one of these negative codes. */
#define JWO_HAL_OK 0
#define JWO_HAL_EINVAL (-1)       /* an argument is out of range: unknown lane, bad mode, NULL */
#define JWO_HAL_ESETTINGS (-2)    /* open(): the settings are not valid for this driver */
#define JWO_HAL_EUNSUPPORTED (-3) /* the driver does not declare the capability for this call */
#define JWO_HAL_EBUSY (-4)        /* try again later: a device queue is full, a bus is busy */
#define JWO_HAL_ESTATE (-5)       /* refused in the lane's state: locked, emergency release */
#define JWO_HAL_EIO (-6)          /* the hardware reported an error or cannot be reached */
#define JWO_HAL_ENOMEM (-7)       /* out of memory */
#define JWO_HAL_EINTERNAL (-8)    /* a bug in the driver (the C++ wrapper maps exceptions here) */
/* ABI 1.1, returned by the host's setting_* functions (9): */
#define JWO_HAL_ENOENT (-9)  /* no such setting: the member or element is absent */
#define JWO_HAL_ETYPE (-10)  /* the setting has another type than the one asked for */
#define JWO_HAL_ERANGE (-11) /* the value does not fit: the integer type, the caller's buffer */

/* The name of a status code ("JWO_HAL_EINVAL"), or "unknown status" for other values. Returns a
 * static string; any thread. */
static inline const char* jwo_hal_status_name(int status) {
  switch (status) {
    case JWO_HAL_OK:
      return "JWO_HAL_OK";
    case JWO_HAL_EINVAL:
      return "JWO_HAL_EINVAL";
    case JWO_HAL_ESETTINGS:
      return "JWO_HAL_ESETTINGS";
    case JWO_HAL_EUNSUPPORTED:
      return "JWO_HAL_EUNSUPPORTED";
    case JWO_HAL_EBUSY:
      return "JWO_HAL_EBUSY";
    case JWO_HAL_ESTATE:
      return "JWO_HAL_ESTATE";
    case JWO_HAL_EIO:
      return "JWO_HAL_EIO";
    case JWO_HAL_ENOMEM:
      return "JWO_HAL_ENOMEM";
    case JWO_HAL_EINTERNAL:
      return "JWO_HAL_EINTERNAL";
    case JWO_HAL_ENOENT:
      return "JWO_HAL_ENOENT";
    case JWO_HAL_ETYPE:
      return "JWO_HAL_ETYPE";
    case JWO_HAL_ERANGE:
      return "JWO_HAL_ERANGE";
    default:
      return "unknown status";
  }
}

/* ---- Capabilities (jwo_hal_driver_t.capabilities) ----------------------------------- */

/* What the driver can do. The daemon calls a command function only when its capability is
 * declared; a driver that is called anyway returns JWO_HAL_EUNSUPPORTED. Event capabilities
 * tell the daemon (and the conformance kit) what to expect. */
#define JWO_HAL_CAP_ADMIT (UINT64_C(1) << 0)           /* admit() opens the lane */
#define JWO_HAL_CAP_DENY (UINT64_C(1) << 1)            /* deny() signals a denial */
#define JWO_HAL_CAP_DENY_MESSAGE (UINT64_C(1) << 2)    /* deny() shows the message text */
#define JWO_HAL_CAP_LANE_MODE (UINT64_C(1) << 3)       /* set_lane_mode() works */
#define JWO_HAL_CAP_CARD_READER (UINT64_C(1) << 4)     /* emits CARD_TAPPED */
#define JWO_HAL_CAP_PASSAGE_SENSOR (UINT64_C(1) << 5)  /* emits PERSON_PASSED */
#define JWO_HAL_CAP_DOOR_SENSOR (UINT64_C(1) << 6)     /* emits DOOR_FORCED/HELD_OPEN/CLOSED */
#define JWO_HAL_CAP_TAMPER (UINT64_C(1) << 7)          /* emits TAMPER */
#define JWO_HAL_CAP_EMERGENCY_INPUT (UINT64_C(1) << 8) /* emits EMERGENCY_RELEASE_* */
#define JWO_HAL_CAP_HEARTBEAT (UINT64_C(1) << 9)       /* emits HEARTBEAT, see above */
#define JWO_HAL_CAP_OWN_THREADS (UINT64_C(1) << 10)    /* starts threads of its own */
#define JWO_HAL_CAP_CONTROL (UINT64_C(1) << 11)        /* control() takes diagnostic requests */

/* ---- Enumerations -------------------------------------------------------------------- */

/* Event types (jwo_hal_event_t.type). Values are stable; new minors add values at the end. A
 * daemon that meets a type it does not know counts and ignores it. */
typedef enum jwo_hal_event_type {
  JWO_HAL_EVENT_CARD_TAPPED = 1,    /* lane; data/data_size: what the reader read */
  JWO_HAL_EVENT_PERSON_PASSED = 2,  /* lane; direction */
  JWO_HAL_EVENT_DOOR_FORCED = 3,    /* lane: the door opened without an admit */
  JWO_HAL_EVENT_DOOR_HELD_OPEN = 4, /* lane: the door stayed open too long */
  JWO_HAL_EVENT_DOOR_CLOSED = 5,    /* lane: ends DOOR_FORCED / DOOR_HELD_OPEN */
  JWO_HAL_EVENT_TAMPER = 6,         /* lane or JWO_HAL_LANE_NONE; detail says what */
  JWO_HAL_EVENT_FAULT = 7,          /* lane or NONE; code (nonzero, driver-defined); detail */
  JWO_HAL_EVENT_RECOVERED = 8,      /* clears FAULT with the same lane and code; code 0 clears
                                       every fault of that lane (NONE: of the whole gate) */
  JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE = 9,   /* lane, or NONE for every lane */
  JWO_HAL_EVENT_EMERGENCY_RELEASE_CLEARED = 10, /* same lane as the ACTIVE it ends */
  JWO_HAL_EVENT_HEARTBEAT = 11                  /* lane NONE: the driver and device are alive */
} jwo_hal_event_type_t;

/* Lane modes for set_lane_mode(). 0 is deliberately not a mode. */
typedef enum jwo_hal_lane_mode {
  JWO_HAL_LANE_MODE_NORMAL = 1,        /* admits on admit(), refuses on deny() */
  JWO_HAL_LANE_MODE_LOCKED = 2,        /* stays closed; admit() returns JWO_HAL_ESTATE */
  JWO_HAL_LANE_MODE_OUT_OF_SERVICE = 3 /* closed and shown as out of service */
} jwo_hal_lane_mode_t;

/* PERSON_PASSED direction. */
typedef enum jwo_hal_direction {
  JWO_HAL_DIRECTION_UNKNOWN = 0,
  JWO_HAL_DIRECTION_IN = 1, /* into the store */
  JWO_HAL_DIRECTION_OUT = 2
} jwo_hal_direction_t;

/* Setting types (host->setting_type, ABI 1.1; see 9). */
typedef enum jwo_hal_setting_type {
  JWO_HAL_SETTING_NULL = 0,
  JWO_HAL_SETTING_BOOL = 1,
  JWO_HAL_SETTING_INTEGER = 2, /* written without fraction or exponent, fits int64 or uint64 */
  JWO_HAL_SETTING_NUMBER = 3,  /* any other number */
  JWO_HAL_SETTING_STRING = 4,
  JWO_HAL_SETTING_ARRAY = 5,
  JWO_HAL_SETTING_OBJECT = 6
} jwo_hal_setting_type_t;

/* Inputs for stimulate() (ABI 1.1; see 10). Each names what the hardware would have seen and
 * the event the driver's normal path reports for it. */
typedef enum jwo_hal_input {
  JWO_HAL_INPUT_CARD_TAP = 1,       /* CARD_TAPPED with the given data */
  JWO_HAL_INPUT_PERSON_IN = 2,      /* PERSON_PASSED, direction IN */
  JWO_HAL_INPUT_PERSON_OUT = 3,     /* PERSON_PASSED, direction OUT */
  JWO_HAL_INPUT_DOOR_FORCED = 4,    /* DOOR_FORCED */
  JWO_HAL_INPUT_DOOR_HELD_OPEN = 5, /* DOOR_HELD_OPEN */
  JWO_HAL_INPUT_DOOR_CLOSED = 6,    /* DOOR_CLOSED */
  JWO_HAL_INPUT_TAMPER = 7,         /* TAMPER */
  JWO_HAL_INPUT_EMERGENCY_ON = 8,   /* EMERGENCY_RELEASE_ACTIVE */
  JWO_HAL_INPUT_EMERGENCY_OFF = 9   /* EMERGENCY_RELEASE_CLEARED */
} jwo_hal_input_t;

/* Levels for host->log(). */
typedef enum jwo_hal_log_level {
  JWO_HAL_LOG_DEBUG = 0,
  JWO_HAL_LOG_INFO = 1,
  JWO_HAL_LOG_WARNING = 2,
  JWO_HAL_LOG_ERROR = 3
} jwo_hal_log_level_t;

/* ---- Events (driver -> daemon) --------------------------------------------------------- */

/* One thing the hardware saw. Built by the driver (on its stack is fine) and passed to
 * host->emit(). The daemon reads only the members that lie within struct_size. */
typedef struct jwo_hal_event {
  uint32_t struct_size; /* sizeof(jwo_hal_event_t) as the driver compiled it */
  uint32_t type;        /* a jwo_hal_event_type_t */
  uint32_t lane;        /* 1..lane_count(), or JWO_HAL_LANE_NONE */
  uint32_t direction;   /* a jwo_hal_direction_t; PERSON_PASSED only, else 0 */
  int32_t code;         /* FAULT / RECOVERED only, else 0 */
  uint32_t reserved;    /* 0 */
  /* CARD_TAPPED: the reader's data (a token, a UID). The daemon never logs it, only its size
   * and a pseudonym. NULL/0 for other events. */
  const uint8_t* data;
  size_t data_size;
  /* Optional human-readable UTF-8 text for the log ("relay coil open circuit"), NUL-terminated,
   * or NULL. The daemon keeps at most 200 bytes. */
  const char* detail;
} jwo_hal_event_t;

/* ---- The host table (daemon -> driver services) ---------------------------------------- */

/* Delivers an event. Returns nothing and never fails: the daemon copies what it needs before
 * returning (so `event` and everything it points to may be freed or reused right after), and
 * counts an event it cannot queue (more than 1024 waiting: jwo_gate_events_dropped_total). Does
 * not call back into the driver. Thread: any driver call's thread; other threads too when the
 * driver declares JWO_HAL_CAP_OWN_THREADS. Never blocks.
 * What the daemon does with an event (it checks none of this; drivers must get it right):
 *   - NULL, or struct_size too small to hold `lane`: ignored, and counted as
 *     jwo_gate_events_total{event="malformed"}.
 *   - a type this daemon does not know: counted, logged and listed as "unknown"; changes no
 *     state.
 *   - a type whose capability the driver did not declare (HEARTBEAT without
 *     JWO_HAL_CAP_HEARTBEAT, EMERGENCY_RELEASE_* without JWO_HAL_CAP_EMERGENCY_INPUT, ...):
 *     applied like any other; an undeclared release still stops commands to the lane, an
 *     undeclared heartbeat is counted, but "heartbeat_lost" is judged only for drivers that
 *     declare JWO_HAL_CAP_HEARTBEAT. The conformance kit warns. Declare what you emit.
 *   - a lane above lane_count(): no lane is affected, except that a FAULT is recorded under
 *     that lane number (the gate is unready until a matching RECOVERED).
 *   - emitted during an open() that fails (or whose lane count the daemon refuses):
 *     discarded, counted as jwo_gate_events_total{event="discarded"}. During close():
 *     discarded, not counted (the gate is going away).
 *     Emitted during an open() that succeeds: applied (see 6 for when).
 *   - emitted after close() returned: not allowed; the host table may already be freed. */
typedef void (*jwo_hal_emit_fn)(void* host_context, const jwo_hal_event_t* event);

/* Writes `message` (NUL-terminated UTF-8, copied) to the daemon's log with the gate's name.
 * For state changes and errors, not for every poll. Same thread rule as emit. */
typedef void (*jwo_hal_log_fn)(void* host_context, uint32_t level, const char* message);

/* Nanoseconds of a monotonic clock (never decreases). The only time source a driver uses.
 * Same thread rule as emit. */
typedef uint64_t (*jwo_hal_monotonic_ns_fn)(void* host_context);

/* ABI 1.1: the instance's settings by JSON Pointer `path` (9). Every one returns JWO_HAL_OK and
 * sets *out; or JWO_HAL_ENOENT (absent: use your default), JWO_HAL_ETYPE (another type),
 * JWO_HAL_ERANGE (setting_int: outside int64_t; string and key: longer than out_size - 1, and
 * out receives "" when out_size > 0), JWO_HAL_EINVAL (a NULL pointer, a path that is neither ""
 * nor begins with '/', out_size 0), JWO_HAL_ESETTINGS (the settings text handed to open() is
 * not a JSON object; only a test harness does that). *out is untouched on any failure.
 * Same thread rule as emit; valid from the start of open() until close() returns. */
typedef int (*jwo_hal_setting_type_fn)(void* host_context, const char* path, uint32_t* out_type);
typedef int (*jwo_hal_setting_string_fn)(void* host_context, const char* path, char* out,
                                         size_t out_size);
typedef int (*jwo_hal_setting_int_fn)(void* host_context, const char* path, int64_t* out);
typedef int (*jwo_hal_setting_number_fn)(void* host_context, const char* path, double* out);
/* *out is 1 for true, 0 for false. */
typedef int (*jwo_hal_setting_bool_fn)(void* host_context, const char* path, int* out);
/* The number of elements of an array or of members of an object (JWO_HAL_ETYPE for others). */
typedef int (*jwo_hal_setting_count_fn)(void* host_context, const char* path, size_t* out);
/* The name of the index-th member (from 0, in file order) of the object at `path`;
 * JWO_HAL_ENOENT when index >= its count. */
typedef int (*jwo_hal_setting_key_fn)(void* host_context, const char* path, size_t index, char* out,
                                      size_t out_size);

/* Owned by the daemon; valid (together with `context`) from the start of open() until close()
 * returns. Pass `context` as the first argument of every host function.
 * ABI 1.0 guarantees: abi_major is 1; struct_size is at least the ABI 1.0 size; emit, log and
 * monotonic_ns are never NULL (a driver need not test them). `context` is opaque: pass it
 * back, do not test or dereference it.
 * ABI 1.1 guarantees, when abi_minor >= 1: struct_size covers every member below, and all
 * seven setting_* functions are non-NULL.
 * Members a later minor appends exist only when struct_size covers them, and may be NULL:
 * test with JWO_HAL_HOST_HAS before using one a daemon of an older minor may lack. */
typedef struct jwo_hal_host {
  uint32_t abi_major;   /* the daemon's JWO_HAL_ABI_MAJOR */
  uint32_t abi_minor;   /* the daemon's JWO_HAL_ABI_MINOR */
  uint32_t struct_size; /* sizeof(jwo_hal_host_t) as the daemon compiled it */
  uint32_t reserved;
  void* context;
  jwo_hal_emit_fn emit;
  jwo_hal_log_fn log;
  jwo_hal_monotonic_ns_fn monotonic_ns;
  /* ABI 1.1 */
  jwo_hal_setting_type_fn setting_type;
  jwo_hal_setting_string_fn setting_string;
  jwo_hal_setting_int_fn setting_int;
  jwo_hal_setting_number_fn setting_number;
  jwo_hal_setting_bool_fn setting_bool;
  jwo_hal_setting_count_fn setting_count;
  jwo_hal_setting_key_fn setting_key;
} jwo_hal_host_t;

/* True when the host table provides `member`: struct_size covers it and it is not NULL. */
#define JWO_HAL_HOST_HAS(host, member)                                                 \
  ((host)->struct_size >= offsetof(jwo_hal_host_t, member) + sizeof((host)->member) && \
   (host)->member != NULL)

/* ---- The driver's functions (daemon -> driver) ----------------------------------------- */

/* One opened gate or bus; defined by the driver, opaque to the daemon. */
typedef struct jwo_hal_instance jwo_hal_instance_t;

/* Opens an instance with `settings_json`, a NUL-terminated JSON object text (at least "{}").
 * Time: the same JWO_HAL_CALL_BUDGET_US as every call, and "driver_stuck" after 1 s (8); while
 * open() runs, the gate's commands wait and may go stale. Start the device here and finish
 * bringing it up in poll().
 * Returns:
 *   JWO_HAL_OK         *out_instance is set to a new instance, owned by the driver until
 *                      close(). open() may emit events describing the initial state (an
 *                      emergency release already active, a fault).
 *   JWO_HAL_ESETTINGS  the settings are not a JSON object, or name an unknown key, or a value
 *                      is out of range; `error` says which key and why.
 *   JWO_HAL_EIO        the device cannot be opened now (missing, busy); `error` says which
 *                      and the system's reason. The daemon retries later.
 *   JWO_HAL_ENOMEM, JWO_HAL_EINTERNAL.
 * On any failure *out_instance is left unchanged and nothing needs closing. `error` (owned by
 * the daemon, `error_size` >= JWO_HAL_ERROR_SIZE bytes) receives a NUL-terminated message on
 * failure; write nothing on success. `host` and `settings_json` are borrowed: keep the host
 * pointer (valid until close() returns), copy the settings. Must not block: do not wait for a
 * device to answer here. */
typedef int (*jwo_hal_open_fn)(const jwo_hal_host_t* host, const char* settings_json,
                               jwo_hal_instance_t** out_instance, char* error, size_t error_size);

/* Releases the instance: releases every line and file it holds, restores outputs to their
 * idle state, joins its own threads (JWO_HAL_CAP_OWN_THREADS), frees its memory. Cannot fail.
 * Events emitted during close() are discarded. After it returns, the driver calls no host
 * function for this instance (the daemon does not check this), and the library may be
 * unloaded once no other instance is open (8). */
typedef void (*jwo_hal_close_fn)(jwo_hal_instance_t* instance);

/* The number of lanes of this instance, 1 to 64 in ABI 1.x, fixed from open() to close().
 * The daemon reads it once, right after open(); its configuration maps lanes 1..64 only. It
 * refuses the gate (not retried) when the value is 0 or above 64, or when a configured lane is
 * above it; the conformance kit fails such a value too. */
typedef uint32_t (*jwo_hal_lane_count_fn)(const jwo_hal_instance_t* instance);

/* The periodic function: read inputs, advance timers, emit events. Called about every
 * JWO_HAL_POLL_INTERVAL_MS. Returns JWO_HAL_OK, or JWO_HAL_EIO when the device could not be
 * read this time (the daemon counts it and shows the gate as faulty until a poll succeeds;
 * report lasting faults as FAULT events as well). */
typedef int (*jwo_hal_poll_fn)(jwo_hal_instance_t* instance);

/* Admits one person on `lane`: starts the lane's opening (a relay pulse, a turnstile step) and
 * returns without waiting for it. Returns JWO_HAL_OK (started), JWO_HAL_EINVAL (no such lane),
 * JWO_HAL_ESTATE (the lane is locked, out of service or under emergency release),
 * JWO_HAL_EBUSY, JWO_HAL_EIO, JWO_HAL_EUNSUPPORTED (no JWO_HAL_CAP_ADMIT). */
typedef int (*jwo_hal_admit_fn)(jwo_hal_instance_t* instance, uint32_t lane);

/* Signals a denial on `lane` and, with JWO_HAL_CAP_DENY_MESSAGE, shows `message` (NUL-terminated
 * UTF-8, at most JWO_HAL_MESSAGE_MAX bytes, borrowed for the call; may be "" for "no text").
 * Returns JWO_HAL_OK, JWO_HAL_EINVAL (no such lane, or message NULL), JWO_HAL_ESTATE,
 * JWO_HAL_EBUSY, JWO_HAL_EIO, JWO_HAL_EUNSUPPORTED (no JWO_HAL_CAP_DENY).
 * Under emergency release: the daemon does not call deny() on a lane it knows to be released;
 * if it does (see 6), return JWO_HAL_ESTATE and signal nothing. Not retried. */
typedef int (*jwo_hal_deny_fn)(jwo_hal_instance_t* instance, uint32_t lane, const char* message);

/* Puts `lane` into `mode` (a jwo_hal_lane_mode_t). Returns JWO_HAL_OK, JWO_HAL_EINVAL (no such
 * lane or mode), JWO_HAL_ESTATE (under emergency release), JWO_HAL_EBUSY, JWO_HAL_EIO,
 * JWO_HAL_EUNSUPPORTED (no JWO_HAL_CAP_LANE_MODE).
 * The daemon calls it at once (`jwo-edgectl gate mode`), without waiting for an admit's pulse
 * to end, and records the new mode only on JWO_HAL_OK. LOCKED or OUT_OF_SERVICE while an
 * admit is still opening the lane: end the opening now (release the relay) and return
 * JWO_HAL_OK with the lane closed (the shipped sim and gpio drivers do this). The daemon does
 * not check this; the conformance kit checks that the answer is JWO_HAL_OK. */
typedef int (*jwo_hal_set_lane_mode_fn)(jwo_hal_instance_t* instance, uint32_t lane, uint32_t mode);

/* A driver-specific diagnostic or simulation request (`jwo-edgectl gate control GATE JSON`),
 * a NUL-terminated text borrowed for the call: jwo-edgectl sends a JSON object, but a client
 * of the control API can send any text, so parse it defensively. The driver writes a
 * NUL-terminated answer into `reply` (owned by the daemon, truncated to fit). `reply_size` is
 * at least 4096 (jwo-edged passes 64 KiB), but write correctly into any size >= 1: the
 * conformance kit passes 16 bytes.
 * Reply shape: a JSON object; on failure an object with a string member "error" saying why,
 * e.g. {"error":"unknown op"}. The daemon hands a JSON object back to the caller as it is and
 * wraps any other text as {"reply": "<text>"}. On any status but JWO_HAL_OK the request fails
 * with the status name and the "error" text (or, without one, the whole reply). Events emitted
 * during control() are applied as soon as it returns.
 * Returns JWO_HAL_OK, JWO_HAL_EINVAL (request not understood; reply says why),
 * JWO_HAL_EUNSUPPORTED (no JWO_HAL_CAP_CONTROL). Must not block, like every other call. */
typedef int (*jwo_hal_control_fn)(jwo_hal_instance_t* instance, const char* request, char* reply,
                                  size_t reply_size);

/* ABI 1.1, optional. The capabilities of this instance, as opened with its settings (a driver
 * for a family of controllers learns in open() whether this one has a door sensor or a
 * display). The descriptor's capabilities are what any instance may have; this returns a
 * subset of them. The daemon calls it once, right after open() (with lane_count()), and uses
 * it instead of the descriptor's for the instance; bits outside the descriptor's are ignored
 * (and fail the conformance kit). NULL: every instance has the descriptor's capabilities. */
typedef uint64_t (*jwo_hal_instance_capabilities_fn)(const jwo_hal_instance_t* instance);

/* ABI 1.1, optional, for tests only (10): behave as if the hardware of `lane` had seen `input`
 * (a jwo_hal_input_t); `data`/`data_size` are the card data of JWO_HAL_INPUT_CARD_TAP (copy
 * them), NULL/0 otherwise. `lane` is 1..lane_count(), or JWO_HAL_LANE_NONE for an input of the
 * whole gate (TAMPER, EMERGENCY_ON and _OFF only: a cabinet switch, a release of every lane).
 * The events follow from the driver's normal path, on `lane`, from this call or from the next
 * poll()s (after a debounce; DOOR_HELD_OPEN after the driver's held-open time). Returns
 * JWO_HAL_OK, JWO_HAL_EINVAL (no such lane or input; JWO_HAL_LANE_NONE for a tap, a passage or
 * a door; a tap without data), JWO_HAL_EUNSUPPORTED (this instance cannot see that input
 * there: no capability for it, no door sensor on that lane, a passage sensor that reports one
 * direction only, a tamper switch of the whole gate stimulated on a lane, ...), JWO_HAL_EBUSY
 * (the previous stimulus of that input is still going through: poll, then try again). Must
 * not block. The daemon never calls it. */
typedef int (*jwo_hal_stimulate_fn)(jwo_hal_instance_t* instance, uint32_t input, uint32_t lane,
                                    const uint8_t* data, size_t data_size);

/* ---- The descriptor ------------------------------------------------------------------- */

/* What jwo_hal_entry() returns: static, constant data owned by the driver, valid until the
 * library is unloaded. The first three members never move in any ABI version. Required in
 * ABI 1.0: name, version, open, close, lane_count, poll. Optional (NULL = unsupported, and
 * the matching capability must then be absent): admit, deny, set_lane_mode, control. */
typedef struct jwo_hal_driver {
  uint32_t abi_major;    /* JWO_HAL_ABI_MAJOR the driver was built with */
  uint32_t abi_minor;    /* JWO_HAL_ABI_MINOR the driver was built with */
  uint32_t struct_size;  /* sizeof(jwo_hal_driver_t) as the driver compiled it */
  uint32_t reserved;     /* 0 */
  const char* name;      /* short name, [a-z0-9_-]{1,32}, e.g. "sim" */
  const char* version;   /* the driver's own version, e.g. "1.2.0" */
  uint64_t capabilities; /* JWO_HAL_CAP_* bits */
  jwo_hal_open_fn open;
  jwo_hal_close_fn close;
  jwo_hal_lane_count_fn lane_count;
  jwo_hal_poll_fn poll;
  jwo_hal_admit_fn admit;
  jwo_hal_deny_fn deny;
  jwo_hal_set_lane_mode_fn set_lane_mode;
  jwo_hal_control_fn control;
  /* ABI 1.1 (both optional: NULL, or a 1.0 descriptor without them, means not provided) */
  jwo_hal_instance_capabilities_fn instance_capabilities;
  jwo_hal_stimulate_fn stimulate;
  /* Later minors append here. */
} jwo_hal_driver_t;

/* The smallest descriptor the loader accepts for ABI 1.x: everything ABI 1.0 defines. */
#define JWO_HAL_DRIVER_SIZE_1_0 (offsetof(jwo_hal_driver_t, control) + sizeof(jwo_hal_control_fn))
/* The ABI 1.1 descriptor's size. */
#define JWO_HAL_DRIVER_SIZE_1_1 \
  (offsetof(jwo_hal_driver_t, stimulate) + sizeof(jwo_hal_stimulate_fn))

/* The entry point: the only symbol a driver exports. Returns the driver's descriptor (never
 * NULL for a working driver). Called right after each load, from the loading thread (once per
 * gate that uses the driver, see 8); must not block and must not call anything else. */
typedef const jwo_hal_driver_t* (*jwo_hal_entry_fn)(void);
JWO_HAL_EXPORT const jwo_hal_driver_t* jwo_hal_entry(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* JWO_EDGE_GATE_HAL_H */
