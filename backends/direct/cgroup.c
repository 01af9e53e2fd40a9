/* SPDX-License-Identifier: MIT */
/* memory_limit and memory_high in cgroup v2: the delegated cgroup, a child cgroup per program. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cgroup.h"

/* The manager's own leaf under DIR. */
#define CGROUP_LEAF "manager"

/* What the manager writes into a cgroup (a plain directory standing in for one keeps them). */
static const char *const cgroup_written[] = { "cgroup.procs", "memory.max", "memory.high",
					      "memory.oom.group" };

static const char cgroup_on_v1[] =
	"no cgroup v2 memory controller here (the memory controller is on cgroup v1)";

/* What the reasons for a cgroup that is not shown to be delegated end with. */
#define CGROUP_USE_ENV "; set GRAVITY_DIRECT_CGROUP to a cgroup delegated to the manager"

void direct_cgroup_init(struct direct_cgroup *cg)
{
	memset(cg, 0, sizeof(*cg));
	snprintf(cg->why, sizeof(cg->why), "no delegated cgroup v2 was looked for");
}

/* ---------------------------------------------------------------------- */
/* Files */

static int cgroup_join(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The whole of a small file (under /proc, or a cgroup's), NUL-terminated, in *ret (malloc'd). */
static int cgroup_slurp(const char *path, char **ret)
{
	size_t len = 0, alloc = 0;
	char *buf = NULL;
	int r = 0, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (alloc - len < 2) {
			size_t more = alloc ? alloc * 2 : 4096;
			char *grown = realloc(buf, more);

			if (!grown) {
				r = -ENOMEM;
				break;
			}
			buf = grown;
			alloc = more;
		}
		n = read(fd, buf + len, alloc - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : 0;
			break;
		}
		len += (size_t)n;
	}
	close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[len] = '\0';
	*ret = buf;
	return 0;
}

/*
 * dir/name, open for writing as a shell's ">" opens it.  O_CREAT changes
 * nothing for a cgroup's files, and lets a plain directory stand in for one.
 */
static int cgroup_open(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int r = cgroup_join(path, sizeof(path), dir, name);

	if (r < 0)
		return r;
	r = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	return r < 0 ? -errno : r;
}

static int cgroup_write(const char *dir, const char *name, const char *text)
{
	int fd = cgroup_open(dir, name);
	ssize_t n;

	if (fd < 0)
		return fd;
	do
		n = write(fd, text, strlen(text));
	while (n < 0 && errno == EINTR);
	n = n < 0 ? -errno : (size_t)n == strlen(text) ? 0 : -EIO;
	close(fd);
	return (int)n;
}

int direct_cgroup_open_procs(const char *path)
{
	return cgroup_open(path, "cgroup.procs");
}

int direct_cgroup_write_pid(int procs_fd, pid_t pid)
{
	char text[24];
	size_t i = sizeof(text);
	unsigned long v = (unsigned long)pid;
	ssize_t n;

	text[--i] = '\n';
	do
		text[--i] = (char)('0' + v % 10);
	while ((v /= 10) > 0 && i > 0);
	do
		n = write(procs_fd, text + i, sizeof(text) - i);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == sizeof(text) - i ? 0 : -EIO;
}

/* Does a cgroup.procs text list pid? */
static bool cgroup_procs_has(const char *procs, pid_t pid)
{
	for (const char *s = procs; s && *s;) {
		char *end;
		long v = strtol(s, &end, 10);

		if (end == s) {
			s++;
			continue;
		}
		if (v == (long)pid)
			return true;
		s = end;
	}
	return false;
}

/*
 * rmdir for a cgroup.  A real one says EBUSY while it holds processes,
 * never ENOTEMPTY: that is a plain directory standing in for a cgroup,
 * which keeps the files written into it.
 */
