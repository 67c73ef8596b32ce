/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "agent-msg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-frame.h"
#include "macros.h"

/*
 * Every message is described by a table of fields. One walker parses a JSON
 * object against a table into a struct (offsets), another renders the struct
 * back. Nested objects and lists have tables of their own.
 */

typedef enum FieldKind {
        F_INT,    /* int64_t within [min, max] */
        F_BOOL,   /* bool */
        F_NAME,   /* char[size]: an identifier */
        F_TEXT,   /* char[size]: a sentence */
        F_ENUM,   /* an enum stored as int, spelled by names[] */
        F_OBJECT, /* a nested struct */
        F_ARRAY,  /* a fixed array of nested structs with a size_t count */
        F_DROPS,  /* int64_t[_AGENT_DROP_MAX] as an object keyed by cause; absent keys -1 */
} FieldKind;

enum {
        OPT = 0,      /* may be absent: then the default */
        REQ = 1 << 0, /* must be present */
        NUL = 1 << 1, /* may be null, meaning unknown/none: -1, "" or not present */
};

#define NO_PRESENT SIZE_MAX

typedef struct ObjSpec ObjSpec;

typedef struct FieldSpec {
        const char *name;
        FieldKind kind;
        unsigned flags;
        size_t offset;
        int64_t min, max, def;
        size_t size;
        const char *const *names;
        int n_names;
        const ObjSpec *sub;
        size_t present_offset; /* F_OBJECT with NUL: a bool saying it was there */
        size_t count_offset, elem_size, max_elems;
} FieldSpec;

struct ObjSpec {
        const FieldSpec *fields;
        size_t n_fields;
        /* Fields of another table that appear at the same level (start_capture
         * carries a capture spec's fields beside its id). */
        const ObjSpec *inline_spec;
        size_t inline_offset;
        /* Checks across fields, after each field passed its own. */
        int (*check)(const void *base, AgentReject *reason, char *detail, size_t n);
};

#define SIZEOF_FIELD(st, f) sizeof(((st *) 0)->f)
#define INT(n, fl, st, f, mn, mx, d)                                                               \
        { .name = n, .kind = F_INT, .flags = fl, .offset = offsetof(st, f), .min = mn,           \
          .max = mx, .def = d }
#define BOOL(n, fl, st, f) { .name = n, .kind = F_BOOL, .flags = fl, .offset = offsetof(st, f) }
#define NAME(n, fl, st, f)                                                                         \
        { .name = n, .kind = F_NAME, .flags = fl, .offset = offsetof(st, f),                     \
          .size = SIZEOF_FIELD(st, f) }
#define TEXT(n, fl, st, f)                                                                         \
        { .name = n, .kind = F_TEXT, .flags = fl, .offset = offsetof(st, f),                     \
          .size = SIZEOF_FIELD(st, f) }
#define ENUM(n, fl, st, f, tbl, d)                                                                 \
        { .name = n, .kind = F_ENUM, .flags = fl, .offset = offsetof(st, f), .names = tbl,       \
          .n_names = (int) ELEMENTSOF(tbl), .def = d }
#define OBJ(n, fl, st, f, spec, present)                                                           \
        { .name = n, .kind = F_OBJECT, .flags = fl, .offset = offsetof(st, f), .sub = &spec,     \
          .present_offset = present }
#define ARRAY(n, fl, st, f, spec, count)                                                           \
        { .name = n, .kind = F_ARRAY, .flags = fl, .offset = offsetof(st, f), .sub = &spec,      \
          .count_offset = offsetof(st, count), .elem_size = sizeof(((st *) 0)->f[0]),            \
          .max_elems = ELEMENTSOF(((st *) 0)->f) }
#define DROPS(n, fl, st, f) { .name = n, .kind = F_DROPS, .flags = fl, .offset = offsetof(st, f) }
#define SPEC(tbl) { .fields = tbl, .n_fields = ELEMENTSOF(tbl) }

/* ---- names ---- */

