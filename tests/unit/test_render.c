/*
 * Unit tests of graph rendering with real librrd: RRD files made with
 * rrd_create_r2 and a day of synthetic updates in a mkdtemp directory,
 * drawn with the shipped templates. Images are checked from their bytes:
 * the PNG signature and IHDR size against what rrd_graph_v reported, the
 * SVG header and its width attribute.
 */
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <rrd.h>

#include "render.h"
#include "template.h"

#ifndef TEST_SRCDIR
#define TEST_SRCDIR "."
#endif

#define STEP	300

/*
 * librrd 1.7's rrd_graph_v leaks strings it formats while drawing, and
 * fontconfig keeps its caches until exit: neither is ours to free. The
 * suppressions name their libraries only, so a leak of memory that Pharos
 * allocates itself is still reported.
 */
const char *__lsan_default_suppressions(void);
const char *__asan_default_options(void);

/* glibc's vasprintf has no frame pointers: unwind slowly so that the
 * stacks of librrd's strings reach librrd. */
const char *
__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

const char *
__lsan_default_suppressions(void)
{
	return "leak:librrd.so\nleak:libfontconfig.so\n";
}

struct fixture {
	char dir[64];
	char path[400];		/* the RRD file */
	char out[256];		/* the image */
	struct template_set *set;
	char **ds;
	size_t nds;
	char err[512];
};

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	const char *top = getenv("top_srcdir");
	char dir[4096];

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_render.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->out, sizeof(fx->out), "%s/out.img", fx->dir);
	fx->set = template_set_new();
	assert_non_null(fx->set);
	snprintf(dir, sizeof(dir), "%s/graphs/templates",
	    top != NULL && top[0] != '\0' ? top : TEST_SRCDIR);
	if (template_set_load_dir(fx->set, dir, fx->err, sizeof(fx->err)) != 0)
		fail_msg("%s", fx->err);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	render_names_free(fx->ds, fx->nds);
	template_set_free(fx->set);
	nftw(fx->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

/* Create fx->path (in subdir sub of the temp dir) with one GAUGE per
 * name, and feed it a day of values: fn(i, k) for DS k at step i. */
static void
make_rrd(struct fixture *fx, const char *sub, const char *const *names,
    size_t n, double (*fn)(int, size_t))
{
	char defs[8][64], upd[512], dir[256];
	const char *argv[12], *uargv[1];
	time_t end = time(NULL) / STEP * STEP, start = end - 86400;
	size_t k, len, na = 0;
	int i;

	snprintf(dir, sizeof(dir), "%s/%s", fx->dir, sub);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(fx->path, sizeof(fx->path), "%s/_HOST_.rrd", dir);
	for (k = 0; k < n; k++) {
		snprintf(defs[k], sizeof(defs[k]), "DS:%s:GAUGE:600:U:U",
		    names[k]);
		argv[na++] = defs[k];
	}
	argv[na++] = "RRA:AVERAGE:0.5:1:600";
	argv[na++] = "RRA:MIN:0.5:1:600";
	argv[na++] = "RRA:MAX:0.5:1:600";
	rrd_clear_error();
	if (rrd_create_r2(fx->path, STEP, start - 1, 0, NULL, NULL, (int)na,
	    argv) != 0)
		fail_msg("create: %s", rrd_get_error());
	for (i = 0; i <= 86400 / STEP; i++) {
		len = (size_t)snprintf(upd, sizeof(upd), "%lld",
		    (long long)(start + (time_t)i * STEP));
		for (k = 0; k < n; k++)
			len += (size_t)snprintf(upd + len, sizeof(upd) - len,
			    ":%.6f", fn(i, k));
		uargv[0] = upd;
		if (rrd_update_r(fx->path, NULL, 1, uargv) != 0)
			fail_msg("update: %s", rrd_get_error());
	}
	assert_int_equal(render_ds_names(fx->path, &fx->ds, &fx->nds, fx->err,
	    sizeof(fx->err)), 0);
	assert_int_equal(fx->nds, n);
}

/* rta, pl, rtmin, rtmax: a daily wave, loss now and then. */
static double
icmp_value(int i, size_t k)
{
	double rta = 20 + 10 * sin(i / 20.0);

	switch (k) {
	case 0:
		return rta;
	case 1:
		return i % 37 == 0 ? 20 : 0;
	case 2:
		return rta * 0.7;
	default:
		return rta * 1.6;
	}
}

static double
if_value(int i, size_t k)
{
	return (k == 0 ? 4e8 : 1e8) * (1.2 + sin(i / 15.0 + (double)k));
}

static void
make_icmp(struct fixture *fx)
{
	static const char *const names[] = { "rta", "pl", "rtmin", "rtmax" };

	make_rrd(fx, "core-router", names, 4, icmp_value);
}

static const char *const *
ds(struct fixture *fx)
{
	return (const char *const *)fx->ds;
}

/* The whole file at path; *len gets its size. Caller frees. */
static unsigned char *
slurp(const char *path, size_t *len)
{
	unsigned char *buf = malloc(1 << 20);
	FILE *fp = fopen(path, "rb");

	assert_non_null(buf);
	assert_non_null(fp);
	*len = fread(buf, 1, (1 << 20) - 1, fp);
	fclose(fp);
	buf[*len] = '\0';
	return buf;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* A PNG: the signature, then IHDR (length 13) first with width and
 * height. */
static void
assert_png(const unsigned char *img, size_t len, long w, long h)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r',
		'\n', 0x1a, '\n' };

	assert_true(len > 33);
	assert_memory_equal(img, sig, 8);
	assert_int_equal(be32(img + 8), 13);
	assert_memory_equal(img + 12, "IHDR", 4);
	assert_int_equal(be32(img + 16), (uint32_t)w);
	assert_int_equal(be32(img + 20), (uint32_t)h);
}

