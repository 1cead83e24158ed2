#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/lambda.h"
#include "cli/msg.h"
#include "cli/result.h"
#include "cli/term.h"
#include "cmd/cmd.h"
#include "cmd/setup.h"
#include "core/json.h"
#include "core/payload.h"
#include "core/xalloc.h"

/* the options: the payload group, then invoke's own */
enum { INVOKE_OPT_QUALIFIER = PAYLOAD__N, OPTS__N };

/* The log tail on stderr, as the console's test tab shows it: the function's output, never steering a terminal. */
static void print_log(const struct lambda_invocation *res)
{
	struct buf shown = BUF_INIT;

	if (!res->log.len || msg_level() < MSG_NORMAL)
		return;
	if (isatty(STDERR_FILENO))
		buf_add_printable(&shown, res->log.ptr, res->log.len, 1);
	else
		buf_add(&shown, res->log.ptr, res->log.len);
	fwrite(shown.ptr, 1, shown.len, stderr);
	if (shown.ptr[shown.len - 1] != '\n')
		fputc('\n', stderr);
	buf_release(&shown);
}

/* The invocation's answer as text or JSON; the exit status (EXIT_FUNCTION for a function error). */
static int show(const struct args *args, const char *name, const struct lambda_invocation *res)
{
	struct invoke_view v = { 0 };

	v.name = name;
	v.status_code = res->status;
	v.executed_version = res->executed_version;
	v.function_error = res->function_error;
	v.payload = &res->payload;
	v.log = &res->log;
	if (args_flag(args, GLOBAL_JSON)) {
		cJSON *o = invoke_view_json(&v);
		struct buf fe = BUF_INIT;

		if (res->request_id)
			cJSON_AddStringToObject(o, "request_id", res->request_id);
		json_print(o);
		if (!res->function_error)
			return EXIT_OK;
		buf_add_printable(&fe, res->function_error, strlen(res->function_error), 0);
		error_exit(EXIT_FUNCTION, "'%s' failed (%s)", name, fe.ptr);
		buf_release(&fe);
		return EXIT_FUNCTION;
	}
	print_log(res);
	if (res->log_unreadable)
		warning("the log Lambda sent back is not base64: it is not shown");
	return invoke_view_print(&v);
}

static int exec_invoke(struct args *args, struct config *cfg)
{
	struct lambda_invoke_request req = { 0 };
	struct lambda_invocation res;
	struct buf payload = BUF_INIT;
	struct error err = ERROR_INIT;
	struct aws a;
	const char *region;
	char *name = NULL;
	int r;

	req.qualifier = args_str(args, INVOKE_OPT_QUALIFIER);
	/* a payload that is not JSON is refused before any call */
	if (!(name = config_one_function(cfg, args->pos.nr ? args->pos.items[0] : NULL, "invoke", &err)) ||
	    cmd_payload(args, cfg, name, &payload, &err)) {
		r = error_print_release(&err);
		goto out;
	}
	req.name = name;
	req.tail = 1;
	req.payload = payload.ptr;
	req.len = payload.len;
	lambda_invocation_init(&res);
	if (cmd_aws_init(&a, cfg, &err) || aws_region(&a, &region, &err)) {
		r = error_print_release(&err);
	} else if (lambda_invoke(&a, &req, &res, &err)) {
		error_prefix(&err, "cannot invoke '%s'", name);
		if (error_is(&err, "ResourceNotFoundException"))
			error_hint(&err, "deploy it first with 'blambda deploy'%s",
				   req.qualifier ? ", and check the qualifier" : "");
		r = error_print_release(&err);
	} else {
		r = show(args, name, &res);
	}
	lambda_invocation_release(&res);
	aws_release(&a);
out:
	buf_release(&payload);
	free(name);
	return r;
}

static const struct opt opts[OPTS__N + 1] = {
	PAYLOAD_OPTS,
	[INVOKE_OPT_QUALIFIER] = OPT_STRING(0, "qualifier", "VERSION", "invoke this version or alias"),
	[OPTS__N] = OPT_END,
};

const struct command cmd_invoke = {
	.name = "invoke",
	.summary = "invoke the deployed function and show its answer and log",
	.usage = "[NAME]",
	.description =
		"Invokes the function in AWS (the project's only function, or NAME) with the payload and "
		"X-Amz-Log-Type: Tail, as the Lambda console's test tab does: the end of the log (the "
		"function's output with its START, END and REPORT lines) on standard error, then the answer on "
		"standard output. The payload must be JSON: a mistake is refused, with its line and column, "
		"before any call. Without a payload the event is {}.\n\n"
		"A function error (X-Amz-Function-Error) is said once, on standard error (nothing goes to "
		"standard output): its type and message, its ex-data (errorData), each cause in turn, then the "
		"stack trace where it began; the exit status is 5. With --json: one object with status_code, executed_version, function_error, "
		"payload (parsed when it is JSON), log and request_id.\n\n"
		"The invocation is tried once (it is not idempotent) and may take Lambda's 15 minutes.",
	.opts = opts,
	.nopts = OPTS__N,
	.pos = POS_FUNCTION,
	.max_pos = 1,
	.flags = CMD_CONFIG,
	.examples = "blambda invoke --event example\tinvoke with events/example.json, show the answer and the log\n"
		    "blambda invoke -p '{\"name\":\"jmglov\"}' --json\tthe answer, the log and the version as JSON\n"
		    "blambda invoke --qualifier live\tinvoke the alias live",
	.exec = exec_invoke,
};
