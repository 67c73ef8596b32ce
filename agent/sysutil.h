/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Reading and writing the machine's files (sysfs, procfs, /dev) under the
 * agent's root, "" for the real machine. Tests point the root at a fixture
 * tree; nothing else in the agent builds such a path itself. Paths are
 * printf formats ("/sys/class/net/%s/address").
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macros.h"

/* root + formatted path into buf. -ENAMETOOLONG. */
int root_path(char *buf, size_t n, const char *root, const char *fmt, ...) _printf_(4, 5);

/* The first line of a small file, without its newline. -errno. */
int read_line_at(const char *root, char *buf, size_t n, const char *fmt, ...) _printf_(4, 5);
/* A decimal or 0x-prefixed number from a small file. -errno, -EINVAL. */
int read_int64_at(const char *root, int64_t *ret, const char *fmt, ...) _printf_(3, 4);
/* The last component of a symlink's target ("../../bus/pci/drivers/igbvf" -> "igbvf"). */
int read_link_name_at(const char *root, char *buf, size_t n, const char *fmt, ...) _printf_(4, 5);
/* Write text to a sysfs attribute in one write(). -errno. */
int write_text_at(const char *root, const char *text, const char *fmt, ...) _printf_(3, 4);
bool path_exists_at(const char *root, const char *fmt, ...) _printf_(2, 3);

/* Copy src into dst[size]; false (dst empty) when it does not fit. */
bool copy_name(char *dst, size_t size, const char *src);
