/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The settings of one VF that the PF's driver holds for it (what
 * `ip link set PF vf N ...` sets): MAC, VLAN with QoS and protocol, spoof
 * check, trust, link state, transmit rates. One struct serves as observed
 * settings (every field valid) and as desired settings or a patch (only the
 * fields whose bit is in `set`). The knob table in vfsettings.c gives each
 * field its JSON name, parser, validator and renderer.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

typedef enum VfKnob {
        VF_KNOB_MAC,
        VF_KNOB_VLAN,
        VF_KNOB_QOS,
        VF_KNOB_VLAN_PROTO,
        VF_KNOB_SPOOFCHK,
        VF_KNOB_TRUST,
        VF_KNOB_LINK_STATE,
        VF_KNOB_MIN_TX_RATE,
        VF_KNOB_MAX_TX_RATE,
        _VF_KNOB_MAX,
} VfKnob;

#define VF_KNOB_BIT(k) (1u << (k))
#define VF_KNOBS_ALL ((1u << _VF_KNOB_MAX) - 1)

/* IFLA_VF_LINK_STATE_* values */
typedef enum VfLinkState {
        VF_LINK_STATE_AUTO = 0,
        VF_LINK_STATE_ENABLE = 1,
        VF_LINK_STATE_DISABLE = 2,
} VfLinkState;

#define VF_VLAN_PROTO_8021Q 0x8100
#define VF_VLAN_PROTO_8021AD 0x88a8
#define VF_QOS_MAX 7
#define VF_RATE_MAX 10000000 /* Mb/s: 10 Tb/s, far above any link */

typedef struct NfvVfSettings {
        uint32_t set; /* VF_KNOB_BIT()s of the fields that carry a value */
        MacAddr mac;
        uint16_t vlan;
        uint8_t qos;
        uint16_t vlan_proto;
        bool spoofchk;
        bool trust;
        VfLinkState link_state;
        uint32_t min_tx_rate; /* Mb/s, 0: no minimum */
        uint32_t max_tx_rate; /* Mb/s, 0: no limit */
} NfvVfSettings;

const char *vf_knob_to_string(VfKnob k);
int vf_knob_from_string(const char *s);

/* Parse a settings object (a PATCH body, or one VF of a desired-state
 * document). Strict: an unknown key, a wrong type or a value out of range is
 * -EINVAL and *bad_field names the key (static string or the offending key,
 * valid while o lives); msg gets a sentence for the client. Multicast and
 * all-zero MACs are refused. */
int vf_settings_from_json(json_object *o, NfvVfSettings *ret, const char **bad_field, char *msg,
                          size_t msglen);
/* The same for settings read from a VF (or recorded from one): there the MAC
 * may be all zeroes, meaning "none assigned". */
int vf_settings_from_json_observed(json_object *o, NfvVfSettings *ret, const char **bad_field,
                                   char *msg, size_t msglen);

/* Render the fields in s->set (all of them for observed settings). */
json_object *vf_settings_to_json(const NfvVfSettings *s);

/* Copy the fields set in patch over base. */
void vf_settings_merge(NfvVfSettings *base, const NfvVfSettings *patch);

/* Bits of the knobs whose values differ between want (its set fields only)
 * and have (observed, all fields valid). */
uint32_t vf_settings_diff(const NfvVfSettings *want, const NfvVfSettings *have);

/* Checks across fields of the effective settings (after merging): QoS needs a
 * VLAN, the minimum rate cannot exceed the maximum. -EINVAL with the field. */
int vf_settings_check(const NfvVfSettings *effective, const char **bad_field, char *msg,
                      size_t msglen);

/* Text forms, as ip-link(8) spells them. */
const char *vf_link_state_to_string(VfLinkState s);
const char *vf_vlan_proto_to_string(uint16_t proto);
