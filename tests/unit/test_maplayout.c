/*
 * Unit tests of the device map's layout (graphs/maplayout.h): what
 * "legible" means, asserted on synthetic topologies (one host, a deep
 * chain, a wide star of 1,000, random trees) in both layouts: no two boxes
 * overlap, every box is on the canvas, every label is drawn at the minimum
 * font size or more and fits its box, and the state colours meet WCAG AA
 * (contrast >= 4.5) against the canvas and their label text. Then
 * collapsing, the host group filter and the refusal of bad input.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "maplayout.h"

#define BIG 1000

/* A synthetic topology: names h0000.., parent indexes, groups. */
struct topo {
	struct maplayout_in in[BIG];
	size_t par[BIG];
	char name[BIG][24];
	const char *grp[BIG][1];
	size_t n;
};

static struct topo *
topo_new(size_t n)
{
	struct topo *t = calloc(1, sizeof(*t));
	size_t i;

	assert_non_null(t);
	t->n = n;
	for (i = 0; i < n; i++) {
		snprintf(t->name[i], sizeof(t->name[i]), "h%04zu", i);
		t->in[i].name = t->name[i];
		t->in[i].state = MAPLAYOUT_UP;
		t->in[i].util = -1;
	}
	return t;
}

static void
topo_parent(struct topo *t, size_t i, size_t p)
{
	t->par[i] = p;
	t->in[i].parents = &t->par[i];
	t->in[i].nparents = 1;
}

/* The estimate maplayout uses without a measure function. */
static int
est_width(const char *s, int px)
{
	size_t chars = 0;
	double w;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			chars++;
	w = (double)chars * 0.62 * px;
	return (int)w + ((double)(int)w < w);
}

/* Every legibility property of a finished map. */
static void
assert_legible(const struct maplayout *m)
{
	size_t i, j;

	assert_true(m->font_px >= MAPLAYOUT_FONT_MIN);
	for (i = 0; i < m->nnodes; i++) {
		const struct maplayout_node *a = &m->node[i];

		assert_true(a->x >= 0 && a->y >= 0);
		assert_true(a->x + a->w <= m->width);
		assert_true(a->y + a->h <= m->height);
		assert_true(a->w <= MAPLAYOUT_BOX_W_MAX);
		assert_true(a->h >= m->font_px);
		assert_true(est_width(a->label, m->font_px) <=
		    a->w - 2 * MAPLAYOUT_PAD + 1);
		for (j = i + 1; j < m->nnodes; j++) {
			const struct maplayout_node *b = &m->node[j];
			int overlap = a->x < b->x + b->w &&
			    b->x < a->x + a->w && a->y < b->y + b->h &&
			    b->y < a->y + a->h;

			if (overlap)
				fail_msg("boxes %zu (%s %d,%d) and %zu (%s "
				    "%d,%d) overlap", i, a->label, a->x, a->y,
				    j, b->label, b->x, b->y);
		}
	}
	for (i = 0; i < m->nedges; i++) {
		const struct maplayout_edge *e = &m->edge[i];
		const struct maplayout_node *a, *b;
		int k, lx, ly;

		assert_true(e->from < m->nnodes);
		assert_true(e->to < m->nnodes);
		assert_true(e->from != e->to);
		a = &m->node[e->from];
		b = &m->node[e->to];
		/* a route on the canvas from the parent's box to the child's */
		assert_true(e->npts >= 2 && e->npts <= MAPLAYOUT_PATH_MAX);
		for (k = 0; k < e->npts; k++) {
			assert_true(e->px[k] >= 0 && e->px[k] <= m->width);
			assert_true(e->py[k] >= 0 && e->py[k] <= m->height);
			/* segments are straight lines: axis-parallel in a tree */
			if (k > 0 && e->npts > 2)
				assert_true(e->px[k] == e->px[k - 1] ||
				    e->py[k] == e->py[k - 1]);
		}
		assert_true(e->px[0] >= a->x - 1 && e->px[0] <= a->x + a->w + 1);
		assert_true(e->py[0] >= a->y - 1 && e->py[0] <= a->y + a->h + 1);
		lx = e->px[e->npts - 1];
		ly = e->py[e->npts - 1];
		assert_true(lx >= b->x - 1 && lx <= b->x + b->w + 1);
		assert_true(ly >= b->y - 1 && ly <= b->y + b->h + 1);
	}
}

static void
build_ok(const struct topo *t, enum maplayout_kind kind, int maxd, int maxc,
    const char *group, struct maplayout *m)
{
	struct maplayout_opts o;
	char err[256];

	memset(&o, 0, sizeof(o));
	o.kind = kind;
	o.max_depth = maxd;
	o.max_children = maxc;
	o.group = group;
	assert_int_equal(maplayout_build(t->in, t->n, &o, m, err,
	    sizeof(err)), 0);
	assert_legible(m);
}

