#ifndef BLAMBDA_PACKAGE_ARTIFACT_H
#define BLAMBDA_PACKAGE_ARTIFACT_H

#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/hash.h"

/*
 * A built file (runtime layer, deps layer, function zip), as `blambda build`
 * reports it and later commands upload it. Each is rebuilt only when its
 * inputs change: a stamp file next to it records the digest of the inputs and
 * what the output was, so an unchanged build does no work at all.
 */
struct artifact {
	const char *kind;  /* "runtime-layer", "deps-layer", "function" */
	char *path;
	char *arch;
	char sha256[SHA256_HEX_LEN + 1];
	uint64_t size;
	int built;         /* 1: written now; 0: was up to date */
	char *reason;      /* why it was (or would be) built */
};

void artifact_release(struct artifact *a);
/*
 * Start describing the artifact `kind` for arch under out_dir: its kind, arch
 * and path (OUT/runtime-layer-ARCH.zip, OUT/deps-layer-ARCH.zip,
 * OUT/function.zip), the one place those names are made.
 */
void artifact_init(struct artifact *a, const char *kind, const char *out_dir, const char *arch);

/*
 * Whether the artifact at a->path is up to date for `inputs` (a digest of
 * everything it is made from). If so fills sha256 and size from the stamp.
 * Otherwise sets a->reason.
 */
int artifact_up_to_date(struct artifact *a, const char *inputs);
/*
 * Whether to build a->path now: not when it is up to date for `inputs`
 * (unless force), and not on a dry run, where a->reason says why it would
 * be built (NULL when it would not).
 */
int artifact_should_build(struct artifact *a, const char *inputs, int force, int dry_run);
/* After writing a->path: record its digest and size and the inputs in the stamp. -1 with err. */
int artifact_record(struct artifact *a, const char *inputs, struct error *err);

#endif
