/*
 * authz: who may see and do what, as Nagios' CGIs decide it (docs/web.md).
 * The rights come from cgi.cfg's authorized_for_* lists (comma-separated
 * user names, '*' for every authenticated user); visibility otherwise
 * follows contacts: a user sees a host when they are one of its contacts
 * (directly or through a contact group, flattened by the loader), and a
 * service when they see its host or are one of the service's contacts.
 *
 * Pure functions over the loaded objects: the daemon calls them for every
 * answer of the query socket that carries an auth_user, so no page of the
 * web interface can show what its user may not see.
 */
#ifndef PHAROS_AUTHZ_H
#define PHAROS_AUTHZ_H

#include <stdbool.h>
#include <stddef.h>

struct host;
struct service;
struct objects;
struct contact;

/* The cgi.cfg rights, in the order of authz_right_key(). */
enum authz_right {
	AUTHZ_ALL_HOSTS,
	AUTHZ_ALL_SERVICES,
	AUTHZ_ALL_HOST_COMMANDS,
	AUTHZ_ALL_SERVICE_COMMANDS,
	AUTHZ_SYSTEM_INFORMATION,
	AUTHZ_SYSTEM_COMMANDS,
	AUTHZ_CONFIGURATION_INFORMATION,
	AUTHZ_READ_ONLY,
	AUTHZ_NRIGHTS
};

/* The users named by each right; owned strings. */
struct authz_cfg {
	char **users[AUTHZ_NRIGHTS];
	size_t nusers[AUTHZ_NRIGHTS];
};

/* The cgi.cfg key of a right, e.g. "authorized_for_all_hosts". */
const char *authz_right_key(enum authz_right r);

/* Zero c. */
void authz_cfg_init(struct authz_cfg *c);

/* Free the lists of c and zero it. */
void authz_cfg_free(struct authz_cfg *c);

/* Take one cgi.cfg line's key and value: when key is an authorized_for_*
 * key, its comma-separated list (blanks trimmed, empty items dropped)
 * replaces the right's users and 1 is returned; 0 for another key;
 * -ENOMEM. */
int authz_cfg_set(struct authz_cfg *c, const char *key, const char *value)
    __attribute__((warn_unused_result));

/* Read the authorized_for_* keys of the cgi.cfg at path (other keys are
 * skipped). Returns 0 or -errno with err filled. */
int authz_cfg_load(const char *path, struct authz_cfg *c, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/* Whether user holds right r ('*' in the list: any non-empty user). */
bool authz_has(const struct authz_cfg *c, enum authz_right r,
    const char *user);

/* Whether user names one of the n contacts. */
bool authz_is_contact(struct contact *const *contacts, size_t n,
    const char *user);

/* Whether user may see host h: authorized_for_all_hosts, or a contact. */
bool authz_host_visible(const struct authz_cfg *c, const char *user,
    const struct host *h);

/* Whether user may see service s: authorized_for_all_services, sees the
 * host, or a contact of the service. */
bool authz_service_visible(const struct authz_cfg *c, const char *user,
    const struct service *s);

/* Whether user may send commands about host h (acknowledge, downtime,
 * re-check): never for authorized_for_read_only users nor contacts with
 * can_submit_commands 0; else authorized_for_all_host_commands or a
 * contact of h. o finds the user's contact. */
bool authz_host_command(const struct authz_cfg *c, const struct objects *o,
    const char *user, const struct host *h);

/* The same for service s (authorized_for_all_service_commands, or a
 * contact of the service or its host). */
bool authz_service_command(const struct authz_cfg *c,
    const struct objects *o, const char *user, const struct service *s);

/* Whether user may send program-wide commands (enable/disable checks or
 * notifications): authorized_for_system_commands and not read-only. */
bool authz_system_command(const struct authz_cfg *c, const char *user);

/* Which host and service an event log line ("[EPOCH] TYPE: f1;f2;...")
 * is about, by the rules of `pharos log --host` (logsearch.c):
 * notifications name the contact first, external commands their name
 * first, other HOST and SERVICE types the host first and the service
 * second. Copies the names (cut to the buffer) and returns 2 (host and
 * service), 1 (host only) or 0 (a line about no host). */
int authz_log_subject(const char *line, char *host, size_t hostlen,
    char *service, size_t servicelen);

#endif
