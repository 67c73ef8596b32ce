/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "jsonutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macros.h"

/* Returns 1 with *v set when the key holds a non-null value, 0 when absent or
 * null, -ENOENT when required and absent. */
static int lookup(json_object *o, const char *key, bool required, json_object **v) {
        if (!json_object_object_get_ex(o, key, v) || !*v)
                return required ? -ENOENT : 0;
        return 1;
}

int json_get_string(json_object *o, const char *key, bool required, const char **ret) {
        json_object *v;
        int r = lookup(o, key, required, &v);
        if (r <= 0)
                return r;
        if (!json_object_is_type(v, json_type_string))
                return -EINVAL;
        *ret = json_object_get_string(v);
        return 0;
}

int json_get_int64(json_object *o, const char *key, bool required, int64_t min, int64_t max,
                   int64_t *ret) {
        json_object *v;
        int64_t n;
        int r = lookup(o, key, required, &v);
        if (r <= 0)
                return r;
        /* Only JSON integers: 1.5, "1" and true are type errors, not numbers. */
        if (!json_object_is_type(v, json_type_int))
                return -EINVAL;
        errno = 0;
        n = json_object_get_int64(v);
        /* json-c saturates values outside int64 and flags them through errno
         * only for strings; an unsigned value above INT64_MAX is out of range. */
        if (json_object_get_uint64(v) > (uint64_t) INT64_MAX && n >= 0)
                return -ERANGE;
        if (n < min || n > max)
                return -ERANGE;
        *ret = n;
        return 0;
}

int json_get_bool(json_object *o, const char *key, bool required, bool *ret) {
        json_object *v;
        int r = lookup(o, key, required, &v);
        if (r <= 0)
                return r;
        if (!json_object_is_type(v, json_type_boolean))
                return -EINVAL;
        *ret = json_object_get_boolean(v);
        return 0;
}

void json_add_string_or_null(json_object *o, const char *key, const char *s) {
        json_object_object_add(o, key, s && *s ? json_object_new_string(s) : NULL);
}

void json_add_int_or_null(json_object *o, const char *key, int64_t v) {
        json_object_object_add(o, key, v >= 0 ? json_object_new_int64(v) : NULL);
}

void json_add_hex16(json_object *o, const char *key, uint16_t v) {
        char buf[5];
        snprintf(buf, sizeof(buf), "%04x", v);
        json_object_object_add(o, key, json_object_new_string(buf));
}

int hex16_parse(const char *s, uint16_t *ret) {
        unsigned v = 0;
        size_t n = strlen(s);

        if (n == 0 || n > 4)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                unsigned d;
                if (c >= '0' && c <= '9')
                        d = (unsigned) (c - '0');
                else if (c >= 'a' && c <= 'f')
                        d = (unsigned) (c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        d = (unsigned) (c - 'A' + 10);
                else
                        return -EINVAL;
                v = v << 4 | d;
        }
        *ret = (uint16_t) v;
        return 0;
}

size_t strv_length(char *const *l) {
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

int strv_push(char ***l, const char *s) {
        size_t n = strv_length(*l);
        char **nl;
        char *copy = strdup(s);

        if (!copy)
                return -ENOMEM;
        nl = realloc(*l, (n + 2) * sizeof(char *));
        if (!nl) {
                free(copy);
                return -ENOMEM;
        }
        nl[n] = copy;
        nl[n + 1] = NULL;
        *l = nl;
        return 0;
}

void strv_free(char **l) {
        for (size_t i = 0; l && l[i]; i++)
                free(l[i]);
        free(l);
}

json_object *strv_to_json(char *const *l) {
        json_object *a = json_object_new_array();
        for (size_t i = 0; l && l[i]; i++)
                json_object_array_add(a, json_object_new_string(l[i]));
        return a;
}

int strv_from_json(json_object *a, char ***ret) {
        char **l = NULL;

        if (!json_object_is_type(a, json_type_array))
                return -EINVAL;
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                json_object *s = json_object_array_get_idx(a, i);
                int r;
                if (!json_object_is_type(s, json_type_string)) {
                        strv_free(l);
                        return -EINVAL;
                }
                r = strv_push(&l, json_object_get_string(s));
                if (r < 0) {
                        strv_free(l);
                        return r;
                }
        }
        *ret = l;
        return 0;
}
