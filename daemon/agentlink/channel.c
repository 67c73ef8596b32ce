/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "channel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent-frame.h"
#include "log.h"

#define READ_CHUNK (64u * 1024u)
#define READS_PER_WAKEUP 4   /* then yield to the other channels and the API */
#define OUTPUT_MAX (64u * 1024u)
#define RECONNECT_MIN_USEC (200ull * 1000)
#define RECONNECT_MAX_USEC (5ull * 1000 * 1000)
#define SYNC_TIMEOUT_USEC (5ull * 1000 * 1000)

struct AgentLink {
        sd_event *event;
        char *name, *path;
        AgentLinkCallbacks cb;
        void *userdata;
        AgentLinkState state;
        char reason[256];
        int fd;
        sd_event_source *io, *timer;
        uint64_t backoff_usec;
        uint64_t silence_usec, last_message_usec;
        bool asked_again; /* a sync went out because the agent fell silent */
        LineReader reader;
        char *out;
        size_t out_len;
        int64_t sync_id, next_id;
        /* Token bucket: AGENT_LINK_RATE tokens a second, as many at most. */
        double tokens;
        uint64_t tokens_usec;
        AgentLinkCounters counters;
        AgentMsg *msg; /* parse target: large, kept off the stack */
        bool in_callback_closed;
};

static const char *const state_names[_AGENT_LINK_STATE_MAX] = {
        [AGENT_LINK_DISCONNECTED] = "disconnected",
        [AGENT_LINK_SYNCING] = "syncing",
        [AGENT_LINK_READY] = "ready",
};

const char *agent_link_state_to_string(AgentLinkState s) {
        return s < _AGENT_LINK_STATE_MAX ? state_names[s] : "unknown";
}

AgentLinkState agent_link_state(const AgentLink *l) {
        return l->state;
}

const char *agent_link_reason(const AgentLink *l) {
        return l->state == AGENT_LINK_READY ? "" : l->reason;
}

const AgentLinkCounters *agent_link_counters(const AgentLink *l) {
        return &l->counters;
}

static uint64_t now_usec(AgentLink *l) {
        uint64_t t;
        sd_event_now(l->event, CLOCK_MONOTONIC, &t);
        return t;
}

static void set_state(AgentLink *l, AgentLinkState s, const char *reason) {
        if (reason)
                snprintf(l->reason, sizeof(l->reason), "%s", reason);
        if (l->state == s)
                return;
        l->state = s;
        l->cb.on_state(l, s, reason, l->userdata);
}

static void arm_timer(AgentLink *l, uint64_t after_usec) {
        sd_event_source_set_time(l->timer, now_usec(l) + after_usec);
        sd_event_source_set_enabled(l->timer, SD_EVENT_ONESHOT);
}

static void disconnect(AgentLink *l, const char *reason) {
        if (l->fd >= 0) {
                l->io = sd_event_source_disable_unref(l->io);
                close(l->fd);
                l->fd = -1;
                l->in_callback_closed = true;
        }
        l->out_len = 0;
        line_reader_reset(&l->reader);
        arm_timer(l, l->backoff_usec);
        l->backoff_usec = l->backoff_usec * 2 > RECONNECT_MAX_USEC ? RECONNECT_MAX_USEC
                                                                   : l->backoff_usec * 2;
        set_state(l, AGENT_LINK_DISCONNECTED, reason);
}

/* A hostile guest may produce rejections by the million: log a reason the
 * 1st, 10th, 100th... time, and count every one. */
static void reject(AgentLink *l, AgentReject r, const char *detail) {
        uint64_t n = ++l->counters.rejected[r];
        bool power_of_ten = true;
        for (uint64_t k = n; k > 1; k /= 10)
                if (k % 10) {
                        power_of_ten = false;
                        break;
                }
        if (power_of_ten)
                log_warning("agent %s: rejected %s (%llu so far)%s%s", l->name,
                            agent_reject_to_string(r), (unsigned long long) n, detail ? ": " : "",
                            detail ? detail : "");
}

static bool take_token(AgentLink *l) {
        uint64_t now = now_usec(l);
        l->tokens += (double) (now - l->tokens_usec) * AGENT_LINK_RATE / 1e6;
        if (l->tokens > AGENT_LINK_RATE)
                l->tokens = AGENT_LINK_RATE;
        l->tokens_usec = now;
        if (l->tokens < 1.0)
                return false;
        l->tokens -= 1.0;
        return true;
}

