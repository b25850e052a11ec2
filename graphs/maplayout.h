/*
 * maplayout: the geometry of the device map (docs/web-map.md). Pure code:
 * no drawing library, no I/O. The input is the parent/child topology (each
 * host with its name, state, parents and host groups, and optionally the
 * link joining it to its first parent); the output is one box per node
 * shown, the edges between them, the label's font size and the canvas.
 *
 * Legibility is a property of the result, checked by the unit tests:
 *  - no two node boxes overlap (by construction: every subtree owns a
 *    rectangle (tree) or a wedge of rings (radial) that no other subtree
 *    enters);
 *  - every label is drawn at MAPLAYOUT_FONT_MIN pixels or more (a name too
 *    wide is shortened with "..." rather than drawn smaller);
 *  - the state colours meet WCAG AA (contrast ratio >= 4.5) against the
 *    canvas and against their label text.
 *
 * A map of 1,000 devices stays legible by collapsing: the children of a
 * node deeper than max_depth, and the children of a node beyond its
 * max_children, are replaced by one "+N" node that carries the worst state
 * of what it hides. A host group filter keeps the group's hosts and the
 * path from the monitor to them; a root keeps one host's subtree (the
 * zoom into a "+N" box) and the path to it.
 *
 * Only the first parent of a host places it (its "tree parent"); further
 * parents are drawn as extra edges.
 */
#ifndef PHAROS_MAPLAYOUT_H
#define PHAROS_MAPLAYOUT_H

#include <stddef.h>

#define MAPLAYOUT_FONT_MIN	11	/* px: the smallest label */
#define MAPLAYOUT_FONT_DEFAULT	13	/* px */
#define MAPLAYOUT_LABEL_MAX	40	/* bytes of a label, "..." included */
#define MAPLAYOUT_BOX_W_MAX	240	/* px: the widest box */
#define MAPLAYOUT_PAD		6	/* px around a label in its box */
#define MAPLAYOUT_GAP		14	/* px between boxes side by side */
#define MAPLAYOUT_VGAP		40	/* px between a box and its children */
#define MAPLAYOUT_MARGIN	20	/* px around the drawing */
#define MAPLAYOUT_WRAP		8	/* leaf children put in a grid above */
#define MAPLAYOUT_ROW_MAX	2400	/* px: a wider row of subtrees wraps */
#define MAPLAYOUT_PATH_MAX	7	/* points of an edge */
#define MAPLAYOUT_NODES_MAX	100000	/* nodes accepted */
#define MAPLAYOUT_PARENTS_MAX	64	/* parents of one node */

enum maplayout_state {
	MAPLAYOUT_UP,
	MAPLAYOUT_PENDING,
	MAPLAYOUT_UNREACHABLE,
	MAPLAYOUT_DOWN,
	MAPLAYOUT_NSTATES,
};

/* The link joining a host to its first parent, when known. */
enum maplayout_link {
	MAPLAYOUT_LINK_UNKNOWN,	/* no interface known: a plain edge */
	MAPLAYOUT_LINK_UP,	/* ifOperStatus up */
	MAPLAYOUT_LINK_DOWN,	/* any other oper status */
};

/* One host of the topology (all borrowed by maplayout_build()). */
struct maplayout_in {
	const char *name;
	enum maplayout_state state;
	const size_t *parents;		/* indexes into the input array */
	size_t nparents;
	const char *const *groups;	/* host group names */
	size_t ngroups;
	enum maplayout_link link;	/* to parents[0] */
	double util;			/* % of that link, < 0 unknown */
};

enum maplayout_kind { MAPLAYOUT_TREE, MAPLAYOUT_RADIAL };

struct maplayout_opts {
	enum maplayout_kind kind;
	int max_depth;		/* levels shown below the roots; 0: all */
	int max_children;	/* children shown per node; 0: all */
	const char *group;	/* borrowed; NULL: every host */
	const char *root;	/* borrowed: only this host's subtree (and
				 * the path to it); NULL: every host */
	int font_px;		/* 0: MAPLAYOUT_FONT_DEFAULT; raised to the
				 * minimum */
	/*
	 * Width in pixels of text at a size; NULL: an estimate (0.62 em
	 * per byte, the widest DejaVu Sans average). The drawing code
	 * passes the real FreeType measure.
	 */
	int (*measure)(void *arg, const char *text, int font_px);
	void *measure_arg;
};

