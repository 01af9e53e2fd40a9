#!/bin/sh
# SPDX-License-Identifier: MIT
# The built man pages: groff reads them without warnings, and galaxyctl(1) documents every command and option of --help.
set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${GX_TOP_SRCDIR:-$here/../..}
builddir=${GX_TOP_BUILDDIR:-$srcdir}
failures=0
count=0

command -v groff >/dev/null 2>&1 || { echo "man.sh: groff is not installed" >&2; exit 77; }

check() {
    count=$((count + 1))
    if [ -z "$2" ]; then
        echo "ok $count - $1"
    else
        failures=$((failures + 1))
        echo "not ok $count - $1"
        printf '%s\n' "$2" | sed 's/^/#   /'
    fi
}

# A page scdoc built is in the build tree; in a VPATH build without scdoc, the one shipped in srcdir.
page_file() {
    if [ -f "$builddir/man/$1" ]; then echo "$builddir/man/$1"; else echo "$srcdir/man/$1"; fi
}

for page in galaxyctl.1 galaxy.1 galaxyctl-plugin.7; do
    file=$(page_file "$page")
    if [ ! -f "$file" ]; then
        check "$page is built" "missing: $file"
        continue
    fi
    check "$page: no groff warnings" "$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$file" 2>&1)"
    check "$page: every @GX_...@ filled in" "$(grep -n '@GX_' "$file")"
done

# What --help lists must be in the page: every command, alias and long option.
text=$(LC_ALL=C.UTF-8 groff -man -Tutf8 "$(page_file galaxyctl.1)" 2>/dev/null | sed 's/.\x08//g')
missing=
help=$("$builddir/galaxyctl" --help)
words="$(printf '%s\n' "$help" | sed -n 's/^  \([a-z]\{2,\}\) .*/\1/p')
$(printf '%s\n' "$help" | sed -n 's/.*(alias: \([a-z]*\)\(, \([a-z]*\)\)\{0,1\}).*/\1 \3/p')"
for cmd in $words; do
    "$builddir/galaxyctl" "$cmd" --help >/dev/null 2>&1 || missing="$missing no-help:$cmd"
    printf '%s\n' "$text" | grep -qw -- "$cmd" || missing="$missing command:$cmd"
    for opt in $("$builddir/galaxyctl" "$cmd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        printf '%s\n' "$text" | grep -q -- "$opt" || missing="$missing $cmd:$opt"
    done
done
for opt in $("$builddir/galaxyctl" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    printf '%s\n' "$text" | grep -q -- "$opt" || missing="$missing global:$opt"
done
check "galaxyctl.1 documents every command, alias and option of --help" "$missing"

echo "1..$count"
[ "$failures" -eq 0 ]
