/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vfsettings.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "jsonutil.h"
#include "macros.h"

/* One row per knob: how it is read from JSON, checked and rendered. */
typedef struct KnobInfo {
        const char *name;
        int (*parse)(json_object *v, NfvVfSettings *s, bool observed, char *msg, size_t msglen);
        json_object *(*render)(const NfvVfSettings *s);
        size_t offset, size; /* the field in NfvVfSettings: merged and compared bytewise */
} KnobInfo;

static const struct {
        VfLinkState state;
        const char *name;
} link_states[] = {
        { VF_LINK_STATE_AUTO, "auto" },
        { VF_LINK_STATE_ENABLE, "enable" },
        { VF_LINK_STATE_DISABLE, "disable" },
};

static const struct {
        uint16_t proto;
        const char *name;
} vlan_protos[] = {
        { VF_VLAN_PROTO_8021Q, "802.1Q" },
        { VF_VLAN_PROTO_8021AD, "802.1ad" },
};

const char *vf_link_state_to_string(VfLinkState s) {
        for (size_t i = 0; i < ELEMENTSOF(link_states); i++)
                if (link_states[i].state == s)
                        return link_states[i].name;
        return "unknown";
}

const char *vf_vlan_proto_to_string(uint16_t proto) {
        for (size_t i = 0; i < ELEMENTSOF(vlan_protos); i++)
                if (vlan_protos[i].proto == proto)
                        return vlan_protos[i].name;
        return "unknown";
}

static int parse_uint(json_object *v, int64_t max, const char *what, int64_t *ret, char *msg,
                      size_t msglen) {
        int64_t n;
        if (!json_object_is_type(v, json_type_int)) {
                snprintf(msg, msglen, "%s must be an integer", what);
                return -EINVAL;
        }
        n = json_object_get_int64(v);
        if (n < 0 || n > max || (json_object_get_uint64(v) > (uint64_t) INT64_MAX && n >= 0)) {
                snprintf(msg, msglen, "%s must be from 0 to %lld", what, (long long) max);
                return -EINVAL;
        }
        *ret = n;
        return 0;
}

static int parse_bool(json_object *v, const char *what, bool *ret, char *msg, size_t msglen) {
        if (!json_object_is_type(v, json_type_boolean)) {
                snprintf(msg, msglen, "%s must be true or false", what);
                return -EINVAL;
        }
        *ret = json_object_get_boolean(v);
        return 0;
}

static int parse_mac(json_object *v, NfvVfSettings *s, bool observed, char *msg, size_t msglen) {
        const char *t = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
        if (!t || mac_parse(t, &s->mac) < 0) {
                snprintf(msg, msglen, "mac must be a MAC address such as 02:00:00:00:00:01");
                return -EINVAL;
        }
        if (mac_is_multicast(&s->mac)) {
                snprintf(msg, msglen, "mac %s is a multicast address; a VF needs a unicast one", t);
                return -EINVAL;
        }
        if (mac_is_zero(&s->mac) && !observed) {
                snprintf(msg, msglen, "mac 00:00:00:00:00:00 is not an address (to give the VF "
                                      "its original MAC back, reset its settings)");
                return -EINVAL;
        }
        return 0;
}

static int parse_vlan(json_object *v, NfvVfSettings *s, bool observed _unused_, char *msg,
                     size_t msglen) {
        int64_t n;
        int r = parse_uint(v, VLAN_ID_MAX, "vlan", &n, msg, msglen);
        if (r == 0)
                s->vlan = (uint16_t) n;
        else if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) > VLAN_ID_MAX)
                snprintf(msg, msglen, "vlan must be from 0 (none) to 4094; 4095 is reserved");
        return r;
}

static int parse_qos(json_object *v, NfvVfSettings *s, bool observed _unused_, char *msg,
                     size_t msglen) {
        int64_t n;
        int r = parse_uint(v, VF_QOS_MAX, "qos (the 802.1p priority)", &n, msg, msglen);
        if (r == 0)
                s->qos = (uint8_t) n;
        return r;
}

static int parse_vlan_proto(json_object *v, NfvVfSettings *s, bool observed _unused_, char *msg,
                     size_t msglen) {
        const char *t = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
        for (size_t i = 0; i < ELEMENTSOF(vlan_protos); i++)
                if (streq(t, vlan_protos[i].name)) {
                        s->vlan_proto = vlan_protos[i].proto;
                        return 0;
                }
        snprintf(msg, msglen, "vlan_proto must be \"802.1Q\" or \"802.1ad\"");
        return -EINVAL;
}

