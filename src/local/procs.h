#ifndef BLAMBDA_LOCAL_PROCS_H
#define BLAMBDA_LOCAL_PROCS_H

/*
 * The processes of local runs. blambda is their child subreaper: a process a
 * runtime left behind (a double fork, setsid) comes to blambda when its
 * parent dies, and is ended with it.
 */

/* Make this process the subreaper of what it starts (before any runtime starts). */
void local_procs_adopt_orphans(void);
/* Kill and reap every child of this process left now: with the runtimes stopped, all are orphans of theirs. */
void local_procs_end_orphans(void);

#endif
