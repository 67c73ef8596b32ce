/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The messages of the agent channel between nfvcapd (host) and nfvcap-agent
 * (guest), as C structs with their JSON form. docs/agent-protocol.md is the
 * reference. One field table per message (agent-msg.c) drives both parsing
 * and rendering, so the two cannot disagree.
 *
 * Parsing is strict because the host treats every byte from a guest as
 * hostile: unknown keys, wrong types, numbers out of range, strings too long
 * or with characters outside their class, and messages the sender's side may
 * not send are all refused with a reason (AgentReject) that the host counts.
 * Identity is never taken from a message: a key that names a VM or monitor is
 * refused as an identity claim. Strings live in fixed buffers inside the
 * structs, so a parsed message owns no heap memory.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AGENT_PROTOCOL_VERSION 1
#define AGENT_MAX_QUEUES 64
#define AGENT_MAX_ENGINES 8
#define AGENT_MAX_DEVICES 32
#define AGENT_JSON_DEPTH 6 /* message, list, element, object: nothing deeper is valid */
#define AGENT_INTERVAL_MIN_MS 50
#define AGENT_INTERVAL_MAX_MS 60000
#define AGENT_SNAPLEN_MAX 262144
#define AGENT_PPS_MAX INT64_C(10000000000)    /* 10 Gpps: beyond any link of today */
#define AGENT_BPS_MAX INT64_C(10000000000000) /* 10 Tb/s */

typedef char AgentName[64];  /* identifiers: [A-Za-z0-9_.:,=/+@-] */
typedef char AgentText[256]; /* sentences: printable UTF-8 */

typedef enum AgentMsgType {
        /* host -> guest */
        AGENT_MSG_SYNC,
        AGENT_MSG_START_CAPTURE,
        AGENT_MSG_STOP_CAPTURE,
        AGENT_MSG_SET_INTERVAL,
        AGENT_MSG_PING,
        /* guest -> host */
        AGENT_MSG_HELLO,
        AGENT_MSG_REPLY,
        AGENT_MSG_STATS,
        AGENT_MSG_HEARTBEAT,
        AGENT_MSG_ERROR,
        _AGENT_MSG_MAX,
} AgentMsgType;

typedef enum AgentPeer {
        AGENT_FROM_HOST,
        AGENT_FROM_GUEST,
} AgentPeer;

typedef enum AgentEngineId {
        AGENT_ENGINE_NONE = -1,
        AGENT_ENGINE_AFPACKET,
        AGENT_ENGINE_DPDK,
        AGENT_ENGINE_HPCAPVF,
        _AGENT_ENGINE_MAX,
} AgentEngineId;

typedef enum AgentCaptureState {
        AGENT_CAPTURE_IDLE,    /* nothing started, or stopped and reported */
        AGENT_CAPTURE_RUNNING,
        AGENT_CAPTURE_STOPPED, /* the final report of a capture that was stopped */
        AGENT_CAPTURE_FAILED,  /* the engine died; an error event said why */
        _AGENT_CAPTURE_MAX,
} AgentCaptureState;

/* Why packets were not captured, by where the loss happened. */
typedef enum AgentDropCause {
        AGENT_DROP_SOCKET_RING_FULL, /* AF_PACKET tp_drops: the mmap ring was full */
        AGENT_DROP_SOCKET_FREEZE,    /* AF_PACKET tp_freeze_q_cnt: queue frozen (TPACKET_V3) */
        AGENT_DROP_NIC_MISSED,       /* the NIC had no descriptor (DPDK imissed) */
        AGENT_DROP_NOMBUF,           /* DPDK rx_nombuf: no mbuf to refill the ring */
        AGENT_DROP_NIC_ERRORS,       /* received with errors (DPDK ierrors) */
        AGENT_DROP_OUTPUT,           /* captured but not written to the output file */
        AGENT_DROP_DUPLICATE,        /* removed as a switching duplicate (hpcapvf Dup=1) */
        _AGENT_DROP_MAX,
} AgentDropCause;

