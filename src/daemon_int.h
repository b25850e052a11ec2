/*
 * daemon_int: what the files of pharosd's context share (daemon.c: start,
 * stop and the query ops; daemon_status.c: the status op; daemon_cmd.c:
 * external commands; daemon_reload.c: reload and configuration snapshots).
 */
#ifndef PHAROS_DAEMON_INT_H
#define PHAROS_DAEMON_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "annot.h"
#include "check.h"
#include "extcmd.h"
#include "flap.h"
#include "loop.h"
#include "notify.h"
#include "objects.h"

struct config;
struct jobwire_key;
struct remote;
struct daemon_opts;

/* An object whose results are checked for freshness: its index in the
 * objects, and when a check of it was last forced (0: never). */
struct daemon_fresh {
	size_t index;
	int64_t forced;
};

struct daemon {
	struct config *cfg;
	struct config **cfgp; /* the caller's pointer: a reload replaces it */
	const struct daemon_opts *opts;
	struct loop *loop;
	struct icmp *icmp;
	struct snmp_poller *snmp;
	struct snmp_checks *snmp_checks;
	struct discovery *disc;
	struct topology_run *topo; /* saved topology refresh; NULL: unused */
	struct exec *exec;
	struct sched *sched;
	struct stats *stats; /* the "stats" op's numbers (stats.h) */
	struct state *state;
	struct evlog *ev;
	struct query *query;
	struct commands *commands; /* external commands, once the engine runs */
	struct cmdfifo *cmdfifo;   /* NULL without command_file */
	struct store *store; /* NULL without rrd_dir */
	struct daemon_traps *traps; /* NULL without trap_listen */
	/* remote pollers (daemon_remote.c); NULL without gearman_servers */
	struct remote *remote;
	struct jobwire_key *remote_key; /* read as root, until started */
	char **addresses; /* resolved host names, by host index */
	char archive_dir[4096]; /* of the event log; "" = no rotation */
	int64_t start_time;
	/* user data, flapping, retention, notifications (daemon_annot.c,
	 * daemon_notify.c, daemon_retain.c) */
	struct annot *annot;
	struct annot_callbacks annot_cb;
	struct loop_timer annot_timer;   /* downtime transitions */
	struct flap *host_flap;          /* by host index */
	struct flap *svc_flap;           /* by service index */
	struct retention *retention;     /* NULL without a retention file */
	struct loop_timer retain_timer;  /* retention_update_interval */
	struct tp_table *tps;
	struct notify *notify;
	/* the object whose downtime start is being notified (it does not
	 * count as in downtime for that notification), or NULL */
	const void *dt_starting;
	struct loop_timer notify_timer;
	/* freshness (daemon_event.c): the objects with check_freshness */
	struct loop_timer fresh_timer;
	struct daemon_fresh *fresh_svcs;
	size_t nfresh_svcs;
	struct daemon_fresh *fresh_hosts;
	size_t nfresh_hosts;
	/* the monitor's own health (daemon_self.c) */
	char retention_error[512]; /* "" when the last write worked */
	uint64_t self_spawn_failed, self_disc_failed, self_rot_errors;
	/* reload and configuration snapshots (daemon_reload.c) */
	char config_snapshot[64]; /* the running one's id; "" when none */
	uint64_t reloads, reload_failures;
	int64_t last_reload; /* epoch seconds; 0: never */
	/* monitor isolation (daemon_netaware.c); NULL when netlink failed */
	struct netaware *netaware;
	/* the ARP prober, its capture handles opened as root at start when
	 * the configuration has arp checks or host_check_fallback arp */
	struct arp *arp;
	/* program-wide switches (daemon_cmd.c): the main file's values at
	 * start, then retention's, then the external commands'; a reload
	 * keeps them */
	struct daemon_program {
		bool notifications;
		bool host_checks;
		bool service_checks;
		bool event_handlers;
	} prog;
};

/* Results of checks (active or passive): to the metric store, then to the
 * state engine. */
void daemon_host_result(void *arg, struct host *h, struct check_result *res);
void daemon_service_result(void *arg, struct service *s,
    struct check_result *res);

/* daemon.c: a new executor, scheduler and state engine for cfg and its
 * resolved addresses (borrowed), not started. 0, or -ENOMEM with nothing
 * made. */
int daemon_engine_new(struct daemon *d, struct config *cfg, char **addrs,
    struct exec **exec, struct sched **sched, struct state **state);

/* daemon_trap.c: SNMP trap reception (docs/traps.md). open: as root,
 * before the privilege drop (engine ID file, UDP sockets); 0 or -1
 * (logged). The traps op; the counters for the stats op (JSON null when
 * off). */
int daemon_traps_open(struct daemon *d, bool root, uid_t uid, gid_t gid);
void daemon_traps_free(struct daemon *d);
/* A reload to nc (before it replaces d->cfg): new trap_community values
 * and the storm rate and burst apply at once; changed trap_listen,
 * trap_user or trap_engine_id_file are warned about (restart required;
 * added to warn) and keep their running values in nc. */
void daemon_traps_reload(struct daemon *d, struct config *nc,
    json_t *warn);
int daemon_op_traps(struct daemon *d, json_t *req, json_t **data,
    char *err, size_t errlen);
json_t *daemon_traps_json(const struct daemon *d);
/* daemon_trap_engine.c: the receiver's engine ID, read from cfg's
 * trap_engine_id_file (default: trap-engine-id in the state folder) or
 * made there; this start counted in *boots and written back (owned by
 * uid:gid when root). id: TRAP_ENGINE_MAX bytes. 0 or -1 (logged). */
