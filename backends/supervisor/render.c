/* SPDX-License-Identifier: MIT */
/* Gravity's supervisor names and file contents: programs, groups, supervisord.conf. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv.h"

static const char sv_program_template_head[] =
	";\n"
	"; This file is maintained by Gravity - CHANGES WILL BE OVERWRITTEN\n"
	";\n"
	"\n";

static const char sv_galaxy_template_head[] =
	";\n"
	"; This file is maintained by Galaxy - CHANGES WILL BE OVERWRITTEN\n"
	";\n"
	"\n";

static void sv_strings_free(char **v, unsigned n)
{
	for (unsigned i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void sv_program_release(struct sv_program *p)
{
	free(p->program);
	free(p->process_name);
	free(p->file);
	free(p->log_pattern);
	sv_strings_free(p->groups, p->count);
	sv_strings_free(p->names, p->count);
	sv_strings_free(p->namespecs, p->count);
	sv_strings_free(p->logs, p->count);
	memset(p, 0, sizeof(*p));
}

/* supervisord's group and process name of process i, and the log file it writes. */
static int sv_program_process(struct sv_program *p, const struct gx_service *svc, bool uin,
			      unsigned i)
{
	const char *log_dir = svc->instance->log_dir;

	p->groups[i] = strdup(uin ? svc->instance->name : p->program);
	if (p->count > 1) {
		p->names[i] = uin ? sv_strdupf("%s%u", svc->name, i)
				  : sv_strdupf("%s_%u", p->program, i);
		p->logs[i] = sv_strdupf("%s/%s_%u.log", log_dir, p->program, i);
	} else {
		p->names[i] = strdup(uin ? svc->name : p->program);
		p->logs[i] = sv_strdupf("%s/%s.log", log_dir, p->program);
	}
	if (!p->groups[i] || !p->names[i] || !p->logs[i])
		return -ENOMEM;
	p->namespecs[i] = strcmp(p->groups[i], p->names[i]) == 0
				  ? strdup(p->names[i])
				  : sv_strdupf("%s:%s", p->groups[i], p->names[i]);
	return p->namespecs[i] ? 0 : -ENOMEM;
}

int sv_program_init(struct sv_program *p, const struct gx_service *svc, bool uin)
{
	const struct gx_instance *inst = svc->instance;
	int r = 0;

	memset(p, 0, sizeof(*p));
	p->count = svc->count ? svc->count : 1;
	p->program = uin ? sv_strdupf("%s_%s_%s", inst->name, svc->config_type, svc->name)
			 : strdup(svc->name);
	if (p->count > 1)
		p->process_name = uin ? sv_strdupf("%s%%(process_num)d", svc->name)
				      : strdup("%(program_name)s_%(process_num)d");
	else
		p->process_name = strdup(uin ? svc->name : "%(program_name)s");
	p->file = sv_strdupf("%s_%s.conf", svc->config_type, svc->name);
	p->log_pattern = p->program ? sv_strdupf("%s/%s%s.log", inst->log_dir, p->program,
						 p->count > 1 ? "_%(process_num)d" : "")
				    : NULL;
	p->groups = calloc(p->count, sizeof(char *));
	p->names = calloc(p->count, sizeof(char *));
	p->namespecs = calloc(p->count, sizeof(char *));
	p->logs = calloc(p->count, sizeof(char *));
	if (!p->program || !p->process_name || !p->file || !p->log_pattern || !p->groups ||
	    !p->names || !p->namespecs || !p->logs)
		r = -ENOMEM;
	for (unsigned i = 0; r == 0 && i < p->count; i++)
		r = sv_program_process(p, svc, uin, i);
	if (r < 0)
		sv_program_release(p);
	return r;
}

/* ---------------------------------------------------------------------- */
/* Program files */

static int sv_render_oom(const struct gx_host *h, struct gx_error *err)
{
	return h->errorf(err, NULL, -ENOMEM, "out of memory");
}

/* at: the config node that set the value, for the error's file:line:col (NULL: derived). */
static int sv_cannot(const struct gx_host *h, struct gx_error *err, const struct gx_node *at,
		     const struct gx_service *svc, const char *what, const char *value,
		     const char *why)
{
	return h->errorf(err, at, -EINVAL,
			 "%s (instance %s): %s '%s' cannot be written in a supervisor config: %s",
			 svc->name, svc->instance->name, what, value, why);
}

