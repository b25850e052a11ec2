/*
 * cgi_csrf: CSRF tokens for the forms and ISO 8601 dates (cgilib.h).
 *
 * Basic authentication has no session, so a token is bound to the user
 * and an expiry: "EXPIRY.HMAC-SHA256(secret, user \n EXPIRY)" in hex. The
 * secret is a file only the web server's user reads.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgilib.h"
#include "strnum.h"

#define CGI_KEY_LEN 32

int
cgi_csrf_make(const unsigned char *key, size_t keylen, const char *user,
    int64_t expiry, char *out, size_t outlen)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char exp[32];
	int n;

	if (key == NULL || keylen == 0 || user == NULL || *user == '\0' ||
	    expiry < 0)
		return -EINVAL;
	n = snprintf(exp, sizeof(exp), "%lld", (long long)expiry);
	if (outlen < (size_t)n + 2 + 2 * sizeof(mac))
		return -EINVAL;
	if (sodium_init() < 0)
		return -EINVAL;
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)user,
	    strlen(user));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"\n", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)exp,
	    (size_t)n);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, exp, (size_t)n);
	out[n] = '.';
	sodium_bin2hex(out + n + 1, outlen - (size_t)n - 1, mac, sizeof(mac));
	return 0;
}

bool
cgi_csrf_verify(const unsigned char *key, size_t keylen, const char *user,
    const char *token, int64_t now)
{
	char want[128], exp[32];
	const char *dot;
	long e;
	size_t elen;

	if (token == NULL || (dot = strchr(token, '.')) == NULL)
		return false;
	elen = (size_t)(dot - token);
	if (elen == 0 || elen >= sizeof(exp))
		return false;
	memcpy(exp, token, elen);
	exp[elen] = '\0';
	if (strnum_long(exp, 0, 1L << 62, &e) != 0 || e < now)
		return false;
	if (cgi_csrf_make(key, keylen, user, e, want, sizeof(want)) != 0)
		return false;
	if (strlen(token) != strlen(want))
		return false;
	return sodium_memcmp(token, want, strlen(want)) == 0;
}

int
cgi_csrf_key(const struct cgi *c, unsigned char *key, size_t keylen)
{
	const char *path = c->cfg.csrf_secret_file;
	ssize_t r;
	int fd, rc;

	if (path == NULL || keylen != CGI_KEY_LEN)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (sodium_init() < 0)
			return -EIO;
		randombytes_buf(key, keylen);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			r = write(fd, key, keylen);
			rc = r == (ssize_t)keylen ? 0 : -EIO;
			if (close(fd) != 0 && rc == 0)
				rc = -EIO;
			if (rc != 0)
				unlink(path);
			return rc;
		}
		if (errno != EEXIST)
			return -errno;
		fd = open(path, O_RDONLY | O_CLOEXEC); /* made meanwhile */
	}
	if (fd < 0)
		return -errno;
	r = read(fd, key, keylen);
	close(fd);
	return r == (ssize_t)keylen ? 0 : -EIO;
}

void
cgi_csrf_field(struct cgi *c)
{
	unsigned char key[CGI_KEY_LEN];
	int rc = 0;

	if (c->csrf[0] == '\0') {
		rc = cgi_csrf_key(c, key, sizeof(key));
		if (rc == 0)
			rc = cgi_csrf_make(key, sizeof(key), c->user,
			    c->now + CGI_CSRF_LIFETIME, c->csrf,
			    sizeof(c->csrf));
		sodium_memzero(key, sizeof(key));
	}
	if (rc != 0) {
		c->csrf[0] = '\0';
		cgi_fail(c, CGI_ERROR, "csrf_secret_file %s: %s",
		    c->cfg.csrf_secret_file, strerror(-rc));
		return;
	}
	fputs("<input type=\"hidden\" name=\"token\" value=\"", c->out);
	cgi_put_attr(c->out, c->csrf);
	fputs("\">", c->out);
}

bool
cgi_csrf_check(struct cgi *c)
{
	unsigned char key[CGI_KEY_LEN];
	const char *tok = cgi_form_get(&c->form, "token");
	bool ok;

	if (!c->post) {
		cgi_fail(c, CGI_METHOD, "commands are sent with POST");
		return false;
	}
	if (tok == NULL) {
		cgi_fail(c, CGI_FORBIDDEN, "missing form token: reload the "
		    "page and send the form again");
		return false;
	}
	if (cgi_csrf_key(c, key, sizeof(key)) != 0) {
		cgi_fail(c, CGI_FORBIDDEN, "no csrf_secret_file to check "
		    "the form token with");
		return false;
	}
	ok = cgi_csrf_verify(key, sizeof(key), c->user, tok, c->now);
	sodium_memzero(key, sizeof(key));
	if (!ok)
		cgi_fail(c, CGI_FORBIDDEN, "invalid or expired form token: "
		    "reload the page and send the form again");
	return ok;
}

/* --- dates --------------------------------------------------------------- */

int
cgi_format_time(int64_t epoch, bool strict, char *buf, size_t len)
{
	struct tm tm;
	time_t t = (time_t)epoch;
	char off[8];
	size_t n;

	if (epoch == 0) {
		snprintf(buf, len, "never");
		return 0;
	}
	if (localtime_r(&t, &tm) == NULL)
		return -EINVAL;
	n = strftime(buf, len, strict ? "%Y-%m-%dT%H:%M:%S" :
	    "%Y-%m-%d %H:%M:%S", &tm);
	if (n == 0 || strftime(off, sizeof(off), "%z", &tm) != 5)
		return -EINVAL;
	/* +hhmm -> +hh:mm, after a space unless strict */
	if (snprintf(buf + n, len - n, "%s%.3s:%.2s", strict ? "" : " ",
	    off, off + 3) >= (int)(len - n))
		return -EINVAL;
	return 0;
}

void
cgi_put_time(struct cgi *c, int64_t epoch)
{
	char human[64], strict[64];

	if (epoch == 0) {
		fputs("never", c->out);
		return;
	}
	if (cgi_format_time(epoch, c->cfg.strict_iso8601, human,
	    sizeof(human)) != 0 || cgi_format_time(epoch, true, strict,
	    sizeof(strict)) != 0) {
		fputs("?", c->out);
		return;
	}
	fputs("<time datetime=\"", c->out);
	cgi_put_attr(c->out, strict);
	fputs("\">", c->out);
	cgi_put_html(c->out, human);
	fputs("</time>", c->out);
}

void
cgi_put_age(struct cgi *c, int64_t epoch, int64_t now)
{
	int64_t s;

	if (epoch == 0) {
		fputs("-", c->out);
		return;
	}
	s = now > epoch ? now - epoch : 0;
	if (s >= 86400)
		fprintf(c->out, "%lldd %lldh", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
	else if (s >= 3600)
		fprintf(c->out, "%lldh %lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else
		fprintf(c->out, "%lldm %llds", (long long)(s / 60),
		    (long long)(s % 60));
}
