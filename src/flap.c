/*
 * flap: the state history ring and Nagios' curved percent state change.
 *
 * Invariants: f->next < FLAP_HISTORY is both the slot the next state goes
 * to and the oldest entry; walking FLAP_HISTORY entries from f->next gives
 * the history oldest first. Every entry holds a state 0..7 (0 before any
 * state was recorded). f->flapping changes only in flap_record() (with
 * detection enabled) and flap_disable().
 *
 * The percent is recomputed from the ring on every call rather than kept
 * up to date incrementally: 20 comparisons per check, and nothing can
 * drift.
 */
#include "flap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Nagios 4's weights: the oldest transition 0.75, the newest 1.25. */
#define FLAP_CURVE_LOW 0.75
#define FLAP_CURVE_HIGH 1.25
#define FLAP_TRANSITIONS (FLAP_HISTORY - 1)
#define FLAP_MAX_STATE 7

void
flap_params_init(struct flap_params *p)
{
	p->low = 0.0;
	p->high = 0.0;
	p->global_low = FLAP_LOW_DEFAULT;
	p->global_high = FLAP_HIGH_DEFAULT;
	p->options = FLAP_OPT_ALL;
	p->enabled = true;
}

double
flap_low(const struct flap_params *p)
{
	return p->low > 0.0 ? p->low : p->global_low;
}

double
flap_high(const struct flap_params *p)
{
	return p->high > 0.0 ? p->high : p->global_high;
}

/* The bit of one option word, or -1. Letters and Nagios' long names. */
static int
flap_option_bit(const char *w, size_t n, enum flap_kind kind)
{
	static const char *const host[] = {"o", "up", "d", "down", "u",
	    "unreachable"};
	static const char *const svc[] = {"o", "ok", "w", "warning", "c",
	    "critical", "u", "unknown"};
	const char *const *names = kind == FLAP_HOST ? host : svc;
	size_t i, count = kind == FLAP_HOST ? 6 : 8;

	for (i = 0; i < count; i++)
		if (strlen(names[i]) == n && strncmp(names[i], w, n) == 0)
			return (int)(i / 2);
	return -1;
}

int
flap_options_parse(const char *s, enum flap_kind kind, unsigned *out)
{
	unsigned opts = 0;
	size_t n;
	int bit;

	for (;;) {
		s += strspn(s, ", \t");
		if (*s == '\0')
			break;
		n = strcspn(s, ", \t");
		if ((n == 1 && *s == 'n') || (n == 4 && !strncmp(s, "none", 4)))
			opts = 0;
		else if ((n == 1 && *s == 'a') ||
		         (n == 3 && !strncmp(s, "all", 3)))
			opts = FLAP_OPT_ALL;
		else if ((bit = flap_option_bit(s, n, kind)) >= 0)
			opts |= 1u << bit;
		else
			return -EINVAL;
		s += n;
	}
	*out = opts;
	return 0;
}

bool
flap_service_counts(int state, bool hard)
{
	return hard || state == 0;
}

double
flap_percent(const struct flap *f)
{
	double changes = 0.0;
	unsigned prev, cur;
	size_t x, y;

	y = f->next % FLAP_HISTORY;
	prev = f->states[y];
	for (x = 1; x < FLAP_HISTORY; x++) {
		y = (y + 1) % FLAP_HISTORY;
		cur = f->states[y];
		/* transition x of 20: 0.75 + (x - 1) * 0.5 / 19 */
		if (cur != prev)
			changes += FLAP_CURVE_LOW + (double)(x - 1) *
			    (FLAP_CURVE_HIGH - FLAP_CURVE_LOW) /
			    (double)(FLAP_TRANSITIONS - 1);
		prev = cur;
	}
	return changes * 100.0 / (double)FLAP_TRANSITIONS;
}

void
flap_record(struct flap *f, int state, const struct flap_params *p,
    bool *started, bool *stopped)
{
	double pct;

	if (started != NULL)
		*started = false;
	if (stopped != NULL)
		*stopped = false;
	if (state >= 0 && state <= FLAP_MAX_STATE &&
	    (p->options & (1u << state)) != 0) {
		f->next %= FLAP_HISTORY;
		f->states[f->next] = (unsigned char)state;
		f->next = (unsigned char)((f->next + 1) % FLAP_HISTORY);
	}
	if (!p->enabled)
		return;
	/* Nagios decides even when nothing was recorded: the thresholds may
	 * have changed since. Between low and high nothing changes. */
	pct = flap_percent(f);
	if (!f->flapping && pct >= flap_high(p)) {
		f->flapping = true;
		if (started != NULL)
			*started = true;
	} else if (f->flapping && pct <= flap_low(p)) {
		f->flapping = false;
		if (stopped != NULL)
			*stopped = true;
	}
}

bool
flap_disable(struct flap *f)
{
	bool was = f->flapping;

	f->flapping = false;
	return was;
}

int
flap_format(char *buf, size_t len, const char *host, const char *service,
    enum flap_event ev, const struct flap *f, const struct flap_params *p)
{
	const char *kind = service != NULL ? "SERVICE" : "HOST";
	const char *who = service != NULL ? "Service" : "Host";
	const char *sep = service != NULL ? ";" : "";
	const char *svc = service != NULL ? service : "";
	double pct = flap_percent(f);

	switch (ev) {
	case FLAP_STARTED:
		return snprintf(buf, len,
		    "%s FLAPPING ALERT: %s%s%s;STARTED; %s appears to have "
		    "started flapping (%2.1f%% change %s %2.1f%% threshold)",
		    kind, host, sep, svc, who, pct,
		    service != NULL ? ">=" : ">", flap_high(p));
	case FLAP_STOPPED:
		return snprintf(buf, len,
		    "%s FLAPPING ALERT: %s%s%s;STOPPED; %s appears to have "
		    "stopped flapping (%2.1f%% change < %2.1f%% threshold)",
		    kind, host, sep, svc, who, pct, flap_low(p));
	case FLAP_DISABLED:
	default:
		return snprintf(buf, len,
		    "%s FLAPPING ALERT: %s%s%s;DISABLED; Flap detection has "
		    "been disabled", kind, host, sep, svc);
	}
}
