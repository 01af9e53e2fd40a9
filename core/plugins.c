/* SPDX-License-Identifier: MIT */
/* The plugin host: finds, loads and checks backend and service-type modules. */
#include <dirent.h>
#include <errno.h>
#include <ltdl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "plugins.h"
#include "strv.h"

/* The module struct must reach at least the last field the host reads. */
#define GX_MODULE_MIN_SIZE \
	(offsetof(struct gx_module, backend) + sizeof(((struct gx_module *)0)->backend))

/*
 * First-party backends and the package that ships each (debian/control), for the
 * "not installed" hint: the module is missing then, so this cannot come from it.
 */
static const struct {
	const char *name;
	const char *package;
} gx_known_backends[] = {
	{ "direct", "galaxyctl" },
	{ "supervisor", "galaxyctl-backend-supervisor" },
	{ "systemd", "galaxyctl-backend-systemd" },
};

/* dir + "/" + name (no doubled slash), or NULL when out of memory. */
static char *plugins_join(const char *dir, const char *name)
{
	size_t dlen = strlen(dir), nlen = strlen(name);
	bool slash = dlen > 0 && dir[dlen - 1] != '/';
	char *s = malloc(dlen + slash + nlen + 1);

	if (!s)
		return NULL;
	memcpy(s, dir, dlen);
	if (slash)
		s[dlen] = '/';
	memcpy(s + dlen + slash, name, nlen + 1);
	return s;
}

/* Append dir (dlen bytes) + suffix to the NULL-terminated search path of n entries. */
static int plugins_path_add(struct gx_plugins *p, size_t *n, const char *dir, size_t dlen,
			    const char *suffix)
{
	char **grown = realloc(p->search_path, (*n + 2) * sizeof(*grown));
	size_t slen = strlen(suffix);
	char *s;

	if (!grown)
		return -ENOMEM;
	p->search_path = grown;
	s = malloc(dlen + slen + 1);
	if (!s)
		return -ENOMEM;
	memcpy(s, dir, dlen);
	memcpy(s + dlen, suffix, slen + 1);
	grown[(*n)++] = s;
	grown[*n] = NULL;
	return 0;
}

/* The directories of a colon-separated list, empty entries skipped. */
static int plugins_path_add_list(struct gx_plugins *p, size_t *n, const char *list)
{
	while (list && *list) {
		size_t len = strcspn(list, ":");
		int r = len ? plugins_path_add(p, n, list, len, "") : 0;

		if (r < 0)
			return r;
		list += len + (list[len] == ':');
	}
	return 0;
}

static int plugins_path_build(struct gx_plugins *p, const char *builddir, const char *pkglibdir)
{
	size_t n = 0;
	int r;

	/* Start from an empty vector: an empty search path is still a search path. */
	p->search_path = calloc(1, sizeof(*p->search_path));
	if (!p->search_path)
		return -ENOMEM;
	r = plugins_path_add_list(p, &n, getenv("GRAVITY_PLUGIN_PATH"));
	p->n_env_dirs = n;
	if (r == 0 && builddir) {
		r = plugins_path_add(p, &n, builddir, strlen(builddir), "/backends/.libs");
		if (r == 0)
			r = plugins_path_add(p, &n, builddir, strlen(builddir), "/services/.libs");
	}
	if (r == 0 && pkglibdir) {
		r = plugins_path_add(p, &n, pkglibdir, strlen(pkglibdir), "/backends");
		if (r == 0)
			r = plugins_path_add(p, &n, pkglibdir, strlen(pkglibdir), "/services");
	}
	return r;
}

static void plugins_path_free(char **path)
{
	for (char **s = path; s && *s; s++)
		free(*s);
	free(path);
}

/*
 * search_path is non-NULL exactly while this struct holds a successful
 * lt_dlinit(), so that gx_plugins_release() knows whether to lt_dlexit().
 */
int gx_plugins_init(struct gx_plugins *p, const char *builddir, const char *pkglibdir)
{
	int r;

	memset(p, 0, sizeof(*p));
	if (lt_dlinit() != 0) {
		/* libltdl counts failed initialisations too. */
		lt_dlexit();
		return -ENOMEM;
	}
	r = plugins_path_build(p, builddir, pkglibdir);
	if (r < 0) {
		plugins_path_free(p->search_path);
		p->search_path = NULL;
		lt_dlexit();
		return r;
	}
	return 0;
}

