/* SPDX-License-Identifier: MIT */
/* XML-RPC with supervisord: methodCall/methodResponse (libxml2) over its unix socket (libcurl). */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "sv.h"

/* Deeper than anything supervisord sends; bounds the recursion on hostile input. */
#define SV_MAX_DEPTH 32

struct sv_rpc {
	CURL *curl;
	char *socket;
	struct curl_slist *headers;
	struct sv_buf body;
	char errbuf[CURL_ERROR_SIZE];
};

/* ---------------------------------------------------------------------- */
/* Values */

void sv_value_release(struct sv_value *v)
{
	if (!v)
		return;
	free(v->s);
	for (size_t i = 0; i < v->n; i++) {
		sv_value_release(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	memset(v, 0, sizeof(*v));
}

void sv_reply_release(struct sv_reply *r)
{
	if (!r)
		return;
	sv_value_release(&r->value);
	free(r->fault_string);
	memset(r, 0, sizeof(*r));
}

const struct sv_value *sv_value_get(const struct sv_value *v, const char *key)
{
	if (!v || v->kind != SV_STRUCT)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->keys[i], key) == 0)
			return &v->items[i];
	return NULL;
}

long sv_value_get_int(const struct sv_value *v, const char *key, long dflt)
{
	const struct sv_value *m = sv_value_get(v, key);

	return m && (m->kind == SV_INT || m->kind == SV_BOOL) ? m->i : dflt;
}

const char *sv_value_get_str(const struct sv_value *v, const char *key)
{
	const struct sv_value *m = sv_value_get(v, key);

	return m && m->kind == SV_STRING ? m->s : NULL;
}

/* ---------------------------------------------------------------------- */
/* Decoding */

static bool sv_is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, (const xmlChar *)name) == 0;
}

/* The first element child, or the next element sibling. */
static xmlNode *sv_first(const xmlNode *n)
{
	xmlNode *c = n ? n->children : NULL;

	while (c && c->type != XML_ELEMENT_NODE)
		c = c->next;
	return c;
}

static xmlNode *sv_next(const xmlNode *n)
{
	xmlNode *c = n->next;

	while (c && c->type != XML_ELEMENT_NODE)
		c = c->next;
	return c;
}

static char *sv_text(const xmlNode *n)
{
	xmlChar *t = xmlNodeGetContent(n);
	char *s = strdup(t ? (const char *)t : "");

	xmlFree(t);
	return s;
}

static int sv_decode_value(const xmlNode *value, struct sv_value *out, unsigned depth);

static int sv_decode_items(const xmlNode *parent, const char *item, struct sv_value *out,
			   unsigned depth)
{
	size_t n = 0;
	bool is_struct = out->kind == SV_STRUCT;

	for (xmlNode *c = sv_first(parent); c; c = sv_next(c))
		if (sv_is(c, item))
			n++;
	out->items = calloc(n ? n : 1, sizeof(*out->items));
	out->keys = is_struct ? calloc(n ? n : 1, sizeof(char *)) : NULL;
	if (!out->items || (is_struct && !out->keys))
		return -ENOMEM;
	for (xmlNode *c = sv_first(parent); c; c = sv_next(c)) {
		xmlNode *v = c;
		int r;

		if (!sv_is(c, item))
			continue;
		if (is_struct) {
			xmlNode *name = sv_first(c);

			v = name ? sv_next(name) : NULL;
			if (!sv_is(name, "name") || !sv_is(v, "value"))
				return -EPROTO;
			out->keys[out->n] = sv_text(name);
			if (!out->keys[out->n])
				return -ENOMEM;
		}
		r = sv_decode_value(v, &out->items[out->n], depth + 1);
		out->n++;
		if (r < 0)
			return r;
	}
	return 0;
}

static int sv_decode_scalar(const xmlNode *t, struct sv_value *out)
{
	char *text = sv_text(t);
	char *end = NULL;
	int r = 0;

	if (!text)
		return -ENOMEM;
	if (sv_is(t, "int") || sv_is(t, "i4") || sv_is(t, "i8")) {
		out->kind = SV_INT;
		out->i = strtol(text, &end, 10);
		r = end == text ? -EPROTO : 0;
	} else if (sv_is(t, "boolean")) {
		out->kind = SV_BOOL;
		out->i = strtol(text, &end, 10) != 0;
		r = end == text ? -EPROTO : 0;
	} else if (sv_is(t, "double")) {
		out->kind = SV_DOUBLE;
		out->d = strtod(text, &end);
		r = end == text ? -EPROTO : 0;
	} else if (sv_is(t, "nil")) {
		out->kind = SV_NIL;
	} else {
		/* string, and what we only show: base64, dateTime.iso8601 */
		out->kind = SV_STRING;
		out->s = text;
		return 0;
	}
	free(text);
	return r;
}

