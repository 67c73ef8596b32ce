/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* nfvcapctl's HTTP client: libcurl over the daemon's unix socket. */

#include <json-c/json.h>

typedef struct Client Client;

typedef struct ClientReply {
        long status;      /* HTTP status */
        json_object *doc; /* parsed body; NULL when it was not JSON */
} ClientReply;

int client_new(const char *socket_path, long timeout_sec, Client **ret);
void client_free(Client *c);

/* Send one request (body may be NULL). Returns 0 when the daemon answered,
 * whatever the status; -errno when it could not be reached, with a sentence
 * for a person in client_last_error(). */
int client_request(Client *c, const char *method, const char *path, json_object *body,
                   ClientReply *ret);
const char *client_last_error(const Client *c);
void client_reply_done(ClientReply *r);
