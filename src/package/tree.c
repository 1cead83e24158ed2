#include "package/tree.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "package/zip.h"

int tree_collect(const char *dir, const char *prefix, tree_skip_fn skip, void *ctx, struct tree *out,
		 struct error *err)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), r = 0;

	if (n < 0)
		return error_set(err, EXIT_FAIL, "cannot read '%s': %s", dir, strerror(errno));
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		struct buf path = BUF_INIT, zname = BUF_INIT;
		struct stat st, lst;

		if (r || !strcmp(name, ".") || !strcmp(name, "..")) {
			free(names[i]);
			continue;
		}
		buf_addf(&path, "%s/%s", dir, name);
		buf_addf(&zname, "%s%s", prefix, name);
		if (stat(path.ptr, &st) || lstat(path.ptr, &lst)) {
			r = error_set(err, EXIT_FAIL, "cannot read '%s': %s", path.ptr, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			if (!S_ISLNK(lst.st_mode) && !(skip && skip(ctx, path.ptr, name, 1))) {
				buf_addch(&zname, '/');
				r = tree_collect(path.ptr, zname.ptr, skip, ctx, out, err);
			}
		} else if (S_ISREG(st.st_mode) && !(skip && skip(ctx, path.ptr, name, 0))) {
			XGROW(out->items, out->alloc, out->nr + 1);
			out->items[out->nr].name = buf_detach(&zname);
			out->items[out->nr].path = buf_detach(&path);
			out->items[out->nr].mode = st.st_mode & 0111 ? 0755 : 0644;
			out->nr++;
		}
		buf_release(&path);
		buf_release(&zname);
		free(names[i]);
	}
	free(names);
	return r;
}

void tree_release(struct tree *t)
{
	for (size_t i = 0; i < t->nr; i++) {
		free(t->items[i].name);
		free(t->items[i].path);
	}
	free(t->items);
	memset(t, 0, sizeof(*t));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct tree_file *)a)->name, ((const struct tree_file *)b)->name);
}

int tree_sort_unique(struct tree *t, const char *what, struct error *err)
{
	if (t->nr > 1) /* qsort wants a real array, even of nothing */
		qsort(t->items, t->nr, sizeof(*t->items), by_name);
	for (size_t i = 1; i < t->nr; i++)
		if (!strcmp(t->items[i].name, t->items[i - 1].name))
			return error_set(err, EXIT_USAGE, "'%s' and '%s' would both be '%s' in %s", t->items[i - 1].path,
					 t->items[i].path, t->items[i].name, what);
	return 0;
}

int tree_zip(const struct tree *t, const char *out, int level, struct error *err)
{
	struct zip_input *in = xcalloc(t->nr + 1, sizeof(*in));
	int r;

	for (size_t i = 0; i < t->nr; i++) {
		in[i].name = t->items[i].name;
		in[i].path = t->items[i].path;
		in[i].mode = t->items[i].mode;
	}
	r = zip_write(out, in, t->nr, level, err);
	free(in);
	return r;
}
