/* SPDX-License-Identifier: MIT */
/* Unit names and the text of service and target units, byte for byte as Gravity writes them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "systemd.h"

#define SD_HEADER \
	";\n; This file is maintained by Gravity - CHANGES WILL BE OVERWRITTEN\n;\n\n"

/* ---------------------------------------------------------------------- */
/* Files */

void sd_files_release(struct sd_files *files)
{
	for (size_t i = 0; i < files->n; i++) {
		free(files->v[i].name);
		free(files->v[i].text);
	}
	free(files->v);
	memset(files, 0, sizeof(*files));
}

const struct sd_file *sd_files_find(const struct sd_files *files, const char *name)
{
	for (size_t i = 0; i < files->n; i++)
		if (strcmp(files->v[i].name, name) == 0)
			return &files->v[i];
	return NULL;
}

/* Takes name and text, also on failure. */
static int sd_files_add(struct sd_files *files, char *name, char *text, bool is_target)
{
	if (!name || !text)
		goto out_free;
	if (files->n == files->alloc) {
		size_t alloc = files->alloc ? files->alloc * 2 : 8;
		struct sd_file *v = realloc(files->v, alloc * sizeof(*v));

		if (!v)
			goto out_free;
		files->v = v;
		files->alloc = alloc;
	}
	files->v[files->n++] = (struct sd_file){ .name = name, .text = text, .is_target = is_target };
	return 0;
out_free:
	free(name);
	free(text);
	return -ENOMEM;
}

/* ---------------------------------------------------------------------- */
/* Names */

bool sd_use_instance_name(const struct gx_instance *inst, size_t n_instances)
{
	return n_instances > 1 || !inst->name_is_default;
}

char *sd_prefix(const struct gx_instance *inst, bool use_name)
{
	char *s = NULL;

	if (asprintf(&s, "galaxy%s%s", use_name ? "-" : "", use_name ? inst->name : "") < 0)
		return NULL;
	return s;
}

char *sd_target_name(const struct gx_instance *inst, bool use_name)
{
	char *s = NULL;

	if (asprintf(&s, "galaxy%s%s.target", use_name ? "-" : "", use_name ? inst->name : "") < 0)
		return NULL;
	return s;
}

char *sd_unit_file_name(const struct gx_service *svc, bool use_name)
{
	char *prefix = sd_prefix(svc->instance, use_name), *s = NULL;

	if (prefix && asprintf(&s, "%s-%s%s", prefix, svc->name,
			       svc->count > 1 ? "@.service" : ".service") < 0)
		s = NULL;
	free(prefix);
	return s;
}

char *sd_unit_name(const struct gx_service *svc, unsigned process, bool use_name)
{
	char *prefix = sd_prefix(svc->instance, use_name), *s = NULL;
	int n;

	if (!prefix)
		return NULL;
	if (svc->count > 1)
		n = asprintf(&s, "%s-%s@%u.service", prefix, svc->name, process);
	else
		n = asprintf(&s, "%s-%s.service", prefix, svc->name);
	free(prefix);
	return n < 0 ? NULL : s;
}