/* --- colours ------------------------------------------------------------ */

static void
test_maplayout_wcag_ratio_known_values(void **state)
{
	(void)state;
	assert_true(maplayout_luminance(0xffffff) > 0.9999);
	assert_true(maplayout_luminance(0x000000) < 0.0001);
	assert_true(maplayout_contrast(0x000000, 0xffffff) > 20.99);
	assert_true(maplayout_contrast(0xffffff, 0x000000) > 20.99);
	/* the well-known AA boundary: #767676 on white passes, #777777 not */
	assert_true(maplayout_contrast(0x767676, 0xffffff) >= 4.5);
	assert_true(maplayout_contrast(0x777777, 0xffffff) < 4.5);
}

static void
test_maplayout_state_colours_meet_wcag_aa(void **state)
{
	const unsigned edges[] = { MAPLAYOUT_COLOR_EDGE,
		MAPLAYOUT_COLOR_LINK_UP, MAPLAYOUT_COLOR_LINK_DOWN,
		MAPLAYOUT_COLOR_CONTEXT, MAPLAYOUT_COLOR_COLLAPSED };
	int s, k;

	(void)state;
	for (s = 0; s < MAPLAYOUT_NSTATES; s++) {
		unsigned f = maplayout_state_fill((enum maplayout_state)s);

		assert_true(maplayout_contrast(f, MAPLAYOUT_COLOR_CANVAS) >=
		    4.5);
		assert_true(maplayout_contrast(f, MAPLAYOUT_COLOR_TEXT) >=
		    4.5);
		for (k = 0; k < s; k++)
			assert_int_not_equal(f, maplayout_state_fill(
			    (enum maplayout_state)k));
	}
	for (k = 0; k < (int)(sizeof(edges) / sizeof(edges[0])); k++)
		assert_true(maplayout_contrast(edges[k],
		    MAPLAYOUT_COLOR_CANVAS) >= 4.5);
}

static void
test_maplayout_state_names_round_trip(void **state)
{
	int s;

	(void)state;
	for (s = 0; s < MAPLAYOUT_NSTATES; s++)
		assert_int_equal(maplayout_state_parse(maplayout_state_name(
		    (enum maplayout_state)s)), s);
	assert_int_equal(maplayout_state_parse("CRITICAL"), -1);
	assert_int_equal(maplayout_worse(MAPLAYOUT_UP, MAPLAYOUT_DOWN),
	    MAPLAYOUT_DOWN);
	assert_int_equal(maplayout_worse(MAPLAYOUT_UNREACHABLE,
	    MAPLAYOUT_PENDING), MAPLAYOUT_UNREACHABLE);
}

/* --- shapes ------------------------------------------------------------- */

static void
test_maplayout_empty_and_one_host(void **state)
{
	struct topo *t = topo_new(1);
	struct maplayout m;
	int k;

	(void)state;
	for (k = 0; k < 2; k++) {
		t->n = 0;
		build_ok(t, (enum maplayout_kind)k, 0, 0, NULL, &m);
		assert_int_equal(m.nnodes, 0);
		assert_int_equal(m.width, 2 * MAPLAYOUT_MARGIN);
		maplayout_free(&m);
		t->n = 1;
		build_ok(t, (enum maplayout_kind)k, 0, 0, NULL, &m);
		assert_int_equal(m.nnodes, 1);
		assert_int_equal(m.nedges, 0);
		assert_string_equal(m.node[0].label, "h0000");
		assert_int_equal(m.node[0].x, MAPLAYOUT_MARGIN);
		assert_int_equal(m.node[0].y, MAPLAYOUT_MARGIN);
		maplayout_free(&m);
	}
	free(t);
}

static void
test_maplayout_deep_chain_both_layouts(void **state)
{
	struct topo *t = topo_new(BIG);
	struct maplayout m;
	size_t i;
	int k;

	(void)state;
	for (i = 1; i < BIG; i++)
		topo_parent(t, i, i - 1);
	for (k = 0; k < 2; k++) {
		build_ok(t, (enum maplayout_kind)k, 0, 0, NULL, &m);
		assert_int_equal(m.nnodes, BIG);
		assert_int_equal(m.nedges, BIG - 1);
		assert_int_equal(m.hidden, 0);
		maplayout_free(&m);
		/* collapsed below depth 5: 6 hosts and "+994" */
		build_ok(t, (enum maplayout_kind)k, 5, 0, NULL, &m);
		assert_int_equal(m.nnodes, 7);
		assert_int_equal(m.hidden, BIG - 6);
		assert_string_equal(m.node[6].label, "+994");
		assert_int_equal(m.node[6].in, SIZE_MAX);
		maplayout_free(&m);
	}
	free(t);
}

