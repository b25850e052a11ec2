/*
 * conf_files: which files a load read, for the configuration snapshots
 * (confarch.h, docs/reload.md), and where those snapshots go by default.
 *
 * The list is made once the main, resource and object files are read and
 * before the services made from the discovery cache are parsed (they are
 * text made in memory, pooled under a name that is not a file). It holds
 * borrowed pointers: the main file name (cfg->main_file) and the pooled
 * file names of objects.priv, which live as long as the objects. Invariant:
 * cfg->files[0] is the main file; the rest is sorted, without duplicates.
 * Every file the loader reads is read whole by conf_slurp(), here too.
 */
#include "conf_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
conf_files_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "config-archive" next to state_retention_file, else next to the main
 * file. */
static char *
conf_files_archive_default(const struct config *cfg)
{
	const char *base = cfg->base_dir, *slash;
	size_t blen = strlen(base), len;
	char *p;

	if (cfg->state_retention_file != NULL &&
	    (slash = strrchr(cfg->state_retention_file, '/')) != NULL) {
		base = cfg->state_retention_file;
		blen = (size_t)(slash - base);
	}
	while (blen > 0 && base[blen - 1] == '/')
		blen--; /* "/" itself becomes "" + "/config-archive" */
	len = blen + sizeof("/config-archive");
	if ((p = malloc(len)) != NULL)
		snprintf(p, len, "%.*s/config-archive", (int)blen, base);
	return p;
}

void
conf_files_note(struct conf_ctx *ctx)
{
	struct config *cfg = ctx->cfg;
	const struct objects_priv *p = ctx->priv;
	size_t i, n = 0, k = 0;

	if (cfg->config_archive_dir == NULL &&
	    (cfg->config_archive_dir = conf_files_archive_default(cfg)) ==
	    NULL) {
		ctx->oom = true;
		return;
	}
	free(cfg->files);
	cfg->nfiles = 0;
	if ((cfg->files = calloc(p->nfiles + 1, sizeof(*cfg->files))) ==
	    NULL) {
		ctx->oom = true;
		return;
	}
	for (i = 0; i < p->nfiles; i++)
		if (strcmp(p->files[i], cfg->main_file) != 0)
			cfg->files[n++] = p->files[i];
	qsort(cfg->files, n, sizeof(*cfg->files), conf_files_cmp);
	for (i = 0; i < n; i++)
		if (k == 0 || strcmp(cfg->files[i], cfg->files[k - 1]) != 0)
			cfg->files[k++] = cfg->files[i];
	/* The main file first: shift the rest up by one. */
	memmove(cfg->files + 1, cfg->files, k * sizeof(*cfg->files));
	cfg->files[0] = cfg->main_file;
	cfg->nfiles = k + 1;
}

void
conf_files_free(struct config *cfg)
{
	free(cfg->files);
	cfg->files = NULL;
	cfg->nfiles = 0;
	free(cfg->config_archive_dir);
	cfg->config_archive_dir = NULL;
}

size_t
conf_files(const struct config *cfg, const char *const **out)
{
	*out = (const char *const *)cfg->files;
	return cfg->files != NULL ? cfg->nfiles : 0;
}

int
conf_slurp(const char *path, size_t cap, char **out, size_t *outlen,
    struct stat *stp)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, rc;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		goto fail;
	}
	rc = !S_ISREG(st.st_mode) ? -EINVAL :
	    (size_t)st.st_size > cap ? -EFBIG : 0;
	if (rc != 0)
		goto fail;
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	while (len < (size_t)st.st_size) {
		n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fd);
	if (stp != NULL)
		*stp = st;
	*out = buf;
	*outlen = len;
	return 0;
fail:
	free(buf);
	close(fd);
	return rc;
}

const char *
conf_slurp_error(int rc)
{
	return rc == -EFBIG ? "file too large" : rc == -EINVAL ?
	    "not a regular file" : strerror(-rc);
}
