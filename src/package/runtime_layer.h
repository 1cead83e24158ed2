#ifndef BLAMBDA_PACKAGE_RUNTIME_LAYER_H
#define BLAMBDA_PACKAGE_RUNTIME_LAYER_H

#include "core/http.h"
#include "package/artifact.h"

struct runtime_layer_opts {
	const char *arch;       /* x86_64 | arm64 */
	const char *bb_version;
	const char *mirror;     /* NULL: the Babashka releases */
	const char *out_dir;    /* "target" */
	int force;              /* build even when up to date */
	int dry_run;            /* only say what would be done */
};

/*
 * The runtime layer zip: `bootstrap` (0755) for the architecture, `bb` (0755)
 * from the verified Babashka release, and `blambda/runtime.clj` (0644).
 * Fills *out (kind "runtime-layer"). The release is fetched (into the cache)
 * only when needed; what is built goes to the fetcher's observer. -1 with err.
 */
int runtime_layer_build(const struct runtime_layer_opts *o, struct http_fetcher *fetch, struct artifact *out,
			struct error *err);

#endif
