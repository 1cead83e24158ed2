/*
 * From the command line to the configuration: what main() does before a
 * command that reads blambda.yml, and what `local start --watch` does again
 * after an edit. Kept apart so the option parser knows nothing of config.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/opt.h"
#include "config/config.h"
#include "core/buf.h"
#include "core/msg.h"

/* --region given more than once: the regions a command that takes several works in */
static int set_regions(const struct args *args, struct config *cfg)
{
	const struct opt_value *v = args_opt(args, "region");
	struct buf all = BUF_INIT;
	int r;

	if (!v || v->list.nr < 2)
		return config_finish(cfg);
	if (!(args->cmd->flags & CMD_REGIONS)) {
		error_status(EXIT_USAGE, "--region is given %zu times; 'blambda %s' works in one region", v->list.nr,
			     args->cmd->name);
		return -1;
	}
	for (size_t i = 0; i < v->list.nr; i++)
		buf_addf(&all, "%s%s", i ? "," : "", v->list.items[i]);
	r = config_set_flag(cfg, "aws.regions", all.ptr, "region");
	buf_release(&all);
	return r ? -1 : config_finish(cfg);
}

int args_load_config(const struct args *args, struct config *cfg)
{
	const char *path = args_str(args, "config");
	const struct opt *tables[2] = { global_options, args->cmd->opts };

	config_init(cfg);
	if (config_read_file(cfg, path ? path : "blambda.yml", path != NULL) || config_read_env(cfg))
		return -1;
	for (int t = 0; t < 2; t++) {
		for (size_t i = 0; tables[t] && tables[t][i].name; i++) {
			const struct opt_value *v = args_opt(args, tables[t][i].name);

			if (tables[t][i].config_key && v && v->set &&
			    config_set_flag(cfg, tables[t][i].config_key, v->str, tables[t][i].name))
				return -1;
		}
	}
	return set_regions(args, cfg);
}
