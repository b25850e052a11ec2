/*
 * ping: `pharos ping`, a one-shot sweeper in fping's habits on the
 * daemon's ICMP prober (probes/icmp.h). See docs/ping.md.
 *
 * - struct ping_target, one per target in input order in one array: the
 *   address, the name as typed (NULL when it is the address text, so -g
 *   ranges store no strings), counters and min/max/sum of the round trips.
 *   No per-reply storage: about 100 bytes a target.
 *
 * - Every echo request is one prober probe of count 1, so each reply,
 *   timeout or ICMP error is printed as it happens with its request index,
 *   as fping does, and -c has no bound of the prober's. The per-target
 *   interval (-p) is ours; the global pacing (-i) is the prober's.
 *
 * - The schedule is one FIFO of targets due for their next request (linked
 *   through ping_target.next) and one loop timer for its head. A target's
 *   next request is due one period after this one was handed to the
 *   prober; the period is the same for all, so appending at the tail keeps
 *   the FIFO sorted by due time.
 *
 * - At most `window` requests are in flight, each holding a struct
 *   ping_req of a preallocated pool (the target, the request index; the
 *   probe callback's argument), and of those at most `queue` not yet sent
 *   by the prober (its tx counters tell). The window bounds the prober's
 *   memory (it allocates per probe) and its 65536 sequence numbers; the
 *   queue keeps requests from waiting long behind the pacing, so memory
 *   follows what is really on the wire. When either is full, due targets
 *   wait in order.
 *
 * - The before-sleep hook (ping_pump) starts requests; the probe callback
 *   (ping_on_done) counts and prints. The run ends when every target's
 *   requests completed, after SIGINT/SIGTERM (a signalfd: no global flag)
 *   once the requests in flight were cancelled, or at a safety bound.
 *
 * Trade-off: -p runs from when a request is handed to the prober, not from
 * its send, which waits for at most `queue` others (a few gaps); when the
 * pacing is the bottleneck the FIFO keeps a target's requests a whole
 * round apart anyway.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "ping.h"
#include "strnum.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "icmp.h"
#include "icmp_parse.h"
#include "log.h"
#include "loop.h"

#define PING_TARGETS_MAX 1000000 /* targets of one run (-g, -f, args) */
#define PING_COUNT_MAX 100000    /* -c */
#define PING_MS_MAX 3600000      /* -p, -t: one hour, the prober's limit */
#define PING_GAP_MS_MAX 60000    /* -i */
#define PING_WINDOW_MAX 8192     /* requests in flight */
#define PING_QUEUE_MAX 256       /* of those, not yet sent by the prober */
#define PING_LINE_MAX 1024       /* a line of -f FILE */
#define PING_BOUND_SLACK (10 * LOOP_NS_PER_SEC)
#define PING_MS LOOP_NS_PER_MSEC
#define PING_FAMILY(f) ((f) == AF_INET6 ? "IPv6" : "IPv4")

union ping_addr {
	struct sockaddr sa;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
};

struct ping_target {
	union ping_addr addr;
	char *name;               /* owned; NULL: the address text */
	struct ping_target *next; /* in the due FIFO */
	int64_t due_ns;           /* next request, monotonic */
	uint32_t started;         /* requests handed to the prober */
	uint32_t settled;         /* of those, completed */
	uint32_t sent;            /* of those, sent (or failed to send) */
	uint32_t received;
	double rtt_min, rtt_max, rtt_sum; /* ms, over received */
	bool send_error_shown;
};

struct ping;

struct ping_req {
	struct ping *p;
	struct ping_target *t;    /* NULL while free */
	struct icmp_probe *probe; /* valid until ping_on_done */
	uint32_t index;           /* request number within the target */
	struct ping_req *next_free;
};

struct ping_opts {
	uint32_t count;
	bool count_mode; /* -c given: per-reply lines and summaries */
	int64_t period_ns, gap_ns, timeout_ns;
	bool quiet, generate;
	int verbose;
	int family; /* AF_UNSPEC, or AF_INET / AF_INET6 from -4 / -6 */
	const char *file;
};

