/*
 * pharos_config: the client's `pharos reload` and `pharos config
 * list|diff|revert` (docs/reload.md).
 */
#ifndef PHAROS_PHAROS_CONFIG_H
#define PHAROS_PHAROS_CONFIG_H

#include <jansson.h>

/* Send req (borrowed) to pharosd and set *resp (caller decrefs), whatever
 * it answered. Returns the client's exit code: 0, or 2/3 after printing
 * why there is no answer. */
typedef int pharos_config_call_fn(void *arg, json_t *req, json_t **resp);

/* argv[0] is "reload". Exit code: 0 reloaded, 1 refused (the errors
 * printed), 2 usage, 3 no answer. */
int pharos_reload_main(int argc, char **argv, pharos_config_call_fn *call,
    void *arg);

/* argv[0] is "config"; main_cfg is the main configuration file (its
 * config_archive_dir names the archive). */
int pharos_config_main(int argc, char **argv, const char *main_cfg,
    pharos_config_call_fn *call, void *arg);

#endif
