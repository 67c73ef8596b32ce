/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "channel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "macros.h"

/* A second of statistics for many queues is a few KiB; this holds minutes of
 * messages when the host reads slowly, and bounds memory when it never does. */
#define OUTPUT_MAX (256u * 1024u)
#define REOPEN_USEC (250 * 1000)

struct Channel {
        sd_event *event;
        ChannelCallbacks cb;
        void *userdata;
        char *path;
        bool listen_mode;
        int listen_fd;
        int fd; /* the connection or the port; -1 when none */
        sd_event_source *listen_source, *io_source, *reopen_timer;
        LineReader reader;
        char *out;
        size_t out_len;
        unsigned long long dropped;
        bool warned_missing;
};

static void close_conn(Channel *c, bool reopen);

static int on_line(void *userdata, LineEvent ev, const char *line, size_t len) {
        Channel *c = userdata;
        c->cb.on_input(c->userdata, ev, line, len);
        /* The callback may have closed the connection (it never frees us). */
        return c->fd < 0 ? -ECONNRESET : 0;
}

static int flush_output(Channel *c) {
        while (c->out_len > 0) {
                ssize_t k = write(c->fd, c->out, c->out_len);
                if (k < 0) {
                        if (errno == EAGAIN || errno == EINTR)
                                break;
                        return -errno;
                }
                memmove(c->out, c->out + k, c->out_len - (size_t) k);
                c->out_len -= (size_t) k;
        }
        return sd_event_source_set_io_events(c->io_source,
                                             EPOLLIN | (c->out_len ? EPOLLOUT : 0));
}

static int on_io(sd_event_source *s _unused_, int fd, uint32_t revents, void *userdata) {
        Channel *c = userdata;
        char buf[16384];

        if (revents & EPOLLIN) {
                /* A bounded amount per wakeup; the loop comes back while data remains. */
                for (int i = 0; i < 16 && c->fd >= 0; i++) {
                        ssize_t k = read(fd, buf, sizeof(buf));
                        if (k < 0 && (errno == EAGAIN || errno == EINTR))
                                break;
                        if (k <= 0) {
                                log_debug("channel: host end closed (%s)",
                                          k < 0 ? strerror(errno) : "end of file");
                                close_conn(c, true);
                                return 0;
                        }
                        if (line_reader_feed(&c->reader, buf, (size_t) k, on_line, c) < 0)
                                return 0; /* closed from a callback */
                }
        }
        if (c->fd >= 0 && (revents & EPOLLOUT) && flush_output(c) < 0) {
                close_conn(c, true);
                return 0;
        }
        /* A virtio-serial port reports HUP while no host end is connected. */
        if (c->fd >= 0 && (revents & (EPOLLHUP | EPOLLERR)) && !(revents & EPOLLIN))
                close_conn(c, true);
        return 0;
}

static int attach(Channel *c, int fd) {
        int r;
        c->fd = fd;
        line_reader_reset(&c->reader);
        c->out_len = 0;
        r = sd_event_add_io(c->event, &c->io_source, fd, EPOLLIN, on_io, c);
        if (r < 0) {
                close(fd);
                c->fd = -1;
                return log_error_errno(r, "channel: cannot watch %s: %m", c->path);
        }
        c->cb.on_connect(c->userdata);
        return 0;
}

static int open_port(Channel *c);

static int on_reopen(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        return open_port(userdata);
}

static int schedule_reopen(Channel *c) {
        uint64_t now;
        sd_event_now(c->event, CLOCK_MONOTONIC, &now);
        if (!c->reopen_timer)
                return sd_event_add_time(c->event, &c->reopen_timer, CLOCK_MONOTONIC,
                                         now + REOPEN_USEC, 0, on_reopen, c);
        sd_event_source_set_time(c->reopen_timer, now + REOPEN_USEC);
        return sd_event_source_set_enabled(c->reopen_timer, SD_EVENT_ONESHOT);
}

