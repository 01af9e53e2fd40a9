# SPDX-License-Identifier: MIT
# Shared by the rolling-restart tests (sourced): nginx in front of two gunicorn unix sockets, as
# production runs it, and a request loop through it that counts what failed while a command ran.
# shellcheck shell=bash

command -v nginx >/dev/null || { echo "SKIP: no nginx (Debian: nginx-light)"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: no curl"; exit 77; }

# rl_nginx DIR SOCKET...: nginx on a free port of 127.0.0.1 over the sockets, its files in DIR.
# Sets rl_url and rl_nginx_pid (the caller kills it when the test ends); rl_dir is DIR.
rl_nginx() {
	local servers="" sock
	rl_dir=$1
	shift
	for sock in "$@"; do
		servers+="        server unix:$sock max_fails=0;"$'\n'
	done
	rl_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	rl_url=http://127.0.0.1:$rl_port/api/version
	mkdir -p "$rl_dir/tmp"
	cat >"$rl_dir/nginx.conf" <<NGINX
$([ "$(id -u)" = 0 ] && echo "user root;")
daemon off;
pid $rl_dir/nginx.pid;
error_log $rl_dir/error.log;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $rl_dir/tmp/body;
    proxy_temp_path $rl_dir/tmp/proxy;
    fastcgi_temp_path $rl_dir/tmp/fastcgi;
    uwsgi_temp_path $rl_dir/tmp/uwsgi;
    scgi_temp_path $rl_dir/tmp/scgi;
    upstream galaxy {
$servers    }
    server {
        listen 127.0.0.1:$rl_port;
        location / {
            proxy_pass http://galaxy;
            proxy_next_upstream error timeout http_502 http_503;
        }
    }
}
NGINX
	setsid nginx -c "$rl_dir/nginx.conf" -p "$rl_dir" -e "$rl_dir/error.log" \
		>"$rl_dir/nginx.out" 2>&1 </dev/null &
	rl_nginx_pid=$!
}

# One request through nginx.
rl_request() {
	curl -sf --max-time 10 -o /dev/null "$rl_url"
}

# Requests until $rl_dir/stop appears (at most 3000): counts in $rl_dir/loop.count and .fail.
rl_loop() {
	local n=0 failed=0
	while [ ! -e "$rl_dir/stop" ] && [ $n -lt 3000 ]; do
		rl_request || failed=$((failed + 1))
		n=$((n + 1))
	done
	echo $n >"$rl_dir/loop.count"
	echo $failed >"$rl_dir/loop.fail"
}

# rl_under_load COMMAND...: run it while the loop runs, its output (stdout and stderr) in
# $rl_dir/cmd.out; returns its status. rl_served and rl_failed then hold the loop's counts.
rl_under_load() {
	local rc=0 lp
	rm -f "$rl_dir/stop"
	rl_loop &
	lp=$!
	sleep 1
	"$@" >"$rl_dir/cmd.out" 2>&1 || rc=$?
	sleep 1
	touch "$rl_dir/stop"
	wait $lp
	rl_served=$(cat "$rl_dir/loop.count")
	rl_failed=$(cat "$rl_dir/loop.fail")
	echo "requests through nginx during '$*': $rl_served served, $rl_failed failed"
	return $rc
}

# Stop nginx and its workers (TERM: the master stops them first).
rl_stop_nginx() {
	[ -n "${rl_nginx_pid:-}" ] || return 0
	kill -TERM "$rl_nginx_pid" 2>/dev/null || true
	wait "$rl_nginx_pid" 2>/dev/null || true
	rl_nginx_pid=
}

# Seconds since boot at which process $1 started (/proc/PID/stat's starttime, after its comm).
rl_started() {
	local stat
	stat=$(cat "/proc/$1/stat") || return 1
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", $20 / hz }' <<<"${stat##*) }"
}

# rl_paced OUT DELAY SOURCE PID0 PID1: OUT (graceful's output) shows a paced rolling restart of
# gunicorn instance 0, then 1: 0's progress until ready, then the DELAY wait from SOURCE
# (restart_delay or --delay), then 1's restart; and the new PID1 started at least DELAY seconds
# after the new PID0. Prints what is wrong and returns 1 otherwise.
rl_paced() {
	local out=$1 delay=$2 source=$3 t0 t1
	awk -v wait="Waiting $delay s ($source) before restarting gunicorn instance 1" '
		/^Restarted gunicorn instance 0, waiting for readiness check/ { step = step == 0 ? 1 : -9 }
		/^gunicorn instance 0 is ready after [0-9.]+ s$/ { step = step == 1 ? 2 : -9 }
		$0 == wait { step = step == 2 ? 3 : -9 }
		/^Restarting gunicorn instance 1$/ { step = step == 3 ? 4 : -9 }
		/^gunicorn instance 1 is ready after [0-9.]+ s$/ { step = step == 4 ? 5 : -9 }
		/^Waiting .* before restarting gunicorn instance 2/ { step = -9 }
		END { exit step != 5 }' "$out" || {
		echo "graceful did not go: instance 0 restarted, ready, '$delay s ($source)' wait, instance 1 restarted and ready:"
		cat "$out"
		return 1
	}
	t0=$(rl_started "$4") && t1=$(rl_started "$5") || { echo "no process $4 or $5"; return 1; }
	awk -v a="$t0" -v b="$t1" -v d="$delay" 'BEGIN { exit !(b - a >= d) }' || {
		echo "instance 1 (pid $5) started at $t1 s, not $delay s after instance 0 (pid $4) at $t0 s"
		return 1
	}
	echo "paced: instance 0 started at $t0 s, instance 1 at $t1 s (since boot), $delay s ($source) between"
}
