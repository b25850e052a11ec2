/*
 * maplayout: the device map's geometry (maplayout.h).
 *
 * Data: the hosts kept (group and root filters) form a forest by their
 * first parent; it is walked once from the roots into an output tree
 * (struct ml_t[], index 0 a virtual root above the real roots, never
 * emitted), where collapsing replaces hidden subtrees by "+N" nodes.
 * Nodes are appended in preorder, so every node's descendants come after
 * it: one backward pass computes subtree sizes, one forward pass places
 * them.
 *
 * Invariants that make boxes disjoint:
 *  - tree: a node's subtree owns a rectangle sw x sh; its children's
 *    rectangles sit side by side, without overlap, below its box, in
 *    rows one below the other when they wrap. Leaf children beyond
 *    MAPLAYOUT_WRAP fill a grid block instead, placed as one more item.
 *  - radial: rings by depth, each subtree a wedge proportional to its
 *    leaves; two nodes of a ring are at least min-wedge apart, and the
 *    ring radius is chosen so that this angle makes a chord longer than
 *    the box diagonal; rings are a diagonal apart. Two boxes whose centres
 *    are a diagonal apart cannot overlap.
 */
#include "maplayout.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ML_NONE	SIZE_MAX

/* A node of the output tree. */
struct ml_t {
	size_t in;		/* input index, ML_NONE for "+N" / root */
	size_t hidden;
	enum maplayout_state state;
	int context, depth;
	size_t parent, first, last, next, nchild;
	double sw, sh;		/* tree: the subtree's rectangle */
	double leaves;		/* radial: leaves below (1 for a leaf) */
	double a0, a1;		/* radial: the wedge */
	int cols;		/* tree: the leaf grid's columns, 0 none */
	double roww, rowh;	/* tree: the children's area */
	double rx, ry;		/* tree: offset in the parent's children area */
	double gx, gy;		/* tree: the leaf grid's offset in it */
	int wrapped;		/* tree: the children in several rows */
	double trunk;		/* tree, wrapped: x of the trunk */
	double itop;		/* tree: top of the row item holding it */
	int grow;		/* tree: row in the parent's leaf grid */
	double x, y;		/* the box's top left */
	int lw;			/* the label's width */
	char label[MAPLAYOUT_LABEL_MAX + 1];
};

struct ml_ctx {
	const struct maplayout_in *in;
	size_t n;
	const struct maplayout_opts *o;
	size_t *coff, *clist;	/* children of each kept input (CSR) */
	size_t *rootv, nroots;
	size_t *sz;		/* kept hosts in the subtree, itself too */
	enum maplayout_state *ws;	/* worst state of the subtree */
	unsigned char *keep, *context;
	struct ml_t *t;
	size_t nt, capt;
	int font, bw, bh;
};

static const unsigned ml_fill[MAPLAYOUT_NSTATES] = {
	[MAPLAYOUT_UP] = MAPLAYOUT_RGB(0x1b, 0x6e, 0x2e),
	[MAPLAYOUT_PENDING] = MAPLAYOUT_RGB(0x4a, 0x4a, 0x8c),
	[MAPLAYOUT_UNREACHABLE] = MAPLAYOUT_RGB(0x6b, 0x6b, 0x6b),
	[MAPLAYOUT_DOWN] = MAPLAYOUT_RGB(0xb0, 0x1e, 0x1e),
};

static const char *const ml_names[MAPLAYOUT_NSTATES] = {
	"UP", "PENDING", "UNREACHABLE", "DOWN",
};

unsigned
maplayout_state_fill(enum maplayout_state s)
{
	return (unsigned)s < MAPLAYOUT_NSTATES ? ml_fill[s] : ml_fill[0];
}

const char *
maplayout_state_name(enum maplayout_state s)
{
	return (unsigned)s < MAPLAYOUT_NSTATES ? ml_names[s] : "?";
}

int
maplayout_state_parse(const char *name)
{
	int i;

	for (i = 0; i < MAPLAYOUT_NSTATES; i++)
		if (strcmp(name, ml_names[i]) == 0)
			return i;
	return -1;
}

enum maplayout_state
maplayout_worse(enum maplayout_state a, enum maplayout_state b)
{
	return a > b ? a : b;
}