/* A plain value line (a path): checked, then %-escaped for times expansions. */
static int sv_put_path(const struct gx_host *h, struct sv_buf *b, const struct gx_service *svc,
		       const char *what, const char *value, unsigned times, struct gx_error *err)
{
	const char *why = sv_value_problem(value);
	size_t len = strlen(value);

	if (!why && len && (value[0] == ' ' || value[0] == '\t' || value[len - 1] == ' ' ||
			    value[len - 1] == '\t'))
		why = "it starts or ends with whitespace, which supervisor strips";
	if (why)
		return sv_cannot(h, err, h->get(svc->instance->gravity, what), svc, what, value, why);
	sv_put_escaped(b, value, times);
	return 0;
}

static int sv_put_words(const struct gx_host *h, struct sv_buf *b, const struct gx_service *svc,
			char *const *words, const bool *raw, size_t n, struct gx_error *err)
{
	for (size_t i = 0; i < n; i++) {
		const char *why = NULL;

		if (i)
			sv_buf_putc(b, ' ');
		if (sv_put_command_word(b, words[i], raw && raw[i], &why) < 0)
			return sv_cannot(h, err, NULL, svc, "command word", words[i], why);
	}
	return 0;
}

/* `galaxyctl --config-file FILE exec [--service-instance %(process_num)d] INSTANCE SERVICE` */
static int sv_put_gravity_command(const struct gx_host *h, struct sv_buf *b,
				  const struct gx_service *svc, struct gx_error *err)
{
	const struct gx_instance *inst = svc->instance;
	char *words[8];
	bool raw[8] = { false };
	size_t n = 0;

	if (!h->self_exe)
		return h->errorf(err, NULL, -ENOENT, "cannot tell where galaxyctl itself is");
	words[n++] = (char *)h->self_exe;
	if (inst->config_file) {
		words[n++] = (char *)"--config-file";
		words[n++] = inst->config_file;
	}
	words[n++] = (char *)"exec";
	if (svc->count > 1) {
		words[n++] = (char *)"--service-instance";
		raw[n] = true;
		words[n++] = (char *)"%(process_num)d";
	}
	words[n++] = inst->name;
	words[n++] = svc->name;
	return sv_put_words(h, b, svc, words, raw, n, err);
}

static int sv_put_direct_command(const struct gx_host *h, struct sv_buf *b,
				 const struct gx_service *svc, struct gx_error *err)
{
	struct gx_strv argv = { 0 };
	int r;

	if (svc->count > 1)
		return h->errorf(err, NULL, -EINVAL,
				 "%s (instance %s): %u processes of one program need "
				 "service_command_style: gravity with supervisor",
				 svc->name, svc->instance->name, svc->count);
	r = h->service_argv(svc, 0, &argv, err);
	if (r == 0 && argv.n == 0)
		r = h->errorf(err, NULL, -EINVAL, "%s (instance %s): the command is empty",
			      svc->name, svc->instance->name);
	if (r == 0)
		r = sv_put_words(h, b, svc, argv.v, NULL, argv.n, err);
	h->strv_release(&argv);
	return r;
}

/* The environment: option as written, for where upstream puts PATH. */
static const struct gx_node *sv_user_env(const struct gx_host *h, const struct gx_service *svc)
{
	const struct gx_node *env = h->get(svc->settings[0], "environment");

	return env && env->kind == GX_NODE_MAPPING ? env : NULL;
}

static long sv_user_env_index(const struct gx_node *user, const char *name)
{
	for (size_t i = 0; user && i < user->n; i++)
		if (strcmp(user->pairs[i].key->scalar, name) == 0)
			return (long)i;
	return -1;
}

