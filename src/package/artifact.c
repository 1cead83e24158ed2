#include "package/artifact.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fs.h"
#include "core/xalloc.h"

void artifact_init(struct artifact *a, const char *kind, const char *out_dir, const char *arch)
{
	struct buf path = BUF_INIT;

	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->arch = xstrdup(arch);
	if (!strcmp(kind, "function"))
		buf_addf(&path, "%s/function.zip", out_dir);
	else
		buf_addf(&path, "%s/%s-%s.zip", out_dir, kind, arch);
	a->path = buf_detach(&path);
}

void artifact_release(struct artifact *a)
{
	free(a->path);
	free(a->arch);
	free(a->reason);
	memset(a, 0, sizeof(*a));
}

/* target/x.zip -> target/.x.zip.stamp */
static void stamp_path(const char *path, struct buf *out)
{
	const char *slash = strrchr(path, '/');

	if (slash)
		buf_addf(out, "%.*s/.%s.stamp", (int)(slash - path), path, slash + 1);
	else
		buf_addf(out, ".%s.stamp", path);
}

static void set_reason(struct artifact *a, const char *why)
{
	free(a->reason);
	a->reason = xstrdup(why);
}

int artifact_up_to_date(struct artifact *a, const char *inputs)
{
	struct buf sp = BUF_INIT, text = BUF_INIT;
	char want_inputs[SHA256_HEX_LEN + 1], sha[SHA256_HEX_LEN + 1];
	unsigned long long size, mtime_s, mtime_ns;
	struct stat st;
	int ok = 0;

	stamp_path(a->path, &sp);
	if (stat(a->path, &st)) {
		set_reason(a, "it does not exist yet");
	} else if (fs_read_file(sp.ptr, &text, 4096) ||
		   sscanf(text.ptr, "inputs %64s\nsha256 %64s\nsize %llu\nmtime %llu.%llu\n", want_inputs, sha, &size,
			  &mtime_s, &mtime_ns) != 5) {
		set_reason(a, "there is no record of how it was built");
	} else if (strcmp(want_inputs, inputs)) {
		set_reason(a, "its inputs changed");
	} else if ((unsigned long long)st.st_size != size || (unsigned long long)st.st_mtim.tv_sec != mtime_s ||
		   (unsigned long long)st.st_mtim.tv_nsec != mtime_ns) {
		set_reason(a, "it was changed after it was built");
	} else {
		memcpy(a->sha256, sha, sizeof(a->sha256));
		a->size = size;
		ok = 1;
	}
	buf_release(&sp);
	buf_release(&text);
	return ok;
}

int artifact_should_build(struct artifact *a, const char *inputs, int force, int dry_run)
{
	if (!force && artifact_up_to_date(a, inputs))
		return 0;
	if (force)
		set_reason(a, "--force was given");
	return !dry_run;
}

int artifact_record(struct artifact *a, const char *inputs, struct error *err)
{
	struct buf sp = BUF_INIT, text = BUF_INIT;
	struct stat st;
	int r;

	if (stat(a->path, &st) || sha256_file_hex(a->path, a->sha256))
		return error_set(err, EXIT_FAIL, "cannot read '%s': %s", a->path, strerror(errno));
	a->size = (uint64_t)st.st_size;
	stamp_path(a->path, &sp);
	buf_addf(&text, "inputs %s\nsha256 %s\nsize %llu\nmtime %llu.%llu\n", inputs, a->sha256,
		 (unsigned long long)st.st_size, (unsigned long long)st.st_mtim.tv_sec,
		 (unsigned long long)st.st_mtim.tv_nsec);
	r = fs_write_atomic(sp.ptr, text.ptr, text.len, 0644, err);
	buf_release(&sp);
	buf_release(&text);
	return r;
}
