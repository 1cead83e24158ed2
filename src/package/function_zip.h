#ifndef BLAMBDA_PACKAGE_FUNCTION_ZIP_H
#define BLAMBDA_PACKAGE_FUNCTION_ZIP_H

#include "config/config.h"
#include "core/buf.h"
#include "core/observer.h"
#include "core/strlist.h"
#include "package/artifact.h"

/*
 * The function zip: every file under the source paths, recursively, named
 * relative to its source path (so namespace hello, src/hello.clj, is
 * hello.clj at the zip's root, which Lambda unpacks at /var/task). Left out:
 * target/, .git/ and .cpcache/ directories, editor backups (*~, .#*, #*#,
 * *.swp, *.swo, .DS_Store), and whatever .blambdaignore in the project
 * directory lists (one glob a line, '#' comments; a pattern with a '/' is
 * matched against the path from the project directory, one without against
 * every name; a trailing '/' matches directories only).
 */
struct function_zip_opts {
	const struct strlist *source_paths;
	const char *origin;   /* where the source paths were set, for messages */
	const char *arch;
	const char *out_dir;
	int force, dry_run;
	const struct observer *obs; /* hears what is built and what is left out */
	/* each function's handler (NS/FN) and where it was set, checked against the zip's files: NULL for none */
	const struct strlist *handlers, *handler_origins;
};

/*
 * Whether handler NS/FN is found among the zip's files: the namespace's file
 * (NS with '.' as '/' and '-' as '_', then .clj, .cljc or .bb) is there, and
 * FN appears in it (defined, or at least named: a macro may define it). -1
 * with err (EXIT_USAGE, naming origin, with did-you-mean) when not. names:
 * the zip's entry names, n of them; read(ctx, name, text) reads one.
 */
int function_zip_check_handler(const char *handler, const char *origin, const char *const *names, size_t n,
			       int (*read)(void *ctx, const char *name, struct buf *text), void *ctx,
			       struct error *err);

/* Build OUT/function.zip when it is out of date. -1 with err. */
int function_zip_build(const struct function_zip_opts *o, struct artifact *out, struct error *err);

#endif