static int sv_put_env_pair(const struct gx_host *h, struct sv_buf *b,
			   const struct gx_service *svc, const char *entry, const char *raw_tail,
			   bool *first, struct gx_error *err)
{
	const char *eq = strchr(entry, '=');
	const char *why = NULL;
	char *name = strndup(entry, (size_t)(eq - entry));
	const struct gx_node *user = sv_user_env(h, svc);

	if (!name)
		return sv_render_oom(h, err);
	if (!sv_env_name_ok(name)) {
		int r = sv_cannot(h, err, user ? h->get(user, name) : NULL, svc,
				  "environment variable name", name,
				  "supervisor only takes letters, digits and '_'");

		free(name);
		return r;
	}
	sv_buf_printf(b, "%s%s=", *first ? "" : ",", name);
	*first = false;
	if (sv_put_env_value(b, eq + 1, raw_tail, &why) < 0) {
		int r = sv_cannot(h, err, user ? h->get(user, name) : NULL, svc,
				  "environment value of", name, why);

		free(name);
		return r;
	}
	free(name);
	return 0;
}

/*
 * The service's environment in upstream's order: its own variables,
 * VIRTUAL_ENV, the environment: option, and with a virtualenv PATH last
 * (or where the option sets it) as "<venv>/bin/:" before supervisord's
 * own PATH, %(ENV_PATH)s, or the option's PATH.
 */
static int sv_put_direct_env(const struct gx_host *h, struct sv_buf *b,
			     const struct gx_service *svc, struct gx_error *err)
{
	const struct gx_instance *inst = svc->instance;
	const struct gx_node *user = sv_user_env(h, svc);
	long user_path = sv_user_env_index(user, "PATH");
	struct gx_strv env = { 0 };
	char *path = NULL;
	long path_at = -1; /* index in env where our PATH goes, env.n for the end */
	bool first = true, after_path = false;
	int r;

	r = h->service_env(svc, 0, &env, err);
	if (r < 0)
		goto out;
	if (inst->virtualenv) {
		const struct gx_node *up = user_path >= 0 ? user->pairs[user_path].value : NULL;

		if (asprintf(&path, "PATH=%s/bin/:%s", inst->virtualenv,
			     user_path < 0 ? "" : h->is_null(up) ? "" : up->scalar) < 0) {
			path = NULL;
			r = sv_render_oom(h, err);
			goto out;
		}
		path_at = (long)env.n;
		for (size_t i = 0; user_path >= 0 && i < env.n; i++) {
			if (strncmp(env.v[i], "PATH=", 5) == 0) {
				after_path = true;
				continue;
			}
			if (after_path) {
				char *name = strndup(env.v[i], strcspn(env.v[i], "="));
				long at = name ? sv_user_env_index(user, name) : -1;

				free(name);
				if (at > user_path) {
					path_at = (long)i;
					break;
				}
			}
		}
	}
	for (size_t i = 0; r == 0 && i <= env.n; i++) {
		if (path && (long)i == path_at)
			r = sv_put_env_pair(h, b, svc, path, user_path < 0 ? "%(ENV_PATH)s" : NULL,
					    &first, err);
		if (r == 0 && i < env.n && !(path && strncmp(env.v[i], "PATH=", 5) == 0))
			r = sv_put_env_pair(h, b, svc, env.v[i], NULL, &first, err);
	}
out:
	free(path);
	h->strv_release(&env);
	return r;
}

static int sv_check_name(const struct gx_host *h, const char *what, const char *name,
			 struct gx_error *err)
{
	const char *why = sv_name_problem(name);

	if (!why)
		return 0;
	return h->errorf(err, NULL, -EINVAL,
			 "%s '%s' cannot be used in supervisor program names: %s", what, name, why);
}