typedef enum AgentOutputFormat {
        AGENT_OUTPUT_NONE,
        AGENT_OUTPUT_PCAP,
        _AGENT_OUTPUT_MAX,
} AgentOutputFormat;

typedef enum AgentErrorCode {
        AGENT_ERR_UNKNOWN_COMMAND,
        AGENT_ERR_INVALID_ARGUMENT,
        AGENT_ERR_ENGINE_UNAVAILABLE, /* the engine cannot run in this guest (hello said why) */
        AGENT_ERR_ENGINE_FAILED,      /* it could have, but starting or running it failed */
        AGENT_ERR_BUSY,               /* a capture is running */
        AGENT_ERR_NOT_RUNNING,
        AGENT_ERR_INTERNAL,
        _AGENT_ERR_MAX,
} AgentErrorCode;

/* Why a host refused a line from a guest; each has a per-channel counter. */
typedef enum AgentReject {
        AGENT_REJECT_LINE_TOO_LONG,
        AGENT_REJECT_RATE_LIMITED,
        AGENT_REJECT_INVALID_JSON,
        AGENT_REJECT_INVALID_UTF8,
        AGENT_REJECT_SCHEMA,
        AGENT_REJECT_OUT_OF_RANGE,
        AGENT_REJECT_IDENTITY_CLAIM,
        AGENT_REJECT_UNEXPECTED, /* a valid message this side may not send, or not now */
        _AGENT_REJECT_MAX,
} AgentReject;

typedef struct AgentOutput {
        AgentOutputFormat format;
        AgentName name;       /* file name stem under the agent's output directory */
        int64_t rotate_bytes; /* start the next file past this size; -1: never */
        int64_t keep_files;   /* files kept per queue, oldest removed; -1: all */
} AgentOutput;

/* What to capture: start_capture's fields, and the body of the host API's
 * PUT /v1/monitors/{id}/capture. */
typedef struct AgentCaptureSpec {
        AgentEngineId engine;
        AgentName device; /* interface name, PCI address, or (dpdk) a virtual device */
        int64_t queues;   /* 1..AGENT_MAX_QUEUES */
        int64_t snaplen;  /* bytes kept per frame; 0: whole frames */
        AgentOutput output;
} AgentCaptureSpec;

/* What the agent is doing. engine is NONE and device empty when idle. */
typedef struct AgentCaptureInfo {
        AgentCaptureState state;
        AgentEngineId engine;
        AgentName device;
} AgentCaptureInfo;

typedef struct AgentEngineInfo {
        AgentEngineId name;
        bool available;
        AgentText reason; /* why not, or a note; empty: none */
        AgentName version;
} AgentEngineInfo;

typedef struct AgentDeviceInfo {
        AgentName name; /* netdev, or the PCI address of a device without one */
        AgentName pci;  /* empty: not a PCI device */
        AgentName driver;
        AgentName mac;
} AgentDeviceInfo;

typedef struct AgentHello {
        int64_t protocol;
        AgentName agent; /* nfvcap-agent's version */
        AgentEngineInfo engines[AGENT_MAX_ENGINES];
        size_t n_engines;
        AgentDeviceInfo devices[AGENT_MAX_DEVICES];
        size_t n_devices;
        AgentCaptureInfo capture;
        int64_t interval_ms;
} AgentHello;

/* Counters are cumulative since the capture started; -1 means "this source
 * has no such counter" and is rendered as null or left out, never as 0. */
typedef struct AgentEngineCounters {
        AgentText source; /* where the figures come from, e.g. "PACKET_STATISTICS" */
        int64_t packets, bytes;
        int64_t drops[_AGENT_DROP_MAX];
        int64_t backlog_bytes; /* captured, not yet consumed (hpcapvf ring) */
} AgentEngineCounters;

