#include "deploy/terraform.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs.h"
#include "core/hash.h"
#include "deploy/deploy.h"
#include "package/artifact.h"

/* s as an HCL string literal: quotes, backslashes and line breaks escaped, and ${ and %{ kept literal */
static void hcl_string(struct buf *out, const char *s)
{
	buf_addch(out, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			buf_addf(out, "\\%c", c);
		else if (c == '\n')
			buf_adds(out, "\\n");
		else if (c == '\r')
			buf_adds(out, "\\r");
		else if (c == '\t')
			buf_adds(out, "\\t");
		else if (c < 0x20)
			buf_addf(out, "\\u%04x", c);
		else if ((c == '$' || c == '%') && s[1] == '{')
			buf_addf(out, "%c%c", c, c); /* "$${" is a literal "${" */
		else
			buf_addch(out, (char)c);
	}
	buf_addch(out, '"');
}

void terraform_resource_name(const char *name, struct buf *out)
{
	if (!isalpha((unsigned char)*name) && *name != '_')
		buf_adds(out, "fn_");
	for (; *name; name++)
		buf_addch(out, isalnum((unsigned char)*name) || *name == '-' ? *name : '_');
}

/* "${var.name_prefix}NAME" */
static void prefixed(struct buf *out, const char *name)
{
	struct buf lit = BUF_INIT;

	hcl_string(&lit, name);
	buf_adds(out, "\"${var.name_prefix}");
	buf_add(out, lit.ptr + 1, lit.len - 1);
	buf_release(&lit);
}

/* "${path.module}/ZIP_DIR/FILE", the directory escaped: it is whatever the project's path is */
static void zip_path(struct buf *out, const struct terraform_input *in, const char *file)
{
	struct buf path = BUF_INIT, lit = BUF_INIT;

	buf_addf(&path, "%s/%s", in->zip_dir, file);
	hcl_string(&lit, path.ptr);
	buf_adds(out, "\"${path.module}/");
	buf_add(out, lit.ptr + 1, lit.len - 1);
	buf_release(&path);
	buf_release(&lit);
}

static void layer(struct buf *out, const struct terraform_input *in, const char *id, const char *name,
		  const char *description, const char *file)
{
	buf_addf(out, "resource \"aws_lambda_layer_version\" \"%s\" {\n  layer_name               = ", id);
	prefixed(out, name);
	buf_adds(out, "\n  description              = ");
	hcl_string(out, description);
	buf_adds(out, "\n  filename                 = ");
	zip_path(out, in, file);
	buf_adds(out, "\n  source_code_hash         = filebase64sha256(");
	zip_path(out, in, file);
	buf_addf(out, ")\n  compatible_runtimes      = [\"provided.al2023\", \"provided.al2\"]\n"
		      "  compatible_architectures = [\"%s\"]\n}\n\n", in->arch);
}

static void string_map(struct buf *out, const struct kvlist *l, const char *indent)
{
	if (!l || !l->nr) {
		buf_adds(out, "{}");
		return;
	}
	buf_adds(out, "{\n");
	for (size_t i = 0; i < l->nr; i++) {
		buf_addf(out, "%s  ", indent);
		hcl_string(out, l->items[i].key);
		buf_adds(out, " = ");
		hcl_string(out, l->items[i].value);
		buf_addch(out, '\n');
	}
	buf_addf(out, "%s}", indent);
}

static void string_list(struct buf *out, const struct strlist *l)
{
	buf_addch(out, '[');
	for (size_t i = 0; l && i < l->nr; i++) {
		if (i)
			buf_adds(out, ", ");
		hcl_string(out, l->items[i]);
	}
	buf_addch(out, ']');
}

