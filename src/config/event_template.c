/*
 * Sample events of the triggers function.events knows, shaped as Lambda
 * hands them over (as `sam local generate-event` gives them), filled from
 * the function's first trigger of the kind when it has one: its queue's or
 * stream's ARN, its schedule's rule and input.
 */
#include <string.h>

#include "config/internal.h"
#include "core/hash.h"

/* The first trigger of kind `kind` of f, copied into *e; 0 when there is none */
static int first_of(const struct config *f, enum cfg_event_kind kind, struct cfg_event **e)
{
	struct cfg_events events;
	struct buf why = BUF_INIT;
	const struct cfg_node *at;

	*e = NULL;
	if (cfg_events_read(config_tree(f, CFG_FUNCTION_EVENTS), &events, &why, &at)) {
		buf_release(&why);
		return 0;
	}
	for (size_t i = 0; !*e && i < events.nr; i++)
		if (events.items[i].kind == kind)
			*e = cfg_event_copy(&events.items[i]);
	cfg_events_release(&events);
	return *e != NULL;
}

static void json_text(struct buf *out, const char *s)
{
	struct cfg_node n = { CFG_NODE_SCALAR, NULL, (char *)s, 1, 0, 0, NULL, 0 };

	cfg_node_json(&n, out);
}

#define ACCOUNT "123456789012"

int config_event_template(const struct config *f, const char *kind, const char *region, struct buf *out,
			  struct error *err)
{
	const char *name = config_str(f, CFG_FUNCTION_NAME) ? config_str(f, CFG_FUNCTION_NAME) : "function";
	struct cfg_event *e = NULL;
	struct buf arn = BUF_INIT;

	if (!strcmp(kind, "schedule")) {
		if (first_of(f, CFG_EVENT_SCHEDULE, &e) && e->input) {
			buf_adds(out, e->input); /* EventBridge sends the input as the event */
		} else {
			struct buf rule = BUF_INIT;

			/* as deploy names it (deploy/triggers.c): shortened with a digest past 64 characters */
			buf_addf(&rule, "blambda-%s-%s", name, e ? e->name : "schedule");
			if (rule.len > 64) {
				char hex[SHA256_HEX_LEN + 1];

				sha256_hex(rule.ptr, rule.len, hex);
				buf_setlen(&rule, 55);
				buf_addf(&rule, "-%.8s", hex);
			}
			buf_addf(&arn, "arn:aws:events:%s:" ACCOUNT ":rule/%s", region, rule.ptr);
			buf_release(&rule);
			buf_addf(out, "{\"version\":\"0\",\"id\":\"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa\","
				      "\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\",\"account\":\"" ACCOUNT "\","
				      "\"time\":\"2026-01-01T00:00:00Z\",\"region\":");
			json_text(out, region);
			buf_adds(out, ",\"resources\":[");
			json_text(out, arn.ptr);
			buf_adds(out, "],\"detail\":{}}");
		}
	} else if (!strcmp(kind, "sqs")) {
		if (first_of(f, CFG_EVENT_SQS, &e) && !strncmp(e->source, "arn:", 4))
			buf_adds(&arn, e->source);
		else
			buf_addf(&arn, "arn:aws:sqs:%s:" ACCOUNT ":%s", region, e ? e->source : "my-queue");
		buf_adds(out, "{\"Records\":[{\"messageId\":\"059f36b4-87a3-44ab-83d2-661975830a7d\","
			      "\"receiptHandle\":\"AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...\",\"body\":\"Hello from SQS!\","
			      "\"attributes\":{\"ApproximateReceiveCount\":\"1\",\"SentTimestamp\":\"1545082649183\","
			      "\"SenderId\":\"AIDAIENQZJOLO23YVJ4VO\",\"ApproximateFirstReceiveTimestamp\":\"1545082649185\"},"
			      "\"messageAttributes\":{},\"md5OfBody\":\"e4e68fb7bd0e697a0ae8f1bb342846b3\","
			      "\"eventSource\":\"aws:sqs\",\"eventSourceARN\":");
		json_text(out, arn.ptr);
		buf_adds(out, ",\"awsRegion\":");
		json_text(out, region);
		buf_adds(out, "}]}");
	} else if (!strcmp(kind, "stream")) {
		int have = first_of(f, CFG_EVENT_STREAM, &e);

		if (have && strstr(e->source, ":kinesis:")) {
			buf_adds(out, "{\"Records\":[{\"kinesis\":{\"kinesisSchemaVersion\":\"1.0\",\"partitionKey\":\"1\","
				      "\"sequenceNumber\":\"49590338271490256608559692538361571095921575989136588898\","
				      "\"data\":\"SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==\",\"approximateArrivalTimestamp\":1545084650.987},"
				      "\"eventSource\":\"aws:kinesis\",\"eventVersion\":\"1.0\",\"eventID\":\"shardId-000000000006:"
				      "49590338271490256608559692538361571095921575989136588898\",\"eventName\":\"aws:kinesis:record\","
				      "\"awsRegion\":");
			json_text(out, region);
			buf_adds(out, ",\"eventSourceARN\":");
			json_text(out, e->source);
			buf_adds(out, "}]}");
		} else {
			if (have)
				buf_adds(&arn, e->source);
			else
				buf_addf(&arn, "arn:aws:dynamodb:%s:" ACCOUNT ":table/my-table/stream/2026-01-01T00:00:00.000",
					 region);
			buf_adds(out, "{\"Records\":[{\"eventID\":\"c4ca4238a0b923820dcc509a6f75849b\",\"eventName\":\"INSERT\","
				      "\"eventVersion\":\"1.1\",\"eventSource\":\"aws:dynamodb\",\"awsRegion\":");
			json_text(out, region);
			buf_adds(out, ",\"dynamodb\":{\"Keys\":{\"Id\":{\"N\":\"101\"}},\"NewImage\":{\"Message\":{\"S\":\"New item!\"},"
				      "\"Id\":{\"N\":\"101\"}},\"ApproximateCreationDateTime\":1428537600,\"SequenceNumber\":"
				      "\"4421584500000000017450439091\",\"SizeBytes\":26,\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"},"
				      "\"eventSourceARN\":");
			json_text(out, arn.ptr);
			buf_adds(out, "}]}");
		}
	} else {
		buf_release(&arn);
		return error_set(err, EXIT_USAGE, "--event-template takes schedule, sqs or stream, got '%s'", kind);
	}
	cfg_event_free(e);
	buf_release(&arn);
	return 0;
}
