# SPDX-License-Identifier: MIT
"""gravity.cli.galaxyctl for upstream's tests: a click command that runs our built galaxyctl.

Upstream's tests call it through click's CliRunner, so it runs $GX_GALAXYCTL with the arguments,
environment and working directory the runner set up, and hands the runner its output and exit
status.
"""
import os
import selectors
import subprocess
import sys

import click


def _binary():
    path = os.environ.get("GX_GALAXYCTL")
    if not path:
        raise RuntimeError("GX_GALAXYCTL is not set: run these tests with `make upstream-check`")
    return path


def _forward(data, stream):
    # CliRunner's streams are text wrappers over one byte buffer; pass the bytes on unchanged.
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()
        buffer.write(data)
        buffer.flush()
    else:
        stream.write(data.decode(errors="replace"))
        stream.flush()


def run(args):
    """Run galaxyctl ARGS; pass its stdout and stderr on as they come; return its exit status.

    Daemons it starts (supervisord) may keep the pipes open, so reading stops once galaxyctl
    itself has exited and what it wrote has been drained.
    """
    # The tools galaxyctl runs write where upstream's would: this process's own stdout and
    # stderr, past the runner (tests/upstream/bin/child-output.sh).
    own = (os.dup(1), os.dup(2))
    env = dict(os.environ, GX_UPSTREAM_STDOUT=str(own[0]), GX_UPSTREAM_STDERR=str(own[1]))
    try:
        proc = subprocess.Popen([_binary(), *args], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                cwd=os.getcwd(), pass_fds=own)
    finally:
        os.close(own[0])
        os.close(own[1])
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, sys.stdout)
    sel.register(proc.stderr, selectors.EVENT_READ, sys.stderr)
    exited = False
    while sel.get_map():
        ready = sel.select(timeout=0 if exited else 0.1)
        if not ready:
            if exited:
                break
            exited = proc.poll() is not None
            continue
        for key, _ in ready:
            data = os.read(key.fileobj.fileno(), 65536)
            if data:
                _forward(data, key.data)
            else:
                sel.unregister(key.fileobj)
    sel.close()
    proc.stdout.close()
    proc.stderr.close()
    return proc.wait()


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                 "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def galaxyctl(ctx, args):
    """Run our galaxyctl with ARGS."""
    ctx.exit(run(list(args)))
