/*
 * A stand-in `bb` binary for the tests' fake Babashka releases: a real ELF
 * (so the release checks pass) that hands its command line to the JVM
 * stand-in named by BLAMBDA_TEST_BB.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *target = getenv("BLAMBDA_TEST_BB");

	(void)argc;
	if (!target) {
		fputs("bb stand-in: BLAMBDA_TEST_BB is not set\n", stderr);
		return 127;
	}
	argv[0] = (char *)target;
	execv(target, argv);
	perror(target);
	return 127;
}