static int parse_spoofchk(json_object *v, NfvVfSettings *s, bool observed _unused_, char *msg,
                     size_t msglen) {
        return parse_bool(v, "spoofchk", &s->spoofchk, msg, msglen);
}

static int parse_trust(json_object *v, NfvVfSettings *s, bool observed _unused_, char *msg,
                     size_t msglen) {
        return parse_bool(v, "trust", &s->trust, msg, msglen);
}

static int parse_link_state(json_object *v, NfvVfSettings *s, bool observed _unused_, char *msg,
                     size_t msglen) {
        const char *t = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
        for (size_t i = 0; i < ELEMENTSOF(link_states); i++)
                if (streq(t, link_states[i].name)) {
                        s->link_state = link_states[i].state;
                        return 0;
                }
        snprintf(msg, msglen, "link_state must be \"auto\", \"enable\" or \"disable\"");
        return -EINVAL;
}

static int parse_min_rate(json_object *v, NfvVfSettings *s, bool observed _unused_, char *msg,
                     size_t msglen) {
        int64_t n;
        int r = parse_uint(v, VF_RATE_MAX, "min_tx_rate (Mb/s)", &n, msg, msglen);
        if (r == 0)
                s->min_tx_rate = (uint32_t) n;
        return r;
}

static int parse_max_rate(json_object *v, NfvVfSettings *s, bool observed _unused_, char *msg,
                     size_t msglen) {
        int64_t n;
        int r = parse_uint(v, VF_RATE_MAX, "max_tx_rate (Mb/s)", &n, msg, msglen);
        if (r == 0)
                s->max_tx_rate = (uint32_t) n;
        return r;
}

static json_object *render_mac(const NfvVfSettings *s) {
        char buf[MAC_STRLEN];
        return json_object_new_string(mac_format(&s->mac, buf));
}
static json_object *render_vlan(const NfvVfSettings *s) {
        return json_object_new_int(s->vlan);
}
static json_object *render_qos(const NfvVfSettings *s) {
        return json_object_new_int(s->qos);
}
static json_object *render_vlan_proto(const NfvVfSettings *s) {
        return json_object_new_string(vf_vlan_proto_to_string(s->vlan_proto));
}
static json_object *render_spoofchk(const NfvVfSettings *s) {
        return json_object_new_boolean(s->spoofchk);
}
static json_object *render_trust(const NfvVfSettings *s) {
        return json_object_new_boolean(s->trust);
}
static json_object *render_link_state(const NfvVfSettings *s) {
        return json_object_new_string(vf_link_state_to_string(s->link_state));
}
static json_object *render_min_rate(const NfvVfSettings *s) {
        return json_object_new_int64(s->min_tx_rate);
}
static json_object *render_max_rate(const NfvVfSettings *s) {
        return json_object_new_int64(s->max_tx_rate);
}

#define FIELD(f) offsetof(NfvVfSettings, f), sizeof(((NfvVfSettings *) 0)->f)
static const KnobInfo knobs[_VF_KNOB_MAX] = {
        [VF_KNOB_MAC] = { "mac", parse_mac, render_mac, FIELD(mac) },
        [VF_KNOB_VLAN] = { "vlan", parse_vlan, render_vlan, FIELD(vlan) },
        [VF_KNOB_QOS] = { "qos", parse_qos, render_qos, FIELD(qos) },
        [VF_KNOB_VLAN_PROTO] = { "vlan_proto", parse_vlan_proto, render_vlan_proto, FIELD(vlan_proto) },
        [VF_KNOB_SPOOFCHK] = { "spoofchk", parse_spoofchk, render_spoofchk, FIELD(spoofchk) },
        [VF_KNOB_TRUST] = { "trust", parse_trust, render_trust, FIELD(trust) },
        [VF_KNOB_LINK_STATE] = { "link_state", parse_link_state, render_link_state, FIELD(link_state) },
        [VF_KNOB_MIN_TX_RATE] = { "min_tx_rate", parse_min_rate, render_min_rate, FIELD(min_tx_rate) },
        [VF_KNOB_MAX_TX_RATE] = { "max_tx_rate", parse_max_rate, render_max_rate, FIELD(max_tx_rate) },
};

