#include "package/project.h"

#include <stdlib.h>
#include <string.h>

#include "package/deps_layer.h"
#include "package/function_zip.h"
#include "package/runtime_layer.h"

int project_build(const struct config *cfg, const struct project_build_opts *o, struct http_fetcher *fetch,
		  struct project_artifacts *p, struct error *err)
{
	const char *out_dir = o->out_dir ? o->out_dir : "target";
	const char *arch = o->arch ? o->arch : config_str(cfg, CFG_FUNCTION_ARCHITECTURE);

	memset(p, 0, sizeof(*p));
	if (o->runtime_layer) {
		struct runtime_layer_opts ro = { 0 };

		ro.arch = arch;
		ro.bb_version = config_str(cfg, CFG_BABASHKA_VERSION);
		ro.mirror = config_str(cfg, CFG_BABASHKA_MIRROR);
		ro.out_dir = out_dir;
		ro.force = o->force;
		ro.dry_run = o->dry_run;
		p->runtime_layer = &p->arts[p->nr++];
		if (runtime_layer_build(&ro, fetch, p->runtime_layer, err))
			return -1;
	}
	if (o->deps_layer) {
		struct deps_layer_opts d = { 0 };
		struct artifact *art = &p->arts[p->nr];

		d.deps_file = config_str(cfg, CFG_DEPS_FILE);
		d.arch = arch;
		d.out_dir = out_dir;
		d.registry = getenv("BLAMBDA_POD_REGISTRY_URL");
		d.bb_version = config_str(cfg, CFG_BABASHKA_VERSION);
		d.mirror = config_str(cfg, CFG_BABASHKA_MIRROR);
		d.force = o->force;
		d.dry_run = o->dry_run;
		d.obs = fetch->obs;
		if (deps_layer_build(&d, fetch, art, &p->no_deps, err)) {
			p->nr++;
			return -1;
		}
		if (p->no_deps) {
			artifact_release(art);
		} else {
			p->deps_layer = art;
			p->nr++;
		}
	}
	if (o->function) {
		struct function_zip_opts f = { 0 };
		struct strlist handlers = STRLIST_INIT, origins = STRLIST_INIT;
		int r;

		f.source_paths = config_list(cfg, CFG_FUNCTION_SOURCE_PATHS);
		f.origin = cfg->v[CFG_FUNCTION_SOURCE_PATHS].origin;
		f.arch = arch;
		f.out_dir = out_dir;
		f.force = o->force;
		f.dry_run = o->dry_run;
		f.obs = fetch->obs;
		for (size_t i = 0; i < config_function_count(cfg); i++) {
			struct config one;

			config_for_function(cfg, i, &one);
			if (config_str(&one, CFG_FUNCTION_HANDLER)) {
				strlist_add(&handlers, config_str(&one, CFG_FUNCTION_HANDLER));
				strlist_add(&origins, one.v[CFG_FUNCTION_HANDLER].origin);
			}
			config_release(&one);
		}
		f.handlers = &handlers;
		f.handler_origins = &origins;
		p->function = &p->arts[p->nr++];
		r = function_zip_build(&f, p->function, err);
		strlist_clear(&handlers);
		strlist_clear(&origins);
		if (r)
			return -1;
	}
	return 0;
}

void project_artifacts_release(struct project_artifacts *p)
{
	for (size_t i = 0; i < p->nr; i++)
		artifact_release(&p->arts[i]);
	memset(p, 0, sizeof(*p));
}
