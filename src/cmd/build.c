#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/msg.h"
#include "cli/term.h"
#include "cmd/cmd.h"
#include "core/http.h"
#include "core/json.h"
#include "package/limits.h"
#include "package/project.h"

/* the options, in the order of the table at the end */
enum {
	BUILD_OPT_RUNTIME_LAYER,
	BUILD_OPT_DEPS_LAYER,
	BUILD_OPT_FUNCTION,
	BUILD_OPT_ARCH,
	BUILD_OPT_BB_VERSION,
	BUILD_OPT_OUTPUT_DIR,
	BUILD_OPT_FORCE,
	BUILD_OPT_DRY_RUN,
	OPTS__N
};

static const char *const archs[] = { "x86_64", "arm64", NULL };

static void print_artifacts(const struct args *args, struct artifact *arts, size_t n, int dry_run)
{
	size_t width = 0;

	if (args_flag(args, GLOBAL_JSON)) {
		cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "artifacts");
		for (size_t i = 0; i < n; i++) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "kind", arts[i].kind);
			cJSON_AddStringToObject(o, "path", arts[i].path);
			if (arts[i].sha256[0])
				cJSON_AddStringToObject(o, "sha256", arts[i].sha256);
			else
				cJSON_AddNullToObject(o, "sha256");
			cJSON_AddNumberToObject(o, "size", (double)arts[i].size);
			cJSON_AddStringToObject(o, "arch", arts[i].arch);
			if (dry_run) {
				cJSON_AddBoolToObject(o, "would_build", arts[i].reason != NULL);
				if (arts[i].reason)
					cJSON_AddStringToObject(o, "reason", arts[i].reason);
			} else {
				cJSON_AddBoolToObject(o, "built", arts[i].built);
			}
			cJSON_AddItemToArray(list, o);
		}
		json_print(root);
		return;
	}
	if (msg_level() < MSG_NORMAL && !dry_run) /* -q: errors alone */
		return;
	for (size_t i = 0; i < n; i++)
		if (strlen(arts[i].path) > width)
			width = strlen(arts[i].path);
	for (size_t i = 0; i < n; i++) {
		if (dry_run && arts[i].reason)
			printf("would build %s: %s\n", arts[i].path, arts[i].reason);
		else if (dry_run)
			printf("%s is up to date\n", arts[i].path);
		else if (arts[i].size >= 1048576)
			printf("%-14s %-7s %-*s  %6.1f MB  %s\n", arts[i].kind, arts[i].arch, (int)width, arts[i].path,
			       (double)arts[i].size / 1048576.0, arts[i].built ? "built" : "up to date");
		else
			printf("%-14s %-7s %-*s  %6.1f KB  %s\n", arts[i].kind, arts[i].arch, (int)width, arts[i].path,
			       (double)arts[i].size / 1024.0, arts[i].built ? "built" : "up to date");
	}
}

static int exec_build(struct args *args, struct config *cfg)
{
	struct project_build_opts o = { 0 };
	struct project_artifacts p = { 0 };
	struct http_fetcher fetch = HTTP_FETCHER_INIT(term_observer());
	struct error err = ERROR_INIT;
	int r = EXIT_OK;

	o.runtime_layer = args_flag(args, BUILD_OPT_RUNTIME_LAYER);
	o.deps_layer = args_flag(args, BUILD_OPT_DEPS_LAYER);
	o.function = args_flag(args, BUILD_OPT_FUNCTION);
	o.out_dir = args_str(args, BUILD_OPT_OUTPUT_DIR);
	o.force = args_flag(args, BUILD_OPT_FORCE);
	o.dry_run = args_flag(args, BUILD_OPT_DRY_RUN);
	if (!o.runtime_layer && !o.deps_layer && !o.function) {
		if (!cfg->path) {
			error_set(&err, EXIT_USAGE, "there is no blambda.yml here to build");
			error_hint(&err, "'blambda new-function NAME' makes a project; 'blambda build --runtime-layer' "
				   "builds the layer alone");
			return error_print_release(&err);
		}
		o.runtime_layer = o.deps_layer = o.function = 1;
	}
	if (project_build(cfg, &o, &fetch, &p, &err) ||
	    (!o.dry_run && limits_check(p.arts, p.nr, config_str(cfg, CFG_AWS_S3_BUCKET) != NULL, &err))) {
		r = error_print_release(&err);
	} else {
		if (p.no_deps)
			info("%s declares no :deps or :pods: no deps layer", config_str(cfg, CFG_DEPS_FILE));
		print_artifacts(args, p.arts, p.nr, o.dry_run);
	}
	project_artifacts_release(&p);
	http_fetcher_release(&fetch);
	return r;
}