static int open_port(Channel *c) {
        int fd = open(c->path, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) {
                /* Normal while the VM has no such port yet (or no host end);
                 * say so once, then keep trying quietly. */
                if (!c->warned_missing)
                        log_warning_errno(errno, "channel: cannot open %s: %m; retrying",
                                          c->path);
                c->warned_missing = true;
                return schedule_reopen(c);
        }
        c->warned_missing = false;
        return attach(c, fd);
}

static int on_accept(sd_event_source *s _unused_, int fd, uint32_t revents _unused_,
                     void *userdata) {
        Channel *c = userdata;
        int conn = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (conn < 0)
                return 0;
        /* One host at a time, as QEMU's server socket: further clients wait. */
        sd_event_source_set_enabled(c->listen_source, SD_EVENT_OFF);
        log_debug("channel: host connected on %s", c->path);
        return attach(c, conn);
}

static void close_conn(Channel *c, bool reopen) {
        if (c->fd < 0)
                return;
        c->io_source = sd_event_source_disable_unref(c->io_source);
        close(c->fd);
        c->fd = -1;
        c->out_len = 0;
        c->cb.on_disconnect(c->userdata);
        if (!reopen)
                return;
        if (c->listen_mode)
                sd_event_source_set_enabled(c->listen_source, SD_EVENT_ON);
        else
                schedule_reopen(c);
}

static int listen_on(Channel *c) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int r;

        if (strlen(c->path) >= sizeof(sa.sun_path))
                return log_error_errno(ENAMETOOLONG, "channel: %s is too long for a socket path",
                                       c->path);
        strcpy(sa.sun_path, c->path);
        c->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c->listen_fd < 0)
                return log_error_errno(errno, "channel: socket: %m");
        (void) unlink(c->path);
        if (bind(c->listen_fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 ||
            listen(c->listen_fd, 1) < 0)
                return log_error_errno(errno, "channel: cannot listen on %s: %m", c->path);
        r = sd_event_add_io(c->event, &c->listen_source, c->listen_fd, EPOLLIN, on_accept, c);
        if (r < 0)
                return log_error_errno(r, "channel: cannot watch %s: %m", c->path);
        log_info("channel: listening on %s", c->path);
        return 0;
}

int channel_new(sd_event *e, const char *spec, const ChannelCallbacks *cb, void *userdata,
                Channel **ret) {
        Channel *c = calloc(1, sizeof(*c));
        int r;

        if (!c)
                return -ENOMEM;
        c->event = sd_event_ref(e);
        c->cb = *cb;
        c->userdata = userdata;
        c->fd = c->listen_fd = -1;
        c->listen_mode = startswith(spec, "listen:");
        c->path = strdup(c->listen_mode ? spec + strlen("listen:") : spec);
        c->out = malloc(OUTPUT_MAX);
        r = line_reader_init(&c->reader, 0);
        if (!c->path || !c->out || r < 0) {
                channel_free(c);
                return -ENOMEM;
        }
        r = c->listen_mode ? listen_on(c) : open_port(c);
        if (r < 0) {
                channel_free(c);
                return r;
        }
        *ret = c;
        return 0;
}

Channel *channel_free(Channel *c) {
        if (!c)
                return NULL;
        sd_event_source_disable_unref(c->io_source);
        sd_event_source_disable_unref(c->listen_source);
        sd_event_source_disable_unref(c->reopen_timer);
        if (c->fd >= 0)
                close(c->fd);
        if (c->listen_fd >= 0) {
                close(c->listen_fd);
                (void) unlink(c->path);
        }
        line_reader_done(&c->reader);
        sd_event_unref(c->event);
        free(c->out);
        free(c->path);
        free(c);
        return NULL;
}

int channel_send(Channel *c, const char *data, size_t len) {
        if (c->fd < 0)
                return -ENOTCONN;
        if (c->out_len + len > OUTPUT_MAX) {
                c->dropped++;
                return -ENOBUFS;
        }
        memcpy(c->out + c->out_len, data, len);
        c->out_len += len;
        if (flush_output(c) < 0) {
                close_conn(c, true);
                return -ENOTCONN;
        }
        return 0;
}

unsigned long long channel_dropped(const Channel *c) {
        return c->dropped;
}