static int flush_output(AgentLink *l) {
        while (l->out_len > 0) {
                ssize_t k = send(l->fd, l->out, l->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (k < 0) {
                        if (errno == EAGAIN || errno == EINTR)
                                break;
                        return -errno;
                }
                memmove(l->out, l->out + k, l->out_len - (size_t) k);
                l->out_len -= (size_t) k;
        }
        return sd_event_source_set_io_events(l->io, EPOLLIN | (l->out_len ? EPOLLOUT : 0));
}

static int queue_msg(AgentLink *l, const AgentMsg *m, bool resync) {
        size_t len;
        _cleanup_free_ char *line = agent_msg_format(m, resync, &len);

        if (!line)
                return -ENOMEM;
        if (l->out_len + len > OUTPUT_MAX)
                return -ENOBUFS;
        memcpy(l->out + l->out_len, line, len);
        l->out_len += len;
        return flush_output(l);
}

static int send_sync(AgentLink *l) {
        AgentMsg m;
        uint64_t rnd = 0;

        /* A fresh random id each time: a hello answering an older sync (a
         * stale line in the pipe) cannot be taken for this one. */
        if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
                rnd = now_usec(l) ^ (uint64_t) getpid() << 32;
        agent_msg_init(&m, AGENT_MSG_SYNC);
        m.id = l->sync_id = (int64_t) (rnd & ((UINT64_C(1) << 53) - 1));
        m.protocol = AGENT_PROTOCOL_VERSION;
        arm_timer(l, SYNC_TIMEOUT_USEC);
        return queue_msg(l, &m, true);
}

static void handle_line(AgentLink *l, const char *line, size_t len) {
        AgentParseError err;

        if (!take_token(l)) {
                reject(l, AGENT_REJECT_RATE_LIMITED, NULL);
                return;
        }
        if (agent_msg_parse(line, len, AGENT_FROM_GUEST, l->msg, &err) < 0) {
                reject(l, err.reason, err.detail);
                return;
        }
        if (l->state == AGENT_LINK_SYNCING) {
                /* Until our sync is answered, everything is left over from
                 * before (or from another host end): discard it. */
                if (l->msg->type != AGENT_MSG_HELLO || l->msg->id != l->sync_id) {
                        l->counters.stale++;
                        return;
                }
                l->counters.connects++;
                l->backoff_usec = RECONNECT_MIN_USEC;
                sd_event_source_set_enabled(l->timer, SD_EVENT_OFF);
                log_info("agent %s: connected (nfvcap-agent %s, protocol %lld)", l->name,
                         l->msg->hello.agent, (long long) l->msg->hello.protocol);
                set_state(l, AGENT_LINK_READY, NULL);
                arm_timer(l, l->silence_usec);
        } else if (l->msg->type == AGENT_MSG_HELLO) {
                /* Only the answer to the latest sync: several syncs may wait
                 * in QEMU's buffer for an agent that restarts. */
                if (l->msg->id != l->sync_id) {
                        l->counters.stale++;
                        return;
                }
                if (l->asked_again)
                        log_info("agent %s: said hello again (nfvcap-agent %s)", l->name,
                                 l->msg->hello.agent);
                l->asked_again = false;
        }
        l->last_message_usec = now_usec(l);
        l->counters.accepted++;
        l->cb.on_message(l, l->msg, l->userdata);
}

static int on_line(void *userdata, LineEvent ev, const char *line, size_t len) {
        AgentLink *l = userdata;

        switch (ev) {
        case LINE_TOO_LONG:
                reject(l, AGENT_REJECT_LINE_TOO_LONG, NULL);
                break;
        case LINE_RESYNC:
                l->counters.resyncs++;
                break;
        case LINE_COMPLETE:
                handle_line(l, line, len);
                break;
        }
        /* A callback may have disconnected us: stop feeding a closed channel. */
        return l->in_callback_closed ? -ECONNRESET : 0;
}

static int on_io(sd_event_source *s _unused_, int fd, uint32_t revents, void *userdata) {
        AgentLink *l = userdata;
        char buf[READ_CHUNK];

        l->in_callback_closed = false;
        if (revents & EPOLLOUT && flush_output(l) < 0) {
                disconnect(l, "write failed");
                return 0;
        }
        if (!(revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                return 0;
        for (int i = 0; i < READS_PER_WAKEUP; i++) {
                ssize_t k = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
                if (k < 0 && (errno == EAGAIN || errno == EINTR))
                        return 0;
                if (k <= 0) {
                        disconnect(l, k == 0 ? "the channel was closed" : strerror(errno));
                        return 0;
                }
                l->counters.bytes += (uint64_t) k;
                if (line_reader_feed(&l->reader, buf, (size_t) k, on_line, l) < 0)
                        return 0;
        }
        return 0;
}

static void try_connect(AgentLink *l) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd, r;

        if (strlen(l->path) >= sizeof(sa.sun_path)) {
                log_error("agent %s: socket path %s is too long", l->name, l->path);
                return;
        }
        strcpy(sa.sun_path, l->path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
                disconnect(l, strerror(errno));
                return;
        }
        /* A unix socket connects at once or not at all (EAGAIN: the
         * listener's backlog is full, e.g. another client holds the port). */
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                char why[300];
                snprintf(why, sizeof(why), "cannot connect to %s: %s", l->path, strerror(errno));
                close(fd);
                log_debug("agent %s: %s", l->name, why);
                disconnect(l, why);
                return;
        }
        l->fd = fd;
        r = sd_event_add_io(l->event, &l->io, fd, EPOLLIN, on_io, l);
        if (r < 0) {
                disconnect(l, strerror(-r));
                return;
        }
        l->tokens = AGENT_LINK_RATE;
        l->tokens_usec = now_usec(l);
        l->asked_again = false;
        set_state(l, AGENT_LINK_SYNCING, NULL);
        if (send_sync(l) < 0)
                disconnect(l, "cannot send the sync");
}

static int on_timer(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        AgentLink *l = userdata;

        if (l->state == AGENT_LINK_DISCONNECTED)
                try_connect(l);
        else if (l->state == AGENT_LINK_SYNCING) {
                /* No hello yet: the agent may be starting, or its reader was
                 * mid-line. The resync byte in front of a new sync clears that. */
                log_debug("agent %s: no hello within %llu s, syncing again", l->name,
                          (unsigned long long) (SYNC_TIMEOUT_USEC / 1000000));
                if (send_sync(l) < 0)
                        disconnect(l, "the agent does not read its channel");
        } else if (l->state == AGENT_LINK_READY) {
                uint64_t quiet = now_usec(l) - l->last_message_usec;
                if (quiet < l->silence_usec) {
                        arm_timer(l, l->silence_usec - quiet);
                        return 0;
                }
                /* Silent: the agent may have restarted behind QEMU's socket
                 * and be waiting for a sync. Ask again (send_sync re-arms the
                 * timer), once per SYNC timeout while the silence lasts. */
                if (!l->asked_again)
                        log_info("agent %s: silent for %.1f s; asking it for a hello", l->name,
                                 (double) quiet / 1e6);
                l->asked_again = true;
                if (send_sync(l) < 0)
                        disconnect(l, "the agent does not read its channel");
        }
        return 0;
}

void agent_link_set_silence_limit(AgentLink *l, uint64_t usec) {
        l->silence_usec = usec;
}

int agent_link_new(sd_event *e, const char *name, const char *socket_path,
                   const AgentLinkCallbacks *cb, void *userdata, AgentLink **ret) {
        _cleanup_(agent_link_freep) AgentLink *l = calloc(1, sizeof(*l));
        int r;

        if (!l)
                return -ENOMEM;
        l->event = sd_event_ref(e);
        l->fd = -1;
        l->cb = *cb;
        l->userdata = userdata;
        l->backoff_usec = RECONNECT_MIN_USEC;
        l->silence_usec = AGENT_LINK_SILENCE_USEC;
        l->name = strdup(name);
        l->path = strdup(socket_path);
        l->out = malloc(OUTPUT_MAX);
        l->msg = malloc(sizeof(AgentMsg));
        if (!l->name || !l->path || !l->out || !l->msg)
                return -ENOMEM;
        r = line_reader_init(&l->reader, AGENT_LINE_MAX);
        if (r < 0)
                return r;
        r = sd_event_add_time(e, &l->timer, CLOCK_MONOTONIC, 0, 10 * 1000, on_timer, l);
        if (r < 0)
                return r;
        /* The first attempt happens from the loop, as every later one does. */
        r = sd_event_source_set_enabled(l->timer, SD_EVENT_ONESHOT);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

AgentLink *agent_link_free(AgentLink *l) {
        if (!l)
                return NULL;
        sd_event_source_disable_unref(l->io);
        sd_event_source_disable_unref(l->timer);
        if (l->fd >= 0)
                close(l->fd);
        line_reader_done(&l->reader);
        sd_event_unref(l->event);
        free(l->msg);
        free(l->out);
        free(l->name);
        free(l->path);
        free(l);
        return NULL;
}

int64_t agent_link_send(AgentLink *l, AgentMsg *m) {
        int r;

        if (l->state != AGENT_LINK_READY)
                return -ENOTCONN;
        m->id = ++l->next_id;
        r = queue_msg(l, m, false);
        if (r == -ENOBUFS)
                return r;
        if (r < 0) {
                disconnect(l, "write failed");
                return -ENOTCONN;
        }
        return m->id;
}
