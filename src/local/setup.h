#ifndef BLAMBDA_LOCAL_SETUP_H
#define BLAMBDA_LOCAL_SETUP_H

#include "config/config.h"
#include "core/http.h"
#include "core/strlist.h"
#include "local/env.h"
#include "local/instance.h"

/*
 * What the functions of a project share when they run on this machine: a
 * directory standing in for /opt (the host's bootstrap, runtime.clj, and
 * the deps layer built for this machine's architecture, unpacked, its
 * deps-classpath pointing into it) and the host's Babashka.
 */
struct local_host {
	char *opt_dir; /* absolute: OUT/local/opt-DIGEST, made once for its contents */
	char *bb;      /* BLAMBDA_BB, else bb on PATH, else the release for this machine (fetched when needed) */
	const char *arch;
	int sandbox;   /* run the functions in Lambda's file system, see local/sandbox.h; set by the caller */
};

/* 0, or -1 with err. `out_dir` is the build directory (target); what is fetched goes to the fetcher's observer. */
int local_host_prepare(const struct config *cfg, const char *out_dir, struct http_fetcher *fetch,
		       struct local_host *out, struct error *err);
void local_host_release(struct local_host *h);

/*
 * The description of one function, from the configuration as
 * config_for_function gives it, with the host's runtime and the base
 * environment (the configured variables go over it). NULL with err (a
 * source path that is not there).
 */
struct local_fn *local_fn_from_config(const struct config *fncfg, const struct local_host *h, const char *region,
				      const char *account, const struct kvlist *base_env, struct error *err);

/*
 * The descriptions of the functions named (all when names is empty), over a
 * prepared host and environment, into a new array of *n (local_fns_free).
 * -1 with err for a name the project does not declare, or none at all.
 */
int local_fns_make(const struct config *cfg, const struct strlist *names, const struct local_host *h,
		   const struct local_env *e, struct local_fn ***out, size_t *n, struct error *err);
void local_fns_free(struct local_fn **fns, size_t n);

#endif