static const char *const msg_type_names[_AGENT_MSG_MAX] = {
        [AGENT_MSG_SYNC] = "sync",
        [AGENT_MSG_START_CAPTURE] = "start_capture",
        [AGENT_MSG_STOP_CAPTURE] = "stop_capture",
        [AGENT_MSG_SET_INTERVAL] = "set_interval",
        [AGENT_MSG_PING] = "ping",
        [AGENT_MSG_HELLO] = "hello",
        [AGENT_MSG_REPLY] = "reply",
        [AGENT_MSG_STATS] = "stats",
        [AGENT_MSG_HEARTBEAT] = "heartbeat",
        [AGENT_MSG_ERROR] = "error",
};
static const char *const engine_names[_AGENT_ENGINE_MAX] = {
        [AGENT_ENGINE_AFPACKET] = "afpacket",
        [AGENT_ENGINE_DPDK] = "dpdk",
        [AGENT_ENGINE_HPCAPVF] = "hpcapvf",
};
static const char *const capture_state_names[_AGENT_CAPTURE_MAX] = {
        [AGENT_CAPTURE_IDLE] = "idle",
        [AGENT_CAPTURE_RUNNING] = "running",
        [AGENT_CAPTURE_STOPPED] = "stopped",
        [AGENT_CAPTURE_FAILED] = "failed",
};
static const char *const drop_cause_names[_AGENT_DROP_MAX] = {
        [AGENT_DROP_SOCKET_RING_FULL] = "socket_ring_full",
        [AGENT_DROP_SOCKET_FREEZE] = "socket_freeze",
        [AGENT_DROP_NIC_MISSED] = "nic_missed",
        [AGENT_DROP_NOMBUF] = "nombuf",
        [AGENT_DROP_NIC_ERRORS] = "nic_errors",
        [AGENT_DROP_OUTPUT] = "output",
        [AGENT_DROP_DUPLICATE] = "duplicate",
};
static const char *const output_format_names[_AGENT_OUTPUT_MAX] = {
        [AGENT_OUTPUT_NONE] = "none",
        [AGENT_OUTPUT_PCAP] = "pcap",
};
static const char *const error_code_names[_AGENT_ERR_MAX] = {
        [AGENT_ERR_UNKNOWN_COMMAND] = "unknown_command",
        [AGENT_ERR_INVALID_ARGUMENT] = "invalid_argument",
        [AGENT_ERR_ENGINE_UNAVAILABLE] = "engine_unavailable",
        [AGENT_ERR_ENGINE_FAILED] = "engine_failed",
        [AGENT_ERR_BUSY] = "busy",
        [AGENT_ERR_NOT_RUNNING] = "not_running",
        [AGENT_ERR_INTERNAL] = "internal",
};
static const char *const reject_names[_AGENT_REJECT_MAX] = {
        [AGENT_REJECT_LINE_TOO_LONG] = "line_too_long",
        [AGENT_REJECT_RATE_LIMITED] = "rate_limited",
        [AGENT_REJECT_INVALID_JSON] = "invalid_json",
        [AGENT_REJECT_INVALID_UTF8] = "invalid_utf8",
        [AGENT_REJECT_SCHEMA] = "schema",
        [AGENT_REJECT_OUT_OF_RANGE] = "out_of_range",
        [AGENT_REJECT_IDENTITY_CLAIM] = "identity_claim",
        [AGENT_REJECT_UNEXPECTED] = "unexpected",
};

/* Keys that would say who the sender is. The host knows that from the
 * channel a line arrived on; a message that tries to say it is refused. */
static const char *const identity_keys[] = {
        "vm", "monitor", "domain", "uuid", "host", "hostname", "channel", "pf", "vf", "guest",
};

static const char *name_of(const char *const *tbl, size_t n, int v) {
        return v >= 0 && (size_t) v < n && tbl[v] ? tbl[v] : "unknown";
}
static int index_of(const char *const *tbl, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (tbl[i] && streq(tbl[i], s))
                        return (int) i;
        return -EINVAL;
}

const char *agent_msg_type_to_string(AgentMsgType t) {
        return name_of(msg_type_names, ELEMENTSOF(msg_type_names), t);
}
const char *agent_engine_to_string(AgentEngineId e) {
        return name_of(engine_names, ELEMENTSOF(engine_names), e);
}
int agent_engine_from_string(const char *s) {
        return index_of(engine_names, ELEMENTSOF(engine_names), s);
}
const char *agent_capture_state_to_string(AgentCaptureState s) {
        return name_of(capture_state_names, ELEMENTSOF(capture_state_names), s);
}
const char *agent_drop_cause_to_string(AgentDropCause c) {
        return name_of(drop_cause_names, ELEMENTSOF(drop_cause_names), c);
}
const char *agent_error_code_to_string(AgentErrorCode c) {
        return name_of(error_code_names, ELEMENTSOF(error_code_names), c);
}
const char *agent_reject_to_string(AgentReject r) {
        return name_of(reject_names, ELEMENTSOF(reject_names), r);
}
const char *agent_output_format_to_string(AgentOutputFormat f) {
        return name_of(output_format_names, ELEMENTSOF(output_format_names), f);
}

/* ---- field tables ---- */

static int check_output(const void *base, AgentReject *reason, char *detail, size_t n) {
        const AgentOutput *o = base;
        if (o->format == AGENT_OUTPUT_NONE)
                return 0;
        /* The name is a file name inside the agent's output directory, never a path:
         * the host must not be able to make the guest write anywhere else. */
        if (!o->name[0] || strchr(o->name, '/') || o->name[0] == '.') {
                *reason = AGENT_REJECT_SCHEMA;
                snprintf(detail, n, "name: a pcap output needs a file name (no '/', not starting "
                                    "with '.')");
                return -EINVAL;
        }
        return 0;
}

static const FieldSpec output_fields[] = {
        ENUM("format", REQ, AgentOutput, format, output_format_names, AGENT_OUTPUT_NONE),
        NAME("name", NUL, AgentOutput, name),
        INT("rotate_bytes", NUL, AgentOutput, rotate_bytes, 1 << 20, INT64_MAX, -1),
        INT("keep_files", NUL, AgentOutput, keep_files, 1, 100000, -1),
};
static const ObjSpec output_spec = { .fields = output_fields,
                                     .n_fields = ELEMENTSOF(output_fields),
                                     .check = check_output };