/* Close every module and forget what they provided; the search path stays. */
static void plugins_unload(struct gx_plugins *p)
{
	for (size_t i = p->n_modules; i-- > 0;) {
		lt_dlclose(p->modules[i].handle);
		free(p->modules[i].path);
	}
	free(p->modules);
	free(p->types);
	free(p->type_paths);
	free(p->backends);
	free(p->backend_paths);
	free(p->backend_minors);
	p->modules = NULL;
	p->n_modules = 0;
	p->types = NULL;
	p->type_paths = NULL;
	p->n_types = 0;
	p->backends = NULL;
	p->backend_paths = NULL;
	p->backend_minors = NULL;
	p->n_backends = 0;
}

unsigned gx_plugins_backend_minor(const struct gx_plugins *p, const struct gx_backend *b)
{
	for (size_t i = 0; i < p->n_backends; i++)
		if (p->backends[i] == b)
			return p->backend_minors[i];
	return 0;
}

gx_backend_slot gx_plugins_backend_check(const struct gx_plugins *p, const struct gx_backend *b)
{
	return gx_plugins_backend_minor(p, b) >= 2 ? b->check : NULL;
}

gx_plan_slot gx_plugins_backend_plan(const struct gx_plugins *p, const struct gx_backend *b)
{
	return gx_plugins_backend_minor(p, b) >= 6 ? b->plan : NULL;
}

gx_process_names_slot gx_plugins_backend_process_names(const struct gx_plugins *p,
							const struct gx_backend *b)
{
	return gx_plugins_backend_minor(p, b) >= 5 ? b->process_names : NULL;
}

static bool plugins_shadowed(const struct gx_plugins *p, const char *name)
{
	for (size_t i = 0; i < p->n_modules; i++) {
		const char *base = strrchr(p->modules[i].path, '/');

		if (strcmp(base ? base + 1 : p->modules[i].path, name) == 0)
			return true;
	}
	return false;
}

/* Visible *.so names; hidden files are left alone, as a shell glob would. */
static int plugins_so_filter(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return d->d_name[0] != '.' && len > 3 && strcmp(d->d_name + len - 3, ".so") == 0;
}

/* Byte order, so that the load order does not depend on the locale. */
static int plugins_name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int plugins_add_type(struct gx_plugins *p, const struct gx_service_type *t,
			    const char *path, struct gx_error *err)
{
	const struct gx_service_type **types;
	const char **paths;

	if (!t->name)
		return gx_error_set(err, NULL, -EINVAL, "module %s has a service type without a name",
				    path);
	if (!t->section || !t->options || !t->argv)
		return gx_error_set(err, NULL, -EINVAL, "module %s: service type '%s' has no %s",
				    path, t->name,
				    !t->section ? "section" : !t->options ? "option table" :
									"argv callback");
	for (size_t i = 0; i < p->n_types; i++)
		if (strcmp(p->types[i]->name, t->name) == 0)
			return gx_error_set(err, NULL, -EEXIST,
					    "service type '%s' is provided by both %s and %s",
					    t->name, p->type_paths[i], path);

	types = realloc(p->types, (p->n_types + 1) * sizeof(*types));
	if (!types)
		return gx_error_set(err, NULL, -ENOMEM, "out of memory");
	p->types = types;
	paths = realloc(p->type_paths, (p->n_types + 1) * sizeof(*paths));
	if (!paths)
		return gx_error_set(err, NULL, -ENOMEM, "out of memory");
	p->type_paths = paths;
	types[p->n_types] = t;
	paths[p->n_types] = path;
	p->n_types++;
	return 0;
}

