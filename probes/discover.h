/*
 * discover: SNMP discovery of a device's services from a profile
 * (probes/profile.h), on the asynchronous poller (probes/snmp.h), and the
 * discovery cache (one JSON file for all hosts). See docs/snmp-profiles.md.
 *
 * A discovery runs in three steps, each a batch of requests on the poller:
 * GET sysObjectID, sysName and sysDescr; look for every require_oid of the
 * entries whose sysobjectid matches (a GETNEXT: a walk stopped at its first
 * row); walk the columns the chosen tables need. It then filters the rows
 * and instantiates the templates. Any failure (timeout, error, row cap)
 * fails the whole discovery: a result is either complete or holds no
 * services at all.
 */
#ifndef PHAROS_DISCOVER_H
#define PHAROS_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"

struct snmp_poller;
struct snmp_target;
struct discover;
struct discover_cache;

#define DISCOVER_STR_MAX 256        /* values kept from the agent */
#define DISCOVER_TEXT_MAX 1024      /* an instantiated template */
#define DISCOVER_SERVICES_MAX 100000

enum discover_status {
	DISCOVER_OK,
	DISCOVER_TIMEOUT,   /* some request got no answer */
	DISCOVER_ERROR,     /* an SNMP error, a row cap, out of memory */
	DISCOVER_ABORTED,   /* discover_cancel() */
};

struct discover_service {
	char *description;       /* owned; unique in a result */
	char *check_command;     /* owned; '!' in a row's name is "\!" */
	char *origin;            /* owned: "PROFILE/ENTRY" or
				    "PROFILE/ENTRY/INDEX" */
};

/* One row of an IF-MIB interface table (a table with `interfaces yes`);
 * strings are printable UTF-8, "" when the agent has none. */
struct discover_iface {
	uint32_t index;          /* ifIndex */
	char *name;              /* ifName, else ifDescr; owned */
	char *descr;             /* ifDescr; owned */
	char *alias;             /* ifAlias; owned */
	int type, admin, oper;   /* ifType, ifAdminStatus, ifOperStatus;
				    0 = unknown */
};

struct discover_result {
	enum discover_status status;
	char error[512];         /* "" when OK */
	int64_t time;            /* wall clock (s since the epoch) at the end */
	char profile[PROFILE_NAME_MAX];
	char sys_object_id[PROFILE_OID_MAX];
	char sys_name[DISCOVER_STR_MAX];
	char sys_descr[DISCOVER_STR_MAX * 2];
	/* only when status is DISCOVER_OK: */
	struct discover_service *services;
	size_t nservices;
	struct discover_iface *ifaces;   /* ordered by the agent's walk */
	size_t nifaces;
	size_t dropped;          /* services left out: description taken, or
				    longer than DISCOVER_TEXT_MAX */
	size_t unnamed;          /* rows whose name could not be used in a
				    check_command (empty, not unique, control
				    characters): their index was used */
};

/* Exactly once per started discovery, never from inside discover_start.
 * res is the callee's: free it with discover_result_free(). Must not free
 * the poller. */
typedef void discover_done_fn(struct discover_result *res, void *arg);

/* Start discovering t (copied) with prof (borrowed: must outlive the
 * discovery) on p (borrowed). On 0, done will fire exactly once; *out
 * (optional) is the handle for discover_cancel until then. Returns
 * -ENOMEM, or -EINVAL with err filled. */
int discover_start(struct snmp_poller *p, const struct snmp_target *t,
    const struct profile *prof, discover_done_fn *done, void *arg,
    struct discover **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* Abort: every request is cancelled and done fires now, with
 * DISCOVER_ABORTED. Never from inside this discovery's done callback. */
void discover_cancel(struct discover *d);

/* NULL is a no-op. */
void discover_result_free(struct discover_result *r);
/* r as one indented JSON object: {"host": HOST, then the fields of a
 * cache entry (below), plus "error" when r is not complete}. Returns a
 * string the caller frees, or NULL when out of memory. */
char *discover_result_json(const struct discover_result *r,
    const char *host);

/*
 * The cache: host name -> the last complete result, in memory, loaded from
 * and saved to one JSON file:
 *   {"version": 1, "hosts": {"HOST": {"time": T, "profile": "P",
 *    "sysObjectID": "...", "sysName": "...", "sysDescr": "...",
 *    "services": [{"description": "...", "check_command": "...",
 *                  "origin": "..."}],
 *    "interfaces": [{"index": N, "name": "...", "descr": "...",
 *                    "alias": "...", "type": N, "admin": N, "oper": N}]}}}
 */
#define DISCOVER_CACHE_FILE_MAX (64 * 1024 * 1024)
#define DISCOVER_CACHE_HOSTS_MAX 100000

/* An empty cache. Returns 0 or -ENOMEM. Caller frees. */
int discover_cache_new(struct discover_cache **out)
    __attribute__((warn_unused_result));
/* Read path. A missing file gives an empty cache. A file that is not a
 * cache (corrupt, truncated, too large, another version) gives -EINVAL
 * and an error naming the file (and line and column for bad JSON); *out
 * is then NULL. A host entry that is malformed is dropped and counted in
 * *dropped (optional). Caller frees. */
int discover_cache_load(const char *path, struct discover_cache **out,
    size_t *dropped, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* Write the whole cache to path atomically: a temporary file in the same
 * directory, fsync, rename, fsync of the directory. Returns 0 or -errno
 * with err filled; path is untouched on failure. */
int discover_cache_save(const struct discover_cache *c, const char *path,
    char *err, size_t errlen) __attribute__((warn_unused_result));
/* Store a copy of r for host, replacing what was there. Only a complete
 * result is accepted: -EINVAL otherwise (and for a bad host name);
 * -ENOMEM. */
int discover_cache_put(struct discover_cache *c, const char *host,
    const struct discover_result *r) __attribute__((warn_unused_result));
/* The stored result for host (borrowed: valid until the next put, remove
 * or free), or NULL. */
const struct discover_result *discover_cache_get(
    const struct discover_cache *c, const char *host);
/* Forget host. Returns whether it was there. */
bool discover_cache_remove(struct discover_cache *c, const char *host);
size_t discover_cache_count(const struct discover_cache *c);
/* NULL is a no-op. */
void discover_cache_free(struct discover_cache *c);

/* What changed between two discoveries of a host, by service description
 * (the key of a service on a host). Pointers borrow the services of old
 * (vanished) and cur (added, changed: same description, another
 * check_command); the lists follow their results' order. */
struct discover_diff {
	const struct discover_service **added;
	size_t nadded;
	const struct discover_service **vanished;
	size_t nvanished;
	const struct discover_service **changed;
	size_t nchanged;
};

/* old may be NULL (everything is added). Returns 0 or -ENOMEM. Free with
 * discover_diff_free(); old and cur must outlive the diff. */
int discover_diff(const struct discover_result *old,
    const struct discover_result *cur, struct discover_diff *out)
    __attribute__((warn_unused_result));
void discover_diff_free(struct discover_diff *d);

#endif
