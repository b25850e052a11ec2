/*
 * jobwire: the envelope (key file, seal, open). The layout is fixed:
 * magic (4) | nonce (crypto_secretbox_NONCEBYTES) | MAC + ciphertext. No
 * state is kept between calls; the key lives in the caller's struct.
 * Bodies are in jobwire_body.c.
 */
#include "jobwire.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define JOBWIRE_MAGIC "PJW1"
#define JOBWIRE_MAGIC_LEN 4
#define JOBWIRE_HDR (JOBWIRE_MAGIC_LEN + crypto_secretbox_NONCEBYTES)

int
jobwire_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

int64_t
jobwire_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
jobwire_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
jobwire_key_load(const char *path, struct jobwire_key *key, char *err,
    size_t errlen)
{
	unsigned char buf[2 * JOBWIRE_KEYBYTES + 2];
	struct stat st;
	ssize_t n;
	size_t i;
	int fd, rc = -EINVAL;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open key file %s: %s", path,
		    strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "key file %s is not a regular file",
		    path);
		goto out;
	}
	if ((st.st_mode & 0027) != 0) {
		snprintf(err, errlen, "key file %s has mode %04o: it must not "
		    "be writable by group or readable by others (chmod 600)",
		    path, (unsigned)(st.st_mode & 07777));
		rc = -EPERM;
		goto out;
	}
	n = read(fd, buf, sizeof(buf));
	if (n < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot read key file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (n == JOBWIRE_KEYBYTES) {
		memcpy(key->k, buf, JOBWIRE_KEYBYTES);
		rc = 0;
		goto out;
	}
	if (n == 2 * JOBWIRE_KEYBYTES ||
	    (n == 2 * JOBWIRE_KEYBYTES + 1 && buf[n - 1] == '\n')) {
		for (i = 0; i < JOBWIRE_KEYBYTES; i++) {
			int hi = jobwire_hex(buf[2 * i]);
			int lo = jobwire_hex(buf[2 * i + 1]);

			if (hi < 0 || lo < 0)
				break;
			key->k[i] = (unsigned char)(hi << 4 | lo);
		}
		if (i == JOBWIRE_KEYBYTES) {
			rc = 0;
			goto out;
		}
	}
	snprintf(err, errlen, "key file %s must hold exactly %d bytes, or %d "
	    "hex digits (make one with: head -c 32 /dev/urandom > FILE)",
	    path, JOBWIRE_KEYBYTES, 2 * JOBWIRE_KEYBYTES);
out:
	sodium_memzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

void
jobwire_new_id(char id[JOBWIRE_ID_LEN + 1])
{
	unsigned char raw[JOBWIRE_ID_LEN / 2];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(id, JOBWIRE_ID_LEN + 1, raw, sizeof(raw));
}

static bool
jobwire_id_ok(const char *id)
{
	size_t i;

	if (id == NULL || strlen(id) != JOBWIRE_ID_LEN)
		return false;
	for (i = 0; i < JOBWIRE_ID_LEN; i++)
		if (jobwire_hex((unsigned char)id[i]) < 0)
			return false;
	return true;
}

static const char *
jobwire_kind_name(enum jobwire_kind kind)
{
	return kind == JOBWIRE_JOB ? "job" : "result";
}

int
jobwire_seal(const struct jobwire_key *key, enum jobwire_kind kind,
    const char *id, int64_t expires_ms, json_t *body, unsigned char **out,
    size_t *outlen)
{
	json_t *env;
	char *text;
	size_t tlen, total;
	unsigned char *buf;

	*out = NULL;
	*outlen = 0;
	if (!jobwire_id_ok(id) || !json_is_object(body))
		return -EINVAL;
	env = json_pack("{s:i, s:s, s:s, s:I, s:O}", "v", 1, "t",
	    jobwire_kind_name(kind), "id", id, "exp", (json_int_t)expires_ms,
	    "body", body);
	if (env == NULL)
		return -ENOMEM;
	text = json_dumps(env, JSON_COMPACT);
	json_decref(env);
	if (text == NULL)
		return -ENOMEM;
	tlen = strlen(text);
	total = JOBWIRE_HDR + crypto_secretbox_MACBYTES + tlen;
	if (total > JOBWIRE_MAX_PAYLOAD) {
		free(text);
		return -EINVAL;
	}
	buf = malloc(total);
	if (buf == NULL) {
		free(text);
		return -ENOMEM;
	}
	memcpy(buf, JOBWIRE_MAGIC, JOBWIRE_MAGIC_LEN);
	randombytes_buf(buf + JOBWIRE_MAGIC_LEN, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(buf + JOBWIRE_HDR, (const unsigned char *)text,
	    tlen, buf + JOBWIRE_MAGIC_LEN, key->k);
	free(text);
	*out = buf;
	*outlen = total;
	return 0;
}

int
jobwire_open(const struct jobwire_key *key, enum jobwire_kind kind,
    const void *buf, size_t len, int64_t now_ms,
    char id[JOBWIRE_ID_LEN + 1], int64_t *expires_ms, json_t **body,
    char *err, size_t errlen)
{
	const unsigned char *p = buf;
	unsigned char *plain = NULL;
	size_t plen;
	json_t *env = NULL, *b;
	json_error_t jerr;
	const char *t = NULL, *jid = NULL;
	json_int_t v = 0, exp = 0;
	int rc = -EPROTO;

	*body = NULL;
	if (len < JOBWIRE_HDR + crypto_secretbox_MACBYTES ||
	    len > JOBWIRE_MAX_PAYLOAD ||
	    memcmp(p, JOBWIRE_MAGIC, JOBWIRE_MAGIC_LEN) != 0) {
		snprintf(err, errlen, "not a sealed Pharos payload (%zu bytes)",
		    len);
		return -EBADMSG;
	}
	plen = len - JOBWIRE_HDR - crypto_secretbox_MACBYTES;
	if ((plain = malloc(plen + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (crypto_secretbox_open_easy(plain, p + JOBWIRE_HDR,
	    len - JOBWIRE_HDR, p + JOBWIRE_MAGIC_LEN, key->k) != 0) {
		snprintf(err, errlen, "authentication failed (wrong key or "
		    "altered payload)");
		rc = -EBADMSG;
		goto fail;
	}
	plain[plen] = '\0';
	env = json_loadb((const char *)plain, plen, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (env == NULL) {
		snprintf(err, errlen, "authentic payload is not JSON: %s",
		    jerr.text);
		goto fail;
	}
	if (json_unpack(env, "{s:I, s:s, s:s, s:I, s:o}", "v", &v, "t", &t,
	    "id", &jid, "exp", &exp, "body", &b) != 0 ||
	    !json_is_object(b)) {
		snprintf(err, errlen, "envelope lacks v, t, id, exp or body");
		goto fail;
	}
	if (v != 1) {
		snprintf(err, errlen, "unknown envelope version %lld",
		    (long long)v);
		goto fail;
	}
	if (strcmp(t, jobwire_kind_name(kind)) != 0) {
		snprintf(err, errlen, "a %.20s where a %s was expected", t,
		    jobwire_kind_name(kind));
		goto fail;
	}
	if (!jobwire_id_ok(jid)) {
		snprintf(err, errlen, "malformed id");
		goto fail;
	}
	if (exp < now_ms) {
		snprintf(err, errlen, "%s %s expired %lld ms ago",
		    jobwire_kind_name(kind), jid, (long long)(now_ms - exp));
		rc = -ETIME;
		goto fail;
	}
	memcpy(id, jid, JOBWIRE_ID_LEN + 1);
	*expires_ms = exp;
	*body = json_incref(b);
	rc = 0;
fail:
	json_decref(env);
	if (plain != NULL) {
		sodium_memzero(plain, plen);
		free(plain);
	}
	return rc;
}
