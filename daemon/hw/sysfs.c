/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sysfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct Sysfs {
        int root_fd;
        char *root;
};

int sysfs_open(const char *root, Sysfs **ret) {
        _cleanup_close_ int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        Sysfs *s;

        if (fd < 0)
                return negative_errno();
        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->root = strdup(root);
        if (!s->root) {
                free(s);
                return -ENOMEM;
        }
        s->root_fd = TAKE_FD(fd);
        *ret = s;
        return 0;
}

Sysfs *sysfs_free(Sysfs *s) {
        if (!s)
                return NULL;
        closep(&s->root_fd);
        free(s->root);
        free(s);
        return NULL;
}

const char *sysfs_root(const Sysfs *s) {
        return s->root;
}

int sysfs_root_fd(const Sysfs *s) {
        return s->root_fd;
}

int sysfs_read_line(Sysfs *s, const char *path, char **ret) {
        _cleanup_close_ int fd = openat(s->root_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        char buf[4096];
        ssize_t n;

        if (fd < 0)
                return negative_errno();
        n = read(fd, buf, sizeof(buf) - 1);
        if (n < 0)
                return negative_errno();
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

int sysfs_read_int(Sysfs *s, const char *path, long *ret) {
        _cleanup_free_ char *line = NULL;
        char *end;
        long v;
        int r = sysfs_read_line(s, path, &line);

        if (r < 0)
                return r;
        errno = 0;
        v = strtol(line, &end, 10);
        if (errno != 0 || end == line || *end != '\0')
                return -EINVAL;
        *ret = v;
        return 0;
}

int sysfs_read_link_name(Sysfs *s, const char *path, char **ret) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(s->root_fd, path, target, sizeof(target) - 1);
        const char *base;

        if (n < 0)
                return negative_errno();
        target[n] = '\0';
        base = strrchr(target, '/');
        *ret = strdup(base ? base + 1 : target);
        return *ret ? 0 : -ENOMEM;
}

bool sysfs_exists(Sysfs *s, const char *path) {
        return faccessat(s->root_fd, path, F_OK, 0) == 0;
}

int sysfs_write(Sysfs *s, const char *path, const char *value) {
        _cleanup_close_ int fd = openat(s->root_fd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        size_t len = strlen(value);
        ssize_t n;

        if (fd < 0)
                return negative_errno();
        /* sysfs attributes take the whole value in one write; a short write is an error. */
        n = write(fd, value, len);
        if (n < 0)
                return negative_errno();
        return (size_t) n == len ? 0 : -EIO;
}

char *sysfs_path(const char *fmt, ...) {
        char *p;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&p, fmt, ap);
        va_end(ap);
        return r < 0 ? NULL : p;
}