static void
test_maplayout_wide_star_of_1000(void **state)
{
	struct topo *t = topo_new(BIG);
	struct maplayout m;
	size_t i;
	int k;

	(void)state;
	for (i = 1; i < BIG; i++)
		topo_parent(t, i, 0);
	for (k = 0; k < 2; k++) {
		build_ok(t, (enum maplayout_kind)k, 0, 0, NULL, &m);
		assert_int_equal(m.nnodes, BIG);
		/* the tree puts the leaves in a grid, not one 150,000 px row */
		if (k == MAPLAYOUT_TREE)
			assert_true(m.width < 12000 && m.height < 3000);
		maplayout_free(&m);
		build_ok(t, (enum maplayout_kind)k, 0, 20, NULL, &m);
		assert_int_equal(m.nnodes, 1 + 20);
		assert_int_equal(m.hidden, BIG - 1 - 19);
		maplayout_free(&m);
	}
	free(t);
}

/* Many subtrees side by side wrap into rows: a network of 20 switches
 * with 49 devices each stays near a screen's shape, not 20 screens wide. */
static void
test_maplayout_wide_rows_wrap(void **state)
{
	struct topo *t = topo_new(BIG);
	struct maplayout m;
	size_t i;

	(void)state;
	for (i = 1; i < BIG; i++)
		topo_parent(t, i, i <= 20 ? 0 : (i % 20) + 1);
	build_ok(t, MAPLAYOUT_TREE, 0, 40, NULL, &m);
	assert_true(m.width < 7000);
	assert_true(m.height < 7000);
	assert_true(m.width > m.height / 2);
	maplayout_free(&m);
	build_ok(t, MAPLAYOUT_TREE, 0, 0, NULL, &m);
	assert_int_equal(m.nnodes, BIG);
	assert_true(m.width < 8000 && m.height < 8000);
	maplayout_free(&m);
	free(t);
}

static void
test_maplayout_random_trees(void **state)
{
	struct topo *t = topo_new(BIG);
	struct maplayout m;
	unsigned seed;
	size_t i;
	int k;

	(void)state;
	for (seed = 1; seed <= 6; seed++) {
		srand(seed);
		t->n = 50 + (size_t)rand() % (BIG - 50);
		for (i = 0; i < t->n; i++) {
			t->in[i].nparents = 0;
			t->in[i].state = (enum maplayout_state)(rand() %
			    MAPLAYOUT_NSTATES);
			/* a few roots, otherwise a parent before it */
			if (i > 0 && rand() % 20 != 0)
				topo_parent(t, i, seed % 2 ? (size_t)rand() %
				    i : i - 1 - (size_t)rand() % (i < 4 ? i :
				    4));
		}
		for (k = 0; k < 2; k++) {
			build_ok(t, (enum maplayout_kind)k, 0, 0, NULL, &m);
			assert_int_equal(m.nnodes, t->n);
			maplayout_free(&m);
			build_ok(t, (enum maplayout_kind)k, 4, 12, NULL, &m);
			assert_true(m.nnodes < t->n);
			/* shown hosts plus what "+N" nodes hide: all */
			{
				size_t shown = 0;

				for (i = 0; i < m.nnodes; i++)
					shown += m.node[i].in != SIZE_MAX;
				assert_int_equal(shown + m.hidden, t->n);
			}
			maplayout_free(&m);
		}
	}
	free(t);
}

/* --- collapsing, groups, labels, bad input ------------------------------ */

static void
test_maplayout_collapse_keeps_problems_visible(void **state)
{
	struct topo *t = topo_new(30);
	struct maplayout m;
	size_t i;
	int found = 0;

	(void)state;
	for (i = 1; i < 30; i++)
		topo_parent(t, i, 0);
	t->in[29].state = MAPLAYOUT_DOWN;	/* last by name */
	t->in[28].state = MAPLAYOUT_UNREACHABLE;
	build_ok(t, MAPLAYOUT_TREE, 0, 5, NULL, &m);
	for (i = 0; i < m.nnodes; i++)
		if (m.node[i].in == 29)
			found = 1;
	assert_true(found);
	/* the "+N" node comes last and hides the UP rest */
	assert_int_equal(m.node[m.nnodes - 1].in, SIZE_MAX);
	assert_int_equal(m.node[m.nnodes - 1].hidden, 29 - 4);
	assert_int_equal(m.node[m.nnodes - 1].state, MAPLAYOUT_UP);
	maplayout_free(&m);
	/* a "+N" of a depth cut carries the worst state it hides */
	build_ok(t, MAPLAYOUT_RADIAL, 0 + 1, 0, NULL, &m);
	maplayout_free(&m);
	t->n = 30;
	topo_parent(t, 29, 28);
	topo_parent(t, 28, 1);
	build_ok(t, MAPLAYOUT_TREE, 1, 0, NULL, &m);
	for (i = 0; i < m.nnodes; i++)
		if (m.node[i].in == SIZE_MAX && m.node[i].hidden == 2)
			assert_int_equal(m.node[i].state, MAPLAYOUT_DOWN);
	maplayout_free(&m);
	free(t);
}

