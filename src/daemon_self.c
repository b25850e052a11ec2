/*
 * daemon_self: the built-in pharos_self check, run on the monitor's own
 * host (conf_monitor.c). Without arguments (the host check) it says
 * pharosd runs. With "health" it looks at what can go wrong with Pharos
 * itself and reports the worst:
 *
 *   CRITICAL  the retention file cannot be written (state, acks and
 *             downtimes would be lost at the next restart); no IPv4 ICMP
 *             socket could be opened; the monitor is isolated from hosts
 *             by a link or route of its own (daemon_netaware.c)
 *   WARNING   plugins failed to start, SNMP discoveries failed or the
 *             event log could not be rotated since the last health check
 *   OK        otherwise, with what pharosd does
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "conf.h"
#include "daemon_int.h"
#include "discovery.h"
#include "evlog.h"
#include "exec.h"
#include "icmp.h"
#include "plugin.h"

struct daemon_problems {
	int code;
	char text[1024];
	size_t len;
};

static void __attribute__((format(printf, 3, 4)))
daemon_problem(struct daemon_problems *p, int code, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (code > p->code)
		p->code = code;
	if (p->len > 0 && p->len + 2 < sizeof(p->text))
		p->len += (size_t)snprintf(p->text + p->len,
		    sizeof(p->text) - p->len, "; ");
	if (p->len >= sizeof(p->text))
		return;
	va_start(ap, fmt);
	n = vsnprintf(p->text + p->len, sizeof(p->text) - p->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		p->len += (size_t)n;
	if (p->len >= sizeof(p->text))
		p->len = sizeof(p->text) - 1;
}

/* A counter grew since the last health check. */
static uint64_t
daemon_grew(uint64_t now, uint64_t *seen)
{
	uint64_t d = now > *seen ? now - *seen : 0;

	*seen = now;
	return d;
}

static void
daemon_health(struct daemon *d, struct daemon_problems *p)
{
	const struct plugin_counters *pc = exec_get_plugin_counters(d->exec);
	struct discovery_counters dc;
	uint64_t rot = 0, roterr = 0, n;
	char iso[512];

	if (d->retention_error[0] != '\0')
		daemon_problem(p, CHECK_CRITICAL, "retention not written: %s",
		    d->retention_error);
	if (!icmp_has_family(d->icmp, AF_INET))
		daemon_problem(p, CHECK_CRITICAL, "no IPv4 ICMP socket");
	if ((n = daemon_grew(pc->spawn_failed, &d->self_spawn_failed)) > 0)
		daemon_problem(p, CHECK_WARNING, "%llu plugin(s) could not be "
		    "started", (unsigned long long)n);
	discovery_get_counters(d->disc, &dc);
	if ((n = daemon_grew(dc.failed, &d->self_disc_failed)) > 0)
		daemon_problem(p, CHECK_WARNING, "%llu SNMP discovery(ies) "
		    "failed", (unsigned long long)n);
	if (daemon_netaware_isolation(d, iso, sizeof(iso)) > 0)
		daemon_problem(p, CHECK_CRITICAL, "%s", iso);
	evlog_counters(d->ev, &rot, &roterr);
	if ((n = daemon_grew(roterr, &d->self_rot_errors)) > 0)
		daemon_problem(p, CHECK_WARNING, "event log rotation failed");
}

void
daemon_self_check(void *arg, const struct check_job *job,
    struct check_result *res)
{
	struct daemon *d = arg;
	struct daemon_problems p = { CHECK_OK, "", 0 };
	const struct objects *o = &d->cfg->objects;
	long long up = (long long)(time(NULL) - d->start_time);
	const char *what = job->spec->nargs > 0 ? job->spec->args[0] : "";

	if (strcmp(what, "poller") == 0) {
		daemon_remote_check(d, job->spec->nargs > 1 ?
		    job->spec->args[1] : "", res);
		return;
	}
	if (strcmp(what, "") != 0 && strcmp(what, "health") != 0) {
		check_result_set(res, CHECK_UNKNOWN, "pharos_self: unknown "
		    "argument '%s' (none, health, or poller!NAME)", what);
		return;
	}
	if (strcmp(what, "health") == 0)
		daemon_health(d, &p);
	if (p.code == CHECK_OK)
		check_result_set(res, CHECK_OK, "OK - Pharos %s running for "
		    "%lld s: %zu hosts, %zu services|uptime=%llds hosts=%zu "
		    "services=%zu", PACKAGE_VERSION, up, o->nhosts,
		    o->nservices, up, o->nhosts, o->nservices);
	else
		check_result_set(res, p.code, "%s - %s",
		    p.code == CHECK_CRITICAL ? "CRITICAL" : "WARNING", p.text);
}
