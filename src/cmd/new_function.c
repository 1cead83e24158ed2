#include <cjson/cJSON.h>
#include <stdio.h>

#include "cli/msg.h"
#include "cli/term.h"
#include "cmd/cmd.h"
#include "package/scaffold.h"

/* the options, in the order of the table at the end */
enum { NEW_OPT_DIR, NEW_OPT_NS, NEW_OPT_ARCH, NEW_OPT_BB_VERSION, NEW_OPT_MEMORY, NEW_OPT_TIMEOUT, NEW_OPT_FORCE,
       NEW_OPT_TEMPLATE, NEW_OPT_CI, OPTS__N };

static const char *const archs[] = { "x86_64", "arm64", NULL };
static const char *const cis[] = { "github", NULL };

static int exec_new_function(struct args *args, struct config *cfg)
{
	struct scaffold_opts o = {
		.name = args->pos.items[0],
		.dir = args_str(args, NEW_OPT_DIR),
		.ns = args_str(args, NEW_OPT_NS),
		.template_dir = args_str(args, NEW_OPT_TEMPLATE),
		.arch = args_str(args, NEW_OPT_ARCH),
		.bb_version = args_str(args, NEW_OPT_BB_VERSION),
		.memory = args_str(args, NEW_OPT_MEMORY),
		.timeout = args_str(args, NEW_OPT_TIMEOUT),
		.force = args_flag(args, NEW_OPT_FORCE),
		.ci = args_str(args, NEW_OPT_CI),
		.obs = term_observer(),
	};
	struct scaffold_result res;
	struct error err = ERROR_INIT;
	const char *dir;

	(void)cfg;
	if (scaffold_create(&o, &res, &err))
		return error_print_release(&err);
	dir = res.dir;
	if (args_flag(args, GLOBAL_JSON)) {
		cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "files");

		cJSON_AddStringToObject(root, "path", dir);
		cJSON_AddStringToObject(root, "handler", res.handler);
		for (size_t i = 0; i < res.files.nr; i++)
			cJSON_AddItemToArray(list, cJSON_CreateString(res.files.items[i].path));
		json_print(root);
	} else {
		for (size_t i = 0; i < res.files.nr; i++)
			printf("%s/%s\n", dir, res.files.items[i].path);
		info("Created the function %s in %s/. Next:\n  cd %s\n"
		     "  bb test                               # its tests\n"
		     "  blambda local invoke --event example  # run it here, as Lambda would\n"
		     "  blambda deploy                        # to Lambda; then 'blambda invoke'", o.name, dir, dir);
		if (o.ci)
			info("Before the first deploy from GitHub Actions, set up what the comments at the top of "
			     "%s/.github/workflows/deploy.yml say", dir);
	}
	scaffold_result_release(&res);
	return EXIT_OK;
}

static const struct opt opts[OPTS__N + 1] = {
	[NEW_OPT_DIR] = OPT_DIR('d', "dir", "DIR", "make the project in DIR instead of ./NAME"),
	[NEW_OPT_NS] = OPT_STRING(0, "ns", "NAMESPACE", "the handler's namespace (default NAME): my.app.core is in src/my/app/core.clj"),
	[NEW_OPT_ARCH] = OPT_ENUM(0, "arch", "ARCH", archs, "the Lambda architecture (default x86_64)"),
	[NEW_OPT_BB_VERSION] = OPT_STRING(0, "bb-version", "VERSION", "the Babashka release to run on"),
	[NEW_OPT_MEMORY] = OPT_INT(0, "memory", "MB", 128, 10240, "memory in MB (default 512)"),
	[NEW_OPT_TIMEOUT] = OPT_INT(0, "timeout", "SECONDS", 1, 900, "timeout in seconds (default 5)"),
	[NEW_OPT_FORCE] = OPT_BOOL('f', "force", "overwrite files that exist"),
	[NEW_OPT_TEMPLATE] = OPT_DIR('t', "template", "DIR", "use the template in DIR instead of the built-in one"),
	[NEW_OPT_CI] = OPT_ENUM(0, "ci", "SERVICE", cis, "add a CI workflow that tests and deploys (github)"),
	[OPTS__N] = OPT_END,
};

const struct command cmd_new_function = {
	.name = "new-function",
	.summary = "make a new function project from a template",
	.usage = "NAME",
	.description = "Creates the directory NAME (or --dir) holding a function that works on the first try: "
		       "src/NAME.clj with a handler that greets (:name event), blambda.yml filled in, bb.edn "
		       "with :paths [\"src\"] and a test task, an example event in events/example.json, a test "
		       "namespace runnable with 'bb test', a .gitignore, and a README that walks through "
		       "building, running, deploying and removing it.\n\n"
		       "NAME is the Lambda function's name and, unless --ns gives another, the handler's "
		       "namespace: letters, digits, '-' and '_', starting with a letter (my-fn lives in "
		       "src/my_fn.clj, its handler is my-fn/handler). --ns my.app.core puts the handler in "
		       "src/my/app/core.clj as my.app.core/handler. Existing files are never overwritten without "
		       "--force, and nothing is written when anything is wrong. A project is not made inside "
		       "another one (a directory above it holds a blambda.yml) without --force: add a function "
		       "to a project under functions: in its blambda.yml instead.\n\n"
		       "--template uses a directory of your own laid out like the built-in template: files may "
		       "use {{name}}, {{ns}}, {{file}}, {{handler}}, {{arch}}, {{bb_version}}, {{memory}} and "
		       "{{timeout}} (and {{gh}}, which is '${{', for a GitHub Actions expression); a path "
		       "component NAME becomes the namespace's file name, and 'gitignore' becomes '.gitignore'.\n\n"
		       "--ci github adds .github/workflows/deploy.yml: on every push and pull request it runs "
		       "'bb test'; on main it then deploys with 'blambda deploy', in a Debian 12 container, with "
		       "credentials from GitHub's OIDC token (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN: no AWS "
		       "keys are stored) and CI set, so that nothing waits on a terminal. Its comments say what to "
		       "set up once: the IAM role it assumes, and the repository variables AWS_ROLE_ARN, AWS_REGION "
		       "and BLAMBDA_DEB_URL (where the team keeps blambda's Debian package).",
	.opts = opts,
	.nopts = OPTS__N,
	.pos = POS_WORD,
	.min_pos = 1,
	.max_pos = 1,
	.examples = "blambda new-function hello\tthe project in ./hello\n"
		    "blambda new-function my-fn --arch arm64 --memory 1024\ton Graviton, with more memory\n"
		    "blambda new-function orders --ns shop.orders\tthe handler shop.orders/handler in src/shop/orders.clj\n"
		    "blambda new-function api --template ~/templates/web --dir services/api\tfrom your own template\n"
		    "blambda new-function hello --ci github\twith a GitHub Actions workflow that tests and deploys",
	.exec = exec_new_function,
};
