#include "local/mhd_lazy.h"

#include "core/array.h"
#include "core/lazy.h"

static struct mhd_api api;
static struct lazy_lib lib = LAZY_LIB("libmicrohttpd.so.12", "libmicrohttpd12");

#define SYM(field, symbol) LAZY_SYM(api, field, symbol)

const struct mhd_api *mhd_api(struct error *err)
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
		SYM(get_connection_values, "MHD_get_connection_values"),
	};

	return lazy_open(&lib, syms, ARRAY_SIZE(syms), err) ? NULL : &api;
}
