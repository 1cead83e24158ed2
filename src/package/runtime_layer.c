#include "package/runtime_layer.h"

#include <stdlib.h>
#include <string.h>

#include "core/fs.h"
#include "core/msg.h"
#include "core/xalloc.h"
#include "package/babashka.h"
#include "package/bootstrap.h"
#include "package/zip.h"

/* Bump when the layout of the layer changes, so old builds are not taken as current. */
#define LAYER_FORMAT "runtime-layer/1"

/* Closes the bb stream once the zip is complete: a problem found by then discards the zip. */
struct stream_guard {
	struct bb_stream *s;
	int closed;
};

static int close_stream(void *ctx)
{
	struct stream_guard *g = ctx;

	g->closed = 1;
	return bb_stream_close(g->s);
}

int runtime_layer_build(const struct runtime_layer_opts *o, struct http_client **http, struct artifact *out)
{
	const struct bootstrap *boot = bootstrap_for(o->arch);
	struct bb_release rel;
	struct buf inputs_text = BUF_INIT, path = BUF_INIT;
	char inputs[SHA256_HEX_LEN + 1], boot_sha[SHA256_HEX_LEN + 1], clj_sha[SHA256_HEX_LEN + 1];
	size_t clj_len = (size_t)(blambda_runtime_clj_end - blambda_runtime_clj);
	int r = -1;

	memset(out, 0, sizeof(*out));
	out->kind = "runtime-layer";
	out->arch = xstrdup(o->arch);
	buf_addf(&path, "%s/runtime-layer-%s.zip", o->out_dir, o->arch);
	out->path = buf_detach(&path);
	if (!boot) {
		error("this blambda carries no %s bootstrap (it was built without that cross compiler)", o->arch);
		hint("'blambda doctor' lists the architectures it carries");
		return -1;
	}
	if (bb_release_init(&rel, o->bb_version, o->arch, o->mirror))
		return -1;
	if (bb_release_expected(&rel, http))
		goto out;
	sha256_hex(boot->data, (size_t)(boot->end - boot->data), boot_sha);
	sha256_hex(blambda_runtime_clj, clj_len, clj_sha);
	buf_addf(&inputs_text, "%s\nbabashka %s %s\nbootstrap %s\nruntime.clj %s\nlevel %d\n", LAYER_FORMAT,
		 rel.version, rel.sha256, boot_sha, clj_sha, ZIP_LEVEL_DEFAULT);
	sha256_hex(inputs_text.ptr, inputs_text.len, inputs);

	if (!artifact_should_build(out, inputs, o->force, o->dry_run)) {
		r = 0;
		goto out;
	}
	info("Building %s (Babashka %s, %s)", out->path, rel.version, o->arch);
	if (bb_release_fetch(&rel, http) || fs_mkdirs(o->out_dir, 0755))
		goto out;
	{
		uint64_t bb_size = 0;
		struct bb_stream *bbs = bb_stream_open(&rel, &bb_size);
		struct zip_input in[] = {
			{ "bootstrap", 0755, NULL, boot->data, (size_t)(boot->end - boot->data), NULL, NULL },
			{ "bb", 0755, NULL, NULL, (size_t)bb_size, bb_stream_read, bbs },
			{ "blambda/runtime.clj", 0644, NULL, blambda_runtime_clj, clj_len, NULL, NULL },
		};
		struct stream_guard g = { bbs, 0 };
		int bad;

		if (!bbs)
			goto out;
		/* bb is inflated on a second thread while libzip deflates it */
		bad = zip_write_checked(out->path, in, sizeof(in) / sizeof(in[0]), ZIP_LEVEL_DEFAULT, close_stream, &g);
		if (!g.closed)
			bb_stream_close(bbs);
		if (bad || artifact_record(out, inputs))
			goto out;
	}
	out->built = 1;
	r = 0;
out:
	bb_release_release(&rel);
	buf_release(&inputs_text);
	return r;
}