static int sv_decode_value(const xmlNode *value, struct sv_value *out, unsigned depth)
{
	xmlNode *t = sv_first(value);

	memset(out, 0, sizeof(*out));
	if (!sv_is(value, "value") || depth > SV_MAX_DEPTH)
		return -EPROTO;
	if (!t) {
		out->kind = SV_STRING;
		out->s = sv_text(value);
		return out->s ? 0 : -ENOMEM;
	}
	if (sv_is(t, "array")) {
		xmlNode *data = sv_first(t);

		out->kind = SV_ARRAY;
		if (!sv_is(data, "data"))
			return -EPROTO;
		return sv_decode_items(data, "value", out, depth);
	}
	if (sv_is(t, "struct")) {
		out->kind = SV_STRUCT;
		return sv_decode_items(t, "member", out, depth);
	}
	return sv_decode_scalar(t, out);
}

static int sv_decode_doc(xmlDoc *doc, struct sv_reply *out)
{
	xmlNode *root = xmlDocGetRootElement(doc);
	xmlNode *first = sv_first(root);
	int r;

	if (!sv_is(root, "methodResponse") || !first)
		return -EPROTO;
	if (sv_is(first, "fault")) {
		struct sv_value v;
		const char *s;

		r = sv_decode_value(sv_first(first), &v, 0);
		if (r == 0 && v.kind != SV_STRUCT)
			r = -EPROTO;
		if (r == 0) {
			out->fault_code = sv_value_get_int(&v, "faultCode", -1);
			s = sv_value_get_str(&v, "faultString");
			out->fault_string = strdup(s ? s : "");
			if (!out->fault_string)
				r = -ENOMEM;
			if (out->fault_code == 0)
				out->fault_code = -1;
		}
		sv_value_release(&v);
		return r;
	}
	if (!sv_is(first, "params") || !sv_is(sv_first(first), "param"))
		return -EPROTO;
	return sv_decode_value(sv_first(sv_first(first)), &out->value, 0);
}

int sv_xmlrpc_response(const char *text, size_t len, struct sv_reply *ret,
		       struct gx_error *err)
{
	xmlDoc *doc;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (len > (size_t)INT32_MAX)
		return -EPROTO;
	doc = xmlReadMemory(text, (int)len, "methodResponse.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		if (err)
			sv_error(err, -EPROTO, "supervisord's answer is not XML");
		return -EPROTO;
	}
	r = sv_decode_doc(doc, ret);
	xmlFreeDoc(doc);
	if (r < 0) {
		sv_reply_release(ret);
		if (err)
			sv_error(err, r, r == -ENOMEM ? "out of memory"
						       : "supervisord's answer is not an XML-RPC response");
	}
	return r;
}

/* ---------------------------------------------------------------------- */
/* Encoding */

static xmlNode *sv_encode_param(xmlNode *params, const struct sv_param *p)
{
	xmlNode *param = xmlNewChild(params, NULL, (const xmlChar *)"param", NULL);
	xmlNode *value = param ? xmlNewChild(param, NULL, (const xmlChar *)"value", NULL) : NULL;
	char num[32];

	if (!value)
		return NULL;
	switch (p->kind) {
	case SV_INT:
		snprintf(num, sizeof(num), "%ld", p->i);
		return xmlNewTextChild(value, NULL, (const xmlChar *)"int", (const xmlChar *)num);
	case SV_BOOL:
		return xmlNewTextChild(value, NULL, (const xmlChar *)"boolean",
				       (const xmlChar *)(p->i ? "1" : "0"));
	default:
		return xmlNewTextChild(value, NULL, (const xmlChar *)"string",
				       (const xmlChar *)(p->s ? p->s : ""));
	}
}

int sv_xmlrpc_request(const char *method, const struct sv_param *params, size_t n_params,
		      char **ret, size_t *ret_len)
{
	xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNode *call = doc ? xmlNewNode(NULL, (const xmlChar *)"methodCall") : NULL;
	xmlNode *list = NULL;
	xmlChar *mem = NULL;
	int size = 0, r = -ENOMEM;
	char *copy;

	if (!call)
		goto out;
	xmlDocSetRootElement(doc, call);
	if (!xmlNewTextChild(call, NULL, (const xmlChar *)"methodName", (const xmlChar *)method))
		goto out;
	list = xmlNewChild(call, NULL, (const xmlChar *)"params", NULL);
	if (!list)
		goto out;
	for (size_t i = 0; i < n_params; i++)
		if (!sv_encode_param(list, &params[i]))
			goto out;
	xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
	if (!mem || size < 0)
		goto out;
	copy = malloc((size_t)size + 1);
	if (!copy)
		goto out;
	memcpy(copy, mem, (size_t)size);
	copy[size] = '\0';
	*ret = copy;
	*ret_len = (size_t)size;
	r = 0;
out:
	xmlFree(mem);
	if (doc)
		xmlFreeDoc(doc);
	else
		xmlFreeNode(call);
	return r;
}

/* ---------------------------------------------------------------------- */
/* Transport */

