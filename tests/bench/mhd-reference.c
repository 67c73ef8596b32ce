/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mhd-reference: the smallest libmicrohttpd server that answers every request
 * on a unix socket with a fixed JSON body read from a file. It drives MHD the
 * way nfvcapd does (MHD_USE_EPOLL, MHD_run() when MHD's epoll descriptor is
 * readable, on the main thread), with a bare epoll_wait() loop in place of
 * sd-event. `make bench` measures nfvcapd's GET /v1/pfs against it with the
 * same body, so the ratio shows what nfvcapd's own work costs: its event
 * loop, routing, logging and inventory.
 *
 *   mhd-reference SOCKET BODYFILE     (runs until killed)
 */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static char *body;
static size_t body_len;

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *data_size, void **ctx) {
        struct MHD_Response *r;
        enum MHD_Result ret;
        static int first_call;
        (void) cls, (void) url, (void) method, (void) version, (void) data;
        /* Answer only once the request is complete, as nfvcapd does: a reply
         * queued on the first call makes MHD close the connection. */
        if (!*ctx) {
                *ctx = &first_call;
                return MHD_YES;
        }
        if (*data_size) {
                *data_size = 0;
                return MHD_YES;
        }
        r = MHD_create_response_from_buffer(body_len, body, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
        ret = MHD_queue_response(c, 200, r);
        MHD_destroy_response(r);
        return ret;
}

int main(int argc, char **argv) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct MHD_Daemon *d;
        sigset_t set;
        FILE *f;
        struct epoll_event ev;
        int fd, sig = 0, sfd, ep, mhd_fd;

        if (argc != 3 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "usage: mhd-reference SOCKET BODYFILE\n");
                return 2;
        }
        f = fopen(argv[2], "r");
        if (!f)
                return 1;
        fseek(f, 0, SEEK_END);
        body_len = (size_t) ftell(f);
        rewind(f);
        body = malloc(body_len);
        if (fread(body, 1, body_len, f) != body_len)
                return 1;
        fclose(f);

        strcpy(sa.sun_path, argv[1]);
        unlink(sa.sun_path);
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, SOMAXCONN) < 0) {
                perror("mhd-reference");
                return 1;
        }
        d = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_TURBO, 0, NULL, NULL, answer, NULL,
                             MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_END);
        if (!d)
                return 1;
        /* Until SIGTERM: wait on MHD's epoll descriptor and on a signalfd. */
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        sigprocmask(SIG_BLOCK, &set, NULL);
        sfd = signalfd(-1, &set, SFD_CLOEXEC);
        ep = epoll_create1(EPOLL_CLOEXEC);
        mhd_fd = MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD)->epoll_fd;
        ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = mhd_fd };
        epoll_ctl(ep, EPOLL_CTL_ADD, mhd_fd, &ev);
        ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = sfd };
        epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
        for (;;) {
                MHD_UNSIGNED_LONG_LONG ms;
                int timeout = MHD_get_timeout(d, &ms) == MHD_YES ? (int) ms : -1;
                if (epoll_wait(ep, &ev, 1, timeout) == 1 && ev.data.fd == sfd)
                        break;
                MHD_run(d);
        }
        (void) sig;
        MHD_stop_daemon(d);
        unlink(sa.sun_path);
        return 0;
}
