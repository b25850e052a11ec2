/*
 * topology_file: the saved topology, the file `parents auto` reads
 * (docs/topology.md). Written by `pharos topology --save`; one line per
 * placed host, tab-separated, after a version line:
 *
 *   # pharos topology 1
 *   dist1<TAB>core-router<TAB>lldp
 *   core-router<TAB>-<TAB>on-link
 *
 * The parent "-" is the monitor itself (no parent). Lines starting with
 * '#' are comments. The file is written atomically (temporary file,
 * fsync, rename). Reading refuses a file without the version line and
 * names the line of anything malformed.
 */
#ifndef PHAROS_TOPOLOGY_FILE_H
#define PHAROS_TOPOLOGY_FILE_H

#include <stddef.h>

struct topo;

#define TOPO_FILE_NAME "topology.dat"  /* default name in the state dir */
#define TOPO_FILE_MAX (16 * 1024 * 1024)

struct topo_saved_entry {
	char *host;
	char *parent;    /* NULL: the monitor */
	char *kind;      /* "lldp", "on-link", ... */
	unsigned line;   /* in the file */
};

struct topo_saved {
	struct topo_saved_entry *e; /* sorted by host */
	size_t n, cap;
};

/* The saved topology's path into buf: topology_file when set, else
 * TOPO_FILE_NAME next to state_retention_file when set, else next to
 * main_file. All borrowed; any but main_file may be NULL. */
void topo_file_default(const char *topology_file,
    const char *state_retention_file, const char *main_file, char *buf,
    size_t len);

/* Write the solved t's placed hosts to path. Returns 0 or -errno (err
 * filled). */
int topo_file_save(const char *path, const struct topo *t, char *err,
    size_t errlen) __attribute__((warn_unused_result));
/* Read path. Returns 0, -ENOENT when there is no file, -EINVAL for bad
 * content (err: "path:line: ..."), other -errno. Caller frees. */
int topo_file_load(const char *path, struct topo_saved **out, char *err,
    size_t errlen) __attribute__((warn_unused_result));
void topo_file_free(struct topo_saved *s);
/* The entry of host, or NULL (a binary search). */
const struct topo_saved_entry *topo_file_find(const struct topo_saved *s,
    const char *host);

#endif
