/* SPDX-License-Identifier: MIT */
/* The direct manager's control socket: peer checks, requests, replies that wait for programs. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "manager_int.h"

/* How long a reply may wait for a slow reader before the client is dropped. */
/*
 * A reply waits this long for room in the client's socket buffer (its
 * output cap); a client that does not read is dropped rather than left to
 * freeze the event loop.
 */
#define SERVER_SEND_TIMEOUT_MS 200
/* Clients at once: with the spare fd, programs always have the fds they need. */
#define SERVER_MAX_CLIENTS 64

static const char *const server_state_names[GX_STATE_MAX] = {
	[GX_STATE_STARTING] = "STARTING", [GX_STATE_RUNNING] = "RUNNING",
	[GX_STATE_BACKOFF] = "BACKOFF",   [GX_STATE_STOPPING] = "STOPPING",
	[GX_STATE_STOPPED] = "STOPPED",   [GX_STATE_EXITED] = "EXITED",
	[GX_STATE_FATAL] = "FATAL",       [GX_STATE_UNKNOWN] = "UNKNOWN",
};

int mgr_server_listen(struct direct_manager *m, char *why, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, r;

	if (strlen(m->paths.sock) >= sizeof(sa.sun_path)) {
		snprintf(why, len, "the control socket path %s is longer than %zu bytes: "
			 "use a shorter --state-dir",
			 m->paths.sock, sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, m->paths.sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(why, len, "cannot create a socket: %s", strerror(errno));
		return -errno;
	}
	unlink(m->paths.sock); /* stale: the pid file lock says no manager owns it */
	old = umask(077);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r == 0)
		r = chmod(m->paths.sock, 0600);
	if (r == 0)
		r = listen(fd, 64);
	if (r < 0) {
		r = -errno;
		snprintf(why, len, "cannot listen on %s: %s", m->paths.sock, strerror(-r));
		close(fd);
		return r;
	}
	m->listenfd = fd;
	m->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	{
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &m->listen_tag };

		epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev);
	}
	return 0;
}

static void server_client_free(struct direct_manager *m, struct mgr_client *c)
{
	struct mgr_client **pp;

	for (pp = &m->clients; *pp && *pp != c; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = c->next;
	epoll_ctl(m->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	m->n_clients--;
	direct_linebuf_release(&c->in);
	direct_strv_free(c->names);
	json_decref(c->extra);
	free(c);
}

void mgr_clients_free(struct direct_manager *m)
{
	while (m->clients)
		server_client_free(m, m->clients);
}

/* Root, or the user the manager runs as. */
static bool server_peer_allowed(struct direct_manager *m, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	if (cred.uid == 0 || cred.uid == geteuid())
		return true;
	mgr_log(m, "WARN", "refused a control connection from uid %ld (pid %ld)", (long)cred.uid,
		(long)cred.pid);
	return false;
}

/* Out of fds: the spare one makes room to accept and close, so the backlog cannot spin us. */
static bool server_shed(struct direct_manager *m)
{
	int fd;

	if (m->spare_fd < 0)
		return false;
	close(m->spare_fd);
	fd = accept4(m->listenfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0)
		close(fd);
	m->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	mgr_log(m, "WARN", "out of file descriptors: refused a control connection");
	return fd >= 0;
}

/* Told, best effort and without waiting, why the connection closes at once. */
static void server_refuse(struct direct_manager *m, int fd)
{
	static const char busy[] =
		"{\"ok\": false, \"error\": \"the direct manager has too many control "
		"connections; try again\"}\n";

	if (write(fd, busy, sizeof(busy) - 1) < 0) {
		/* nothing more to do for a peer we are closing anyway */
	}
	close(fd);
	mgr_log(m, "WARN", "refused a control connection: %d are open already",
		SERVER_MAX_CLIENTS);
}

void mgr_server_accept(struct direct_manager *m)
{
	for (;;) {
		struct mgr_client *c;
		struct epoll_event ev = { .events = EPOLLIN };
		int fd = accept4(m->listenfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
			if (!server_shed(m))
				return;
			continue;
		}
		if (fd < 0)
			return;
		if (m->n_clients >= SERVER_MAX_CLIENTS) {
			server_refuse(m, fd);
			continue;
		}
		if (!server_peer_allowed(m, fd) || !(c = calloc(1, sizeof(*c)))) {
			close(fd);
			continue;
		}
		m->n_clients++;
		c->fd = fd;
		c->in.max = DIRECT_REQUEST_MAX;
		c->tag = (struct mgr_tag){ .source = MGR_SRC_CLIENT, .owner = c };
		c->next = m->clients;
		m->clients = c;
		ev.data.ptr = &c->tag;
		epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev);
	}
}

/* ---------------------------------------------------------------------- */
/* Replies */

static json_t *server_status(const struct mgr_prog *p)
{
	const struct direct_spec *s = p->spec;
	double uptime = p->pid > 0 ? (double)(mgr_now_ms() - p->spawned_ms) / 1000.0 : -1;

	return json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:f, s:I, s:I, s:s, s:s?, s:I}",
			 "name", s->name, "instance", s->instance, "service", s->service,
			 "process", (json_int_t)s->process, "state", server_state_names[p->state],
			 "pid", (json_int_t)p->pid, "uptime", uptime, "restarts",
			 (json_int_t)p->restarts, "exit_status", (json_int_t)p->exit_status,
			 "log", s->log, "error", p->why, "failures", (json_int_t)p->failures);
}

