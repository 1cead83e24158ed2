#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cli/term.h"
#include "core/fs.h"
#include "core/json.h"
#include "cli/msg.h"
#include "core/xalloc.h"
#include "package/template.h"

/* the options, in the order of the table at the end */
enum { NEW_OPT_DIR, NEW_OPT_ARCH, NEW_OPT_BB_VERSION, NEW_OPT_MEMORY, NEW_OPT_TIMEOUT, NEW_OPT_FORCE, NEW_OPT_TEMPLATE, OPTS__N };

static const char *const archs[] = { "x86_64", "arm64", NULL };

/*
 * A name must be a Lambda function name and a Clojure namespace: letters,
 * digits, '-' and '_', starting with a letter, at most 64 characters.
 */
static int check_name(const char *name, struct error *err)
{
	size_t n = strlen(name);
	int ok = n > 0 && n <= 64 && isalpha((unsigned char)name[0]);

	for (size_t i = 0; ok && i < n; i++)
		ok = isalnum((unsigned char)name[i]) || name[i] == '-' || name[i] == '_';
	if (ok && (strstr(name, "--") || name[n - 1] == '-'))
		ok = 0;
	if (!ok)
		return error_set(err, EXIT_USAGE, "'%s' cannot name a function: use 1 to 64 letters, digits, '-' and '_', "
				 "starting with a letter (it is both the Lambda function's name and its namespace)", name);
	return 0;
}

static const char *opt_or_default(const struct args *args, int opt, enum cfg_id id)
{
	const char *v = args_str(args, opt);

	return v ? v : cfg_keys[id].def;
}

/* Creates the parent directories of dir/rel. */
static int mkparents(const char *dir, const char *rel, struct error *err)
{
	struct buf p = BUF_INIT;
	const char *slash = strrchr(rel, '/');
	int r = 0;

	if (slash) {
		buf_addf(&p, "%s/%.*s", dir, (int)(slash - rel), rel);
		r = fs_mkdirs(p.ptr, 0755, err);
	}
	buf_release(&p);
	return r;
}

static int write_all(const char *dir, const struct rendered_set *files, struct error *err)
{
	struct buf path = BUF_INIT;
	int r = 0;

	for (size_t i = 0; !r && i < files->nr; i++) {
		buf_reset(&path);
		buf_addf(&path, "%s/%s", dir, files->items[i].path);
		r = mkparents(dir, files->items[i].path, err) ||
		    fs_write_atomic(path.ptr, files->items[i].text.ptr, files->items[i].text.len, files->items[i].mode, err);
	}
	buf_release(&path);
	return r;
}

