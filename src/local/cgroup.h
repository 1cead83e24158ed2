#ifndef BLAMBDA_LOCAL_CGROUP_H
#define BLAMBDA_LOCAL_CGROUP_H

#include <sys/types.h>

/*
 * An execution environment's cgroup (v2), where this machine lets blambda
 * make one: Lambda's freezer. Writing cgroup.freeze stops every process of
 * the environment at once (one forked in the last instant too) without a
 * signal any of them could see or a parent could wait for; cgroup.kill
 * ends them all at once. Two levels: DIR, where the keeper lives, and
 * DIR/env, the runtime's processes (the keeper is never frozen: it must
 * see blambda end). Where cgroup v2 is not mounted, not writable or too
 * old (no cgroup.freeze), none is made and blambda stops the processes
 * with signals instead. Never prints.
 */
struct local_cgroup {
	char *dir; /* .../blambda-local-PID-N, or NULL: none */
	char *env; /* DIR/env */
};

/*
 * Make one under blambda's own cgroup: 0, or an errno (none made). The
 * empty cgroups of blambda runs that ended without removing theirs
 * (killed) are removed first.
 */
int local_cgroup_make(struct local_cgroup *cg);
/* Move process pid (0: the caller) into dir's cgroup: 0 or an errno. */
int local_cgroup_move(const char *dir, pid_t pid);
/* Whether pid is one of the environment's (DIR/env's) processes. */
int local_cgroup_has(const struct local_cgroup *cg, pid_t pid);
/* Freeze (1) or thaw (0) the environment's processes: 0 or an errno. */
int local_cgroup_freeze(const struct local_cgroup *cg, int freeze);
/* Kill every process of the environment at once (SIGKILL): 0 or an errno. */
int local_cgroup_kill(const struct local_cgroup *cg);
/* Remove both levels, once their processes are gone (waiting up to a second), and forget them. */
void local_cgroup_remove(struct local_cgroup *cg);

#endif
