/*
 * conf: reading the main configuration file and the Nagios-syntax object
 * files it names, resolving templates and references, and verifying the
 * result (what `pharosd -v` reports).
 *
 * Loading reads files only: nothing is opened on the network and nothing is
 * started; host names given as addresses are checked for syntax, not
 * resolved (the daemon resolves them when it starts). Every problem becomes
 * a diagnostic with the file and line it was found at; the loader goes on
 * after an error where it can, so one run lists as many problems as
 * possible.
 */
#ifndef PHAROS_CONF_H
#define PHAROS_CONF_H

#include <stdio.h>

#include "objects.h"

struct trap_conf;

enum conf_level {
	CONF_WARNING,
	CONF_ERROR,
};

struct conf_msg {
	enum conf_level level;
	char *file; /* NULL when the message is not about a file position */
	int line;   /* 0 when unknown */
	char *text; /* without a trailing newline or period */
};

#define CONF_MAX_USER_MACROS 256
#define CONF_DEFAULT_ICMP_RATE 2000
#define CONF_DEFAULT_DISCOVERY_INTERVAL (6 * 3600)
#define CONF_MAX_ICMP_RATE 1000000

struct config {
	char *main_file; /* absolute path of the main config file */
	char *base_dir;  /* its folder; relative paths resolve against it */

	/* Main file keys. Paths are absolute after loading (resolved against
	 * base_dir); NULL when unset and without a default. */
	char *log_file;
	/* Where rotated event logs go (NULL: "archives" next to log_file)
	 * and how often (logarch.h; default daily). */
	char *log_archive_path;
	int log_rotation_method; /* enum logarch_method */
	char *query_socket;
	/* The web interface's cgi.cfg: its authorized_for_* lists decide
	 * what a query with auth_user sees (docs/web.md); NULL: contacts
	 * only. */
	char *cgi_config_file;
	char *command_file;
	char *state_retention_file;
	/* The saved topology `parents auto` reads (docs/topology.md); NULL:
	 * topology.dat next to state_retention_file, else the main file.
	 * default_parents=auto gives hosts without parents `parents auto`. */
	char *topology_file;
	bool default_parents_auto;
	bool topology_auto_used; /* some host has parents auto */
	int retention_update_interval; /* minutes between writes, default 60 */
	/* Event handlers: enable_event_handlers (default 1) and the global
	 * ones as written ("cmd!args") and resolved (NULL when unset). */
	bool enable_event_handlers;
	/* The monitor's own host (conf_monitor.c); NULL: "pharos", "-":
	 * none. */
	char *monitor_host_name;
	char *global_host_event_handler;
	char *global_service_event_handler;
	struct check_spec *global_host_handler;
	struct check_spec *global_service_handler;
	char *resource_file;
	char *rrd_dir;
	/* rrdcached's address (unix:/path, host:port, ...; checked by the
	 * store at start), NULL: librrd writes rrd_dir directly. */
	char *rrdcached_address;
	/* Remote pollers (conf_remote.c, docs/scaling.md); NULL when unset:
	 * gearmand's "host:port,...", the shared key file, the result queue
	 * (NULL: "pharos_results"); poller_timeout: seconds a remote check
	 * may take beyond its own timeout (0: 10). */
	char *gearman_servers;
	char *poller_key_file;
	char *gearman_result_queue;
	int poller_timeout;
	/* Snapshots of every configuration loaded (docs/reload.md); default
	 * "config-archive" next to state_retention_file, else next to the
	 * main file. */
	char *config_archive_dir;
	/* SNMP discovery (docs/snmp-profiles.md): where results are kept,
	 * where profiles are read (NULL: the installed ones), the template
	 * discovered services use (NULL: "generic-service" when it exists)
	 * and seconds between discoveries of a host (default 6 hours). */
	char *discovery_cache_file;
	char *profile_dir;
	char *discovered_service_template;
	int discovery_interval;
	/* SNMP trap reception (docs/traps.md): the trap_* keys and the trap
	 * rules (src/traprule.h, conf_trap.c); NULL without trap_* keys. */
	struct trap_conf *trap;
	char *pharos_user;  /* default "pharos" */
	char *pharos_group; /* default "pharos" */
	int interval_length; /* seconds per interval unit, default 60 */
	/* Echo requests per second across all ICMP targets (the prober's
	 * global pacing), 1..CONF_MAX_ICMP_RATE, default 2000. */
	int icmp_max_rate;
	/* host_check_fallback: what a failed host check tries before the
	 * host is DOWN, for hosts that do not set it (enum host_fallback in
	 * objects.h; default none). */
	int host_check_fallback;
	/* Seconds a plugin may run before its process group is killed
	 * (Nagios' keys and defaults: 60 for services, 30 for hosts). */
	int service_check_timeout;
	int host_check_timeout;
	/* Nagios' notification and flapping switches (default 1) and flap
	 * thresholds in percent (defaults 5.0 and 20.0, for hosts and
	 * services alike). */
	bool enable_notifications;
	bool enable_flap_detection;
	double low_host_flap_threshold;
	double high_host_flap_threshold;
	double low_service_flap_threshold;
	double high_service_flap_threshold;

	/* $USER1$..$USER256$ from resource_file; index 0 is $USER1$. NULL when
	 * unset. */
	char *user_macros[CONF_MAX_USER_MACROS];

	struct objects objects;

	/* The files this load read (conf_files()). */
	const char **files;
	size_t nfiles;

	/* Diagnostics in the order they were found. */
	struct conf_msg *msgs;
	size_t nmsgs;
	unsigned nwarnings;
	unsigned nerrors;
};

/*
 * Load and verify the configuration whose main file is path.
 * Returns 0 and sets *out to a new config (caller frees with conf_free())
 * even when the configuration has errors: check (*out)->nerrors; the
 * objects are usable only when nerrors is 0. Returns -ENOMEM (and *out NULL)
 * only when memory ran out.
 */
int conf_load(const char *path, struct config **out)
    __attribute__((warn_unused_result));
/* The same, with CONF_MONITOR_HOST: the configuration also gets the
 * monitor's own host and its "Pharos health" service (monitor_host_name;
 * pharosd and pharosd -v load this way). */
#define CONF_MONITOR_HOST 0x1u
int conf_load_flags(const char *path, unsigned flags, struct config **out)
    __attribute__((warn_unused_result));

/* Free a config and its objects. NULL is a no-op. */
void conf_free(struct config *cfg);

/* The files the load read, as absolute paths: the main file first, then
 * the resource files and object files, sorted, each once (text made in
 * memory from the discovery cache is not a file and is not listed). Sets
 * *out (borrowed; lives as long as cfg) and returns how many. */
size_t conf_files(const struct config *cfg, const char *const **out);

/* Print the diagnostics, one per line, in the form editors understand:
 * "file:line: error: text" (or "error: text" without a position). */
void conf_print_msgs(const struct config *cfg, FILE *fp);

/* Print the `pharosd -v` report in the shape Nagios prints: reading lines,
 * diagnostics, "Checked N hosts." counts, circular path checks, totals, and
 * "Things look okay ..." when there are no errors. */
void conf_print_report(const struct config *cfg, FILE *fp);

#endif