static int plugins_add_backend(struct gx_plugins *p, const struct gx_backend *b,
			       const char *path, unsigned abi_minor, struct gx_error *err)
{
	unsigned *minors;
	const struct gx_backend **backends;
	const char **paths;

	if (!b->name)
		return gx_error_set(err, NULL, -EINVAL, "module %s has a backend without a name",
				    path);
	for (size_t i = 0; i < p->n_backends; i++)
		if (strcmp(p->backends[i]->name, b->name) == 0)
			return gx_error_set(err, NULL, -EEXIST,
					    "backend '%s' is provided by both %s and %s", b->name,
					    p->backend_paths[i], path);

	backends = realloc(p->backends, (p->n_backends + 1) * sizeof(*backends));
	if (!backends)
		return gx_error_set(err, NULL, -ENOMEM, "out of memory");
	p->backends = backends;
	paths = realloc(p->backend_paths, (p->n_backends + 1) * sizeof(*paths));
	if (!paths)
		return gx_error_set(err, NULL, -ENOMEM, "out of memory");
	p->backend_paths = paths;
	minors = realloc(p->backend_minors, (p->n_backends + 1) * sizeof(*minors));
	if (!minors)
		return gx_error_set(err, NULL, -ENOMEM, "out of memory");
	p->backend_minors = minors;
	minors[p->n_backends] = abi_minor;
	backends[p->n_backends] = b;
	paths[p->n_backends] = path;
	p->n_backends++;
	return 0;
}

/* Check the handshake of a loaded module and register what it provides. */
static int plugins_check(struct gx_plugins *p, const struct gx_loaded_module *lm,
			 struct gx_error *err)
{
	const struct gx_module *m = lm->module;
	bool has_types = m->services && m->services[0];
	int r;

	if (m->abi_major != GX_ABI_MAJOR)
		return gx_error_set(err, NULL, -EPROTO,
				    "module %s was built for plugin ABI %u.%u; this galaxyctl provides %u.%u",
				    lm->path, m->abi_major, m->abi_minor, GX_ABI_MAJOR, GX_ABI_MINOR);
	/* A newer module may call host slots at the end of gx_host that we lack. */
	if (m->abi_minor > GX_ABI_MINOR)
		return gx_error_set(err, NULL, -EPROTO,
				    "module %s needs plugin ABI %u.%u; this galaxyctl provides %u.%u",
				    lm->path, m->abi_major, m->abi_minor, GX_ABI_MAJOR, GX_ABI_MINOR);
	if (m->size < GX_MODULE_MIN_SIZE)
		return gx_error_set(err, NULL, -EPROTO,
				    "module %s was built for plugin ABI %u.%u but its module struct has %zu bytes; this galaxyctl needs at least %zu",
				    lm->path, m->abi_major, m->abi_minor, m->size, GX_MODULE_MIN_SIZE);
	if (!has_types && !m->backend)
		return gx_error_set(err, NULL, -EINVAL,
				    "module %s provides no service type and no backend", lm->path);

	for (const struct gx_service_type *const *t = m->services; has_types && *t; t++) {
		r = plugins_add_type(p, *t, lm->path, err);
		if (r < 0)
			return r;
	}
	return m->backend ? plugins_add_backend(p, m->backend, lm->path, m->abi_minor, err) : 0;
}

/*
 * Fill err for a module that failed to load.  libltdl tries its
 * preloaded-symbol loader after the system one and reports that loader's
 * "file not found" even for a file that exists, so ask the system loader
 * alone for its reason (a missing library, a bad ELF header).
 */
static int plugins_load_error(const char *path, lt_dladvise advise, struct gx_error *err)
{
	const lt_dlvtable *vt = lt_dlloader_find("lt_dlopen");
	const char *why = lt_dlerror();
	size_t plen = strlen(path);
	lt_module m;

	gx_error_set(err, NULL, -ELIBBAD, "cannot load module %s: %s", path,
		     why ? why : "unknown error");
	if (!vt || !vt->module_open)
		return -ELIBBAD;
	m = vt->module_open(vt->dlloader_data, path, advise);
	why = lt_dlerror();
	if (m) {
		if (vt->module_close)
			vt->module_close(vt->dlloader_data, m);
		return -ELIBBAD;
	}
	if (!why)
		return -ELIBBAD;
	/* The system loader starts with the path, which the message already names. */
	if (strncmp(why, path, plen) == 0 && strncmp(why + plen, ": ", 2) == 0)
		why += plen + 2;
	return gx_error_set(err, NULL, -ELIBBAD, "cannot load module %s: %s", path, why);
}

