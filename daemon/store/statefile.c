/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macros.h"

#define TMP_NAME ".state.json.tmp"
#define MAX_STATE_SIZE (16u << 20)

int statefile_read(const char *dir, json_object **ret, char *err, size_t errlen) {
        _cleanup_free_ char *path = NULL, *buf = NULL;
        _cleanup_close_ int fd = -1;
        struct json_tokener *tok;
        json_object *o;
        struct stat st;
        size_t off = 0;

        if (asprintf(&path, "%s/%s", dir, STATEFILE_NAME) < 0)
                return -ENOMEM;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if ((size_t) st.st_size > MAX_STATE_SIZE) {
                snprintf(err, errlen, "%s is %lld bytes, more than a state file can be", path,
                         (long long) st.st_size);
                return -EBADMSG;
        }
        buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        while (off < (size_t) st.st_size) {
                ssize_t n = read(fd, buf + off, (size_t) st.st_size - off);
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        break;
                off += (size_t) n;
        }
        buf[off] = '\0';

        tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        o = json_tokener_parse_ex(tok, buf, (int) off);
        {
                enum json_tokener_error jerr = json_tokener_get_error(tok);
                size_t end = json_tokener_get_parse_end(tok);
                json_tokener_free(tok);
                if (!o || jerr != json_tokener_success) {
                        snprintf(err, errlen, "%s is not valid JSON (%s at byte %zu)", path,
                                 jerr == json_tokener_continue ? "unexpected end of file"
                                                               : json_tokener_error_desc(jerr),
                                 end);
                        json_object_put(o);
                        return -EBADMSG;
                }
                /* Anything but white space after the document is damage too. */
                if (strspn(buf + end, " \t\r\n") != off - end) {
                        snprintf(err, errlen, "%s has trailing data at byte %zu", path, end);
                        json_object_put(o);
                        return -EBADMSG;
                }
        }
        if (!json_object_is_type(o, json_type_object)) {
                snprintf(err, errlen, "%s does not hold a JSON object", path);
                json_object_put(o);
                return -EBADMSG;
        }
        *ret = o;
        return 0;
}

int statefile_write(const char *dir, json_object *doc) {
        _cleanup_close_ int dfd = -1, fd = -1;
        const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
                                                                       JSON_C_TO_STRING_SPACED |
                                                                       JSON_C_TO_STRING_NOSLASHESCAPE);
        size_t len = strlen(text), off = 0;

        if (mkdir(dir, 0750) < 0 && errno != EEXIST)
                return negative_errno();
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return negative_errno();
        fd = openat(dfd, TMP_NAME, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
        if (fd < 0)
                return negative_errno();
        while (off < len) {
                ssize_t n = write(fd, text + off, len - off);
                if (n < 0) {
                        int r = negative_errno();
                        unlinkat(dfd, TMP_NAME, 0);
                        return r;
                }
                off += (size_t) n;
        }
        if (write(fd, "\n", 1) != 1 || fsync(fd) < 0) {
                int r = negative_errno();
                unlinkat(dfd, TMP_NAME, 0);
                return r;
        }
        if (renameat(dfd, TMP_NAME, dfd, STATEFILE_NAME) < 0) {
                int r = negative_errno();
                unlinkat(dfd, TMP_NAME, 0);
                return r;
        }
        /* The rename is durable only once the directory itself is on disk. */
        return fsync(dfd) < 0 ? negative_errno() : 0;
}