static size_t sv_rpc_write(char *data, size_t size, size_t nmemb, void *user)
{
	struct sv_buf *b = user;

	if (b->len + size * nmemb > 64u << 20) /* more than any status list */
		return 0;
	sv_buf_add(b, data, size * nmemb);
	return b->oom ? 0 : size * nmemb;
}

int sv_rpc_new(const char *socket, struct sv_rpc **ret, struct gx_error *err)
{
	struct sv_rpc *rpc = calloc(1, sizeof(*rpc));

	if (!rpc || !(rpc->socket = strdup(socket)))
		goto oom;
	rpc->headers = curl_slist_append(NULL, "Content-Type: text/xml");
	if (!rpc->headers)
		goto oom;
	*ret = rpc;
	return 0;
oom:
	sv_rpc_free(rpc);
	sv_error(err, -ENOMEM, "out of memory");
	return -ENOMEM;
}

void sv_rpc_free(struct sv_rpc *rpc)
{
	if (!rpc)
		return;
	if (rpc->curl)
		curl_easy_cleanup(rpc->curl);
	curl_slist_free_all(rpc->headers);
	sv_buf_release(&rpc->body);
	free(rpc->socket);
	free(rpc);
}

static int sv_rpc_transport_error(struct sv_rpc *rpc, CURLcode rc, const char *method,
				  struct gx_error *err)
{
	int code = -EIO;

	if (rc == CURLE_COULDNT_CONNECT)
		code = -ECONNREFUSED;
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		code = -ETIMEDOUT;
	else if (rc == CURLE_OUT_OF_MEMORY)
		code = -ENOMEM;
	sv_error(err, code, "cannot talk to supervisord on %s (%s): %s", rpc->socket, method,
		      rpc->errbuf[0] ? rpc->errbuf : curl_easy_strerror(rc));
	return code;
}

static int sv_rpc_setup(struct sv_rpc *rpc, const char *request, size_t len, double timeout_s)
{
	long ms = timeout_s > 0 ? (long)(timeout_s * 1000) : 30000;

	if (!rpc->curl) {
		rpc->curl = curl_easy_init();
		if (!rpc->curl)
			return -ENOMEM;
	}
	curl_easy_reset(rpc->curl);
	rpc->errbuf[0] = '\0';
	sv_buf_release(&rpc->body);
	if (curl_easy_setopt(rpc->curl, CURLOPT_UNIX_SOCKET_PATH, rpc->socket) != CURLE_OK ||
	    curl_easy_setopt(rpc->curl, CURLOPT_URL, "http://localhost/RPC2") != CURLE_OK ||
	    curl_easy_setopt(rpc->curl, CURLOPT_HTTPHEADER, rpc->headers) != CURLE_OK ||
	    curl_easy_setopt(rpc->curl, CURLOPT_POSTFIELDS, request) != CURLE_OK ||
	    curl_easy_setopt(rpc->curl, CURLOPT_POSTFIELDSIZE, (long)len) != CURLE_OK ||
	    curl_easy_setopt(rpc->curl, CURLOPT_WRITEFUNCTION, sv_rpc_write) != CURLE_OK ||
	    curl_easy_setopt(rpc->curl, CURLOPT_WRITEDATA, &rpc->body) != CURLE_OK ||
	    curl_easy_setopt(rpc->curl, CURLOPT_ERRORBUFFER, rpc->errbuf) != CURLE_OK ||
	    curl_easy_setopt(rpc->curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(rpc->curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L) != CURLE_OK ||
	    curl_easy_setopt(rpc->curl, CURLOPT_TIMEOUT_MS, ms) != CURLE_OK)
		return -EINVAL;
	return 0;
}

int sv_rpc_call(struct sv_rpc *rpc, const char *method, const struct sv_param *params,
		size_t n_params, double timeout_s, struct sv_reply *ret, struct gx_error *err)
{
	char *request = NULL;
	size_t len = 0;
	long status = 0;
	CURLcode rc;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = sv_xmlrpc_request(method, params, n_params, &request, &len);
	if (r < 0) {
		sv_error(err, r, "out of memory");
		return r;
	}
	r = sv_rpc_setup(rpc, request, len, timeout_s);
	if (r < 0) {
		sv_error(err, r, "cannot set up a connection to supervisord on %s", rpc->socket);
		goto out;
	}
	rc = curl_easy_perform(rpc->curl);
	if (rc != CURLE_OK) {
		r = sv_rpc_transport_error(rpc, rc, method, err);
		goto out;
	}
	curl_easy_getinfo(rpc->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		r = -EPROTO;
		sv_error(err, r, "supervisord on %s answered %s with HTTP status %ld",
			      rpc->socket, method, status);
		goto out;
	}
	if (rpc->body.oom) {
		r = -ENOMEM;
		sv_error(err, r, "out of memory");
		goto out;
	}
	r = sv_xmlrpc_response(rpc->body.s ? rpc->body.s : "", rpc->body.len, ret, err);
out:
	free(request);
	return r;
}