struct ping {
	struct ping_opts o;
	struct loop *loop;
	struct icmp *icmp;
	struct ping_target *targets; /* owned array */
	size_t ntargets, cap;
	size_t noaddr;   /* names that did not resolve */
	size_t finished; /* targets whose requests all completed */
	int width;       /* of the widest name, for the columns */
	struct ping_target *due_head, *due_tail;
	struct loop_timer timer; /* for due_head */
	struct ping_req *reqs;   /* owned pool of `window` entries */
	struct ping_req *req_free;
	size_t window, inflight;
	uint64_t handed; /* requests handed to the prober, in all */
	uint64_t queue;  /* how many of them may wait to be sent */
	bool stopping;
	int syserr; /* a failure that ends the run with PING_EXIT_SYSTEM */
};

/* Milliseconds with an optional fraction of up to 6 digits ("10", "0.1")
 * into nanoseconds in [min_ns, max_ns]. No sign, exponent, hex, space,
 * inf or nan: digits and one dot only. */
static int
ping_parse_ms(const char *s, int64_t min_ns, int64_t max_ns, int64_t *out)
{
	int64_t ns = 0, scale = PING_MS;
	const char *start = s;

	for (; *s >= '0' && *s <= '9' && s - start < 9; s++)
		ns = ns * 10 + (*s - '0') * PING_MS;
	if (s == start)
		return -EINVAL;
	if (*s == '.' && s[1] != '\0')
		for (s++; *s >= '0' && *s <= '9' && scale > 1; s++)
			ns += (*s - '0') * (scale /= 10);
	if (*s != '\0')
		return -EINVAL;
	if (ns < min_ns || ns > max_ns)
		return -ERANGE;
	*out = ns;
	return 0;
}

/* A round trip as fping shows it: about three significant digits. */
static const char *
ping_fmt_ms(double ms, char *buf, size_t len)
{
	int prec = ms < 1.0 ? 3 : ms < 10.0 ? 2 : ms < 100.0 ? 1 : 0;

	snprintf(buf, len, "%.*f", prec, ms);
	return buf;
}

