/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "uevent.h"

#include <errno.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "nlwatch.h"

/* The kernel multicasts raw uevents to group 1; udev re-broadcasts its own to
 * group 2 only after processing, which a host without udev never does. */
#define UEVENT_GROUP_KERNEL 1

struct UeventWatch {
        NlWatch nl;
        uevent_handler_t handler;
        void *userdata;
};

int uevent_parse(const char *buf, size_t len, const char **action, const char **subsystem) {
        const char *a = NULL, *s = NULL;

        for (size_t pos = 0; pos < len;) {
                const char *field = buf + pos;
                size_t n = strnlen(field, len - pos);
                if (n == len - pos)
                        break; /* unterminated last field: ignore it */
                if (strncmp(field, "ACTION=", 7) == 0)
                        a = field + 7;
                else if (strncmp(field, "SUBSYSTEM=", 10) == 0)
                        s = field + 10;
                pos += n + 1;
        }
        if (!a || !s)
                return -EBADMSG;
        *action = a;
        *subsystem = s;
        return 0;
}

static int on_uevent(sd_event_source *src _unused_, int fd, uint32_t revents _unused_,
                     void *userdata) {
        UeventWatch *w = userdata;
        char buf[8192];

        for (;;) {
                const char *action, *subsystem;
                ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EAGAIN || errno == EINTR)
                                return 0;
                        /* ENOBUFS: events were lost; treat as "something changed". */
                        if (errno == ENOBUFS) {
                                w->handler("*", "overflow", w->userdata);
                                continue;
                        }
                        return log_warning_errno(errno, "uevent: receive failed: %m");
                }
                if (uevent_parse(buf, (size_t) n, &action, &subsystem) < 0)
                        continue; /* libudev-format or garbage: not from the kernel group */
                if (streq(subsystem, "pci") || streq(subsystem, "net"))
                        w->handler(subsystem, action, w->userdata);
        }
}

int uevent_watch_new(sd_event *e, int64_t priority, uevent_handler_t handler, void *userdata,
                     UeventWatch **ret) {
        UeventWatch *w = calloc(1, sizeof(*w));
        int r;

        if (!w)
                return -ENOMEM;
        w->handler = handler;
        w->userdata = userdata;
        r = nl_watch_open(&w->nl, e, NETLINK_KOBJECT_UEVENT, UEVENT_GROUP_KERNEL, priority,
                          on_uevent, w);
        if (r < 0) {
                free(w);
                return r;
        }
        *ret = w;
        return 0;
}

UeventWatch *uevent_watch_free(UeventWatch *w) {
        if (!w)
                return NULL;
        nl_watch_close(&w->nl);
        free(w);
        return NULL;
}
