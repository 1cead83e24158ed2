#ifndef BLAMBDA_CORE_CURL_LAZY_H
#define BLAMBDA_CORE_CURL_LAZY_H

#include <curl/curl.h>

#include "core/error.h"

/*
 * libcurl, loaded on first use (see core/lazy.h). The pointers have libcurl's
 * own signatures, checked by the compiler against <curl/curl.h>.
 */
struct curl_api {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *handle, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *handle);
	CURLcode (*easy_getinfo)(CURL *handle, CURLINFO info, ...);
	void (*easy_reset)(CURL *handle);
	void (*easy_cleanup)(CURL *handle);
	const char *(*easy_strerror)(CURLcode code);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
	void (*slist_free_all)(struct curl_slist *list);
	curl_version_info_data *(*version_info)(CURLversion v);
};

/* The loaded API, initialised once; NULL with err filled when libcurl cannot be loaded. */
const struct curl_api *curl_api(struct error *err);

#endif