/* function.events: each schedule as a rule, its target and permission; each queue and stream as a mapping */
static void function_events(struct buf *out, const struct config *f, const char *id)
{
	const char *name = config_str(f, CFG_FUNCTION_NAME);
	struct cfg_events events;
	struct buf why = BUF_INIT, rule = BUF_INIT, rid = BUF_INIT;
	const struct cfg_node *at;

	if (cfg_events_read(config_tree(f, CFG_FUNCTION_EVENTS), &events, &why, &at)) { /* checked when read */
		buf_release(&why);
		return;
	}
	for (size_t i = 0; i < events.nr; i++) {
		const struct cfg_event *e = &events.items[i];

		buf_reset(&rid);
		buf_addf(&rid, "%s_", id);
		if (e->kind == CFG_EVENT_SCHEDULE) {
			buf_adds(&rid, "schedule_");
			terraform_resource_name(e->name, &rid);
			buf_reset(&rule);
			deploy_rule_name(name, e->name, &rule);
			buf_addf(out, "resource \"aws_cloudwatch_event_rule\" \"%s\" {\n  name                = ", rid.ptr);
			prefixed(out, rule.ptr);
			buf_adds(out, "\n  schedule_expression = ");
			hcl_string(out, e->expression);
			buf_addf(out, "\n  state               = \"%s\"\n", e->enabled ? "ENABLED" : "DISABLED");
			buf_addf(out, "  tags                = merge(var.tags, { \"%s\" = \"%s\", \"%s\" = ", DEPLOY_TAG_KEY,
				 DEPLOY_TAG_VALUE, DEPLOY_FUNCTION_TAG_KEY);
			hcl_string(out, name);
			buf_adds(out, " })\n}\n\n");
			buf_addf(out, "resource \"aws_cloudwatch_event_target\" \"%s\" {\n  rule      = "
				      "aws_cloudwatch_event_rule.%s.name\n  target_id = \"blambda\"\n"
				      "  arn       = aws_lambda_function.%s.arn\n", rid.ptr, rid.ptr, id);
			if (e->input) {
				buf_adds(out, "  input     = ");
				hcl_string(out, e->input);
				buf_addch(out, '\n');
			}
			buf_adds(out, "}\n\n");
			buf_addf(out, "resource \"aws_lambda_permission\" \"%s\" {\n  statement_id  = ", rid.ptr);
			buf_reset(&rule);
			buf_addf(&rule, "blambda-schedule-%s", e->name);
			hcl_string(out, rule.ptr);
			buf_addf(out, "\n  action        = \"lambda:InvokeFunction\"\n"
				      "  function_name = aws_lambda_function.%s.function_name\n"
				      "  principal     = \"events.amazonaws.com\"\n"
				      "  source_arn    = aws_cloudwatch_event_rule.%s.arn\n}\n\n", id, rid.ptr);
			continue;
		}
		if (e->kind == CFG_EVENT_HTTP || e->kind == CFG_EVENT_S3)
			continue; /* the project's HTTP API and the buckets' notification sets, below */
		buf_addf(&rid, "%s_%zu", cfg_event_kinds[e->kind], i + 1);
		if (e->kind == CFG_EVENT_SQS && strncmp(e->source, "arn:", 4)) {
			buf_addf(out, "data \"aws_sqs_queue\" \"%s\" {\n  name = ", rid.ptr);
			hcl_string(out, e->source);
			buf_adds(out, "\n}\n\n");
		}
		buf_addf(out, "resource \"aws_lambda_event_source_mapping\" \"%s\" {\n  function_name    = "
			      "aws_lambda_function.%s.arn\n  event_source_arn = ", rid.ptr, id);
		if (e->kind == CFG_EVENT_SQS && strncmp(e->source, "arn:", 4))
			buf_addf(out, "data.aws_sqs_queue.%s.arn", rid.ptr);
		else
			hcl_string(out, e->source);
		buf_addf(out, "\n  batch_size       = %ld\n  enabled          = %s\n", e->batch_size,
			 e->enabled ? "true" : "false");
		if (e->kind == CFG_EVENT_STREAM) {
			buf_adds(out, "  starting_position = ");
			hcl_string(out, e->starting_position);
			buf_addch(out, '\n');
		} else {
			buf_addf(out, "  maximum_batching_window_in_seconds = %ld\n", e->batch_window);
			if (e->report_failures)
				buf_adds(out, "  function_response_types = [\"ReportBatchItemFailures\"]\n");
			if (e->max_concurrency)
				buf_addf(out, "  scaling_config {\n    maximum_concurrency = %ld\n  }\n", e->max_concurrency);
		}
		buf_adds(out, "}\n\n");
	}
	cfg_events_release(&events);
	buf_release(&rule);
	buf_release(&rid);
}

