#ifndef BLAMBDA_PACKAGE_BABASHKA_H
#define BLAMBDA_PACKAGE_BABASHKA_H

#include <stdint.h>

#include "core/buf.h"
#include "core/hash.h"
#include "core/http.h"

/*
 * Babashka releases: the static Linux tarball for a version and Lambda
 * architecture, downloaded once into the cache and verified by SHA-256 (the
 * digest pinned here for known releases, else the release's .sha256
 * sidecar), and the `bb` binary inside it.
 */

#define BABASHKA_DEFAULT_VERSION "1.13.219"
#define BABASHKA_RELEASES "https://github.com/babashka/babashka/releases/download"
#define BABASHKA_DEV_BUILDS "https://github.com/babashka/babashka-dev-builds/releases/download"

struct bb_release {
	char *version;
	const char *arch;       /* Lambda's name: x86_64 or arm64 */
	const char *asset_arch; /* Babashka's: amd64 or aarch64 */
	char *url;              /* of the tarball */
	char *cache_path;       /* where the verified tarball is kept */
	char sha256[SHA256_HEX_LEN + 1]; /* expected; "" until known */
	int pinned;
};

/* Describe a release; `mirror` replaces the releases base URL (NULL: the default). -1 for an arch Lambda has not. */
int bb_release_init(struct bb_release *r, const char *version, const char *arch, const char *mirror);
void bb_release_release(struct bb_release *r);

/* The pinned digest of a known release, or NULL. */
const char *bb_pinned_sha256(const char *version, const char *asset_arch);

/*
 * Every function here that can fail returns -1 (or NULL) with err filled;
 * downloads and cache decisions go to the fetcher's observer.
 */

/*
 * The expected digest without downloading the tarball: pinned, or the
 * sidecar kept in the cache, else fetched from the release's .sha256.
 * Fills r->sha256.
 */
int bb_release_expected(struct bb_release *r, struct http_fetcher *fetch, struct error *err);

/*
 * Make sure the verified tarball is in the cache: reuse it when its digest
 * matches (no network), else download through a temporary file, verify, and
 * rename it into place. A mismatch is an error naming both digests, and
 * nothing is cached.
 */
int bb_release_fetch(struct bb_release *r, struct http_fetcher *fetch, struct error *err);

/*
 * Drop the cached tarball (and its sidecar and deflated bb) after it proved
 * unusable though its digest matched, so the next build fetches it again.
 */
void bb_release_forget(const struct bb_release *r);

/* The most a release download may write: BLAMBDA_MAX_DOWNLOAD_MB (default 512) MB; -1 for a bad value. */
int bb_max_download(uint64_t *out, struct error *err);

/* The Lambda architecture of this machine ("x86_64", "arm64"), or NULL when Lambda has none like it. */
const char *bb_host_arch(void);

/*
 * The path of the release's bb for this machine (caller frees), unpacked
 * next to the cached tarball once. With a fetcher, a tarball not in the
 * cache is downloaded first (NULL with err on a failure). Without, nothing
 * is fetched and err is not touched: NULL when it is not cached (a quiet
 * look, for callers with another way to go).
 */
char *bb_host_binary(const char *version, const char *mirror, struct http_fetcher *fetch, struct error *err);

/*
 * Extract `bb` from the tarball into out (memory). The tarball must hold a
 * regular file `bb` and nothing else, built for the release's architecture.
 */
int bb_extract(const struct bb_release *r, struct buf *out, struct error *err);

/*
 * The same, streamed: bb_stream_open checks the tarball's first entry (a
 * regular `bb` for the right machine) and gives its size; bb_stream_read
 * then delivers it while a second thread inflates ahead, so unpacking
 * overlaps with whatever consumes it (compressing it into the layer).
 * bb_stream_close waits for that thread and returns -1, with err filled
 * (when err is not NULL), when the rest of the tarball is wrong (another
 * entry, short data).
 */
struct bb_stream;
struct bb_stream *bb_stream_open(const struct bb_release *r, uint64_t *size, struct error *err);
long bb_stream_read(void *ctx, void *buf, size_t n);
int bb_stream_close(struct bb_stream *s, struct error *err);

#endif