int sd_push_unit_names(const struct gx_host *h, const struct gx_service *svc, bool use_name,
		       struct gx_strv *out)
{
	for (unsigned i = 0; i < svc->count; i++) {
		char *name = sd_unit_name(svc, i, use_name);
		int r = name ? h->strv_push(out, name) : -ENOMEM;

		free(name);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Service units */

/* What one instance's services share while rendering. */
struct sd_render {
	const struct gx_host *h;
	const struct sd_render_opts *o;
	const struct gx_instance *inst;
	bool use_name;
	const char *venv; /* the configured virtualenv, or the $VIRTUAL_ENV fallback */
	struct gx_error *err;
};

static int sd_oom(const struct sd_render *r)
{
	return r->h->errorf(r->err, NULL, -ENOMEM, "out of memory");
}

/* value with control characters shown as C escapes, for a message (heap; NULL on ENOMEM). */
static char *sd_printable(const char *value)
{
	struct sd_buf b = { 0 };

	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if (*p == '\n')
			sd_buf_add(&b, "\\n");
		else if (*p == '\t')
			sd_buf_add(&b, "\\t");
		else if (*p == '\r')
			sd_buf_add(&b, "\\r");
		else if (*p < 0x20 || *p == 0x7f)
			sd_buf_addf(&b, "\\x%02x", *p);
		else
			sd_buf_addn(&b, (const char *)p, 1);
	}
	return sd_buf_steal(&b);
}

/*
 * Where key was set: the service's section (svc may be NULL), else the
 * gravity section; NULL when it is a default.  Errors point there.
 */
static const struct gx_node *sd_where(const struct sd_render *r, const struct gx_service *svc,
				      const char *key)
{
	const struct gx_node *n = svc ? r->h->get(svc->settings[0], key) : NULL;

	return n && n->mark.line ? n : r->h->get(r->inst->gravity, key);
}

/* The environment: entry that set name (name_len bytes), or NULL. */
static const struct gx_node *sd_env_where(const struct sd_render *r,
					  const struct gx_service *svc, const char *name,
					  size_t name_len)
{
	const struct gx_node *extra = r->h->get(svc->settings[0], "environment");
	char key[256];

	if (!extra || name_len >= sizeof(key))
		return NULL;
	memcpy(key, name, name_len);
	key[name_len] = '\0';
	return r->h->get(extra, key);
}

static int sd_unrepresentable(const struct sd_render *r, const struct gx_node *at,
			      const char *what, const char *value)
{
	char *shown = sd_printable(value);
	int rc;

	rc = r->h->errorf(r->err, at, -EINVAL,
			  "%s of instance %s cannot be written into a systemd unit (it holds a "
			  "newline or another control character): \"%s\"",
			  what, r->inst->name, shown ? shown : "");
	free(shown);
	return rc;
}

/* "KEY=VALUE" of the environment, written as an Environment= line. */
static int sd_add_env_line(const struct sd_render *r, const struct gx_service *svc,
			   struct sd_buf *b, const char *name, size_t name_len, const char *value)
{
	if (!sd_env_name_ok(name, name_len))
		return r->h->errorf(r->err, sd_env_where(r, svc, name, name_len), -EINVAL,
				    "environment variable name '%.*s' of instance %s cannot be "
				    "written into a systemd unit",
				    (int)name_len, name, r->inst->name);
	sd_buf_add(b, b->len ? "\nEnvironment=" : "Environment=");
	sd_buf_addn(b, name, name_len);
	sd_buf_add(b, "=");
	if (!sd_quote_env_value(b, value)) {
		char what[256];

		snprintf(what, sizeof(what), "the environment variable %.*s", (int)name_len, name);
		return sd_unrepresentable(r, sd_env_where(r, svc, name, name_len), what, value);
	}
	return 0;
}

/* The PATH upstream writes: the virtualenv's bin/ before the user's PATH or the manager's. */
static char *sd_env_path(const struct sd_render *r, const struct gx_service *svc)
{
	const struct gx_node *extra = r->h->get(svc->settings[0], "environment");
	const char *user = extra ? r->h->get_str(extra, "PATH") : NULL;
	const char *base = user ? user : r->o->manager_path ? r->o->manager_path : getenv("PATH");
	char *s = NULL;

	if (asprintf(&s, "%s/bin/:%s", r->venv, base ? base : "") < 0)
		return NULL;
	return s;
}

/* Environment= lines of a direct-style service, PATH last as upstream orders it. */
static int sd_render_env(const struct sd_render *r, const struct gx_service *svc, char **ret)
{
	struct gx_strv env = { 0 };
	struct sd_buf b = { 0 };
	char *path = NULL;
	int rc;

	rc = r->h->service_env(svc, 0, &env, r->err);
	for (size_t i = 0; rc == 0 && i < env.n; i++) {
		const char *eq = strchr(env.v[i], '=');
		size_t len = eq ? (size_t)(eq - env.v[i]) : strlen(env.v[i]);

		if (r->venv && len == 4 && strncmp(env.v[i], "PATH", 4) == 0)
			continue;
		rc = sd_add_env_line(r, svc, &b, env.v[i], len, eq ? eq + 1 : "");
	}
	if (rc == 0 && r->venv) {
		path = sd_env_path(r, svc);
		rc = path ? sd_add_env_line(r, svc, &b, "PATH", 4, path) : sd_oom(r);
	}
	r->h->strv_release(&env);
	free(path);
	if (rc < 0) {
		sd_buf_release(&b);
		return rc;
	}
	*ret = sd_buf_steal(&b);
	return *ret ? 0 : sd_oom(r);
}

static int sd_render_direct_command(const struct sd_render *r, const struct gx_service *svc,
				    struct sd_buf *b)
{
	struct gx_strv argv = { 0 };
	int rc;

