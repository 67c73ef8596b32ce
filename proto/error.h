/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The API's error document:
 *   {"error":{"code":"invalid_argument","message":"...","field":"vlan"}}
 * Each code has exactly one HTTP status; the table lives in error.c.
 */

#include <json-c/json.h>

typedef enum NfvErrorCode {
        NFV_ERR_INVALID_ARGUMENT,  /* 400 */
        NFV_ERR_FORBIDDEN,         /* 403 */
        NFV_ERR_NOT_FOUND,         /* 404 */
        NFV_ERR_METHOD_NOT_ALLOWED,/* 405 */
        NFV_ERR_CONFLICT,          /* 409 */
        NFV_ERR_PAYLOAD_TOO_LARGE, /* 413 */
        NFV_ERR_UNSUPPORTED_MEDIA, /* 415 */
        NFV_ERR_UNSUPPORTED,       /* 422: valid request the hardware or driver cannot do */
        NFV_ERR_INTERNAL,          /* 500 */
        NFV_ERR_UNAVAILABLE,       /* 503 */
        _NFV_ERR_MAX,
} NfvErrorCode;

const char *nfv_error_code_to_string(NfvErrorCode c);
/* Returns the code or -EINVAL for a string no version of the API defines. */
int nfv_error_code_from_string(const char *s);
unsigned nfv_error_http_status(NfvErrorCode c);

/* Build the error document. field may be NULL. Caller owns the result. */
json_object *nfv_error_to_json(NfvErrorCode c, const char *message, const char *field);

typedef struct NfvError {
        char code[32];
        char message[512];
        char field[64]; /* empty when the error is not about one field */
} NfvError;

/* Parse an error document; returns 0, or -EBADMSG when o is not one. */
int nfv_error_from_json(json_object *o, NfvError *ret);