static const char *
ping_addr_text(const union ping_addr *a, char *buf, size_t len)
{
	const void *raw = a->sa.sa_family == AF_INET6
	                      ? (const void *)&a->sin6.sin6_addr
	                      : (const void *)&a->sin.sin_addr;

	if (inet_ntop(a->sa.sa_family, raw, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

/* The target as the user named it. buf: at least INET6_ADDRSTRLEN. */
static const char *
ping_name(const struct ping_target *t, char *buf, size_t len)
{
	return t->name != NULL ? t->name : ping_addr_text(&t->addr, buf, len);
}

/* A new zeroed target at the end of the array, or NULL (err filled). */
static struct ping_target *
ping_target_new(struct ping *p, int *ret, char *err, size_t errlen)
{
	struct ping_target *n;
	size_t cap;

	if (p->ntargets >= PING_TARGETS_MAX) {
		snprintf(err, errlen, "more than %d targets", PING_TARGETS_MAX);
		*ret = -EINVAL;
		return NULL;
	}
	if (p->ntargets == p->cap) {
		cap = p->cap == 0 ? 64 : p->cap * 2;
		n = reallocarray(p->targets, cap, sizeof(*n));
		if (n == NULL) {
			snprintf(err, errlen, "out of memory");
			*ret = -ENOMEM;
			return NULL;
		}
		p->targets = n;
		p->cap = cap;
	}
	n = &p->targets[p->ntargets++];
	memset(n, 0, sizeof(*n));
	return n;
}

/* Can the prober reach this family, and did -4/-6 allow it? */
static int
ping_family_ok(struct ping *p, int family, const char *what, char *err,
               size_t errlen)
{
	const char *fam = PING_FAMILY(family);

	if (p->o.family != AF_UNSPEC && family != p->o.family) {
		snprintf(err, errlen, "%s: an %s address, but -%c was given",
		         what, fam, p->o.family == AF_INET ? '4' : '6');
		return -EINVAL;
	}
	if (!icmp_has_family(p->icmp, family)) {
		snprintf(err, errlen, "%s: no %s ICMP socket could be opened",
		         what, fam);
		return -EAFNOSUPPORT;
	}
	return 0;
}

/* Add a target typed by the user: a literal, else a name (getaddrinfo,
 * blocking, the first result). A name that does not resolve is reported
 * and counted, not an error. Returns 0 or -errno (err filled). */
static int
ping_add_text(struct ping *p, const char *text, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	struct ping_target *t;
	char buf[INET6_ADDRSTRLEN];
	int rc, ret = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_DGRAM; /* one result per address */
	hints.ai_flags = AI_NUMERICHOST;
	rc = getaddrinfo(text, NULL, &hints, &res);
	if (rc != 0) {
		/* A name: only families we can probe, unless told. */
		hints.ai_flags = 0;
		hints.ai_family = p->o.family;
		if (hints.ai_family == AF_UNSPEC &&
		    !icmp_has_family(p->icmp, AF_INET6))
			hints.ai_family = AF_INET;
		res = NULL;
		rc = getaddrinfo(text, NULL, &hints, &res);
	}
	if (rc != 0 || res == NULL || res->ai_addrlen > sizeof(t->addr) ||
	    (res->ai_family != AF_INET && res->ai_family != AF_INET6)) {
		fprintf(stderr, "%s: %s\n", text,
		        rc != 0 ? gai_strerror(rc) : "no usable address");
		p->noaddr++;
		goto out;
	}
	ret = ping_family_ok(p, res->ai_family, text, err, errlen);
	if (ret < 0)
		goto out;
	t = ping_target_new(p, &ret, err, errlen);
	if (t == NULL)
		goto out;
	memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
	if (strcmp(ping_addr_text(&t->addr, buf, sizeof(buf)), text) != 0) {
		t->name = strdup(text);
		if (t->name == NULL) {
			p->ntargets--;
			snprintf(err, errlen, "out of memory");
			ret = -ENOMEM;
		}
	}
out:
	if (res != NULL)
		freeaddrinfo(res);
	return ret;
}

/* Addresses as big-endian byte strings of alen bytes (4 or 16). */
static void
ping_addr_inc(uint8_t *a, size_t alen)
{
	while (alen-- > 0 && ++a[alen] == 0)
		;
}

/* Addresses from first to last inclusive (first <= last); UINT64_MAX when
 * IPv6 addresses differ in their upper 64 bits: far beyond the limit. */
static uint64_t
ping_range_size(const uint8_t *first, const uint8_t *last, size_t alen)
{
	size_t i, low = alen > 8 ? alen - 8 : 0;
	uint64_t a = 0, b = 0;

	if (memcmp(first, last, low) != 0)
		return UINT64_MAX;
	for (i = low; i < alen; i++) {
		a = a << 8 | first[i];
		b = b << 8 | last[i];
	}
	return b - a == UINT64_MAX ? UINT64_MAX : b - a + 1;
}

/* -g: one ADDRESS/PREFIX (every address of the network; for IPv4 prefixes
 * up to /30 without the network and broadcast addresses, as fping does)
 * or START END, inclusive. Returns 0 or -errno (err filled). */
static int
ping_add_generate(struct ping *p, int argc, char **argv, char *err,
                  size_t errlen)
{
	uint8_t first[16], last[16];
	char buf[INET6_ADDRSTRLEN + 8], *slash = NULL;
	struct ping_target *t;
	int family = 0, i, bits, ret;
	size_t alen = 16;
	uint64_t n, k;
	long len = -1;

	if (argc < 1 || argc > 2 || strlen(argv[0]) >= sizeof(buf))
		goto bad;
	memcpy(buf, argv[0], strlen(argv[0]) + 1);
	if (argc == 1 && (slash = strchr(buf, '/')) != NULL)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, first) == 1) {
		family = AF_INET;
		alen = 4;
	} else if (inet_pton(AF_INET6, buf, first) == 1)
		family = AF_INET6;
	if (family == 0 || (argc == 1 && slash == NULL) ||
	    (slash != NULL &&
	     strnum_long(slash + 1, 0, (long)alen * 8, &len) < 0) ||
	    (argc == 2 && inet_pton(family, argv[1], last) != 1))
		goto bad;
	for (i = 0; len >= 0 && i < (int)alen; i++) {
		bits = (int)len - i * 8;
		bits = bits < 0 ? 0 : bits > 8 ? 8 : bits;
		first[i] &= (uint8_t)(0xff00u >> bits);
		last[i] = (uint8_t)(first[i] | (0xffu >> bits));
	}
	if (family == AF_INET && len >= 0 && len <= 30) {
		ping_addr_inc(first, alen);
		for (i = (int)alen; i-- > 0 && last[i]-- == 0;)
			; /* last - 1 */
	}
	ret = ping_family_ok(p, family, argv[0], err, errlen);
	if (ret < 0)
		return ret;
	if (memcmp(first, last, alen) > 0)
		goto bad;
	n = ping_range_size(first, last, alen);
	if (n > PING_TARGETS_MAX) {
		snprintf(err, errlen, "-g %s: more than %d targets", argv[0],
		         PING_TARGETS_MAX);
		return -EINVAL;
	}
	for (k = 0; k < n; k++, ping_addr_inc(first, alen)) {
		t = ping_target_new(p, &ret, err, errlen);
		if (t == NULL)
			return ret;
		t->addr.sa.sa_family = (sa_family_t)family;
		if (family == AF_INET)
			memcpy(&t->addr.sin.sin_addr, first, 4);
		else
			memcpy(&t->addr.sin6.sin6_addr, first, 16);
	}
	return 0;
bad:
	snprintf(err, errlen,
	         "-g: expected ADDRESS/PREFIX, or START END with "
	         "START <= END, one family");
	return -EINVAL;
}

/* -f FILE ('-': stdin): one target per line, the first word; blank lines
 * and '#' comments skipped. */
static int
ping_read_file(struct ping *p, const char *path, char *err, size_t errlen)
{
	char line[PING_LINE_MAX], *s;
	unsigned long lineno = 0;
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *fp;
	size_t len;
	int ret = 0;

	fp = is_stdin ? stdin : fopen(path, "re");
	if (fp == NULL) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n' &&
		    !feof(fp)) {
			snprintf(err, errlen, "%s:%lu: line too long", path,
			         lineno);
			ret = -EINVAL;
			goto out;
		}
		s = line + strspn(line, " \t\r\n");
		if (*s == '\0' || *s == '#')
			continue;
		s[strcspn(s, " \t\r\n#")] = '\0';
		ret = ping_add_text(p, s, err, errlen);
		if (ret < 0)
			goto out;
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: read error", path);
		ret = -EIO;
	}