	if (svc->count > 1)
		return r->h->errorf(r->err, NULL, -EINVAL,
				    "service %s of instance %s runs %u processes, which needs "
				    "service_command_style: gravity under systemd",
				    svc->name, r->inst->name, svc->count);
	/* With the $VIRTUAL_ENV fallback, the commands are built as if it were the virtualenv. */
	rc = r->venv == r->inst->virtualenv
		     ? r->h->service_argv(svc, 0, &argv, r->err)
		     : r->h->service_argv_with_virtualenv(svc, 0, r->venv, &argv, r->err);
	for (size_t i = 0; rc == 0 && i < argv.n; i++) {
		if (i > 0)
			sd_buf_add(b, " ");
		if (!sd_quote_exec_word(b, argv.v[i], i == 0))
			rc = sd_unrepresentable(r, NULL, "the command", argv.v[i]);
	}
	r->h->strv_release(&argv);
	return rc;
}

/* galaxyctl --config-file CONFIG exec [--service-instance %i] INSTANCE SERVICE */
static int sd_render_gravity_command(const struct sd_render *r, const struct gx_service *svc,
				     struct sd_buf *b)
{
	if (!r->o->self_exe)
		return r->h->errorf(r->err, NULL, -ENOENT,
				    "cannot tell where galaxyctl is, to write it into the units");
	if (!sd_quote_exec_word(b, r->o->self_exe, true))
		return sd_unrepresentable(r, NULL, "the path of galaxyctl", r->o->self_exe);
	sd_buf_add(b, " --config-file ");
	if (!sd_quote_exec_word(b, r->inst->config_file, false))
		return sd_unrepresentable(r, NULL, "the config file path", r->inst->config_file);
	sd_buf_add(b, svc->count > 1 ? " exec --service-instance %i " : " exec ");
	if (!sd_quote_exec_word(b, r->inst->name, false))
		return sd_unrepresentable(r, NULL, "the instance name", r->inst->name);
	sd_buf_add(b, " ");
	if (!sd_quote_exec_word(b, svc->name, false))
		return sd_unrepresentable(r, NULL, "the service name", svc->name);
	return 0;
}

/* The lines upstream writes in its {systemd_user_group} slot. */
static int sd_render_user_group(const struct sd_render *r, struct sd_buf *b)
{
	if (r->o->user_mode)
		return 0;
	if (!r->inst->galaxy_user)
		return r->h->errorf(r->err, NULL, -EINVAL,
				    "galaxy_user is required when writing system units (as root, or "
				    "with --no-user): set it in %s",
				    r->inst->config_file);
	sd_buf_add(b, "User=");
	if (!sd_escape_value(b, r->inst->galaxy_user))
		return sd_unrepresentable(r, sd_where(r, NULL, "galaxy_user"), "galaxy_user",
					  r->inst->galaxy_user);
	if (r->inst->galaxy_group) {
		sd_buf_add(b, "\nGroup=");
		if (!sd_escape_value(b, r->inst->galaxy_group))
			return sd_unrepresentable(r, sd_where(r, NULL, "galaxy_group"), "galaxy_group",
						  r->inst->galaxy_group);
	}
	return 0;
}

/* MemoryMax=, MemoryHigh= and LogNamespace=, in upstream's {systemd_memory_limit} slot. */
static int sd_render_limits(const struct sd_render *r, const struct gx_service *svc,
			    struct sd_buf *b)
{
	const char *ns = r->h->get_str(r->inst->gravity, "log_namespace");