int sv_render_program(const struct gx_host *h, const struct gx_service *svc, bool uin,
		      char **ret, struct gx_error *err)
{
	const struct gx_instance *inst = svc->instance;
	bool direct = strcmp(inst->service_command_style, "direct") == 0;
	struct sv_program p;
	struct sv_buf b = { 0 };
	char *text;
	int r;

	r = sv_check_name(h, "service name", svc->name, err);
	if (r == 0 && uin)
		r = sv_check_name(h, "instance name", inst->name, err);
	if (r == 0)
		r = sv_check_name(h, "service type", svc->config_type, err);
	if (r < 0)
		return r;
	if (sv_program_init(&p, svc, uin) < 0)
		return sv_render_oom(h, err);
	sv_buf_puts(&b, sv_program_template_head);
	sv_buf_printf(&b, "[program:%s]\n", p.program);
	sv_buf_puts(&b, "command         = ");
	r = direct ? sv_put_direct_command(h, &b, svc, err) : sv_put_gravity_command(h, &b, svc, err);
	if (r < 0)
		goto out;
	sv_buf_puts(&b, "\ndirectory       = ");
	r = sv_put_path(h, &b, svc, "galaxy_root", inst->working_dir, 1, err);
	if (r < 0)
		goto out;
	sv_buf_printf(&b,
		      "\numask           = %s\n"
		      "autostart       = true\n"
		      "autorestart     = true\n"
		      "stopasgroup     = true\n"
		      "startsecs       = %ld\n"
		      "stopwaitsecs    = %ld\n"
		      "environment     = ",
		      svc->umask, svc->start_timeout, svc->stop_timeout);
	if (direct) {
		r = sv_put_direct_env(h, &b, svc, err);
		if (r < 0)
			goto out;
	}
	sv_buf_printf(&b,
		      "\nnumprocs        = %u\n"
		      "numprocs_start  = 0\n"
		      "process_name    = %s\n"
		      "stdout_logfile  = ",
		      p.count, p.process_name);
	/* stdout_logfile is expanded twice; only the log dir part is ours to escape. */
	r = sv_put_path(h, &b, svc, "log_dir", inst->log_dir, 2, err);
	if (r < 0)
		goto out;
	sv_buf_puts(&b, p.log_pattern + strlen(inst->log_dir));
	sv_buf_puts(&b, "\nredirect_stderr = true\n");
	text = sv_buf_steal(&b);
	if (!text) {
		r = sv_render_oom(h, err);
		goto out;
	}
	*ret = text;
out:
	sv_buf_release(&b);
	sv_program_release(&p);
	return r;
}

int sv_render_group(const struct gx_host *h, const struct gx_instance *inst, char **ret,
		    struct gx_error *err)
{
	struct sv_buf b = { 0 };
	const char *why = sv_name_problem(inst->name);
	char *text;

	if (why)
		return h->errorf(err, NULL, -EINVAL,
				 "instance name '%s' cannot be used as a supervisor group name: %s",
				 inst->name, why);
	sv_buf_puts(&b, sv_galaxy_template_head);
	sv_buf_printf(&b, "[group:%s]\nprograms = ", inst->name);
	for (size_t i = 0; i < inst->n_services; i++)
		sv_buf_printf(&b, "%s%s_%s_%s", i ? "," : "", inst->name,
			      inst->services[i]->config_type, inst->services[i]->name);
	sv_buf_putc(&b, '\n');
	text = sv_buf_steal(&b);
	if (!text)
		return sv_render_oom(h, err);
	*ret = text;
	return 0;
}

int sv_render_supervisord_conf(const struct gx_host *h, const char *socket, char **ret,
			       struct gx_error *err)
{
	struct sv_buf sock = { 0 }, b = { 0 };
	const char *why = socket ? sv_value_problem(socket) : NULL;
	char *text;

	if (why)
		return h->errorf(err, NULL, -EINVAL,
				 "$SUPERVISORD_SOCKET '%s' cannot be written in supervisord.conf: %s",
				 socket, why);
	if (socket)
		sv_put_escaped(&sock, socket, 1);
	else
		sv_buf_puts(&sock, "%(here)s/supervisor.sock");
	sv_buf_puts(&b, sv_galaxy_template_head);
	sv_buf_printf(&b,
		      "[unix_http_server]\n"
		      "file = %s\n"
		      "\n"
		      "[supervisord]\n"
		      "logfile = %%(here)s/supervisord.log\n"
		      "pidfile = %%(here)s/supervisord.pid\n"
		      "loglevel = info\n"
		      "nodaemon = false\n"
		      "\n"
		      "[rpcinterface:supervisor]\n"
		      "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n"
		      "\n"
		      "[supervisorctl]\n"
		      "serverurl = unix://%s\n"
		      "\n"
		      "[include]\n"
		      "files = supervisord.conf.d/*.d/*.conf supervisord.conf.d/*.conf\n",
		      sock.s ? sock.s : "", sock.s ? sock.s : "");
	text = sock.oom ? NULL : sv_buf_steal(&b);
	sv_buf_release(&sock);
	sv_buf_release(&b);
	if (!text)
		return sv_render_oom(h, err);
	*ret = text;
	return 0;
}
