#ifndef BLAMBDA_PACKAGE_SCAFFOLD_H
#define BLAMBDA_PACKAGE_SCAFFOLD_H

#include "core/error.h"
#include "core/observer.h"
#include "package/template.h"

/*
 * A new function's project, rendered from a template (package/template.h)
 * and written to its directory. A new directory appears whole or not at
 * all (built beside it, then renamed); into an existing one, no file is
 * overwritten unless asked.
 */

struct scaffold_opts {
	const char *name;         /* the function's name (scaffold_check_name) */
	const char *ns;           /* the handler's namespace (scaffold_check_ns); NULL: name */
	const char *dir;          /* where; NULL: ./NAME */
	const char *template_dir; /* NULL: the embedded template */
	const char *arch, *bb_version, *memory, *timeout; /* NULL: blambda.yml's defaults */
	const char *ci;           /* a CI template to add ("github"), or NULL */
	int force;                /* overwrite files that exist */
	const struct observer *obs; /* hears what could not be cleaned up */
};

struct scaffold_result {
	char *dir;                  /* as given, without trailing slashes */
	char *handler;              /* NAMESPACE/handler */
	struct rendered_set files;  /* what was written, relative to dir */
};

/*
 * A name must be a Lambda function name and a Clojure namespace: letters,
 * digits, '-' and '_', starting with a letter, at most 64 characters.
 */
int scaffold_check_name(const char *name, struct error *err);
/*
 * A namespace for the handler: one or more segments joined by '.', each
 * letters, digits, '-' and '_' starting with a letter (my.app.core lives in
 * src/my/app/core.clj), at most 200 characters.
 */
int scaffold_check_ns(const char *ns, struct error *err);
/* Render and write the project; 0 with *out filled, or -1 with err and nothing written. */
int scaffold_create(const struct scaffold_opts *o, struct scaffold_result *out, struct error *err);
void scaffold_result_release(struct scaffold_result *r);

#endif