	if (svc->memory_limit > 0) {
		sd_buf_add(b, "MemoryMax=");
		sd_format_gb(b, svc->memory_limit);
	}
	if (svc->memory_high > 0) {
		sd_buf_add(b, b->len ? "\nMemoryHigh=" : "MemoryHigh=");
		sd_format_gb(b, svc->memory_high);
	}
	if (ns && *ns) {
		sd_buf_add(b, b->len ? "\nLogNamespace=" : "LogNamespace=");
		if (!sd_escape_value(b, ns))
			return sd_unrepresentable(r, sd_where(r, svc, "log_namespace"), "log_namespace", ns);
	}
	return 0;
}

static int sd_render_description(const struct sd_render *r, const struct gx_service *svc,
				 struct sd_buf *b)
{
	sd_buf_add(b, "Description=Galaxy");
	if (r->use_name) {
		sd_buf_add(b, " ");
		if (!sd_escape_value(b, r->inst->name))
			return sd_unrepresentable(r, NULL, "the instance name", r->inst->name);
	}
	sd_buf_add(b, " ");
	if (!sd_escape_value(b, svc->name))
		return sd_unrepresentable(r, NULL, "the service name", svc->name);
	if (svc->count > 1)
		sd_buf_add(b, " (process %i)");
	return 0;
}

/* A slot of the template: its text (possibly empty) and a newline, as str.format() leaves it. */
static void sd_slot(struct sd_buf *b, struct sd_buf *slot)
{
	if (slot->s)
		sd_buf_add(b, slot->s);
	sd_buf_add(b, "\n");
	sd_buf_release(slot);
}

static int sd_render_service(const struct sd_render *r, const struct gx_service *svc,
			     char **ret)
{
	bool direct = strcmp(r->inst->service_command_style, "direct") == 0;
	enum gx_graceful method = svc->type->graceful ? svc->type->graceful(r->h, svc)
						       : GX_GRACEFUL_DEFAULT;
	struct sd_buf b = { 0 }, slot = { 0 };
	char *target = sd_target_name(r->inst, r->use_name);
	char *env = NULL;
	int rc;

	if (!target)
		return sd_oom(r);
	sd_buf_add(&b, SD_HEADER "[Unit]\n");
	rc = sd_render_description(r, svc, &b);
	if (rc < 0)
		goto out_free;
	sd_buf_addf(&b, "\nAfter=network.target\nAfter=time-sync.target\nPartOf=%s\n\n", target);
	sd_buf_add(&b, "[Service]\nUMask=");
	if (!sd_escape_value(&b, svc->umask)) {
		rc = sd_unrepresentable(r, sd_where(r, svc, "umask"), "umask", svc->umask);
		goto out_free;
	}
	sd_buf_add(&b, "\nType=simple\n");
	rc = sd_render_user_group(r, &slot);
	if (rc < 0)
		goto out_free;
	sd_slot(&b, &slot);
	sd_buf_add(&b, "WorkingDirectory=");
	if (!sd_escape_value(&b, r->inst->working_dir)) {
		rc = sd_unrepresentable(r, sd_where(r, NULL, "galaxy_root"), "galaxy_root",
					 r->inst->working_dir);
		goto out_free;
	}
	sd_buf_addf(&b, "\nTimeoutStartSec=%ld\nTimeoutStopSec=%ld\nExecStart=", svc->start_timeout,
		    svc->stop_timeout);
	rc = direct ? sd_render_direct_command(r, svc, &b) : sd_render_gravity_command(r, svc, &b);
	if (rc < 0)
		goto out_free;
	sd_buf_add(&b, "\n");
	if (method == GX_GRACEFUL_SIGHUP)
		sd_buf_add(&slot, "ExecReload=/bin/kill -HUP $MAINPID");
	sd_slot(&b, &slot);
	if (direct) {
		rc = sd_render_env(r, svc, &env);
		if (rc < 0)
			goto out_free;
		sd_buf_add(&slot, env);
	}
	sd_slot(&b, &slot);
	rc = sd_render_limits(r, svc, &slot);
	if (rc < 0)
		goto out_free;
	sd_slot(&b, &slot);
	sd_buf_add(&b, "Restart=always\n\nMemoryAccounting=yes\nCPUAccounting=yes\n"
		       "BlockIOAccounting=yes\n\n[Install]\nWantedBy=multi-user.target\n");
	*ret = sd_buf_steal(&b);
	rc = *ret ? 0 : sd_oom(r);
out_free:
	sd_buf_release(&slot);
	sd_buf_release(&b);
	free(env);
	free(target);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* The target */

static int sd_render_target(const struct sd_render *r, char **ret)
{
	struct gx_strv wants = { 0 };
	struct sd_buf b = { 0 };
	char hash[SD_HASH_LEN + 1];
	int rc = 0;

	sd_path_hash(r->inst->config_file, hash);
	for (size_t i = 0; rc == 0 && i < r->inst->n_services; i++)
		rc = sd_push_unit_names(r->h, r->inst->services[i], r->use_name, &wants);
	if (rc < 0) {
		r->h->strv_release(&wants);
		return sd_oom(r);
	}
	sd_buf_add(&b, SD_HEADER "; This allows Gravity to keep track of which units it controls "
			       "and should not be changed\n; " SD_HASH_KEY);
	sd_buf_addf(&b, "%s\n\n[Unit]\nDescription=Galaxy", hash);
	if (r->use_name) {
		sd_buf_add(&b, " ");
		sd_escape_value(&b, r->inst->name); /* checked with the service units */
	}
	sd_buf_add(&b, "\nAfter=network.target\nAfter=time-sync.target\nWants=");
	for (size_t i = 0; i < wants.n; i++)
		sd_buf_addf(&b, "%s%s", i ? " " : "", wants.v[i]);
	sd_buf_add(&b, "\n\n[Install]\nWantedBy=multi-user.target\n");
	r->h->strv_release(&wants);
	*ret = sd_buf_steal(&b);
	return *ret ? 0 : sd_oom(r);
}

/* ---------------------------------------------------------------------- */

/* Upstream's rule: the virtualenv is required, except that user mode may take $VIRTUAL_ENV. */
static int sd_render_venv(struct sd_render *r)
{
	r->venv = r->inst->virtualenv;
	if (r->venv)
		return 0;
	if (r->o->user_mode && r->o->virtual_env && *r->o->virtual_env) {
		r->h->log(GX_LOG_WARNING, "Assuming Galaxy virtualenv is value of $VIRTUAL_ENV: %s",
			  r->o->virtual_env);
		r->h->log(GX_LOG_WARNING, "Set `virtualenv` in Gravity configuration to override");
		r->venv = r->o->virtual_env;
		return 0;
	}
	/* -ENOENT: a requirement update reports, not a value no unit can hold. */
	return r->h->errorf(r->err, NULL, -ENOENT,
			    "The `virtualenv` Gravity config option must be set when using the "
			    "systemd process manager (instance %s, %s)",
			    r->inst->name, r->inst->config_file);
}

static int sd_render_check_names(const struct sd_render *r)
{
	/* Units and their target are tied to the config by its path's hash: no file, no units. */
	if (!r->inst->config_file)
		return r->h->errorf(r->err, NULL, -EINVAL,
				    "instance %s has no config file, which the systemd process "
				    "manager needs: use -c or $GALAXY_CONFIG_FILE", r->inst->name);
	if (r->use_name && !sd_unit_name_part_ok(r->inst->name))
		return r->h->errorf(r->err, NULL, -EINVAL,
				    "instance name '%s' cannot be used in systemd unit names "
				    "(use letters, digits, ':', '_', '.' and '-')",
				    r->inst->name);
	for (size_t i = 0; i < r->inst->n_services; i++)
		if (!sd_unit_name_part_ok(r->inst->services[i]->name))
			return r->h->errorf(r->err, NULL, -EINVAL,
					    "service name '%s' of instance %s cannot be used in "
					    "systemd unit names",
					    r->inst->services[i]->name, r->inst->name);
	if (!r->inst->working_dir)
		return r->h->errorf(r->err, NULL, -EINVAL,
				    "the Galaxy root of instance %s is unknown: set galaxy_root in %s",
				    r->inst->name, r->inst->config_file);
	return 0;
}

int sd_render_instance(const struct gx_host *h, const struct sd_render_opts *o,
		       const struct gx_instance *inst, bool use_name, struct sd_files *out,
		       struct gx_error *err)
{
	struct sd_render r = { .h = h, .o = o, .inst = inst, .use_name = use_name, .err = err };
	struct sd_files files = { 0 };
	char *text = NULL;
	int rc;

	rc = sd_render_check_names(&r);
	if (rc == 0)
		rc = sd_render_venv(&r);
	for (size_t i = 0; rc == 0 && i < inst->n_services; i++) {
		const struct gx_service *svc = inst->services[i];

		rc = sd_render_service(&r, svc, &text);
		if (rc == 0 && sd_files_add(&files, sd_unit_file_name(svc, use_name), text, false) < 0)
			rc = sd_oom(&r);
	}
	if (rc == 0)
		rc = sd_render_target(&r, &text);
	if (rc == 0 && sd_files_add(&files, sd_target_name(inst, use_name), text, true) < 0)
		rc = sd_oom(&r);
	/* Move everything over only once the whole instance rendered. */
	for (size_t i = 0; rc == 0 && i < files.n; i++) {
		rc = sd_files_add(out, files.v[i].name, files.v[i].text, files.v[i].is_target);
		files.v[i].name = files.v[i].text = NULL;
		if (rc < 0)
			sd_oom(&r);
	}
	sd_files_release(&files);
	return rc;
}
