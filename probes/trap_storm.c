/*
 * trap_storm: per-source token buckets (see trap_storm.h). The table is
 * an array of slots found by a string hash of the source and a probe run
 * of at most TRAP_STORM_PROBES slots; a slot holds its source, its bucket
 * (tokens and the time they were last filled) and its pending counts.
 * Invariant: a slot with src[0] == '\0' is free and has no counts.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "trap_storm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 64

struct storm_slot {
	char src[64];            /* "" = free */
	char label[64];
	double tokens;
	int64_t last_ns;
	struct {
		char name[NAME_MAX_LEN];
		uint64_t n;
	} names[TRAP_STORM_NAMES];
	uint64_t other;
	uint64_t pending;
};

struct trap_storm {
	struct storm_slot *slots;
	size_t nslots;
	double rate, burst;
	trap_storm_fn *report;
	void *arg;
	uint64_t suppressed;
};

static size_t
storm_hash(const char *s)
{
	size_t h = 5381;

	for (; *s != '\0'; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

int
trap_storm_new(size_t slots, double rate, double burst,
    trap_storm_fn *report, void *arg, struct trap_storm **out)
{
	struct trap_storm *s;

	*out = NULL;
	if (slots == 0 || rate <= 0 || burst < 1 || report == NULL)
		return -EINVAL;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->slots = calloc(slots, sizeof(*s->slots))) == NULL) {
		free(s);
		return -ENOMEM;
	}
	s->nslots = slots;
	s->rate = rate;
	s->burst = burst;
	s->report = report;
	s->arg = arg;
	*out = s;
	return 0;
}

void
trap_storm_free(struct trap_storm *s)
{
	if (s == NULL)
		return;
	free(s->slots);
	free(s);
}

void
trap_storm_set(struct trap_storm *s, double rate, double burst)
{
	if (rate > 0)
		s->rate = rate;
	if (burst >= 1)
		s->burst = burst;
}

/* Report and clear the pending counts of one slot. */
static bool
storm_report(struct trap_storm *s, struct storm_slot *sl)
{
	const char *label = sl->label[0] != '\0' ? sl->label : sl->src;

	if (sl->pending == 0)
		return false;
	for (int i = 0; i < TRAP_STORM_NAMES; i++) {
		if (sl->names[i].n > 0)
			s->report(sl->src, label, sl->names[i].name,
			    sl->names[i].n, s->arg);
		sl->names[i].n = 0;
		sl->names[i].name[0] = '\0';
	}
	if (sl->other > 0)
		s->report(sl->src, label, NULL, sl->other, s->arg);
	sl->other = 0;
	sl->pending = 0;
	return true;
}

size_t
trap_storm_flush(struct trap_storm *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nslots; i++)
		if (storm_report(s, &s->slots[i]))
			n++;
	return n;
}

uint64_t
trap_storm_suppressed(const struct trap_storm *s)
{
	return s->suppressed;
}

static struct storm_slot *
storm_slot(struct trap_storm *s, const char *src, int64_t now)
{
	size_t h = storm_hash(src), oldest = SIZE_MAX;
	struct storm_slot *sl = NULL;

	for (size_t k = 0; k < TRAP_STORM_PROBES && k < s->nslots; k++) {
		size_t i = (h + k) % s->nslots;
		struct storm_slot *c = &s->slots[i];

		if (c->src[0] == '\0' || strcmp(c->src, src) == 0) {
			sl = c;
			break;
		}
		if (oldest == SIZE_MAX || c->last_ns < s->slots[oldest].last_ns)
			oldest = i;
	}
	if (sl == NULL) {
		/* a full run: reuse its least recently seen slot */
		sl = &s->slots[oldest];
		(void)storm_report(s, sl);
		sl->src[0] = '\0';
	}
	if (sl->src[0] == '\0') {
		memset(sl, 0, sizeof(*sl));
		snprintf(sl->src, sizeof(sl->src), "%s", src);
		sl->tokens = s->burst;
		sl->last_ns = now;
	}
	return sl;
}

bool
trap_storm_admit(struct trap_storm *s, const char *source,
    const char *label, const char *name, int64_t now_ns)
{
	struct storm_slot *sl = storm_slot(s, source, now_ns);

	snprintf(sl->label, sizeof(sl->label), "%s", label != NULL ? label :
	    "");
	if (now_ns > sl->last_ns)
		sl->tokens += (double)(now_ns - sl->last_ns) / 1e9 * s->rate;
	if (sl->tokens > s->burst)
		sl->tokens = s->burst;
	sl->last_ns = now_ns > sl->last_ns ? now_ns : sl->last_ns;
	if (sl->tokens >= 1.0) {
		sl->tokens -= 1.0;
		return true;
	}
	s->suppressed++;
	sl->pending++;
	for (int i = 0; i < TRAP_STORM_NAMES; i++) {
		if (sl->names[i].n > 0 && strcmp(sl->names[i].name, name) != 0)
			continue;
		if (sl->names[i].n == 0)
			snprintf(sl->names[i].name, sizeof(sl->names[i].name),
			    "%s", name);
		sl->names[i].n++;
		return false;
	}
	sl->other++;
	return false;
}
