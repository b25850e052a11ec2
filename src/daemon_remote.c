/*
 * daemon_remote: pharosd's remote pollers (docs/scaling.md). The key is
 * read while still root (daemon_remote_prepare), the gearman threads
 * start once privileges are dropped (daemon_remote_start) and live until
 * the daemon stops: a reload keeps them (changing gearman_servers or the
 * key needs a restart, which is said). The monitor host's "Poller NAME"
 * services (pharos_self!poller!NAME) report on each poller, and a host
 * check that no poller answered leaves the host in its state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "conf.h"
#include "daemon_int.h"
#include "jobwire.h"
#include "log.h"
#include "remote.h"
#include "sched.h"

int
daemon_remote_prepare(struct daemon *d)
{
	const struct config *cfg = d->cfg;
	char err[512];

	if (cfg->gearman_servers == NULL || cfg->poller_key_file == NULL)
		return 0;
	if (jobwire_init() != 0) {
		log_warnx("remote pollers: libsodium cannot start");
		return -1;
	}
	if ((d->remote_key = sodium_malloc(sizeof(*d->remote_key))) == NULL) {
		log_warnx("out of memory");
		return -1;
	}
	if (jobwire_key_load(cfg->poller_key_file, d->remote_key, err,
	    sizeof(err)) != 0) {
		log_warnx("remote pollers: %s", err);
		sodium_free(d->remote_key);
		d->remote_key = NULL;
		return -1;
	}
	return 0;
}

int
daemon_remote_start(struct daemon *d)
{
	const struct config *cfg = d->cfg;
	struct remote_options ro = { 0 };
	char err[512];
	int rc;

	if (d->remote_key == NULL)
		return 0;
	ro.servers = cfg->gearman_servers;
	ro.key = d->remote_key;
	ro.result_queue = cfg->gearman_result_queue;
	ro.grace_ns = (int64_t)cfg->poller_timeout * LOOP_NS_PER_SEC;
	rc = remote_new(d->loop, &ro, &d->remote, err, sizeof(err));
	sodium_free(d->remote_key); /* remote keeps its own copy */
	d->remote_key = NULL;
	if (rc != 0) {
		log_warnx("remote pollers: %s", err);
		return -1;
	}
	log_info("remote pollers: jobs to gearmand at %s, results on %s",
	    cfg->gearman_servers, cfg->gearman_result_queue != NULL ?
	    cfg->gearman_result_queue : REMOTE_DEFAULT_RESULT_QUEUE);
	return 0;
}

void
daemon_remote_stop(struct daemon *d)
{
	remote_free(d->remote);
	d->remote = NULL;
	if (d->remote_key != NULL)
		sodium_free(d->remote_key);
	d->remote_key = NULL;
}

void
daemon_remote_reloaded(struct daemon *d, const struct config *nc)
{
	size_t i;

	if (d->remote != NULL)
		return;
	for (i = 0; i < nc->objects.nhosts; i++)
		if (nc->objects.hosts[i]->poller != NULL) {
			log_warnx("hosts have pollers but the remote executor "
			    "was not started: restart pharosd to start it");
			return;
		}
}

bool
daemon_remote_unanswered(struct daemon *d, struct host *h,
    struct check_result *res)
{
	struct check_status *st = &h->st;
	int64_t iv;

	if (!res->unanswered)
		return false;
	/* No poller answered: say so, keep the host's state and attempt. */
	free(st->output);
	st->output = res->output;
	res->output = NULL;
	st->last_check_time = res->start_time;
	iv = st->state == HOST_UP || st->state == HOST_PENDING ?
	    h->check_interval_ns : h->retry_interval_ns;
	if (iv <= 0)
		iv = h->check_interval_ns;
	if (iv > 0 && d->sched != NULL)
		sched_host_next(d->sched, h, loop_now(d->loop) + iv);
	return true;
}

void
daemon_remote_check(struct daemon *d, const char *name,
    struct check_result *res)
{
	struct remote_poller_info pi;
	struct remote_counters c;
	long long ago;

	if (name[0] == '\0') {
		check_result_set(res, CHECK_UNKNOWN, "pharos_self!poller: no "
		    "poller name given");
		return;
	}
	if (d->remote == NULL) {
		check_result_set(res, CHECK_CRITICAL, "CRITICAL - poller %s "
		    "unavailable: the remote executor is not running (see "
		    "gearman_servers and poller_key_file)", name);
		return;
	}
	remote_poller_info(d->remote, name, &pi);
	remote_get_counters(d->remote, &c);
	ago = pi.last_answer > 0 ? (long long)(time(NULL) - pi.last_answer) :
	    -1;
	if (!pi.available)
		check_result_set(res, CHECK_CRITICAL, "CRITICAL - poller %s "
		    "unavailable: %s|workers=%d unanswered=%llu late=%llu "
		    "rejected=%llu", name, pi.workers == 0 ?
		    "no worker serves its queue on gearmand" :
		    "its last checks went unanswered", pi.workers < 0 ? 0 :
		    pi.workers, (unsigned long long)pi.unanswered,
		    (unsigned long long)c.late,
		    (unsigned long long)c.rejected);
	else if (pi.workers < 0)
		check_result_set(res, CHECK_WARNING, "WARNING - poller %s: "
		    "gearmand does not answer status queries|unanswered=%llu",
		    name, (unsigned long long)pi.unanswered);
	else
		check_result_set(res, CHECK_OK, "OK - poller %s: %d worker(s)"
		    "%s%s%s|workers=%d sent=%llu answered=%llu "
		    "unanswered=%llu late=%llu duplicate=%llu rejected=%llu",
		    name, pi.workers, ago >= 0 ? ", last answer from " : "",
		    ago >= 0 ? pi.last_worker : "", ago >= 0 ? "" : ", no "
		    "answer yet", pi.workers, (unsigned long long)pi.sent,
		    (unsigned long long)pi.answered,
		    (unsigned long long)pi.unanswered,
		    (unsigned long long)c.late,
		    (unsigned long long)c.duplicate,
		    (unsigned long long)c.rejected);
}
