#include "core/lazy.h"

#include <dlfcn.h>

#include "core/msg.h"

int lazy_load(const char *soname, const char *package, const struct lazy_sym *syms, size_t n)
{
	void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!lib) {
		error("cannot load %s: %s", soname, dlerror());
		hint("install it with 'apt-get install %s'", package);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		*syms[i].slot = dlsym(lib, syms[i].name);
		if (!*syms[i].slot) {
			error("cannot use %s: it has no %s", soname, syms[i].name);
			return -1;
		}
	}
	return 0;
}
