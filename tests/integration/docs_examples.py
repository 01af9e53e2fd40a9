# SPDX-License-Identifier: MIT
"""Runs the examples of the admin pages in docs/ on the Galaxy stand-in and compares their output.

The conventions (docs/README.md, "How the examples are tested"):
- A ```console block holds commands and their output. `$ ` starts a command run as an ordinary
  user (uid 65534 here), `# ` one run as root; a line ending in `\\` continues the command. The
  lines up to the next prompt are its output, stdout and stderr together.
- In the expected output, a line `...` stands for any number of lines, `...` inside a line for any
  text, `<pid>` for a number and `<uptime>` for H:MM:SS. A last line `^C` means: interrupt the
  command (SIGINT) after a few seconds, as Ctrl-C would.
- `<!-- file: PATH -->` before a fenced block: the block is written to PATH first.
- `<!-- docs-test: packages P... -->` before a console block: run it as if only these Debian
  packages were installed (their modules alone, from debian/*.install).
- `# apt install ./P_*.deb ...` in a console block is not run (it would install into this machine):
  each P must be a package of debian/control, and the page's later commands run as if these
  packages were installed (their files alone, from debian/*.install, under a directory read as /).
  galaxyctl-dev's header and pkg-config file are there too, with $PKG_CONFIG_PATH pointing at it.
- `<!-- docs-test: verbatim FILE -->` before a console block: its commands build or install the
  whole tree, so they are not run here; each must appear, as written, in FILE (README.md, or the
  script that runs them: .ci/run, tests/packaging/deb.sh), and the block shows no output.
- `<!-- docs-test: copy DIR -->` before a fenced block or a heading: DIR (under tests/fixtures/docs)
  holds files by their page paths (srv/galaxy/..., etc/systemd/system/...), laid down there as is,
  such as what upstream Gravity wrote, recorded from it; `@SHA1(PATH)@` in them becomes the SHA-1
  of PATH as the test has it (Gravity's target hash).
- `<!-- docs-test: setup $ COMMAND -->` (or `#`): runs COMMAND there, unshown, and fails if it
  fails: what the page says happened before (upstream Gravity started the supervisord of its files).
- `<!-- docs-test: systemd -->` anywhere in a page: its root commands run against the systemd user
  manager that docs_examples.sh started (no systemd runs as PID 1 here), whose unit directory is
  read as /etc/systemd/system, and whose output is shown as the system manager's
  (`systemctl --user` as `systemctl`).
- /usr/src/galaxyctl is this source tree, read-only.
- /srv/galaxy is the stand-in Galaxy root that the test makes for each page, /usr/local/bin a bin
  directory on PATH; every command runs in /srv/galaxy, and a page's commands share its state.
"""
import hashlib
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time

NOBODY = 65534
INTERRUPT_AFTER = 4  # seconds a ^C example runs before it is interrupted
COMMAND_LIMIT = 120  # seconds any one example may take

top_srcdir = os.environ["GX_TOP_SRCDIR"]
top_builddir = os.environ.get("GX_TOP_BUILDDIR", top_srcdir)

FENCE = re.compile(r"^( *)```(\S*)\s*$")  # indented too, in a list item
FILE_MARK = re.compile(r"^<!--\s*file:\s*(\S+)\s*-->\s*$")
TEST_MARK = re.compile(r"^<!--\s*docs-test:\s*(.*?)\s*-->\s*$")
APT_INSTALL = re.compile(r"^apt(?:-get)? install(?: -y)?((?: \./[a-z0-9][a-z0-9.+-]*_\*\.deb)+)$")
MULTIARCH = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"


def debian_packages():
    with open(os.path.join(top_srcdir, "debian", "control"), encoding="utf-8") as f:
        return re.findall(r"^Package:\s*(\S+)", f.read(), re.M)


