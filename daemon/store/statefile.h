/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The state file: one JSON document in DIR/state.json, replaced atomically
 * (write a temporary file in DIR, fsync it, rename it over the old one,
 * fsync DIR), so that a crash at any point leaves either the old or the new
 * document, never a mix.
 */

#include <json-c/json.h>
#include <stddef.h>

#define STATEFILE_NAME "state.json"

/* Read DIR/state.json. -ENOENT when there is none; -EBADMSG when it is not a
 * JSON object (err says where it broke); other -errno for I/O errors. */
int statefile_read(const char *dir, json_object **ret, char *err, size_t errlen);

/* Replace DIR/state.json with doc, creating DIR (0750) if needed. */
int statefile_write(const char *dir, json_object *doc);