const char *vf_knob_to_string(VfKnob k) {
        return (unsigned) k < _VF_KNOB_MAX ? knobs[k].name : "unknown";
}

int vf_knob_from_string(const char *s) {
        for (int k = 0; k < _VF_KNOB_MAX; k++)
                if (streq(knobs[k].name, s))
                        return k;
        return -EINVAL;
}

static int settings_from_json(json_object *o, bool observed, NfvVfSettings *ret,
                              const char **bad_field, char *msg, size_t msglen) {
        NfvVfSettings s = { 0 };

        if (!json_object_is_type(o, json_type_object)) {
                *bad_field = "settings";
                snprintf(msg, msglen, "settings must be a JSON object");
                return -EINVAL;
        }
        json_object_object_foreach(o, key, val) {
                int k = vf_knob_from_string(key);
                if (k < 0) {
                        *bad_field = key;
                        snprintf(msg, msglen, "unknown setting \"%.64s\" (known: mac, vlan, qos, "
                                              "vlan_proto, spoofchk, trust, link_state, "
                                              "min_tx_rate, max_tx_rate)",
                                 key);
                        return -EINVAL;
                }
                if (!val || knobs[k].parse(val, &s, observed, msg, msglen) < 0) {
                        *bad_field = knobs[k].name;
                        if (!val)
                                snprintf(msg, msglen, "%s must not be null", knobs[k].name);
                        return -EINVAL;
                }
                s.set |= VF_KNOB_BIT(k);
        }
        *ret = s;
        return 0;
}

int vf_settings_from_json(json_object *o, NfvVfSettings *ret, const char **bad_field, char *msg,
                          size_t msglen) {
        return settings_from_json(o, false, ret, bad_field, msg, msglen);
}

int vf_settings_from_json_observed(json_object *o, NfvVfSettings *ret, const char **bad_field,
                                   char *msg, size_t msglen) {
        return settings_from_json(o, true, ret, bad_field, msg, msglen);
}

json_object *vf_settings_to_json(const NfvVfSettings *s) {
        json_object *o = json_object_new_object();
        for (int k = 0; k < _VF_KNOB_MAX; k++)
                if (s->set & VF_KNOB_BIT(k))
                        json_object_object_add(o, knobs[k].name, knobs[k].render(s));
        return o;
}

void vf_settings_merge(NfvVfSettings *base, const NfvVfSettings *patch) {
        for (int k = 0; k < _VF_KNOB_MAX; k++)
                if (patch->set & VF_KNOB_BIT(k))
                        memcpy((char *) base + knobs[k].offset,
                               (const char *) patch + knobs[k].offset, knobs[k].size);
        base->set |= patch->set;
}

uint32_t vf_settings_diff(const NfvVfSettings *want, const NfvVfSettings *have) {
        uint32_t d = 0;
        for (int k = 0; k < _VF_KNOB_MAX; k++)
                if ((want->set & VF_KNOB_BIT(k)) &&
                    memcmp((const char *) want + knobs[k].offset,
                           (const char *) have + knobs[k].offset, knobs[k].size) != 0)
                        d |= VF_KNOB_BIT(k);
        return d;
}

int vf_settings_check(const NfvVfSettings *e, const char **bad_field, char *msg, size_t msglen) {
        if ((e->set & VF_KNOB_BIT(VF_KNOB_QOS)) && e->qos != 0 && e->vlan == 0) {
                *bad_field = "qos";
                snprintf(msg, msglen, "qos %u needs a VLAN (vlan is 0)", e->qos);
                return -EINVAL;
        }
        if ((e->set & VF_KNOB_BIT(VF_KNOB_VLAN_PROTO)) && e->vlan_proto == VF_VLAN_PROTO_8021AD &&
            e->vlan == 0) {
                *bad_field = "vlan_proto";
                snprintf(msg, msglen, "vlan_proto 802.1ad needs a VLAN (vlan is 0)");
                return -EINVAL;
        }
        if (e->min_tx_rate && e->max_tx_rate && e->min_tx_rate > e->max_tx_rate) {
                *bad_field = "min_tx_rate";
                snprintf(msg, msglen, "min_tx_rate %u exceeds max_tx_rate %u", e->min_tx_rate,
                         e->max_tx_rate);
                return -EINVAL;
        }
        return 0;
}