static int exec_new_function(struct args *args, struct config *cfg)
{
	const char *name = args->pos.items[0];
	int force = args_flag(args, NEW_OPT_FORCE);
	struct kvlist vars = KVLIST_INIT;
	struct rendered_set files;
	struct buf file = BUF_INIT, handler = BUF_INIT, tmp = BUF_INIT, conflicts = BUF_INIT, dirbuf = BUF_INIT;
	struct error err = ERROR_INIT;
	const char *dir;
	struct stat st;
	int exists;

	(void)cfg;
	if (check_name(name, &err))
		return error_print_release(&err);
	/* "out/" is the directory "out": the new one is built beside it, not inside */
	buf_adds(&dirbuf, args_str(args, NEW_OPT_DIR) ? args_str(args, NEW_OPT_DIR) : name);
	while (dirbuf.len > 1 && dirbuf.ptr[dirbuf.len - 1] == '/')
		buf_setlen(&dirbuf, dirbuf.len - 1);
	dir = dirbuf.ptr;
	buf_adds(&file, name);
	for (char *c = file.ptr; *c; c++)
		if (*c == '-')
			*c = '_';
	buf_addf(&handler, "%s/handler", name);
	kvlist_set(&vars, "name", name);
	kvlist_set(&vars, "ns", name);
	kvlist_set(&vars, "file", file.ptr);
	kvlist_set(&vars, "handler", handler.ptr);
	kvlist_set(&vars, "arch", opt_or_default(args, NEW_OPT_ARCH, CFG_FUNCTION_ARCHITECTURE));
	kvlist_set(&vars, "bb_version", opt_or_default(args, NEW_OPT_BB_VERSION, CFG_BABASHKA_VERSION));
	kvlist_set(&vars, "memory", opt_or_default(args, NEW_OPT_MEMORY, CFG_FUNCTION_MEMORY));
	kvlist_set(&vars, "timeout", opt_or_default(args, NEW_OPT_TIMEOUT, CFG_FUNCTION_TIMEOUT));
	{
		/* the same checks blambda.yml gets */
		struct buf why = BUF_INIT;
		const char *v = kvlist_get(&vars, "bb_version");

		if (cfg_keys[CFG_BABASHKA_VERSION].check(NULL, v, &why)) {
			error_set(&err, EXIT_USAGE, "option '--bb-version': %s", why.ptr);
			buf_release(&why);
			goto out_vars;
		}
	}
	if (template_render(args_str(args, NEW_OPT_TEMPLATE), &vars, &files, &err))
		goto out_vars;

	exists = !stat(dir, &st);
	if (exists && !S_ISDIR(st.st_mode)) {
		error_set(&err, EXIT_USAGE, "'%s' exists and is not a directory", dir);
		goto out;
	}
	if (exists && !force) {
		for (size_t i = 0; i < files.nr; i++) {
			struct buf p = BUF_INIT;

			buf_addf(&p, "%s/%s", dir, files.items[i].path);
			if (!access(p.ptr, F_OK))
				buf_addf(&conflicts, "%s%s", conflicts.len ? ", " : "", p.ptr);
			buf_release(&p);
		}
		if (conflicts.len) {
			error_set(&err, EXIT_USAGE, "would overwrite %s", conflicts.ptr);
			error_hint(&err, "use --force to overwrite them, or --dir to make the project elsewhere");
			goto out;
		}
	}
	if (!exists) {
		/* a new directory appears whole or not at all: built aside, then renamed */
		const char *slash = strrchr(dir, '/');

		if (slash && slash != dir) {
			char *parent = xstrndup(dir, (size_t)(slash - dir));
			int bad = fs_mkdirs(parent, 0755, &err);

			free(parent);
			if (bad)
				goto out;
		}
		buf_addf(&tmp, "%s.tmp-XXXXXX", dir);
		if (!mkdtemp(tmp.ptr)) {
			error_set(&err, EXIT_FAIL, "cannot create '%s': %s", tmp.ptr, strerror(errno));
			goto out;
		}
		fs_temp_register_tree(tmp.ptr); /* an interrupt leaves nothing: the project appears whole or not at all */
		if (write_all(tmp.ptr, &files, &err) ||
		    ((chmod(tmp.ptr, 0755) || rename(tmp.ptr, dir)) &&
		     error_set(&err, EXIT_FAIL, "cannot create '%s': %s", dir, strerror(errno)))) {
			char *left = NULL;

			if (fs_remove_tree(tmp.ptr, &left))
				warning("could not remove '%s': %s", left ? left : tmp.ptr, strerror(errno));
			free(left);
			fs_temp_unregister(tmp.ptr);
			goto out;
		}
		fs_temp_unregister(tmp.ptr);
	} else if (write_all(dir, &files, &err)) {
		goto out;
	}

	if (args_flag(args, GLOBAL_JSON)) {
		cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "files");

		cJSON_AddStringToObject(root, "dir", dir);
		cJSON_AddStringToObject(root, "handler", handler.ptr);
		for (size_t i = 0; i < files.nr; i++)
			cJSON_AddItemToArray(list, cJSON_CreateString(files.items[i].path));
		json_print(root);
	} else {
		for (size_t i = 0; i < files.nr; i++)
			printf("%s/%s\n", dir, files.items[i].path);
		info("Created the function %s in %s/. Next:\n  cd %s\n  bb test\n  blambda build", name, dir, dir);
	}
out:
	rendered_set_release(&files);
out_vars:
	kvlist_clear(&vars);
	buf_release(&file);
	buf_release(&handler);
	buf_release(&tmp);
	buf_release(&conflicts);
	buf_release(&dirbuf);
	return error_failed(&err) ? error_print_release(&err) : EXIT_OK;
}

static const struct opt opts[OPTS__N + 1] = {
	[NEW_OPT_DIR] = OPT_DIR('d', "dir", "DIR", "make the project in DIR instead of ./NAME"),
	[NEW_OPT_ARCH] = OPT_ENUM(0, "arch", "ARCH", archs, "the Lambda architecture (default x86_64)"),
	[NEW_OPT_BB_VERSION] = OPT_STRING(0, "bb-version", "VERSION", "the Babashka release to run on"),
	[NEW_OPT_MEMORY] = OPT_INT(0, "memory", "MB", 128, 10240, "memory in MB (default 512)"),
	[NEW_OPT_TIMEOUT] = OPT_INT(0, "timeout", "SECONDS", 1, 900, "timeout in seconds (default 5)"),
	[NEW_OPT_FORCE] = OPT_BOOL('f', "force", "overwrite files that exist"),
	[NEW_OPT_TEMPLATE] = OPT_DIR('t', "template", "DIR", "use the template in DIR instead of the built-in one"),
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
		       "NAME is both the Lambda function's name and the handler's namespace: letters, digits, "
		       "'-' and '_', starting with a letter (my-fn lives in src/my_fn.clj). Existing files are "
		       "never overwritten without --force, and nothing is written when anything is wrong.\n\n"
		       "--template uses a directory of your own laid out like the built-in template: files may "
		       "use {{name}}, {{ns}}, {{file}}, {{handler}}, {{arch}}, {{bb_version}}, {{memory}} and "
		       "{{timeout}}; a path component NAME becomes the namespace's file name, and 'gitignore' "
		       "becomes '.gitignore'.",
	.opts = opts,
	.nopts = OPTS__N,
	.pos = POS_WORD,
	.min_pos = 1,
	.max_pos = 1,
	.examples = "blambda new-function hello\tthe project in ./hello\n"
		    "blambda new-function my-fn --arch arm64 --memory 1024\ton Graviton, with more memory\n"
		    "blambda new-function api --template ~/templates/web --dir services/api\tfrom your own template",
	.exec = exec_new_function,
};
