/*
 * The cost of freezing and thawing an environment as `blambda local` does
 * between invocations: SIGSTOP to a process group whose two processes
 * (bootstrap and bb) wait in a read, until both are stopped, then SIGCONT,
 * until both run again.
 *
 *   freeze ROUNDS   prints the microseconds of one freeze and thaw
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 10000, p[2];
	pid_t kids[2];
	double start;

	if (pipe(p))
		return 1;
	for (int i = 0; i < 2; i++) {
		char c;

		if ((kids[i] = fork()) == 0) {
			if (read(p[0], &c, 1) < 0)
				return 1;
			return 0;
		}
		setpgid(kids[i], kids[0]);
	}
	start = now();
	for (int r = 0; r < rounds; r++) {
		siginfo_t si;

		kill(-kids[0], SIGSTOP);
		for (int i = 0; i < 2; i++)
			waitid(P_PID, (id_t)kids[i], &si, WSTOPPED);
		kill(-kids[0], SIGCONT);
		for (int i = 0; i < 2; i++)
			waitid(P_PID, (id_t)kids[i], &si, WCONTINUED);
	}
	printf("%.1f\n", (now() - start) * 1e6 / rounds);
	kill(-kids[0], SIGKILL);
	while (wait(NULL) > 0)
		;
	return 0;
}