out:
	if (!is_stdin)
		fclose(fp);
	return ret;
}

static void ping_stop(struct ping *p);

/* The probe of one request completed: count it and print its line. */
static void
ping_on_done(const struct icmp_result *res, void *arg)
{
	struct ping_req *rq = arg;
	struct ping *p = rq->p;
	struct ping_target *t = rq->t;
	char buf[INET6_ADDRSTRLEN], rtt[32], avg[32];
	const char *name = ping_name(t, buf, sizeof(buf));
	uint32_t index = rq->index;
	double ms;

	rq->t = NULL;
	rq->probe = NULL;
	rq->next_free = p->req_free;
	p->req_free = rq;
	p->inflight--;

	t->settled++;
	t->sent += res->sent > 0 ? 1 : 0;
	if (res->received > 0) {
		ms = res->rtt_min_ms;
		if (t->received++ == 0 || ms < t->rtt_min)
			t->rtt_min = ms;
		t->rtt_max = ms > t->rtt_max ? ms : t->rtt_max;
		t->rtt_sum += ms;
	}
	if (p->o.quiet || res->sent == 0)
		goto done;
	if (res->icmp_errors > 0)
		fprintf(stderr, "ICMP %s for ICMP Echo sent to %s\n",
		        res->icmp_error_text, name);
	if (res->send_errno != 0 && !t->send_error_shown) {
		t->send_error_shown = true;
		fprintf(stderr, "%s: error while sending ping: %s\n", name,
		        strerror(res->send_errno));
	}
	if (!p->o.count_mode || res->aborted || res->send_errno != 0)
		goto done;
	if (t->received > 0)
		ping_fmt_ms(t->rtt_sum / t->received, avg, sizeof(avg));
	else
		snprintf(avg, sizeof(avg), "NaN");
	if (res->received > 0)
		printf("%-*s : [%u], %d bytes, %s ms (%s avg, %u%% loss)\n",
		       p->width, name, index, ICMP_PARSE_PACKET_LEN,
		       ping_fmt_ms(res->rtt_min_ms, rtt, sizeof(rtt)), avg,
		       (t->sent - t->received) * 100 / t->sent);
	else
		printf("%-*s : [%u], timed out (%s avg, %u%% loss)\n", p->width,
		       name, index, avg,
		       (t->sent - t->received) * 100 / t->sent);
done:
	if (t->settled < p->o.count)
		return;
	p->finished++;
	/* Without -c: alive, or unreachable unless cut short by a stop. */
	if (!p->o.count_mode && !p->o.quiet &&
	    (t->received > 0 || !res->aborted))
		printf("%s is %s\n", name,
		       t->received > 0 ? "alive" : "unreachable");
}