static void
test_maplayout_group_filter_keeps_path(void **state)
{
	struct topo *t = topo_new(10);
	struct maplayout m;
	size_t i, shown = 0;

	(void)state;
	/* 0 <- 1 <- 2 <- 3 (group "edge"), 0 <- 4..9 */
	topo_parent(t, 1, 0);
	topo_parent(t, 2, 1);
	topo_parent(t, 3, 2);
	for (i = 4; i < 10; i++)
		topo_parent(t, i, 0);
	t->grp[3][0] = "edge";
	t->in[3].groups = t->grp[3];
	t->in[3].ngroups = 1;
	build_ok(t, MAPLAYOUT_TREE, 0, 0, "edge", &m);
	assert_int_equal(m.nnodes, 4);
	assert_int_equal(m.filtered, 6);
	for (i = 0; i < m.nnodes; i++) {
		assert_true(m.node[i].in <= 3);
		assert_int_equal(m.node[i].context, m.node[i].in != 3);
		shown++;
	}
	assert_int_equal(shown, 4);
	maplayout_free(&m);
	build_ok(t, MAPLAYOUT_RADIAL, 0, 0, "nosuchgroup", &m);
	assert_int_equal(m.nnodes, 0);
	assert_int_equal(m.filtered, 10);
	maplayout_free(&m);
	free(t);
}

static void
test_maplayout_root_zooms_on_a_subtree(void **state)
{
	struct topo *t = topo_new(10);
	struct maplayout_opts o;
	struct maplayout m;
	char err[128];
	size_t i;

	(void)state;
	/* 0 <- 1 <- 2 <- {3, 4}, 0 <- 5..9 */
	topo_parent(t, 1, 0);
	topo_parent(t, 2, 1);
	topo_parent(t, 3, 2);
	topo_parent(t, 4, 2);
	for (i = 5; i < 10; i++)
		topo_parent(t, i, 0);
	memset(&o, 0, sizeof(o));
	o.root = "h0002";
	assert_int_equal(maplayout_build(t->in, t->n, &o, &m, err,
	    sizeof(err)), 0);
	assert_legible(&m);
	/* the subtree (2, 3, 4) and the path to it (0, 1) */
	assert_int_equal(m.nnodes, 5);
	assert_int_equal(m.filtered, 5);
	for (i = 0; i < m.nnodes; i++) {
		assert_true(m.node[i].in <= 4);
		assert_int_equal(m.node[i].context, m.node[i].in < 2);
	}
	maplayout_free(&m);
	o.root = "nosuch";
	assert_int_equal(maplayout_build(t->in, t->n, &o, &m, err,
	    sizeof(err)), 0);
	assert_int_equal(m.nnodes, 0);
	maplayout_free(&m);
	free(t);
}

