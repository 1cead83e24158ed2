#include "core/lazy.h"

#include <dlfcn.h>
#include <stdio.h>

static int failed(struct lazy_lib *lib, struct error *err)
{
	error_set(err, EXIT_FAIL, "%s", lib->why);
	return error_hint(err, "install it with 'apt-get install %s'", lib->package);
}

int lazy_open(struct lazy_lib *lib, const struct lazy_sym *syms, size_t n, struct error *err)
{
	void *handle;

	if (lib->state)
		return lib->state > 0 ? 0 : failed(lib, err);
	lib->state = -1;
	handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		snprintf(lib->why, sizeof(lib->why), "cannot load %s: %s", lib->soname, dlerror());
		return failed(lib, err);
	}
	for (size_t i = 0; i < n; i++) {
		*syms[i].slot = dlsym(handle, syms[i].name);
		if (!*syms[i].slot) {
			snprintf(lib->why, sizeof(lib->why), "cannot use %s: it has no %s", lib->soname, syms[i].name);
			return failed(lib, err);
		}
	}
	lib->state = 1;
	return 0;
}
