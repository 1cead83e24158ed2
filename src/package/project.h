#ifndef BLAMBDA_PACKAGE_PROJECT_H
#define BLAMBDA_PACKAGE_PROJECT_H

#include "config/config.h"
#include "core/http.h"
#include "package/artifact.h"

/*
 * Build what a project needs, each artifact only when out of date: what
 * `blambda build` does, and what `blambda deploy` does before it uploads.
 */
struct project_build_opts {
	int runtime_layer, deps_layer, function; /* which to build */
	const char *out_dir;                     /* NULL: target */
	const char *arch;                        /* NULL: function.architecture */
	int force, dry_run;
};

struct project_artifacts {
	struct artifact arts[3];
	size_t nr;
	struct artifact *runtime_layer, *deps_layer, *function; /* into arts, NULL when not built */
	int no_deps;  /* the deps file declares nothing: no deps layer */
};

/*
 * 0, or -1 with err; arts holds what was built either way (release it).
 * What is fetched and built goes to the fetcher's observer.
 */
int project_build(const struct config *cfg, const struct project_build_opts *o, struct http_fetcher *fetch,
		  struct project_artifacts *out, struct error *err);
void project_artifacts_release(struct project_artifacts *p);

#endif
