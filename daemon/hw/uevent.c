/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "uevent.h"

#include <errno.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"

/* The kernel multicasts raw uevents to group 1; udev re-broadcasts its own to
 * group 2 only after processing, which a host without udev never does. */
#define UEVENT_GROUP_KERNEL 1

struct UeventWatch {
        struct nl_sock *sock;
        sd_event_source *source;
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
        _cleanup_(uevent_watch_freep) UeventWatch *w = calloc(1, sizeof(*w));
        int r;

        if (!w)
                return -ENOMEM;
        w->handler = handler;
        w->userdata = userdata;
        w->sock = nl_socket_alloc();
        if (!w->sock)
                return -ENOMEM;
        nl_socket_disable_seq_check(w->sock);
        r = nl_connect(w->sock, NETLINK_KOBJECT_UEVENT);
        if (r >= 0)
                r = nl_socket_add_membership(w->sock, UEVENT_GROUP_KERNEL);
        if (r < 0)
                return log_warning_errno(EPERM, "uevent: cannot listen: %s", nl_geterror(r));
        r = nl_socket_set_nonblocking(w->sock);
        if (r < 0)
                return -EIO;
        r = sd_event_add_io(e, &w->source, nl_socket_get_fd(w->sock), EPOLLIN, on_uevent, w);
        if (r < 0)
                return r;
        r = sd_event_source_set_priority(w->source, priority);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(w);
        return 0;
}

UeventWatch *uevent_watch_free(UeventWatch *w) {
        if (!w)
                return NULL;
        sd_event_source_disable_unref(w->source);
        if (w->sock)
                nl_socket_free(w->sock);
        free(w);
        return NULL;
}
