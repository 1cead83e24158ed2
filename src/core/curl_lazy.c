#include "core/curl_lazy.h"

#include <dlfcn.h>
#include <stdlib.h>

#include "core/msg.h"

static struct curl_api api;
static int state; /* 0 not tried, 1 loaded, -1 failed */

static void cleanup(void)
{
	api.global_cleanup();
}

#define LOAD(field, symbol)                                               \
	do {                                                              \
		*(void **)&api.field = dlsym(lib, symbol);                \
		if (!api.field) {                                         \
			error("cannot use libcurl: %s is missing", symbol); \
			return NULL;                                      \
		}                                                         \
	} while (0)

const struct curl_api *curl_api(void)
{
	void *lib;

	if (state)
		return state > 0 ? &api : NULL;
	state = -1;
	lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		error("cannot load libcurl: %s", dlerror());
		hint("install it with 'apt-get install libcurl4'");
		return NULL;
	}
	LOAD(global_init, "curl_global_init");
	LOAD(global_cleanup, "curl_global_cleanup");
	LOAD(easy_init, "curl_easy_init");
	LOAD(easy_setopt, "curl_easy_setopt");
	LOAD(easy_perform, "curl_easy_perform");
	LOAD(easy_getinfo, "curl_easy_getinfo");
	LOAD(easy_reset, "curl_easy_reset");
	LOAD(easy_cleanup, "curl_easy_cleanup");
	LOAD(easy_strerror, "curl_easy_strerror");
	LOAD(slist_append, "curl_slist_append");
	LOAD(slist_free_all, "curl_slist_free_all");
	LOAD(version_info, "curl_version_info");
	if (api.global_init(CURL_GLOBAL_DEFAULT)) {
		error("cannot initialise libcurl");
		return NULL;
	}
	atexit(cleanup);
	state = 1;
	return &api;
}
