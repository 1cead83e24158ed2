#include "package/limits.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/buf.h"
#include "core/xalloc.h"

struct big {
	const char *zip;
	char *name;
	uint64_t size;
};

#define TOP 5

static void keep_biggest(struct big top[TOP], const char *zip, const char *name, uint64_t size)
{
	int at = -1;

	for (int i = 0; i < TOP; i++) {
		if (!top[i].name || size > top[i].size) {
			at = i;
			break;
		}
	}
	if (at < 0)
		return;
	free(top[TOP - 1].name);
	memmove(&top[at + 1], &top[at], sizeof(top[0]) * (size_t)(TOP - 1 - at));
	top[at].zip = zip;
	top[at].name = xstrdup(name);
	top[at].size = size;
}

static void describe(struct buf *b, struct big top[TOP])
{
	buf_adds(b, "the biggest entries:");
	for (int i = 0; i < TOP && top[i].name; i++)
		buf_addf(b, "%s %s in %s (%.1f MB)", i ? "," : "", top[i].name, top[i].zip, (double)top[i].size / 1048576.0);
}

static void release(struct big top[TOP])
{
	for (int i = 0; i < TOP; i++) {
		free(top[i].name);
		top[i].name = NULL;
	}
}

/* Sum the unzipped sizes of one zip, and note its biggest entries in both lists. */
static int scan(const char *path, uint64_t *total, struct big all[TOP], struct big mine[TOP], struct error *err)
{
	int zerr = 0;
	zip_t *za = zip_open(path, ZIP_RDONLY, &zerr);
	zip_int64_t n;

	if (!za)
		return error_set(err, EXIT_FAIL, "cannot read '%s' to check its size", path);
	n = zip_get_num_entries(za, 0);
	for (zip_int64_t i = 0; i < n; i++) {
		zip_stat_t st;

		if (zip_stat_index(za, (zip_uint64_t)i, 0, &st) || !(st.valid & ZIP_STAT_SIZE))
			continue;
		*total += st.size;
		keep_biggest(all, path, st.name, st.size);
		keep_biggest(mine, path, st.name, st.size);
	}
	zip_discard(za);
	return 0;
}

int limits_check(const struct artifact *arts, size_t n, int have_bucket, struct error *err)
{
	struct big all[TOP] = { { 0 } };
	uint64_t total = 0;
	int r = 0;

	for (size_t i = 0; i < n && !r; i++) {
		struct big mine[TOP] = { { 0 } };

		if (scan(arts[i].path, &total, all, mine, err)) {
			r = -1;
		} else if (arts[i].size > LAMBDA_DIRECT_UPLOAD_MAX && !have_bucket) {
			struct buf m = BUF_INIT;

			describe(&m, mine);
			error_set(err, EXIT_FAIL, "'%s' is %.1f MB; Lambda takes at most 50 MB without S3; %s",
				  arts[i].path, (double)arts[i].size / 1048576.0, m.ptr);
			r = error_hint(err, "set aws.s3-bucket in blambda.yml (or BLAMBDA_S3_BUCKET) to upload through S3");
			buf_release(&m);
		}
		release(mine);
	}
	if (!r && total > LAMBDA_UNZIPPED_MAX) {
		struct buf m = BUF_INIT;

		describe(&m, all);
		r = error_set(err, EXIT_FAIL, "the function and its layers unzip to %.1f MB; Lambda allows 250 MB; %s",
			      (double)total / 1048576.0, m.ptr);
		buf_release(&m);
	}
	release(all);
	return r;
}
