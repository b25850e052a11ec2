/*
 * pharos_config: `pharos reload` asks pharosd to load its configuration
 * again (the query socket's reload op) and prints what it answered, the
 * errors of a refused configuration one per line. `pharos config` works on
 * the archive of configuration snapshots (confarch.h) named by the main
 * file's config_archive_dir:
 *
 *   pharos config list            the snapshots, oldest first
 *   pharos config diff A [B]      diff -ruN of two snapshots (B: running)
 *   pharos config revert ID       the files back, verified, then a reload
 *
 * The main file is loaded as pharosd loads it (conf_load_flags), both to
 * find the archive and to verify a reverted configuration before the
 * daemon is asked to use it. Text from the daemon is untrusted: control
 * characters are replaced before it reaches the terminal.
 */
#include "pharos_config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "confarch.h"

enum {
	PHAROS_CFG_OK = 0,
	PHAROS_CFG_ERROR = 1,
	PHAROS_CFG_USAGE = 2,
	PHAROS_CFG_CONNECT = 3,
};

static void
pharos_config_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pharos [-c MAIN_CFG] config list\n"
	    "       pharos [-c MAIN_CFG] config diff ID [ID2]\n"
	    "       pharos [-c MAIN_CFG] config revert ID\n"
	    "\n"
	    "Every configuration pharosd loads is kept as a snapshot in "
	    "config_archive_dir.\n"
	    "  list     the snapshots, oldest first; * marks the one "
	    "pharosd runs\n"
	    "  diff     what changed from snapshot ID to ID2 (default: the "
	    "running one)\n"
	    "  revert   put the files of snapshot ID back, verify them and "
	    "ask pharosd\n"
	    "           to reload\n"
	    "ID is a snapshot's id, a unique prefix of one, 'running' or "
	    "'newest'.\n");
}

static int
pharos_config_usage_error(const char *msg)
{
	fprintf(stderr, "pharos: config: %s\nTry 'pharos config -h'.\n", msg);
	return PHAROS_CFG_USAGE;
}

/* Print one line of untrusted text with control characters replaced. */
static void
pharos_config_put(FILE *fp, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] == '\t')
			fputc(' ', fp);
		else if (p[i] < 0x20 || p[i] == 0x7f || (p[i] == 0xc2 &&
		    i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f)) {
			fputc('?', fp);
			i += p[i] == 0xc2;
		} else
			fputc(p[i], fp);
	}
}

/* Each line of msg on its own line, prefixed. */
static void
pharos_config_lines(FILE *fp, const char *prefix, const char *msg)
{
	const char *nl;

	for (; msg != NULL && *msg != '\0'; msg = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(msg, '\n');
		fputs(prefix, fp);
		pharos_config_put(fp, msg, nl != NULL ? (size_t)(nl - msg) :
		    strlen(msg));
		fputc('\n', fp);
	}
}

/* ---- reload ------------------------------------------------------------ */

static int
pharos_reload_ask(pharos_config_call_fn *call, void *arg)
{
	json_t *req, *resp = NULL, *data, *w;
	const char *msg, *snap;
	size_t i;
	int rc;

	if ((req = json_pack("{s:i, s:s}", "v", 1, "op", "reload")) == NULL)
		return PHAROS_CFG_ERROR;
	rc = call(arg, req, &resp);
	json_decref(req);
	if (rc != PHAROS_CFG_OK)
		return rc;
	if (json_integer_value(json_object_get(resp, "v")) != 1 ||
	    !json_is_boolean(json_object_get(resp, "ok"))) {
		fprintf(stderr, "pharos: the daemon answered in an unknown "
		    "protocol version\n");
		json_decref(resp);
		return PHAROS_CFG_CONNECT;
	}
	if (!json_is_true(json_object_get(resp, "ok"))) {
		msg = json_string_value(json_object_get(resp, "error"));
		fputs("pharos: reload refused: ", stderr);
		pharos_config_lines(stderr, "", msg != NULL ? msg :
		    "(no message)");
		json_decref(resp);
		return PHAROS_CFG_ERROR;
	}
	data = json_object_get(resp, "data");
	snap = json_string_value(json_object_get(data, "snapshot"));
	printf("pharosd reloaded its configuration: %lld hosts, %lld "
	    "services", (long long)json_integer_value(json_object_get(data,
	    "hosts")), (long long)json_integer_value(json_object_get(data,
	    "services")));
	if (snap != NULL) {
		fputs(" (snapshot ", stdout);
		pharos_config_put(stdout, snap, strlen(snap));
		fputc(')', stdout);
	}
	fputc('\n', stdout);
	json_array_foreach(json_object_get(data, "warnings"), i, w)
		pharos_config_lines(stdout, "warning: ", json_string_value(w));
	json_decref(resp);
	return fflush(stdout) == 0 ? PHAROS_CFG_OK : PHAROS_CFG_ERROR;
}

