/*
 * Unit tests for local/: the process accounting of a runtime (local/procs, on
 * the processes of this test), the environment's cgroup (local/cgroup), the
 * sandbox's /opt rule, and an Event
 * invocation's record (local/destination).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "local/cgroup.h"
#include "local/destination.h"
#include "local/procs.h"
#include "local/sandbox.h"
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

/* Lambda's /opt is the layers': a path under it cannot be kept at its own name; one beside it can */
static void test_under_opt(void)
{
	const char *none[] = { "/home/ada/hello/src", "/optimal/bb", "/op", NULL, "/" };
	const char *one[] = { "/srv/x", "/opt/bb/bin/bb" };
	const char *itself[] = { "/opt" };

	CHECK(local_sandbox_under_opt(none, 5) == NULL);
	CHECK_STR(local_sandbox_under_opt(one, 2), "/opt/bb/bin/bb");
	CHECK_STR(local_sandbox_under_opt(itself, 1), "/opt");
}

static cJSON *record(const struct local_record *r, int no_payloads)
{
	char *text = local_destination_record(r, no_payloads);
	cJSON *o = cJSON_Parse(text);

	free(text);
	return o;
}

static const char *field(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);

	return cJSON_GetStringValue(b ? cJSON_GetObjectItemCaseSensitive(v, b) : v);
}

/* The record Lambda sends a destination: its shape on failure, on success, without payloads, never run */
static void test_record(void)
{
	struct local_result res;
	struct local_record r = { "0f8c4b3e-9d1a-4c2b-8e7f-1a2b3c4d5e6f", "arn:aws:lambda:eu-west-1:123456789012:function:f:$LATEST",
				  "RetriesExhausted", 3, 1764806400123LL, "{\"op\":\"boom\"}", 13, &res };
	cJSON *o;

	local_result_init(&res);
	buf_adds(&res.payload, "{\"errorMessage\":\"kaboom\"}");
	o = record(&r, 0);
	CHECK_STR(field(o, "version", NULL), "1.0");
	CHECK_STR(field(o, "timestamp", NULL), "2025-12-04T00:00:00.123Z"); /* the record's own time, however often it is made */
	CHECK_STR(field(o, "requestContext", "requestId"), r.request_id);
	CHECK_STR(field(o, "requestContext", "condition"), "RetriesExhausted");
	CHECK_INT((long)cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "requestContext"),
							"approximateInvokeCount")->valuedouble, 3);
	CHECK_STR(field(o, "requestPayload", "op"), "boom");
	CHECK_STR(field(o, "responseContext", "functionError"), "Unhandled");
	CHECK_STR(field(o, "responsePayload", "errorMessage"), "kaboom");
	cJSON_Delete(o);
	/* a success has no functionError; an answer that is not JSON is a string */
	r.condition = "Success";
	buf_reset(&res.payload);
	buf_adds(&res.payload, "plain words");
	o = record(&r, 0);
	CHECK(!cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "responseContext"), "functionError"));
	CHECK_STR(field(o, "responsePayload", NULL), "plain words");
	cJSON_Delete(o);
	/* without payloads: the contexts stay */
	o = record(&r, 1);
	CHECK(!cJSON_GetObjectItemCaseSensitive(o, "requestPayload") && !cJSON_GetObjectItemCaseSensitive(o, "responsePayload"));
	CHECK_STR(field(o, "requestContext", "functionArn"), r.function_arn);
	CHECK(cJSON_GetObjectItemCaseSensitive(o, "responseContext") != NULL);
	cJSON_Delete(o);
	/* never run (reserved concurrency 0): no response at all */
	r.res = NULL;
	r.invokes = 0;
	o = record(&r, 0);
	CHECK(!cJSON_GetObjectItemCaseSensitive(o, "responseContext") && !cJSON_GetObjectItemCaseSensitive(o, "responsePayload"));
	CHECK_STR(field(o, "requestPayload", "op"), "boom");
	cJSON_Delete(o);
	local_result_release(&res);
}

static void nap_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

/* what a non-blocking pipe holds now, thrown away: how many bytes */
static long drain(int fd)
{
	char chunk[4096];
	long total = 0;
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		total += n;
	return total;
}

/* whether DIR/cgroup.events says "frozen 1", within a second */
static int frozen(const char *dir)
{
	char *path = buf_fmt("%s/cgroup.events", dir), text[256];
	int yes = 0;

	for (int i = 0; i < 100 && !yes; i++, nap_ms(10)) {
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;

		text[n] = '\0';
		yes = strstr(text, "frozen 1") != NULL;
		if (f)
			fclose(f);
	}
	free(path);
	return yes;
}

/*
 * The environment's cgroup, where this machine has one to give: a process
 * in it stops at once when it is frozen and goes on when thawed, dies by
 * its kill, and the cgroup is gone when removed; one a dead blambda left
 * behind is removed by the next.
 */
static void test_cgroup(void)
{
	struct local_cgroup cg, next;
	char *stale, *stale_env;
	int p[2], st;
	pid_t child, dead;

	if (local_cgroup_make(&cg)) {
		fprintf(stderr, "note: no cgroup v2 to make here: the freezer is not tested\n");
		CHECK(cg.dir == NULL && cg.env == NULL);
		return;
	}
	CHECK(access(cg.env, F_OK) == 0);
	CHECK(pipe(p) == 0);
	child = fork();
	if (child == 0) {
		close(p[0]);
		if (local_cgroup_move(cg.env, 0))
			_exit(1);
		for (;;) {
			if (write(p[1], "x", 1) < 0)
				_exit(1);
			nap_ms(2);
		}
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	for (int i = 0; i < 200 && !local_cgroup_has(&cg, child); i++)
		nap_ms(5);
	CHECK(local_cgroup_has(&cg, child));
	CHECK(!local_cgroup_has(&cg, getpid()));
	CHECK(local_cgroup_freeze(&cg, 1) == 0);
	CHECK(frozen(cg.env));
	drain(p[0]);
	nap_ms(100);
	CHECK(drain(p[0]) == 0); /* nothing while frozen */
	CHECK(local_cgroup_freeze(&cg, 0) == 0);
	nap_ms(100);
	CHECK(drain(p[0]) > 0);
	CHECK(local_cgroup_freeze(&cg, 1) == 0);
	CHECK(local_cgroup_kill(&cg) == 0); /* frozen, it dies all the same */
	CHECK(waitpid(child, &st, 0) == child && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	close(p[0]);
	stale = xstrdup(cg.dir);
	local_cgroup_remove(&cg);
	CHECK(cg.dir == NULL && access(stale, F_OK) && errno == ENOENT);
	/* a cgroup left by a blambda that is gone (its pid ended here) */
	if ((dead = fork()) == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	free(stale);
	CHECK(local_cgroup_make(&next) == 0);
	stale = buf_fmt("%.*s/blambda-local-%ld-7", (int)(strrchr(next.dir, '/') - next.dir), next.dir, (long)dead);
	stale_env = buf_fmt("%s/env", stale);
	CHECK(mkdir(stale, 0755) == 0 && mkdir(stale_env, 0755) == 0);
	local_cgroup_remove(&next);
	CHECK(local_cgroup_make(&next) == 0);
	CHECK(access(stale, F_OK) && errno == ENOENT);
	local_cgroup_remove(&next);
	rmdir(stale_env);
	rmdir(stale);
	free(stale_env);
	free(stale);
}

TEST_MAIN(test_members, test_memory, test_cgroup, test_under_opt, test_record)