static void
test_render_png_size_matches_info(void **state)
{
	struct fixture *fx = *state;
	struct render_opts o = { "-1d", "now", RENDER_PNG, 400, 150,
		"core-router", NULL, 0, 0, 0, NULL, 0 };
	const struct template *t;
	struct render_info info;
	unsigned char *img;
	size_t len;
	int rc;

	make_icmp(fx);
	t = template_set_match(fx->set, ds(fx), fx->nds);
	assert_non_null(t);
	assert_string_equal(t->name, "latency");
	rc = render_graph(t, fx->path, ds(fx), fx->nds, &o, fx->out, &info,
	    fx->err, sizeof(fx->err));
	if (rc != 0)
		fail_msg("%s", fx->err);
	/* smoke, rta line, loss ticks */
	assert_int_equal(info.drawn, 3);
	assert_int_equal(info.graph_width, 400);
	assert_int_equal(info.graph_height, 150);
	/* rrd_graph sizes the whole image: axes, title, legend around */
	assert_true(info.image_width > 400 && info.image_height > 150);
	assert_null(info.image);
	img = slurp(fx->out, &len);
	assert_png(img, len, info.image_width, info.image_height);
	free(img);
}

static void
test_render_svg_has_header_and_width(void **state)
{
	struct fixture *fx = *state;
	struct render_opts o = { NULL, NULL, RENDER_SVG, 500, 120,
		"core-router", NULL, 0, 0, 0, NULL, 0 };
	struct render_info info;
	unsigned char *img;
	char attr[64];
	size_t len;

	make_icmp(fx);
	if (render_graph(template_set_find(fx->set, "loss"), fx->path, ds(fx),
	    fx->nds, &o, fx->out, &info, fx->err, sizeof(fx->err)) != 0)
		fail_msg("%s", fx->err);
	img = slurp(fx->out, &len);
	assert_true(strncmp((char *)img, "<?xml", 5) == 0 ||
	    strncmp((char *)img, "<svg", 4) == 0);
	assert_non_null(strstr((char *)img, "<svg"));
	snprintf(attr, sizeof(attr), "width=\"%ldpt\"", info.image_width);
	if (strstr((char *)img, attr) == NULL) {
		snprintf(attr, sizeof(attr), "width=\"%ld\"", info.image_width);
		assert_non_null(strstr((char *)img, attr));
	}
	free(img);
}

static void
test_render_to_memory(void **state)
{
	struct fixture *fx = *state;
	struct render_opts o = { "-12h", "now", RENDER_PNG, 0, 0, "h", "s",
		0, 0, 0, NULL, 0 };
	struct render_info info;

	make_icmp(fx);
	if (render_graph(template_set_find(fx->set, "generic"), fx->path,
	    ds(fx), fx->nds, &o, NULL, &info, fx->err, sizeof(fx->err)) != 0)
		fail_msg("%s", fx->err);
	assert_int_equal(info.drawn, 4);	/* every DS a line */
	assert_int_equal(info.graph_width, RENDER_WIDTH_DEFAULT);
	assert_non_null(info.image);
	assert_png(info.image, info.image_len, info.image_width,
	    info.image_height);
	free(info.image);
}

