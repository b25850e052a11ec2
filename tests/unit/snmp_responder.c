/*
 * snmp_responder: see snmp_responder.h. Its own small BER codec (v1/v2c
 * messages only), so that it can answer exactly as badly as a test asks.
 *
 * Requests are parsed with bounded reads into r->req (at most RESP_VBS
 * varbinds of at most RESP_OID sub-identifiers); answers are built
 * backwards into r->out (lengths known once the content is written).
 * Objects are numbered j = 0 .. scalars + rows - 1 in OID order, so the
 * successor of any OID is a binary search over j.
 */
#include "snmp_responder.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop.h"

#define RESP_OID 128
#define RESP_VBS 1024
#define RESP_BUF 65536
#define RESP_BASE_LEN 7        /* 1.3.6.1.4.1.99999 */

enum {
	T_INT = 0x02, T_OCTETS = 0x04, T_NULL = 0x05, T_OID = 0x06,
	T_SEQ = 0x30, T_GET = 0xa0, T_GETNEXT = 0xa1, T_RESPONSE = 0xa2,
	T_GETBULK = 0xa5, T_NOSUCHOBJECT = 0x80, T_ENDOFMIBVIEW = 0x82,
};
enum { E_TOOBIG = 1, E_NOSUCHNAME = 2 };

static const uint32_t resp_base[RESP_BASE_LEN] = { 1, 3, 6, 1, 4, 1, 99999 };

struct resp_vb {
	uint32_t oid[RESP_OID];
	size_t len;
	uint8_t type;
	long val;
};

struct resp_req {
	long version, reqid, a, b;  /* a, b: errstat/index or N/M (bulk) */
	uint8_t community[64];
	size_t clen;
	uint8_t type;
	struct resp_vb vbs[RESP_VBS];
	size_t n;
};

struct snmp_responder {
	struct loop *loop;
	int fd;
	uint16_t port;
	struct snmp_responder_opts o;
	struct snmp_responder_stats st;
	long last_reqid;
	int tries;
	struct resp_req req;
	struct resp_vb ans[RESP_VBS];
	size_t nans;
	long errstat, errindex;
	uint8_t in[RESP_BUF];
	uint8_t out[RESP_BUF];
	size_t outpos;               /* the answer is out[outpos .. RESP_BUF) */
};

/* ---- BER reading ---- */

struct ber {
	const uint8_t *p;
	size_t n;
};

static int
ber_tlv(struct ber *b, uint8_t *tag, struct ber *val)
{
	size_t len = 0, hdr = 2;

	if (b->n < 2)
		return -1;
	*tag = b->p[0];
	if (b->p[1] < 0x80) {
		len = b->p[1];
	} else {
		size_t k = b->p[1] & 0x7f;

		if (k == 0 || k > 3 || b->n < 2 + k)
			return -1;
		for (size_t i = 0; i < k; i++)
			len = len << 8 | b->p[2 + i];
		hdr += k;
	}
	if (b->n - hdr < len)
		return -1;
	val->p = b->p + hdr;
	val->n = len;
	b->p += hdr + len;
	b->n -= hdr + len;
	return 0;
}

static int
ber_int(struct ber *b, long *v)
{
	struct ber c;
	uint8_t tag;

	if (ber_tlv(b, &tag, &c) != 0 || tag != T_INT || c.n == 0 || c.n > 5)
		return -1;
	*v = (c.p[0] & 0x80) ? -1 : 0;
	for (size_t i = 0; i < c.n; i++)
		*v = (long)((unsigned long)*v << 8 | c.p[i]);
	return 0;
}

static int
ber_oid(struct ber c, uint32_t *o, size_t *len)
{
	size_t n = 2;
	uint32_t v = 0;

	if (c.n == 0)
		return -1;
	o[0] = c.p[0] < 40 ? 0 : c.p[0] < 80 ? 1 : 2;
	o[1] = c.p[0] - 40 * o[0];
	for (size_t i = 1; i < c.n; i++) {
		v = v << 7 | (c.p[i] & 0x7f);
		if (c.p[i] & 0x80)
			continue;
		if (n == RESP_OID)
			return -1;
		o[n++] = v;
		v = 0;
	}
	*len = n;
	return 0;
}