/* function.url: the URL, and for auth NONE the permission that lets anyone call it */
static void function_url(struct buf *out, const struct config *f, const char *id)
{
	const char *auth = config_str(f, CFG_FUNCTION_URL_AUTH), *cred = config_str(f, CFG_FUNCTION_URL_CORS_CREDENTIALS);

	buf_addf(out, "resource \"aws_lambda_function_url\" \"%s\" {\n  function_name      = aws_lambda_function.%s.function_name\n"
		      "  authorization_type = \"%s\"\n  cors {\n    allow_origins     = ", id, id, auth);
	string_list(out, config_list(f, CFG_FUNCTION_URL_CORS_ORIGINS));
	buf_adds(out, "\n    allow_methods     = ");
	string_list(out, config_list(f, CFG_FUNCTION_URL_CORS_METHODS));
	buf_adds(out, "\n    allow_headers     = ");
	string_list(out, config_list(f, CFG_FUNCTION_URL_CORS_HEADERS));
	buf_addf(out, "\n    max_age           = %ld\n    allow_credentials = %s\n  }\n}\n\n",
		 config_int(f, CFG_FUNCTION_URL_CORS_MAX_AGE), cred && !strcmp(cred, "true") ? "true" : "false");
	if (!strcmp(auth, "NONE"))
		buf_addf(out, "resource \"aws_lambda_permission\" \"%s_url_public\" {\n  statement_id           = \"%s\"\n"
			      "  action                 = \"lambda:InvokeFunctionUrl\"\n"
			      "  function_name          = aws_lambda_function.%s.function_name\n"
			      "  principal              = \"*\"\n  function_url_auth_type = \"NONE\"\n}\n\n",
			 id, DEPLOY_URL_STATEMENT, id);
	buf_addf(out, "output \"%s_url\" {\n  value = aws_lambda_function_url.%s.function_url\n}\n\n", id, id);
}

/* function f's http routes: its integration with the project's API, each route, the permission */
static void function_routes(struct buf *out, const struct config *f, const char *id)
{
	struct strlist routes = STRLIST_INIT;
	char hex[SHA256_HEX_LEN + 1];

	config_http_routes(f, &routes);
	if (!routes.nr)
		return;
	buf_addf(out, "resource \"aws_apigatewayv2_integration\" \"%s_http\" {\n"
		      "  api_id                 = aws_apigatewayv2_api.http.id\n"
		      "  integration_type       = \"AWS_PROXY\"\n  integration_method     = \"POST\"\n"
		      "  integration_uri        = aws_lambda_function.%s.arn\n"
		      "  payload_format_version = \"2.0\"\n}\n\n", id, id);
	for (size_t i = 0; i < routes.nr; i++) {
		/* named by the route, not its place: adding one does not rename the others */
		sha256_hex(routes.items[i], strlen(routes.items[i]), hex);
		buf_addf(out, "resource \"aws_apigatewayv2_route\" \"%s_route_%.8s\" {\n"
			      "  api_id    = aws_apigatewayv2_api.http.id\n  route_key = ", id, hex);
		hcl_string(out, routes.items[i]);
		buf_addf(out, "\n  target    = \"integrations/${aws_apigatewayv2_integration.%s_http.id}\"\n}\n\n", id);
	}
	buf_addf(out, "resource \"aws_lambda_permission\" \"%s_http\" {\n  statement_id  = \"blambda-http\"\n"
		      "  action        = \"lambda:InvokeFunction\"\n"
		      "  function_name = aws_lambda_function.%s.function_name\n"
		      "  principal     = \"apigateway.amazonaws.com\"\n"
		      "  source_arn    = \"${aws_apigatewayv2_api.http.execution_arn}/*/*\"\n}\n\n", id, id);
	strlist_clear(&routes);
}