static int cgroup_rmdir(const char *path)
{
	char file[PATH_MAX];

	if (rmdir(path) == 0 || errno == ENOENT)
		return 0;
	if (errno != ENOTEMPTY)
		return -errno;
	for (size_t i = 0; i < sizeof(cgroup_written) / sizeof(*cgroup_written); i++)
		if (cgroup_join(file, sizeof(file), path, cgroup_written[i]) == 0)
			unlink(file);
	return rmdir(path) == 0 ? 0 : -errno;
}

/* ---------------------------------------------------------------------- */
/* Texts of /proc/self */

/* Is word one of the items of list, separated by any of seps? */
static bool cgroup_word_in(const char *list, const char *word, const char *seps)
{
	size_t n = strlen(word);

	while (list && *list) {
		size_t k;

		list += strspn(list, seps);
		k = strcspn(list, seps);
		if (k == n && k > 0 && strncmp(list, word, n) == 0)
			return true;
		list += k;
	}
	return false;
}

bool direct_cgroup_lists(const char *controllers, const char *controller)
{
	return cgroup_word_in(controllers, controller, " \t\n");
}

/* What matters of one mountinfo line (pointers into the line). */
struct cgroup_mount {
	const char *root;   /* the directory of the filesystem mounted: a cgroup, for cgroupfs */
	const char *point;
	const char *fstype;
	const char *super;  /* super options: a v1 hierarchy lists its controllers there */
};

/* Blanks in mountinfo paths come as octal escapes ("\040"). */
static void cgroup_unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* "36 35 0:38 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw" */
static bool cgroup_mount_parse(char *line, struct cgroup_mount *ret)
{
	char *field[6], *save = NULL, *tok;
	int n = 0;

	for (tok = strtok_r(line, " ", &save); tok && n < 6; tok = strtok_r(NULL, " ", &save))
		field[n++] = tok;
	while (tok && strcmp(tok, "-") != 0) /* optional fields, up to the separator */
		tok = strtok_r(NULL, " ", &save);
	if (n < 6 || !tok)
		return false;
	ret->fstype = strtok_r(NULL, " ", &save);
	if (!ret->fstype || !strtok_r(NULL, " ", &save))
		return false;
	ret->super = strtok_r(NULL, " ", &save);
	if (!ret->super)
		ret->super = "";
	cgroup_unescape(field[3]);
	cgroup_unescape(field[4]);
	ret->root = field[3];
	ret->point = field[4];
	return true;
}

/* Call found for each mount of mountinfo until it returns true; false when none did. */
static bool cgroup_mounts_any(const char *mountinfo,
			      bool (*found)(const struct cgroup_mount *mnt, void *data), void *data)
{
	char *copy = strdup(mountinfo ? mountinfo : ""), *save = NULL;
	bool hit = false;

	if (!copy)
		return false;
	for (char *line = strtok_r(copy, "\n", &save); line && !hit; line = strtok_r(NULL, "\n", &save)) {
		struct cgroup_mount mnt;

		hit = cgroup_mount_parse(line, &mnt) && found(&mnt, data);
	}
	free(copy);
	return hit;
}

static bool cgroup_is_v1_memory(const struct cgroup_mount *mnt, void *data)
{
	return strcmp(mnt->fstype, "cgroup") == 0 && cgroup_word_in(mnt->super, "memory", ",");
}

bool direct_cgroup_v1_memory(const char *mountinfo)
{
	return cgroup_mounts_any(mountinfo, cgroup_is_v1_memory, NULL);
}

/* Where a cgroup v2 path is under the mounts: the first cgroup2 mount whose root holds it. */
struct cgroup_where {
	char *path;       /* "/user.slice/..." */
	char *dir;        /* found: mount point + the rest of path */
	bool root;        /* found: path is the mount's root */
};

