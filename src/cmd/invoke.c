#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/lambda.h"
#include "cli/result.h"
#include "cmd/cmd.h"
#include "cmd/setup.h"
#include "core/json.h"
#include "core/msg.h"
#include "core/payload.h"
#include "core/xalloc.h"

/* the options: the payload group, then invoke's own */
enum { INVOKE_OPT_QUALIFIER = PAYLOAD__N, OPTS__N };

static int exec_invoke(struct args *args, struct config *cfg)
{
	struct buf payload = BUF_INIT;
	struct aws a;
	struct aws_error err = { 0 };
	struct lambda_invocation res;
	struct invoke_view v = { 0 };
	const char *region, *qualifier = args_str(args, INVOKE_OPT_QUALIFIER);
	char *name = NULL;
	int r = -1, json = args_flag(args, GLOBAL_JSON);

	/* a payload that is not JSON is refused before any call */
	if (args_payload(args, &payload) ||
	    !(name = config_one_function(cfg, args->pos.nr ? args->pos.items[0] : NULL, "invoke")))
		goto out_nocall;
	if (aws_init_from(&a, cfg))
		goto out_aws;
	if (aws_region(&a, &region))
		goto out_aws;
	r = lambda_invoke(&a, NULL, name, qualifier, NULL, 1, payload.ptr, payload.len, &res, &err);
	if (r) {
		char *what = buf_fmt("cannot invoke '%s'", name);

		aws_error_report(&err, what);
		free(what);
		if (aws_error_is(&err, "ResourceNotFoundException"))
			hint("deploy it first with 'blambda deploy'%s", qualifier ? ", and check the qualifier" : "");
		aws_error_release(&err);
		lambda_invocation_release(&res);
		r = -1;
		goto out_aws;
	}
	v.name = name;
	v.status_code = res.status;
	v.executed_version = res.executed_version;
	v.function_error = res.function_error;
	v.payload = &res.payload;
	v.log = &res.log;
	if (json) {
		cJSON *o = invoke_view_json(&v);

		if (res.request_id)
			cJSON_AddStringToObject(o, "request_id", res.request_id);
		json_print(o);
		r = EXIT_OK;
		if (res.function_error) {
			struct buf fe = BUF_INIT;

			buf_add_printable(&fe, res.function_error, strlen(res.function_error), 0);
			error_status(EXIT_FUNCTION, "'%s' failed (%s)", name, fe.ptr);
			buf_release(&fe);
			r = EXIT_FUNCTION;
		}
	} else {
		/* the log tail first, as the console's test tab shows it; then the answer */
		if (res.log.len && msg_level() >= MSG_NORMAL) {
			struct buf shown = BUF_INIT;

			/* the function's output, shown as is, but never steering a terminal */
			if (isatty(STDERR_FILENO))
				buf_add_printable(&shown, res.log.ptr, res.log.len, 1);
			else
				buf_add(&shown, res.log.ptr, res.log.len);
			fwrite(shown.ptr, 1, shown.len, stderr);
			if (shown.ptr[shown.len - 1] != '\n')
				fputc('\n', stderr);
			buf_release(&shown);
		}
		if (res.log_unreadable)
			warning("the log Lambda sent back is not base64: it is not shown");
		r = invoke_view_print(&v);
	}
	lambda_invocation_release(&res);
out_aws:
	aws_release(&a);
out_nocall:
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
		"A function error (X-Amz-Function-Error) prints its type, message and stack trace and exits "
		"with status 5. With --json: one object with status_code, executed_version, function_error, "
		"payload (parsed when it is JSON), log and request_id.\n\n"
		"The invocation is tried once (it is not idempotent) and may take Lambda's 15 minutes.",
	.opts = opts,
	.nopts = OPTS__N,
	.pos = POS_WORD,
	.max_pos = 1,
	.flags = CMD_CONFIG,
	.examples = "blambda invoke --event example\tinvoke with events/example.json, show the answer and the log\n"
		    "blambda invoke -p '{\"name\":\"jmglov\"}' --json\tthe answer, the log and the version as JSON\n"
		    "blambda invoke --qualifier live\tinvoke the alias live",
	.exec = exec_invoke,
};
