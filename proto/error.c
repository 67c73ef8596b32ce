/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "jsonutil.h"
#include "macros.h"

static const struct {
        const char *name;
        unsigned http;
} error_table[_NFV_ERR_MAX] = {
        [NFV_ERR_INVALID_ARGUMENT] = { "invalid_argument", 400 },
        [NFV_ERR_FORBIDDEN] = { "forbidden", 403 },
        [NFV_ERR_NOT_FOUND] = { "not_found", 404 },
        [NFV_ERR_METHOD_NOT_ALLOWED] = { "method_not_allowed", 405 },
        [NFV_ERR_CONFLICT] = { "conflict", 409 },
        [NFV_ERR_PAYLOAD_TOO_LARGE] = { "payload_too_large", 413 },
        [NFV_ERR_UNSUPPORTED_MEDIA] = { "unsupported_media_type", 415 },
        [NFV_ERR_UNSUPPORTED] = { "unsupported", 422 },
        [NFV_ERR_INTERNAL] = { "internal", 500 },
        [NFV_ERR_UNAVAILABLE] = { "unavailable", 503 },
};

const char *nfv_error_code_to_string(NfvErrorCode c) {
        return (unsigned) c < _NFV_ERR_MAX ? error_table[c].name : "internal";
}

int nfv_error_code_from_string(const char *s) {
        for (size_t i = 0; i < _NFV_ERR_MAX; i++)
                if (streq(error_table[i].name, s))
                        return (int) i;
        return -EINVAL;
}

unsigned nfv_error_http_status(NfvErrorCode c) {
        return (unsigned) c < _NFV_ERR_MAX ? error_table[c].http : 500;
}

json_object *nfv_error_to_json(NfvErrorCode c, const char *message, const char *field) {
        json_object *e = json_object_new_object(), *doc = json_object_new_object();

        json_object_object_add(e, "code", json_object_new_string(nfv_error_code_to_string(c)));
        json_object_object_add(e, "message", json_object_new_string(message ? message : ""));
        if (field)
                json_object_object_add(e, "field", json_object_new_string(field));
        json_object_object_add(doc, "error", e);
        return doc;
}

int nfv_error_from_json(json_object *o, NfvError *ret) {
        json_object *e;
        const char *code, *msg, *field = NULL;

        if (!json_object_object_get_ex(o, "error", &e) || !json_object_is_type(e, json_type_object))
                return -EBADMSG;
        if (json_get_string(e, "code", true, &code) < 0 ||
            json_get_string(e, "message", true, &msg) < 0 ||
            json_get_string(e, "field", false, &field) < 0)
                return -EBADMSG;

        *ret = (NfvError){ 0 };
        snprintf(ret->code, sizeof(ret->code), "%s", code);
        snprintf(ret->message, sizeof(ret->message), "%s", msg);
        if (field)
                snprintf(ret->field, sizeof(ret->field), "%s", field);
        return 0;
}