class Page:
    """One page's blocks: ('file', path, text, line), ('copy', dir, None, line) and
    ('console', (packages, verbatim), text, line)."""

    def __init__(self, path):
        self.path = path
        self.items = []
        self.systemd = False
        self.errors = []
        self.parse()

    def parse(self):
        with open(self.path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        pending_file = pending_pkgs = pending_verbatim = None
        i = 0
        while i < len(lines):
            line = lines[i]
            m = FILE_MARK.match(line)
            t = TEST_MARK.match(line)
            f = FENCE.match(line)
            if m:
                pending_file = m.group(1)
            elif t:
                words = t.group(1).split()
                if words == ["systemd"]:
                    self.systemd = True
                elif words and words[0] == "packages":
                    pending_pkgs = words[1:]
                elif len(words) == 2 and words[0] == "verbatim":
                    pending_verbatim = words[1]
                elif len(words) == 2 and words[0] == "copy":
                    self.items.append(("copy", words[1], None, i + 1))
                elif len(words) > 2 and words[0] == "setup" and words[1] in ("$", "#"):
                    self.items.append(("setup", words[1], " ".join(words[2:]), i + 1))
                else:
                    self.errors.append(f"{self.path}:{i + 1}: unknown docs-test marker {t.group(1)!r}")
            elif f:
                indent, lang, start = f.group(1), f.group(2), i + 1
                i += 1
                body = []
                while i < len(lines) and lines[i].strip() != "```":
                    line = lines[i]
                    body.append(line[len(indent):] if line.startswith(indent) else line.lstrip(" "))
                    i += 1
                if pending_file:
                    self.items.append(("file", pending_file, "\n".join(body) + "\n", start))
                elif lang == "console":
                    self.items.append(("console", (pending_pkgs, pending_verbatim), body, start))
                elif lang in ("sh", "bash", "shell", "shell-session"):
                    self.errors.append(f"{self.path}:{start}: commands go in ```console blocks, "
                                       "with $ or # prompts, so that they are tested")
                pending_file = pending_pkgs = pending_verbatim = None
            i += 1


def commands(body, where):
    """The (prompt, command, expected lines) of a console block."""
    out, cur = [], None
    cont = False
    for line in body:
        if cont:
            cur[1] += "\n" + line
            cont = line.endswith("\\")
        elif line.startswith("$ ") or line.startswith("# "):
            cur = [line[0], line[2:], []]
            out.append(cur)
            cont = line.endswith("\\")
        elif cur is None:
            raise ValueError(f"{where}: a console block starts with output, not a $ or # prompt")
        else:
            cur[2].append(line)
    return out


def line_regex(line):
    parts = re.split(r"(\.\.\.|<pid>|<uptime>)", line)
    rx = {"...": ".*", "<pid>": "[0-9]+", "<uptime>": "[0-9]+:[0-9]{2}:[0-9]{2}"}
    return re.compile("".join(rx.get(p, re.escape(p)) for p in parts) + r"\Z")


def matches(expected, actual):
    """Whether the actual lines match the expected ones, with `...` lines matching any lines."""
    memo = {}

    def at(i, j):
        if (i, j) in memo:
            return memo[i, j]
        if i == len(expected):
            r = j == len(actual)
        elif expected[i] == "...":
            r = any(at(i + 1, k) for k in range(j, len(actual) + 1))
        else:
            r = j < len(actual) and line_regex(expected[i]).match(actual[j]) is not None and at(i + 1, j + 1)
        memo[i, j] = r
        return r

    return at(0, 0)


class Runner:
    def __init__(self, page):
        self.page = page
        self.work = tempfile.mkdtemp(prefix="gx-docs-", dir="/tmp")
        os.chmod(self.work, 0o755)
        self.root = os.path.join(self.work, "galaxy")
        self.bin = os.path.join(self.work, "bin")
        self.home = os.path.join(self.work, "home")
        subprocess.run([os.path.join(top_srcdir, "tests/fixtures/galaxy-standin/make-standin.sh"),
                        self.root], check=True, stdout=subprocess.DEVNULL)
        os.makedirs(self.bin)
        os.makedirs(self.home)
        for name in ("galaxyctl", "galaxy"):
            os.symlink(os.path.join(top_builddir, name), os.path.join(self.bin, name))
        self.chown_work()
        self.units = os.environ.get("DOCS_SD_UNITS", "")
        self.pkg_roots = {}  # sorted package names (or "apt": the page's) -> the directory read as /
        self.installed = []  # what the page's `apt install` lines installed
        self.failures = 0
        self.ran = 0
        self.verbatim = 0

    def chown_work(self):
        for d, dirs, files in os.walk(self.work):
            for n in [d] + [os.path.join(d, x) for x in dirs + files]:
                os.lchown(n, NOBODY, NOBODY)

    def to_test(self, text):
        text = text.replace("/srv/galaxy", self.root).replace("/usr/local/bin", self.bin)
        text = text.replace("/usr/src/galaxyctl", top_srcdir)
        if self.installed:  # the packaged galaxyctl, as a wrapper script names it
            pbin = self.package_env(None)[0]
            text = re.sub(r"/usr/bin/(galaxyctl|galaxy)\b", lambda m: os.path.join(pbin, m.group(1)), text)
        if self.page.systemd and self.units:
            text = text.replace("/etc/systemd/system", self.units)
        return text

    def to_page(self, text):
        text = text.replace(self.root, "/srv/galaxy").replace(self.bin, "/usr/local/bin")
        for pdir in self.pkg_roots.values():
            text = text.replace(pdir + "/usr", "/usr")
        if self.page.systemd and self.units:
            text = text.replace(self.units, "/etc/systemd/system")
            # The user manager stands in for the system one, which root's galaxyctl would name so.
            text = text.replace("systemctl --user", "systemctl")
            text = text.replace("reload the systemd user manager", "reload systemd")
            text = text.replace("the systemd user manager", "the systemd manager")
        return text

    def writable(self, real):
        return real.startswith(self.work + "/") or (
            self.page.systemd and self.units and real.startswith(self.units + "/"))

    def write_file(self, path, text):
        real = self.to_test(path)
        if not self.writable(real):
            raise ValueError(f"file {path}: only files under /srv/galaxy, /usr/local/bin "
                             "or (systemd) /etc/systemd/system")
        os.makedirs(os.path.dirname(real), exist_ok=True)
        if os.path.islink(real):  # /usr/local/bin/galaxyctl: replaced, not written through
            os.unlink(real)
        with open(real, "w", encoding="utf-8") as f:
            f.write(self.to_test(text))
        if text.startswith("#!"):
            os.chmod(real, 0o755)
        self.chown_work()

    def copy_tree(self, name, where):
        """Lays down tests/fixtures/docs/NAME: its files by their page paths, mapped as commands."""
        src = os.path.join(top_srcdir, "tests/fixtures/docs", os.path.basename(name))
        if not os.path.isdir(src):
            raise ValueError(f"{where}: no directory tests/fixtures/docs/{name}")
        for d, _, files in os.walk(src):
            for n in files:
                page_path = "/" + os.path.relpath(os.path.join(d, n), src)
                with open(os.path.join(d, n), encoding="utf-8") as f:
                    text = re.sub(r"@SHA1\(([^)]*)\)@",
                                  lambda m: hashlib.sha1(self.to_test(m.group(1)).encode()).hexdigest(),
                                  f.read())
                self.write_file(page_path, text)

    def package_env(self, packages):
        """The bin dir, the module dirs and the pkg-config dir of what these packages install:
        a root of their own for a `packages` marker, the page's root for its `apt install`s."""
        if packages is None:
            pdir = self.apt_root()
        else:
            key = tuple(sorted(set(packages)))
            if key not in self.pkg_roots:
                self.pkg_roots[key] = self.package_root()
                self.install(self.pkg_roots[key], key)
            pdir = self.pkg_roots[key]
        usr = os.path.join(pdir, "usr")
        lib = os.path.join(usr, "lib", MULTIARCH)
        return (os.path.join(usr, "bin"),
                ":".join(os.path.join(lib, "galaxyctl", d) for d in ("backends", "services")),
                os.path.join(lib, "pkgconfig"))

    def apt_root(self):
        if "apt" not in self.pkg_roots:
            self.pkg_roots["apt"] = self.package_root()
        return self.pkg_roots["apt"]

    def package_root(self):
        """A directory read as /, for packages to be installed into."""
        pdir = tempfile.mkdtemp(prefix="pkg-", dir=self.work)
        os.chmod(pdir, 0o755)
        usr = os.path.join(pdir, "usr")
        lib = os.path.join(usr, "lib", MULTIARCH)
        for d in (os.path.join(usr, "bin"), os.path.join(lib, "galaxyctl/backends"),
                  os.path.join(lib, "galaxyctl/services"), os.path.join(lib, "pkgconfig"),
                  os.path.join(usr, "include/galaxyctl")):
            os.makedirs(d)
        self.chown_work()
        return pdir

    def install(self, pdir, packages):
        """What the packages install (debian/*.install), into pdir read as /."""
        known = debian_packages()
        usr = os.path.join(pdir, "usr")
        pbin, lib = os.path.join(usr, "bin"), os.path.join(usr, "lib", MULTIARCH)
        for pkg in packages:
            if pkg not in known:
                raise ValueError(f"no package {pkg} in debian/control")
            with open(os.path.join(top_srcdir, "debian", pkg + ".install"), encoding="utf-8") as f:
                for pattern in f:
                    pattern = pattern.strip()
                    if not pattern or pattern.startswith("#"):
                        continue
                    base = os.path.basename(pattern)
                    if pattern.startswith("usr/bin/"):
                        # A copy: galaxyctl run from elsewhere than the build tree loads no
                        # module from it, only from GRAVITY_PLUGIN_PATH.
                        if not os.path.exists(os.path.join(pbin, base)):
                            shutil.copy(os.path.join(top_builddir, "galaxyctl"), os.path.join(pbin, base))
                    elif "/backends/" in pattern or "/services/" in pattern:
                        sub = "backends" if "/backends/" in pattern else "services"
                        src = os.path.join(top_builddir, sub, ".libs")
                        for n in sorted(os.listdir(src)):
                            dest = os.path.join(lib, "galaxyctl", sub, n)
                            if re.fullmatch(base.replace(".", r"\.").replace("*", ".*"), n) and \
                                    not os.path.lexists(dest):
                                os.symlink(os.path.join(src, n), os.path.join(lib, "galaxyctl", sub, n))
                    elif pattern.endswith("/plugin.h"):
                        shutil.copy(os.path.join(top_srcdir, "include/galaxyctl/plugin.h"),
                                    os.path.join(usr, "include/galaxyctl/plugin.h"))
                    elif pattern.endswith(".pc"):
                        self.write_pc(os.path.join(lib, "pkgconfig", base), usr, lib)
        self.chown_work()

    @staticmethod
    def write_pc(path, usr, lib):
        """galaxyctl-plugin.pc as the package has it (prefix /usr), from the build's own."""
        with open(os.path.join(top_builddir, "core/galaxyctl-plugin.pc"), encoding="utf-8") as f:
            version = re.search(r"^Version:\s*(\S+)", f.read(), re.M).group(1)
        with open(os.path.join(top_srcdir, "core/galaxyctl-plugin.pc.in"), encoding="utf-8") as f:
            text = f.read()
        for k, v in (("@prefix@", usr), ("@exec_prefix@", "${prefix}"), ("@libdir@", lib),
                     ("@includedir@", "${prefix}/include"), ("@PACKAGE@", "galaxyctl"),
                     ("@PACKAGE_VERSION@", version)):
            text = text.replace(k, v)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    def env(self, prompt, packages):
        env = {"PATH": self.bin + ":/usr/bin:/bin", "HOME": self.home, "LANG": "C.UTF-8",
               "GRAVITY_PLUGIN_PATH": ""}
        # The page's packages (none yet, or what its `apt install`s installed) are always on
        # the plugin path, as an installed galaxyctl finds its modules: so a process that was
        # started before an `apt install` (a supervisord) runs the packaged galaxyctl after it.
        pbin, mods, pc = self.package_env(packages)
        env["GRAVITY_PLUGIN_PATH"] = mods
        env["PKG_CONFIG_PATH"] = pc
        if packages is not None or self.installed:
            env["PATH"] = pbin + ":" + self.bin + ":/usr/bin:/bin"
        if prompt == "#" and self.page.systemd:
            for k in ("XDG_RUNTIME_DIR", "GRAVITY_SYSTEMD_UNIT_PATH"):
                env[k] = os.environ[k]
            env["HOME"] = os.environ["HOME"]
            env["GRAVITY_SKIP_SYSTEMD"] = "1"
        return env

    def run_one(self, prompt, command, packages):
        env = self.env(prompt, packages)
        argv = ["bash", "-c", self.to_test(command)]
        if prompt == "$":
            argv = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"] + argv
        return argv, env

    def run_on_pty(self, argv, env, interrupt):
        """Output as a terminal shows it: stdout and stderr in the order written, line-buffered."""
        master, slave = os.openpty()
        p = subprocess.Popen(argv, cwd=self.root, env=env, stdin=subprocess.DEVNULL, stdout=slave,
                             stderr=slave, start_new_session=True)
        os.close(slave)
        out, start, sent = b"", time.monotonic(), False
        while True:
            elapsed = time.monotonic() - start
            if interrupt and not sent and elapsed >= INTERRUPT_AFTER:
                os.killpg(p.pid, signal.SIGINT)
                sent = True
            if elapsed >= COMMAND_LIMIT:
                os.killpg(p.pid, signal.SIGKILL)
                out += b"\n[docs_examples: killed after %d s]" % COMMAND_LIMIT
                break
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: every writer has gone
                    break
                if not chunk:
                    break
                out += chunk
            elif p.poll() is not None:
                break  # exited, and a daemon it left may hold the terminal open: done
        os.close(master)
        p.wait()
        return out.replace(b"\r\n", b"\n")

    def fail(self, where, prompt, command, expected, actual):
        self.failures += 1
        print(f"FAIL: {where}: {prompt} {command}")
        print("--- the page shows:")
        print("\n".join(expected))
        print("--- galaxyctl printed:" if actual is not None else "--- but:")
        print("\n".join(actual if actual is not None else []))
        print("---")

    def apt_install(self, prompt, command, expected, where):
        """`# apt install ./P_*.deb`: not run; the page's later commands have P installed."""
        m = APT_INSTALL.match(command)
        self.ran += 1
        names = re.findall(r"\./([^_ ]+)_\*\.deb", m.group(1)) if m else []
        unknown = [n for n in names if n not in debian_packages()]
        if prompt != "#" or not m or unknown or [l for l in expected if l.strip()]:
            why = (f"no such package in debian/control: {' '.join(unknown)}" if unknown else
                   "apt install ./PACKAGE_*.deb..., as root, with no output shown")
            self.fail(where, prompt, command, expected, [why])
            return
        self.install(self.apt_root(), names)
        self.installed = sorted(set(self.installed) | set(names))

    def check_verbatim(self, prompt, command, expected, source, where):
        """A command of a `verbatim FILE` block: written in FILE exactly so, and no output shown."""
        self.ran += 1
        self.verbatim += 1
        with open(os.path.join(top_srcdir, source), encoding="utf-8") as f:
            text = f.read()
        if command in text and not [l for l in expected if l.strip()]:
            return
        self.fail(where, prompt, command, expected,
                  [f"this command is not written so in {source}" if command not in text
                   else "a verbatim block shows no output"])

    def run_command(self, prompt, command, expected, packages, where):
        if APT_INSTALL.match(command) or command.startswith("apt install") or command.startswith("apt-get install"):
            self.apt_install(prompt, command, expected, where)
            return
        interrupt = bool(expected) and expected[-1] == "^C"
        if interrupt:
            expected = expected[:-1]
        argv, env = self.run_one(prompt, command, packages)
        out = self.run_on_pty(argv, env, interrupt)
        actual = [line.rstrip() for line in self.to_page(out.decode("utf-8", "replace")).split("\n")]
        if self.page.systemd:
            actual = [l for l in actual if "is added as a dependency to a non-existent unit" not in l]
        while actual and not actual[-1]:
            actual.pop()
        expected = [line.rstrip() for line in expected]
        while expected and not expected[-1]:
            expected.pop()
        self.ran += 1
        if not matches(expected, actual):
            self.fail(where, prompt, command, expected, actual)

    def run(self):
        for kind, a, b, line in self.page.items:
            where = f"{self.page.path}:{line}"
            if kind == "file":
                self.write_file(a, b)
                continue
            if kind == "copy":
                self.copy_tree(a, where)
                continue
            if kind == "setup":
                argv, env = self.run_one(a, b, None)
                p = subprocess.run(argv, cwd=self.root, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=COMMAND_LIMIT)
                if p.returncode != 0:
                    self.fail(where, a, b, [], [f"setup failed (exit {p.returncode}):",
                                                self.to_page(p.stdout.decode("utf-8", "replace"))])
                continue
            packages, verbatim = a
            for prompt, command, expected in commands(b, where):
                if verbatim:
                    self.check_verbatim(prompt, command, expected, verbatim, where)
                else:
                    self.run_command(prompt, command, expected, packages, where)

    def cleanup(self):
        """Stop whatever the page's commands left running: everything that refers to the work dir."""
        me = os.getpid()
        for sig in (signal.SIGTERM, signal.SIGKILL):
            left = self.leftovers(me)
            for pid in left:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            for _ in range(50):
                if not self.leftovers(me):
                    break
                time.sleep(0.1)
        shutil.rmtree(self.work, ignore_errors=True)

    def leftovers(self, me):
        pids = []
        for d in os.listdir("/proc"):
            if not d.isdigit() or int(d) == me:
                continue
            try:
                cwd = os.readlink(f"/proc/{d}/cwd")
                with open(f"/proc/{d}/cmdline", "rb") as f:
                    cmd = f.read().decode("utf-8", "replace")
            except OSError:
                continue
            if cwd.startswith(self.work) or self.work in cmd:
                pids.append(int(d))
        return pids


def main(paths):
    failures = ran = 0
    for path in paths:
        page = Page(path)
        for e in page.errors:
            print("FAIL:", e)
        failures += len(page.errors)
        if not any(kind == "console" for kind, *_ in page.items):
            continue
        if page.systemd and not os.environ.get("DOCS_SD_UNITS"):
            print(f"FAIL: {path} needs the systemd user manager of docs_examples.sh")
            failures += 1
            continue
        r = Runner(page)
        try:
            r.run()
        finally:
            r.cleanup()
        checked = f" ({r.verbatim} checked as written in their source, not run)" if r.verbatim else ""
        print(f"{'ok' if not r.failures else 'FAIL'}: {os.path.relpath(path, top_srcdir)}: "
              f"{r.ran - r.failures} of {r.ran} examples as shown{checked}")
        failures += r.failures
        ran += r.ran
    print(f"{ran} examples run, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
