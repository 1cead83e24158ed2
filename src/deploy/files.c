/*
 * Which files differ between a deployed function and the build here: the
 * deployed zip fetched from its code location (GetFunction's presigned
 * URL), checked against the digest Lambda reports, and both zips compared
 * entry by entry from their central directories (nothing is unpacked).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/hash.h"
#include "deploy/internal.h"
#include "package/babashka.h"
#include "package/zip.h"

/* Into a file of its own in target/, removed on any exit; the caller unlinks it. -1 with err. */
static int fetch_into_temp(struct aws *a, const char *region, const struct lambda_function *f, char *path,
			   int *made, struct error *err)
{
	uint64_t max;
	int fd, r;
	FILE *sink;

	if (bb_max_download(&max, err) || fs_mkdirs("target", 0755, err))
		return -1;
	fd = mkstemp(path);
	if (fd < 0)
		return error_set(err, EXIT_FAIL, "cannot make a file in target/ for the deployed zip: %s", strerror(errno));
	*made = 1;
	fs_temp_register(path);
	if (!(sink = fdopen(fd, "w+b"))) {
		close(fd);
		return error_set(err, EXIT_FAIL, "cannot write to '%s': %s", path, strerror(errno));
	}
	r = lambda_fetch_code(a, region, f->code_location, sink, max, err);
	if (fclose(sink) && !r)
		r = error_set(err, EXIT_FAIL, "cannot write to '%s': %s", path, strerror(errno));
	return r;
}

/* The zip fetched is the code Lambda runs: its digest is the CodeSha256 GetFunction reported */
static int check_digest(const char *path, const struct lambda_function *f, struct error *err)
{
	char hex[SHA256_HEX_LEN + 1], b64[45];

	if (sha256_file_hex(path, hex) || sha256_hex_to_base64(hex, b64))
		return error_set(err, EXIT_FAIL, "cannot read '%s': %s", path, strerror(errno));
	if (!f->code_sha256 || strcmp(b64, f->code_sha256)) {
		aws_error_set(err, "CodeDigestMismatch", "the zip fetched from the code location of function '%s' is not "
			      "the code Lambda reports (its SHA-256 differs)", f->name ? f->name : "?");
		err->exit = EXIT_AWS; /* not a difference (1) */
		return -1;
	}
	return 0;
}

int deploy_code_files(struct aws *a, const char *region, const struct lambda_function *f, const char *local_zip,
		      struct zip_changes *out, struct error *err)
{
	struct zip_listing have = { 0 }, want = { 0 };
	char path[] = "target/.deployed-XXXXXX";
	struct buf what = BUF_INIT;
	int r = -1, made = 0;

	buf_addf(&what, "the deployed zip of function '%s'", f->name ? f->name : "?");
	if (fetch_into_temp(a, region, f, path, &made, err) || check_digest(path, f, err))
		goto out;
	if (zip_list(path, what.ptr, &have, err)) {
		err->exit = EXIT_AWS; /* what Lambda served is not a zip: not a difference (1) */
		goto out;
	}
	buf_reset(&what);
	buf_addf(&what, "'%s'", local_zip);
	if (zip_list(local_zip, what.ptr, &want, err))
		goto out;
	zip_compare(&have, &want, out);
	r = 0;
out:
	if (made) {
		unlink(path);
		fs_temp_unregister(path);
	}
	zip_listing_release(&have);
	zip_listing_release(&want);
	buf_release(&what);
	return r;
}