int daemon_trap_engine(const struct config *cfg, bool root, uid_t uid,
    gid_t gid, unsigned char *id, size_t *len, unsigned long *boots);

/* daemon_status.c: the status op. */
int daemon_op_status(struct daemon *d, json_t *req, json_t **data,
    char *err, size_t errlen);

/* daemon_reload.c: SIGHUP and the reload op load the main file again and
 * replace the engine (docs/reload.md); the configuration archive is
 * prepared while root (folder made and given to uid:gid) and a snapshot
 * taken of every configuration that loads. */
void daemon_reload_signal(struct daemon *d);
int daemon_op_reload(struct daemon *d, json_t *req, json_t **data,
    char *err, size_t errlen);
void daemon_confarch_prepare(struct daemon *d, bool root, uid_t uid,
    gid_t gid);
void daemon_confarch_snapshot(struct daemon *d);
json_t *daemon_reload_json(const struct daemon *d);

/* daemon_cmd.c: the command file and the command op. Start after the
 * engine exists; 0 or -1 (logged). */
int daemon_commands_start(struct daemon *d);
void daemon_commands_stop(struct daemon *d);
int daemon_op_command(struct daemon *d, json_t *req, json_t **data,
    char *err, size_t errlen);
json_t *daemon_commands_json(const struct daemon *d);
/* The program-wide switches: from the configuration (before the notify
 * engine starts), and as status JSON fields into o. */
void daemon_program_defaults(struct daemon *d);
void daemon_program_json_into(const struct daemon *d, json_t *o);

/* daemon_annot.c */
int daemon_annot_command(struct daemon *d, const struct extcmd *x,
    char *err, size_t errlen);
int daemon_annot_sync(struct daemon *d);
/* Arm the downtime timer (after retention restored the downtimes). */
void daemon_annot_begin(struct daemon *d);
void daemon_applied(void *arg, struct host *h, struct service *s,
    int prev_state, enum state_type prev_type, bool alert);
void daemon_annot_json(const struct daemon *d, const struct host *h,
    const struct service *s, json_t *o);
json_t *daemon_annot_lists_json(const struct daemon *d);

/* daemon_retain.c: annot, flap arrays and retention; load before the
 * first check (-1: do not start), save at stop and on a timer. */
int daemon_retain_start(struct daemon *d);
void daemon_retain_stop(struct daemon *d);
int daemon_retention_save(struct daemon *d);

/* daemon_notify.c */
int daemon_notify_start(struct daemon *d);
void daemon_notify_stop(struct daemon *d);
/* Aim the timer at the engine's next due time (after states were put
 * back with notify_set_state()). */
void daemon_notify_rearm(struct daemon *d);
void daemon_notify_checked(struct daemon *d, const struct host *h,
    const struct service *s);
void daemon_notify_event(struct daemon *d, const struct host *h,
    const struct service *s, enum notify_type type, const char *author,
    const char *comment);
void daemon_notify_custom(struct daemon *d, const struct extcmd *x);
json_t *daemon_notify_json(const struct daemon *d);

/* daemon_self.c: the built-in pharos_self check (exec_set_self). */
void daemon_self_check(void *arg, const struct check_job *job,
    struct check_result *res);

/* daemon_netaware.c: monitor isolation (docs/network-awareness.md).
 * start: after the engine; 0 (also when netlink is unavailable: logged,
 * isolation off) or -1 (out of memory). paused: the scheduler's may_run
 * says no for hosts the monitor is cut off from. drop: true when a result
 * must not reach the state engine (the host is isolated, or the check
 * started before its link came back: checked again). isolation: the text
 * "monitor isolated from N hosts via IF[, ...]" into buf, returns the
 * number of isolated hosts. */
int daemon_netaware_start(struct daemon *d);
void daemon_netaware_stop(struct daemon *d);
bool daemon_netaware_paused(struct daemon *d, const struct host *h);
bool daemon_netaware_drop(struct daemon *d, struct host *h, struct service *s,
    const struct check_result *res);
int daemon_netaware_isolation(struct daemon *d, char *buf, size_t len);
/* The ARP prober, at start while root: capture handles on every Ethernet
 * interface that is up when a host or service uses ARP, none otherwise.
 * 0, or -1 (out of memory; logged). */
int daemon_arp_open(struct daemon *d, bool root);
/* The "network" part of the stats op: isolation, netlink and ARP
 * counters (docs/network-awareness.md). */
json_t *daemon_netaware_json(struct daemon *d);

/* daemon_remote.c: remote pollers. prepare reads the key (while root),
 * start runs the gearman threads (after the drop); 0 or -1 (logged).
 * reloaded warns when a new configuration needs a restart for them.
 * unanswered: a host check no poller answered keeps the host's state
 * (true: handled, do not give it to the state engine). check: the
 * pharos_self!poller!NAME service. */
int daemon_remote_prepare(struct daemon *d);
int daemon_remote_start(struct daemon *d);
void daemon_remote_stop(struct daemon *d);
void daemon_remote_reloaded(struct daemon *d, const struct config *nc);
bool daemon_remote_unanswered(struct daemon *d, struct host *h,
    struct check_result *res);
void daemon_remote_check(struct daemon *d, const char *name,
    struct check_result *res);

/* daemon_event.c: event handlers after logged state changes; freshness
 * checks on a timer. start: 0 or -1 (out of memory). */
int daemon_event_start(struct daemon *d);
void daemon_event_stop(struct daemon *d);
void daemon_event_handlers(struct daemon *d, struct host *h,
    struct service *s);

#endif
