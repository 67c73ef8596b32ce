/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "server.h"

static int make_parent_dir(const char *path) {
        char buf[sizeof(((struct sockaddr_un *) 0)->sun_path)];
        char *dir;

        snprintf(buf, sizeof(buf), "%s", path);
        dir = dirname(buf);
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return log_error_errno(errno, "cannot create %s: %m", dir);
        return 0;
}

/* A socket file may be left over from a crash, or belong to a live daemon. */
static int check_stale(const struct sockaddr_un *sa) {
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct stat st;

        if (lstat(sa->sun_path, &st) < 0)
                return errno == ENOENT ? 0 : log_error_errno(errno, "%s: %m", sa->sun_path);
        if (!S_ISSOCK(st.st_mode))
                return log_error_errno(EEXIST, "%s exists and is not a socket; not touching it",
                                       sa->sun_path);
        if (fd >= 0 && connect(fd, (const struct sockaddr *) sa, sizeof(*sa)) == 0)
                return log_error_errno(EADDRINUSE,
                                       "another nfvcapd is already serving %s", sa->sun_path);
        if (unlink(sa->sun_path) < 0 && errno != ENOENT)
                return log_error_errno(errno, "cannot remove stale socket %s: %m", sa->sun_path);
        return 0;
}

int api_listen(const char *path, const char *group, int *ret_fd, bool *ret_created) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -1;
        struct group *g;
        mode_t old_umask;
        int n, r;

        n = sd_listen_fds(true);
        if (n < 0)
                return log_error_errno(n, "cannot read sockets passed by systemd: %m");
        if (n > 1)
                return log_error_errno(EINVAL, "systemd passed %d sockets; expected one", n);
        if (n == 1) {
                if (sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, 1, NULL, 0) <= 0)
                        return log_error_errno(EINVAL, "the socket systemd passed is not a "
                                                       "listening unix stream socket");
                log_info("using the API socket passed by systemd");
                *ret_fd = SD_LISTEN_FDS_START;
                *ret_created = false;
                return 0;
        }

        if (strlen(path) >= sizeof(sa.sun_path))
                return log_error_errno(ENAMETOOLONG, "socket path %s is longer than %zu bytes",
                                       path, sizeof(sa.sun_path) - 1);
        strcpy(sa.sun_path, path);

        r = make_parent_dir(path);
        if (r < 0)
                return r;
        r = check_stale(&sa);
        if (r < 0)
                return r;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return log_error_errno(errno, "socket: %m");
        /* Create the node as 0660 from the start: no window where others can connect. */
        old_umask = umask(0117);
        r = bind(fd, (struct sockaddr *) &sa, sizeof(sa));
        umask(old_umask);
        if (r < 0)
                return log_error_errno(errno, "cannot bind %s: %m", path);

        g = getgrnam(group);
        if (!g)
                log_warning("group %s does not exist: only root can use %s", group, path);
        else if (chown(path, (uid_t) -1, g->gr_gid) < 0)
                log_warning_errno(errno, "cannot give %s to group %s: %m", path, group);

        if (listen(fd, SOMAXCONN) < 0)
                return log_error_errno(errno, "listen on %s: %m", path);
        *ret_fd = TAKE_FD(fd);
        *ret_created = true;
        return 0;
}
