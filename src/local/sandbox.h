#ifndef BLAMBDA_LOCAL_SANDBOX_H
#define BLAMBDA_LOCAL_SANDBOX_H

#include <stddef.h>

#include "core/buf.h"

/*
 * Lambda's file system for a runtime on this machine, in a mount namespace
 * of its own (and a user namespace, unless blambda runs as root):
 *
 *   /var/task   the task root, read-only
 *   /opt        the layers (bootstrap, runtime.clj, the deps layer), read-only
 *   /tmp        empty, private, a tmpfs of the function's ephemeral storage
 *
 * The rest of this machine stays as it is (the runtime runs the host's
 * Babashka, on the host's libraries), except that the paths the runtime
 * reaches by their own names (bb's directory, the source paths, the /opt
 * directory) are read-only at those names too, and stay reachable when
 * they lie under /tmp or /var. Nothing of this is seen outside the
 * environment: it ends with its processes.
 */
struct local_sandbox {
	const char *task_root;   /* host path, absolute */
	const char *opt_dir;     /* host path, absolute */
	const char *const *keep; /* host paths, absolute: read-only where they are */
	size_t nkeep;
	long tmp_mb;             /* the size of /tmp */
};

#define LOCAL_SANDBOX_TASK "/var/task"
#define LOCAL_SANDBOX_OPT "/opt"
#define LOCAL_SANDBOX_RUNTIME "/var/runtime"

/*
 * Make the calling process's file system the sandbox's and change to
 * /var/task. 0, or an errno with *step naming what failed. For a process
 * that will exec the runtime (the keeper's child); a failure leaves it in a
 * half-made namespace, so it must not go on.
 */
int local_sandbox_enter(const struct local_sandbox *sb, const char **step);

/* The first of paths that lies under /opt, where the sandbox puts the layers (it cannot keep it), or NULL */
const char *local_sandbox_under_opt(const char *const *paths, size_t n);

/* Whether a sandbox can be made here: the namespaces, a tmpfs, a clone of a tree. 0 or an errno with *step. */
int local_sandbox_try(const char **step);

/*
 * Whether this machine can give a runtime Lambda's file system: a process
 * is started to try, once per blambda. 1, or 0 with the reason in *why.
 */
int local_sandbox_available(struct buf *why);

#endif