/* The project's HTTP API and its $default stage, when a function has routes */
static void http_api(struct buf *out, const struct terraform_input *in)
{
	const struct config *cfg = in->cfg;
	const char *name = config_http_api_name(cfg), *cred = config_str(cfg, CFG_HTTP_API_CORS_CREDENTIALS);
	int any = 0;

	for (size_t i = 0; i < in->nfns; i++)
		any |= deploy_has_routes(&in->fns[i]);
	if (!any || !name)
		return;
	buf_adds(out, "resource \"aws_apigatewayv2_api\" \"http\" {\n  name          = ");
	prefixed(out, name);
	buf_adds(out, "\n  protocol_type = \"HTTP\"\n");
	if (config_has_http_cors(cfg)) {
		buf_adds(out, "  cors_configuration {\n    allow_origins     = ");
		string_list(out, config_list(cfg, CFG_HTTP_API_CORS_ORIGINS));
		buf_adds(out, "\n    allow_methods     = ");
		string_list(out, config_list(cfg, CFG_HTTP_API_CORS_METHODS));
		buf_adds(out, "\n    allow_headers     = ");
		string_list(out, config_list(cfg, CFG_HTTP_API_CORS_HEADERS));
		buf_addf(out, "\n    max_age           = %ld\n    allow_credentials = %s\n  }\n",
			 cfg->v[CFG_HTTP_API_CORS_MAX_AGE].present ? config_int(cfg, CFG_HTTP_API_CORS_MAX_AGE) : 0,
			 cred && !strcmp(cred, "true") ? "true" : "false");
	}
	buf_addf(out, "  tags          = merge(var.tags, { \"%s\" = \"%s\", \"%s\" = ", DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE,
		 DEPLOY_HTTP_API_TAG_KEY);
	hcl_string(out, name);
	buf_adds(out, " })\n}\n\n");
	buf_adds(out, "resource \"aws_apigatewayv2_stage\" \"http_default\" {\n  api_id      = aws_apigatewayv2_api.http.id\n"
		      "  name        = \"$default\"\n  auto_deploy = true\n}\n\n");
	buf_adds(out, "output \"http_api_url\" {\n  value = aws_apigatewayv2_api.http.api_endpoint\n}\n\n");
}

/*
 * One aws_s3_bucket_notification per bucket, with every function's entries
 * there, and each function's permission for the bucket. Terraform owns a
 * bucket's whole notification set: what others put there goes on apply.
 */
