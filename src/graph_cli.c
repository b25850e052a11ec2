/*
 * graph_cli: `pharos graph`. Finds the RRD file of a host or service the
 * way the store names it (store_path()), reads its DS names, picks a
 * template (--template, else the best match of the template directory)
 * and has render.c draw it into memory; the image is then written to a
 * temporary file next to -o and renamed over it, so a reader never sees
 * half an image (or written to stdout for -o -).
 *
 * Everything here runs on the one thread of the client: librrd's graph
 * code is not thread-safe (graphs/render.h).
 */
#include "graph_cli.h"
#include "maincfg.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render.h"
#include "store.h"
#include "strnum.h"
#include "template.h"

#ifndef PHAROS_TEMPLATEDIR
#define PHAROS_TEMPLATEDIR "/usr/local/share/pharos/templates"
#endif


struct graph_opts {
	const char *host, *service;	/* borrowed from argv */
	const char *template_name;
	const char *template_dir;
	const char *rrd_dir;		/* from argv, or cfg_rrd_dir */
	const char *out;
	char *cfg_rrd_dir;		/* owned: rrd_dir= of the main file */
	struct render_opts r;
	int dry_run, list;
	int proj_opts;			/* --threshold, --period, --metric */
};

static void
graph_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pharos [-c MAIN_CFG] graph HOST [SERVICE] -o FILE "
	    "[options]\n"
	    "       pharos graph --list [-T TEMPLATE_DIR]\n"
	    "\n"
	    "Draw the RRD file of a host check (no SERVICE) or of a service.\n"
	    "\n"
	    "  -o FILE            the image to write ('-': standard output)\n"
	    "  --start TIME       rrdtool time, e.g. -1d, -1w, now-2h, an "
	    "epoch (default -1d)\n"
	    "  --end TIME         (default now)\n"
	    "  -t, --template NAME\n"
	    "                     the template to use (default: the best "
	    "match)\n"
	    "  --format png|svg   (default png)\n"
	    "  --width W, --height H\n"
	    "                     the plot area in pixels, %d..%d "
	    "(default %dx%d)\n"
	    "  -d RRD_DIR         the RRD files (default: rrd_dir= of -c "
	    "MAIN_CFG)\n"
	    "  -T TEMPLATE_DIR    the templates (default %s)\n"
	    "  --projection       the least-squares trend to the threshold "
	    "(dashed)\n"
	    "  --threshold N      the level of --projection (default 80)\n"
	    "  --period N[smhdw]  the history fitted (default 30d; plain N: "
	    "days)\n"
	    "  --metric LABEL     project this perfdata label (default: the "
	    "template's\n"
	    "                     in_util/out_util, else its lines and areas)\n"
	    "  -n, --dry-run      print the rrd_graph arguments, draw "
	    "nothing\n"
	    "  --list             list the templates and what they match\n"
	    "\n"
	    "exit status: 0 ok, 1 no file, no template or a drawing error, "
	    "2 usage error\n",
	    RENDER_SIZE_MIN, RENDER_SIZE_MAX, RENDER_WIDTH_DEFAULT,
	    RENDER_HEIGHT_DEFAULT, PHAROS_TEMPLATEDIR);
}

static int
graph_usage_error(const char *what, const char *arg)
{
	if (arg != NULL)
		fprintf(stderr, "pharos graph: %s '%s'\n", what, arg);
	else
		fprintf(stderr, "pharos graph: %s\n", what);
	fprintf(stderr, "Try 'pharos graph --help'.\n");
	return GRAPH_CLI_EXIT_USAGE;
}

/* rrd_dir= of the main file cfg (maincfg.h). Sets *out (caller frees;
 * NULL when the file sets none). Returns 0 or -errno (printed). */
static int
graph_cfg_rrd_dir(const char *cfg, char **out)
{
	static const char *const key[] = { "rrd_dir" };
	char err[512];
	int rc;

	if ((rc = maincfg_paths(cfg, key, out, 1, err, sizeof(err))) != 0)
		fprintf(stderr, "pharos graph: %s\n", err);
	return rc;
}

