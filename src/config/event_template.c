/*
 * Sample events of the triggers function.events knows, shaped as Lambda
 * hands them over (as `sam local generate-event` gives them), filled from
 * the function's first trigger of the kind when it has one: its queue's or
 * stream's ARN, its schedule's rule and input, its route, its bucket.
 */
#include <string.h>

#include "config/internal.h"
#include "core/hash.h"
#include "core/suggest.h"

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
#define API_ID "abcdef1234"

/*
 * An HTTP API's payload-format-2.0 event for a request to `route` ("GET
 * /hello/{name}"; NULL: the $default route): each parameter takes its own
 * name as its value, a greedy one "path/to/resource", ANY is a GET.
 */
static void http_event(const char *route, const char *region, struct buf *out)
{
	const char *sp = route ? strchr(route, ' ') : NULL, *p = sp ? sp + 1 : "/";
	struct buf method = BUF_INIT, path = BUF_INIT, params = BUF_INIT, host = BUF_INIT;

	if (sp && strncmp(route, "ANY ", 4))
		buf_add(&method, route, (size_t)(sp - route));
	else
		buf_adds(&method, "GET");
	while (*p) {
		if (*p == '{' && strchr(p, '}')) {
			const char *end = strchr(p, '}');
			int greedy = end[-1] == '+';
			struct buf name = BUF_INIT, value = BUF_INIT;

			buf_add(&name, p + 1, (size_t)(end - p - 1 - greedy));
			buf_adds(&value, greedy ? "path/to/resource" : name.ptr);
			buf_adds(&path, value.ptr);
			buf_adds(&params, params.len ? "," : "{");
			json_text(&params, name.ptr);
			buf_addch(&params, ':');
			json_text(&params, value.ptr);
			buf_release(&name);
			buf_release(&value);
			p = end + 1;
			continue;
		}
		buf_addch(&path, *p++);
	}
	buf_addf(&host, API_ID ".execute-api.%s.amazonaws.com", region);
	buf_adds(out, "{\"version\":\"2.0\",\"routeKey\":");
	json_text(out, route ? route : "$default");
	buf_adds(out, ",\"rawPath\":");
	json_text(out, path.ptr);
	buf_adds(out, ",\"rawQueryString\":\"\",\"headers\":{\"accept\":\"*/*\",\"content-length\":\"0\",\"host\":");
	json_text(out, host.ptr);
	buf_adds(out, ",\"user-agent\":\"curl/8.5.0\",\"x-forwarded-for\":\"203.0.113.7\",\"x-forwarded-port\":\"443\","
		      "\"x-forwarded-proto\":\"https\"},\"requestContext\":{\"accountId\":\"" ACCOUNT "\",\"apiId\":\"" API_ID
		      "\",\"domainName\":");
	json_text(out, host.ptr);
	buf_adds(out, ",\"domainPrefix\":\"" API_ID "\",\"http\":{\"method\":");
	json_text(out, method.ptr);
	buf_adds(out, ",\"path\":");
	json_text(out, path.ptr);
	buf_adds(out, ",\"protocol\":\"HTTP/1.1\",\"sourceIp\":\"203.0.113.7\",\"userAgent\":\"curl/8.5.0\"},"
		      "\"requestId\":\"JKJaXmPLvHcESHA=\",\"routeKey\":");
	json_text(out, route ? route : "$default");
	buf_adds(out, ",\"stage\":\"$default\",\"time\":\"01/Jan/2026:00:00:00 +0000\",\"timeEpoch\":1767225600000}");
	if (params.len) {
		buf_adds(out, ",\"pathParameters\":");
		buf_adds(out, params.ptr);
		buf_addch(out, '}');
	}
	buf_adds(out, ",\"isBase64Encoded\":false}");
	buf_release(&method);
	buf_release(&path);
	buf_release(&params);
	buf_release(&host);
}

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
	} else if (!strcmp(kind, "s3")) {
		/* an object put in the first s3 trigger's bucket, its key within the trigger's prefix and suffix */
		struct buf key = BUF_INIT;
		int have = first_of(f, CFG_EVENT_S3, &e);

		buf_addf(&key, "%sexample%s", have && e->prefix ? e->prefix : "", have && e->suffix ? e->suffix : ".txt");
		buf_adds(out, "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"awsRegion\":");
		json_text(out, region);
		buf_adds(out, ",\"eventTime\":\"2026-01-01T00:00:00.000Z\",\"eventName\":\"ObjectCreated:Put\","
			      "\"userIdentity\":{\"principalId\":\"EXAMPLE\"},\"requestParameters\":{\"sourceIPAddress\":"
			      "\"203.0.113.7\"},\"responseElements\":{\"x-amz-request-id\":\"EXAMPLE123456789\","
			      "\"x-amz-id-2\":\"EXAMPLE123/5678abcdefghijklambdaisawesome/mnopqrstuvwxyzABCDEFGH\"},"
			      "\"s3\":{\"s3SchemaVersion\":\"1.0\",\"configurationId\":\"blambda\",\"bucket\":{\"name\":");
		json_text(out, have ? e->source : "my-bucket");
		buf_adds(out, ",\"ownerIdentity\":{\"principalId\":\"EXAMPLE\"},\"arn\":");
		buf_addf(&arn, "arn:aws:s3:::%s", have ? e->source : "my-bucket");
		json_text(out, arn.ptr);
		buf_adds(out, "},\"object\":{\"key\":");
		json_text(out, key.ptr);
		buf_adds(out, ",\"size\":1024,\"eTag\":\"0123456789abcdef0123456789abcdef\","
			      "\"sequencer\":\"0A1B2C3D4E5F678901\"}}}]}");
		buf_release(&key);
	} else if (!strcmp(kind, "http")) {
		http_event(first_of(f, CFG_EVENT_HTTP, &e) ? e->route : NULL, region, out);
	} else {
		static const char *const kinds[] = { "schedule", "sqs", "stream", "http", "s3" };
		const char *s = suggest(kind, kinds, 5);

		buf_release(&arn);
		error_set(err, EXIT_USAGE, "--event-template takes schedule, sqs, stream, http or s3, got '%s'", kind);
		if (s)
			error_hint(err, "did you mean '%s'?", s);
		return -1;
	}
	cfg_event_free(e);
	buf_release(&arn);
	return 0;
}
