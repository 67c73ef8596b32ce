/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "addr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Read exactly [min, max] hex digits from *p, stopping at the first non-hex. */
static int hex_field(const char **p, size_t min, size_t max, uint32_t *ret) {
        uint32_t v = 0;
        size_t n = 0;
        int d;

        while (n < max && (d = hexval((*p)[n])) >= 0) {
                v = v << 4 | (uint32_t) d;
                n++;
        }
        if (n < min || hexval((*p)[n]) >= 0)
                return -EINVAL;
        *p += n;
        *ret = v;
        return 0;
}

int pci_addr_parse(const char *s, PciAddr *ret) {
        uint32_t domain = 0, bus, dev, fn;
        const char *p = s;

        if (!s || strlen(s) >= PCI_ADDR_STRLEN)
                return -EINVAL;

        /* With a domain there are two colons before the dot. */
        if (strchr(s, ':') != strrchr(s, ':')) {
                if (hex_field(&p, 4, 8, &domain) < 0 || *p++ != ':')
                        return -EINVAL;
        }
        if (hex_field(&p, 2, 2, &bus) < 0 || *p++ != ':')
                return -EINVAL;
        if (hex_field(&p, 2, 2, &dev) < 0 || dev > 0x1f || *p++ != '.')
                return -EINVAL;
        if (hex_field(&p, 1, 1, &fn) < 0 || fn > 7 || *p != '\0')
                return -EINVAL;

        *ret = (PciAddr){ .domain = domain, .bus = (uint8_t) bus, .dev = (uint8_t) dev,
                          .fn = (uint8_t) fn };
        return 0;
}

char *pci_addr_format(const PciAddr *a, char buf[static PCI_ADDR_STRLEN]) {
        snprintf(buf, PCI_ADDR_STRLEN, "%04x:%02x:%02x.%x", a->domain, a->bus, a->dev, a->fn);
        return buf;
}

void pci_addr_from_rid(uint32_t domain, uint16_t rid, PciAddr *ret) {
        *ret = (PciAddr){ .domain = domain, .bus = rid >> 8, .dev = (rid >> 3) & 0x1f,
                          .fn = rid & 7 };
}

int mac_parse(const char *s, MacAddr *ret) {
        MacAddr m;

        if (!s || strlen(s) != MAC_STRLEN - 1)
                return -EINVAL;
        for (size_t i = 0; i < 6; i++) {
                int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);
                if (hi < 0 || lo < 0)
                        return -EINVAL;
                if (i < 5 && s[3 * i + 2] != ':')
                        return -EINVAL;
                m.b[i] = (uint8_t) (hi << 4 | lo);
        }
        *ret = m;
        return 0;
}

char *mac_format(const MacAddr *m, char buf[static MAC_STRLEN]) {
        snprintf(buf, MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", m->b[0], m->b[1], m->b[2],
                 m->b[3], m->b[4], m->b[5]);
        return buf;
}

bool mac_is_zero(const MacAddr *m) {
        static const MacAddr zero;
        return memcmp(m, &zero, sizeof(zero)) == 0;
}

int vlan_parse(const char *s, uint16_t *ret) {
        unsigned v = 0;

        if (!s || !*s || strlen(s) > 4)
                return -EINVAL;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned) (*p - '0');
        }
        if (v > VLAN_ID_MAX)
                return -EINVAL;
        *ret = (uint16_t) v;
        return 0;
}

bool monitor_id_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n >= MONITOR_ID_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                      (s[i] >= '0' && s[i] <= '9') || strchr("_.-", s[i])))
                        return false;
        return true;
}