/* Hand one request of t to the prober. */
static int
ping_start(struct ping *p, struct ping_target *t)
{
	struct icmp_request req;
	struct ping_req *rq = p->req_free;
	int ret;

	memset(&req, 0, sizeof(req));
	req.addrlen = t->addr.sa.sa_family == AF_INET6 ? sizeof(t->addr.sin6)
	                                               : sizeof(t->addr.sin);
	memcpy(&req.addr, &t->addr, req.addrlen);
	req.count = 1;
	req.timeout_ns = p->o.timeout_ns;
	ret = icmp_probe_start(p->icmp, &req, ping_on_done, rq, &rq->probe);
	if (ret < 0)
		return ret;
	p->req_free = rq->next_free;
	rq->next_free = NULL;
	rq->t = t;
	rq->index = t->started++;
	p->inflight++;
	p->handed++;
	return 0;
}

/* Requests handed to the prober and not sent yet: each leaves its queue
 * as one of tx_packets or tx_errors (icmp.h). */
static uint64_t
ping_queued(const struct ping *p)
{
	const struct icmp_counters *c = icmp_get_counters(p->icmp);
	uint64_t out = c->tx_packets + c->tx_errors;

	return p->handed > out ? p->handed - out : 0;
}

/* Before-sleep hook: start every due request the window has room for,
 * and arm the timer for the next one due. */
static void
ping_pump(struct loop *loop, void *arg)
{
	struct ping *p = arg;
	struct ping_target *t;
	int64_t now = loop_now(loop);
	char buf[INET6_ADDRSTRLEN];
	int ret;

	while (!p->stopping && (t = p->due_head) != NULL) {
		if (t->due_ns > now) {
			if (loop_timer_active(&p->timer) &&
			    p->timer.deadline == t->due_ns)
				return;
			ret = loop_timer_start(loop, &p->timer, t->due_ns);
			if (ret < 0)
				goto fail;
			return;
		}
		/* Full: completions, or sends, make room and wake us. */
		if (p->req_free == NULL || ping_queued(p) >= p->queue)
			return;
		ret = ping_start(p, t);
		if (ret < 0)
			goto fail;
		p->due_head = t->next;
		if (p->due_head == NULL)
			p->due_tail = NULL;
		t->next = NULL;
		if (t->started < p->o.count) {
			t->due_ns = now + p->o.period_ns;
			if (p->due_tail != NULL)
				p->due_tail->next = t;
			else
				p->due_head = t;
			p->due_tail = t;
		}
	}
	return;
fail:
	fprintf(stderr, "pharos ping: %s: cannot start a probe: %s\n",
	        ping_name(t, buf, sizeof(buf)), strerror(-ret));
	p->syserr = ret;
	ping_stop(p);
}

/* The head of the FIFO is due: the before-sleep hook starts it. */
static void
ping_on_timer(struct loop *loop, struct loop_timer *timer, void *arg)
{
}

/* Stop starting requests and cancel those in flight: their callbacks run
 * now, with aborted set. */
static void
ping_stop(struct ping *p)
{
	size_t i;

	if (p->stopping)
		return;
	p->stopping = true;
	loop_timer_stop(p->loop, &p->timer);
	for (i = 0; i < p->window; i++)
		if (p->reqs[i].probe != NULL)
			icmp_probe_cancel(p->icmp, p->reqs[i].probe);
}

/* SIGINT, SIGTERM, SIGHUP: stop; the summary shows what was done. */
static void
ping_on_signal(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		;
	ping_stop(arg);
}

/* A generous bound on the run, in case a completion never comes: every
 * request paced, every round a period, every window a timeout, twice. */
static int64_t
ping_bound_ns(const struct ping *p)
{
	double reqs = (double)p->ntargets * p->o.count;
	double ns = reqs * p->o.gap_ns +
	            (reqs / p->window + 1) * p->o.timeout_ns +
	            p->o.count * (double)(p->o.period_ns + p->o.timeout_ns);

	return (int64_t)(ns > 1e16 ? 1e16 : 2 * ns) + PING_BOUND_SLACK;
}

/* The window: enough requests in flight that targets that never answer
 * do not hold the others back. The queue: what the prober sends in two
 * loop passes when unpaced; paced, a few gaps' worth (2 ms), so that a
 * request goes out soon after it is due and -p holds. */
