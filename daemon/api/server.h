/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The REST API's HTTP side: libmicrohttpd driven from the daemon's sd-event
 * loop (MHD's epoll descriptor is one more event source, as in
 * systemd-journal-remote), on a unix socket that nfvcapd creates or receives
 * from systemd.
 */

#include <stdbool.h>
#include <sys/types.h>

#include "core/manager.h"

/* Take over listen_fd and start serving. */
int api_server_new(Manager *m, int listen_fd, ApiServer **ret);
ApiServer *api_server_free(ApiServer *s);

/* Obtain the listening socket: the one systemd passed (socket activation), or
 * a new one bound at path with mode 0660 and the given group. *ret_created
 * says whether nfvcapd created it (and so removes it on exit). */
int api_listen(const char *path, const char *group, int *ret_fd, bool *ret_created);