/* Load the module at path (ownership passes here) and register it. */
static int plugins_open(struct gx_plugins *p, char *path, struct gx_error *err)
{
	struct gx_loaded_module *lm;
	lt_dladvise advise;
	lt_dlhandle handle;
	int r;

	lm = realloc(p->modules, (p->n_modules + 1) * sizeof(*lm));
	if (!lm) {
		free(path);
		return gx_error_set(err, NULL, -ENOMEM, "out of memory");
	}
	p->modules = lm;

	/* Exactly this file (no extension guessing), its symbols kept to itself. */
	if (lt_dladvise_init(&advise) != 0 || lt_dladvise_local(&advise) != 0) {
		lt_dladvise_destroy(&advise);
		free(path);
		return gx_error_set(err, NULL, -ENOMEM, "out of memory");
	}
	/* Drop a stale message, so that the one reported is this call's. */
	(void)lt_dlerror();
	handle = lt_dlopenadvise(path, advise);
	if (!handle) {
		r = plugins_load_error(path, advise, err);
		lt_dladvise_destroy(&advise);
		free(path);
		return r;
	}
	lt_dladvise_destroy(&advise);

	lm = &p->modules[p->n_modules++];
	lm->path = path;
	lm->handle = handle;
	lm->module = lt_dlsym(handle, GX_MODULE_SYMBOL);
	if (!lm->module)
		return gx_error_set(err, NULL, -ENOEXEC,
				    "%s is not a galaxyctl module (no " GX_MODULE_SYMBOL " symbol)",
				    path);
	return plugins_check(p, lm, err);
}

/* Consider one directory entry: skip shadowed names and anything but a file. */
static int plugins_consider(struct gx_plugins *p, const char *dir, const char *name,
			    struct gx_error *err)
{
	struct stat st;
	char *path;

	if (plugins_shadowed(p, name))
		return 0;
	path = plugins_join(dir, name);
	if (!path)
		return gx_error_set(err, NULL, -ENOMEM, "out of memory");
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		free(path);
		return 0;
	}
	return plugins_open(p, path, err);
}

static int plugins_load_dir(struct gx_plugins *p, const char *dir, struct gx_error *err)
{
	struct dirent **names;
	int n, r = 0;

	n = scandir(dir, &names, plugins_so_filter, plugins_name_cmp);
	if (n < 0) {
		int e = errno;

		if (e == ENOENT || e == ENOTDIR)
			return 0;
		return gx_error_set(err, NULL, -e, "cannot read plugin directory %s: %s", dir,
				    strerror(e));
	}
	for (int i = 0; i < n; i++) {
		if (r == 0)
			r = plugins_consider(p, dir, names[i]->d_name, err);
		free(names[i]);
	}
	free(names);
	return r;
}

static bool plugins_has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* Our own backends directories (not $GRAVITY_PLUGIN_PATH's): opened on demand. */
static bool plugins_is_lazy_dir(const struct gx_plugins *p, size_t i)
{
	const char *dir = p->search_path[i];

	return i >= p->n_env_dirs &&
	       (plugins_has_suffix(dir, "/backends") || plugins_has_suffix(dir, "/backends/.libs"));
}

/* All or nothing: on failure every module this call opened is closed again. */
int gx_plugins_load(struct gx_plugins *p, struct gx_error *err)
{
	for (size_t i = 0; p->search_path && p->search_path[i]; i++) {
		int r = plugins_is_lazy_dir(p, i) ? 0 : plugins_load_dir(p, p->search_path[i], err);

		if (r < 0) {
			plugins_unload(p);
			return r;
		}
	}
	return 0;
}

static void plugins_backend_hint(FILE *f, const char *name)
{
	for (size_t i = 0; i < sizeof(gx_known_backends) / sizeof(gx_known_backends[0]); i++)
		if (strcmp(gx_known_backends[i].name, name) == 0)
			fprintf(f, "; the %s backend is not installed (install the %s package)",
				name, gx_known_backends[i].package);
}

int gx_plugins_backend_names(const struct gx_plugins *p, struct gx_strv *out)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < p->n_backends; i++)
		r = gx_strv_push(out, p->backends[i]->name);
	for (size_t i = 0; r == 0 && p->search_path && p->search_path[i]; i++) {
		struct dirent **names;
		int n;

		if (!plugins_is_lazy_dir(p, i))
			continue;
		n = scandir(p->search_path[i], &names, plugins_so_filter, plugins_name_cmp);
		for (int k = 0; k < n; k++) {
			size_t len = strlen(names[k]->d_name) - strlen(".so");
			bool seen = plugins_shadowed(p, names[k]->d_name);

			for (size_t j = 0; !seen && j < out->n; j++)
				seen = strncmp(out->v[j], names[k]->d_name, len) == 0 &&
				       out->v[j][len] == '\0';
			if (r == 0 && !seen)
				r = gx_strv_pushf(out, "%.*s", (int)len, names[k]->d_name);
			free(names[k]);
		}
		if (n >= 0)
			free(names);
	}
	return r;
}