typedef struct AgentNicCounters {
        bool present;
        AgentText source; /* e.g. "netdev eth1 (igbvf)" */
        int64_t rx_packets, rx_bytes, rx_dropped, rx_missed, rx_errors;
} AgentNicCounters;

typedef struct AgentRates {
        int64_t pps, bps, drop_pps; /* over the interval, from the engine's counters */
} AgentRates;

typedef struct AgentQueueStats {
        int64_t queue;
        int64_t packets, bytes, drops;
        int64_t pps, bps;
} AgentQueueStats;

typedef struct AgentStats {
        int64_t seq;
        int64_t timestamp_ns; /* the guest's CLOCK_REALTIME when the counters were read */
        int64_t interval_ms;  /* what the rates were computed over */
        AgentCaptureInfo capture;
        AgentEngineCounters engine;
        AgentNicCounters nic;
        AgentRates rates;
        AgentQueueStats queues[AGENT_MAX_QUEUES];
        size_t n_queues;
} AgentStats;

typedef struct AgentHeartbeat {
        int64_t seq;
        int64_t uptime_ms;
        AgentCaptureInfo capture;
} AgentHeartbeat;

typedef struct AgentError {
        AgentErrorCode code;
        AgentText message;
} AgentError;

typedef struct AgentMsg {
        AgentMsgType type;
        int64_t id; /* correlates a command with its reply or error; -1: none */
        union {
                int64_t protocol;         /* sync */
                AgentCaptureSpec start;   /* start_capture */
                int64_t interval_ms;      /* set_interval */
                AgentHello hello;
                AgentStats stats;
                AgentHeartbeat heartbeat;
                AgentError error;
        };
} AgentMsg;

typedef struct AgentParseError {
        AgentReject reason;
        char detail[192]; /* names the field: "stats.queues[2].pps: out of range" */
} AgentParseError;

/* Parse one line (as framed by LineReader; len excludes the newline) sent by
 * `from`. Returns 0, or -EBADMSG with err filled in. */
int agent_msg_parse(const char *line, size_t len, AgentPeer from, AgentMsg *ret,
                    AgentParseError *err);

/* Parse a capture specification object (the API's PUT body). -EBADMSG. */
int agent_capture_spec_from_json(json_object *o, AgentCaptureSpec *ret, AgentParseError *err);
json_object *agent_capture_spec_to_json(const AgentCaptureSpec *s);
json_object *agent_capture_info_to_json(const AgentCaptureInfo *c);
/* Render parts of a message for other documents (the host's API). */
json_object *agent_hello_to_json(const AgentHello *h);
json_object *agent_stats_to_json(const AgentStats *s);

/* Render a message. Caller owns the result. */
json_object *agent_msg_to_json(const AgentMsg *m);
/* The line to send: optional resync byte, the JSON, '\n'. malloc'd; NULL on OOM. */
char *agent_msg_format(const AgentMsg *m, bool resync, size_t *ret_len);

/* Start a message of the given type with every field at its default. */
void agent_msg_init(AgentMsg *m, AgentMsgType type);
/* Which side may send a type. */
AgentPeer agent_msg_sender(AgentMsgType t);

const char *agent_msg_type_to_string(AgentMsgType t);
const char *agent_engine_to_string(AgentEngineId e);
int agent_engine_from_string(const char *s);
const char *agent_capture_state_to_string(AgentCaptureState s);
const char *agent_drop_cause_to_string(AgentDropCause c);
const char *agent_error_code_to_string(AgentErrorCode c);
const char *agent_reject_to_string(AgentReject r);
const char *agent_output_format_to_string(AgentOutputFormat f);

/* Whether s is a valid AgentName value (non-empty, fits, allowed characters). */
bool agent_name_valid(const char *s);
/* Copy into a fixed buffer, truncating at a UTF-8 character boundary;
 * control characters become spaces. */
void agent_text_set(char *dst, size_t size, const char *src);
/* The same from a format. Sentences may be cut; that is their nature. */
void agent_text_printf(char *dst, size_t size, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