static void s3_notifications(struct buf *out, const struct terraform_input *in)
{
	struct strlist buckets = STRLIST_INIT;
	struct buf rid = BUF_INIT, fid = BUF_INIT, sid = BUF_INIT;

	for (size_t i = 0; i < in->nfns; i++) {
		struct cfg_events ev;
		struct buf why = BUF_INIT;
		const struct cfg_node *at;

		if (!cfg_events_read(config_tree(&in->fns[i], CFG_FUNCTION_EVENTS), &ev, &why, &at)) {
			for (size_t k = 0; k < ev.nr; k++)
				if (ev.items[k].kind == CFG_EVENT_S3 && !strlist_has(&buckets, ev.items[k].source))
					strlist_add(&buckets, ev.items[k].source);
			cfg_events_release(&ev);
		}
		buf_release(&why);
	}
	if (buckets.nr)
		buf_adds(out, "data \"aws_caller_identity\" \"current\" {}\n\n");
	for (size_t b = 0; b < buckets.nr; b++) {
		struct buf perms = BUF_INIT;

		buf_reset(&rid);
		buf_adds(&rid, "s3_");
		terraform_resource_name(buckets.items[b], &rid);
		for (size_t i = 0; i < in->nfns; i++) {
			const struct config *f = &in->fns[i];
			struct cfg_events ev;
			struct buf why = BUF_INIT;
			const struct cfg_node *at;
			int has = 0;

			if (cfg_events_read(config_tree(f, CFG_FUNCTION_EVENTS), &ev, &why, &at)) {
				buf_release(&why);
				continue;
			}
			buf_reset(&fid);
			terraform_resource_name(config_str(f, CFG_FUNCTION_NAME), &fid);
			for (size_t k = 0; k < ev.nr; k++)
				has |= ev.items[k].kind == CFG_EVENT_S3 && !strcmp(ev.items[k].source, buckets.items[b]);
			if (has) {
				buf_reset(&sid);
				buf_adds(&sid, "blambda-s3-");
				for (const char *c = buckets.items[b]; *c; c++)
					buf_addch(&sid, *c == '.' ? '_' : *c);
				buf_addf(out, "resource \"aws_lambda_permission\" \"%s_%s\" {\n  statement_id   = \"%s\"\n"
					      "  action         = \"lambda:InvokeFunction\"\n"
					      "  function_name  = aws_lambda_function.%s.function_name\n"
					      "  principal      = \"s3.amazonaws.com\"\n"
					      "  source_arn     = \"arn:${data.aws_partition.current.partition}:s3:::%s\"\n"
					      "  source_account = data.aws_caller_identity.current.account_id\n}\n\n",
					 fid.ptr, rid.ptr, sid.ptr, fid.ptr, buckets.items[b]);
				buf_addf(&perms, "%saws_lambda_permission.%s_%s", perms.len ? ", " : "", fid.ptr, rid.ptr);
			}
			cfg_events_release(&ev);
			buf_release(&why);
		}
		buf_addf(out, "# Terraform owns the whole notification set of bucket %s: entries made outside it go on apply\n",
			 buckets.items[b]);
		buf_addf(out, "resource \"aws_s3_bucket_notification\" \"%s\" {\n  bucket = ", rid.ptr);
		hcl_string(out, buckets.items[b]);
		buf_addch(out, '\n');
		for (size_t i = 0; i < in->nfns; i++) {
			const struct config *f = &in->fns[i];
			struct cfg_events ev;
			struct buf why = BUF_INIT, id = BUF_INIT;
			const struct cfg_node *at;

			if (cfg_events_read(config_tree(f, CFG_FUNCTION_EVENTS), &ev, &why, &at)) {
				buf_release(&why);
				continue;
			}
			buf_reset(&fid);
			terraform_resource_name(config_str(f, CFG_FUNCTION_NAME), &fid);
			for (size_t k = 0; k < ev.nr; k++) {
				const struct cfg_event *e = &ev.items[k];

				if (e->kind != CFG_EVENT_S3 || strcmp(e->source, buckets.items[b]))
					continue;
				buf_reset(&id);
				deploy_s3_entry_id(config_str(f, CFG_FUNCTION_NAME), e, &id);
				buf_addf(out, "  lambda_function {\n    id                  = \"%s\"\n"
					      "    lambda_function_arn = aws_lambda_function.%s.arn\n    events              = ",
					 id.ptr, fid.ptr);
				string_list(out, &e->s3_events);
				if (e->prefix) {
					buf_adds(out, "\n    filter_prefix       = ");
					hcl_string(out, e->prefix);
				}
				if (e->suffix) {
					buf_adds(out, "\n    filter_suffix       = ");
					hcl_string(out, e->suffix);
				}
				buf_adds(out, "\n  }\n");
			}
			cfg_events_release(&ev);
			buf_release(&why);
			buf_release(&id);
		}
		buf_addf(out, "  depends_on = [%s]\n}\n\n", perms.ptr);
		buf_release(&perms);
	}
	strlist_clear(&buckets);
	buf_release(&rid);
	buf_release(&fid);
	buf_release(&sid);
}

