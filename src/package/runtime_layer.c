#include "package/runtime_layer.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "core/array.h"
#include "core/fs.h"
#include "core/xalloc.h"
#include "package/archive_lazy.h"
#include "package/babashka.h"
#include "package/bootstrap.h"
#include "package/pdeflate.h"
#include "package/zip.h"

/* Bump when the layout of the layer changes, so old builds are not taken as current. */
#define LAYER_FORMAT "runtime-layer/2" /* 2: bb deflated in blocks (pdeflate.h) */

/* A tarball that matched its digest yet cannot be unpacked is dropped, so the next build fetches it anew. */
static void forget_unusable(const struct bb_release *rel, struct error *err)
{
	bb_release_forget(rel);
	error_hint(err, "removed '%s' from the cache: it matched its digest but cannot be unpacked; the next build "
		   "downloads it again", rel->cache_path);
}

/*
 * Deflating bb is most of a layer build, and gives the same bytes every time
 * for a release and architecture: bb is deflated on every core (pdeflate.h)
 * into a one-entry zip kept in the cache next to the tarball (named by the
 * tarball's digest and the block size, with a .sha256 of its own), and
 * every layer copies the entry from it without recompressing.
 */
static void deflated_bb_path(const struct bb_release *rel, struct buf *out)
{
	const char *slash = strrchr(rel->cache_path, '/');

	buf_addf(out, "%.*s/bb-%s-%.16s-deflate%d-b%u.zip", slash ? (int)(slash - rel->cache_path) : 1,
		 slash ? rel->cache_path : ".", rel->arch, rel->sha256, ZIP_LEVEL_DEFAULT, PDEFLATE_BLOCK >> 10);
}

/*
 * The cached deflated bb, when it is there and whole: the file matches the
 * digest kept beside it (its compressed bytes, checked without inflating
 * them) and holds the one entry `bb`.
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

		ok = za && zip_get_num_entries(za, 0) == 1 && !zip_stat(za, "bb", 0, &st);
		if (za)
			zip_discard(za);
	}
	if (!ok && !access(path, F_OK))
		observe_trace(obs, 1, "the deflated bb in '%s' is damaged: deflating bb again", path);
	buf_release(&side);
	buf_release(&want);
	return ok;
}

/* bb from the release, deflated on every core; a tarball that cannot be unpacked is dropped from the cache */
static int deflate_bb(struct bb_release *rel, struct pdeflate_result *z, struct error *err)
{
	uint64_t size = 0;
	struct bb_stream *bbs = bb_stream_open(rel, &size, err);
	int bad;

	if (!bbs) {
		forget_unusable(rel, err);
		return -1;
	}
	if ((bad = pdeflate_stream(bb_stream_read, bbs, size, ZIP_LEVEL_DEFAULT, 0, z, err)))
		error_prefix(err, "cannot deflate 'bb' of Babashka %s for %s", rel->version, rel->arch);
	if (bb_stream_close(bbs, err)) { /* the stream's own failure says more than a short read */
		pdeflate_result_release(z);
		forget_unusable(rel, err);
		return -1;
	}
	return bad;
}

/* Keep the deflated bb for the next builds: a one-entry zip with its digest beside it; a failure costs speed only */
static void deflated_bb_keep(const char *path, const struct zip_deflated *bb, const struct observer *obs)
{
	struct zip_input in = { "bb", 0755, NULL, NULL, 0, NULL, bb };
	struct error err = ERROR_INIT;
	struct buf side = BUF_INIT;
	char sha[SHA256_HEX_LEN + 1];
	int bad = zip_write(path, &in, 1, ZIP_LEVEL_DEFAULT, &err);

	buf_addf(&side, "%s.sha256", path);
	if (!bad && sha256_file_hex(path, sha))
		bad = error_set(&err, EXIT_FAIL, "cannot read '%s' back", path);
	if (!bad)
		bad = fs_write_atomic(side.ptr, sha, SHA256_HEX_LEN, 0644, &err);
	if (bad)
		observe_note(obs, NOTE_WARNING, "cannot keep the deflated bb in the cache (%s); the next layer builds "
			     "deflate it again", err.message);
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
	buf_addf(&text, "%s\nbabashka %s %s\nbootstrap %s\nruntime.clj %s\nlevel %d\nblock %u\n", LAYER_FORMAT,
		 rel->version, rel->sha256, boot_sha, clj_sha, ZIP_LEVEL_DEFAULT, PDEFLATE_BLOCK);
	sha256_hex(text.ptr, text.len, inputs);
	buf_release(&text);
}

/*
 * The layer: bootstrap, runtime.clj, and bb as it is deflated already,
 * copied from the cached zip `cached` or from memory; the same bytes either
 * way.
 */
static int layer_zip(const char *path, const struct bootstrap *boot, const char *cached, const struct zip_deflated *bb,
		     struct error *err)
{
	struct zip_input in[] = {
		{ "bootstrap", 0755, NULL, boot->data, (size_t)(boot->end - boot->data), NULL, NULL },
		{ "bb", 0755, NULL, NULL, 0, cached, cached ? NULL : bb },
		{ "blambda/runtime.clj", 0644, NULL, blambda_runtime_clj,
		  (size_t)(blambda_runtime_clj_end - blambda_runtime_clj), NULL, NULL },
	};

	return zip_write(path, in, ARRAY_SIZE(in), ZIP_LEVEL_DEFAULT, err);
}

/* The layer from the release: bb deflated on every core, then kept in the cache for the next builds */
static int layer_from_release(struct bb_release *rel, const char *path, const struct bootstrap *boot,
			      const char *cache, const struct observer *obs, struct error *err)
{
	struct pdeflate_result z = { 0 };
	struct zip_deflated bb;
	int r;

	if (deflate_bb(rel, &z, err))
		return -1;
	bb.data = z.data;
	bb.len = z.len;
	bb.crc = z.crc;
	bb.size = z.size;
	r = layer_zip(path, boot, NULL, &bb, err);
	if (!r)
		deflated_bb_keep(cache, &bb, obs);
	pdeflate_result_release(&z);
	return r;
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
		if (layer_zip(out->path, boot, deflated.ptr, NULL, err))
			goto out;
	} else if (!archive_api(err) || bb_release_fetch(&rel, fetch, err) || /* libarchive first: a good tarball */
		   layer_from_release(&rel, out->path, boot, deflated.ptr, fetch->obs, err)) { /* is not blamed */
		goto out;
	}
	if (artifact_record(out, inputs, err))
		goto out;
	out->built = 1;
	r = 0;
out:
	bb_release_release(&rel);
	buf_release(&deflated);
	return r;
}
