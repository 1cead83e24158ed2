#include "package/runtime_layer.h"

#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/array.h"
#include "core/fs.h"
#include "core/xalloc.h"
#include "package/archive_lazy.h"
#include "package/babashka.h"
#include "package/bootstrap.h"
#include "package/zip.h"

/* Bump when the layout of the layer changes, so old builds are not taken as current. */
#define LAYER_FORMAT "runtime-layer/1"

/* Closes the bb stream once the zip is complete: a problem found by then discards the zip. */
struct stream_guard {
	struct bb_stream *s;
	int closed;
	int stream_failed;
};

static int close_stream(void *ctx, struct error *err)
{
	struct stream_guard *g = ctx;

	g->closed = 1;
	g->stream_failed = bb_stream_close(g->s, err) != 0;
	return g->stream_failed ? -1 : 0;
}

/* A tarball that matched its digest yet cannot be unpacked is dropped, so the next build fetches it anew. */
static void forget_unusable(const struct bb_release *rel, struct error *err)
{
	bb_release_forget(rel);
	error_hint(err, "removed '%s' from the cache: it matched its digest but cannot be unpacked; the next build "
		   "downloads it again", rel->cache_path);
}

/*
 * Deflating bb is most of a layer build, and gives the same bytes every time
 * for a release and architecture: the deflated bb is kept in the cache as a
 * one-entry zip next to the tarball (named by the tarball's digest, with a
 * .sha256 of its own), and later layers copy it without recompressing.
 */
static void deflated_bb_path(const struct bb_release *rel, struct buf *out)
{
	const char *slash = strrchr(rel->cache_path, '/');

	buf_addf(out, "%.*s/bb-%s-%.16s-deflate%d.zip", slash ? (int)(slash - rel->cache_path) : 1,
		 slash ? rel->cache_path : ".", rel->arch, rel->sha256, ZIP_LEVEL_DEFAULT);
}

/*
 * The cached deflated bb, when it is there and whole: the file matches its
 * .sha256, and its one entry `bb` inflates to the size it declares with the
 * CRC it declares (the copy is taken as it is, so it is checked here).
 */
static int deflated_bb_ok(const char *path, const struct observer *obs)
{
	struct buf side = BUF_INIT, want = BUF_INIT;
	char got[SHA256_HEX_LEN + 1];
	int ok, zerr = 0;

	buf_addf(&side, "%s.sha256", path);
	ok = !fs_read_file(side.ptr, &want, 128) && want.len >= SHA256_HEX_LEN && !sha256_file_hex(path, got) &&
	     !strncmp(want.ptr, got, SHA256_HEX_LEN);
	if (ok) {
		zip_t *za = zip_open(path, ZIP_RDONLY, &zerr);
		zip_stat_t st;
		zip_file_t *zf = NULL;
		zip_uint64_t total = 0;
		zip_int64_t n = 0;
		static char chunk[1 << 16];

		ok = za && zip_get_num_entries(za, 0) == 1 && !zip_stat(za, "bb", 0, &st) && (zf = zip_fopen(za, "bb", 0));
		while (ok && (n = zip_fread(zf, chunk, sizeof(chunk))) > 0)
			total += (zip_uint64_t)n;
		ok = ok && n == 0 && total == st.size; /* zip_fread fails at the end on a CRC mismatch */
		if (zf)
			zip_fclose(zf);
		if (za)
			zip_discard(za);
		if (!ok)
			observe_trace(obs, 1, "the deflated bb in '%s' is damaged: deflating bb again", path);
	}
	buf_release(&side);
	buf_release(&want);
	return ok;
}

/* Keep the bb entry of a fresh layer for the next builds; a failure only costs speed later. */
static void deflated_bb_keep(const char *layer, const char *path, const struct observer *obs)
{
	struct zip_input bb = { "bb", 0755, NULL, NULL, 0, NULL, NULL, layer };
	struct buf side = BUF_INIT;
	struct error err = ERROR_INIT;
	char sha[SHA256_HEX_LEN + 1];

	buf_addf(&side, "%s.sha256", path);
	if (zip_write(path, &bb, 1, ZIP_LEVEL_DEFAULT, &err) || sha256_file_hex(path, sha) ||
	    fs_write_atomic(side.ptr, sha, SHA256_HEX_LEN, 0644, &err))
		observe_note(obs, NOTE_WARNING, "cannot keep the deflated bb in the cache (%s); the next layer builds "
			     "deflate it again", err.message ? err.message : "cannot read it back");
	error_release(&err);
	buf_release(&side);
}