static const FieldSpec capture_spec_fields[] = {
        ENUM("engine", REQ, AgentCaptureSpec, engine, engine_names, AGENT_ENGINE_NONE),
        NAME("device", REQ, AgentCaptureSpec, device),
        INT("queues", OPT, AgentCaptureSpec, queues, 1, AGENT_MAX_QUEUES, 1),
        INT("snaplen", OPT, AgentCaptureSpec, snaplen, 0, AGENT_SNAPLEN_MAX, 0),
        OBJ("output", OPT, AgentCaptureSpec, output, output_spec, NO_PRESENT),
};
static const ObjSpec capture_spec_spec = SPEC(capture_spec_fields);

static const FieldSpec capture_info_fields[] = {
        ENUM("state", REQ, AgentCaptureInfo, state, capture_state_names, AGENT_CAPTURE_IDLE),
        ENUM("engine", NUL, AgentCaptureInfo, engine, engine_names, AGENT_ENGINE_NONE),
        NAME("device", NUL, AgentCaptureInfo, device),
};
static const ObjSpec capture_info_spec = SPEC(capture_info_fields);

static const FieldSpec engine_info_fields[] = {
        ENUM("name", REQ, AgentEngineInfo, name, engine_names, AGENT_ENGINE_NONE),
        BOOL("available", REQ, AgentEngineInfo, available),
        TEXT("reason", NUL, AgentEngineInfo, reason),
        TEXT("version", NUL, AgentEngineInfo, version),
};
static const ObjSpec engine_info_spec = SPEC(engine_info_fields);

static const FieldSpec device_info_fields[] = {
        NAME("name", REQ, AgentDeviceInfo, name),
        NAME("pci", NUL, AgentDeviceInfo, pci),
        NAME("driver", NUL, AgentDeviceInfo, driver),
        NAME("mac", NUL, AgentDeviceInfo, mac),
};
static const ObjSpec device_info_spec = SPEC(device_info_fields);

static const FieldSpec hello_fields[] = {
        INT("id", NUL, AgentMsg, id, 0, INT64_MAX, -1),
        INT("protocol", REQ, AgentMsg, hello.protocol, 1, 65535, AGENT_PROTOCOL_VERSION),
        TEXT("agent", REQ, AgentMsg, hello.agent),
        ARRAY("engines", REQ, AgentMsg, hello.engines, engine_info_spec, hello.n_engines),
        ARRAY("devices", REQ, AgentMsg, hello.devices, device_info_spec, hello.n_devices),
        OBJ("capture", REQ, AgentMsg, hello.capture, capture_info_spec, NO_PRESENT),
        INT("interval_ms", REQ, AgentMsg, hello.interval_ms, AGENT_INTERVAL_MIN_MS,
            AGENT_INTERVAL_MAX_MS, 1000),
};

static const FieldSpec engine_counter_fields[] = {
        TEXT("source", REQ, AgentEngineCounters, source),
        INT("packets", REQ, AgentEngineCounters, packets, 0, INT64_MAX, 0),
        INT("bytes", REQ, AgentEngineCounters, bytes, 0, INT64_MAX, 0),
        DROPS("drops", REQ, AgentEngineCounters, drops),
        INT("backlog_bytes", NUL, AgentEngineCounters, backlog_bytes, 0, INT64_MAX, -1),
};
static const ObjSpec engine_counter_spec = SPEC(engine_counter_fields);

static const FieldSpec nic_counter_fields[] = {
        TEXT("source", REQ, AgentNicCounters, source),
        INT("rx_packets", NUL, AgentNicCounters, rx_packets, 0, INT64_MAX, -1),
        INT("rx_bytes", NUL, AgentNicCounters, rx_bytes, 0, INT64_MAX, -1),
        INT("rx_dropped", NUL, AgentNicCounters, rx_dropped, 0, INT64_MAX, -1),
        INT("rx_missed", NUL, AgentNicCounters, rx_missed, 0, INT64_MAX, -1),
        INT("rx_errors", NUL, AgentNicCounters, rx_errors, 0, INT64_MAX, -1),
};
static const ObjSpec nic_counter_spec = SPEC(nic_counter_fields);

static const FieldSpec rate_fields[] = {
        INT("pps", REQ, AgentRates, pps, 0, AGENT_PPS_MAX, 0),
        INT("bps", REQ, AgentRates, bps, 0, AGENT_BPS_MAX, 0),
        INT("drop_pps", REQ, AgentRates, drop_pps, 0, AGENT_PPS_MAX, 0),
};
static const ObjSpec rate_spec = SPEC(rate_fields);

