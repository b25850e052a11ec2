/*
 * perfdata: a bounded parser of Nagios performance data,
 * `'label'=value[UOM];[warn];[crit];[min];[max]` items separated by
 * white space (see CONVENTIONS.md section 2). Plugin output is untrusted:
 * every field has a cap, malformed items are skipped and counted, and the
 * parser never reads past the terminating NUL.
 */
#ifndef PHAROS_PERFDATA_H
#define PHAROS_PERFDATA_H

#include <stddef.h>

#define PERFDATA_ITEMS_MAX	64	/* items kept from one string */
#define PERFDATA_LABEL_MAX	127	/* bytes of a label, unquoted */
#define PERFDATA_UOM_MAX	15	/* bytes of a unit of measure */
#define PERFDATA_RANGE_MAX	31	/* bytes of a warn or crit range */

struct perfdata_item {
	char label[PERFDATA_LABEL_MAX + 1];	/* unquoted, '' -> ' */
	char uom[PERFDATA_UOM_MAX + 1];		/* raw, "" when none */
	char warn[PERFDATA_RANGE_MAX + 1];	/* range text, "" when none */
	char crit[PERFDATA_RANGE_MAX + 1];
	double value;		/* meaningful when !value_unknown */
	double min;		/* meaningful when has_min */
	double max;		/* meaningful when has_max */
	int value_unknown;	/* the value was `U` */
	int has_min;
	int has_max;
};

/*
 * Parse perfdata (borrowed, NUL-terminated; NULL is an empty string) into
 * items[0..cap). *nitems gets the number of items kept; the return value
 * is the number of malformed items skipped, including well-formed items
 * beyond cap. Never fails: a string of junk gives 0 items and a count.
 */
size_t perfdata_parse(const char *perfdata, struct perfdata_item *items,
    size_t cap, size_t *nitems);

#endif