static bool cgroup_holds(const struct cgroup_mount *mnt, void *data)
{
	struct cgroup_where *w = data;
	size_t n = strcmp(mnt->root, "/") == 0 ? 0 : strlen(mnt->root);
	const char *rest;

	if (strcmp(mnt->fstype, "cgroup2") != 0 || strncmp(w->path, mnt->root, n) != 0)
		return false;
	rest = w->path + n;
	if (*rest != '/' && *rest != '\0')
		return false;
	if (strcmp(rest, "/") == 0)
		rest = "";
	w->root = *rest == '\0';
	if (asprintf(&w->dir, "%s%s", mnt->point, rest) < 0)
		w->dir = NULL;
	return true;
}

/* The "0::/path" line of /proc/self/cgroup, or NULL. */
static char *cgroup_self_path(const char *self)
{
	for (const char *line = self; line && *line;) {
		const char *end = strchr(line, '\n');

		if (strncmp(line, "0::/", 4) == 0)
			return strndup(line + 3, end ? (size_t)(end - line - 3) : strlen(line + 3));
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

int direct_cgroup_locate(const char *mountinfo, const char *self, char **ret_dir,
			 bool *ret_mount_root, char *why, size_t len)
{
	struct cgroup_where w = { .path = cgroup_self_path(self) };
	bool mounted = w.path && cgroup_mounts_any(mountinfo, cgroup_holds, &w);

	if (w.dir) {
		free(w.path);
		*ret_dir = w.dir;
		if (ret_mount_root)
			*ret_mount_root = w.root;
		return 0;
	}
	if (mounted)
		snprintf(why, len, "out of memory");
	else if (direct_cgroup_v1_memory(mountinfo))
		snprintf(why, len, "%s", cgroup_on_v1);
	else if (!w.path)
		snprintf(why, len, "the manager is in no cgroup v2 (no 0:: line in /proc/self/cgroup)");
	else
		snprintf(why, len, "no cgroup2 mount shows the manager's cgroup %s", w.path);
	free(w.path);
	return mounted ? -ENOMEM : -ENOENT;
}

/* ---------------------------------------------------------------------- */
/* Preparing the delegated cgroup */

static int cgroup_locate_own(const char *mountinfo, char **ret_dir, bool *ret_mount_root,
			     char *why, size_t len)
{
	char *self = NULL;
	int r = cgroup_slurp("/proc/self/cgroup", &self);

	if (r < 0) {
		snprintf(why, len, "cannot read /proc/self/cgroup: %s", strerror(-r));
		return r;
	}
	r = direct_cgroup_locate(mountinfo, self, ret_dir, ret_mount_root, why, len);
	free(self);
	return r;
}

static int cgroup_check_memory(const char *dir, const char *mountinfo, char *why, size_t len)
{
	char path[PATH_MAX], *controllers = NULL;
	int r = cgroup_join(path, sizeof(path), dir, "cgroup.controllers");

	if (r == 0)
		r = cgroup_slurp(path, &controllers);
	if (r < 0) {
		snprintf(why, len, "%s is not a cgroup v2 directory (cannot read its cgroup.controllers: %s)",
			 dir, strerror(-r));
		return r;
	}
	r = direct_cgroup_lists(controllers, "memory") ? 0 : -EOPNOTSUPP;
	free(controllers);
	if (r < 0 && direct_cgroup_v1_memory(mountinfo))
		snprintf(why, len, "%s", cgroup_on_v1);
	else if (r < 0)
		snprintf(why, len, "cgroup %s has no memory controller (memory is not in its cgroup.controllers)",
			 dir);
	return r;
}

int direct_cgroup_delegated(const char *dir, uid_t euid, char *why, size_t len)
{
	static const char *const marks[] = { "trusted.delegate", "user.delegate" };
	struct stat st;

	if (stat(dir, &st) < 0) {
		int r = -errno;

		snprintf(why, len, "cannot look at cgroup %s: %s", dir, strerror(-r));
		return r;
	}
	if (euid != 0) {
		if (st.st_uid == euid)
			return 0;
		snprintf(why, len, "cgroup %s is not delegated to the manager (it belongs to uid %ld, "
			 "the manager runs as uid %ld)" CGROUP_USE_ENV, dir, (long)st.st_uid, (long)euid);
		return -EPERM;
	}
	/* Root owns every cgroup: only the mark that systemd puts on delegated ones tells. */
	for (size_t i = 0; i < sizeof(marks) / sizeof(*marks); i++)
		if (getxattr(dir, marks[i], NULL, 0) >= 0)
			return 0;
	snprintf(why, len, "cgroup %s is not delegated to the manager (it has no trusted.delegate or "
		 "user.delegate xattr, which systemd sets with Delegate=yes)" CGROUP_USE_ENV, dir);
	return -EPERM;
}

/* The manager's own cgroup, used unless named: it must show that it is delegated. */
static int cgroup_check_delegated(const char *dir, bool mount_root, char *why, size_t len)
{
	if (mount_root) {
		snprintf(why, len, "the manager's cgroup %s is the root of its cgroup2 mount (the host's "
			 "root cgroup, or a container's), not a delegated cgroup" CGROUP_USE_ENV, dir);
		return -EPERM;
	}
	return direct_cgroup_delegated(dir, geteuid(), why, len);
}

static int cgroup_mkdir_failed(const char *dir, int r, char *why, size_t len)
{
	if (r == -EACCES || r == -EPERM || r == -EROFS)
		snprintf(why, len, "cgroup %s is not writable (not delegated)", dir);
	else
		snprintf(why, len, "cannot create cgroup %s/" CGROUP_LEAF ": %s", dir, strerror(-r));
	return r;
}

/* Who moves into DIR/manager, and where each goes back to if DIR cannot give its children memory. */
struct cgroup_move {
	const char *dir;
	const char *origin;     /* the manager's cgroup before: DIR, its own, or NULL (not found) */
	pid_t chain[DIRECT_CGROUP_CHAIN_MAX]; /* of the chain, those DIR held: back to DIR */
	size_t n_chain;
};

/* Each pid into dir (one open: a plain directory standing in for a cgroup keeps them all). */
static int cgroup_move_pids(const char *dir, const pid_t *pids, size_t n)
{
	int r = 0, fd;

	if (n == 0)
		return 0;
	fd = cgroup_open(dir, "cgroup.procs");
	if (fd < 0)
		return fd;
	for (size_t i = 0; i < n; i++) {
		int e = direct_cgroup_write_pid(fd, pids[i]);

		if (e < 0 && r == 0)
			r = e;
	}
	close(fd);
	return r;
}

/* Undo the moves into DIR/manager: the chain back to DIR, the manager to where it was. */
static void cgroup_move_back(const struct cgroup_move *mv)
{
	pid_t pids[DIRECT_CGROUP_CHAIN_MAX + 1];
	size_t n = 0;

	if (mv->origin && strcmp(mv->origin, mv->dir) == 0)
		pids[n++] = getpid();
	for (size_t i = 0; i < mv->n_chain; i++)
		pids[n++] = mv->chain[i];
	cgroup_move_pids(mv->dir, pids, n);
	if (mv->origin && strcmp(mv->origin, mv->dir) != 0)
		cgroup_move_pids(mv->origin, &(pid_t){ getpid() }, 1);
}

/* What DIR holds now, as " (pids 12 34)", for the reason "+memory" was refused ("" if nothing). */
static void cgroup_held(const char *dir, char *buf, size_t len)
{
	char path[PATH_MAX], list[64] = "", *procs = NULL, *save = NULL;
	size_t k = 0;
	bool more = false;

	buf[0] = '\0';
	if (cgroup_join(path, sizeof(path), dir, "cgroup.procs") < 0 || cgroup_slurp(path, &procs) < 0)
		return;
	for (char *s = strtok_r(procs, " \t\n", &save); s; s = strtok_r(NULL, " \t\n", &save)) {
		if (k + strlen(s) + 2 > sizeof(list)) {
			more = true;
			break;
		}
		k += (size_t)snprintf(list + k, sizeof(list) - k, "%s%s", k ? " " : "", s);
	}
	free(procs);
	if (k > 0)
		snprintf(buf, len, " (pid%s %s%s)", strchr(list, ' ') || more ? "s" : "", list,
			 more ? " ..." : "");
}

/*
 * Move the manager, and the processes of chain that DIR holds, into
 * DIR/manager, then give DIR's children memory; undone on failure.  own:
 * the manager's cgroup as /proc/self/cgroup says (NULL: not found).
 */
static int cgroup_enter_leaf(const char *dir, const char *own, const pid_t *chain, size_t n_chain,
			     char *why, size_t len)
{
	struct cgroup_move mv = { .dir = dir };
	char leaf[PATH_MAX], path[PATH_MAX], held[160], *procs = NULL;
	pid_t self = getpid();
	bool created;
	int fd, r = cgroup_join(leaf, sizeof(leaf), dir, CGROUP_LEAF);

	if (r == 0)
		r = cgroup_join(path, sizeof(path), dir, "cgroup.procs");
	if (r < 0) {
		snprintf(why, len, "the cgroup path %s is too long", dir);
		return r;
	}
	/* Who is in DIR now (unreadable: nobody). */
	if (cgroup_slurp(path, &procs) < 0)
		procs = NULL;
	mv.origin = cgroup_procs_has(procs, self) ? dir : own;
	for (size_t i = 0; i < n_chain && mv.n_chain < DIRECT_CGROUP_CHAIN_MAX; i++)
		if (chain[i] > 0 && chain[i] != self && cgroup_procs_has(procs, chain[i]))
			mv.chain[mv.n_chain++] = chain[i];
	free(procs);

	created = mkdir(leaf, 0755) == 0;
	if (!created && errno != EEXIST)
		return cgroup_mkdir_failed(dir, -errno, why, len);
	fd = cgroup_open(leaf, "cgroup.procs");
	r = fd < 0 ? fd : direct_cgroup_write_pid(fd, self);
	if (r < 0) {
		snprintf(why, len, "cannot move the manager into cgroup %s/" CGROUP_LEAF ": %s", dir,
			 strerror(-r));
		if (fd >= 0)
			close(fd);
		if (created)
			cgroup_rmdir(leaf);
		return r;
	}
	/* The galaxyctl that started the manager waits in DIR for its word: it comes along. */
	for (size_t i = 0; i < mv.n_chain && r == 0; i++) {
		r = direct_cgroup_write_pid(fd, mv.chain[i]);
		if (r == -ESRCH) /* gone meanwhile */
			r = 0;
		else if (r < 0)
			snprintf(why, len, "cannot move pid %ld, which started the manager, into cgroup "
				 "%s/" CGROUP_LEAF ": %s", (long)mv.chain[i], dir, strerror(-r));
	}
	close(fd);
	if (r == 0) {
		r = cgroup_write(dir, "cgroup.subtree_control", "+memory");
		if (r == 0)
			return 0;
		cgroup_held(dir, held, sizeof(held));
		if (r == -EBUSY)
			snprintf(why, len, "cgroup %s holds other processes than the manager%s "
				 "(cgroup v2 allows none beside child cgroups)", dir, held);
		else
			snprintf(why, len, "cannot enable memory in %s/cgroup.subtree_control: %s", dir,
				 strerror(-r));
	}
	cgroup_move_back(&mv);
	if (!mv.origin) {
		size_t k = strlen(why);

		snprintf(why + k, len - k, "; the manager stays in %s/" CGROUP_LEAF
			 " (its own cgroup was not found in /proc/self/cgroup)", dir);
	} else if (created) {
		cgroup_rmdir(leaf);
	}
	return r;
}

/* "HASH_" from owner: 32-bit FNV-1a, in hex. */
static void cgroup_prefix(const char *owner, char *buf, size_t len)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *s = (const unsigned char *)(owner ? owner : ""); *s; s++)
		h = (h ^ *s) * 16777619u;
	snprintf(buf, len, "%08x_", (unsigned)h);
}