static const struct opt opts[OPTS__N + 1] = {
	[BUILD_OPT_RUNTIME_LAYER] = OPT_BOOL(0, "runtime-layer", "build the runtime layer (bootstrap, bb, runtime.clj)"),
	[BUILD_OPT_DEPS_LAYER] = OPT_BOOL(0, "deps-layer", "build the dependencies layer (from bb.edn :deps and :pods)"),
	[BUILD_OPT_FUNCTION] = OPT_BOOL(0, "function", "build the function zip (from the source paths)"),
	[BUILD_OPT_ARCH] = OPT_ENUM_KEY(0, "arch", "ARCH", archs, "the Lambda architecture to build for",
				    "function.architecture"),
	[BUILD_OPT_BB_VERSION] = OPT_STRING_KEY(0, "bb-version", "VERSION", "the Babashka release to put in the runtime layer",
					    "babashka.version"),
	[BUILD_OPT_OUTPUT_DIR] = OPT_DIR('o', "output-dir", "DIR", "write the zips to DIR (default target)"),
	[BUILD_OPT_FORCE] = OPT_BOOL('f', "force", "build even what is up to date"),
	[BUILD_OPT_DRY_RUN] = OPT_BOOL('n', "dry-run", "say what would be built and why, and build nothing"),
	[OPTS__N] = OPT_END,
};

const struct command cmd_build = {
	.name = "build",
	.summary = "build the runtime layer, the deps layer and the function zip",
	.usage = "",
	.description = "Builds, under target/ (or -o), everything the project needs, each only when one of its "
		       "inputs changed: the runtime layer, runtime-layer-ARCH.zip (the static bootstrap for ARCH, bb "
		       "from the Babashka release, blambda/runtime.clj); the deps layer, deps-layer-ARCH.zip, when "
		       "bb.edn declares :deps or :pods; and the function zip, function.zip. --runtime-layer, "
		       "--deps-layer and --function build just those (and work without blambda.yml); --dry-run "
		       "says what would be built and why.\n\n"
		       "The Babashka tarball is downloaded once into the cache directory and verified by SHA-256 "
		       "(pinned in blambda for known releases, else the release's .sha256); a mismatch is an error "
		       "and nothing is cached. babashka.mirror (or BLAMBDA_BABASHKA_URL) replaces the download site "
		       "with a mirror of the same layout; -SNAPSHOT versions come from babashka-dev-builds.\n\n"
		       "The deps layer holds m2-repo/ and gitlibs/, filled by resolving :deps with 'bb clojure "
		       "-Spath' (BLAMBDA_BB, the bb that 'blambda local' runs, else bb on PATH, else the Babashka "
		       "release in the cache for this machine) or 'clojure -Spath', a deps-classpath file with those "
		       "paths under /opt (a resolution that prints no path is an error: the layer would hold no "
		       "library), and the :pods fetched from the pod registry for Linux and the layer's architecture "
		       "into .babashka/pods/.\n\n"
		       "The function zip holds the files under function.source-paths, named from each source path "
		       "(src/hello.clj is hello.clj), without target/, .git/, .cpcache/, editor backups, a bb.edn at "
		       "the top of a source path (bb would read it at start in /var/task) and what "
		       ".blambdaignore lists (one glob a line; a pattern with '/' matches the path from the project "
		       "directory, others any name; a trailing '/' only directories).\n\n"
		       "Each function's handler (NS/FN) is checked against the function zip first: NS's file "
		       "(src/my/app.clj for my.app) must be in it and name FN; a mistake is an error naming "
		       "function.handler's line, with the namespace or function meant.\n\n"
		       "Every zip is reproducible: the same inputs give the same bytes. Before anything is "
		       "uploaded, a zip over 50 MB without aws.s3-bucket, or more than 250 MB unzipped in all, is "
		       "an error naming the biggest entries.",
	.opts = opts,
	.nopts = OPTS__N,
	.pos = POS_NONE,
	.max_pos = 0,
	.flags = CMD_CONFIG,
	.examples = "blambda build\teverything the project needs\n"
		    "blambda build --runtime-layer --arch arm64\tthe runtime layer for Graviton, anywhere\n"
		    "blambda build --function --json\tjust the function zip, reported as JSON\n"
		    "blambda build --dry-run\tsay what is out of date",
	.exec = exec_build,
};
