#ifndef BLAMBDA_LOCAL_MHD_LAZY_H
#define BLAMBDA_LOCAL_MHD_LAZY_H

#include <microhttpd.h>

#include "core/error.h"

/*
 * libmicrohttpd, loaded on first use (see core/lazy.h): only `blambda local`
 * serves HTTP. The pointers have the library's own signatures, checked by
 * the compiler against <microhttpd.h>.
 */
struct mhd_api {
	struct MHD_Daemon *(*start_daemon)(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
					   void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...);
	void (*stop_daemon)(struct MHD_Daemon *daemon);
	const union MHD_DaemonInfo *(*get_daemon_info)(struct MHD_Daemon *daemon, enum MHD_DaemonInfoType info, ...);
	struct MHD_Response *(*create_response_from_buffer)(size_t size, void *buffer,
							    enum MHD_ResponseMemoryMode mode);
	enum MHD_Result (*add_response_header)(struct MHD_Response *response, const char *header,
					       const char *content);
	enum MHD_Result (*queue_response)(struct MHD_Connection *connection, unsigned int status_code,
					  struct MHD_Response *response);
	void (*destroy_response)(struct MHD_Response *response);
	const char *(*lookup_connection_value)(struct MHD_Connection *connection, enum MHD_ValueKind kind,
					       const char *key);
	int (*get_connection_values)(struct MHD_Connection *connection, enum MHD_ValueKind kind,
				     MHD_KeyValueIterator iterator, void *iterator_cls);
};

/* The loaded API, loaded once (call it before starting threads); NULL with err filled when it cannot be. */
const struct mhd_api *mhd_api(struct error *err);

#endif
