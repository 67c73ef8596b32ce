/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* nfvcap-agent's settings, from its command line; read-only after start. */

#include <stdbool.h>
#include <stdint.h>

#define AGENT_DEFAULT_CHANNEL "/dev/virtio-ports/org.nfvcap.agent.0"
#define AGENT_DEFAULT_OUTPUT_DIR "/var/lib/nfvcap-agent"
/* EAL runs once per process: these arguments hold for every DPDK capture. */
#define AGENT_DEFAULT_DPDK_EAL "--in-memory --no-telemetry --log-level=warning"

typedef struct AgentOptions {
        const char *channel;    /* a virtio-serial port, or "listen:PATH" */
        const char *root;       /* prefix of /sys, /proc and /dev paths; "" on a real guest */
        const char *output_dir; /* where pcap outputs are written */
        const char *dpdk_eal;   /* EAL arguments, split at spaces */
        bool allow_vdev;        /* may the host name DPDK virtual devices (tests) */
        const char *hpcapvf_module; /* path of hpcapvf.ko; NULL: look it up by name */
        int64_t hpcapvf_pages;  /* HPCAP's Pages= (kernel buffer pages per interface) */
        bool hpcapvf_dup;       /* HPCAP's Dup=1: remove switching duplicates */
        int64_t hpcapvf_core;   /* HPCAP's Core=: first core of the receive threads */
        int64_t interval_ms;    /* statistics interval until the host sets one */
} AgentOptions;
