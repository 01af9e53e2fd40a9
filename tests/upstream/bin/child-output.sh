# SPDX-License-Identifier: MIT
# Sourced by bin/systemctl and bin/journalctl: under click's CliRunner, upstream's galaxyctl runs
# them with the test process's own stdout and stderr, which the runner does not capture (so, for
# one, upstream's test expects `stop` on systemd to print nothing although systemctl prints a
# table). galaxyctl runs them the same way, with what is then our shim's pipe: where this tool
# has galaxyctl's own stdout or stderr (its parent's), write to the test process's instead
# ($GX_UPSTREAM_STDOUT and $GX_UPSTREAM_STDERR, descriptors the shim passes on). Output that
# galaxyctl reads (a pipe of its own) is left alone.  Sourced by bash: the descriptors passed on
# may be past 9, which dash cannot name in a redirection.
# This shell's descriptor is /proc/$$/fd/N: inside $(...), /proc/self is stat, whose stdout is the
# substitution's pipe.
same_as_parent() {
	[ "$(stat -L -c %d:%i "/proc/$$/fd/$1" 2>/dev/null)" = \
		"$(stat -L -c %d:%i "/proc/$PPID/fd/$1" 2>/dev/null)" ]
}
if [ -e "/proc/self/fd/${GX_UPSTREAM_STDOUT:-none}" ] && same_as_parent 1; then
	exec 1>&"$GX_UPSTREAM_STDOUT"
fi
if [ -e "/proc/self/fd/${GX_UPSTREAM_STDERR:-none}" ] && same_as_parent 2; then
	exec 2>&"$GX_UPSTREAM_STDERR"
fi
