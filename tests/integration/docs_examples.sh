#!/bin/bash
# SPDX-License-Identifier: MIT
# Every example of the admin pages in docs/ runs on the Galaxy stand-in and prints what the page
# shows (docs_examples.py; the conventions are in docs/README.md). Pages marked for systemd run
# against a real systemd user manager, so the whole test runs in systemd_env.sh's namespace.
. "${GX_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/systemd_env.sh"

/usr/bin/python3 -c 'import gunicorn, celery' 2>/dev/null ||
	sd_skip "Debian's gunicorn and python3-celery are not installed"
[ -x /usr/bin/supervisord ] || sd_skip "Debian's supervisor is not installed"
[ -e "$SD_TOP_BUILDDIR/backends/.libs/direct.so" ] || sd_skip "the direct backend is not built"

# DOCS_PAGES: the pages to run (default: every page in docs/).
pages=${DOCS_PAGES:-$(ls "$SD_TOP_SRCDIR"/docs/*.md)}
GX_TOP_SRCDIR=$SD_TOP_SRCDIR GX_TOP_BUILDDIR=$SD_TOP_BUILDDIR DOCS_SD_UNITS=$SD_UNITS \
	/usr/bin/python3 "$SD_TOP_SRCDIR/tests/integration/docs_examples.py" $pages
