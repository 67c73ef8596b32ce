/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Strict parsers for the identifiers that cross the API: PCI addresses, MAC
 * addresses and VLAN ids. Each returns 0 on success or -EINVAL and never
 * accepts trailing garbage, signs, whitespace or out-of-range values.
 */

#include <stdbool.h>
#include <stdint.h>

/* "dddd:bb:dd.f" plus NUL; domains wider than 16 bits (VMD) need up to 8 digits. */
#define PCI_ADDR_STRLEN (8 + 1 + 2 + 1 + 2 + 1 + 1 + 1)

typedef struct PciAddr {
        uint32_t domain;
        uint8_t bus;
        uint8_t dev; /* 0..31 */
        uint8_t fn;  /* 0..7 */
} PciAddr;

/* Parse "DDDD:BB:DD.F" (hex, either case; the domain has 4 to 8 digits) or the
 * short "BB:DD.F" form meaning domain 0. */
int pci_addr_parse(const char *s, PciAddr *ret);
/* Canonical lower-case form, domain printed with at least 4 digits. Returns buf. */
char *pci_addr_format(const PciAddr *a, char buf[static PCI_ADDR_STRLEN]);
/* The 16-bit routing ID (bus << 8 | devfn) that SR-IOV offsets and strides add to. */
static inline uint16_t pci_addr_rid(const PciAddr *a) {
        return (uint16_t) (a->bus << 8 | a->dev << 3 | a->fn);
}
void pci_addr_from_rid(uint32_t domain, uint16_t rid, PciAddr *ret);
static inline bool pci_addr_equal(const PciAddr *a, const PciAddr *b) {
        return a->domain == b->domain && pci_addr_rid(a) == pci_addr_rid(b);
}

#define MAC_STRLEN 18
typedef struct MacAddr {
        uint8_t b[6];
} MacAddr;

/* Parse "xx:xx:xx:xx:xx:xx" (hex, either case, exactly two digits per octet). */
int mac_parse(const char *s, MacAddr *ret);
char *mac_format(const MacAddr *m, char buf[static MAC_STRLEN]);
static inline bool mac_is_multicast(const MacAddr *m) {
        return m->b[0] & 1;
}
bool mac_is_zero(const MacAddr *m);

/* VLAN ids 0..4094; 0 means "no VLAN" where the kernel API uses it that way,
 * 4095 is reserved by 802.1Q. Decimal only. */
#define VLAN_ID_MAX 4094
int vlan_parse(const char *s, uint16_t *ret);
static inline bool vlan_id_valid(long v) {
        return v >= 0 && v <= VLAN_ID_MAX;
}

/* A monitor's id (and a VM's name in a monitor line), which goes into URL
 * paths and metric labels as it is: [A-Za-z0-9_.-], 1 to MONITOR_ID_MAX - 1
 * characters. */
#define MONITOR_ID_MAX 64
bool monitor_id_valid(const char *s);