/* Print "available backends: a, b"; false when there are none. */
static bool plugins_print_backend_names(const struct gx_plugins *p, FILE *f)
{
	struct gx_strv names = { 0 };
	bool any;

	gx_plugins_backend_names(p, &names);
	for (size_t i = 0; i < names.n; i++)
		fprintf(f, "%s%s", i ? ", " : "available backends: ", names.v[i]);
	any = names.n > 0;
	gx_strv_release(&names);
	return any;
}

/* "unknown backend 'x'; available backends: a, b (searched: /p1, /p2)" and a hint. */
static void plugins_backend_unknown(const struct gx_plugins *p, const char *name,
				    struct gx_error *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f) {
		gx_error_set(err, NULL, -ENOENT, "unknown backend '%s'", name);
		return;
	}
	fprintf(f, "unknown backend '%s'; ", name);
	if (!plugins_print_backend_names(p, f))
		fputs("no backends are installed", f);
	if (!p->search_path || !p->search_path[0])
		fputs(" (the plugin search path is empty)", f);
	for (char **dir = p->search_path; dir && *dir; dir++)
		fprintf(f, "%s%s", dir == p->search_path ? " (searched: " : ", ", *dir);
	if (p->search_path && p->search_path[0])
		fputc(')', f);
	plugins_backend_hint(f, name);
	if (fclose(f) == 0)
		gx_error_set(err, NULL, -ENOENT, "%s", text);
	else
		gx_error_set(err, NULL, -ENOENT, "unknown backend '%s'", name);
	free(text);
}

static const struct gx_backend *plugins_find_backend(const struct gx_plugins *p,
						     const char *name)
{
	for (size_t i = 0; i < p->n_backends; i++)
		if (strcmp(p->backends[i]->name, name) == 0)
			return p->backends[i];
	return NULL;
}

/* Open <name>.so from the first backends directory that has it. */
static int plugins_open_backend(struct gx_plugins *p, const char *name, struct gx_error *err)
{
	char file[256];

	if (strchr(name, '/') || snprintf(file, sizeof(file), "%s.so", name) >= (int)sizeof(file))
		return 0;
	for (size_t i = 0; p->search_path && p->search_path[i]; i++) {
		int r;

		if (!plugins_is_lazy_dir(p, i))
			continue;
		r = plugins_consider(p, p->search_path[i], file, err);
		if (r < 0 || plugins_shadowed(p, file))
			return r;
	}
	return 0;
}

const struct gx_backend *gx_plugins_backend(struct gx_plugins *p, const char *name,
					    struct gx_error *err)
{
	const struct gx_backend *b = plugins_find_backend(p, name);

	if (b)
		return b;
	if (plugins_open_backend(p, name, err) < 0)
		return NULL;
	b = plugins_find_backend(p, name);
	if (!b)
		plugins_backend_unknown(p, name, err);
	return b;
}

const struct gx_service_type *gx_plugins_type(const struct gx_plugins *p, const char *name)
{
	for (size_t i = 0; i < p->n_types; i++)
		if (strcmp(p->types[i]->name, name) == 0)
			return p->types[i];
	return NULL;
}

void gx_plugins_release(struct gx_plugins *p)
{
	if (!p)
		return;
	plugins_unload(p);
	if (p->search_path) {
		plugins_path_free(p->search_path);
		lt_dlexit();
	}
	memset(p, 0, sizeof(*p));
}
