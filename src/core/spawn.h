#ifndef BLAMBDA_CORE_SPAWN_H
#define BLAMBDA_CORE_SPAWN_H

#include <spawn.h>
#include <sys/types.h>

/*
 * The processes blambda starts, known as its own. `blambda local` makes
 * blambda the subreaper of what its runtimes leave behind (a double fork, a
 * setsid): those orphans become its children too, and must be reaped as
 * they end, or a long-running server fills the process table with zombies.
 * spawn_reap_adopted() reaps them, and never a child spawn_child() started
 * (its starter waits for it with spawn_wait, for its exit status).
 */

/*
 * Initialise attr for a child with every signal at its default and none
 * blocked, whatever the starting thread blocks or handles (a helper started
 * while blambda waits for its stop signals must still die of Ctrl-C).
 */
void spawn_attr_defaults(posix_spawnattr_t *attr);
/* The same, the child in a process group of its own. */
void spawn_attr_own_group(posix_spawnattr_t *attr);
/* posix_spawn (posix_spawnp with search_path), the child recorded as blambda's own. Returns as posix_spawn does. */
int spawn_child(pid_t *pid, const char *file, int search_path, const posix_spawn_file_actions_t *fa,
		const posix_spawnattr_t *attr, char *const argv[], char *const envp[]);
/* waitpid for a child of spawn_child (EINTR retried); once it is reaped, it is forgotten. Returns as waitpid does. */
pid_t spawn_wait(pid_t pid, int *status, int options);
/* Reap every child that has exited and is not one of spawn_child's: the adopted orphans. */
void spawn_reap_adopted(void);
/* Kill and reap every adopted orphan, running or not (what a subreaper below blambda left when it died). */
void spawn_kill_adopted(void);

#endif
