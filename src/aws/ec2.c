#include "aws/ec2.h"

#include "aws/protocol.h"
#include "aws/xml.h"
#include "core/region.h"

int ec2_enabled_regions(struct aws *a, const char *region, struct strlist *out, struct error *err)
{
	struct buf form = BUF_INIT;
	struct xml_node *doc;
	int r;

	aws_form_add(&form, "Action", "DescribeRegions");
	aws_form_add(&form, "Version", "2016-11-15");
	r = aws_query_call(a, "ec2", region, &form, &doc, err);
	if (r == 0) {
		const struct xml_node *list = xml_find(doc, "regionInfo");

		for (const struct xml_node *item = list ? xml_child(list, "item") : NULL; item; item = xml_next(item)) {
			const char *name = xml_find_text(item, "regionName");
			struct buf why = BUF_INIT;

			/* a name goes into a host name: only one that is a region's */
			if (name && !region_check(name, &why))
				strlist_add(out, name);
			buf_release(&why);
		}
		if (!out->nr) {
			aws_error_set(err, "MalformedAnswer", "EC2's answer to DescribeRegions names no region");
			r = 1;
		}
	}
	xml_free(doc);
	buf_release(&form);
	return r;
}
