#ifndef BLAMBDA_CORE_GIT_H
#define BLAMBDA_CORE_GIT_H

/*
 * The commit a checkout is at, read from its .git as git keeps it (HEAD, a
 * loose ref or packed-refs; a worktree's .git file and commondir), without
 * running git, which a machine may not have.
 */

/* The 40 hex digits of HEAD's commit for the checkout holding dir, into out; -1 when there is none. */
int git_head_commit(const char *dir, char out[41]);

#endif