/* Parse one v1/v2c request message into r->req. Returns 0 or -1. */
static int
req_parse(struct snmp_responder *r, const uint8_t *buf, size_t len)
{
	struct resp_req *q = &r->req;
	struct ber msg = { buf, len }, m, pdu, list, vb, c;
	uint8_t tag;

	if (ber_tlv(&msg, &tag, &m) != 0 || tag != T_SEQ ||
	    ber_int(&m, &q->version) != 0 || ber_tlv(&m, &tag, &c) != 0 ||
	    tag != T_OCTETS || c.n > sizeof(q->community))
		return -1;
	memcpy(q->community, c.p, c.n);
	q->clen = c.n;
	if (ber_tlv(&m, &q->type, &pdu) != 0 || ber_int(&pdu, &q->reqid) != 0 ||
	    ber_int(&pdu, &q->a) != 0 || ber_int(&pdu, &q->b) != 0 ||
	    ber_tlv(&pdu, &tag, &list) != 0 || tag != T_SEQ)
		return -1;
	for (q->n = 0; list.n > 0; q->n++) {
		if (q->n == RESP_VBS || ber_tlv(&list, &tag, &vb) != 0 ||
		    tag != T_SEQ || ber_tlv(&vb, &tag, &c) != 0 ||
		    tag != T_OID ||
		    ber_oid(c, q->vbs[q->n].oid, &q->vbs[q->n].len) != 0)
			return -1;
	}
	return 0;
}

/* ---- the MIB ---- */

static size_t
mib_count(const struct snmp_responder *r)
{
	return (size_t)r->o.scalars + r->o.rows;
}

/* Object j's OID and value into vb. */
static void
mib_object(const struct snmp_responder *r, size_t j, struct resp_vb *vb)
{
	memcpy(vb->oid, resp_base, sizeof(resp_base));
	vb->type = T_INT;
	if (j < r->o.scalars) {
		vb->oid[7] = 1;
		vb->oid[8] = (uint32_t)j + 1;
		vb->oid[9] = 0;
		vb->len = 10;
		vb->val = 10 * ((long)j + 1);
	} else {
		vb->oid[7] = 2;
		vb->oid[8] = (uint32_t)(j - r->o.scalars) + 1;
		vb->len = 9;
		vb->val = (long)vb->oid[8];
	}
}