static void function(struct buf *out, const struct terraform_input *in, const struct config *f)
{
	const char *name = config_str(f, CFG_FUNCTION_NAME), *role = config_str(f, CFG_FUNCTION_ROLE);
	const char *description = config_str(f, CFG_FUNCTION_DESCRIPTION);
	const struct strlist *layers = config_list(f, CFG_FUNCTION_LAYERS);
	const struct cfg_value *env = &f->v[CFG_FUNCTION_ENVIRONMENT];
	struct kvlist shown = KVLIST_INIT;
	struct buf id = BUF_INIT, role_name = BUF_INIT;

	terraform_resource_name(name, &id);
	if (!role) {
		deploy_role_name(name, &role_name);
		buf_addf(out, "resource \"aws_iam_role\" \"%s\" {\n  name               = ", id.ptr);
		prefixed(out, role_name.ptr);
		buf_adds(out, "\n  assume_role_policy = jsonencode({\n"
			      "    Version = \"2012-10-17\"\n"
			      "    Statement = [{\n"
			      "      Effect    = \"Allow\"\n"
			      "      Principal = { Service = \"lambda.amazonaws.com\" }\n"
			      "      Action    = \"sts:AssumeRole\"\n"
			      "    }]\n"
			      "  })\n");
		buf_addf(out, "  tags               = merge(var.tags, { \"%s\" = \"%s\" })\n}\n\n", DEPLOY_TAG_KEY,
			 DEPLOY_TAG_VALUE);
		for (size_t i = 0; i < deploy_managed_policies_nr; i++) {
			const struct deploy_managed_policy *m = &deploy_managed_policies[i];

			if (!deploy_wants_policy(f, i))
				continue;
			buf_addf(out, "resource \"aws_iam_role_policy_attachment\" \"%s_%s\" {\n"
				      "  role       = aws_iam_role.%s.name\n"
				      "  policy_arn = \"arn:${data.aws_partition.current.partition}:iam::aws:policy/%s%s\"\n}\n\n",
				 id.ptr, m->setting ? m->setting : "basic", id.ptr, m->path, m->name);
		}
	}
	if (!role) {
		struct strlist listed = STRLIST_INIT;
		struct buf document = BUF_INIT;

		deploy_role_document(f, &listed, &document);
		for (size_t i = 0; i < listed.nr; i++) {
			buf_addf(out, "resource \"aws_iam_role_policy_attachment\" \"%s_policy_%zu\" {\n"
				      "  role       = aws_iam_role.%s.name\n  policy_arn = ", id.ptr, i + 1, id.ptr);
			hcl_string(out, listed.items[i]);
			buf_adds(out, "\n}\n\n");
		}
		if (document.len) {
			buf_addf(out, "resource \"aws_iam_role_policy\" \"%s_statements\" {\n  name   = \"%s\"\n"
				      "  role   = aws_iam_role.%s.id\n  policy = ", id.ptr, DEPLOY_INLINE_POLICY, id.ptr);
			hcl_string(out, document.ptr);
			buf_adds(out, "\n}\n\n");
		}
		strlist_clear(&listed);
		buf_release(&document);
	}
	if (env->hidden.nr) /* the environment file's values stay out of the file */
		buf_addf(out, "variable \"%s_environment_file\" {\n  description = \"The variables of %s's "
			      "function.environment-file, kept out of this file: pass them with -var-file\"\n"
			      "  type        = map(string)\n  sensitive   = true\n}\n\n",
			 id.ptr, name);
	buf_addf(out, "resource \"aws_lambda_function\" \"%s\" {\n  function_name    = ", id.ptr);
	prefixed(out, name);
	buf_adds(out, "\n  role             = ");
	if (role)
		hcl_string(out, role);
	else
		buf_addf(out, "aws_iam_role.%s.arn", id.ptr);
	buf_adds(out, "\n  handler          = ");
	hcl_string(out, config_str(f, CFG_FUNCTION_HANDLER));
	buf_adds(out, "\n  runtime          = ");
	hcl_string(out, config_str(f, CFG_FUNCTION_RUNTIME));
	buf_addf(out, "\n  architectures    = [\"%s\"]\n  memory_size      = %ld\n  timeout          = %ld\n", in->arch,
		 config_int(f, CFG_FUNCTION_MEMORY), config_int(f, CFG_FUNCTION_TIMEOUT));
	if (description) {
		buf_adds(out, "  description      = ");
		hcl_string(out, description);
		buf_addch(out, '\n');
	}
	buf_adds(out, "  filename         = ");
	zip_path(out, in, "function.zip");
	buf_adds(out, "\n  source_code_hash = filebase64sha256(");
	zip_path(out, in, "function.zip");
	buf_adds(out, ")\n  layers = concat(\n    [aws_lambda_layer_version.runtime.arn");
	if (in->deps_layer)
		buf_adds(out, ", aws_lambda_layer_version.deps.arn");
	buf_adds(out, "],\n    [");
	for (size_t i = 0; layers && i < layers->nr; i++) {
		if (i)
			buf_adds(out, ", ");
		hcl_string(out, layers->items[i]);
	}
	buf_adds(out, "],\n  )\n  environment {\n    variables = merge(");
	if (env->hidden.nr)
		buf_addf(out, "var.%s_environment_file, ", id.ptr);
	for (size_t i = 0; i < env->map.nr; i++)
		if (!strlist_has(&env->hidden, env->map.items[i].key))
			kvlist_add(&shown, env->map.items[i].key, env->map.items[i].value);
	string_map(out, &shown, "    ");
	buf_adds(out, ", var.extra_environment)\n  }\n");
	if (strcmp(deploy_tracing_mode(config_str(f, CFG_FUNCTION_TRACING)), "PassThrough"))
		buf_adds(out, "  tracing_config {\n    mode = \"Active\"\n  }\n");
	if (config_int(f, CFG_FUNCTION_EPHEMERAL_STORAGE) != 512)
		buf_addf(out, "  ephemeral_storage {\n    size = %ld\n  }\n", config_int(f, CFG_FUNCTION_EPHEMERAL_STORAGE));
	if (config_list(f, CFG_FUNCTION_VPC_SUBNETS)->nr) {
		buf_adds(out, "  vpc_config {\n    subnet_ids         = ");
		string_list(out, config_list(f, CFG_FUNCTION_VPC_SUBNETS));
		buf_adds(out, "\n    security_group_ids = ");
		string_list(out, config_list(f, CFG_FUNCTION_VPC_SECURITY_GROUPS));
		buf_adds(out, "\n  }\n");
	}
	if (f->v[CFG_FUNCTION_RESERVED_CONCURRENCY].present)
		buf_addf(out, "  reserved_concurrent_executions = %ld\n", config_int(f, CFG_FUNCTION_RESERVED_CONCURRENCY));
	buf_adds(out, "  tags = merge(var.tags, ");
	string_map(out, config_map(f, CFG_FUNCTION_TAGS), "  ");
	buf_addf(out, ", { \"%s\" = \"%s\" })\n", DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE);
	if (!role) {
		buf_adds(out, "  depends_on = [");
		for (size_t i = 0, n = 0; i < deploy_managed_policies_nr; i++)
			if (deploy_wants_policy(f, i))
				buf_addf(out, "%saws_iam_role_policy_attachment.%s_%s", n++ ? ", " : "", id.ptr,
					 deploy_managed_policies[i].setting ? deploy_managed_policies[i].setting : "basic");
		buf_adds(out, "]\n");
	}
	buf_addf(out, "}\n\noutput \"%s_arn\" {\n  value = aws_lambda_function.%s.arn\n}\n\n", id.ptr, id.ptr);
	if (config_str(f, CFG_FUNCTION_URL_AUTH))
		function_url(out, f, id.ptr);
	function_events(out, f, id.ptr);
	function_routes(out, f, id.ptr);
	if (f->v[CFG_FUNCTION_LOG_RETENTION].present) {
		struct buf group = BUF_INIT;

		deploy_log_group_name(name, &group);
		buf_addf(out, "resource \"aws_cloudwatch_log_group\" \"%s\" {\n  name              = \"/aws/lambda/${"
			      "aws_lambda_function.%s.function_name}\"\n  retention_in_days = %ld\n  tags              = "
			      "merge(var.tags, { \"%s\" = \"%s\" })\n}\n\n",
			 id.ptr, id.ptr, config_int(f, CFG_FUNCTION_LOG_RETENTION), DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE);
		buf_release(&group);
	}
	if (config_has_async(f)) {
		buf_addf(out, "resource \"aws_lambda_function_event_invoke_config\" \"%s\" {\n  function_name = "
			      "aws_lambda_function.%s.function_name\n", id.ptr, id.ptr);
		if (f->v[CFG_FUNCTION_ASYNC_MAX_RETRIES].present)
			buf_addf(out, "  maximum_retry_attempts       = %ld\n", config_int(f, CFG_FUNCTION_ASYNC_MAX_RETRIES));
		if (f->v[CFG_FUNCTION_ASYNC_MAX_EVENT_AGE].present)
			buf_addf(out, "  maximum_event_age_in_seconds = %ld\n", config_int(f, CFG_FUNCTION_ASYNC_MAX_EVENT_AGE));
		if (config_str(f, CFG_FUNCTION_ASYNC_ON_SUCCESS) || config_str(f, CFG_FUNCTION_ASYNC_ON_FAILURE)) {
			buf_adds(out, "  destination_config {\n");
			for (int k = 0; k < 2; k++) {
				const char *d = config_str(f, k ? CFG_FUNCTION_ASYNC_ON_FAILURE : CFG_FUNCTION_ASYNC_ON_SUCCESS);

				if (!d)
					continue;
				buf_addf(out, "    %s {\n      destination = ", k ? "on_failure" : "on_success");
				hcl_string(out, d);
				buf_adds(out, "\n    }\n");
			}
			buf_adds(out, "  }\n");
		}
		buf_adds(out, "}\n\n");
	}
	kvlist_clear(&shown);
	buf_release(&id);
	buf_release(&role_name);
}