/* One box of the map. */
struct maplayout_node {
	int x, y, w, h;			/* the box, pixels from the top left */
	enum maplayout_state state;	/* for a "+N" node: the worst hidden */
	size_t in;			/* input index; SIZE_MAX for "+N" */
	size_t hidden;			/* "+N": how many hosts it stands for */
	int context;			/* kept only as the path to the group */
	int depth;
	int label_w;			/* the label's width (the measure) */
	char label[MAPLAYOUT_LABEL_MAX + 1];
};

/*
 * An edge and its route: a straight line between the centres (radial
 * layout, extra parents), or in the tree down from the parent, along a
 * bus in the gap above the child's row (reached down a trunk in the left
 * margin when the children wrap into several rows) and down into the
 * child, or for a leaf in a later row of a grid, down the gap left of its
 * column and into its side. Only the last segment is the child's own; the
 * others are shared with its siblings.
 */
struct maplayout_edge {
	size_t from, to;		/* node indexes: parent, child */
	int primary;			/* the child's tree parent */
	enum maplayout_link link;	/* primary edges only */
	double util;			/* < 0 unknown */
	int npts;			/* 2..MAPLAYOUT_PATH_MAX */
	int px[MAPLAYOUT_PATH_MAX], py[MAPLAYOUT_PATH_MAX];
	int lx, ly;			/* the centre of its label */
};

struct maplayout {
	struct maplayout_node *node;
	size_t nnodes;
	struct maplayout_edge *edge;
	size_t nedges;
	int width, height;		/* canvas */
	enum maplayout_kind kind;	/* how it was laid out */
	int font_px;			/* every label's size */
	size_t hidden;			/* hosts collapsed into "+N" nodes */
	size_t filtered;		/* hosts left out by the group filter */
};

/*
 * Lay out the n hosts in[] (borrowed) into *out (zeroed by the caller;
 * free with maplayout_free()). Returns 0; -EINVAL for a parent index out
 * of range, a host its own ancestor (a cycle) or too many nodes or
 * parents (message in err); -ENOMEM. An empty input (or a group with no
 * host) gives an empty map of MAPLAYOUT_MARGIN * 2 pixels.
 */
int maplayout_build(const struct maplayout_in *in, size_t n,
    const struct maplayout_opts *o, struct maplayout *out, char *err,
    size_t errlen) __attribute__((warn_unused_result));

void maplayout_free(struct maplayout *m);	/* m NULL: no-op */

/* The worse of two states (DOWN > UNREACHABLE > PENDING > UP). */
enum maplayout_state maplayout_worse(enum maplayout_state a,
    enum maplayout_state b);

/* --- colours ------------------------------------------------------------ */

#define MAPLAYOUT_RGB(r, g, b)	(((r) << 16) | ((g) << 8) | (b))

/* The fill of a box of that state, 0xRRGGBB. */
unsigned maplayout_state_fill(enum maplayout_state s);
/* The border of a box, the label text, the canvas, edges by link state. */
#define MAPLAYOUT_COLOR_TEXT	MAPLAYOUT_RGB(0xff, 0xff, 0xff)
#define MAPLAYOUT_COLOR_CANVAS	MAPLAYOUT_RGB(0xff, 0xff, 0xff)
#define MAPLAYOUT_COLOR_EDGE	MAPLAYOUT_RGB(0x5f, 0x63, 0x68)
#define MAPLAYOUT_COLOR_LINK_UP	MAPLAYOUT_RGB(0x1b, 0x6e, 0x2e)
#define MAPLAYOUT_COLOR_LINK_DOWN MAPLAYOUT_RGB(0xb0, 0x1e, 0x1e)
#define MAPLAYOUT_COLOR_CONTEXT	MAPLAYOUT_RGB(0x3c, 0x40, 0x43)
#define MAPLAYOUT_COLOR_COLLAPSED MAPLAYOUT_RGB(0x1f, 0x4e, 0x8c)

/* "UP", "PENDING", "UNREACHABLE", "DOWN". */
const char *maplayout_state_name(enum maplayout_state s);
/* The state of a host state name; -1 for another name. */
int maplayout_state_parse(const char *name);

/* WCAG 2.x relative luminance of 0xRRGGBB, and the contrast ratio of two
 * colours ((L1 + 0.05) / (L2 + 0.05), the lighter over the darker). */
double maplayout_luminance(unsigned rgb);
double maplayout_contrast(unsigned a, unsigned b);

#endif