static double
ml_channel(unsigned c)
{
	double v = (double)c / 255.0;

	return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

double
maplayout_luminance(unsigned rgb)
{
	return 0.2126 * ml_channel((rgb >> 16) & 0xff) +
	    0.7152 * ml_channel((rgb >> 8) & 0xff) +
	    0.0722 * ml_channel(rgb & 0xff);
}

double
maplayout_contrast(unsigned a, unsigned b)
{
	double la = maplayout_luminance(a), lb = maplayout_luminance(b);

	return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

void
maplayout_free(struct maplayout *m)
{
	if (m == NULL)
		return;
	free(m->node);
	free(m->edge);
	memset(m, 0, sizeof(*m));
}

/* --- labels ------------------------------------------------------------- */

static int
ml_estimate(const char *s, int px)
{
	size_t chars = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			chars++;
	return (int)ceil((double)chars * 0.62 * px);
}

static int
ml_measure(const struct ml_ctx *c, const char *s)
{
	if (c->o->measure != NULL)
		return c->o->measure(c->o->measure_arg, s, c->font);
	return ml_estimate(s, c->font);
}

/* The label of a host: control bytes as '?', shortened with "..." (at a
 * UTF-8 character boundary) until it fits the widest box. */
static int
ml_label(const struct ml_ctx *c, const char *name, char *out)
{
	size_t len = 0, cut;
	int maxw = MAPLAYOUT_BOX_W_MAX - 2 * MAPLAYOUT_PAD, w;

	for (; name[len] != '\0' && len < MAPLAYOUT_LABEL_MAX; len++) {
		unsigned char ch = (unsigned char)name[len];

		out[len] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	out[len] = '\0';
	if (name[len] == '\0' && (w = ml_measure(c, out)) <= maxw)
		return w;
	cut = len > MAPLAYOUT_LABEL_MAX - 3 ? MAPLAYOUT_LABEL_MAX - 3 : len;
	for (;;) {
		while (cut > 0 && ((unsigned char)out[cut] & 0xc0) == 0x80)
			cut--;
		memcpy(out + cut, "...", 4);
		if ((w = ml_measure(c, out)) <= maxw || cut == 0)
			return w;
		cut--;
	}
}

/* --- input: checks, filter, children ------------------------------------ */

static int
ml_cmp_name(const void *a, const void *b, void *arg)
{
	const struct ml_ctx *c = arg;

	return strverscmp(c->in[*(const size_t *)a].name,
	    c->in[*(const size_t *)b].name);
}

/* Whether a is i or one of its ancestors by first parent. */
static int
ml_under(const struct ml_ctx *c, size_t i, size_t a)
{
	size_t steps = 0;

	for (;;) {
		if (i == a)
			return 1;
		if (c->in[i].nparents == 0 || ++steps > c->n)
			return 0;
		i = c->in[i].parents[0];
	}
}

/* Which hosts are kept: those of the group (and under the root) and
 * their ancestors (by first parent). Cycles through first parents are
 * refused. */
static int
ml_check(struct ml_ctx *c, char *err, size_t errlen)
{
	size_t i, k, j, steps, root = ML_NONE;

	for (i = 0; i < c->n; i++) {
		const struct maplayout_in *h = &c->in[i];

		if (h->name == NULL || h->nparents > MAPLAYOUT_PARENTS_MAX) {
			snprintf(err, errlen, "host %zu: no name or too many "
			    "parents", i);
			return -EINVAL;
		}
		for (k = 0; k < h->nparents; k++)
			if (h->parents[k] >= c->n || h->parents[k] == i) {
				snprintf(err, errlen, "host '%s': bad parent "
				    "index", h->name);
				return -EINVAL;
			}
	}
	/* first-parent chains: sz[] marks 1 on the walk, 2 when known good */
	for (i = 0; i < c->n; i++) {
		for (j = i, steps = 0; c->sz[j] == 0; j = c->in[j].parents[0]) {
			c->sz[j] = 1;
			if (c->in[j].nparents == 0 || ++steps > c->n)
				break;
		}
		if (c->sz[j] == 1 && c->in[j].nparents > 0 &&
		    (steps > c->n || c->sz[c->in[j].parents[0]] == 1)) {
			snprintf(err, errlen, "host '%s': a parent cycle",
			    c->in[j].name);
			return -EINVAL;
		}
		for (j = i; c->sz[j] == 1; j = c->in[j].parents[0]) {
			c->sz[j] = 2;
			if (c->in[j].nparents == 0)
				break;
		}
	}
	for (i = 0; c->o->root != NULL && i < c->n; i++)
		if (strcmp(c->in[i].name, c->o->root) == 0)
			root = i;
	if (c->o->root != NULL && root == ML_NONE)
		return 0;		/* an unknown root: nothing */
	for (i = 0; i < c->n; i++) {
		int in_group = c->o->group == NULL;

		for (k = 0; !in_group && k < c->in[i].ngroups; k++)
			in_group = c->in[i].groups[k] != NULL &&
			    strcmp(c->in[i].groups[k], c->o->group) == 0;
		if (!in_group || (root != ML_NONE && !ml_under(c, i, root)))
			continue;
		c->keep[i] = 1;
		c->context[i] = 0;
		for (j = i; c->in[j].nparents > 0;) {
			j = c->in[j].parents[0];
			if (c->keep[j])
				break;
			c->keep[j] = 1;
			c->context[j] = 1;
		}
	}
	return 0;
}

/* Children lists (CSR, sorted by name), roots, subtree sizes and worst
 * states. */
static int
ml_children(struct ml_ctx *c)
{
	size_t i, p, *fill, *order, no = 0, top;

	c->coff = calloc(c->n + 1, sizeof(*c->coff));
	c->clist = calloc(c->n + 1, sizeof(*c->clist));
	c->rootv = calloc(c->n + 1, sizeof(*c->rootv));
	fill = calloc(c->n + 1, sizeof(*fill));
	order = calloc(c->n + 1, sizeof(*order));
	if (c->coff == NULL || c->clist == NULL || c->rootv == NULL ||
	    fill == NULL || order == NULL) {
		free(fill);
		free(order);
		return -ENOMEM;
	}
	for (i = 0; i < c->n; i++)
		if (c->keep[i] && c->in[i].nparents > 0)
			c->coff[c->in[i].parents[0] + 1]++;
	for (i = 0; i < c->n; i++)
		c->coff[i + 1] += c->coff[i];
	for (i = 0; i < c->n; i++) {
		if (!c->keep[i])
			continue;
		if (c->in[i].nparents == 0) {
			c->rootv[c->nroots++] = i;
			continue;
		}
		p = c->in[i].parents[0];
		c->clist[c->coff[p] + fill[p]++] = i;
	}
	for (i = 0; i < c->n; i++)
		if (c->coff[i + 1] - c->coff[i] > 1)
			qsort_r(c->clist + c->coff[i], c->coff[i + 1] -
			    c->coff[i], sizeof(size_t), ml_cmp_name, c);
	qsort_r(c->rootv, c->nroots, sizeof(size_t), ml_cmp_name, c);
	/* preorder of the kept forest, then sizes backwards */
	for (i = 0; i < c->nroots; i++)
		fill[i] = c->rootv[i];
	top = c->nroots;
	while (top > 0) {
		size_t v = fill[--top];

		order[no++] = v;
		for (p = c->coff[v]; p < c->coff[v + 1]; p++)
			fill[top++] = c->clist[p];
	}
	for (i = no; i-- > 0;) {
		size_t v = order[i];

		c->sz[v] = 1;
		c->ws[v] = c->in[v].state < MAPLAYOUT_NSTATES ?
		    c->in[v].state : MAPLAYOUT_PENDING;
		for (p = c->coff[v]; p < c->coff[v + 1]; p++) {
			c->sz[v] += c->sz[c->clist[p]];
			c->ws[v] = maplayout_worse(c->ws[v],
			    c->ws[c->clist[p]]);
		}
	}
	free(fill);
	free(order);
	return 0;
}

/* --- the output tree ---------------------------------------------------- */

static size_t
ml_add(struct ml_ctx *c, size_t parent, size_t in, size_t hidden,
    enum maplayout_state st, int depth)
{
	struct ml_t *t;
	size_t i;

	if (c->nt == c->capt) {
		size_t cap = c->capt ? c->capt * 2 : 64;

		if ((t = realloc(c->t, cap * sizeof(*t))) == NULL)
			return ML_NONE;
		c->t = t;
		c->capt = cap;
	}
	i = c->nt++;
	t = &c->t[i];
	memset(t, 0, sizeof(*t));
	t->in = in;
	t->hidden = hidden;
	t->state = st;
	t->depth = depth;
	t->context = in != ML_NONE && c->context[in];
	t->parent = parent;
	t->first = t->last = t->next = ML_NONE;
	if (parent != ML_NONE) {
		struct ml_t *p = &c->t[parent];

		if (p->last == ML_NONE)
			p->first = i;
		else
			c->t[p->last].next = i;
		p->last = i;
		p->nchild++;
	}
	return i;
}

/* Importance when children must be dropped: worse subtrees first, then
 * bigger ones, then by name. */
static int
ml_cmp_keep(const void *a, const void *b, void *arg)
{
	const struct ml_ctx *c = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (c->ws[x] != c->ws[y])
		return c->ws[x] > c->ws[y] ? -1 : 1;
	if (c->sz[x] != c->sz[y])
		return c->sz[x] > c->sz[y] ? -1 : 1;
	return strverscmp(c->in[x].name, c->in[y].name);
}

/* A stack entry of the walk: a host, or a "+N" node to add last. */
struct ml_st {
	size_t in, parent, hidden;
	enum maplayout_state st;
	int depth;
};

static int
ml_walk(struct ml_ctx *c)
{
	struct ml_st *stk;
	size_t top = 0, i, cap = c->n * 2 + 2, *tmp;
	int maxd = c->o->max_depth, maxc = c->o->max_children;

	stk = calloc(cap, sizeof(*stk));
	tmp = calloc(c->n + 1, sizeof(*tmp));
	if (stk == NULL || tmp == NULL || ml_add(c, ML_NONE, ML_NONE, 0,
	    MAPLAYOUT_UP, -1) == ML_NONE)
		goto fail;
	for (i = c->nroots; i-- > 0;)
		stk[top++] = (struct ml_st){ c->rootv[i], 0, 0, 0, 0 };
	while (top > 0) {
		struct ml_st e = stk[--top];
		size_t v, k, nk, nc, keep, hid = 0;
		enum maplayout_state hst = MAPLAYOUT_UP;

		if (e.in == ML_NONE) {
			if (ml_add(c, e.parent, ML_NONE, e.hidden, e.st,
			    e.depth) == ML_NONE)
				goto fail;
			continue;
		}
		v = ml_add(c, e.parent, e.in, 0, c->in[e.in].state <
		    MAPLAYOUT_NSTATES ? c->in[e.in].state : MAPLAYOUT_PENDING,
		    e.depth);
		if (v == ML_NONE)
			goto fail;
		nc = c->coff[e.in + 1] - c->coff[e.in];
		if (nc == 0)
			continue;
		memcpy(tmp, c->clist + c->coff[e.in], nc * sizeof(*tmp));
		keep = nc;
		if (maxd > 0 && e.depth >= maxd)
			keep = 0;
		else if (maxc > 0 && nc > (size_t)maxc) {
			keep = (size_t)maxc - 1;
			qsort_r(tmp, nc, sizeof(*tmp), ml_cmp_keep, c);
			qsort_r(tmp, keep, sizeof(*tmp), ml_cmp_name, c);
		}
		for (k = keep; k < nc; k++) {
			hid += c->sz[tmp[k]];
			hst = maplayout_worse(hst, c->ws[tmp[k]]);
		}
		if (hid > 0)
			stk[top++] = (struct ml_st){ ML_NONE, v, hid, hst,
			    e.depth + 1 };
		for (nk = keep; nk-- > 0;)
			stk[top++] = (struct ml_st){ tmp[nk], v, 0, 0,
			    e.depth + 1 };
	}
	free(stk);
	free(tmp);
	return 0;
fail:
	free(stk);
	free(tmp);
	return -ENOMEM;
}

/* --- tree layout -------------------------------------------------------- */

static int
ml_grid_cols(size_t nleaves)
{
	int cols = (int)ceil(sqrt((double)nleaves * 2.0));

	return cols < MAPLAYOUT_WRAP ? MAPLAYOUT_WRAP : cols;
}

static size_t
ml_leaf_children(const struct ml_ctx *c, size_t v)
{
	size_t k, n = 0;

	for (k = c->t[v].first; k != ML_NONE; k = c->t[k].next)
		if (c->t[k].nchild == 0)
			n++;
	return n;
}

/*
 * Tree: bottom-up, each node's children area holds its row items (the
 * subtrees of children that have children, or of all when there is no
 * grid, then the grid of leaves), packed left to right into rows no wider
 * than about the area's 16:9 side once the one row would pass
 * MAPLAYOUT_ROW_MAX, with a left margin for the trunk that reaches the
 * lower rows; top-down, each rectangle gets its place and each box its
 * position centred on top of its rectangle.
 */
static void
ml_tree(struct ml_ctx *c)
{
	double gap = MAPLAYOUT_GAP, vgap = MAPLAYOUT_VGAP;
	size_t v, k;

	for (v = c->nt; v-- > 0;) {
		struct ml_t *t = &c->t[v];
		size_t nl = ml_leaf_children(c, v), rows = 0;
		double bw = v ? c->bw : 0, bh = v ? c->bh : 0;
		double sumw = 0, area = 0, maxw = 0, lim = HUGE_VAL, margin = 0;
		double gw = 0, gh = 0, x, y = 0, rowh = 0, maxx = 0;
		int items = 0, pass;

		t->cols = nl > MAPLAYOUT_WRAP ? ml_grid_cols(nl) : 0;
		if (t->cols) {
			size_t grows = (nl + (size_t)t->cols - 1) /
			    (size_t)t->cols;
			int cols = nl < (size_t)t->cols ? (int)nl : t->cols;

			gw = cols * (c->bw + gap) - gap;
			gh = (double)grows * (c->bh + gap) - gap;
		}
		/* pass 0 sums the items, pass 1 packs them */
		for (pass = 0; pass < 2; pass++) {
			x = margin;
			for (k = t->first;; k = c->t[k].next) {
				double w, h;
				int grid = k == ML_NONE;

				if (grid && !t->cols)
					break;
				if (!grid && t->cols && c->t[k].nchild == 0)
					continue;
				w = grid ? gw : c->t[k].sw;
				h = grid ? gh : c->t[k].sh;
				if (pass == 0) {
					sumw += w + (items ? gap : 0);
					area += (w + gap) * (h + vgap);
					maxw = fmax(maxw, w);
					items++;
				} else {
					if (x > margin && x + w > margin + lim) {
						y += rowh + vgap;
						x = margin;
						rowh = 0;
						rows++;
					}
					if (grid) {
						t->gx = x;
						t->gy = y;
					} else {
						c->t[k].rx = x;
						c->t[k].ry = y;
					}
					maxx = fmax(maxx, x + w);
					x += w + gap;
					rowh = fmax(rowh, h);
				}
				if (grid)
					break;
			}
			if (pass == 0 && items > 1 && sumw > MAPLAYOUT_ROW_MAX) {
				lim = fmax(maxw, sqrt(area * 16.0 / 9.0));
				margin = v ? gap : 0;
			}
		}
		t->wrapped = rows > 0;
		t->roww = items ? maxx : 0;
		t->rowh = items ? y + rowh : 0;
		t->sw = fmax(bw, t->roww);
		t->sh = bh + (items ? (v ? vgap : 0) + t->rowh : 0);
	}
	/* placement: (x, y) of a subtree's rectangle first, then its box */
	c->t[0].x = c->t[0].y = 0;
	for (v = 0; v < c->nt; v++) {
		struct ml_t *t = &c->t[v];
		double ox = t->x, oy = t->y, bw = v ? c->bw : 0;
		double ax = ox + (t->sw - t->roww) / 2;
		double ay = oy + (v ? c->bh + vgap : 0);
		size_t li = 0;

		t->x = ox + (t->sw - bw) / 2;
		t->trunk = ax + gap / 2;
		for (k = t->first; k != ML_NONE; k = c->t[k].next) {
			struct ml_t *ch = &c->t[k];

			if (t->cols && ch->nchild == 0) {
				/* a leaf of the grid: its rectangle is its box */
				ch->x = ax + t->gx + (double)(li %
				    (size_t)t->cols) * (c->bw + gap);
				ch->y = ay + t->gy + (double)(li /
				    (size_t)t->cols) * (c->bh + gap);
				ch->itop = ay + t->gy;
				ch->grow = (int)(li / (size_t)t->cols);
				ch->sw = c->bw;
				li++;
				continue;
			}
			ch->x = ax + ch->rx;
			ch->y = ch->itop = ay + ch->ry;
			ch->grow = 0;
		}
	}
}

/* --- radial layout ------------------------------------------------------ */

static void
ml_radial(struct ml_ctx *c)
{
	double diag = hypot(c->bw, c->bh) + MAPLAYOUT_GAP + 2;
	double *rho, *minw;
	size_t v, k, *cnt;
	int maxdepth = 0, d, center;

	for (v = c->nt; v-- > 0;) {
		struct ml_t *t = &c->t[v];

		t->leaves = 0;
		for (k = t->first; k != ML_NONE; k = c->t[k].next)
			t->leaves += c->t[k].leaves;
		if (t->leaves == 0)
			t->leaves = 1;
		if (t->depth > maxdepth)
			maxdepth = t->depth;
	}
	/* one root: it is the centre, its children the first ring */
	center = c->t[0].nchild == 1;
	c->t[0].a0 = 0;
	c->t[0].a1 = 2 * M_PI;
	for (v = 0; v < c->nt; v++) {
		struct ml_t *t = &c->t[v];
		double a = t->a0, span = t->a1 - t->a0;

		for (k = t->first; k != ML_NONE; k = c->t[k].next) {
			c->t[k].a0 = a;
			a += span * c->t[k].leaves / t->leaves;
			c->t[k].a1 = a;
		}
	}
	rho = calloc((size_t)maxdepth + 2, sizeof(*rho));
	minw = calloc((size_t)maxdepth + 2, sizeof(*minw));
	cnt = calloc((size_t)maxdepth + 2, sizeof(*cnt));
	if (rho == NULL || minw == NULL || cnt == NULL) {
		/* fall back to the tree, which needs no memory */
		free(rho);
		free(minw);
		free(cnt);
		ml_tree(c);
		return;
	}
	for (d = 0; d <= maxdepth; d++)
		minw[d] = 2 * M_PI;
	for (v = 1; v < c->nt; v++) {
		d = c->t[v].depth;
		cnt[d]++;
		minw[d] = fmin(minw[d], c->t[v].a1 - c->t[v].a0);
	}
	for (d = 0; d <= maxdepth; d++) {
		double r = d == 0 ? (center ? 0 : diag) : rho[d - 1] + diag;

		if (cnt[d] > 1)
			r = fmax(r, diag / (2 * sin(fmin(minw[d], M_PI) / 2)));
		rho[d] = r;
	}
	for (v = 1; v < c->nt; v++) {
		struct ml_t *t = &c->t[v];
		double a = (t->a0 + t->a1) / 2, r = rho[t->depth];

		t->x = r * cos(a) - c->bw / 2.0;
		t->y = r * sin(a) - c->bh / 2.0;
	}
	free(rho);
	free(minw);
	free(cnt);
}

/* --- output ------------------------------------------------------------- */

/* Add the point (x, y) of the layout to e, in canvas pixels. */
static void
ml_pt(struct maplayout_edge *e, double x, double y, double minx, double miny)
{
	if (e->npts >= MAPLAYOUT_PATH_MAX)
		return;
	e->px[e->npts] = (int)(floor(x + 0.5) - minx) + MAPLAYOUT_MARGIN;
	e->py[e->npts] = (int)(floor(y + 0.5) - miny) + MAPLAYOUT_MARGIN;
	e->npts++;
}

/* The route of edge e (maplayout.h) and where its label goes. */
static void
ml_route(const struct ml_ctx *c, const struct maplayout *m,
    struct maplayout_edge *e, double minx, double miny)
{
	const struct ml_t *p = &c->t[e->from + 1], *ch = &c->t[e->to + 1];
	double gap = MAPLAYOUT_GAP, vgap = MAPLAYOUT_VGAP;
	double pcx = p->x + c->bw / 2.0, ccx = ch->x + c->bw / 2.0;
	double mid = p->y + c->bh + vgap / 2, bus = ch->itop - vgap / 2;
	const struct maplayout_node *cn = &m->node[e->to];

	e->npts = 0;
	if (m->kind != MAPLAYOUT_TREE || !e->primary) {
		ml_pt(e, pcx, p->y + c->bh / 2.0, minx, miny);
		ml_pt(e, ccx, ch->y + c->bh / 2.0, minx, miny);
		e->lx = (e->px[0] + e->px[1]) / 2;
		e->ly = (e->py[0] + e->py[1]) / 2;
		return;
	}
	ml_pt(e, pcx, p->y + c->bh, minx, miny);
	ml_pt(e, pcx, mid, minx, miny);
	if (bus > mid + 0.5) {		/* a lower row: down the trunk */
		ml_pt(e, p->trunk, mid, minx, miny);
		ml_pt(e, p->trunk, bus, minx, miny);
	}
	if (ch->grow > 0) {		/* a grid's later row: its column */
		ml_pt(e, ch->x - gap / 2, bus, minx, miny);
		ml_pt(e, ch->x - gap / 2, ch->y + c->bh / 2.0, minx, miny);
		ml_pt(e, ch->x, ch->y + c->bh / 2.0, minx, miny);
		e->lx = cn->x + 2 * MAPLAYOUT_FONT_MIN;
		e->ly = cn->y - MAPLAYOUT_GAP / 2;
		return;
	}
	ml_pt(e, ccx, bus, minx, miny);
	ml_pt(e, ccx, ch->y, minx, miny);
	e->lx = e->px[e->npts - 1];
	e->ly = (e->py[e->npts - 2] + e->py[e->npts - 1]) / 2;
}

static int
ml_emit(struct ml_ctx *c, struct maplayout *m)
{
	size_t v, k, *map, ne = 0, cap = 0;
	double minx = 0, miny = 0, maxx = 0, maxy = 0;

	m->nnodes = c->nt - 1;
	if (m->nnodes > 0 && (m->node = calloc(m->nnodes,
	    sizeof(*m->node))) == NULL)
		return -ENOMEM;
	for (v = 1; v < c->nt; v++) {
		double x = floor(c->t[v].x + 0.5), y = floor(c->t[v].y + 0.5);

		if (v == 1 || x < minx)
			minx = x;
		if (v == 1 || y < miny)
			miny = y;
		if (v == 1 || x + c->bw > maxx)
			maxx = x + c->bw;
		if (v == 1 || y + c->bh > maxy)
			maxy = y + c->bh;
	}
	m->width = (int)(maxx - minx) + 2 * MAPLAYOUT_MARGIN;
	m->height = (int)(maxy - miny) + 2 * MAPLAYOUT_MARGIN;
	if ((map = calloc(c->n + 1, sizeof(*map))) == NULL)
		return -ENOMEM;
	for (k = 0; k < c->n; k++)
		map[k] = ML_NONE;
	for (v = 1; v < c->nt; v++) {
		struct maplayout_node *o = &m->node[v - 1];
		const struct ml_t *t = &c->t[v];

		o->x = (int)(floor(t->x + 0.5) - minx) + MAPLAYOUT_MARGIN;
		o->y = (int)(floor(t->y + 0.5) - miny) + MAPLAYOUT_MARGIN;
		o->w = c->bw;
		o->h = c->bh;
		o->state = t->state;
		o->in = t->in;
		o->hidden = t->hidden;
		o->context = t->context;
		o->depth = t->depth;
		o->label_w = t->lw;
		memcpy(o->label, t->label, sizeof(o->label));
		if (t->in != ML_NONE)
			map[t->in] = v - 1;
		cap += t->in != ML_NONE ? c->in[t->in].nparents : 1;
	}
	if (cap > 0 && (m->edge = calloc(cap, sizeof(*m->edge))) == NULL) {
		free(map);
		return -ENOMEM;
	}
	for (v = 1; v < c->nt; v++) {
		const struct ml_t *t = &c->t[v];
		const struct maplayout_in *h = t->in != ML_NONE ?
		    &c->in[t->in] : NULL;
		struct maplayout_edge *e;

		if (t->parent != 0 && t->parent != ML_NONE) {
			e = &m->edge[ne++];
			e->from = t->parent - 1;
			e->to = v - 1;
			e->primary = 1;
			e->link = h != NULL ? h->link : MAPLAYOUT_LINK_UNKNOWN;
			e->util = h != NULL && h->link !=
			    MAPLAYOUT_LINK_UNKNOWN ? h->util : -1;
			ml_route(c, m, e, minx, miny);
		}
		for (k = 1; h != NULL && k < h->nparents; k++)
			if (map[h->parents[k]] != ML_NONE) {
				e = &m->edge[ne++];
				e->from = map[h->parents[k]];
				e->to = v - 1;
				e->link = MAPLAYOUT_LINK_UNKNOWN;
				e->util = -1;
				ml_route(c, m, e, minx, miny);
			}
	}
	m->nedges = ne;
	for (v = 1; v < c->nt; v++)
		m->hidden += c->t[v].hidden;
	free(map);
	return 0;
}

int
maplayout_build(const struct maplayout_in *in, size_t n,
    const struct maplayout_opts *o, struct maplayout *out, char *err,
    size_t errlen)
{
	struct ml_ctx c;
	size_t i;
	int rc = -ENOMEM, w = 0;

	memset(&c, 0, sizeof(c));
	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	if (n > MAPLAYOUT_NODES_MAX) {
		snprintf(err, errlen, "%zu hosts: at most %d on a map", n,
		    MAPLAYOUT_NODES_MAX);
		return -EINVAL;
	}
	c.in = in;
	c.n = n;
	c.o = o;
	c.font = o->font_px > MAPLAYOUT_FONT_MIN ? o->font_px :
	    o->font_px == 0 ? MAPLAYOUT_FONT_DEFAULT : MAPLAYOUT_FONT_MIN;
	c.keep = calloc(n + 1, 1);
	c.context = calloc(n + 1, 1);
	c.sz = calloc(n + 1, sizeof(*c.sz));
	c.ws = calloc(n + 1, sizeof(*c.ws));
	if (c.keep == NULL || c.context == NULL || c.sz == NULL ||
	    c.ws == NULL)
		goto done;
	if ((rc = ml_check(&c, err, errlen)) != 0 ||
	    (rc = ml_children(&c)) != 0 || (rc = ml_walk(&c)) != 0)
		goto done;
	/* one box size for all: the widest label, within the maximum */
	for (i = 1; i < c.nt; i++) {
		struct ml_t *t = &c.t[i];

		if (t->in == ML_NONE) {
			snprintf(t->label, sizeof(t->label), "+%zu", t->hidden);
			t->lw = ml_measure(&c, t->label);
		} else
			t->lw = ml_label(&c, in[t->in].name, t->label);
		if (t->lw > w)
			w = t->lw;
	}
	c.bw = w + 2 * MAPLAYOUT_PAD;
	if (c.bw < 2 * c.font)
		c.bw = 2 * c.font;
	if (c.bw > MAPLAYOUT_BOX_W_MAX)
		c.bw = MAPLAYOUT_BOX_W_MAX;
	c.bh = c.font + c.font / 2 + 2 * MAPLAYOUT_PAD;
	if (o->kind == MAPLAYOUT_RADIAL)
		ml_radial(&c);
	else
		ml_tree(&c);
	out->kind = o->kind == MAPLAYOUT_RADIAL ? MAPLAYOUT_RADIAL :
	    MAPLAYOUT_TREE;
	if ((rc = ml_emit(&c, out)) != 0)
		goto done;
	out->font_px = c.font;
	for (i = 0; i < n; i++)
		if (!c.keep[i])
			out->filtered++;
done:
	if (rc == -ENOMEM && err[0] == '\0')
		snprintf(err, errlen, "out of memory");
	if (rc != 0)
		maplayout_free(out);
	free(c.keep);
	free(c.context);
	free(c.sz);
	free(c.ws);
	free(c.coff);
	free(c.clist);
	free(c.rootv);
	free(c.t);
	return rc;
}
