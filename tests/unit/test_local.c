/* Unit tests for local/procs: the process accounting of a runtime, on the processes of this test. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "local/procs.h"
#include "test.h"

static int has(const pid_t *pids, size_t n, pid_t p)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == p)
			return 1;
	return 0;
}

/*
 * An environment's processes: every descendant of its keeper (a subreaper),
 * one that left by setsid and a double fork included; not the keeper
 * itself, nor a process outside it.
 */
static void test_members(void)
{
	int ready[2], go[2], both[2];
	pid_t root, escaped = 0, members[64];
	size_t n;
	char c;

	CHECK(!pipe(ready) && !pipe(go) && !pipe(both));
	root = fork();
	if (!root) {
		pid_t mid;

		close(go[1]); /* the test's close of it is the signal to end */
		close(ready[0]);
		prctl(PR_SET_CHILD_SUBREAPER, 1);
		mid = fork();
		if (!mid) {
			if (!fork()) {
				setsid(); /* out of the group, and its parent gone: it comes to root */
				if (write(ready[1], &(pid_t){ getpid() }, sizeof(pid_t)) < 0)
					_exit(1);
				_exit(read(go[0], &c, 1) < 0);
			}
			_exit(0);
		}
		waitpid(mid, NULL, 0);
		if (!fork()) /* a second one, beside it */
			_exit(read(go[0], &c, 1) < 0);
		if (write(both[1], "", 1) < 0) /* both are there */
			_exit(1);
		close(ready[1]);
		if (read(go[0], &c, 1) < 0)
			_exit(1);
		while (wait(NULL) > 0)
			;
		_exit(0);
	}
	close(ready[1]); /* a child that fails before it writes ends the read, not the test */
	close(go[0]);
	CHECK(read(ready[0], &escaped, sizeof(escaped)) == sizeof(escaped));
	close(both[1]);
	CHECK(read(both[0], &c, 1) == 1);
	close(both[0]);
	close(ready[0]);
	n = local_procs_members(root, members, 64);
	CHECK(has(members, n, escaped));
	CHECK(!has(members, n, root));
	CHECK(!has(members, n, getpid()));
	CHECK_INT(n, 2);
	/* at most max */
	CHECK_INT(local_procs_members(root, members, 1), 1);
	close(go[1]);
	waitpid(root, NULL, 0);
	/* gone: nothing */
	CHECK_INT(local_procs_members(root, members, 64), 0);
}

static void test_memory(void)
{
	long rss = local_procs_kb(getpid(), LOCAL_MEM_RSS), hwm = local_procs_kb(getpid(), LOCAL_MEM_HWM);
	char *touched = malloc(8 << 20);

	CHECK(rss > 0);
	CHECK(hwm >= rss);
	CHECK(local_procs_kb(getpid(), LOCAL_MEM_PSS) > 0);
	for (size_t i = 0; i < (8u << 20); i += 4096)
		touched[i] = 1;
	/* 8 MB touched shows up (allowing for what the allocator does) */
	CHECK(local_procs_kb(getpid(), LOCAL_MEM_RSS) >= rss + 7 * 1024);
	CHECK(local_procs_kb(getpid(), LOCAL_MEM_HWM) >= rss + 7 * 1024);
	free(touched);
	/* a process that is not there has none */
	CHECK_INT(local_procs_kb(0x7ffffff0, LOCAL_MEM_RSS), 0);
	CHECK_INT(local_procs_kb(0x7ffffff0, LOCAL_MEM_PSS), 0);
}

TEST_MAIN(test_members, test_memory)
