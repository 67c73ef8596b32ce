/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "client.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macros.h"

struct Client {
        CURL *curl;
        char *socket_path;
        long timeout;
        char error[512];
};

typedef struct Buffer {
        char *data;
        size_t len;
} Buffer;

/* Replies are small JSON documents; anything beyond this is not our daemon. */
#define MAX_REPLY (64u << 20)

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata) {
        Buffer *b = userdata;
        size_t n = size * nmemb;
        char *nd;

        if (b->len + n > MAX_REPLY)
                return 0;
        nd = realloc(b->data, b->len + n + 1);
        if (!nd)
                return 0;
        memcpy(nd + b->len, ptr, n);
        b->data = nd;
        b->len += n;
        b->data[b->len] = '\0';
        return n;
}

int client_new(const char *socket_path, long timeout_sec, Client **ret) {
        Client *c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->curl = curl_easy_init();
        c->socket_path = strdup(socket_path);
        c->timeout = timeout_sec;
        if (!c->curl || !c->socket_path) {
                client_free(c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

void client_free(Client *c) {
        if (!c)
                return;
        if (c->curl)
                curl_easy_cleanup(c->curl);
        free(c->socket_path);
        free(c);
}

const char *client_last_error(const Client *c) {
        return c->error;
}

void client_reply_done(ClientReply *r) {
        json_object_put(r->doc);
        *r = (ClientReply){ 0 };
}

/* Turn a transport failure into advice a person can act on. */
static int explain(Client *c, CURLcode code) {
        long os_errno = 0;
        curl_easy_getinfo(c->curl, CURLINFO_OS_ERRNO, &os_errno);

        if (code == CURLE_COULDNT_CONNECT) {
                switch (os_errno) {
                case ENOENT:
                        snprintf(c->error, sizeof(c->error),
                                 "cannot reach nfvcapd at %s: no such socket — is the service "
                                 "running? (systemctl status nfvcapd)",
                                 c->socket_path);
                        return -ENOENT;
                case EACCES:
                        snprintf(c->error, sizeof(c->error),
                                 "cannot reach nfvcapd at %s: permission denied — are you root "
                                 "or in the nfvcap group?",
                                 c->socket_path);
                        return -EACCES;
                default:
                        snprintf(c->error, sizeof(c->error),
                                 "cannot reach nfvcapd at %s: %s — is the service running? "
                                 "(systemctl status nfvcapd)",
                                 c->socket_path, os_errno ? strerror((int) os_errno) : "refused");
                        return -ECONNREFUSED;
                }
        }
        if (code == CURLE_OPERATION_TIMEDOUT) {
                snprintf(c->error, sizeof(c->error),
                         "nfvcapd at %s did not answer within %ld s (see journalctl -u nfvcapd)",
                         c->socket_path, c->timeout);
                return -ETIMEDOUT;
        }
        if (code == CURLE_GOT_NOTHING || code == CURLE_RECV_ERROR) {
                snprintf(c->error, sizeof(c->error),
                         "nfvcapd at %s closed the connection without answering — did it stop or "
                         "crash? (journalctl -u nfvcapd); the change may or may not have been "
                         "made: check with 'nfvcapctl status'",
                         c->socket_path);
                return -ECONNRESET;
        }
        snprintf(c->error, sizeof(c->error), "talking to nfvcapd at %s failed: %s",
                 c->socket_path, curl_easy_strerror(code));
        return -EIO;
}

int client_request(Client *c, const char *method, const char *path, json_object *body,
                   ClientReply *ret) {
        _cleanup_free_ char *url = NULL;
        struct curl_slist *headers = NULL;
        Buffer b = { 0 };
        CURLcode code;
        int r = 0;

        if (asprintf(&url, "http://localhost%s", path) < 0)
                return -ENOMEM;
        curl_easy_reset(c->curl);
        curl_easy_setopt(c->curl, CURLOPT_UNIX_SOCKET_PATH, c->socket_path);
        curl_easy_setopt(c->curl, CURLOPT_URL, url);
        curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &b);
        curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, c->timeout);
        curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
        /* Paths we send are built from validated pieces; keep them as they are. */
        curl_easy_setopt(c->curl, CURLOPT_PATH_AS_IS, 1L);
        headers = curl_slist_append(headers, "Accept: application/json");
        if (body) {
                const char *text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
                headers = curl_slist_append(headers, "Content-Type: application/json");
                curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, text);
        }
        curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, headers);

        code = curl_easy_perform(c->curl);
        curl_slist_free_all(headers);
        if (code != CURLE_OK) {
                free(b.data);
                return explain(c, code);
        }

        *ret = (ClientReply){ 0 };
        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &ret->status);
        if (b.data)
                ret->doc = json_tokener_parse(b.data);
        free(b.data);
        return r;
}