static const FieldSpec queue_fields[] = {
        INT("queue", REQ, AgentQueueStats, queue, 0, AGENT_MAX_QUEUES - 1, 0),
        INT("packets", REQ, AgentQueueStats, packets, 0, INT64_MAX, 0),
        INT("bytes", REQ, AgentQueueStats, bytes, 0, INT64_MAX, 0),
        INT("drops", NUL, AgentQueueStats, drops, 0, INT64_MAX, -1),
        INT("pps", REQ, AgentQueueStats, pps, 0, AGENT_PPS_MAX, 0),
        INT("bps", REQ, AgentQueueStats, bps, 0, AGENT_BPS_MAX, 0),
};
static const ObjSpec queue_spec = SPEC(queue_fields);

static const FieldSpec stats_fields[] = {
        INT("seq", REQ, AgentMsg, stats.seq, 0, INT64_MAX, 0),
        INT("timestamp_ns", REQ, AgentMsg, stats.timestamp_ns, 0, INT64_MAX, 0),
        INT("interval_ms", REQ, AgentMsg, stats.interval_ms, 0, 3600 * 1000, 0),
        OBJ("capture", REQ, AgentMsg, stats.capture, capture_info_spec, NO_PRESENT),
        OBJ("engine", REQ, AgentMsg, stats.engine, engine_counter_spec, NO_PRESENT),
        OBJ("nic", NUL, AgentMsg, stats.nic, nic_counter_spec, offsetof(AgentMsg, stats.nic.present)),
        OBJ("rates", REQ, AgentMsg, stats.rates, rate_spec, NO_PRESENT),
        ARRAY("queues", REQ, AgentMsg, stats.queues, queue_spec, stats.n_queues),
};

static const FieldSpec heartbeat_fields[] = {
        INT("seq", REQ, AgentMsg, heartbeat.seq, 0, INT64_MAX, 0),
        INT("uptime_ms", REQ, AgentMsg, heartbeat.uptime_ms, 0, INT64_MAX, 0),
        OBJ("capture", REQ, AgentMsg, heartbeat.capture, capture_info_spec, NO_PRESENT),
};

static const FieldSpec error_fields[] = {
        INT("id", NUL, AgentMsg, id, 0, INT64_MAX, -1),
        ENUM("code", REQ, AgentMsg, error.code, error_code_names, AGENT_ERR_INTERNAL),
        TEXT("message", REQ, AgentMsg, error.message),
};

static const FieldSpec id_fields[] = {
        INT("id", REQ, AgentMsg, id, 0, INT64_MAX, -1),
};
static const FieldSpec sync_fields[] = {
        INT("id", REQ, AgentMsg, id, 0, INT64_MAX, -1),
        INT("protocol", REQ, AgentMsg, protocol, 1, 65535, AGENT_PROTOCOL_VERSION),
};
static const FieldSpec set_interval_fields[] = {
        INT("id", REQ, AgentMsg, id, 0, INT64_MAX, -1),
        INT("interval_ms", REQ, AgentMsg, interval_ms, AGENT_INTERVAL_MIN_MS,
            AGENT_INTERVAL_MAX_MS, 1000),
};

static const struct {
        AgentPeer sender;
        ObjSpec spec;
} msg_specs[_AGENT_MSG_MAX] = {
        [AGENT_MSG_SYNC] = { AGENT_FROM_HOST, SPEC(sync_fields) },
        [AGENT_MSG_START_CAPTURE] = { AGENT_FROM_HOST,
                                      { .fields = id_fields,
                                        .n_fields = ELEMENTSOF(id_fields),
                                        .inline_spec = &capture_spec_spec,
                                        .inline_offset = offsetof(AgentMsg, start) } },
        [AGENT_MSG_STOP_CAPTURE] = { AGENT_FROM_HOST, SPEC(id_fields) },
        [AGENT_MSG_SET_INTERVAL] = { AGENT_FROM_HOST, SPEC(set_interval_fields) },
        [AGENT_MSG_PING] = { AGENT_FROM_HOST, SPEC(id_fields) },
        [AGENT_MSG_HELLO] = { AGENT_FROM_GUEST, SPEC(hello_fields) },
        [AGENT_MSG_REPLY] = { AGENT_FROM_GUEST, SPEC(id_fields) },
        [AGENT_MSG_STATS] = { AGENT_FROM_GUEST, SPEC(stats_fields) },
        [AGENT_MSG_HEARTBEAT] = { AGENT_FROM_GUEST, SPEC(heartbeat_fields) },
        [AGENT_MSG_ERROR] = { AGENT_FROM_GUEST, SPEC(error_fields) },
};

AgentPeer agent_msg_sender(AgentMsgType t) {
        return msg_specs[t].sender;
}

/* ---- defaults ---- */