void terraform_generate(const struct terraform_input *in, struct buf *out)
{
	struct buf desc = BUF_INIT, file = BUF_INIT;

	buf_addf(out, "# Generated by blambda %s from blambda.yml: 'blambda terraform' writes it again, the same\n"
		      "# bytes for the same project. Build the zips it names with 'blambda build' first.\n\n",
		 BLAMBDA_VERSION);
	buf_adds(out, "terraform {\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n"
		      "      version = \">= 5.0\"\n    }\n  }\n}\n\n");
	buf_adds(out, "data \"aws_partition\" \"current\" {}\n\n");
	buf_adds(out, "variable \"name_prefix\" {\n  description = \"Put before every function, role and layer name "
		      "(one set of them per environment)\"\n  type        = string\n  default     = \"\"\n}\n\n");
	buf_adds(out, "variable \"tags\" {\n  description = \"Tags for every role and function\"\n"
		      "  type        = map(string)\n  default     = {}\n}\n\n");
	buf_adds(out, "variable \"extra_environment\" {\n  description = \"Environment variables added to every "
		      "function's\"\n  type        = map(string)\n  default     = {}\n}\n\n");
	buf_addf(&desc, "blambda %s runtime layer: Babashka %s (%s)", BLAMBDA_VERSION, in->bb_version, in->arch);
	buf_addf(&file, "runtime-layer-%s.zip", in->arch);
	layer(out, in, "runtime", config_str(in->cfg, CFG_LAYERS_RUNTIME), desc.ptr, file.ptr);
	if (in->deps_layer) {
		buf_reset(&desc);
		buf_reset(&file);
		buf_addf(&desc, "blambda %s deps layer (%s)", BLAMBDA_VERSION, in->arch);
		buf_addf(&file, "deps-layer-%s.zip", in->arch);
		layer(out, in, "deps", config_str(in->cfg, CFG_LAYERS_DEPS), desc.ptr, file.ptr);
	}
	http_api(out, in);
	for (size_t i = 0; i < in->nfns; i++)
		function(out, in, &in->fns[i]);
	s3_notifications(out, in);
	/* one line break at the end, not two */
	while (out->len > 1 && out->ptr[out->len - 1] == '\n' && out->ptr[out->len - 2] == '\n')
		buf_setlen(out, out->len - 1);
	buf_release(&desc);
	buf_release(&file);
}

