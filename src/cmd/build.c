#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "core/json.h"
#include "core/http.h"
#include "core/msg.h"
#include "package/runtime_layer.h"

static const char *const archs[] = { "x86_64", "arm64", NULL };

static void print_artifacts(const struct args *args, struct artifact *arts, size_t n, int dry_run)
{
	if (args_flag(args, "json")) {
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
	for (size_t i = 0; i < n; i++) {
		if (dry_run && arts[i].reason)
			printf("would build %s: %s\n", arts[i].path, arts[i].reason);
		else if (dry_run)
			printf("%s is up to date\n", arts[i].path);
		else if (arts[i].size >= 1048576)
			printf("%-14s %-7s %s  %.1f MB  %s\n", arts[i].kind, arts[i].arch, arts[i].path,
			       (double)arts[i].size / 1048576.0, arts[i].built ? "built" : "up to date");
		else
			printf("%-14s %-7s %s  %.1f KB  %s\n", arts[i].kind, arts[i].arch, arts[i].path,
			       (double)arts[i].size / 1024.0, arts[i].built ? "built" : "up to date");
	}
}

static int exec_build(struct args *args, struct config *cfg)
{
	struct runtime_layer_opts o = { 0 };
	struct http_client *http = NULL;
	struct artifact art = { 0 };
	int r;

	o.arch = config_str(cfg, CFG_FUNCTION_ARCHITECTURE);
	o.bb_version = config_str(cfg, CFG_BABASHKA_VERSION);
	o.mirror = config_str(cfg, CFG_BABASHKA_MIRROR);
	o.out_dir = args_str(args, "output-dir") ? args_str(args, "output-dir") : "target";
	o.force = args_flag(args, "force");
	o.dry_run = args_flag(args, "dry-run");
	r = runtime_layer_build(&o, &http, &art);
	if (!r)
		print_artifacts(args, &art, 1, o.dry_run);
	artifact_release(&art);
	http_client_free(http);
	return r;
}

static const struct opt opts[] = {
	{ "runtime-layer", 0, OPT_BOOL, NULL, "build the runtime layer (bootstrap, bb, runtime.clj)", 0, 0, NULL, NULL, 0 },
	{ "arch", 0, OPT_ENUM, "ARCH", "the Lambda architecture to build for", 0, 0, archs, "function.architecture", 0 },
	{ "bb-version", 0, OPT_STRING, "VERSION", "the Babashka release to put in the runtime layer", 0, 0, NULL,
	  "babashka.version", 0 },
	{ "output-dir", 'o', OPT_DIR, "DIR", "write the zips to DIR (default target)", 0, 0, NULL, NULL, 0 },
	{ "force", 'f', OPT_BOOL, NULL, "build even what is up to date", 0, 0, NULL, NULL, 0 },
	{ "dry-run", 'n', OPT_BOOL, NULL, "say what would be built and why, and build nothing", 0, 0, NULL, NULL, 0 },
	OPT_END,
};

const struct command cmd_build = {
	.name = "build",
	.summary = "build the runtime layer zip",
	.usage = "",
	.description = "Builds the runtime layer, target/runtime-layer-ARCH.zip: the static bootstrap for ARCH, bb "
		       "from the Babashka release, and blambda/runtime.clj, each with its unix mode. The release "
		       "tarball is downloaded once into the cache directory and verified by SHA-256 (pinned in "
		       "blambda for known releases, else the release's .sha256); a mismatch is an error and "
		       "nothing is cached. babashka.mirror (or BLAMBDA_BABASHKA_URL) replaces the download site "
		       "with a mirror of the same layout; -SNAPSHOT versions come from babashka-dev-builds.\n\n"
		       "The zip is reproducible: the same inputs give the same bytes. When nothing changed since "
		       "the last build, nothing is done. Works in any directory, with or without blambda.yml.",
	.opts = opts,
	.pos = POS_NONE,
	.max_pos = 0,
	.flags = CMD_CONFIG,
	.examples = "blambda build --runtime-layer --arch arm64\tthe runtime layer for Graviton\n"
		    "blambda build --bb-version 1.12.218 --json\tanother Babashka, reported as JSON\n"
		    "blambda build --dry-run\tsay what is out of date",
	.exec = exec_build,
};