static int
oid_cmp(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen)
{
	for (size_t i = 0; i < alen && i < blen; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* The first object after o, or at o too unless strict (j = mib_count
 * when none). */
static size_t
mib_search(const struct snmp_responder *r, const uint32_t *o, size_t len,
    bool strict)
{
	size_t lo = 0, hi = mib_count(r);
	struct resp_vb vb;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c;

		mib_object(r, mid, &vb);
		c = oid_cmp(vb.oid, vb.len, o, len);
		if (c < 0 || (strict && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t
mib_next(const struct snmp_responder *r, const uint32_t *o, size_t len)
{
	return mib_search(r, o, len, true);
}

static bool
mib_get(const struct snmp_responder *r, const struct resp_vb *q,
    struct resp_vb *out)
{
	size_t j = mib_search(r, q->oid, q->len, false);

	if (j == mib_count(r))
		return false;
	mib_object(r, j, out);
	return oid_cmp(out->oid, out->len, q->oid, q->len) == 0;
}

/* ---- answers ---- */

static void
ans_add(struct snmp_responder *r, const struct resp_vb *vb)
{
	if (r->nans < RESP_VBS)
		r->ans[r->nans++] = *vb;
}

/* Object j as a walk row, named row N - 2 at row backwards_at. */
static void
walk_object(struct snmp_responder *r, size_t j, struct resp_vb *vb)
{
	mib_object(r, j, vb);
	if (r->o.backwards_at >= 3 && j >= r->o.scalars &&
	    j - r->o.scalars + 1 == r->o.backwards_at)
		vb->oid[8] -= 2;
}

static void
answer_get(struct snmp_responder *r)
{
	struct resp_req *q = &r->req;
	struct resp_vb vb;

	if (r->st.ngets < 32)
		r->st.gets[r->st.ngets++] = q->n;
	for (size_t i = 0; i < q->n; i++) {
		if (mib_get(r, &q->vbs[i], &vb)) {
			ans_add(r, &vb);
			continue;
		}
		if (q->version == 0) {
			r->errstat = E_NOSUCHNAME;
			r->errindex = (long)i + 1;
			return;
		}
		vb = q->vbs[i];
		vb.type = T_NOSUCHOBJECT;
		ans_add(r, &vb);
	}
}

/* Successors of the request's OIDs, reps times (GETNEXT: once). */
static void
answer_next(struct snmp_responder *r, long reps)
{
	struct resp_req *q = &r->req;
	struct resp_vb vb;

	for (long k = 0; k < reps; k++)
		for (size_t i = 0; i < q->n; i++) {
			struct resp_vb *cur = &q->vbs[i];
			size_t j = mib_next(r, cur->oid, cur->len);

			if (j == mib_count(r)) {
				if (q->version == 0) {
					r->errstat = E_NOSUCHNAME;
					r->errindex = (long)i + 1;
				} else {
					vb = *cur;
					vb.type = T_ENDOFMIBVIEW;
					ans_add(r, &vb);
				}
				return;
			}
			walk_object(r, j, &vb);
			ans_add(r, &vb);
			mib_object(r, j, cur); /* the next step starts here */
		}
}

/* ---- BER writing, backwards into r->out ---- */

static void
out_put(struct snmp_responder *r, const void *d, size_t n)
{
	if (n > r->outpos)
		abort(); /* RESP_BUF is far above any test's answer */
	r->outpos -= n;
	memcpy(r->out + r->outpos, d, n);
}

static size_t
out_used(const struct snmp_responder *r)
{
	return RESP_BUF - r->outpos;
}

/* Prepend the tag and length of the len bytes written last. */
static void
out_hdr(struct snmp_responder *r, uint8_t tag, size_t len)
{
	uint8_t h[4];
	size_t n = 0;

	if (len < 0x80) {
		h[n++] = (uint8_t)len;
	} else if (len < 0x100) {
		h[n++] = 0x81;
		h[n++] = (uint8_t)len;
	} else {
		h[n++] = 0x82;
		h[n++] = (uint8_t)(len >> 8);
		h[n++] = (uint8_t)len;
	}
	out_put(r, h, n);
	out_put(r, &tag, 1);
}

/* A non-negative INTEGER (or another tag with its encoding). */
static void
out_int(struct snmp_responder *r, uint8_t tag, long v)
{
	uint8_t b[6];
	size_t n = 0;
	unsigned long u = (unsigned long)v;

	do {
		b[5 - n++] = (uint8_t)u;
		u >>= 8;
	} while (u != 0);
	if (b[6 - n] & 0x80)
		b[5 - n++] = 0;
	out_put(r, b + 6 - n, n);
	out_hdr(r, tag, n);
}

static void
out_oid(struct snmp_responder *r, const uint32_t *o, size_t len)
{
	size_t mark = out_used(r);

	for (size_t i = len; i-- > 2;) {
		uint8_t b[5];
		size_t n = 0;
		uint32_t v = o[i];

		do {
			b[4 - n] = (uint8_t)((v & 0x7f) | (n > 0 ? 0x80 : 0));
			n++;
			v >>= 7;
		} while (v != 0);
		out_put(r, b + 5 - n, n);
	}
	{
		uint8_t first = (uint8_t)(40 * o[0] + o[1]);

		out_put(r, &first, 1);
	}
	out_hdr(r, T_OID, out_used(r) - mark);
}

static void
out_vb(struct snmp_responder *r, const struct resp_vb *vb)
{
	size_t mark = out_used(r);

	if (vb->type == T_INT)
		out_int(r, T_INT, vb->val);
	else
		out_hdr(r, vb->type, 0);
	out_oid(r, vb->oid, vb->len);
	out_hdr(r, T_SEQ, out_used(r) - mark);
}

/* The whole answer message with this request-id. */
static void
out_message(struct snmp_responder *r, long reqid)
{
	const struct resp_req *q = &r->req;
	size_t mark, pdu;
	bool echo = r->errstat != 0 && q->version == 0;
	bool none = r->errstat == E_TOOBIG && q->version != 0;

	r->outpos = RESP_BUF;
	mark = out_used(r);
	for (size_t i = echo ? q->n : none ? 0 : r->nans; i-- > 0;) {
		struct resp_vb vb = echo ? q->vbs[i] : r->ans[i];

		if (echo)
			vb.type = T_NULL;
		out_vb(r, &vb);
	}
	out_hdr(r, T_SEQ, out_used(r) - mark);
	out_int(r, T_INT, r->errindex);
	out_int(r, T_INT, r->errstat);
	out_int(r, T_INT, reqid);
	pdu = out_used(r) - mark;
	out_hdr(r, T_RESPONSE, pdu);
	out_put(r, q->community, q->clen);
	out_hdr(r, T_OCTETS, q->clen);
	out_int(r, T_INT, q->version);
	out_hdr(r, T_SEQ, out_used(r) - mark);
}

static void
send_out(struct snmp_responder *r, const struct sockaddr_in *to,
    const void *d, size_t n)
{
	if (sendto(r->fd, d, n, 0, (const struct sockaddr *)to,
	    sizeof(*to)) < 0) {
		/* a lost datagram is a retransmission for the poller */
	}
}

/* Junk of four kinds in turn: a truncated answer, an answer of SNMP
 * version 5, a length far past the datagram, and plain text. */
static void
send_junk(struct snmp_responder *r, const struct sockaddr_in *to)
{
	static const uint8_t huge[] = { 0x30, 0x84, 0x7f, 0xff, 0xff, 0xff,
	    0x02, 0x01, 0x01 };
	static const char text[] = "this is not an SNMP message";
	uint8_t bad[RESP_BUF];
	size_t n = out_used(r);

	memcpy(bad, r->out + r->outpos, n);
	switch (r->st.junk++ % 4) {
	case 0:
		send_out(r, to, bad, n / 2);
		break;
	case 1:
		bad[bad[1] < 0x80 ? 4 : 4 + (bad[1] & 0x7f)] = 5;
		send_out(r, to, bad, n);
		break;
	case 2:
		send_out(r, to, huge, sizeof(huge));
		break;
	default:
		send_out(r, to, text, sizeof(text) - 1);
		break;
	}
}

/* Build the answer of r->req (into r->ans, r->errstat, r->errindex). */
static void
answer_build(struct snmp_responder *r)
{
	struct resp_req *q = &r->req;

	r->nans = 0;
	r->errstat = r->errindex = 0;
	if (q->type == T_GET) {
		answer_get(r);
	} else if (q->type == T_GETNEXT) {
		answer_next(r, 1);
	} else {
		if (r->st.min_reps == 0 || q->b < r->st.min_reps)
			r->st.min_reps = (int)q->b;
		if (q->b > r->st.max_reps)
			r->st.max_reps = (int)q->b;
		answer_next(r, q->b > 0 ? q->b : 1);
	}
	if (r->o.max_vbs > 0 && r->nans > r->o.max_vbs) {
		r->errstat = E_TOOBIG;
		r->errindex = 0;
		r->st.toobig++;
	}
	if (r->errstat == E_NOSUCHNAME)
		r->st.nosuchname++;
}

static void
answer_send(struct snmp_responder *r, const struct sockaddr_in *to)
{
	long wrong = r->req.reqid ^ 0x2a2a2a2a;

	out_message(r, r->req.reqid);
	for (int i = 0; i < r->o.junk_before; i++)
		send_junk(r, to);
	if (r->o.wrong_reqid_before || r->o.wrong_reqid_only) {
		out_message(r, wrong);
		send_out(r, to, r->out + r->outpos, out_used(r));
		if (r->o.wrong_reqid_only)
			return;
		out_message(r, r->req.reqid);
	}
	send_out(r, to, r->out + r->outpos, out_used(r));
	r->st.answers++;
	if (r->o.twice)
		send_out(r, to, r->out + r->outpos, out_used(r));
}

static void
resp_on_read(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct snmp_responder *r = arg;
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	ssize_t n;

	(void)loop;
	(void)events;
	n = recvfrom(fd, r->in, sizeof(r->in), 0, (struct sockaddr *)&from,
	    &flen);
	if (n < 0)
		return;
	r->st.requests++;
	if (req_parse(r, r->in, (size_t)n) != 0)
		return;
	if (r->req.type != T_GET && r->req.type != T_GETNEXT &&
	    r->req.type != T_GETBULK)
		return;
	if (r->req.reqid == r->last_reqid) {
		r->tries++;
	} else {
		r->last_reqid = r->req.reqid;
		r->tries = 1;
	}
	if (r->tries < r->o.answer_try)
		return;
	answer_build(r);
	answer_send(r, &from);
}

int
snmp_responder_new(struct loop *loop, const struct snmp_responder_opts *o,
    struct snmp_responder **out)
{
	struct snmp_responder *r = calloc(1, sizeof(*r));
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int rc;

	*out = NULL;
	if (r == NULL)
		return -ENOMEM;
	r->loop = loop;
	r->o = *o;
	if (r->o.scalars == 0)
		r->o.scalars = 16;
	r->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (r->fd < 0 ||
	    bind(r->fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(r->fd, (struct sockaddr *)&sin, &len) != 0) {
		rc = -errno;
		goto fail;
	}
	r->port = ntohs(sin.sin_port);
	rc = loop_io_add(loop, r->fd, LOOP_READ, resp_on_read, r);
	if (rc != 0)
		goto fail;
	*out = r;
	return 0;
fail:
	if (r->fd >= 0)
		close(r->fd);
	free(r);
	return rc;
}

void
snmp_responder_free(struct snmp_responder *r)
{
	if (r == NULL)
		return;
	loop_io_del(r->loop, r->fd);
	close(r->fd);
	free(r);
}

uint16_t
snmp_responder_port(const struct snmp_responder *r)
{
	return r->port;
}

const struct snmp_responder_stats *
snmp_responder_stats(const struct snmp_responder *r)
{
	return &r->st;
}
