/*
 * map_data: the device map's input (graphs/maplayout.h) made from what
 * pharosd answered for the user (the status op: visible hosts with their
 * visible parents, host groups and services), plus the link joining each
 * host to its first parent when it can be told (docs/web-map.md, "Links"):
 * an interface of the parent (from the discovery cache) whose ifAlias or
 * name holds the child's host name, or one of the child naming the parent;
 * its state and utilization come from the "Interface NAME" service of
 * that host when the user sees one, else the oper status in the cache.
 */
#ifndef PHAROS_MAP_DATA_H
#define PHAROS_MAP_DATA_H

#include <jansson.h>
#include <stddef.h>

#include "maplayout.h"

struct map_data {
	struct maplayout_in *in;	/* owned; names borrow from status */
	size_t n;
	size_t *par;			/* owned: every parent index */
	const char **grp;		/* owned array; strings borrowed */
	json_t *status;			/* a reference held */
	size_t links;			/* links found */
	size_t monitor;			/* the monitor's own host (the status
					 * op's "monitor"), or SIZE_MAX */
	size_t adopted;			/* hosts without a parent put under
					 * it */
};

/*
 * Build md (zeroed by the caller) from the status op's data (a reference
 * is taken). Hosts without a name are skipped; parents not among the
 * hosts (not visible) are left out. The monitor's own host (marked
 * "monitor"), when visible and without a parent itself, becomes the
 * parent of every other host without one, so the map grows from the
 * monitor outward. Returns 0, -EINVAL (not a status
 * answer; message in err) or -ENOMEM.
 */
int map_data_build(json_t *status, struct map_data *md, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/*
 * Fill the links of md from the discovery cache at cache_path (NULL or
 * unreadable: no links, not an error) and the services of the status.
 */
void map_data_links(struct map_data *md, const char *cache_path);

/* The utilization of an interface service's perfdata: the higher of
 * in_util and out_util, -1 when neither is there. */
double map_data_util(const char *perfdata);

void map_data_free(struct map_data *md);	/* NULL: no-op */

#endif
