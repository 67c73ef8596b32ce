/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sysutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PATH_BUF 512

static int vpath(char *buf, size_t n, const char *root, const char *fmt, va_list ap) {
        int k = snprintf(buf, n, "%s", root ? root : "");
        if (k < 0 || (size_t) k >= n)
                return -ENAMETOOLONG;
        int m = vsnprintf(buf + k, n - (size_t) k, fmt, ap);
        return m < 0 || (size_t) m >= n - (size_t) k ? -ENAMETOOLONG : 0;
}

#define WITH_PATH(p, root, fmt)                                                                    \
        char p[PATH_BUF];                                                                          \
        do {                                                                                       \
                va_list ap;                                                                        \
                va_start(ap, fmt);                                                                 \
                int _r = vpath(p, sizeof(p), root, fmt, ap);                                       \
                va_end(ap);                                                                        \
                if (_r < 0)                                                                        \
                        return _r;                                                                 \
        } while (0)

int root_path(char *buf, size_t n, const char *root, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = vpath(buf, n, root, fmt, ap);
        va_end(ap);
        return r;
}

static int read_line_path(const char *path, char *buf, size_t n) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t k;

        if (fd < 0)
                return negative_errno();
        k = read(fd, buf, n - 1);
        if (k < 0)
                return negative_errno();
        buf[k] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        return 0;
}

int read_line_at(const char *root, char *buf, size_t n, const char *fmt, ...) {
        WITH_PATH(p, root, fmt);
        return read_line_path(p, buf, n);
}

int read_int64_at(const char *root, int64_t *ret, const char *fmt, ...) {
        char buf[64], *end;
        long long v;
        int r;
        WITH_PATH(p, root, fmt);

        r = read_line_path(p, buf, sizeof(buf));
        if (r < 0)
                return r;
        errno = 0;
        v = strtoll(buf, &end, 0);
        if (errno || end == buf || *end)
                return -EINVAL;
        *ret = v;
        return 0;
}

int read_link_name_at(const char *root, char *buf, size_t n, const char *fmt, ...) {
        char target[PATH_BUF];
        const char *base;
        ssize_t k;
        WITH_PATH(p, root, fmt);

        k = readlink(p, target, sizeof(target) - 1);
        if (k < 0)
                return negative_errno();
        target[k] = '\0';
        base = strrchr(target, '/');
        return copy_name(buf, n, base ? base + 1 : target) ? 0 : -ENAMETOOLONG;
}

int write_text_at(const char *root, const char *text, const char *fmt, ...) {
        size_t len = strlen(text);
        ssize_t k;
        WITH_PATH(p, root, fmt);
        _cleanup_close_ int fd = open(p, O_WRONLY | O_CLOEXEC);

        if (fd < 0)
                return negative_errno();
        k = write(fd, text, len);
        if (k < 0)
                return negative_errno();
        return (size_t) k == len ? 0 : -EIO;
}

bool path_exists_at(const char *root, const char *fmt, ...) {
        char p[PATH_BUF];
        va_list ap;
        va_start(ap, fmt);
        int r = vpath(p, sizeof(p), root, fmt, ap);
        va_end(ap);
        return r == 0 && access(p, F_OK) == 0;
}

bool copy_name(char *dst, size_t size, const char *src) {
        size_t n = strlen(src);
        if (n >= size) {
                dst[0] = '\0';
                return false;
        }
        memcpy(dst, src, n + 1);
        return true;
}