int
pharos_reload_main(int argc, char **argv, pharos_config_call_fn *call,
    void *arg)
{
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		printf("usage: pharos [-c MAIN_CFG | -s SOCKET] reload\n"
		    "Ask pharosd to load its configuration again (as SIGHUP "
		    "does).\nA configuration with errors is refused and "
		    "its errors printed;\npharosd then keeps running the "
		    "previous one.\n");
		return PHAROS_CFG_OK;
	}
	if (argc != 1) {
		fprintf(stderr, "pharos: reload takes no arguments\n");
		return PHAROS_CFG_USAGE;
	}
	return pharos_reload_ask(call, arg);
}

/* ---- config ------------------------------------------------------------ */

/* The configuration as pharosd would load it now (caller frees), or NULL
 * after printing why. */
static struct config *
pharos_config_load(const char *main_cfg)
{
	struct config *cfg = NULL;

	if (conf_load_flags(main_cfg, CONF_MONITOR_HOST, &cfg) != 0) {
		fprintf(stderr, "pharos: out of memory reading %s\n",
		    main_cfg);
		return NULL;
	}
	return cfg;
}

static void
pharos_config_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%S%z", &tm) == 0)
		snprintf(buf, len, "-");
}

static int
pharos_config_list(const char *dir)
{
	struct confarch_snap *v;
	char err[512], run[CONFARCH_ID_MAX], when[64];
	size_t n, i;

	if (confarch_list(dir, &v, &n, err, sizeof(err)) != 0) {
		fprintf(stderr, "pharos: %s\n", err);
		return PHAROS_CFG_ERROR;
	}
	if (confarch_get_running(dir, run, sizeof(run)) != 0)
		run[0] = '\0';
	if (n == 0)
		printf("No snapshots in %s.\n", dir);
	else
		printf("%-28s %-24s %5s  %s\n", "ID", "TIME", "FILES",
		    "RUNNING");
	for (i = 0; i < n; i++) {
		pharos_config_time(v[i].time, when, sizeof(when));
		printf("%-28s %-24s %5zu  %s\n", v[i].id, when, v[i].nfiles,
		    strcmp(v[i].id, run) == 0 ? "*" : "");
	}
	free(v);
	return fflush(stdout) == 0 ? PHAROS_CFG_OK : PHAROS_CFG_ERROR;
}

static int
pharos_config_diff(const char *dir, int argc, char **argv)
{
	char a[CONFARCH_ID_MAX], b[CONFARCH_ID_MAX], err[512];
	int rc;

	if (argc < 2 || argc > 3)
		return pharos_config_usage_error("diff takes one or two "
		    "snapshot ids");
	rc = confarch_find(dir, argv[1], a, sizeof(a), err, sizeof(err));
	if (rc == 0 && argc == 3)
		rc = confarch_find(dir, argv[2], b, sizeof(b), err,
		    sizeof(err));
	else if (rc == 0 && confarch_find(dir, "running", b, sizeof(b), err,
	    sizeof(err)) != 0)
		rc = confarch_find(dir, "newest", b, sizeof(b), err,
		    sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "pharos: %s\n", err);
		return PHAROS_CFG_ERROR;
	}
	fflush(stdout);
	rc = confarch_diff(dir, a, b, STDOUT_FILENO, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "pharos: %s\n", err);
		return PHAROS_CFG_ERROR;
	}
	if (rc == 0)
		fprintf(stderr, "pharos: snapshots %s and %s hold the same "
		    "files\n", a, b);
	return PHAROS_CFG_OK;
}

