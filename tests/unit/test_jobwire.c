/*
 * test_jobwire: sealed job and result payloads. Round trips, then every
 * kind of bad input: wrong key, altered bytes, short or foreign data,
 * authentic payloads that are not JSON or have a bad envelope, expired
 * ones, a job replayed as a result, bad body fields, and key files that
 * are too open, too short or not hex. Raw envelopes are sealed here with
 * libsodium directly, the way a buggy or hostile peer holding the key
 * would.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>

#include "jobwire.h"

#define ID "0123456789abcdef0123456789abcdef"
#define NOW INT64_C(1800000000000)

static struct jobwire_key key_a, key_b;

static int
setup(void **state)
{
	(void)state;
	assert_int_equal(jobwire_init(), 0);
	memset(key_a.k, 0x11, sizeof(key_a.k));
	memset(key_b.k, 0x22, sizeof(key_b.k));
	return 0;
}

/* Seal arbitrary text the way jobwire does (magic, nonce, secretbox). */
static unsigned char *
raw_seal(const struct jobwire_key *k, const char *text, size_t *len)
{
	size_t tl = strlen(text);
	unsigned char *b = malloc(4 + crypto_secretbox_NONCEBYTES +
	    crypto_secretbox_MACBYTES + tl);

	assert_non_null(b);
	memcpy(b, "PJW1", 4);
	randombytes_buf(b + 4, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(b + 4 + crypto_secretbox_NONCEBYTES,
	    (const unsigned char *)text, tl, b + 4, k->k);
	*len = 4 + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
	    tl;
	return b;
}

static int
open_raw(const char *text, enum jobwire_kind kind)
{
	char id[JOBWIRE_ID_LEN + 1], err[256];
	unsigned char *b;
	size_t len;
	int64_t exp;
	json_t *body = NULL;
	int rc;

	b = raw_seal(&key_a, text, &len);
	rc = jobwire_open(&key_a, kind, b, len, NOW, id, &exp, &body, err,
	    sizeof(err));
	assert_null(body);
	assert_true(err[0] != '\0');
	free(b);
	return rc;
}

static void
fill_job(struct jobwire_job *j, char **args, char **argv)
{
	memset(j, 0, sizeof(*j));
	j->poller = "site-a";
	j->result_queue = "pharos_results";
	j->host = "sw1";
	j->service = "Traffic";
	j->kind = "snmp_if";
	j->address = "192.0.2.1";
	args[0] = "ge-0/0/1";
	args[1] = "80,90";
	j->args = args;
	j->nargs = 2;
	argv[0] = "/bin/true";
	j->argv = argv;
	j->nargv = 1;
	j->timeout_ms = 10000;
	j->has_snmp = true;
	j->snmp.version = SNMP_V3;
	j->snmp.seclevel = SNMP_AUTHPRIV;
	j->snmp.auth = SNMP_AUTH_SHA;
	j->snmp.priv = SNMP_PRIV_AES;
	snprintf(j->snmp.user, sizeof(j->snmp.user), "ops");
	snprintf(j->snmp.auth_pass, sizeof(j->snmp.auth_pass), "secret-1");
	j->snmp.retries = 2;
	j->snmp.port = 1161;
}

static void
test_jobwire_job_round_trip(void **state)
{
	struct jobwire_job j, got;
	char *args[2], *argv[1];
	char id[JOBWIRE_ID_LEN + 1], err[256];
	unsigned char *buf;
	size_t len;
	int64_t exp;
	json_t *body;

	(void)state;
	fill_job(&j, args, argv);
	body = jobwire_job_json(&j);
	assert_non_null(body);
	assert_int_equal(jobwire_seal(&key_a, JOBWIRE_JOB, ID, NOW + 5000,
	    body, &buf, &len), 0);
	json_decref(body);
	assert_int_equal(jobwire_open(&key_a, JOBWIRE_JOB, buf, len, NOW, id,
	    &exp, &body, err, sizeof(err)), 0);
	assert_string_equal(id, ID);
	assert_true(exp == NOW + 5000);
	assert_int_equal(jobwire_job_read(body, &got, err, sizeof(err)), 0);
	json_decref(body);
	assert_string_equal(got.poller, "site-a");
	assert_string_equal(got.service, "Traffic");
	assert_string_equal(got.kind, "snmp_if");
	assert_int_equal(got.nargs, 2);
	assert_string_equal(got.args[1], "80,90");
	assert_int_equal(got.nargv, 1);
	assert_true(got.has_snmp);
	assert_int_equal(got.snmp.version, SNMP_V3);
	assert_int_equal(got.snmp.port, 1161);
	assert_string_equal(got.snmp.auth_pass, "secret-1");
	assert_false(got.host_check);
	jobwire_job_clear(&got);
	/* The plain text of the secret is not in the sealed bytes. */
	assert_null(memmem(buf, len, "secret-1", 8));
	free(buf);
}

static void
test_jobwire_result_round_trip(void **state)
{
	struct jobwire_result r = { "w1", 2, "CRITICAL - down", NULL,
	    "rta=1ms;", 1800000000, 12 }, got;
	char id[JOBWIRE_ID_LEN + 1], err[256];
	unsigned char *buf;
	size_t len;
	int64_t exp;
	json_t *body;

	(void)state;
	body = jobwire_result_json(&r);
	assert_int_equal(jobwire_seal(&key_a, JOBWIRE_RESULT, ID, NOW + 1,
	    body, &buf, &len), 0);
	json_decref(body);
	assert_int_equal(jobwire_open(&key_a, JOBWIRE_RESULT, buf, len, NOW,
	    id, &exp, &body, err, sizeof(err)), 0);
	assert_int_equal(jobwire_result_read(body, &got, err, sizeof(err)),
	    0);
	json_decref(body);
	assert_int_equal(got.code, 2);
	assert_string_equal(got.output, "CRITICAL - down");
	assert_null(got.long_output);
	assert_string_equal(got.perfdata, "rta=1ms;");
	jobwire_result_clear(&got);
	free(buf);
}

/* Seal a small valid result for the tampering tests. */
static unsigned char *
sealed_result(size_t *len, int64_t expires)
{
	struct jobwire_result r = { "w1", 0, "OK", NULL, NULL, 1, 1 };
	unsigned char *buf;
	json_t *body = jobwire_result_json(&r);

	assert_int_equal(jobwire_seal(&key_a, JOBWIRE_RESULT, ID, expires,
	    body, &buf, len), 0);
	json_decref(body);
	return buf;
}

static int
open_result(const struct jobwire_key *k, const unsigned char *buf,
    size_t len, int64_t now)
{
	char id[JOBWIRE_ID_LEN + 1], err[256] = "";
	int64_t exp;
	json_t *body = NULL;
	int rc = jobwire_open(k, JOBWIRE_RESULT, buf, len, now, id, &exp,
	    &body, err, sizeof(err));

	if (rc != 0) {
		assert_null(body);
		assert_true(err[0] != '\0');
	}
	json_decref(body);
	return rc;
}

static void
test_jobwire_wrong_key_rejected(void **state)
{
	size_t len;
	unsigned char *buf = sealed_result(&len, NOW + 1000);

	(void)state;
	assert_int_equal(open_result(&key_b, buf, len, NOW), -EBADMSG);
	assert_int_equal(open_result(&key_a, buf, len, NOW), 0);
	free(buf);
}

static void
test_jobwire_every_altered_byte_rejected(void **state)
{
	size_t len, i;
	unsigned char *buf = sealed_result(&len, NOW + 1000);

	(void)state;
	for (i = 0; i < len; i++) {
		buf[i] ^= 0x01;
		assert_int_equal(open_result(&key_a, buf, len, NOW), -EBADMSG);
		buf[i] ^= 0x01;
	}
	free(buf);
}

static void
test_jobwire_short_and_foreign_rejected(void **state)
{
	size_t len, i;
	unsigned char *buf = sealed_result(&len, NOW + 1000);
	static const char junk[] = "host_name=sw1\nreturn_code=0\n";

	(void)state;
	for (i = 0; i < len; i++)
		assert_int_equal(open_result(&key_a, buf, i, NOW), -EBADMSG);
	assert_int_equal(open_result(&key_a, (const unsigned char *)junk,
	    sizeof(junk) - 1, NOW), -EBADMSG);
	assert_int_equal(open_result(&key_a, (const unsigned char *)"", 0,
	    NOW), -EBADMSG);
	free(buf);
}

static void
test_jobwire_expired_rejected(void **state)
{
	size_t len;
	unsigned char *buf = sealed_result(&len, NOW - 1);

	(void)state;
	assert_int_equal(open_result(&key_a, buf, len, NOW), -ETIME);
	assert_int_equal(open_result(&key_a, buf, len, NOW - 1), 0);
	free(buf);
}

static void
test_jobwire_job_replayed_as_result_rejected(void **state)
{
	(void)state;
	assert_int_equal(open_raw("{\"v\":1,\"t\":\"job\",\"id\":\"" ID
	    "\",\"exp\":1900000000000,\"body\":{}}", JOBWIRE_RESULT), -EPROTO);
	assert_int_equal(open_raw("{\"v\":1,\"t\":\"result\",\"id\":\"" ID
	    "\",\"exp\":1900000000000,\"body\":{}}", JOBWIRE_JOB), -EPROTO);
}

static void
test_jobwire_malformed_envelope_rejected(void **state)
{
	static const char *const bad[] = {
		"not json at all",
		"[1,2,3]",
		"{\"v\":1}",
		"{\"v\":2,\"t\":\"job\",\"id\":\"" ID "\",\"exp\":1900000000000,"
		    "\"body\":{}}",
		"{\"v\":1,\"t\":\"job\",\"id\":\"short\",\"exp\":1900000000000,"
		    "\"body\":{}}",
		"{\"v\":1,\"t\":\"job\",\"id\":\"0123456789abcdef0123456789abcdeZ\","
		    "\"exp\":1900000000000,\"body\":{}}",
		"{\"v\":1,\"t\":\"job\",\"id\":\"" ID "\",\"exp\":\"soon\","
		    "\"body\":{}}",
		"{\"v\":1,\"t\":\"job\",\"id\":\"" ID "\",\"exp\":1900000000000,"
		    "\"body\":[]}",
		"{\"v\":1,\"t\":\"job\",\"t\":\"job\",\"id\":\"" ID
		    "\",\"exp\":1900000000000,\"body\":{}}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(open_raw(bad[i], JOBWIRE_JOB), -EPROTO);
}

static void
test_jobwire_seal_rejects_bad_id(void **state)
{
	json_t *body = json_object(), *arr = json_array();
	unsigned char *buf = (unsigned char *)"x";
	size_t len = 1;

	(void)state;
	assert_int_equal(jobwire_seal(&key_a, JOBWIRE_JOB, "abc", NOW, body,
	    &buf, &len), -EINVAL);
	assert_null(buf);
	assert_int_equal(jobwire_seal(&key_a, JOBWIRE_JOB, ID, NOW,
	    arr, &buf, &len), -EINVAL);
	json_decref(arr);
	json_decref(body);
}

static int
read_job_text(const char *text)
{
	struct jobwire_job j;
	char err[256] = "";
	json_t *b = json_loads(text, 0, NULL);
	int rc;

	assert_non_null(b);
	rc = jobwire_job_read(b, &j, err, sizeof(err));
	json_decref(b);
	if (rc == 0)
		jobwire_job_clear(&j);
	else
		assert_true(err[0] != '\0');
	return rc;
}

#define JOB_BASE "\"poller\":\"a\",\"result_queue\":\"r\",\"host\":\"h\"," \
	"\"address\":\"192.0.2.1\",\"args\":[],\"timeout_ms\":1000," \
	"\"host_check\":true"

static void
test_jobwire_bad_job_bodies_rejected(void **state)
{
	static const char *const bad[] = {
		"{" JOB_BASE "}",                              /* no kind */
		"{" JOB_BASE ",\"kind\":\"shell\",\"argv\":[]}",
		"{" JOB_BASE ",\"kind\":\"plugin\",\"argv\":[]}",
		"{" JOB_BASE ",\"kind\":\"plugin\",\"argv\":[\"check_ping\"]}",
		"{" JOB_BASE ",\"kind\":\"icmp\",\"argv\":[1]}",
		"{" JOB_BASE ",\"kind\":\"icmp\",\"argv\":\"x\"}",
		"{" JOB_BASE ",\"kind\":7,\"argv\":[]}",
		"{\"poller\":\"a\",\"result_queue\":\"r\",\"host\":\"h\","
		    "\"address\":\"a\",\"args\":[],\"argv\":[],\"timeout_ms\":0,"
		    "\"host_check\":true,\"kind\":\"icmp\"}",
		"{\"poller\":\"a\",\"result_queue\":\"r\",\"host\":\"h\","
		    "\"address\":\"a\",\"args\":[],\"argv\":[],"
		    "\"timeout_ms\":10,\"host_check\":1,\"kind\":\"icmp\"}",
		"{" JOB_BASE ",\"kind\":\"snmp\",\"argv\":[],\"snmp\":{}}",
		"{" JOB_BASE ",\"kind\":\"snmp\",\"argv\":[],\"snmp\":{\"port\":"
		    "161,\"version\":9,\"seclevel\":0,\"auth\":0,\"priv\":0,"
		    "\"timeout_ns\":0,\"retries\":1,\"bulk_reps\":0,\"community\":"
		    "\"c\",\"user\":\"\",\"auth_pass\":\"\",\"priv_pass\":\"\","
		    "\"engine_id\":\"\"}}",
		"{" JOB_BASE ",\"kind\":\"icmp\",\"argv\":[],\"service\":5}",
	};
	size_t i;

	(void)state;
	assert_int_equal(read_job_text("{" JOB_BASE ",\"kind\":\"icmp\","
	    "\"argv\":[]}"), 0);
	assert_int_equal(read_job_text("{" JOB_BASE ",\"kind\":\"arp\","
	    "\"argv\":[]}"), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(read_job_text(bad[i]), -EINVAL);
}

static void
test_jobwire_too_many_args_rejected(void **state)
{
	char text[4096];
	int len, i;

	(void)state;
	len = snprintf(text, sizeof(text), "{" JOB_BASE ",\"kind\":\"plugin\","
	    "\"argv\":[\"/bin/true\"");
	for (i = 0; i < JOBWIRE_MAX_ARGS; i++)
		len += snprintf(text + len, sizeof(text) - (size_t)len, ",\"x\"");
	snprintf(text + len, sizeof(text) - (size_t)len, "]}");
	assert_int_equal(read_job_text(text), -EINVAL);
}

static void
test_jobwire_bad_result_bodies_rejected(void **state)
{
	static const char *const bad[] = {
		"{\"worker\":\"w\",\"code\":4,\"output\":\"x\",\"start_time\":1,"
		    "\"duration_ms\":1}",
		"{\"worker\":\"w\",\"code\":-1,\"output\":\"x\",\"start_time\":1,"
		    "\"duration_ms\":1}",
		"{\"worker\":\"w\",\"code\":0,\"start_time\":1,"
		    "\"duration_ms\":1}",
		"{\"worker\":\"w\",\"code\":0,\"output\":\"x\",\"start_time\":1,"
		    "\"duration_ms\":-5}",
		"{\"worker\":\"w\",\"code\":0,\"output\":[],\"start_time\":1,"
		    "\"duration_ms\":1}",
		"{\"worker\":\"w\",\"code\":\"0\",\"output\":\"x\","
		    "\"start_time\":1,\"duration_ms\":1}",
		"{\"worker\":\"w\",\"code\":0,\"output\":\"a\\u0000b\","
		    "\"start_time\":1,\"duration_ms\":1}",
	};
	struct jobwire_result r;
	char err[256];
	size_t i;
	json_t *b;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = json_loads(bad[i], JSON_ALLOW_NUL, NULL);
		assert_non_null(b);
		err[0] = '\0';
		assert_int_equal(jobwire_result_read(b, &r, err, sizeof(err)),
		    -EINVAL);
		assert_true(err[0] != '\0');
		assert_null(r.output);
		json_decref(b);
	}
}

static char keydir[64];

static const char *
write_key(const char *name, const void *data, size_t len, mode_t mode)
{
	static char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", keydir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

static void
test_jobwire_key_files(void **state)
{
	struct jobwire_key k;
	unsigned char raw[32];
	char hex[66], err[256];
	int rc;

	(void)state;
	snprintf(keydir, sizeof(keydir), "/tmp/test_jobwire.XXXXXX");
	assert_non_null(mkdtemp(keydir));
	memset(raw, 0xab, sizeof(raw));
	assert_int_equal(jobwire_key_load(write_key("raw", raw, 32, 0600), &k,
	    err, sizeof(err)), 0);
	assert_memory_equal(k.k, raw, 32);
	memset(hex, 'c', 64);
	hex[64] = '\n';
	memset(&k, 0, sizeof(k));
	assert_int_equal(jobwire_key_load(write_key("hex", hex, 65, 0640), &k,
	    err, sizeof(err)), 0);
	assert_int_equal(k.k[31], 0xcc);
	/* Too open: readable by others, or writable by the group. */
	rc = jobwire_key_load(write_key("open", raw, 32, 0644), &k, err,
	    sizeof(err));
	assert_int_equal(rc, -EPERM);
	assert_non_null(strstr(err, "chmod 600"));
	assert_int_equal(jobwire_key_load(write_key("gw", raw, 32, 0660), &k,
	    err, sizeof(err)), -EPERM);
	/* Wrong sizes and contents. */
	assert_int_equal(jobwire_key_load(write_key("short", raw, 31, 0600),
	    &k, err, sizeof(err)), -EINVAL);
	assert_int_equal(jobwire_key_load(write_key("long", hex, 66, 0600),
	    &k, err, sizeof(err)), -EINVAL);
	hex[10] = 'g';
	assert_int_equal(jobwire_key_load(write_key("nothex", hex, 64, 0600),
	    &k, err, sizeof(err)), -EINVAL);
	assert_int_equal(jobwire_key_load(write_key("empty", "", 0, 0600), &k,
	    err, sizeof(err)), -EINVAL);
	assert_int_equal(jobwire_key_load("/nonexistent/pharos.key", &k, err,
	    sizeof(err)), -ENOENT);
	assert_int_equal(jobwire_key_load(keydir, &k, err, sizeof(err)),
	    -EINVAL);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", keydir);
		assert_int_equal(system(cmd), 0);
	}
}

static void
test_jobwire_ids_are_fresh(void **state)
{
	char a[JOBWIRE_ID_LEN + 1], b[JOBWIRE_ID_LEN + 1];

	(void)state;
	jobwire_new_id(a);
	jobwire_new_id(b);
	assert_int_equal(strlen(a), JOBWIRE_ID_LEN);
	assert_string_not_equal(a, b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jobwire_job_round_trip),
		cmocka_unit_test(test_jobwire_result_round_trip),
		cmocka_unit_test(test_jobwire_wrong_key_rejected),
		cmocka_unit_test(test_jobwire_every_altered_byte_rejected),
		cmocka_unit_test(test_jobwire_short_and_foreign_rejected),
		cmocka_unit_test(test_jobwire_expired_rejected),
		cmocka_unit_test(test_jobwire_job_replayed_as_result_rejected),
		cmocka_unit_test(test_jobwire_malformed_envelope_rejected),
		cmocka_unit_test(test_jobwire_seal_rejects_bad_id),
		cmocka_unit_test(test_jobwire_bad_job_bodies_rejected),
		cmocka_unit_test(test_jobwire_too_many_args_rejected),
		cmocka_unit_test(test_jobwire_bad_result_bodies_rejected),
		cmocka_unit_test(test_jobwire_key_files),
		cmocka_unit_test(test_jobwire_ids_are_fresh),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
