/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "kmod.h"

#include <errno.h>
#include <libkmod.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "macros.h"
#include "sysutil.h"

DEFINE_CLEANUP_FUNC(struct kmod_ctx *, kmod_unref);
DEFINE_CLEANUP_FUNC(struct kmod_module *, kmod_module_unref);
DEFINE_CLEANUP_FUNC(struct kmod_list *, kmod_module_unref_list);

bool kmod_loaded(const char *root, const char *name) {
        return path_exists_at(root, "/sys/module/%s", name);
}

static struct kmod_ctx *context(void) {
        struct kmod_ctx *ctx = kmod_new(NULL, NULL);
        if (ctx)
                (void) kmod_load_resources(ctx);
        return ctx;
}

bool kmod_installed(const char *name, char *why, size_t n) {
        _cleanup_(kmod_unrefp) struct kmod_ctx *ctx = context();
        _cleanup_(kmod_module_unref_listp) struct kmod_list *l = NULL;
        struct utsname u;

        uname(&u);
        if (!ctx) {
                snprintf(why, n, "cannot read the module index of kernel %s", u.release);
                return false;
        }
        if (kmod_module_new_from_lookup(ctx, name, &l) < 0 || !l) {
                snprintf(why, n, "module %s is not installed for kernel %s", name, u.release);
                return false;
        }
        return true;
}

int kmod_load(const char *name_or_path, const char *params, char *err, size_t n) {
        _cleanup_(kmod_unrefp) struct kmod_ctx *ctx = context();
        _cleanup_(kmod_module_unref_listp) struct kmod_list *l = NULL;
        _cleanup_(kmod_module_unrefp) struct kmod_module *file_mod = NULL;
        struct kmod_list *it;
        int r;

        if (!ctx) {
                snprintf(err, n, "libkmod: cannot create a context");
                return -ENOMEM;
        }
        if (strchr(name_or_path, '/')) {
                r = kmod_module_new_from_path(ctx, name_or_path, &file_mod);
                if (r < 0) {
                        snprintf(err, n, "%s: %s", name_or_path, strerror(-r));
                        return r;
                }
                r = kmod_module_insert_module(file_mod, 0, params);
                if (r < 0 && r != -EEXIST) {
                        snprintf(err, n, "insmod %s %s: %s", name_or_path, params ? params : "",
                                 strerror(-r));
                        return r;
                }
                return 0;
        }
        r = kmod_module_new_from_lookup(ctx, name_or_path, &l);
        if (r < 0 || !l) {
                struct utsname u;
                uname(&u);
                snprintf(err, n, "module %s is not installed for kernel %s", name_or_path,
                         u.release);
                return r < 0 ? r : -ENOENT;
        }
        kmod_list_foreach(it, l) {
                _cleanup_(kmod_module_unrefp) struct kmod_module *m = kmod_module_get_module(it);
                r = kmod_module_probe_insert_module(m, KMOD_PROBE_IGNORE_LOADED, params, NULL,
                                                    NULL, NULL);
                if (r < 0) {
                        snprintf(err, n, "modprobe %s %s: %s", name_or_path, params ? params : "",
                                 strerror(-r));
                        return r;
                }
        }
        return 0;
}
