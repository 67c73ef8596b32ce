/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "server.h"

#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "api.h"
#include "log.h"

typedef struct HttpStream HttpStream;

struct ApiServer {
        Manager *manager;
        struct MHD_Daemon *mhd;
        sd_event_source *io_source;
        sd_event_source *timer_source;
        HttpStream *streams; /* open streamed replies (event streams) */
        sd_event_source *resume_source; /* runs MHD after a stream was resumed */
};

/* Per-request state, from the first call of the access handler to MHD's
 * "request completed" notification. */
typedef struct HttpRequest {
        ApiRequest api;
        char *body;
        size_t body_len;
        bool too_large;    /* body beyond the limit: discard the rest, then 413 */
        size_t discarded;
        bool answered;
        uint64_t start_usec;
} HttpRequest;

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* The client's credentials belong to the connection, not to each request:
 * read them once with SO_PEERCRED when the connection is accepted. */
typedef struct Peer {
        struct ucred cred;
        bool known;
} Peer;

static void on_connection(void *cls _unused_, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe) {
        if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
                const union MHD_ConnectionInfo *ci =
                        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
                Peer *p = calloc(1, sizeof(*p));
                socklen_t len = sizeof(p->cred);
                if (!p)
                        return;
                p->cred = (struct ucred){ .pid = 0, .uid = (uid_t) -1, .gid = (gid_t) -1 };
                p->known = ci && getsockopt(ci->connect_fd, SOL_SOCKET, SO_PEERCRED, &p->cred,
                                            &len) == 0;
                *socket_context = p;
        } else {
                free(*socket_context);
                *socket_context = NULL;
        }
}

static void peer_credentials(struct MHD_Connection *conn, HttpRequest *h) {
        const union MHD_ConnectionInfo *ci =
                MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        const Peer *p = ci ? ci->socket_context : NULL;

        h->api.peer = p ? p->cred : (struct ucred){ .pid = 0, .uid = (uid_t) -1, .gid = (gid_t) -1 };
        h->api.peer_known = p && p->known;
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, HttpRequest *h, ApiReply *reply) {
        const char *text = reply->text ? reply->text
                                       : json_object_to_json_string_ext(
                                                 reply->doc, JSON_C_TO_STRING_PLAIN |
                                                                     JSON_C_TO_STRING_NOSLASHESCAPE);
        struct MHD_Response *resp;
        enum MHD_Result ret;
        size_t len = strlen(text);
        char *copy = malloc(len + 1);

        if (!copy)
                return MHD_NO;
        /* A trailing newline makes `curl` output readable; JSON parsers ignore it. */
        memcpy(copy, text, len);
        copy[len] = '\n';
        resp = MHD_create_response_from_buffer(len + 1, copy, MHD_RESPMEM_MUST_FREE);
        if (!resp) {
                free(copy);
                return MHD_NO;
        }
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                reply->content_type ? reply->content_type : "application/json");
        if (reply->allow[0])
                MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, reply->allow);
        ret = MHD_queue_response(conn, reply->status, resp);
        MHD_destroy_response(resp);
        h->answered = true;

        /* Who asked what: every request is logged with the peer's credentials. */
        log_full_errno(reply->status >= 500 ? LOG_WARNING : LOG_INFO, 0,
                       "%s %s -> %u (uid=%d pid=%d, %.2f ms)", h->api.method, h->api.path,
                       reply->status, h->api.peer_known ? (int) h->api.peer.uid : -1,
                       h->api.peer_known ? (int) h->api.peer.pid : -1,
                       (double) (now_usec() - h->start_usec) / 1000.0);
        return ret;
}

static enum MHD_Result reply_too_large(ApiServer *s, struct MHD_Connection *conn,
                                       HttpRequest *h) {
        ApiReply reply = { 0 };
        enum MHD_Result r;

        api_error(&reply, NFV_ERR_PAYLOAD_TOO_LARGE, NULL,
                  "request body larger than %" PRIu64 " bytes",
                  s->manager->config->max_body_bytes);
        r = send_reply(conn, h, &reply);
        json_object_put(reply.doc);
        return r;
}

/*
 * Streamed replies (GET /v1/events). MHD asks the stream for bytes whenever it
 * can send; when the stream has none, the connection is suspended (so MHD does
 * not spin on it) until the producer calls api_stream_wake(), which resumes it.
 * MHD processes a resumed connection only when it next runs, which a defer
 * source (resume_source) makes happen in the loop's next iteration.
 */
struct HttpStream {
        ApiServer *server;
        struct MHD_Connection *conn;
        ApiStream *stream;
        bool suspended;
        HttpStream *next;
};

static ssize_t stream_read(void *cls, uint64_t pos _unused_, char *buf, size_t max) {
        HttpStream *hs = cls;
        ssize_t n = hs->stream->read(hs->stream, buf, max);

        if (n > 0)
                return n;
        if (n < 0)
                return MHD_CONTENT_READER_END_OF_STREAM;
        hs->suspended = true;
        MHD_suspend_connection(hs->conn);
        return 0;
}

