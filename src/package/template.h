#ifndef BLAMBDA_PACKAGE_TEMPLATE_H
#define BLAMBDA_PACKAGE_TEMPLATE_H

#include <sys/types.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/strlist.h"

/*
 * Project templates: the one embedded from templates/function at build time,
 * or a user's directory laid out the same way. Contents and paths use
 * {{variable}}; in paths, a component NAME stands for the namespace's file
 * name (my-fn -> my_fn) and "gitignore" for ".gitignore".
 */

struct rendered {
	char *path;      /* relative to the project directory */
	struct buf text;
	mode_t mode;
};

struct rendered_set {
	struct rendered *items;
	size_t nr, alloc;
};

/*
 * Render every file of the template (`dir`, or the embedded one when NULL)
 * with `vars`. An unknown variable is an error (in err) naming the file and line.
 */
int template_render(const char *dir, const struct kvlist *vars, struct rendered_set *out, struct error *err);
void rendered_set_release(struct rendered_set *s);

/*
 * Append the files of the embedded CI template `set` (templates/ci/SET:
 * "github" for GitHub Actions) to out, each at its path with a leading dot
 * (github/workflows/x.yml is .github/workflows/x.yml). -1 with err for a set
 * there is none of, or a path out already has.
 */
int template_render_ci(const char *set, const struct kvlist *vars, struct rendered_set *out, struct error *err);
/* The names of the embedded template's files, for tests and --help. */
size_t template_embedded_count(void);

/*
 * Replace every {{var}} of text with its value in vars into out; an unknown
 * variable or a '{{' without '}}' is an error naming where:LINE.
 */
int template_substitute(const char *where, const char *text, size_t len, const struct kvlist *vars, struct buf *out,
			struct error *err);

#endif
