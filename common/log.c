/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"

#include <errno.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>

static LogTarget log_target = LOG_TARGET_STDERR;
static int log_max_level = LOG_INFO;

/* systemd sets $JOURNAL_STREAM to "dev:ino" of the stream it connected to our
 * stderr; only when that still is our stderr do we talk to the journal natively. */
static bool stderr_is_journal(void) {
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return st.st_dev == dev && st.st_ino == ino;
}

void log_setup(LogTarget target, int max_level) {
        if (target == LOG_TARGET_AUTO)
                target = stderr_is_journal() ? LOG_TARGET_JOURNAL : LOG_TARGET_STDERR;
        log_target = target;
        log_max_level = max_level;
}

int log_get_max_level(void) {
        return log_max_level;
}

bool log_target_is_journal(void) {
        return log_target == LOG_TARGET_JOURNAL;
}

int log_target_from_string(const char *s) {
        static const char *const names[] = {
                [LOG_TARGET_AUTO] = "auto",
                [LOG_TARGET_STDERR] = "stderr",
                [LOG_TARGET_JOURNAL] = "journal",
        };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(s, names[i]))
                        return (int) i;
        return -EINVAL;
}

static const char *const level_names[] = {
        [LOG_ERR] = "err",       [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
        [LOG_INFO] = "info",     [LOG_DEBUG] = "debug",
};

int log_level_from_string(const char *s) {
        for (size_t i = 0; i < ELEMENTSOF(level_names); i++)
                if (level_names[i] && streq(s, level_names[i]))
                        return (int) i;
        if (streq(s, "error"))
                return LOG_ERR;
        return -EINVAL;
}

int log_object_internal(int level, int error, const char *object_field, const char *object,
                        const char *func, const char *fmt, ...) {
        char msg[2048];
        va_list ap;

        if (error < 0)
                error = -error;
        if (level > log_max_level)
                return -error;

        /* glibc's printf expands %m from errno: make it name our error. */
        errno = error;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);

        if (log_target == LOG_TARGET_JOURNAL) {
                char objfield[256] = "";
                if (object_field && object)
                        snprintf(objfield, sizeof(objfield), "%s=%s", object_field, object);
                sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", level, "CODE_FUNC=%s", func,
                                "ERRNO=%d", error, objfield[0] ? "%s" : NULL, objfield, NULL);
        } else {
                const char *lvl = level >= 0 && (size_t) level < ELEMENTSOF(level_names) &&
                                                  level_names[level]
                                          ? level_names[level]
                                          : "log";
                /* The function name helps when debugging, and is noise otherwise. */
                char where[128] = "";
                if (log_max_level >= LOG_DEBUG)
                        snprintf(where, sizeof(where), " %s:", func);
                fprintf(stderr, "%s[%s]%s %s%s%s%s\n", program_invocation_short_name, lvl, where,
                        object ? "[" : "", object ? object : "", object ? "] " : "", msg);
        }
        return -error;
}
