/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Every sysfs access of the daemon goes through here, relative to one root
 * directory (--sysfs-root, "/sys" on a real host), so component tests run the
 * real daemon on a fixture tree. Paths are relative to that root, without a
 * leading slash: "bus/pci/devices/0000:01:00.0/sriov_numvfs".
 */

#include <stdbool.h>

#include "macros.h"

typedef struct Sysfs Sysfs;

/* Open the root; -errno when it is not a readable directory. */
int sysfs_open(const char *root, Sysfs **ret);
Sysfs *sysfs_free(Sysfs *s);
DEFINE_CLEANUP_FUNC(Sysfs *, sysfs_free);

const char *sysfs_root(const Sysfs *s);
int sysfs_root_fd(const Sysfs *s);

/* Read the first line of a file, without its newline. */
int sysfs_read_line(Sysfs *s, const char *path, char **ret);
/* Read a decimal integer; -EINVAL when the file holds something else. */
int sysfs_read_int(Sysfs *s, const char *path, long *ret);
/* The last path component of a symlink's target ("driver" -> "igb"). */
int sysfs_read_link_name(Sysfs *s, const char *path, char **ret);
bool sysfs_exists(Sysfs *s, const char *path);
/* Write a string to an attribute in one write(2); the kernel's error is returned as -errno. */
int sysfs_write(Sysfs *s, const char *path, const char *value);

/* Build "fmt" into a malloc'd path; NULL on OOM. */
char *sysfs_path(const char *fmt, ...) _printf_(1, 2);
