/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "self_path.h"

char *gx_self_exe(const char *argv0)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n > 0) {
		buf[n] = '\0';
		return strdup(buf);
	}
	return gx_path_abs(argv0, NULL);
}

static bool is_executable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* The first executable NAME on $PATH, as the shell that ran us found it; NULL when none. */
static char *search_path(const char *name)
{
	const char *p = getenv("PATH");

	while (p && *p) {
		size_t len = strcspn(p, ":");
		char *dir = len ? strndup(p, len) : strdup(".");
		char *cand = dir ? gx_path_join(dir, name) : NULL;

		free(dir);
		if (cand && cand[0] == '/' && is_executable_file(cand))
			return cand;
		free(cand);
		p += len + (p[len] == ':');
	}
	return NULL;
}

/* "/x/galaxy" -> "/x/galaxyctl"; anything else is kept. Frees path on success. */
static char *galaxy_to_galaxyctl(char *path)
{
	size_t len = strlen(path);
	char *ctl;

	if (len < 7 || strcmp(path + len - 7, "/galaxy") != 0)
		return path;
	ctl = malloc(len + 4);
	if (!ctl)
		return path;
	memcpy(ctl, path, len);
	memcpy(ctl + len, "ctl", 4);
	free(path);
	return ctl;
}

char *gx_invoked_galaxyctl(const char *argv0, const char *self_exe)
{
	char *path = NULL;

	if (argv0 && *argv0)
		path = strchr(argv0, '/') ? gx_path_abs(argv0, NULL) : search_path(argv0);
	if (path)
		path = galaxy_to_galaxyctl(path);
	if (path) {
		size_t len = strlen(path);

		if (len >= 10 && strcmp(path + len - 10, "/galaxyctl") == 0 && is_executable_file(path))
			return path;
		free(path);
	}
	return self_exe ? strdup(self_exe) : NULL;
}
