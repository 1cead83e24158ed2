#ifndef BLAMBDA_LOCAL_PROCS_H
#define BLAMBDA_LOCAL_PROCS_H

#include <stddef.h>
#include <sys/types.h>

/*
 * The processes of local runs. Each environment's keeper (local/keeper.h)
 * is the subreaper of what its runtime starts; blambda is the subreaper of
 * the keepers, so what a keeper that died left comes to blambda, and is
 * ended with it.
 */

/* Make this process the subreaper of what it starts (before any runtime starts). */
void local_procs_adopt_orphans(void);
/* Kill and reap every child of this process left now: with the runtimes stopped, all are orphans of theirs. */
void local_procs_end_orphans(void);

enum local_mem_kind {
	LOCAL_MEM_RSS, /* resident: cheap to read */
	LOCAL_MEM_HWM, /* its peak resident, the kernel's high-water mark */
	LOCAL_MEM_PSS, /* its proportional share: shared pages divided among the processes sharing them */
};

/* A process's memory in kB, 0 when it is gone. */
long local_procs_kb(pid_t pid, enum local_mem_kind kind);
/*
 * Every descendant of root into out (at most max), root itself not, from
 * one walk of /proc: with root a subreaper (the keeper of an environment),
 * every process it started, however it left (setsid, a double fork).
 * Returns how many.
 */
size_t local_procs_members(pid_t root, pid_t *out, size_t max);

#endif