static void apply_defaults(const ObjSpec *spec, void *base) {
        for (size_t i = 0; i < spec->n_fields; i++) {
                const FieldSpec *f = &spec->fields[i];
                char *p = (char *) base + f->offset;
                switch (f->kind) {
                case F_INT:
                        *(int64_t *) p = f->def;
                        break;
                case F_ENUM:
                        *(int *) p = (int) f->def;
                        break;
                case F_BOOL:
                        *(bool *) p = false;
                        break;
                case F_NAME:
                case F_TEXT:
                        p[0] = '\0';
                        break;
                case F_OBJECT:
                        apply_defaults(f->sub, p);
                        if (f->present_offset != NO_PRESENT)
                                *(bool *) ((char *) base + f->present_offset) = false;
                        break;
                case F_ARRAY:
                        *(size_t *) ((char *) base + f->count_offset) = 0;
                        break;
                case F_DROPS:
                        for (size_t c = 0; c < _AGENT_DROP_MAX; c++)
                                ((int64_t *) p)[c] = -1;
                        break;
                }
        }
        if (spec->inline_spec)
                apply_defaults(spec->inline_spec, (char *) base + spec->inline_offset);
}

void agent_msg_init(AgentMsg *m, AgentMsgType type) {
        memset(m, 0, sizeof(*m));
        m->type = type;
        m->id = -1;
        apply_defaults(&msg_specs[type].spec, m);
}

/* ---- parsing ---- */

typedef struct ParseCtx {
        AgentParseError *err;
        char path[100]; /* where we are: "stats.queues[2].pps" */
        unsigned depth;   /* 1 inside the outermost object */
        bool is_message;  /* the outermost object has a "type" key to skip */
} ParseCtx;

_printf_(3, 4) static int fail(ParseCtx *c, AgentReject reason, const char *fmt, ...) {
        char msg[160];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        c->err->reason = reason;
        snprintf(c->err->detail, sizeof(c->err->detail), "%.99s%s%.80s", c->path,
                 c->path[0] ? ": " : "", msg);
        return -EBADMSG;
}

/* Descend into a key or index for error messages; returns the length to restore. */
static size_t path_push(ParseCtx *c, const char *key, long index) {
        size_t old = strlen(c->path);
        if (key)
                snprintf(c->path + old, sizeof(c->path) - old, "%s%s", old ? "." : "", key);
        else
                snprintf(c->path + old, sizeof(c->path) - old, "[%ld]", index);
        return old;
}

static bool is_name_char(unsigned char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               strchr("_.:,=/+@-", ch);
}

bool agent_name_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n >= sizeof(AgentName))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!is_name_char((unsigned char) s[i]))
                        return false;
        return true;
}

/* RFC 3629 UTF-8: no overlong forms, no surrogates (json-c lets encoded
 * surrogates through), nothing above U+10FFFF. */
static bool utf8_valid(const unsigned char *s, size_t n) {
        for (size_t i = 0; i < n;) {
                unsigned char b = s[i];
                size_t len;
                uint32_t cp;
                if (b < 0x80) {
                        i++;
                        continue;
                }
                if (b >= 0xC2 && b <= 0xDF)
                        len = 2, cp = b & 0x1F;
                else if (b >= 0xE0 && b <= 0xEF)
                        len = 3, cp = b & 0x0F;
                else if (b >= 0xF0 && b <= 0xF4)
                        len = 4, cp = b & 0x07;
                else
                        return false;
                if (i + len > n)
                        return false;
                for (size_t k = 1; k < len; k++) {
                        if ((s[i + k] & 0xC0) != 0x80)
                                return false;
                        cp = cp << 6 | (s[i + k] & 0x3F);
                }
                if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
                    (cp >= 0xD800 && cp <= 0xDFFF))
                        return false;
                i += len;
        }
        return true;
}

static int parse_string(ParseCtx *c, const FieldSpec *f, json_object *v, char *dst) {
        const char *s;
        size_t len;

        if (!json_object_is_type(v, json_type_string))
                return fail(c, AGENT_REJECT_SCHEMA, "must be a string");
        s = json_object_get_string(v);
        len = (size_t) json_object_get_string_len(v);
        if (len == 0)
                return fail(c, AGENT_REJECT_SCHEMA, "must not be empty (use null)");
        if (strlen(s) != len)
                return fail(c, AGENT_REJECT_SCHEMA, "contains a NUL character");
        if (!utf8_valid((const unsigned char *) s, len))
                return fail(c, AGENT_REJECT_INVALID_UTF8, "not valid UTF-8");
        if (len >= f->size)
                return fail(c, AGENT_REJECT_OUT_OF_RANGE, "longer than %zu bytes", f->size - 1);
        for (size_t i = 0; i < len; i++) {
                unsigned char ch = (unsigned char) s[i];
                if (f->kind == F_NAME ? !is_name_char(ch) : (ch < 0x20 || ch == 0x7f))
                        return fail(c, AGENT_REJECT_SCHEMA, "character 0x%02x not allowed", ch);
        }
        memcpy(dst, s, len + 1);
        return 0;
}

static int parse_int(ParseCtx *c, const FieldSpec *f, json_object *v, int64_t *dst) {
        int64_t n;

        if (!json_object_is_type(v, json_type_int))
                return fail(c, AGENT_REJECT_SCHEMA, "must be an integer");
        n = json_object_get_int64(v);
        /* json-c keeps integers above INT64_MAX as uint64 and saturates the
         * int64 view; anything below INT64_MIN saturates to it. Both are out of
         * every range here. */
        if ((n >= 0 && json_object_get_uint64(v) > (uint64_t) INT64_MAX) || n == INT64_MIN ||
            n < f->min || n > f->max)
                return fail(c, AGENT_REJECT_OUT_OF_RANGE, "out of range (%lld..%lld)",
                            (long long) f->min, (long long) f->max);
        *dst = n;
        return 0;
}