static void
ping_window(struct ping *p)
{
	double reqs = (double)p->ntargets * p->o.count, q = PING_QUEUE_MAX;

	p->window = reqs < PING_WINDOW_MAX ? (size_t)reqs : PING_WINDOW_MAX;
	if (p->o.gap_ns > 0)
		q = 4 + 2.0 * PING_MS / (double)p->o.gap_ns;
	p->queue = q < PING_QUEUE_MAX ? (uint64_t)q : PING_QUEUE_MAX;
}

/* Run every request of every target; returns 0 or -errno. */
static int
ping_run(struct ping *p)
{
	sigset_t set, old;
	int64_t deadline;
	size_t i;
	int sfd, ret;

	ping_window(p);
	p->reqs = calloc(p->window, sizeof(*p->reqs));
	if (p->reqs == NULL)
		return -ENOMEM;
	for (i = p->window; i-- > 0; p->req_free = &p->reqs[i]) {
		p->reqs[i].p = p;
		p->reqs[i].next_free = p->req_free;
	}

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, &old) != 0)
		return -errno;
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0) {
		ret = -errno;
		goto out_mask;
	}
	ret = loop_io_add(p->loop, sfd, LOOP_READ, ping_on_signal, p);
	if (ret < 0)
		goto out_fd;

	loop_timer_init(&p->timer, ping_on_timer, p);
	loop_update_time(p->loop);
	for (i = 0; i < p->ntargets; i++) {
		p->targets[i].due_ns = loop_now(p->loop);
		p->targets[i].next =
		    i + 1 < p->ntargets ? &p->targets[i + 1] : NULL;
	}
	p->due_head = &p->targets[0];
	p->due_tail = &p->targets[p->ntargets - 1];
	loop_set_before_sleep(p->loop, ping_pump, p);

	deadline = loop_now(p->loop) + ping_bound_ns(p);
	while (p->finished < p->ntargets &&
	       !(p->stopping && p->inflight == 0)) {
		ret = loop_run_once(p->loop, deadline > loop_now(p->loop)
		                                 ? deadline - loop_now(p->loop)
		                                 : 0);
		if (ret < 0) {
			fprintf(stderr, "pharos ping: event loop: %s\n",
			        strerror(-ret));
			p->syserr = ret;
			ping_stop(p);
			break;
		}
		if (loop_now(p->loop) >= deadline && !p->stopping) {
			fputs("pharos ping: gave up waiting\n", stderr);
			ping_stop(p);
		}
	}
	ret = 0;
	loop_set_before_sleep(p->loop, NULL, NULL);
	loop_timer_stop(p->loop, &p->timer);
	loop_io_del(p->loop, sfd);
out_fd:
	/* Take signals that came after the last read, so that unblocking
	 * them does not kill the process before the summary. */
	ping_on_signal(p->loop, sfd, LOOP_READ, p);
	close(sfd);
out_mask:
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}

/* fping's -c summary, on stderr, in input order. */
static void
ping_print_summary(const struct ping *p)
{
	char name[INET6_ADDRSTRLEN], mn[32], avg[32], mx[32];
	const struct ping_target *t;
	size_t i;

	fflush(stdout);
	if (!p->o.quiet)
		fputc('\n', stderr);
	for (i = 0; i < p->ntargets; i++) {
		t = &p->targets[i];
		fprintf(stderr, "%-*s : xmt/rcv/%%loss = %u/%u/%u%%", p->width,
		        ping_name(t, name, sizeof(name)), t->sent, t->received,
		        t->sent > 0 ? (t->sent - t->received) * 100 / t->sent
		                    : 0);
		if (t->received > 0)
			fprintf(stderr, ", min/avg/max = %s/%s/%s",
			        ping_fmt_ms(t->rtt_min, mn, sizeof(mn)),
			        ping_fmt_ms(t->rtt_sum / t->received, avg,
			                    sizeof(avg)),
			        ping_fmt_ms(t->rtt_max, mx, sizeof(mx)));
		fputc('\n', stderr);
	}
}