static int
has_arg(const struct render_args *a, const char *prefix)
{
	size_t i;

	for (i = 0; i < a->argc; i++)
		if (strncmp(a->argv[i], prefix, strlen(prefix)) == 0)
			return 1;
	return 0;
}

static void
test_render_interface_mirrored_with_percentile(void **state)
{
	static const char *const names[] = { "in_bps", "out_bps", "in_util",
		"out_util" };
	struct fixture *fx = *state;
	struct render_opts o = { "-1d", "now", RENDER_PNG, 300, 100, "sw1",
		"Gi0/1", 0, 0, 0, NULL, 0 };
	struct render_args a;
	struct render_info info;
	const struct template *t;
	unsigned char *img;
	size_t len;

	/* a ':' in the directory must be escaped in the DEFs */
	make_rrd(fx, "sw:1", names, 4, if_value);
	t = template_set_match(fx->set, ds(fx), fx->nds);
	assert_non_null(t);
	assert_string_equal(t->name, "traffic");
	memset(&a, 0, sizeof(a));
	assert_int_equal(render_build(t, fx->path, ds(fx), fx->nds, &o,
	    fx->out, &a, fx->err, sizeof(fx->err)), 0);
	assert_true(has_arg(&a, "CDEF:m1_0=d1_0,-1,*"));
	assert_true(has_arg(&a, "VDEF:p2_0=d0_0,95,PERCENT"));
	assert_true(has_arg(&a, "CDEF:q3_0=d1_0,POP,p3_0,-1,*"));
	assert_true(has_arg(&a, "AREA:m1_0#1F77B4:out"));
	assert_true(has_arg(&a, "DEF:d0_0="));
	assert_non_null(strstr(a.argv[a.argc - 1], "HRULE:0#000000"));
	assert_true(has_arg(&a, "sw1 Gi0/1: traffic"));
	render_args_free(&a);
	if (render_graph(t, fx->path, ds(fx), fx->nds, &o, fx->out, &info,
	    fx->err, sizeof(fx->err)) != 0)
		fail_msg("%s", fx->err);
	assert_int_equal(info.drawn, 4);
	img = slurp(fx->out, &len);
	assert_png(img, len, info.image_width, info.image_height);
	free(img);
}

static void
test_render_errors(void **state)
{
	struct fixture *fx = *state;
	struct render_opts o = { NULL, NULL, RENDER_PNG, 0, 0, NULL, NULL,
		0, 0, 0, NULL, 0 };
	struct render_info info;
	char **names = NULL, missing[300];
	size_t n = 0;

	make_icmp(fx);
	/* the traffic template finds nothing of an icmp file */
	assert_int_equal(render_graph(template_set_find(fx->set, "traffic"),
	    fx->path, ds(fx), fx->nds, &o, fx->out, &info, fx->err,
	    sizeof(fx->err)), -ENODATA);
	assert_non_null(strstr(fx->err, "draws nothing"));
	o.width = 10;
	assert_int_equal(render_graph(template_set_find(fx->set, "latency"),
	    fx->path, ds(fx), fx->nds, &o, fx->out, &info, fx->err,
	    sizeof(fx->err)), -EINVAL);
	o.width = 0;
	o.start = "yesterday-ish garbage";
	assert_int_equal(render_graph(template_set_find(fx->set, "latency"),
	    fx->path, ds(fx), fx->nds, &o, fx->out, &info, fx->err,
	    sizeof(fx->err)), -EIO);
	assert_non_null(strstr(fx->err, "rrd_graph: "));
	snprintf(missing, sizeof(missing), "%s/none.rrd", fx->dir);
	assert_int_equal(render_ds_names(missing, &names, &n, fx->err,
	    sizeof(fx->err)), -ENOENT);
	assert_null(names);
}

/* in_util grows from 20 to 60 over the day, out_util stays at 10. */
static double
util_value(int i, size_t k)
{
	if (k == 0)
		return 4e8;
	if (k == 1)
		return 1e8;
	return k == 2 ? 20 + 40.0 * i / (86400 / STEP) : 10;
}

