/*
 * classify: which kind of device an SNMP agent is (router, switch,
 * firewall, printer, server, ...), by rules kept as data in
 * probes/profiles/classify.cfg (see docs/discovery.md).
 *
 * A rules file holds `define classify { ... }` blocks, tried in file
 * order; the first whose conditions all hold decides. Keys:
 *
 *   class          the class (required): [a-z0-9_-], also the hostgroup
 *   profile        the device_profile to give (default: the class)
 *   sysobjectid    OID prefixes, comma-separated: any may match, on arc
 *                  boundaries (.1.3.6.1.4.1.9 matches .1.3.6.1.4.1.9.1.1,
 *                  not .1.3.6.1.4.1.99)
 *   sysdescr       a text sysDescr must contain (case-insensitive)
 *   services_all   sysServices layers (1-7), comma-separated, all set
 *   services_none  layers none of which may be set
 *   has_oid        OIDs (exact instances) that must all exist on the agent
 *
 * A block without conditions matches everything (a default). Comments:
 * lines starting with '#' or ';', and anything after " ;". Pure: no SNMP;
 * the caller fetches what classify_oids() lists.
 */
#ifndef PHAROS_CLASSIFY_H
#define PHAROS_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

struct classify_rules;

#define CLASSIFY_NAME_MAX 64
#define CLASSIFY_OID_MAX 128
#define CLASSIFY_LIST_MAX 32     /* sysobjectid and has_oid entries */
#define CLASSIFY_RULES_MAX 1024
#define CLASSIFY_FILE_MAX (256 * 1024)

/* What is known of a device; all borrowed. */
struct classify_device {
	const char *sysobjectid;   /* dotted, leading dot optional; NULL */
	const char *sysdescr;      /* NULL when unknown */
	long services;             /* sysServices 0..127, -1 unknown */
	/* Does this OID exist on the device (one of classify_oids())? NULL:
	 * no has_oid rule can match. */
	bool (*has_oid)(const char *oid, void *arg);
	void *arg;
};

struct classify_result {
	const char *cls;           /* borrowed from the rules */
	const char *profile;
	const char *file;          /* the rules file's base name */
	unsigned line;             /* of the rule's `define` */
};

/* Load a rules file. Errors name the file and line ("classify.cfg:12:
 * error: ..."). Returns 0, -ENOENT/-EACCES (cannot read), -EINVAL (bad
 * content), -ENOMEM. Caller frees. */
int classify_load(const char *path, struct classify_rules **out, char *err,
    size_t errlen) __attribute__((warn_unused_result));
/* The same from text in memory (name used in messages). */
int classify_parse(const char *name, const char *text,
    struct classify_rules **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));
void classify_free(struct classify_rules *r);

/* The first rule that matches d. Returns 0, or -ENOENT when none does. */
int classify_match(const struct classify_rules *r,
    const struct classify_device *d, struct classify_result *out)
    __attribute__((warn_unused_result));
/* Every has_oid OID of the rules, once each, in rule order: *oids points
 * into the rules (borrowed). Returns the count. */
size_t classify_oids(const struct classify_rules *r,
    const char *const **oids);
size_t classify_nrules(const struct classify_rules *r);

#endif