static void stream_wake(void *data) {
        HttpStream *hs = data;
        if (!hs->suspended)
                return;
        hs->suspended = false;
        MHD_resume_connection(hs->conn);
        /* In external polling mode MHD must be run after a resume: do it from
         * the loop's next iteration (a wake may come from inside a callback). */
        sd_event_source_set_enabled(hs->server->resume_source, SD_EVENT_ONESHOT);
}

static void stream_done(void *cls) {
        HttpStream *hs = cls;
        for (HttpStream **p = &hs->server->streams; *p; p = &(*p)->next)
                if (*p == hs) {
                        *p = hs->next;
                        break;
                }
        hs->stream->free(hs->stream);
        free(hs);
}

static enum MHD_Result send_stream(ApiServer *s, struct MHD_Connection *conn, HttpRequest *h,
                                   ApiReply *reply) {
        HttpStream *hs = calloc(1, sizeof(*hs));
        struct MHD_Response *resp;
        enum MHD_Result ret;

        if (!hs) {
                reply->stream->free(reply->stream);
                return MHD_NO;
        }
        *hs = (HttpStream){ .server = s, .conn = conn, .stream = reply->stream };
        resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, stream_read, hs,
                                                 stream_done);
        if (!resp) {
                stream_done(hs);
                return MHD_NO;
        }
        hs->next = s->streams;
        s->streams = hs;
        hs->stream->wake = stream_wake;
        hs->stream->wake_data = hs;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                reply->content_type ? reply->content_type : "application/json");
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
        ret = MHD_queue_response(conn, 200, resp);
        MHD_destroy_response(resp);
        h->answered = true;
        log_info("%s %s -> 200 stream (uid=%d pid=%d)", h->api.method, h->api.path,
                 h->api.peer_known ? (int) h->api.peer.uid : -1,
                 h->api.peer_known ? (int) h->api.peer.pid : -1);
        return ret;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version _unused_,
                                 const char *upload_data, size_t *upload_data_size,
                                 void **con_cls) {
        ApiServer *s = cls;
        HttpRequest *h = *con_cls;
        uint64_t limit = s->manager->config->max_body_bytes;

        if (!h) {
                const char *cl;
                h = calloc(1, sizeof(*h));
                if (!h)
                        return MHD_NO;
                *con_cls = h;
                h->start_usec = now_usec();
                h->api.manager = s->manager;
                h->api.method = method;
                h->api.path = url;
                h->api.conn = conn;
                h->api.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                                  MHD_HTTP_HEADER_CONTENT_TYPE);
                peer_credentials(conn, h);
                /* Refuse an announced oversized body before reading any of it. */
                cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
                if (cl && strtoull(cl, NULL, 10) > limit)
                        return reply_too_large(s, conn, h);
                return MHD_YES;
        }

        if (h->answered) {
                /* Replied already (413 on an announced length): ignore the rest. */
                *upload_data_size = 0;
                return MHD_YES;
        }

        if (*upload_data_size > 0) {
                size_t n = *upload_data_size;
                *upload_data_size = 0;
                if (h->too_large || h->body_len + n > limit) {
                        /* libmicrohttpd accepts a reply only once the body is read, so
                         * a body with no announced length is drained without being
                         * stored. A client that keeps sending far past the limit is
                         * cut off instead. */
                        h->too_large = true;
                        h->discarded += n;
                        return h->discarded > 16 * limit ? MHD_NO : MHD_YES;
                }
                char *nb = realloc(h->body, h->body_len + n + 1);
                if (!nb)
                        return MHD_NO;
                memcpy(nb + h->body_len, upload_data, n);
                h->body = nb;
                h->body_len += n;
                h->body[h->body_len] = '\0';
                return MHD_YES;
        }

        /* The whole request is here. */
        ApiReply reply = { 0 };
        enum MHD_Result r;

        if (h->too_large)
                return reply_too_large(s, conn, h);
        h->api.body = h->body;
        h->api.body_len = h->body_len;
        api_route(&h->api, &reply);
        if (reply.stream)
                return send_stream(s, conn, h, &reply);
        if (!reply.doc && !reply.text)
                api_error(&reply, NFV_ERR_INTERNAL, NULL, "handler produced no reply");
        r = send_reply(conn, h, &reply);
        json_object_put(reply.doc);
        free(reply.owned_text);
        return r;
}

