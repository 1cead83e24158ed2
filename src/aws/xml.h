#ifndef BLAMBDA_AWS_XML_H
#define BLAMBDA_AWS_XML_H

#include "core/buf.h"

/*
 * Just enough XML for the query APIs' answers (IAM, STS, S3 errors): the text
 * of the first element named `tag` at or after `from`, entities decoded.
 * These documents have no attributes on the elements we read and no CDATA.
 * Returns a pointer just past the element, or NULL when there is none.
 */
const char *xml_text(const char *from, const char *tag, struct buf *out);

#endif
