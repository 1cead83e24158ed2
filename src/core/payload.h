#ifndef BLAMBDA_CORE_PAYLOAD_H
#define BLAMBDA_CORE_PAYLOAD_H

#include "core/buf.h"
#include "core/error.h"

/*
 * The event an invocation sends, from --payload JSON, --payload-file FILE
 * ('-': standard input) or --event NAME (events/NAME.json of the project);
 * `{}` when none is given. It must be JSON: a mistake is an error naming
 * where the payload came from, the line and the column, before anything is
 * invoked. At most one of the three may be given. 0, or -1 with err filled
 * (mostly EXIT_USAGE).
 */
int payload_load(const char *json, const char *file, const char *event, struct buf *out, struct error *err);

/* The biggest payload: Lambda's limit for a synchronous request, in bytes. */
#define PAYLOAD_MAX 6291456u

#endif
