/*
 * daemon_authz: what a query made for a web user (its "auth_user") may see
 * and do (docs/web.md). The daemon enforces it for every op, so no page of
 * the web interface can leak by forgetting a filter:
 *
 * - status and log answer only with the hosts and services the user sees
 *   (authz.h: contacts, or cgi.cfg's authorized_for_all_* lists read from
 *   the main config's cgi_config_file at each request);
 * - command is refused unless the user may command its host or service
 *   (acknowledgements, downtimes and comments must carry the user as
 *   author); stats needs authorized_for_system_information, reload
 *   authorized_for_system_commands;
 * - traps answers with the traps of hosts the user sees (filtered after
 *   the op, daemon_authz_filter());
 * - any other op is refused for a web user until it filters by user.
 *
 * Requests without auth_user (local clients on the 0660 socket) see all.
 */
#ifndef PHAROS_DAEMON_AUTHZ_H
#define PHAROS_DAEMON_AUTHZ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "authz.h"

struct daemon;
struct host;
struct service;

/* Who a request is made for. */
struct daemon_view {
	const char *user; /* borrowed from the request; NULL: sees all */
	struct authz_cfg authz;
	const struct daemon *d;
};

/* Read auth_user of req (absent: a local client; not a non-empty string:
 * an error) and, for a user, the cgi.cfg lists. Returns 0 or -1 with err
 * filled. Close with daemon_view_close() either way. */
int daemon_view_init(const struct daemon *d, json_t *req,
    struct daemon_view *v, char *err, size_t errlen);
void daemon_view_close(struct daemon_view *v);

/* Whether the requester sees h, s, or holds cgi.cfg right r. */
bool daemon_view_host(const struct daemon_view *v, const struct host *h);
bool daemon_view_service(const struct daemon_view *v,
    const struct service *s);
bool daemon_view_has(const struct daemon_view *v, enum authz_right r);
/* The same by name; unknown names are not seen by users. */
bool daemon_view_names(const struct daemon_view *v, const char *host,
    const char *service);

/* Before any op: refuse (return -1, err filled) what auth_user may not
 * do with op. 0 lets the op run (status and log filter themselves). */
int daemon_authz_check(struct daemon *d, const char *op, json_t *req,
    char *err, size_t errlen);

/* After op answered with data (borrowed, changed in place): drop what
 * auth_user may not see from answers made without a view (the traps op:
 * traps from hosts the user does not see, and from unknown sources and the
 * counters unless authorized_for_system_information; everything when the
 * lists cannot be read). Returns 0. */
int daemon_authz_filter(struct daemon *d, const char *op, json_t *req,
    json_t *data, char *err, size_t errlen);

/* {"op":"log", "since":T, "until":T, "host":H, "service":S,
 *  "types":[...], "limit":N}: the last N event log lines (archives
 * included) the requester sees. */
int daemon_op_log(struct daemon *d, json_t *req, json_t **data, char *err,
    size_t errlen);

#endif
