/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Kernel modules through libkmod (as modprobe and insmod do it). */

#include <stdbool.h>
#include <stddef.h>

/* Whether the module is loaded (/sys/module/NAME under root). */
bool kmod_loaded(const char *root, const char *name);
/* Whether the running kernel's module index knows the module; when it does
 * not, why not (for the hello's reason) goes to why. */
bool kmod_installed(const char *name, char *why, size_t n);
/* Load a module by name (with its dependencies, as modprobe) or from a .ko
 * file (path contains '/', as insmod), with "KEY=VALUE ..." parameters.
 * Already loaded is success. -errno with a sentence in err. */
int kmod_load(const char *name_or_path, const char *params, char *err, size_t n);
