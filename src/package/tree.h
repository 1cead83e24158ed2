#ifndef BLAMBDA_PACKAGE_TREE_H
#define BLAMBDA_PACKAGE_TREE_H

#include <sys/types.h>

#include "core/error.h"

/* A list of files found under a directory, for zipping. */
struct tree_file {
	char *name;  /* relative to the directory walked, with the prefix */
	char *path;  /* on disk */
	mode_t mode; /* 0755 when executable, else 0644 */
};

struct tree {
	struct tree_file *items;
	size_t nr, alloc;
};

/* Return 1 to leave out `path` (a directory's whole subtree); `name` is its last component. */
typedef int (*tree_skip_fn)(void *ctx, const char *path, const char *name, int is_dir);

/*
 * Add every regular file under `dir` (symlinks to files followed, symlinks
 * to directories not, so nothing loops), in name order, names starting with
 * `prefix`. -1 with err filled.
 */
int tree_collect(const char *dir, const char *prefix, tree_skip_fn skip, void *ctx, struct tree *out,
		 struct error *err);
void tree_release(struct tree *t);
/* Sort by name and fail, naming both files, if two share one. */
int tree_sort_unique(struct tree *t, const char *what, struct error *err);

/* Zip every file of the tree under its name (see zip_write). */
int tree_zip(const struct tree *t, const char *out, int level, struct error *err);

#endif