/* -v: which sockets the prober opened ("IPv4 datagram socket"). */
static void
ping_print_sockets(const struct ping *p)
{
	bool raw;
	int f;

	for (f = AF_INET; f != 0; f = f == AF_INET ? AF_INET6 : 0) {
		raw = (f == AF_INET ? icmp_get_mode(p->icmp)
		                    : icmp_get_mode6(p->icmp)) == ICMP_MODE_RAW;
		fprintf(stderr, "pharos: icmp: %s %s socket\n", PING_FAMILY(f),
		        !icmp_has_family(p->icmp, f) ? "no"
		        : raw                        ? "raw"
		                                     : "datagram");
	}
}

static void
ping_print_counters(const struct ping *p)
{
	const struct icmp_counters *c = icmp_get_counters(p->icmp);

	fprintf(stderr,
	        "pharos: icmp: %" PRIu64 " datagrams read; dropped: %" PRIu64
	        " short, %" PRIu64 " bad checksum, %" PRIu64
	        " foreign, %" PRIu64 " bad cookie, %" PRIu64
	        " duplicate, %" PRIu64 " late; %" PRIu64
	        " send errors; window %zu\n",
	        c->rx_packets, c->rx_short, c->rx_bad_checksum, c->rx_foreign,
	        c->rx_bad_cookie, c->rx_duplicate, c->rx_late, c->tx_errors,
	        p->window);
}

static const char ping_usage_text[] =
    "usage: pharos ping [-46qv] [-c N] [-p MS] [-i MS] [-t MS] [-f FILE]\n"
    "                   [-g] TARGET...\n"
    "Ping many targets at once, as fping does. TARGET: an IPv4 or IPv6\n"
    "address or a name; with -g, ADDRESS/PREFIX or START END.\n\n"
    "  -c N     N requests per target, a line per reply and a summary\n"
    "           (without -c: one request, \"is alive\" or \"is unreachable\")\n"
    "  -p MS    interval between requests to one target (default 1000)\n"
    "  -i MS    interval between any two requests (default 10, 0: unpaced)\n"
    "  -t MS    how long to wait for each reply (default 500)\n"
    "  -q       quiet: summaries only, no reply lines or ICMP errors\n"
    "  -f FILE  targets from FILE, one a line, '#' comments ('-': stdin)\n"
    "  -g       targets from ADDRESS/PREFIX, or from START to END\n"
    "  -4, -6   resolve names to IPv4 or IPv6 addresses only\n"
    "  -v       print the ICMP sockets and the prober's counters\n\n"
    "exit: 0 all targets answered, 1 some did not, 2 a name did not\n"
    "      resolve, 3 bad arguments, 4 a system call failed\n";

static int
ping_usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "pharos ping: %s%s%s%s\nTry 'pharos ping -h'.\n", what,
	        arg != NULL ? ", not '" : "", arg != NULL ? arg : "",
	        arg != NULL ? "'" : "");
	return PING_EXIT_USAGE;
}

/* Parse argv into o; returns -1 to go on, else an exit code. */
static int
ping_parse_args(int argc, char **argv, struct ping_opts *o)
{
	long v;
	int ch;

	memset(o, 0, sizeof(*o));
	o->count = 1;
	o->period_ns = 1000 * PING_MS;
	o->gap_ns = 10 * PING_MS;
	o->timeout_ns = 500 * PING_MS;
	o->family = AF_UNSPEC;
	optind = 0; /* restart getopt: argv[0] is "ping" */
	opterr = 0;
	while ((ch = getopt(argc, argv, "46c:f:ghi:p:qt:v")) != -1) {
		switch (ch) {
		case '4':
		case '6':
			if (o->family != AF_UNSPEC)
				return ping_usage_error("give -4 or -6", NULL);
			o->family = ch == '4' ? AF_INET : AF_INET6;
			break;
		case 'c':
			if (strnum_long(optarg, 1, PING_COUNT_MAX, &v) < 0)
				return ping_usage_error(
				    "-c: expected a count from 1 to 100000",
				    optarg);
			o->count = (uint32_t)v;
			o->count_mode = true;
			break;
		case 'f':
			o->file = optarg;
			break;
		case 'g':
			o->generate = true;
			break;
		case 'h':
			fputs(ping_usage_text, stdout);
			return PING_EXIT_ALIVE;
		case 'i':
			if (ping_parse_ms(optarg, 0, PING_GAP_MS_MAX * PING_MS,
			                  &o->gap_ns) < 0)
				return ping_usage_error(
				    "-i: expected 0 to 60000 ms", optarg);
			break;
		case 'p':
		case 't':
			if (ping_parse_ms(
			        optarg, PING_MS, PING_MS_MAX * PING_MS,
			        ch == 'p' ? &o->period_ns : &o->timeout_ns) < 0)
				return ping_usage_error(
				    ch == 'p' ? "-p: expected 1 to 3600000 ms"
				              : "-t: expected 1 to 3600000 ms",
				    optarg);
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'v':
			o->verbose++;
			break;
		default:
			return ping_usage_error("unknown option or missing "
			                        "value",
			                        NULL);
		}
	}
	if (o->generate && o->file != NULL)
		return ping_usage_error("give -g or -f, not both", NULL);
	if (o->generate && optind == argc)
		return ping_usage_error("-g needs ADDRESS/PREFIX or START END",
		                        NULL);
	if (optind == argc && o->file == NULL && isatty(STDIN_FILENO))
		return ping_usage_error("no targets given", NULL);
	return -1;
}

