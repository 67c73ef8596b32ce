/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sriov.h"

#include <errno.h>

#include "macros.h"

/* Config space is little-endian. */
static uint16_t le16(const uint8_t *p) {
        return (uint16_t) (p[0] | p[1] << 8);
}
static uint32_t le32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 |
               (uint32_t) p[3] << 24;
}

/* Offsets inside the SR-IOV capability. */
enum {
        SRIOV_CTRL = 0x08,
        SRIOV_INITIAL_VF = 0x0c,
        SRIOV_TOTAL_VF = 0x0e,
        SRIOV_NUM_VF = 0x10,
        SRIOV_VF_OFFSET = 0x14,
        SRIOV_VF_STRIDE = 0x16,
        SRIOV_VF_DID = 0x1a,
};
#define SRIOV_CTRL_VFE 0x0001

int sriov_cap_parse(const uint8_t *cfg, size_t len, NfvSriovCap *ret) {
        size_t pos = PCI_CFG_SPACE_SIZE;

        if (len < PCI_CFG_SPACE_SIZE + 4)
                return -ENODATA;

        /* Each header is dword aligned and at least 0x100; a well-formed list has
         * fewer entries than dwords in the extended space, which bounds the walk. */
        for (unsigned hops = 0; hops < (PCI_CFG_SPACE_EXP_SIZE - PCI_CFG_SPACE_SIZE) / 4; hops++) {
                uint32_t hdr = le32(cfg + pos);
                uint16_t id = hdr & 0xffff;
                size_t next = hdr >> 20;

                /* All zeroes (no extended capabilities) or all ones (not readable). */
                if (hdr == 0 || hdr == 0xffffffff)
                        return -ENOENT;
                if (id == PCI_EXT_CAP_ID_SRIOV_) {
                        const uint8_t *c = cfg + pos;
                        if (pos + SRIOV_CAP_LEN > len)
                                return pos + SRIOV_CAP_LEN > PCI_CFG_SPACE_EXP_SIZE ? -EBADMSG
                                                                                    : -ENODATA;
                        *ret = (NfvSriovCap){
                                .initial_vfs = le16(c + SRIOV_INITIAL_VF),
                                .total_vfs = le16(c + SRIOV_TOTAL_VF),
                                .num_vfs = le16(c + SRIOV_NUM_VF),
                                .vf_offset = le16(c + SRIOV_VF_OFFSET),
                                .vf_stride = le16(c + SRIOV_VF_STRIDE),
                                .vf_device_id = le16(c + SRIOV_VF_DID),
                                .vf_enable = le16(c + SRIOV_CTRL) & SRIOV_CTRL_VFE,
                        };
                        return (int) pos;
                }
                if (next == 0)
                        return -ENOENT;
                if (next < PCI_CFG_SPACE_SIZE || next % 4 != 0 ||
                    next + 4 > PCI_CFG_SPACE_EXP_SIZE)
                        return -EBADMSG;
                if (next + 4 > len)
                        return -ENODATA;
                pos = next;
        }
        return -EBADMSG;
}

int sriov_vf_address(const PciAddr *pf, const NfvSriovCap *cap, unsigned n, PciAddr *ret) {
        uint32_t rid = (uint32_t) pci_addr_rid(pf) + cap->vf_offset + (uint32_t) n * cap->vf_stride;

        if (rid > 0xffff)
                return -ERANGE;
        pci_addr_from_rid(pf->domain, (uint16_t) rid, ret);
        return 0;
}