int terraform_check_names(const struct config *fns, size_t n, struct error *err)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	int r = 0;

	for (size_t i = 0; i < n && !r; i++) {
		buf_reset(&a);
		terraform_resource_name(config_str(&fns[i], CFG_FUNCTION_NAME), &a);
		for (size_t k = 0; k < i && !r; k++) {
			buf_reset(&b);
			terraform_resource_name(config_str(&fns[k], CFG_FUNCTION_NAME), &b);
			if (!strcmp(a.ptr, b.ptr))
				r = error_set(err, EXIT_USAGE, "functions '%s' and '%s' would both be '%s' in Terraform",
					      config_str(&fns[k], CFG_FUNCTION_NAME), config_str(&fns[i], CFG_FUNCTION_NAME),
					      a.ptr);
		}
	}
	buf_release(&a);
	buf_release(&b);
	return r;
}

int terraform_write(const struct terraform_input *in, const char *path, int *written, struct error *err)
{
	struct buf text = BUF_INIT, old = BUF_INIT;
	int r = 0;

	terraform_generate(in, &text);
	*written = fs_read_file(path, &old, 16u << 20) || old.len != text.len || memcmp(old.ptr, text.ptr, text.len);
	if (*written)
		r = fs_write_atomic(path, text.ptr, text.len, 0644, err);
	buf_release(&text);
	buf_release(&old);
	return r;
}