static int parse_object(ParseCtx *c, const ObjSpec *spec, json_object *o, void *base);

static const FieldSpec *find_field(const ObjSpec *spec, const char *key, size_t *base_off) {
        for (size_t i = 0; i < spec->n_fields; i++)
                if (streq(spec->fields[i].name, key)) {
                        *base_off = 0;
                        return &spec->fields[i];
                }
        if (spec->inline_spec) {
                const FieldSpec *f = find_field(spec->inline_spec, key, base_off);
                if (f) {
                        *base_off += spec->inline_offset;
                        return f;
                }
        }
        return NULL;
}

static int parse_drops(ParseCtx *c, json_object *v, int64_t *drops) {
        if (!json_object_is_type(v, json_type_object))
                return fail(c, AGENT_REJECT_SCHEMA, "must be an object");
        json_object_object_foreach(v, key, val) {
                FieldSpec f = { .min = 0, .max = INT64_MAX };
                size_t old = path_push(c, key, 0);
                int cause = index_of(drop_cause_names, ELEMENTSOF(drop_cause_names), key), r;
                if (cause < 0)
                        return fail(c, AGENT_REJECT_SCHEMA, "not a drop cause");
                r = parse_int(c, &f, val, &drops[cause]);
                if (r < 0)
                        return r;
                c->path[old] = '\0';
        }
        return 0;
}

static int parse_value(ParseCtx *c, const FieldSpec *f, json_object *v, void *base) {
        char *p = (char *) base + f->offset;

        switch (f->kind) {
        case F_INT:
                return parse_int(c, f, v, (int64_t *) p);
        case F_BOOL:
                if (!json_object_is_type(v, json_type_boolean))
                        return fail(c, AGENT_REJECT_SCHEMA, "must be true or false");
                *(bool *) p = json_object_get_boolean(v);
                return 0;
        case F_NAME:
        case F_TEXT:
                return parse_string(c, f, v, p);
        case F_ENUM: {
                int i = json_object_is_type(v, json_type_string)
                                ? index_of(f->names, (size_t) f->n_names, json_object_get_string(v))
                                : -EINVAL;
                if (i < 0)
                        return fail(c, AGENT_REJECT_SCHEMA, "not one of the known values");
                *(int *) p = i;
                return 0;
        }
        case F_OBJECT:
                if (f->present_offset != NO_PRESENT)
                        *(bool *) ((char *) base + f->present_offset) = true;
                return parse_object(c, f->sub, v, p);
        case F_ARRAY: {
                size_t n;
                if (!json_object_is_type(v, json_type_array))
                        return fail(c, AGENT_REJECT_SCHEMA, "must be a list");
                n = json_object_array_length(v);
                if (n > f->max_elems)
                        return fail(c, AGENT_REJECT_OUT_OF_RANGE, "more than %zu entries",
                                    f->max_elems);
                for (size_t i = 0; i < n; i++) {
                        size_t old = path_push(c, NULL, (long) i);
                        void *elem = p + i * f->elem_size;
                        apply_defaults(f->sub, elem);
                        int r = parse_object(c, f->sub, json_object_array_get_idx(v, i), elem);
                        if (r < 0)
                                return r;
                        c->path[old] = '\0';
                }
                *(size_t *) ((char *) base + f->count_offset) = n;
                return 0;
        }
        case F_DROPS:
                return parse_drops(c, v, (int64_t *) p);
        }
        return fail(c, AGENT_REJECT_SCHEMA, "internal: unknown field kind");
}

static bool field_seen(const FieldSpec *f, json_object *o) {
        json_object *v;
        return json_object_object_get_ex(o, f->name, &v);
}

static int check_required(ParseCtx *c, const ObjSpec *spec, json_object *o) {
        for (size_t i = 0; i < spec->n_fields; i++) {
                const FieldSpec *f = &spec->fields[i];
                if ((f->flags & REQ) && !field_seen(f, o)) {
                        size_t old = path_push(c, f->name, 0);
                        int r = fail(c, AGENT_REJECT_SCHEMA, "missing");
                        c->path[old] = '\0';
                        return r;
                }
        }
        return spec->inline_spec ? check_required(c, spec->inline_spec, o) : 0;
}

static int run_checks(ParseCtx *c, const ObjSpec *spec, void *base) {
        AgentReject reason = AGENT_REJECT_SCHEMA;
        char detail[160];

        if (spec->check && spec->check(base, &reason, detail, sizeof(detail)) < 0)
                return fail(c, reason, "%s", detail);
        return spec->inline_spec ? run_checks(c, spec->inline_spec,
                                              (char *) base + spec->inline_offset)
                                 : 0;
}

