/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nlwatch.h"

#include <errno.h>
#include <netlink/socket.h>

#include "log.h"

int nl_watch_open(NlWatch *w, sd_event *e, int protocol, unsigned group, int64_t priority,
                  sd_event_io_handler_t handler, void *userdata) {
        int r;

        *w = (NlWatch){ .sock = nl_socket_alloc() };
        if (!w->sock)
                return -ENOMEM;
        /* Multicast messages carry no sequence numbers of ours. */
        nl_socket_disable_seq_check(w->sock);
        r = nl_connect(w->sock, protocol);
        if (r >= 0)
                r = nl_socket_add_membership(w->sock, (int) group);
        if (r >= 0)
                r = nl_socket_set_nonblocking(w->sock);
        if (r < 0) {
                log_warning("netlink protocol %d group %u: %s", protocol, group, nl_geterror(r));
                nl_watch_close(w);
                return -EPERM;
        }
        r = sd_event_add_io(e, &w->source, nl_socket_get_fd(w->sock), EPOLLIN, handler, userdata);
        if (r >= 0)
                r = sd_event_source_set_priority(w->source, priority);
        if (r < 0)
                nl_watch_close(w);
        return r;
}

void nl_watch_close(NlWatch *w) {
        w->source = sd_event_source_disable_unref(w->source);
        if (w->sock)
                nl_socket_free(w->sock);
        w->sock = NULL;
}
