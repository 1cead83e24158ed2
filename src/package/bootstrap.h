#ifndef BLAMBDA_PACKAGE_BOOTSTRAP_H
#define BLAMBDA_PACKAGE_BOOTSTRAP_H

#include <stddef.h>

/*
 * The static `bootstrap` binaries embedded into blambda at build time, one per
 * Lambda architecture this build could compile (see runtime/).
 */
struct bootstrap {
	const char *arch; /* "x86_64" or "arm64" */
	const unsigned char *data, *end; /* the binary is [data, end) */
};

extern const struct bootstrap bootstraps[];
extern const size_t bootstrap_count;

/* The bootstrap for a Lambda architecture, or NULL when this build has none. */
const struct bootstrap *bootstrap_for(const char *arch);

/* runtime/runtime.clj, the Babashka side of the runtime, as embedded: [start, end). */
extern const unsigned char blambda_runtime_clj[];
extern const unsigned char blambda_runtime_clj_end[];

#endif
