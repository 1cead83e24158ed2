#include "core/curl_lazy.h"

#include <stdlib.h>

#include "core/array.h"
#include "core/lazy.h"

static struct curl_api api;
static struct lazy_lib lib = LAZY_LIB("libcurl.so.4", "libcurl4");
static int initialised; /* 0 not tried, 1 done, -1 failed */

static void cleanup(void)
{
	api.global_cleanup();
}

#define SYM(field, symbol) LAZY_SYM(api, field, symbol)

const struct curl_api *curl_api(struct error *err)
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

	if (lazy_open(&lib, syms, ARRAY_SIZE(syms), err))
		return NULL;
	if (!initialised)
		initialised = api.global_init(CURL_GLOBAL_DEFAULT) ? -1 : 1;
	if (initialised < 0) {
		error_set(err, EXIT_FAIL, "cannot initialise libcurl");
		return NULL;
	}
	if (initialised == 1) {
		atexit(cleanup);
		initialised = 2;
	}
	return &api;
}
