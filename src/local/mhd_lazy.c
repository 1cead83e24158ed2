#include "local/mhd_lazy.h"

#include "core/lazy.h"

static struct mhd_api api;
static int state; /* 0 not tried, 1 loaded, -1 failed */

#define SYM(field, symbol) { symbol, (void **)&api.field }

const struct mhd_api *mhd_api(void)
{
	const struct lazy_sym syms[] = {
		SYM(start_daemon, "MHD_start_daemon"),
		SYM(stop_daemon, "MHD_stop_daemon"),
		SYM(get_daemon_info, "MHD_get_daemon_info"),
		SYM(create_response_from_buffer, "MHD_create_response_from_buffer"),
		SYM(add_response_header, "MHD_add_response_header"),
		SYM(queue_response, "MHD_queue_response"),
		SYM(destroy_response, "MHD_destroy_response"),
		SYM(lookup_connection_value, "MHD_lookup_connection_value"),
	};

	if (state)
		return state > 0 ? &api : NULL;
	state = -1;
	if (lazy_load("libmicrohttpd.so.12", "libmicrohttpd12", syms, sizeof(syms) / sizeof(syms[0])))
		return NULL;
	state = 1;
	return &api;
}