static int parse_object(ParseCtx *c, const ObjSpec *spec, json_object *o, void *base) {
        int r;

        if (!json_object_is_type(o, json_type_object))
                return fail(c, AGENT_REJECT_SCHEMA, "must be an object");
        c->depth++;
        json_object_object_foreach(o, key, v) {
                size_t off, old;
                const FieldSpec *f;

                if (c->depth == 1 && c->is_message && streq(key, "type"))
                        continue; /* the message type, looked at by the caller */
                old = path_push(c, key, 0);
                f = find_field(spec, key, &off);
                if (!f) {
                        if (index_of(identity_keys, ELEMENTSOF(identity_keys), key) >= 0)
                                return fail(c, AGENT_REJECT_IDENTITY_CLAIM,
                                            "names a sender; identity comes from the channel");
                        return fail(c, AGENT_REJECT_SCHEMA, "unknown key");
                }
                if (!v) {
                        if (!(f->flags & NUL))
                                return fail(c, AGENT_REJECT_SCHEMA, "must not be null");
                        /* null: the default, which for NUL fields means "none" */
                } else {
                        r = parse_value(c, f, v, (char *) base + off);
                        if (r < 0)
                                return r;
                }
                c->path[old] = '\0';
        }
        c->depth--;
        r = check_required(c, spec, o);
        if (r < 0)
                return r;
        return run_checks(c, spec, base);
}

/* Parse text into a JSON document: strict grammar, valid UTF-8, bounded depth,
 * nothing after the value. */
static json_object *parse_json(ParseCtx *c, const char *text, size_t len) {
        json_tokener *tok;
        json_object *o;
        enum json_tokener_error jerr;

        if (memchr(text, '\0', len)) {
                fail(c, AGENT_REJECT_INVALID_JSON, "NUL byte in the line");
                return NULL;
        }
        tok = json_tokener_new_ex(AGENT_JSON_DEPTH);
        if (!tok) {
                fail(c, AGENT_REJECT_INVALID_JSON, "out of memory");
                return NULL;
        }
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        o = json_tokener_parse_ex(tok, text, (int) len);
        jerr = json_tokener_get_error(tok);
        if (jerr == json_tokener_continue) {
                fail(c, AGENT_REJECT_INVALID_JSON, "incomplete JSON");
        } else if (jerr != json_tokener_success) {
                fail(c, jerr == json_tokener_error_parse_utf8_string ? AGENT_REJECT_INVALID_UTF8
                        : jerr == json_tokener_error_depth          ? AGENT_REJECT_SCHEMA
                                                                   : AGENT_REJECT_INVALID_JSON,
                     "%s", json_tokener_error_desc(jerr));
        } else if (json_tokener_get_parse_end(tok) != len) {
                fail(c, AGENT_REJECT_INVALID_JSON, "bytes after the JSON value");
                json_object_put(o);
                o = NULL;
        }
        json_tokener_free(tok);
        return jerr == json_tokener_success ? o : NULL;
}

int agent_msg_parse(const char *line, size_t len, AgentPeer from, AgentMsg *ret,
                    AgentParseError *err) {
        ParseCtx c = { .err = err };
        json_object *o, *t;
        int type, r;

        *err = (AgentParseError){ 0 };
        /* Guard the cast in parse_json; the framing keeps lines far shorter. */
        if (len > (size_t) INT32_MAX)
                return fail(&c, AGENT_REJECT_LINE_TOO_LONG, "line too long");
        o = parse_json(&c, line, len);
        if (!o)
                return -EBADMSG;
        if (!json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return fail(&c, AGENT_REJECT_SCHEMA, "a message is a JSON object");
        }
        if (!json_object_object_get_ex(o, "type", &t) || !json_object_is_type(t, json_type_string)) {
                json_object_put(o);
                return fail(&c, AGENT_REJECT_SCHEMA, "type: missing or not a string");
        }
        type = index_of(msg_type_names, ELEMENTSOF(msg_type_names), json_object_get_string(t));
        if (type < 0) {
                json_object_put(o);
                return fail(&c, AGENT_REJECT_SCHEMA, "type: unknown message type");
        }
        if (msg_specs[type].sender != from) {
                json_object_put(o);
                return fail(&c, AGENT_REJECT_UNEXPECTED, "type: %s is not sent by the %s",
                            msg_type_names[type], from == AGENT_FROM_HOST ? "host" : "guest");
        }
        agent_msg_init(ret, (AgentMsgType) type);
        /* Error details start with the message type: "stats.engine.packets: ..." */
        snprintf(c.path, sizeof(c.path), "%s", msg_type_names[type]);
        c.is_message = true;
        r = parse_object(&c, &msg_specs[type].spec, o, ret);
        json_object_put(o);
        return r;
}

int agent_capture_spec_from_json(json_object *o, AgentCaptureSpec *ret, AgentParseError *err) {
        ParseCtx c = { .err = err };
        snprintf(c.path, sizeof(c.path), "%s", "capture");
        *err = (AgentParseError){ 0 };
        memset(ret, 0, sizeof(*ret));
        apply_defaults(&capture_spec_spec, ret);
        return parse_object(&c, &capture_spec_spec, o, ret);
}

