/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Levelled logging to the journal or to stderr. Every function returns
 * -abs(error) so that a failure can be logged and returned in one statement:
 *
 *     if (r < 0)
 *             return log_pf_error_errno(pf, r, "cannot read sriov_numvfs: %m");
 *
 * "%m" prints strerror(error). Messages about one object (a PF, a VM, an API
 * client) carry it: in the journal as a field, on stderr as a "[...]" prefix.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>

#include "macros.h"

typedef enum LogTarget {
        LOG_TARGET_AUTO,    /* journal when stderr is connected to it, else stderr */
        LOG_TARGET_STDERR,
        LOG_TARGET_JOURNAL,
} LogTarget;

/* Select where messages go and the most verbose level shown (LOG_ERR..LOG_DEBUG). */
void log_setup(LogTarget target, int max_level);
int log_get_max_level(void);
/* Whether messages go to the journal natively (structured fields possible). */
bool log_target_is_journal(void);

/* Parse "stderr"/"journal"/"auto" and "err"/"warning"/"notice"/"info"/"debug".
 * Return the value or -EINVAL. */
int log_target_from_string(const char *s);
int log_level_from_string(const char *s);

int log_object_internal(int level, int error, const char *object_field, const char *object,
                        const char *func, const char *fmt, ...) _printf_(6, 7);

#define log_full_errno(level, error, ...)                                                          \
        log_object_internal(level, error, NULL, NULL, __func__, __VA_ARGS__)

#define log_debug(...) log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) log_full_errno(LOG_ERR, 0, __VA_ARGS__)
#define log_debug_errno(e, ...) log_full_errno(LOG_DEBUG, e, __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, e, __VA_ARGS__)
#define log_error_errno(e, ...) log_full_errno(LOG_ERR, e, __VA_ARGS__)

/* Messages about one physical function, identified by its PCI address string. */
#define log_pf_full_errno(level, pf, error, ...)                                                   \
        log_object_internal(level, error, "NFVCAP_PF", pf, __func__, __VA_ARGS__)
#define log_pf_debug(pf, ...) log_pf_full_errno(LOG_DEBUG, pf, 0, __VA_ARGS__)
#define log_pf_info(pf, ...) log_pf_full_errno(LOG_INFO, pf, 0, __VA_ARGS__)
#define log_pf_warning(pf, ...) log_pf_full_errno(LOG_WARNING, pf, 0, __VA_ARGS__)
#define log_pf_error_errno(pf, e, ...) log_pf_full_errno(LOG_ERR, pf, e, __VA_ARGS__)
#define log_pf_warning_errno(pf, e, ...) log_pf_full_errno(LOG_WARNING, pf, e, __VA_ARGS__)
