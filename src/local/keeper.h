#ifndef BLAMBDA_LOCAL_KEEPER_H
#define BLAMBDA_LOCAL_KEEPER_H

/*
 * The keeper of one execution environment: blambda itself, run again under
 * this name, between blambda and the runtime's bootstrap. It is the
 * subreaper of everything the runtime starts, so a process that leaves by
 * setsid and a double fork still comes to it: every process of the
 * environment is one of its descendants, which is how blambda counts their
 * memory, freezes them and ends them all (Lambda's environment is a
 * sandbox; this is its process boundary). It is not part of the
 * environment: its own memory is not counted and it is never frozen.
 *
 *   blambda-local-env PARENT_PID BOOTSTRAP CGROUP [--sandbox TASK_ROOT OPT_DIR TMP_MB KEEP...]
 *   blambda-local-env --probe
 *
 * The first runs BOOTSTRAP with the runtime's environment, its output on 1
 * and 2; with --sandbox, in Lambda's file system as local/sandbox.h makes it (the
 * arguments are struct local_sandbox's, BOOTSTRAP its /opt/bootstrap).
 * CGROUP is the environment's cgroup (local/cgroup.h), or "-": bootstrap
 * is started in CGROUP/env, the keeper stays in CGROUP. On
 * fd 3, a pipe, it answers once: "pid N\n" (bootstrap's pid, also its
 * process group), or "error ERRNO[ STEP]\n" when bootstrap could not be
 * run (STEP: what of the sandbox failed). Then:
 *   SIGTERM  passed to bootstrap's process group (Lambda's shutdown);
 *   SIGINT   every process of the environment is killed, now;
 * and when bootstrap ends, or PARENT_PID does, whatever is left of the
 * environment is killed, and the keeper ends as bootstrap did (its exit
 * status, or killed by its signal). --probe tries to make a sandbox: exit
 * status 0, or 1 with "STEP: REASON" on stdout.
 *
 * It is a program of its own, not a module's function: it ends by its
 * exit status or a signal, and --probe writes its one line to fd 1.
 */
#define LOCAL_KEEPER_NAME "blambda-local-env"

/* The keeper's main: argv as above. Returns the exit status (or ends by bootstrap's signal). */
int local_keeper_main(int argc, char **argv);

#endif
