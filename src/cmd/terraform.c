#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/msg.h"
#include "cli/term.h"
#include "cmd/cmd.h"
#include "core/fs.h"
#include "core/json.h"
#include "core/strlist.h"
#include "deploy/terraform.h"
#include "package/project.h"

/* the options, in the order of the table at the end */
enum { TERRAFORM_OPT_OUTPUT, OPTS__N };

/* the path of `to` seen from the directory `from`, both absolute: "../target" */
static void relative_path(const char *from, const char *to, struct buf *out)
{
	struct strlist f = STRLIST_INIT, t = STRLIST_INIT;
	size_t common = 0;

	strlist_split(&f, from, '/');
	strlist_split(&t, to, '/');
	while (common < f.nr && common < t.nr && !strcmp(f.items[common], t.items[common]))
		common++;
	for (size_t i = common; i < f.nr; i++)
		if (*f.items[i])
			buf_adds(out, out->len ? "/.." : "..");
	for (size_t i = common; i < t.nr; i++)
		if (*t.items[i])
			buf_addf(out, "%s%s", out->len ? "/" : "", t.items[i]);
	if (!out->len)
		buf_adds(out, ".");
	strlist_clear(&f);
	strlist_clear(&t);
}

static int exec_terraform(struct args *args, struct config *cfg)
{
	const char *dir = args_str(args, TERRAFORM_OPT_OUTPUT) ? args_str(args, TERRAFORM_OPT_OUTPUT) : "terraform";
	/* the zips it names, up to date */
	struct project_build_opts po = { .runtime_layer = 1, .deps_layer = 1, .function = 1 };
	struct project_artifacts arts = { 0 };
	struct terraform_input in = { 0 };
	struct http_fetcher fetch = HTTP_FETCHER_INIT(term_observer());
	struct strlist none = STRLIST_INIT;
	struct config *fns = NULL;
	struct buf path = BUF_INIT, rel = BUF_INIT;
	struct error err = ERROR_INIT;
	char abs_dir[PATH_MAX], abs_target[PATH_MAX];
	size_t n = 0;
	int written;

	if (!cfg->path)
		return error_exit(EXIT_USAGE, "there is no blambda.yml here to describe");
	if (config_select_functions(cfg, &none, &fns, &n, &err))
		return error_print_release(&err);
	if (!n) {
		error_set(&err, EXIT_USAGE, "%s names no function", cfg->path);
		goto out;
	}
	if (terraform_check_names(fns, n, &err) || project_build(cfg, &po, &fetch, &arts, &err) ||
	    fs_mkdirs(dir, 0755, &err))
		goto out;
	if (!realpath(dir, abs_dir) || !realpath("target", abs_target)) {
		error_set(&err, EXIT_FAIL, "cannot resolve '%s': %s", dir, strerror(errno));
		goto out;
	}
	relative_path(abs_dir, abs_target, &rel);
	in.cfg = cfg;
	in.fns = fns;
	in.nfns = n;
	in.zip_dir = rel.ptr;
	in.arch = config_str(cfg, CFG_FUNCTION_ARCHITECTURE);
	in.bb_version = config_str(cfg, CFG_BABASHKA_VERSION);
	in.deps_layer = arts.deps_layer != NULL;
	buf_addf(&path, "%s/main.tf", dir);
	if (terraform_write(&in, path.ptr, &written, &err))
		goto out;
	if (args_flag(args, GLOBAL_JSON)) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "path", path.ptr);
		cJSON_AddBoolToObject(o, "written", written);
		cJSON_AddNumberToObject(o, "functions", (double)n);
		cJSON_AddBoolToObject(o, "deps_layer", in.deps_layer);
		json_print(o);
	} else {
		printf("%s %s\n", written ? "Wrote" : "Up to date:", path.ptr);
	}
out:
	for (size_t i = 0; i < n; i++)
		config_release(&fns[i]);
	free(fns);
	project_artifacts_release(&arts);
	http_fetcher_release(&fetch);
	buf_release(&path);
	buf_release(&rel);
	return error_failed(&err) ? error_print_release(&err) : EXIT_OK;
}

static const struct opt opts[OPTS__N + 1] = {
	[TERRAFORM_OPT_OUTPUT] = OPT_DIR('o', "output", "DIR", "write DIR/main.tf (default: terraform)"),
	[OPTS__N] = OPT_END,
};

const struct command cmd_terraform = {
	.name = "terraform",
	.summary = "write the project as a Terraform configuration",
	.usage = "",
	.description =
		"For teams that keep their infrastructure in Terraform: builds what is out of date (as 'blambda "
		"build' does), then writes DIR/main.tf (HCL) declaring what 'blambda deploy' would make: the "
		"runtime layer and the deps layer (aws_lambda_layer_version, with blambda's descriptions), for "
		"each function without function.role a role tagged blambda:managed-by=blambda with "
		"AWSLambdaBasicExecutionRole attached (and the VPC and X-Ray policies when vpc and tracing "
		"active want them, function.policies' managed policies, and its statements as the inline policy "
		"blambda), and each function (aws_lambda_function) with its handler, runtime, "
		"architecture, memory, timeout, description, environment, tracing, ephemeral storage, VPC, "
		"reserved concurrency, tags and layers, its code from "
		"target/function.zip (paths relative to the file, hashed with filebase64sha256), and with "
		"function.url its URL (aws_lambda_function_url, and for auth NONE the public permission).\n\n"
		"Variables hold what differs per environment: name_prefix (before every function, role and "
		"layer name), tags (on every role and function) and extra_environment (added to every "
		"function's variables); for a function with function.environment-file, FUNCTION_environment_file "
		"(sensitive, no default) holds that file's variables, whose values are never written into "
		"main.tf: pass them with -var-file. Outputs FUNCTION_arn (and FUNCTION_url) give each function's ARN (and URL). The provider's "
		"region and credentials are left to the configuration that uses it.\n\n"
		"Written again with nothing changed, the file keeps the same bytes (and is not touched).",
	.opts = opts,
	.nopts = OPTS__N,
	.pos = POS_NONE,
	.max_pos = 0,
	.flags = CMD_CONFIG,
	.examples = "blambda terraform\twrite terraform/main.tf\n"
		    "blambda terraform -o infra/lambda\twrite infra/lambda/main.tf",
	.exec = exec_terraform,
};