/* Build the target list from the arguments, -f FILE, or stdin when there
 * is neither (as fping does). Returns 0 or -errno (err filled). */
static int
ping_build_targets(struct ping *p, int argc, char **argv, char *err,
                   size_t errlen)
{
	char buf[INET6_ADDRSTRLEN];
	size_t i, w;
	int ret = 0;

	if (p->o.generate)
		ret = ping_add_generate(p, argc, argv, err, errlen);
	else if (argc == 0 && p->o.file == NULL)
		ret = ping_read_file(p, "-", err, errlen);
	for (; !p->o.generate && ret == 0 && argc > 0; argc--, argv++)
		ret = ping_add_text(p, argv[0], err, errlen);
	if (!p->o.generate && ret == 0 && p->o.file != NULL)
		ret = ping_read_file(p, p->o.file, err, errlen);
	for (i = 0; i < p->ntargets; i++) {
		w = strlen(ping_name(&p->targets[i], buf, sizeof(buf)));
		p->width = w > (size_t)p->width ? (int)w : p->width;
	}
	return ret;
}

int
ping_main(int argc, char **argv)
{
	struct ping p;
	char err[512] = "";
	size_t i;
	int rc, ret;

	memset(&p, 0, sizeof(p));
	rc = ping_parse_args(argc, argv, &p.o);
	if (rc >= 0)
		return rc;
	log_init("pharos", p.o.verbose > 1 ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
	setvbuf(stdout, NULL, _IOLBF,
	        0); /* lines as they come, also in pipes */

	rc = PING_EXIT_SYSTEM;
	ret = loop_new(&p.loop);
	if (ret < 0) {
		snprintf(err, sizeof(err), "event loop: %s", strerror(-ret));
		goto out;
	}
	ret = icmp_new(p.loop, &p.icmp, err, sizeof(err));
	if (ret < 0)
		goto out;
	if (p.o.verbose > 0)
		ping_print_sockets(&p);
	icmp_set_pacing(p.icmp, p.o.gap_ns);

	ret = ping_build_targets(&p, argc - optind, argv + optind, err,
	                         sizeof(err));
	if (ret < 0) {
		rc = ret == -EINVAL ? PING_EXIT_USAGE : PING_EXIT_SYSTEM;
		goto out;
	}
	if (p.ntargets == 0) {
		rc = p.noaddr > 0 ? PING_EXIT_NOADDRESS
		                  : ping_usage_error("no targets", NULL);
		goto out;
	}
	ret = ping_run(&p);
	if (ret < 0) {
		snprintf(err, sizeof(err), "%s", strerror(-ret));
		rc = PING_EXIT_SYSTEM;
		goto out;
	}
	if (p.o.count_mode)
		ping_print_summary(&p);
	if (p.o.verbose > 0)
		ping_print_counters(&p);
	rc = p.noaddr > 0 ? PING_EXIT_NOADDRESS : PING_EXIT_ALIVE;
	for (i = 0; i < p.ntargets && rc == PING_EXIT_ALIVE; i++)
		if (p.targets[i].received == 0)
			rc = PING_EXIT_UNREACHABLE;
	if (p.syserr != 0)
		rc = PING_EXIT_SYSTEM;
out:
	if (err[0] != '\0')
		fprintf(stderr, "pharos ping: %s\n", err);
	fflush(stdout);
	icmp_free(p.icmp);
	loop_free(p.loop);
	free(p.reqs);
	for (i = 0; i < p.ntargets; i++)
		free(p.targets[i].name);
	free(p.targets);
	return rc;
}
