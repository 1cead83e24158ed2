#include "core/git.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/fs.h"

/* The first line of a small file, without its newline; -1 when it cannot be read */
static int first_line(const char *path, struct buf *out)
{
	buf_reset(out);
	if (fs_read_file(path, out, 4096) || !out->ptr)
		return -1;
	buf_setlen(out, strcspn(out->ptr, "\r\n"));
	return 0;
}

static int is_sha(const char *s)
{
	return strlen(s) == 40 && strspn(s, "0123456789abcdef") == 40;
}

/* The .git directory of the checkout holding dir (a worktree's .git file followed); -1 when none */
static int git_dir(const char *dir, struct buf *out)
{
	char *at = realpath(dir, NULL);
	struct buf probe = BUF_INIT, line = BUF_INIT;
	struct stat st;
	int r = -1;

	while (at && r) {
		char *slash;

		buf_reset(&probe);
		buf_addf(&probe, "%s/.git", at);
		if (!stat(probe.ptr, &st) && S_ISDIR(st.st_mode)) {
			buf_reset(out);
			buf_adds(out, probe.ptr);
			r = 0;
		} else if (!stat(probe.ptr, &st) && S_ISREG(st.st_mode) && !first_line(probe.ptr, &line) &&
			   !strncmp(line.ptr, "gitdir: ", 8)) {
			buf_reset(out);
			if (line.ptr[8] != '/')
				buf_addf(out, "%s/", at);
			buf_adds(out, line.ptr + 8);
			r = 0;
		} else if (!(slash = strrchr(at, '/')) || slash == at) {
			break;
		} else {
			*slash = '\0'; /* up one */
		}
	}
	free(at);
	buf_release(&probe);
	buf_release(&line);
	return r;
}

/* ref (refs/heads/x) in common's loose refs or packed-refs */
static int resolve_ref(const char *common, const char *ref, char out[41])
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	size_t n = strlen(ref);
	int r = -1;

	buf_addf(&path, "%s/%s", common, ref);
	if (!first_line(path.ptr, &text) && is_sha(text.ptr)) {
		memcpy(out, text.ptr, 41);
		r = 0;
	}
	buf_reset(&path);
	buf_addf(&path, "%s/packed-refs", common);
	buf_reset(&text);
	if (r && !fs_read_file(path.ptr, &text, 64 << 20) && text.ptr) {
		for (char *l = text.ptr; r && l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
			if (strspn(l, "0123456789abcdef") == 40 && l[40] == ' ' && !strncmp(l + 41, ref, n) &&
			    (l[41 + n] == '\n' || l[41 + n] == '\r' || !l[41 + n])) {
				memcpy(out, l, 40);
				out[40] = '\0';
				r = 0;
			}
		}
	}
	buf_release(&path);
	buf_release(&text);
	return r;
}

int git_head_commit(const char *dir, char out[41])
{
	struct buf gd = BUF_INIT, common = BUF_INIT, path = BUF_INIT, head = BUF_INIT, line = BUF_INIT;
	int r = -1;

	if (git_dir(dir, &gd))
		goto out;
	/* a worktree keeps its HEAD, and its refs in the main .git (commondir) */
	buf_addf(&path, "%s/commondir", gd.ptr);
	if (!first_line(path.ptr, &line) && line.len)
		buf_addf(&common, "%s%s%s", line.ptr[0] == '/' ? "" : gd.ptr, line.ptr[0] == '/' ? "" : "/", line.ptr);
	else
		buf_adds(&common, gd.ptr);
	buf_reset(&path);
	buf_addf(&path, "%s/HEAD", gd.ptr);
	if (first_line(path.ptr, &head))
		goto out;
	if (is_sha(head.ptr)) {
		memcpy(out, head.ptr, 41);
		r = 0;
	} else if (!strncmp(head.ptr, "ref: refs/", 10) && !strstr(head.ptr, "..")) {
		r = resolve_ref(gd.ptr, head.ptr + 5, out) ? resolve_ref(common.ptr, head.ptr + 5, out) : 0;
	}
out:
	buf_release(&gd);
	buf_release(&common);
	buf_release(&path);
	buf_release(&head);
	buf_release(&line);
	return r;
}