/* Whether some argument contains needle. */
static int
has_sub(const struct render_args *a, const char *needle)
{
	size_t i;

	for (i = 0; i < a->argc; i++)
		if (strstr(a->argv[i], needle) != NULL)
			return 1;
	return 0;
}

static void
test_render_projection(void **state)
{
	static const char *const names[] = { "in_bps", "out_bps", "in_util",
		"out_util" };
	struct fixture *fx = *state;
	struct render_opts o = { NULL, NULL, RENDER_PNG, 400, 150, "sw1",
		"Gi0/1", 1, 80, 86400, NULL, 0 };
	const struct template *t = template_set_find(fx->set, "utilization");
	struct render_args a;
	struct render_info info;
	unsigned char *img;
	char want[600];
	size_t len;

	make_rrd(fx, "sw1", names, 4, util_value);
	assert_non_null(t);
	o.now = (long long)time(NULL);
	memset(&a, 0, sizeof(a));
	if (render_build(t, fx->path, ds(fx), fx->nds, &o, "-", &a, fx->err,
	    sizeof(fx->err)) != 0)
		fail_msg("%s", fx->err);
	/* the fitted window is the period back from now; the graph shows
	 * as much again after now */
	snprintf(want, sizeof(want), "DEF:f0_d=%s:in_util:AVERAGE:start=%lld:"
	    "end=%lld", fx->path, o.now - 86400, o.now);
	assert_true(has_arg(&a, want));
	snprintf(want, sizeof(want), "%lld", o.now + 86400);
	assert_true(has_arg(&a, want));
	assert_true(has_arg(&a, "VDEF:f0_a=f0_d,LSLSLOPE"));
	assert_true(has_arg(&a, "VDEF:f0_b=f0_d,LSLINT"));
	assert_true(has_arg(&a, "VDEF:f0_s=f0_x,LSLSLOPE"));
	assert_true(has_arg(&a, "VDEF:f1_a=f1_d,LSLSLOPE"));	/* out_util */
	assert_false(has_sub(&a, "f2_"));	/* not the bps DSs */
	assert_true(has_arg(&a, "LINE2:f0_p"));
	assert_true(has_sub(&a, ":trend in_util"));
	assert_true(has_sub(&a, "trend out_util"));
	assert_true(has_arg(&a, "HRULE:80#D62728:threshold 80:dashes"));
	assert_true(has_arg(&a, "GPRINT:f0_r:"));
	render_args_free(&a);

	/* --metric: that DS only, even one the template does not draw */
	o.metric = "in_bps";
	o.threshold = 1e9;
	memset(&a, 0, sizeof(a));
	assert_int_equal(render_build(t, fx->path, ds(fx), fx->nds, &o, "-",
	    &a, fx->err, sizeof(fx->err)), 0);
	assert_true(has_sub(&a, "DEF:f0_d=") && has_sub(&a, ":in_bps:"));
	assert_false(has_sub(&a, "f1_"));
	assert_true(has_arg(&a, "HRULE:1000000000#"));
	render_args_free(&a);
	o.metric = "nosuch";
	memset(&a, 0, sizeof(a));
	assert_int_equal(render_build(t, fx->path, ds(fx), fx->nds, &o, "-",
	    &a, fx->err, sizeof(fx->err)), -ENODATA);
	assert_non_null(strstr(fx->err, "nosuch"));
	o.metric = NULL;
	o.threshold = 80;
	o.period = 60;		/* under an hour */
	assert_int_equal(render_build(t, fx->path, ds(fx), fx->nds, &o, "-",
	    &a, fx->err, sizeof(fx->err)), -EINVAL);
	o.period = 86400;

	/* drawn by librrd: a valid PNG of the size it reports */
	if (render_graph(t, fx->path, ds(fx), fx->nds, &o, fx->out, &info,
	    fx->err, sizeof(fx->err)) != 0)
		fail_msg("%s", fx->err);
	assert_int_equal(info.graph_width, 400);
	img = slurp(fx->out, &len);
	assert_png(img, len, info.image_width, info.image_height);
	free(img);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_render_png_size_matches_info, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_render_svg_has_header_and_width, setup, teardown),
		cmocka_unit_test_setup_teardown(test_render_to_memory, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_render_interface_mirrored_with_percentile, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_render_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_render_projection, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