/* Files the restored configuration reads that the snapshot does not
 * hold (a file added to a cfg_dir since): they are still read. */
static void
pharos_config_extra(const struct config *cfg, const char *dir,
    const char *id)
{
	struct confarch_file *f;
	const char *const *files;
	char err[512];
	size_t n, nf, i, j;

	if (confarch_files(dir, id, &f, &nf, err, sizeof(err)) != 0)
		return;
	n = conf_files(cfg, &files);
	for (i = 0; i < n; i++) {
		for (j = 0; j < nf && strcmp(files[i], f[j].path) != 0; j++)
			;
		if (j == nf)
			fprintf(stderr, "pharos: warning: %s is read by the "
			    "configuration but is not in snapshot %s; move it "
			    "away to get that configuration exactly\n",
			    files[i], id);
	}
	confarch_files_free(f, nf);
}

static int
pharos_config_revert(struct config *cfg, int argc, char **argv,
    pharos_config_call_fn *call, void *arg)
{
	const char *dir = cfg->config_archive_dir;
	const char *const *known;
	struct config *nc;
	char id[CONFARCH_ID_MAX], err[1024], *main_cfg = NULL;
	size_t nknown, n;
	int rc = PHAROS_CFG_ERROR;

	if (argc != 2)
		return pharos_config_usage_error("revert takes one snapshot "
		    "id");
	if (confarch_find(dir, argv[1], id, sizeof(id), err, sizeof(err)) !=
	    0) {
		fprintf(stderr, "pharos: %s\n", err);
		return PHAROS_CFG_ERROR;
	}
	nknown = conf_files(cfg, &known);
	if (confarch_revert(dir, id, cfg->main_file, known, nknown, &n, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "pharos: %s\n", err);
		return PHAROS_CFG_ERROR;
	}
	printf("restored %zu file(s) from snapshot %s\n", n, id);
	fflush(stdout);
	if ((main_cfg = strdup(cfg->main_file)) == NULL ||
	    (nc = pharos_config_load(main_cfg)) == NULL)
		goto out;
	pharos_config_extra(nc, dir, id);
	if (nc->nerrors > 0) {
		conf_print_msgs(nc, stderr);
		fprintf(stderr, "pharos: the restored configuration has %u "
		    "error(s); pharosd was not asked to reload\n",
		    nc->nerrors);
		conf_free(nc);
		goto out;
	}
	conf_free(nc);
	rc = pharos_reload_ask(call, arg);
out:
	free(main_cfg);
	return rc;
}

int
pharos_config_main(int argc, char **argv, const char *main_cfg,
    pharos_config_call_fn *call, void *arg)
{
	struct config *cfg;
	int rc;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		pharos_config_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? PHAROS_CFG_USAGE : PHAROS_CFG_OK;
	}
	if (strcmp(argv[1], "list") != 0 && strcmp(argv[1], "diff") != 0 &&
	    strcmp(argv[1], "revert") != 0)
		return pharos_config_usage_error("unknown command");
	if (strcmp(argv[1], "list") == 0 && argc != 2)
		return pharos_config_usage_error("list takes no arguments");
	if (access(main_cfg, R_OK) != 0) {
		fprintf(stderr, "pharos: cannot read %s: %s\n", main_cfg,
		    strerror(errno));
		return PHAROS_CFG_USAGE;
	}
	if ((cfg = pharos_config_load(main_cfg)) == NULL)
		return PHAROS_CFG_ERROR;
	if (strcmp(argv[1], "list") == 0)
		rc = pharos_config_list(cfg->config_archive_dir);
	else if (strcmp(argv[1], "diff") == 0)
		rc = pharos_config_diff(cfg->config_archive_dir, argc - 1,
		    argv + 1);
	else
		rc = pharos_config_revert(cfg, argc - 1, argv + 1, call, arg);
	conf_free(cfg);
	return rc;
}