const char *api_query(const ApiRequest *req, const char *key) {
        return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

static void on_completed(void *cls _unused_, struct MHD_Connection *conn _unused_, void **con_cls,
                         enum MHD_RequestTerminationCode toe _unused_) {
        HttpRequest *h = *con_cls;
        if (!h)
                return;
        api_request_done(&h->api);
        free(h->body);
        free(h);
        *con_cls = NULL;
}

static int hex_digit(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        c = (char) (c | 0x20);
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decoding of the URL, in place. The default decoder turns "%00" into
 * a NUL that would silently cut the path short ("/v1/pfs/X%00junk" reaching
 * PF X); here "%00" and malformed escapes stay as they are, so they fail
 * validation like any other bad character. */
static size_t unescape_url(void *cls _unused_, struct MHD_Connection *c _unused_, char *s) {
        char *w = s;
        for (const char *r = s; *r; r++) {
                int hi, lo;
                if (r[0] == '%' && (hi = hex_digit(r[1])) >= 0 && (lo = hex_digit(r[2])) >= 0 &&
                    (hi | lo) != 0) {
                        *w++ = (char) (hi << 4 | lo);
                        r += 2;
                } else
                        *w++ = *r;
        }
        *w = '\0';
        return (size_t) (w - s);
}

static void on_mhd_log(void *cls _unused_, const char *fmt, va_list ap) {
        char buf[512];
        vsnprintf(buf, sizeof(buf), fmt, ap);
        buf[strcspn(buf, "\n")] = '\0';
        log_debug("libmicrohttpd: %s", buf);
}

/* MHD has deadlines besides socket activity: "run again at once" (0 ms, more
 * work buffered) and connection timeouts (seconds). The first is handled by
 * running again here; the second arms a coarse timer, so that a busy loop
 * does not re-arm a timerfd for every request. */
static int run_mhd(ApiServer *s) {
        MHD_UNSIGNED_LONG_LONG ms = 0;
        uint64_t now;

        for (unsigned i = 0; i < 8 && ms == 0; i++) {
                if (MHD_run(s->mhd) != MHD_YES)
                        log_warning("libmicrohttpd: MHD_run failed");
                if (MHD_get_timeout(s->mhd, &ms) != MHD_YES)
                        return sd_event_source_set_enabled(s->timer_source, SD_EVENT_OFF);
        }
        sd_event_now(s->manager->event, CLOCK_MONOTONIC, &now);
        sd_event_source_set_time(s->timer_source, now + ms * 1000);
        return sd_event_source_set_enabled(s->timer_source, SD_EVENT_ONESHOT);
}

static int on_io(sd_event_source *src _unused_, int fd _unused_, uint32_t revents _unused_,
                 void *userdata) {
        return run_mhd(userdata);
}

static int on_timer(sd_event_source *src _unused_, uint64_t usec _unused_, void *userdata) {
        return run_mhd(userdata);
}

static int on_resume(sd_event_source *src _unused_, void *userdata) {
        return run_mhd(userdata);
}

int api_server_new(Manager *m, int listen_fd, ApiServer **ret) {
        ApiServer *s = calloc(1, sizeof(*s));
        const union MHD_DaemonInfo *info;
        int r;

        if (!s) {
                close(listen_fd);
                return -ENOMEM;
        }
        s->manager = m;
        /* No MHD threads: MHD_run() is called from our loop when its epoll
         * descriptor is readable, so handlers run on the daemon's one thread. */
        s->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_TURBO |
                                          MHD_ALLOW_SUSPEND_RESUME,
                                  0, NULL, NULL,
                                  on_access, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
                                  MHD_OPTION_LISTEN_SOCKET, listen_fd,
                                  MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                                  MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
                                  MHD_OPTION_UNESCAPE_CALLBACK, unescape_url, s,
                                  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) 60,
                                  MHD_OPTION_CONNECTION_LIMIT, (unsigned) 256, MHD_OPTION_END);
        if (!s->mhd) {
                close(listen_fd);
                free(s);
                return log_error_errno(EIO, "cannot start the HTTP server");
        }
        info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_EPOLL_FD);
        if (!info) {
                api_server_free(s);
                return log_error_errno(EIO, "libmicrohttpd has no epoll support");
        }
        r = sd_event_add_io(m->event, &s->io_source, info->epoll_fd, EPOLLIN, on_io, s);
        if (r >= 0)
                r = sd_event_add_time(m->event, &s->timer_source, CLOCK_MONOTONIC, UINT64_MAX, 0,
                                      on_timer, s);
        if (r >= 0)
                r = sd_event_add_defer(m->event, &s->resume_source, on_resume, s);
        if (r >= 0)
                r = sd_event_source_set_enabled(s->resume_source, SD_EVENT_OFF);
        if (r >= 0)
                r = sd_event_source_set_priority(s->io_source, PRIORITY_API);
        /* Connection timeouts are in seconds; a quarter second of slack lets
         * sd-event keep the timerfd armed across many requests. */
        if (r >= 0)
                r = sd_event_source_set_time_accuracy(s->timer_source, 250 * 1000);
        if (r < 0) {
                api_server_free(s);
                return log_error_errno(r, "cannot add the HTTP server to the event loop: %m");
        }
        *ret = s;
        return 0;
}

ApiServer *api_server_free(ApiServer *s) {
        if (!s)
                return NULL;
        sd_event_source_disable_unref(s->io_source);
        sd_event_source_disable_unref(s->timer_source);
        /* MHD must not be stopped with suspended connections: resume them;
         * stopping then closes them and frees their streams. */
        for (HttpStream *hs = s->streams; hs; hs = hs->next)
                stream_wake(hs);
        if (s->mhd) {
                /* MHD closes the listening socket it was given when it stops. */
                MHD_stop_daemon(s->mhd);
        }
        sd_event_source_disable_unref(s->resume_source);
        free(s);
        return NULL;
}