static int
graph_size(const char *s, int *out)
{
	long v;

	if (strnum_long(s, RENDER_SIZE_MIN, RENDER_SIZE_MAX, &v) != 0)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* Parse argv into *o. Returns -1 to go on, or an exit code. */
static int
graph_parse(int argc, char **argv, struct graph_opts *o)
{
	enum { O_START = 256, O_END, O_FORMAT, O_WIDTH, O_HEIGHT, O_LIST,
		O_PROJECTION, O_THRESHOLD, O_PERIOD, O_METRIC };
	static const struct option longopts[] = {
		{ "start", required_argument, NULL, O_START },
		{ "end", required_argument, NULL, O_END },
		{ "template", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "width", required_argument, NULL, O_WIDTH },
		{ "height", required_argument, NULL, O_HEIGHT },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "list", no_argument, NULL, O_LIST },
		{ "projection", no_argument, NULL, O_PROJECTION },
		{ "threshold", required_argument, NULL, O_THRESHOLD },
		{ "period", required_argument, NULL, O_PERIOD },
		{ "metric", required_argument, NULL, O_METRIC },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "o:t:d:T:nh", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'o':
			o->out = optarg;
			break;
		case 't':
			o->template_name = optarg;
			break;
		case 'd':
			o->rrd_dir = optarg;
			break;
		case 'T':
			o->template_dir = optarg;
			break;
		case 'n':
			o->dry_run = 1;
			break;
		case O_START:
			o->r.start = optarg;
			break;
		case O_END:
			o->r.end = optarg;
			break;
		case O_FORMAT:
			if (strcmp(optarg, "png") == 0)
				o->r.format = RENDER_PNG;
			else if (strcmp(optarg, "svg") == 0)
				o->r.format = RENDER_SVG;
			else
				return graph_usage_error("--format takes png "
				    "or svg, not", optarg);
			break;
		case O_WIDTH:
		case O_HEIGHT:
			if (graph_size(optarg, ch == O_WIDTH ? &o->r.width :
			    &o->r.height) != 0)
				return graph_usage_error("--width and --height "
				    "take pixels from 50 to 4000, not", optarg);
			break;
		case O_LIST:
			o->list = 1;
			break;
		case O_PROJECTION:
			o->r.projection = 1;
			break;
		case O_THRESHOLD:
			o->proj_opts = 1;
			if (strnum_double(optarg, 1e300, &o->r.threshold) != 0)
				return graph_usage_error("--threshold takes a "
				    "number, not", optarg);
			break;
		case O_PERIOD:
			o->proj_opts = 1;
			if (strnum_period(optarg, "smhdw", RENDER_PERIOD_MIN,
			    RENDER_PERIOD_MAX, &o->r.period) != 0)
				return graph_usage_error("--period takes 1h to "
				    "1830d (N[smhdw]), not", optarg);
			break;
		case O_METRIC:
			o->proj_opts = 1;
			if (optarg[0] == '\0')
				return graph_usage_error("--metric takes a "
				    "label", NULL);
			o->r.metric = optarg;
			break;
		case 'h':
			graph_usage(stdout);
			return fflush(stdout) == 0 ? GRAPH_CLI_EXIT_OK :
			    GRAPH_CLI_EXIT_ERROR;
		default:
			fprintf(stderr, "Try 'pharos graph --help'.\n");
			return GRAPH_CLI_EXIT_USAGE;
		}
	}
	if (o->list)
		return optind == argc ? -1 :
		    graph_usage_error("--list takes no HOST", NULL);
	if (optind >= argc)
		return graph_usage_error("give a HOST", NULL);
	o->host = argv[optind++];
	if (optind < argc)
		o->service = argv[optind++];
	if (optind < argc)
		return graph_usage_error("too many arguments from", argv[optind]);
	if (o->proj_opts && !o->r.projection)
		return graph_usage_error("--threshold, --period and --metric "
		    "go with --projection", NULL);
	if (o->out == NULL && !o->dry_run)
		return graph_usage_error("give the image file with -o", NULL);
	o->r.host = o->host;
	o->r.service = o->service;
	return -1;
}

static int
graph_list(const struct template_set *set)
{
	const struct template *t;
	size_t i, k;

	for (i = 0; i < template_set_count(set); i++) {
		t = template_set_get(set, i);
		printf("%-12s priority %4d%s  match", t->name, t->priority,
		    t->only ? " only" : "");
		for (k = 0; k < t->nmatch; k++)
			printf(" %s", t->match[k]);
		printf("\n");
	}
	return fflush(stdout) == 0 ? GRAPH_CLI_EXIT_OK : GRAPH_CLI_EXIT_ERROR;
}

/* Write len bytes to path through path.tmp.PID and rename, or to stdout
 * for "-". Returns 0 or -1 (printed). */
static int
graph_write(const char *path, const unsigned char *img, size_t len)
{
	char tmp[PATH_MAX];
	FILE *fp;
	int n;

	if (strcmp(path, "-") == 0) {
		if (fwrite(img, 1, len, stdout) != len || fflush(stdout) != 0) {
			fprintf(stderr, "pharos graph: writing the image: %s\n",
			    strerror(errno));
			return -1;
		}
		return 0;
	}
	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		fprintf(stderr, "pharos graph: %s: name too long\n", path);
		return -1;
	}
	if ((fp = fopen(tmp, "wxe")) == NULL)
		goto fail;
	if (fwrite(img, 1, len, fp) != len) {
		fclose(fp);
		goto fail_unlink;
	}
	if (fclose(fp) != 0 || rename(tmp, path) != 0)
		goto fail_unlink;
	return 0;
fail_unlink:
	n = errno;
	unlink(tmp);
	errno = n;
fail:
	fprintf(stderr, "pharos graph: %s: %s\n", path, strerror(errno));
	return -1;
}

/*
 * With --projection (and no --template or --metric) a file that has
 * in_util or out_util is drawn by the template of highest priority (the
 * first on a tie) that matches it and draws one of them, so the default
 * threshold of 80 is in %. NULL when none does.
 */