static void
test_maplayout_long_and_hostile_labels(void **state)
{
	struct topo *t = topo_new(3);
	struct maplayout m;
	char longname[300];

	(void)state;
	memset(longname, 'W', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	t->in[0].name = longname;
	t->in[1].name = "<script>alert(1)</script>\n\x01";
	t->in[2].name = "r\xc3\xa9seau-\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";
	topo_parent(t, 1, 0);
	topo_parent(t, 2, 0);
	build_ok(t, MAPLAYOUT_TREE, 0, 0, NULL, &m);
	assert_true(strlen(m.node[0].label) <= MAPLAYOUT_LABEL_MAX);
	assert_non_null(strstr(m.node[0].label, "..."));
	assert_int_equal(m.font_px, MAPLAYOUT_FONT_DEFAULT);
	/* control characters never reach the image */
	assert_null(strchr(m.node[1].label, '\n'));
	assert_null(strchr(m.node[1].label, '\x01'));
	/* a UTF-8 name is cut between characters */
	{
		const char *l = m.node[2].label;
		size_t len = strlen(l);

		assert_true(len >= 4);
		assert_string_equal(l + len - 3, "...");
		assert_true(((unsigned char)l[len - 4] & 0xc0) == 0x80 ||
		    (unsigned char)l[len - 4] < 0x80);
	}
	maplayout_free(&m);
	free(t);
}

static void
test_maplayout_font_never_below_minimum(void **state)
{
	struct topo *t = topo_new(2);
	struct maplayout_opts o;
	struct maplayout m;
	char err[128];

	(void)state;
	topo_parent(t, 1, 0);
	memset(&o, 0, sizeof(o));
	o.font_px = 4;
	assert_int_equal(maplayout_build(t->in, t->n, &o, &m, err,
	    sizeof(err)), 0);
	assert_int_equal(m.font_px, MAPLAYOUT_FONT_MIN);
	assert_legible(&m);
	maplayout_free(&m);
	free(t);
}

static void
test_maplayout_edges_carry_links(void **state)
{
	struct topo *t = topo_new(4);
	struct maplayout m;
	size_t i, two[2] = { 1, 2 };
	int saw_up = 0, saw_down = 0, secondary = 0;

	(void)state;
	topo_parent(t, 1, 0);
	topo_parent(t, 2, 0);
	t->in[1].link = MAPLAYOUT_LINK_UP;
	t->in[1].util = 42.5;
	t->in[2].link = MAPLAYOUT_LINK_DOWN;
	t->in[3].parents = two;		/* two parents: one extra edge */
	t->in[3].nparents = 2;
	build_ok(t, MAPLAYOUT_TREE, 0, 0, NULL, &m);
	assert_int_equal(m.nedges, 4);
	for (i = 0; i < m.nedges; i++) {
		const struct maplayout_edge *e = &m.edge[i];

		if (!e->primary) {
			secondary++;
			continue;
		}
		if (e->link == MAPLAYOUT_LINK_UP) {
			saw_up = 1;
			assert_true(e->util > 42.4 && e->util < 42.6);
			assert_int_equal(m.node[e->to].in, 1);
		}
		if (e->link == MAPLAYOUT_LINK_DOWN) {
			saw_down = 1;
			assert_true(e->util < 0);
		}
	}
	assert_true(saw_up && saw_down);
	assert_int_equal(secondary, 1);
	maplayout_free(&m);
	free(t);
}

static void
test_maplayout_refuses_bad_input(void **state)
{
	struct topo *t = topo_new(3);
	struct maplayout_opts o;
	struct maplayout m;
	char err[128];
	size_t bad = 7;

	(void)state;
	memset(&o, 0, sizeof(o));
	t->in[1].parents = &bad;
	t->in[1].nparents = 1;
	assert_int_equal(maplayout_build(t->in, t->n, &o, &m, err,
	    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "bad parent"));
	assert_null(m.node);
	/* 0 -> 1 -> 2 -> 0 */
	topo_parent(t, 0, 1);
	topo_parent(t, 1, 2);
	topo_parent(t, 2, 0);
	assert_int_equal(maplayout_build(t->in, t->n, &o, &m, err,
	    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "cycle"));
	topo_parent(t, 0, 0);
	assert_int_equal(maplayout_build(t->in, t->n, &o, &m, err,
	    sizeof(err)), -EINVAL);
	t->in[0].nparents = 0;
	t->in[0].name = NULL;
	assert_int_equal(maplayout_build(t->in, t->n, &o, &m, err,
	    sizeof(err)), -EINVAL);
	maplayout_free(NULL);
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maplayout_wcag_ratio_known_values),
		cmocka_unit_test(test_maplayout_state_colours_meet_wcag_aa),
		cmocka_unit_test(test_maplayout_state_names_round_trip),
		cmocka_unit_test(test_maplayout_empty_and_one_host),
		cmocka_unit_test(test_maplayout_deep_chain_both_layouts),
		cmocka_unit_test(test_maplayout_wide_star_of_1000),
		cmocka_unit_test(test_maplayout_wide_rows_wrap),
		cmocka_unit_test(test_maplayout_random_trees),
		cmocka_unit_test(test_maplayout_collapse_keeps_problems_visible),
		cmocka_unit_test(test_maplayout_group_filter_keeps_path),
		cmocka_unit_test(test_maplayout_root_zooms_on_a_subtree),
		cmocka_unit_test(test_maplayout_long_and_hostile_labels),
		cmocka_unit_test(test_maplayout_font_never_below_minimum),
		cmocka_unit_test(test_maplayout_edges_carry_links),
		cmocka_unit_test(test_maplayout_refuses_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
