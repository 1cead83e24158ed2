#ifndef BLAMBDA_PACKAGE_DEPS_LAYER_H
#define BLAMBDA_PACKAGE_DEPS_LAYER_H

#include "core/http.h"
#include "package/artifact.h"

#define POD_REGISTRY "https://raw.githubusercontent.com/babashka/pod-registry/master"

/*
 * The dependencies layer, laid out as Blambda!'s: m2-repo/ and gitlibs/ from
 * resolving the deps file's :deps with the Clojure tooling at hand (`bb
 * clojure -Spath` with bb on PATH, else with the Babashka release already in
 * blambda's cache for this machine, else `clojure -Spath`), a
 * deps-classpath file with those paths under /opt, and the :pods of the
 * deps file fetched from the pod registry for Linux and the layer's
 * architecture (not the build machine's) into .babashka/pods/.
 */
struct deps_layer_opts {
	const char *deps_file;  /* bb.edn */
	const char *arch;
	const char *out_dir;
	const char *registry;   /* NULL: the babashka pod registry */
	const char *bb_version; /* the release whose cached copy may resolve the deps */
	const char *mirror;
	int force, dry_run;
	const struct observer *obs; /* hears what is resolved, fetched and built */
};

/*
 * Build target/deps-layer-ARCH.zip. *none is set (and nothing done) when the
 * deps file declares no dependencies and no pods. -1 with err.
 */
int deps_layer_build(const struct deps_layer_opts *o, struct http_fetcher *fetch, struct artifact *out, int *none,
		     struct error *err);

#endif