static json_t *server_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static json_t *server_error(const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return json_pack("{s:b, s:s}", "ok", 0, "error", text);
}

/* {"ok": true, "programs": [...]} for names (NULL: every program), plus extra's members. */
static json_t *server_reply(struct direct_manager *m, char *const *names, json_t *extra)
{
	json_t *list = json_array(), *reply;

	for (size_t i = 0; list && i < m->n_progs; i++) {
		bool wanted = !names;

		for (size_t k = 0; names && names[k] && !wanted; k++)
			wanted = strcmp(names[k], m->progs[i]->spec->name) == 0;
		if (wanted)
			json_array_append_new(list, server_status(m->progs[i]));
	}
	reply = json_pack("{s:b, s:I, s:o}", "ok", 1, "manager_pid", (json_int_t)getpid(),
			  "programs", list);
	if (reply && extra)
		json_object_update(reply, extra);
	return reply;
}

/*
 * The programs a request names, as a NULL-terminated vector of names
 * (every program when "names" is absent or null).  An unknown name is
 * skipped when skip_unknown, else NULL is returned with *error set.
 */
static char **server_names(struct direct_manager *m, json_t *req, bool skip_unknown,
			   json_t **error)
{
	json_t *names = json_object_get(req, "names");
	size_t n = json_is_array(names) ? json_array_size(names) : m->n_progs, k = 0;
	char **v = calloc(n + 1, sizeof(*v));

	if (!v) {
		*error = server_error("out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = json_is_array(names) ? json_string_value(json_array_get(names, i))
							: m->progs[i]->spec->name;

		if (name && !mgr_find(m, name) && skip_unknown)
			continue;
		if (!name || !mgr_find(m, name)) {
			*error = server_error("no such program: %s", name ? name : "(not a string)");
			direct_strv_free(v);
			return NULL;
		}
		v[k] = strdup(name);
		if (!v[k++]) {
			*error = server_error("out of memory");
			direct_strv_free(v);
			return NULL;
		}
	}
	return v;
}

/* Reply now (c NULL: in-process) or once the programs settle. */
static json_t *server_defer(struct direct_manager *m, struct mgr_client *c, enum mgr_wait wait,
			    char **names, json_t *extra)
{
	json_t *reply;

	if (c) {
		c->wait = wait;
		c->names = names;
		c->extra = extra;
		return NULL;
	}
	reply = server_reply(m, names, extra);
	direct_strv_free(names);
	json_decref(extra);
	return reply;
}

/* ---------------------------------------------------------------------- */
/* Requests */

static json_t *server_start_stop(struct direct_manager *m, json_t *req, struct mgr_client *c,
				 const char *op)
{
	json_t *error = NULL;
	char **names;

	if (m->shutting_down && strcmp(op, "stop") != 0)
		return server_error("the direct manager is shutting down");
	/* Stopping what does not exist is done already. */
	names = server_names(m, req, strcmp(op, "stop") == 0, &error);
	if (!names)
		return error;
	for (size_t i = 0; names[i]; i++) {
		struct mgr_prog *p = mgr_find(m, names[i]);

		if (strcmp(op, "start") == 0) {
			mgr_event(m, p, DIRECT_EV_START);
		} else if (strcmp(op, "stop") == 0) {
			p->start_after_stop = false;
			mgr_event(m, p, DIRECT_EV_STOP);
		} else if (direct_state_has_process(p->state)) {
			p->start_after_stop = true;
			mgr_event(m, p, DIRECT_EV_STOP);
		} else {
			mgr_event(m, p, DIRECT_EV_START);
		}
	}
	if (strcmp(op, "start") == 0) {
		json_t *reply = server_reply(m, names, NULL);

		direct_strv_free(names);
		return reply;
	}
	return server_defer(m, c, strcmp(op, "stop") == 0 ? MGR_WAIT_SETTLED : MGR_WAIT_IDLE, names,
			    NULL);
}

static json_t *server_signal(struct direct_manager *m, json_t *req)
{
	json_int_t sig = json_integer_value(json_object_get(req, "signal"));
	json_t *error = NULL, *reply;
	char **names;

	if (sig <= 0 || sig >= NSIG)
		return server_error("invalid signal number %lld", (long long)sig);
	names = server_names(m, req, false, &error);
	if (!names)
		return error;
	for (size_t i = 0; names[i]; i++)
		mgr_signal(m, mgr_find(m, names[i]), (int)sig);
	reply = server_reply(m, names, NULL);
	direct_strv_free(names);
	return reply;
}

static bool server_in(json_t *array, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(array, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

/* Every program of the request, parsed before anything changes. */
static int server_parse_programs(json_t *list, struct direct_spec ***ret, char *why, size_t len)
{
	size_t n = json_array_size(list);
	struct direct_spec **specs = calloc(n + 1, sizeof(*specs));
	int r = 0;

	if (!specs)
		return -ENOMEM;
	for (size_t i = 0; i < n && r == 0; i++) {
		r = direct_spec_from_json(json_array_get(list, i), &specs[i], why, len);
		for (size_t k = 0; r == 0 && k < i; k++)
			if (strcmp(specs[k]->name, specs[i]->name) == 0) {
				snprintf(why, len, "program %s is listed twice", specs[i]->name);
				r = -EINVAL;
			}
	}
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			direct_spec_free(specs[i]);
		free(specs);
		return r;
	}
	*ret = specs;
	return 0;
}

/* What an update does to one program; the update and its dry run ("plan") share it. */
enum server_change {
	SERVER_SAME,         /* the same command: its spec is refreshed, nothing restarts */
	SERVER_ADD,          /* new, and not started */
	SERVER_ADD_START,    /* new, and started */
	SERVER_RESTART,      /* changed and running: stopped, then started on the new spec */
	SERVER_CHANGE,       /* changed, not running: the spec is replaced */
	SERVER_CHANGE_START, /* changed and FATAL: replaced and started again */
};

static enum server_change server_change_of(const struct direct_manager *m,
					   const struct direct_spec *s, bool start)
{
	const struct mgr_prog *p = mgr_find(m, s->name);

	if (!p)
		return start ? SERVER_ADD_START : SERVER_ADD;
	if (direct_spec_same_exec(p->spec, s))
		return SERVER_SAME;
	if (direct_state_has_process(p->state))
		return SERVER_RESTART;
	/* A new command may cure a FATAL one (a program stopped on request stays stopped). */
	return start && p->state == GX_STATE_FATAL ? SERVER_CHANGE_START : SERVER_CHANGE;
}

/* Apply one program of an update; says what happened to it. */
static const char *server_update_one(struct direct_manager *m, struct direct_spec *s, bool start)
{
	enum server_change change = server_change_of(m, s, start);
	struct mgr_prog *p = mgr_find(m, s->name);

	if (!p) {
		if (mgr_add(m, s, &p) < 0) {
			direct_spec_free(s);
			return NULL;
		}
		if (change == SERVER_ADD_START)
			mgr_event(m, p, DIRECT_EV_START);
		return "added";
	}
	p->in_scope = false;
	p->remove_after_stop = false;
	if (change == SERVER_SAME) {
		if (p->next_spec) { /* a pending change was reverted */
			direct_spec_free(p->next_spec);
			p->next_spec = NULL;
		}
		mgr_set_spec(m, p, s);
		return NULL;
	}
	if (change == SERVER_RESTART) {
		direct_spec_free(p->next_spec);
		p->next_spec = s;
		p->start_after_stop = true;
		mgr_event(m, p, DIRECT_EV_STOP);
	} else {
		mgr_set_spec(m, p, s);
		if (change == SERVER_CHANGE_START)
			mgr_event(m, p, DIRECT_EV_START);
	}
	return "changed";
}

/* Is spec name among the programs of the request? */
static bool server_specs_have(struct direct_spec *const *specs, const char *name)
{
	for (size_t i = 0; specs[i]; i++)
		if (strcmp(specs[i]->name, name) == 0)
			return true;
	return false;
}

/*
 * update's dry run: what an update with the same request would do to each
 * program, and how many programs would be left; nothing changes.
 */
static json_t *server_plan(struct direct_manager *m, json_t *req)
{
	static const char *const words[] = {
		[SERVER_SAME] = NULL,           [SERVER_ADD] = "add",
		[SERVER_ADD_START] = "start",   [SERVER_RESTART] = "restart",
		[SERVER_CHANGE] = "change",     [SERVER_CHANGE_START] = "start",
	};
	json_t *instances = json_object_get(req, "instances"), *actions;
	struct direct_spec **specs = NULL;
	bool start = json_is_true(json_object_get(req, "start"));
	size_t left = 0;
	char why[512] = "";
	int r;

	if (m->shutting_down)
		return server_error("the direct manager is shutting down");
	if (!json_is_array(instances) || !json_is_array(json_object_get(req, "programs")))
		return server_error("plan needs instances and programs");
	r = server_parse_programs(json_object_get(req, "programs"), &specs, why, sizeof(why));
	if (r < 0)
		return server_error("%s", r == -ENOMEM ? "out of memory" : why);
	actions = json_array();
	for (size_t i = 0; specs[i]; i++) {
		const char *word = words[server_change_of(m, specs[i], start)];

		left++;
		if (word)
			json_array_append_new(actions, json_pack("{s:s, s:s}", "name", specs[i]->name,
								 "action", word));
	}
	for (size_t i = 0; i < m->n_progs; i++) {
		const struct mgr_prog *p = m->progs[i];

		if (server_specs_have(specs, p->spec->name))
			continue;
		if (!server_in(instances, p->spec->instance)) {
			left++; /* another instance's: the update leaves it alone */
			continue;
		}
		json_array_append_new(actions, json_pack("{s:s, s:s}", "name", p->spec->name, "action",
							 direct_state_has_process(p->state) ? "stop"
											    : "remove"));
	}
	for (size_t i = 0; specs[i]; i++)
		direct_spec_free(specs[i]);
	free(specs);
	return json_pack("{s:b, s:o, s:I}", "ok", 1, "actions", actions, "programs_after",
			 (json_int_t)left);
}

static json_t *server_update(struct direct_manager *m, json_t *req, struct mgr_client *c)
{
	json_t *instances = json_object_get(req, "instances");
	json_t *added, *changed, *removed, *extra;
	struct direct_spec **specs = NULL;
	bool start = json_is_true(json_object_get(req, "start"));
	char why[512] = "";
	size_t n_wait = 0;
	char **wait;
	int r;

	if (m->shutting_down)
		return server_error("the direct manager is shutting down");
	if (!json_is_array(instances) || !json_is_array(json_object_get(req, "programs")))
		return server_error("update needs instances and programs");
	r = server_parse_programs(json_object_get(req, "programs"), &specs, why, sizeof(why));
	if (r < 0)
		return server_error("%s", r == -ENOMEM ? "out of memory" : why);
	added = json_array();
	changed = json_array();
	removed = json_array();
	if (json_is_boolean(json_object_get(req, "exit_on_fatal")))
		m->exit_on_fatal = json_is_true(json_object_get(req, "exit_on_fatal"));
	for (size_t i = 0; i < m->n_progs; i++)
		m->progs[i]->in_scope = server_in(instances, m->progs[i]->spec->instance);
	for (size_t i = 0; specs[i]; i++) {
		const char *name = specs[i]->name;
		json_t *jname = json_string(name);
		const char *what = server_update_one(m, specs[i], start);

		if (what)
			json_array_append_new(strcmp(what, "added") == 0 ? added : changed, jname);
		else
			json_decref(jname);
	}
	free(specs);
	for (size_t i = 0; i < m->n_progs; i++) {
		struct mgr_prog *p = m->progs[i];

		if (!p->in_scope)
			continue;
		p->in_scope = false;
		p->remove_after_stop = true;
		p->start_after_stop = false;
		json_array_append_new(removed, json_string(p->spec->name));
		mgr_event(m, p, DIRECT_EV_STOP);
	}
	wait = calloc(json_array_size(changed) + json_array_size(removed) + 1, sizeof(*wait));
	for (size_t i = 0; wait && i < json_array_size(changed); i++)
		wait[n_wait++] = strdup(json_string_value(json_array_get(changed, i)));
	for (size_t i = 0; wait && i < json_array_size(removed); i++)
		wait[n_wait++] = strdup(json_string_value(json_array_get(removed, i)));
	extra = json_pack("{s:o, s:o, s:o}", "added", added, "changed", changed, "removed", removed);
	malloc_trim(0);
	return server_defer(m, c, MGR_WAIT_IDLE, wait, extra);
}

/*
 * Has the client of req given up?  It hung up (a SIGSTOPped manager reads
 * the request and the hang-up together once continued), or the deadline
 * it sent has passed.  Such a request is never carried out.
 */
static bool server_client_gave_up(const struct mgr_client *c, json_t *req)
{
	json_t *deadline = json_object_get(req, "deadline_ms");
	struct pollfd pfd = { .fd = c->fd, .events = POLLRDHUP };
	struct timespec now;

	if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)))
		return true;
	clock_gettime(CLOCK_REALTIME, &now);
	return json_is_integer(deadline) &&
	       json_integer_value(deadline) < (json_int_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

json_t *mgr_handle(struct direct_manager *m, json_t *req, struct mgr_client *c)
{
	const char *op = json_string_value(json_object_get(req, "op"));

	if (!op)
		return server_error("a request needs an op");
	if (c && server_client_gave_up(c, req)) {
		mgr_log(m, "WARNING", "dropped a %s request: its client gave up waiting", op);
		return server_error("the request came after its client gave up; it was not carried out");
	}
	/* ops: what this manager knows (keep it with the ops below), so that a newer client asks
	 * an older one only that. */
	if (strcmp(op, "ping") == 0)
		return json_pack("{s:b, s:I, s:I, s:s?, s:[sssssssss]}", "ok", 1, "manager_pid",
				 (json_int_t)getpid(), "programs", (json_int_t)m->n_progs, "path",
				 getenv("PATH"), "ops", "ping", "status", "start", "stop", "restart",
				 "signal", "update", "plan", "shutdown");
	if (strcmp(op, "status") == 0) {
		json_t *error = NULL, *reply;
		char **names = server_names(m, req, false, &error);

		if (!names)
			return error;
		reply = server_reply(m, names, NULL);
		direct_strv_free(names);
		return reply;
	}
	if (strcmp(op, "start") == 0 || strcmp(op, "stop") == 0 || strcmp(op, "restart") == 0)
		return server_start_stop(m, req, c, op);
	if (strcmp(op, "signal") == 0)
		return server_signal(m, req);
	if (strcmp(op, "update") == 0)
		return server_update(m, req, c);
	if (strcmp(op, "plan") == 0)
		return server_plan(m, req);
	if (strcmp(op, "shutdown") == 0) {
		mgr_log(m, "INFO", "shutdown requested, stopping every program");
		if (!m->shutting_down)
			mgr_begin_shutdown(m);
		return server_defer(m, c, MGR_WAIT_SHUTDOWN, NULL, NULL);
	}
	return server_error("unknown op %s", op);
}

json_t *direct_manager_request(struct direct_manager *m, json_t *request)
{
	return mgr_handle(m, request, NULL);
}

/* ---------------------------------------------------------------------- */
/* Clients */

static bool server_wait_over(const struct direct_manager *m, const struct mgr_client *c)
{
	if (c->wait == MGR_WAIT_SHUTDOWN) {
		for (size_t i = 0; i < m->n_progs; i++)
			if (m->progs[i]->pid > 0 || !direct_state_settled(m->progs[i]->state))
				return false;
		return true;
	}
	for (size_t i = 0; c->names && c->names[i]; i++) {
		const struct mgr_prog *p = mgr_find(m, c->names[i]);

		if (!p)
			continue;
		if (c->wait == MGR_WAIT_SETTLED && (p->pid > 0 || !direct_state_settled(p->state)))
			return false;
		if (c->wait == MGR_WAIT_IDLE && mgr_busy(p))
			return false;
	}
	return true;
}

static bool server_send(struct direct_manager *m, struct mgr_client *c, json_t *reply)
{
	int r = reply ? direct_send(c->fd, reply, DIRECT_LINE_MAX, SERVER_SEND_TIMEOUT_MS) : -ENOMEM;

	json_decref(reply);
	if (r < 0) {
		server_client_free(m, c);
		return false;
	}
	return true;
}

void mgr_clients_check(struct direct_manager *m)
{
	struct mgr_client *c = m->clients;

	while (c) {
		struct mgr_client *next = c->next;

		if (c->wait != MGR_WAIT_NONE && server_wait_over(m, c)) {
			json_t *reply = server_reply(m, c->wait == MGR_WAIT_SHUTDOWN ? NULL : c->names,
						     c->extra);

			c->wait = MGR_WAIT_NONE;
			direct_strv_free(c->names);
			c->names = NULL;
			json_decref(c->extra);
			c->extra = NULL;
			if (server_send(m, c, reply))
				mgr_client_input(m, c); /* a request may have queued meanwhile */
		}
		c = next;
	}
}

void mgr_client_input(struct direct_manager *m, struct mgr_client *c)
{
	long n = direct_linebuf_fill(&c->in, c->fd);

	if (n == -E2BIG) { /* said once, best effort: the client is dropped either way */
		json_t *e = server_error("a request line is longer than 1 MiB");

		if (e)
			direct_send(c->fd, e, DIRECT_LINE_MAX, 0);
		json_decref(e);
	}
	/* While a reply is deferred, requests queue; a peer flooding the queue is dropped. */
	if (n == 0 || (n < 0 && n != -EAGAIN)) {
		server_client_free(m, c);
		return;
	}
	while (c->wait == MGR_WAIT_NONE) {
		int bad;
		json_t *req = direct_linebuf_next(&c->in, &bad), *reply;

		if (!req && !bad)
			break;
		reply = req ? mgr_handle(m, req, c) : server_error("a request is one JSON object per line");
		json_decref(req);
		if (reply && !server_send(m, c, reply))
			return;
	}
}