int direct_cgroup_prepare(struct direct_cgroup *cg, const struct direct_cgroup_opts *opts)
{
	static const struct direct_cgroup_opts none = { 0 };
	char *mountinfo = NULL, *own = NULL, *copy = NULL, own_why[sizeof(cg->why)];
	const char *dir;
	bool own_root = false;
	int r = 0, own_r;

	if (!opts)
		opts = &none;
	dir = opts->dir;
	/* Only read for the reasons given when memory is missing: unreadable is empty. */
	if (cgroup_slurp("/proc/self/mountinfo", &mountinfo) < 0)
		mountinfo = NULL;
	/* Where the manager is: DIR when none is named, and where it goes back to on failure. */
	own_r = cgroup_locate_own(mountinfo, &own, &own_root, own_why, sizeof(own_why));
	if (own_r < 0)
		own = NULL;
	if (!dir) {
		if (own_r < 0)
			snprintf(cg->why, sizeof(cg->why), "%s", own_why);
		r = own_r;
		if (r == 0 && !(copy = strdup(own)))
			r = -ENOMEM;
	} else if (dir[0] != '/') {
		snprintf(cg->why, sizeof(cg->why), "cgroup %s is not an absolute path", dir);
		r = -EINVAL;
	} else if (!(copy = strdup(dir))) {
		r = -ENOMEM;
	}
	if (r == -ENOMEM)
		snprintf(cg->why, sizeof(cg->why), "out of memory");
	if (r == 0)
		r = cgroup_check_memory(copy, mountinfo, cg->why, sizeof(cg->why));
	/* Writable is not delegated (a root manager can write anything): one named is trusted. */
	if (r == 0 && !dir)
		r = cgroup_check_delegated(copy, own_root, cg->why, sizeof(cg->why));
	if (r == 0)
		r = cgroup_enter_leaf(copy, own, opts->chain, opts->n_chain, cg->why, sizeof(cg->why));
	free(mountinfo);
	free(own);
	if (r < 0) {
		free(copy);
		return r;
	}
	free(cg->dir);
	cg->dir = copy;
	cgroup_prefix(opts->owner, cg->prefix, sizeof(cg->prefix));
	cg->why[0] = '\0';
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Program cgroups */

/*
 * A program's name as a cgroup's: the manager's prefix ("HASH_"), then
 * the name with "/" (never in a file name), "%" and control characters
 * (cgroup v2 refuses "\n") as %XX, so that two names never meet.  The
 * prefix keeps it apart from the manager's leaf and from interface files
 * ("memory.max"): no controller's name starts with hex digits and "_".
 */
static int cgroup_child_name(const char *prefix, const char *name, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t k = strlen(prefix);

	if (!*name)
		return -EINVAL;
	if (k + 1 > len)
		return -ENAMETOOLONG;
	memcpy(buf, prefix, k);
	for (; *name; name++) {
		unsigned char c = (unsigned char)*name;
		bool escape = c == '/' || c == '%' || c < 0x20 || c == 0x7f;

		if (k + (escape ? 3 : 1) + 1 > len)
			return -ENAMETOOLONG;
		if (escape) {
			buf[k++] = '%';
			buf[k++] = hex[c >> 4];
			buf[k++] = hex[c & 15];
		} else {
			buf[k++] = (char)c;
		}
	}
	buf[k] = '\0';
	return 0;
}

/* Forget a stale path: its cgroup is in use again. */
static void cgroup_unkeep(struct direct_cgroup *cg, const char *path)
{
	size_t k = 0;

	for (size_t i = 0; i < cg->n_stale; i++) {
		if (strcmp(cg->stale[i], path) == 0)
			free(cg->stale[i]);
		else
			cg->stale[k++] = cg->stale[i];
	}
	cg->n_stale = k;
}

static void cgroup_keep(struct direct_cgroup *cg, const char *path)
{
	char **grown = realloc(cg->stale, (cg->n_stale + 1) * sizeof(*grown));
	char *copy = strdup(path);

	if (grown)
		cg->stale = grown;
	if (grown && copy)
		cg->stale[cg->n_stale++] = copy;
	else
		free(copy);
}

int direct_cgroup_limit(const char *path, long long max_bytes, long long high_bytes, char *why,
			size_t len)
{
	static const char *const files[] = { "memory.max", "memory.high" };
	const long long bytes[] = { max_bytes, high_bytes };

	for (size_t i = 0; i < 2; i++) {
		char text[32];
		int r;

		if (bytes[i] > 0)
			snprintf(text, sizeof(text), "%lld", bytes[i]);
		else
			snprintf(text, sizeof(text), "max");
		r = cgroup_write(path, files[i], text);
		if (r < 0) {
			snprintf(why, len, "cannot write %s/%s: %s", path, files[i], strerror(-r));
			return r;
		}
	}
	return 0;
}

int direct_cgroup_oom_group(const char *path, char *why, size_t len)
{
	int r = cgroup_write(path, "memory.oom.group", "1");

	if (r < 0)
		snprintf(why, len, "cannot write %s/memory.oom.group: %s", path, strerror(-r));
	return r;
}

int direct_cgroup_add(struct direct_cgroup *cg, const char *name, long long max_bytes,
		      long long high_bytes, char **ret_path, char *why, size_t len)
{
	char child[NAME_MAX + 1], path[PATH_MAX], *copy;
	bool created;
	int r;

	if (!cg->dir) {
		snprintf(why, len, "%s", cg->why);
		return -ENOENT;
	}
	r = cgroup_child_name(cg->prefix, name, child, sizeof(child));
	if (r == 0)
		r = cgroup_join(path, sizeof(path), cg->dir, child);
	if (r < 0) {
		snprintf(why, len, "no cgroup name for %s: %s", name, strerror(-r));
		return r;
	}
	created = mkdir(path, 0755) == 0;
	if (!created && errno != EEXIST) {
		r = -errno;
		snprintf(why, len, "cannot create cgroup %s: %s", path, strerror(-r));
		return r;
	}
	r = direct_cgroup_limit(path, max_bytes, high_bytes, why, len);
	copy = r == 0 ? strdup(path) : NULL;
	if (r == 0 && !copy) {
		snprintf(why, len, "out of memory");
		r = -ENOMEM;
	}
	if (r < 0) {
		/* A stale cgroup reused stays stale: the sweep still removes it once it is empty. */
		if (created)
			cgroup_rmdir(path);
		return r;
	}
	/* In use again: no longer stale. */
	cgroup_unkeep(cg, path);
	*ret_path = copy;
	return 0;
}

int direct_cgroup_remove(struct direct_cgroup *cg, const char *path)
{
	int r = cgroup_rmdir(path);

	if (r == -EBUSY)
		cgroup_keep(cg, path);
	return r;
}

void direct_cgroup_sweep(struct direct_cgroup *cg)
{
	size_t k = 0;

	for (size_t i = 0; i < cg->n_stale; i++) {
		if (cgroup_rmdir(cg->stale[i]) == -EBUSY)
			cg->stale[k++] = cg->stale[i];
		else
			free(cg->stale[i]);
	}
	cg->n_stale = k;
}

void direct_cgroup_release(struct direct_cgroup *cg)
{
	if (!cg)
		return;
	direct_cgroup_sweep(cg);
	for (size_t i = 0; i < cg->n_stale; i++)
		free(cg->stale[i]);
	free(cg->stale);
	free(cg->dir);
	direct_cgroup_init(cg);
}
