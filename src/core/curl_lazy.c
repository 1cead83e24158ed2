#include "core/curl_lazy.h"

#include <stdlib.h>

#include "core/lazy.h"
#include "core/msg.h"

static struct curl_api api;
static int state; /* 0 not tried, 1 loaded, -1 failed */

static void cleanup(void)
{
	api.global_cleanup();
}

#define SYM(field, symbol) { symbol, (void **)&api.field }

const struct curl_api *curl_api(void)
{
	const struct lazy_sym syms[] = {
		SYM(global_init, "curl_global_init"),
		SYM(global_cleanup, "curl_global_cleanup"),
		SYM(easy_init, "curl_easy_init"),
		SYM(easy_setopt, "curl_easy_setopt"),
		SYM(easy_perform, "curl_easy_perform"),
		SYM(easy_getinfo, "curl_easy_getinfo"),
		SYM(easy_reset, "curl_easy_reset"),
		SYM(easy_cleanup, "curl_easy_cleanup"),
		SYM(easy_strerror, "curl_easy_strerror"),
		SYM(slist_append, "curl_slist_append"),
		SYM(slist_free_all, "curl_slist_free_all"),
		SYM(version_info, "curl_version_info"),
	};

	if (state)
		return state > 0 ? &api : NULL;
	state = -1;
	if (lazy_load("libcurl.so.4", "libcurl4", syms, sizeof(syms) / sizeof(syms[0])))
		return NULL;
	if (api.global_init(CURL_GLOBAL_DEFAULT)) {
		error("cannot initialise libcurl");
		return NULL;
	}
	atexit(cleanup);
	state = 1;
	return &api;
}
