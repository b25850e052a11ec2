/*
 * snmpd_fixture: one snmpd child per fixture. Its directory, made with
 * mkdtemp, holds agent.conf (the config written here), pid (snmpd's pid
 * file) and persist/ (its persistent state, v3 users' keys included), so
 * that two agents, or two runs, never share state. While started, pid > 0
 * and dir names that directory; stopped, the fixture is all zeros.
 */
#include "snmpd_fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

bool
snmpd_available(void)
{
	return access(SNMPD_FIXTURE_PATH, X_OK) == 0;
}

uint16_t
snmpd_free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	uint16_t port = 0;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* Write the config: the shared community line, then the suite's lines. */
static int
snmpd_write_conf(const char *path, const char *extra_conf_lines)
{
	FILE *f = fopen(path, "w");
	int bad;

	if (f == NULL)
		return -errno;
	fputs("rocommunity public 127.0.0.1\n", f);
	if (extra_conf_lines != NULL)
		fputs(extra_conf_lines, f);
	bad = ferror(f);
	if (fclose(f) != 0 || bad)
		return -EIO;
	return 0;
}

int
snmpd_start(struct snmpd_fixture *f, const char *extra_conf_lines)
{
	char conf[96], pidf[96], persist[96], persist_opt[128], listen[64];
	int rc;

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/snmpd_fixture.XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		rc = -errno;
		f->dir[0] = '\0';
		goto fail;
	}
	snprintf(conf, sizeof(conf), "%s/agent.conf", f->dir);
	snprintf(pidf, sizeof(pidf), "%s/pid", f->dir);
	snprintf(persist, sizeof(persist), "%s/persist", f->dir);
	snprintf(persist_opt, sizeof(persist_opt), "--persistentDir=%s",
	    persist);
	if (mkdir(persist, 0700) != 0) {
		rc = -errno;
		goto fail;
	}
	rc = snmpd_write_conf(conf, extra_conf_lines);
	if (rc != 0)
		goto fail;
	f->port = snmpd_free_port();
	if (f->port == 0) {
		rc = -EADDRNOTAVAIL;
		goto fail;
	}
	snprintf(listen, sizeof(listen), "udp:127.0.0.1:%u", f->port);
	f->pid = fork();
	if (f->pid < 0) {
		rc = -errno;
		f->pid = 0;
		goto fail;
	}
	if (f->pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, 1);
		dup2(devnull, 2);
		execl(SNMPD_FIXTURE_PATH, "snmpd", "-f", "-Lo", "-C", "-c", conf,
		    "-p", pidf, persist_opt, listen, (char *)NULL);
		_exit(127);
	}
	return 0;
fail:
	snmpd_stop(f);
	return rc;
}

void
snmpd_stop(struct snmpd_fixture *f)
{
	char cmd[96];

	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, NULL, 0);
	}
	if (f->dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
		if (system(cmd) != 0) {
			/* leftovers in /tmp are harmless */
		}
	}
	memset(f, 0, sizeof(*f));
}
