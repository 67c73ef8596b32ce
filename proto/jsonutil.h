/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Typed access to json-c objects. Getters return 0 when the key holds a value
 * of the right type (or is absent/null and not required: then *ret is left
 * untouched and *present, where asked for, is false), -ENOENT when a required
 * key is missing, -EINVAL for a wrong type, -ERANGE for a number out of range.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "macros.h"

DEFINE_CLEANUP_FUNC(json_object *, json_object_put);

int json_get_string(json_object *o, const char *key, bool required, const char **ret);
int json_get_int64(json_object *o, const char *key, bool required, int64_t min, int64_t max,
                   int64_t *ret);
int json_get_bool(json_object *o, const char *key, bool required, bool *ret);

/* Add s, or JSON null when s is NULL or empty. */
void json_add_string_or_null(json_object *o, const char *key, const char *s);
/* Add v, or JSON null when v is negative (our "unknown"). */
void json_add_int_or_null(json_object *o, const char *key, int64_t v);
/* A 16-bit ID as four lower-case hex digits, as lspci prints it. */
void json_add_hex16(json_object *o, const char *key, uint16_t v);
/* Parse a 1-4 digit hex string such as "10fb"; -EINVAL otherwise. */
int hex16_parse(const char *s, uint16_t *ret);

/* Strings arrays (warnings): a NULL-terminated, heap-allocated char*[]. */
int strv_push(char ***l, const char *s);
size_t strv_length(char *const *l);
void strv_free(char **l);
json_object *strv_to_json(char *const *l);
int strv_from_json(json_object *a, char ***ret);