/* ---- rendering ---- */

static json_object *render_object(const ObjSpec *spec, const void *base);

static json_object *render_value(const FieldSpec *f, const void *base) {
        const char *p = (const char *) base + f->offset;

        switch (f->kind) {
        case F_INT: {
                int64_t v = *(const int64_t *) p;
                return (f->flags & NUL) && v < 0 ? NULL : json_object_new_int64(v);
        }
        case F_BOOL:
                return json_object_new_boolean(*(const bool *) p);
        case F_NAME:
        case F_TEXT:
                return (f->flags & NUL) && !p[0] ? NULL : json_object_new_string(p);
        case F_ENUM: {
                int v = *(const int *) p;
                if (v < 0 || v >= f->n_names)
                        return NULL;
                return json_object_new_string(f->names[v]);
        }
        case F_OBJECT:
                if (f->present_offset != NO_PRESENT &&
                    !*(const bool *) ((const char *) base + f->present_offset))
                        return NULL;
                return render_object(f->sub, p);
        case F_ARRAY: {
                size_t n = *(const size_t *) ((const char *) base + f->count_offset);
                json_object *a = json_object_new_array_ext((int) n);
                for (size_t i = 0; i < n && i < f->max_elems; i++)
                        json_object_array_add(a, render_object(f->sub, p + i * f->elem_size));
                return a;
        }
        case F_DROPS: {
                json_object *d = json_object_new_object();
                for (size_t c = 0; c < _AGENT_DROP_MAX; c++)
                        if (((const int64_t *) p)[c] >= 0)
                                json_object_object_add(d, drop_cause_names[c],
                                                       json_object_new_int64(((const int64_t *) p)[c]));
                return d;
        }
        }
        return NULL;
}

static void render_into(json_object *o, const ObjSpec *spec, const void *base) {
        for (size_t i = 0; i < spec->n_fields; i++)
                json_object_object_add(o, spec->fields[i].name, render_value(&spec->fields[i], base));
        if (spec->inline_spec)
                render_into(o, spec->inline_spec, (const char *) base + spec->inline_offset);
}

static json_object *render_object(const ObjSpec *spec, const void *base) {
        json_object *o = json_object_new_object();
        render_into(o, spec, base);
        return o;
}

json_object *agent_msg_to_json(const AgentMsg *m) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "type", json_object_new_string(msg_type_names[m->type]));
        render_into(o, &msg_specs[m->type].spec, m);
        return o;
}

json_object *agent_capture_spec_to_json(const AgentCaptureSpec *s) {
        return render_object(&capture_spec_spec, s);
}

json_object *agent_capture_info_to_json(const AgentCaptureInfo *ci) {
        return render_object(&capture_info_spec, ci);
}

/* Render a message part: the message's fields, without "type" and "id". */
static json_object *render_part(AgentMsgType type, const void *part, size_t part_offset) {
        AgentMsg *m = calloc(1, sizeof(*m));
        json_object *o;
        if (!m)
                return NULL;
        agent_msg_init(m, type);
        memcpy((char *) m + part_offset, part,
               type == AGENT_MSG_HELLO ? sizeof(AgentHello) : sizeof(AgentStats));
        o = agent_msg_to_json(m);
        json_object_object_del(o, "type");
        json_object_object_del(o, "id");
        free(m);
        return o;
}

json_object *agent_hello_to_json(const AgentHello *h) {
        return render_part(AGENT_MSG_HELLO, h, offsetof(AgentMsg, hello));
}

json_object *agent_stats_to_json(const AgentStats *s) {
        return render_part(AGENT_MSG_STATS, s, offsetof(AgentMsg, stats));
}

char *agent_msg_format(const AgentMsg *m, bool resync, size_t *ret_len) {
        json_object *o = agent_msg_to_json(m);
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                                     JSON_C_TO_STRING_NOSLASHESCAPE);
        size_t n = strlen(text), off = resync ? 1 : 0;
        char *buf = malloc(n + off + 2);

        if (buf) {
                if (resync)
                        buf[0] = (char) AGENT_RESYNC_BYTE;
                memcpy(buf + off, text, n);
                buf[off + n] = '\n';
                buf[off + n + 1] = '\0';
                *ret_len = off + n + 1;
        }
        json_object_put(o);
        return buf;
}

void agent_text_set(char *dst, size_t size, const char *src) {
        size_t n = strlen(src);
        if (n >= size) {
                n = size - 1;
                /* Do not cut a UTF-8 sequence in half: back up over continuation bytes. */
                while (n > 0 && ((unsigned char) src[n] & 0xC0) == 0x80)
                        n--;
        }
        memcpy(dst, src, n);
        dst[n] = '\0';
        /* Control characters would be refused by the receiver; make them spaces. */
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) dst[i] < 0x20 || dst[i] == 0x7f)
                        dst[i] = ' ';
}

void agent_text_printf(char *dst, size_t size, const char *fmt, ...) {
        char buf[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        agent_text_set(dst, size, buf);
}