/* What the layer is made from, hashed: a change to any of it rebuilds the layer. */
static void layer_inputs(const struct bb_release *rel, const struct bootstrap *boot, char inputs[SHA256_HEX_LEN + 1])
{
	struct buf text = BUF_INIT;
	char boot_sha[SHA256_HEX_LEN + 1], clj_sha[SHA256_HEX_LEN + 1];

	sha256_hex(boot->data, (size_t)(boot->end - boot->data), boot_sha);
	sha256_hex(blambda_runtime_clj, (size_t)(blambda_runtime_clj_end - blambda_runtime_clj), clj_sha);
	buf_addf(&text, "%s\nbabashka %s %s\nbootstrap %s\nruntime.clj %s\nlevel %d\n", LAYER_FORMAT, rel->version,
		 rel->sha256, boot_sha, clj_sha, ZIP_LEVEL_DEFAULT);
	sha256_hex(text.ptr, text.len, inputs);
	buf_release(&text);
}

/* The layer with bb copied, still deflated, from the layer built last (no inflating, no second deflating) */
static int zip_from_deflated(const char *path, const struct bootstrap *boot, const char *deflated, struct error *err)
{
	struct zip_input in[] = {
		{ "bootstrap", 0755, NULL, boot->data, (size_t)(boot->end - boot->data), NULL, NULL, NULL },
		{ "bb", 0755, NULL, NULL, 0, NULL, NULL, deflated },
		{ "blambda/runtime.clj", 0644, NULL, blambda_runtime_clj,
		  (size_t)(blambda_runtime_clj_end - blambda_runtime_clj), NULL, NULL, NULL },
	};

	return zip_write(path, in, ARRAY_SIZE(in), ZIP_LEVEL_DEFAULT, err);
}

/* The layer with bb from the release archive: inflated on a second thread while libzip deflates it */
static int zip_from_release(struct bb_release *rel, const char *path, const struct bootstrap *boot,
			    struct error *err)
{
	uint64_t bb_size = 0;
	struct bb_stream *bbs = bb_stream_open(rel, &bb_size, err);
	struct zip_input in[] = {
		{ "bootstrap", 0755, NULL, boot->data, (size_t)(boot->end - boot->data), NULL, NULL, NULL },
		{ "bb", 0755, NULL, NULL, (size_t)bb_size, bb_stream_read, bbs, NULL },
		{ "blambda/runtime.clj", 0644, NULL, blambda_runtime_clj,
		  (size_t)(blambda_runtime_clj_end - blambda_runtime_clj), NULL, NULL, NULL },
	};
	struct stream_guard g = { bbs, 0, 0 };
	int bad;

	if (!bbs) {
		forget_unusable(rel, err);
		return -1;
	}
	bad = zip_write_checked(path, in, ARRAY_SIZE(in), ZIP_LEVEL_DEFAULT, close_stream, &g, err);
	if (!g.closed) /* the zip failed first; the stream's own failure, if it had one, says more */
		bad |= bb_stream_close(bbs, err);
	if (bad && g.closed && g.stream_failed)
		forget_unusable(rel, err);
	return bad ? -1 : 0;
}

int runtime_layer_build(const struct runtime_layer_opts *o, struct http_fetcher *fetch, struct artifact *out,
			struct error *err)
{
	const struct bootstrap *boot = bootstrap_for(o->arch);
	struct bb_release rel;
	struct buf deflated = BUF_INIT;
	char inputs[SHA256_HEX_LEN + 1];
	int r = -1;

	artifact_init(out, "runtime-layer", o->out_dir, o->arch);
	if (!boot) {
		error_set(err, EXIT_FAIL, "this blambda carries no %s bootstrap (it was built without that cross compiler)",
			  o->arch);
		return error_hint(err, "'blambda doctor' lists the architectures it carries");
	}
	if (bb_release_init(&rel, o->bb_version, o->arch, o->mirror))
		return error_set(err, EXIT_USAGE, "unknown architecture '%s': Lambda has x86_64 and arm64", o->arch);
	if (bb_release_expected(&rel, fetch, err))
		goto out;
	layer_inputs(&rel, boot, inputs);
	if (!artifact_should_build(out, inputs, o->force, o->dry_run)) {
		r = 0;
		goto out;
	}
	observe_note(fetch->obs, NOTE_INFO, "Building %s (Babashka %s, %s)", out->path, rel.version, o->arch);
	if (fs_mkdirs(o->out_dir, 0755, err))
		goto out;
	deflated_bb_path(&rel, &deflated);
	if (deflated_bb_ok(deflated.ptr, fetch->obs)) {
		observe_trace(fetch->obs, 1, "copying the deflated bb from %s", deflated.ptr);
		if (zip_from_deflated(out->path, boot, deflated.ptr, err) || artifact_record(out, inputs, err))
			goto out;
	} else {
		/* libarchive first: without it nothing is downloaded, and a good tarball is not blamed */
		if (!archive_api(err) || bb_release_fetch(&rel, fetch, err) || zip_from_release(&rel, out->path, boot, err) ||
		    artifact_record(out, inputs, err))
			goto out;
		deflated_bb_keep(out->path, deflated.ptr, fetch->obs);
	}
	out->built = 1;
	r = 0;
out:
	bb_release_release(&rel);
	buf_release(&deflated);
	return r;
}