static const struct template *
graph_util_template(const struct template_set *set,
    const char *const *names, size_t n)
{
	const struct template *t, *best = NULL;
	size_t i, k, e;
	int has = 0;

	for (k = 0; k < n; k++)
		if (strcmp(names[k], "in_util") == 0 ||
		    strcmp(names[k], "out_util") == 0)
			has = 1;
	for (i = 0; has && i < template_set_count(set); i++) {
		t = template_set_get(set, i);
		if (!template_matches(t, names, n) ||
		    (best != NULL && t->priority <= best->priority))
			continue;
		for (e = 0; e < t->nelem; e++)
			if ((t->elem[e].kind == TEMPLATE_LINE ||
			    t->elem[e].kind == TEMPLATE_AREA) &&
			    (template_pattern_match(t->elem[e].ds, "in_util") ||
			    template_pattern_match(t->elem[e].ds, "out_util")))
				break;
		if (e < t->nelem)
			best = t;
	}
	return best;
}

/* Draw (or print the arguments of) the graph. Returns an exit code. */
static int
graph_draw(struct graph_opts *o, const struct template_set *set)
{
	char path[PATH_MAX], err[512], **names = NULL;
	struct render_args a = { NULL, 0, 0, 0 };
	struct render_info info;
	const struct template *t;
	size_t n = 0, i;
	int rc = GRAPH_CLI_EXIT_ERROR;

	if (store_path(o->rrd_dir, o->host, o->service, path,
	    sizeof(path)) != 0)
		return graph_usage_error("name too long:", o->service != NULL ?
		    o->service : o->host);
	if (render_ds_names(path, &names, &n, err, sizeof(err)) != 0) {
		fprintf(stderr, "pharos graph: %s\n", err);
		return GRAPH_CLI_EXIT_ERROR;
	}
	if (o->template_name != NULL) {
		t = template_set_find(set, o->template_name);
		if (t == NULL) {
			fprintf(stderr, "pharos graph: no template '%s' (see "
			    "'pharos graph --list')\n", o->template_name);
			goto done;
		}
	} else if ((!o->r.projection || o->r.metric != NULL ||
	    (t = graph_util_template(set, (const char *const *)names,
	    n)) == NULL) && (t = template_set_match(set,
	    (const char *const *)names, n)) == NULL) {
		fprintf(stderr, "pharos graph: no template matches %s\n",
		    path);
		goto done;
	}
	if (o->dry_run) {
		if (render_build(t, path, (const char *const *)names, n, &o->r,
		    o->out != NULL ? o->out : "-", &a, err, sizeof(err)) != 0) {
			fprintf(stderr, "pharos graph: %s\n", err);
			goto done;
		}
		printf("# template %s, file %s\n", t->name, path);
		for (i = 0; i < a.argc; i++)
			printf("%s\n", a.argv[i]);
		render_args_free(&a);
		rc = fflush(stdout) == 0 ? GRAPH_CLI_EXIT_OK :
		    GRAPH_CLI_EXIT_ERROR;
		goto done;
	}
	if (render_graph(t, path, (const char *const *)names, n, &o->r, NULL,
	    &info, err, sizeof(err)) != 0) {
		fprintf(stderr, "pharos graph: %s\n", err);
		goto done;
	}
	if (graph_write(o->out, info.image, info.image_len) == 0)
		rc = GRAPH_CLI_EXIT_OK;
	free(info.image);
done:
	render_names_free(names, n);
	return rc;
}

int
graph_cli_main(int argc, char **argv, const char *cfg)
{
	struct graph_opts o;
	struct template_set *set = NULL;
	char err[512];
	int rc;

	memset(&o, 0, sizeof(o));
	o.template_dir = PHAROS_TEMPLATEDIR;
	o.r.threshold = RENDER_THRESHOLD_DEFAULT;
	if ((rc = graph_parse(argc, argv, &o)) >= 0)
		return rc;
	if (!o.list && o.rrd_dir == NULL && cfg != NULL) {
		if (graph_cfg_rrd_dir(cfg, &o.cfg_rrd_dir) != 0)
			return GRAPH_CLI_EXIT_USAGE;
		o.rrd_dir = o.cfg_rrd_dir;
	}
	if (!o.list && o.rrd_dir == NULL)
		return graph_usage_error(cfg != NULL ? "the main file sets no "
		    "rrd_dir: give -d RRD_DIR" : "give -d RRD_DIR or -c MAIN_CFG",
		    NULL);
	rc = GRAPH_CLI_EXIT_ERROR;
	if ((set = template_set_new()) == NULL) {
		fprintf(stderr, "pharos graph: out of memory\n");
		goto done;
	}
	if (template_set_load_dir(set, o.template_dir, err, sizeof(err)) != 0) {
		fprintf(stderr, "pharos graph: %s\n", err);
		goto done;
	}
	rc = o.list ? graph_list(set) : graph_draw(&o, set);
done:
	template_set_free(set);
	free(o.cfg_rrd_dir);
	return rc;
}
