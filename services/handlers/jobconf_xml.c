/* SPDX-License-Identifier: MIT */
/*
 * job_conf.xml for handlers.so.  libxml2 (and ICU, libstdc++, zlib and lzma
 * behind it) is opened the first time a job_conf.xml is read rather than
 * linked, so that every galaxyctl command does not pay a couple of
 * milliseconds to load it: most Galaxy servers now use job_conf.yml.
 */
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlversion.h>

#include "jobconf_xml.h"

/* The libxml2 entry points used, typed from its own headers, resolved at first use. */
static struct {
	__typeof__(&xmlNewParserCtxt) new_ctxt;
	__typeof__(&xmlCtxtReadMemory) read_memory;
	__typeof__(&xmlCtxtGetLastError) last_error;
	__typeof__(&xmlDocGetRootElement) root;
	__typeof__(&xmlGetProp) get_prop;
	__typeof__(&xmlGetLineNo) line_no;
	__typeof__(&xmlFreeDoc) free_doc;
	__typeof__(&xmlFreeParserCtxt) free_ctxt;
	xmlFreeFunc *free; /* the library's xmlFree variable */
} xml;

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static char xml_error[256];

/* Open libxml2 (never closed: it stays for the life of the process). */
static void xml_open(void)
{
	/*
	 * Only the soname of the headers we were built with: the function types
	 * above are theirs, and 2.14 (.so.16) changed the ABI.
	 */
#if LIBXML_VERSION >= 21400
	static const char soname[] = "libxml2.so.16";
#else
	static const char soname[] = "libxml2.so.2";
#endif
	void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!lib) {
		snprintf(xml_error, sizeof(xml_error), "%s", dlerror());
		return;
	}
	xml_error[0] = '\0';
	*(void **)&xml.new_ctxt = dlsym(lib, "xmlNewParserCtxt");
	*(void **)&xml.read_memory = dlsym(lib, "xmlCtxtReadMemory");
	*(void **)&xml.last_error = dlsym(lib, "xmlCtxtGetLastError");
	*(void **)&xml.root = dlsym(lib, "xmlDocGetRootElement");
	*(void **)&xml.get_prop = dlsym(lib, "xmlGetProp");
	*(void **)&xml.line_no = dlsym(lib, "xmlGetLineNo");
	*(void **)&xml.free_doc = dlsym(lib, "xmlFreeDoc");
	*(void **)&xml.free_ctxt = dlsym(lib, "xmlFreeParserCtxt");
	xml.free = dlsym(lib, "xmlFree");
	if (!xml.new_ctxt || !xml.read_memory || !xml.last_error || !xml.root || !xml.get_prop ||
	    !xml.line_no || !xml.free_doc || !xml.free_ctxt || !xml.free || !*xml.free)
		snprintf(xml_error, sizeof(xml_error), "a libxml2 symbol is missing");
}

/* assign_with="a, b": does it name a dynamic method? */
static bool xml_assign_dynamic(const char *assign_with)
{
	char *copy = strdup(assign_with), *save = NULL;
	bool found = false;

	if (!copy)
		return false;
	for (char *m = strtok_r(copy, ",", &save); m && !found; m = strtok_r(NULL, ",", &save)) {
		char *end = m + strlen(m);

		while (isspace((unsigned char)*m))
			m++;
		while (end > m && isspace((unsigned char)end[-1]))
			*--end = '\0';
		found = strcmp(m, "db-skip-locked") == 0 ||
			strcmp(m, "db-transaction-isolation") == 0;
	}
	free(copy);
	return found;
}

/* The first child element of parent called name (no namespace), or NULL. */
static xmlNode *xml_child(xmlNode *parent, const char *name)
{
	for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !c->ns &&
		    strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

static int xml_parse_error(const struct gx_host *h, const char *path, xmlParserCtxt *ctxt,
			   struct gx_error *err)
{
	const xmlError *e = xml.last_error(ctxt);
	struct gx_node at = { .mark = { .file = path, .line = e ? (unsigned)e->line : 0 } };
	char msg[512];

	snprintf(msg, sizeof(msg), "%s", e && e->message ? e->message : "invalid XML");
	msg[strcspn(msg, "\n")] = '\0';
	return h->errorf(err, &at, -EINVAL, "Failed to parse job config file %s: %s", path, msg);
}

/* Each element under <handlers>, by id. */
static int xml_each_handler(const struct gx_host *h, const char *path, xmlNode *handlers,
			    handlers_xml_each_fn each, void *ctx, struct gx_error *err)
{
	int r = 0;

	for (xmlNode *c = handlers ? handlers->children : NULL; r == 0 && c; c = c->next) {
		struct gx_node at = { .mark = { .file = path, .line = (unsigned)xml.line_no(c) } };
		xmlChar *id;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		id = xml.get_prop(c, (const xmlChar *)"id");
		if (!id)
			r = h->errorf(err, &at, -EINVAL,
				      "Job config file %s: <%s> in <handlers> has no id attribute", path,
				      (const char *)c->name);
		else if ((r = each(ctx, (const char *)id)) < 0)
			r = h->errorf(err, NULL, r, "%s", r == -ENOMEM ? "out of memory" : strerror(-r));
		(*xml.free)(id);
	}
	return r;
}

int handlers_xml_read(const struct gx_host *h, const char *path, bool *ret_dynamic,
		      handlers_xml_each_fn each, void *ctx, struct gx_error *err)
{
	xmlParserCtxt *ctxt;
	xmlNode *handlers;
	xmlChar *assign;
	xmlDoc *doc;
	char *text;
	size_t len;
	int r;

	pthread_once(&xml_once, xml_open);
	if (xml_error[0])
		return h->errorf(err, NULL, -ENOSYS, "cannot read %s: libxml2 is not usable: %s", path,
				 xml_error);
	/* Read by the host, with the bounds on configs: libxml2 would block on a FIFO. */
	r = h->read_file(path, &text, &len, err);
	if (r < 0)
		return r;
	if (len > INT_MAX) {
		free(text);
		return h->errorf(err, NULL, -EFBIG, "cannot read %s: too large", path);
	}
	ctxt = xml.new_ctxt();
	if (!ctxt) {
		free(text);
		return h->errorf(err, NULL, -ENOMEM, "out of memory");
	}
	doc = xml.read_memory(ctxt, text, (int)len, path, NULL,
			      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
				      XML_PARSE_BIG_LINES);
	free(text);
	if (!doc) {
		r = xml_parse_error(h, path, ctxt, err);
		xml.free_ctxt(ctxt);
		return r;
	}
	handlers = xml_child(xml.root(doc), "handlers");
	assign = handlers ? xml.get_prop(handlers, (const xmlChar *)"assign_with") : NULL;
	*ret_dynamic = assign && xml_assign_dynamic((const char *)assign);
	if (assign)
		(*xml.free)(assign);
	r = xml_each_handler(h, path, handlers, each, ctx, err);
	xml.free_doc(doc);
	xml.free_ctxt(ctxt);
	return r;
}
