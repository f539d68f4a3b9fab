"""Private instances for integration tests: nginx, PHP-FPM, journald and the agent, all started by the test.

Everything lives under one temporary directory: nginx gets its own prefix, configuration, pid file, logs
and loopback ports, so a host nginx (if any) is never touched.  Test accounts are created with useradd
under names reserved for tests (jt*), in the managed group, and removed again at the end.

Only the Python standard library from Debian's python3 package is used.
"""

import grp
import http.client
import json
import os
import pwd
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILD = os.path.join(REPO, os.environ.get("AGENT_BUILD_DIR", "build"))
AGENT = os.path.join(BUILD, "jabali-agent")
AGENTCTL = os.path.join(BUILD, "jabali-agentctl")
NGINX = "/usr/sbin/nginx"
PHP_FPM = "/usr/sbin/php-fpm8.2"
PHP_VERSION = "8.2"
JOURNAL_SOCKET = "/run/systemd/journal/socket"
MANAGED_GROUP = "jabali-users"
TEST_ACCOUNT_PREFIX = "jt"


class Results:
    """Counts checks and prints the closing 'N passed, N failed' line."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.current = ""

    def check(self, condition, name, detail=""):
        label = f"{self.current}: {name}" if self.current else name
        if condition:
            self.passed += 1
            print(f"ok   {label}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL {label}" + (f" -- {detail}" if detail else ""), flush=True)
        return bool(condition)

    def equal(self, actual, expected, name):
        return self.check(actual == expected, name, f"expected {expected!r}, got {actual!r}")

    def summary(self):
        print(f"{self.passed} passed, {self.failed} failed", flush=True)
        return 0 if self.failed == 0 else 1


def free_port():
    """Returns a loopback TCP port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=10.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            return value
        time.sleep(interval)


def journal_reachable():
    """True when a journald accepts a connection on the standard socket (a stale socket file does not)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        s.connect(JOURNAL_SOCKET)
        return True
    except OSError:
        return False
    finally:
        s.close()


def ensure_journald():
    """Starts a standalone journald when none is reachable.  Returns its Popen, or None when one already ran."""
    if journal_reachable():
        return None
    proc = subprocess.Popen(["/lib/systemd/systemd-journald"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    if not wait_until(journal_reachable, timeout=10):
        proc.terminate()
        raise RuntimeError("journald did not start")
    return proc


class PrivateNginx:
    """An nginx from Debian's package with its own prefix, configuration, pid file, logs and ports."""

    def __init__(self, root):
        self.root = root
        self.http_port = free_port()
        self.https_port = free_port()
        self.conf = os.path.join(root, "nginx.conf")
        self.pidfile = os.path.join(root, "nginx.pid")
        self.error_log = os.path.join(root, "logs", "error.log")
        self.sites_available = os.path.join(root, "sites-available")
        self.sites_enabled = os.path.join(root, "sites-enabled")
        self.logs = os.path.join(root, "logs")
        self.acme_root = os.path.join(root, "acme")
        self.cache_root = os.path.join(root, "cache")
        self.certs = os.path.join(root, "certs")
        # In the log directory, because the agent restricts the writes of the test command to the
        # directories of its configuration, and the log directory is one of them.
        self.test_counter = os.path.join(self.logs, "nginx-test-count")

    def test_argv(self):
        # Every path in the private configuration is absolute, so no -p is needed.
        return [NGINX, "-t", "-q", "-c", self.conf]

    def setup(self):
        for d in ("sites-available", "sites-enabled", "logs", "tmp", "acme", "cache", "certs"):
            os.makedirs(os.path.join(self.root, d), exist_ok=True)
        os.chmod(self.root, 0o755)
        os.chmod(self.acme_root, 0o755)
        for f in ("mime.types", "fastcgi_params"):
            shutil.copy(os.path.join("/etc/nginx", f), os.path.join(self.root, f))
        r = self.root
        with open(self.conf, "w") as f:
            f.write(f"""# Private nginx of a jabali-agent test; nothing here touches the host's nginx.
worker_processes 1;
user www-data;
pid {self.pidfile};
error_log {self.error_log} notice;
events {{
        worker_connections 256;
}}
http {{
        include mime.types;
        default_type application/octet-stream;
        access_log {r}/logs/access.log;
        client_body_temp_path {r}/tmp/body;
        fastcgi_temp_path {r}/tmp/fastcgi;
        proxy_temp_path {r}/tmp/proxy;
        uwsgi_temp_path {r}/tmp/uwsgi;
        scgi_temp_path {r}/tmp/scgi;
        server_names_hash_bucket_size 128;
        server {{
                listen 127.0.0.1:{self.http_port} default_server;
                listen 127.0.0.1:{self.https_port} ssl default_server;
                ssl_reject_handshake on;
                return 404 "no site\\n";
        }}
        include {self.sites_enabled}/*;
}}
""")

    def start(self):
        subprocess.run([NGINX, "-c", self.conf, "-p", self.root + "/"], check=True)
        if not wait_until(lambda: os.path.exists(self.pidfile), timeout=10):
            raise RuntimeError("private nginx did not write its pid file")

    def pid(self):
        try:
            with open(self.pidfile) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def stop(self):
        pid = self.pid()
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGQUIT)
        except ProcessLookupError:
            return
        if not wait_until(lambda: not os.path.exists(f"/proc/{pid}"), timeout=10):
            os.kill(pid, signal.SIGKILL)

    def _count_reconfiguring(self):
        try:
            with open(self.error_log) as f:
                return sum(1 for line in f if line.rstrip().endswith(": reconfiguring"))
        except FileNotFoundError:
            return 0

    def reload_count(self, settle=0.3):
        """Number of reloads the master has started, from its error log ('reconfiguring').  The master logs
        a reload when it handles the signal, so the count is read until it stays the same for settle
        seconds."""
        count = self._count_reconfiguring()
        while True:
            time.sleep(settle)
            again = self._count_reconfiguring()
            if again == count:
                return count
            count = again

    def test_count(self):
        """Number of times the agent ran its test command (the counting wrapper appends one line each)."""
        try:
            with open(self.test_counter) as f:
                return sum(1 for _ in f)
        except FileNotFoundError:
            return 0

    def config_test(self):
        return subprocess.run(self.test_argv(), capture_output=True, text=True)

    def request(self, host, path="/", https=False, timeout=5):
        """Returns (status, headers dict, body text) of a GET with the given Host header, or (None, {}, error)."""
        try:
            if https:
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                conn = http.client.HTTPSConnection("127.0.0.1", self.https_port, timeout=timeout,
                                                   context=context)
                # SNI must carry the site name, so connect through a socket wrapped by hand.
                raw = socket.create_connection(("127.0.0.1", self.https_port), timeout=timeout)
                conn.sock = context.wrap_socket(raw, server_hostname=host)
            else:
                conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=timeout)
            conn.request("GET", path, headers={"Host": host})
            resp = conn.getresponse()
            body = resp.read().decode("utf-8", "replace")
            headers = {k.lower(): v for k, v in resp.getheaders()}
            conn.close()
            return resp.status, headers, body
        except (OSError, http.client.HTTPException) as e:
            return None, {}, str(e)

    def wait_for(self, host, path="/", status=200, contains=None, https=False, timeout=10):
        """Polls until the site responds as expected, since a reload takes effect asynchronously."""
        last = (None, {}, "")

        def ready():
            nonlocal last
            last = self.request(host, path, https=https)
            if last[0] != status:
                return False
            return contains is None or contains in last[2]

        wait_until(ready, timeout=timeout, interval=0.1)
        return last


class PrivatePhpFpm:
    """php-fpm from Debian with one pool per test account, listening where the agent's vhosts point."""

    def __init__(self, root, accounts):
        self.root = os.path.join(root, "php")
        self.accounts = accounts
        self.conf = os.path.join(self.root, "php-fpm.conf")
        self.proc = None

    def socket_pattern(self):
        return os.path.join(self.root, "php{version}-fpm-{user}.sock")

    def socket_path(self, user):
        return os.path.join(self.root, f"php{PHP_VERSION}-fpm-{user}.sock")

    def start(self):
        os.makedirs(self.root, exist_ok=True)
        os.chmod(self.root, 0o755)
        lines = ["[global]", f"pid = {self.root}/php-fpm.pid", f"error_log = {self.root}/error.log",
                 "daemonize = no", ""]
        for user in self.accounts:
            lines += [f"[{user}]", f"user = {user}", f"group = {user}", f"listen = {self.socket_path(user)}",
                      "listen.owner = www-data", "listen.group = www-data", "listen.mode = 0660",
                      "pm = static", "pm.max_children = 2", f"php_admin_value[open_basedir] = /home/{user}", ""]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines))
        self.proc = subprocess.Popen([PHP_FPM, "-F", "-y", self.conf], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_until(lambda: all(os.path.exists(self.socket_path(u)) for u in self.accounts), timeout=10):
            raise RuntimeError("private php-fpm did not create its sockets")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class TestAccounts:
    """Unix accounts reserved for tests (jt*), created like the agent's own: in the managed group, with a
    0750 home of group www-data.  Always removed at the end."""

    def __init__(self):
        self.names = []

    def create(self, name):
        assert name.startswith(TEST_ACCOUNT_PREFIX)
        self.remove(name)
        subprocess.run(["groupadd", "-f", MANAGED_GROUP], check=True)
        subprocess.run(["useradd", "-m", "-d", f"/home/{name}", "-s", "/usr/sbin/nologin", "-U", "-G",
                        MANAGED_GROUP, name], check=True)
        home = f"/home/{name}"
        os.chmod(home, 0o750)
        os.chown(home, pwd.getpwnam(name).pw_uid, grp.getgrnam("www-data").gr_gid)
        self.names.append(name)

    def remove(self, name):
        try:
            pwd.getpwnam(name)
        except KeyError:
            return
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
        subprocess.run(["userdel", "-r", name], capture_output=True)
        if os.path.lexists(f"/home/{name}"):
            shutil.rmtree(f"/home/{name}", ignore_errors=True)

    def remove_all(self):
        for name in list(self.names):
            self.remove(name)
        self.names = []

    @staticmethod
    def ids(name):
        pw = pwd.getpwnam(name)
        return pw.pw_uid, pw.pw_gid

    def run_as(self, name, argv, **kwargs):
        """Runs argv as the account (the tenant's own actions: planting links, writing files)."""
        uid, gid = self.ids(name)

        def demote():
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)

        return subprocess.run(argv, preexec_fn=demote, cwd="/", capture_output=True, text=True, **kwargs)


class Agent:
    """The agent, socket-activated per connection by systemd-socket-activate on a private socket."""

    def __init__(self, root, nginx, php_socket_pattern=None):
        self.root = root
        self.nginx = nginx
        self.socket = os.path.join(root, "agent.sock")
        self.conf = os.path.join(root, "agent.conf")
        self.dropins = self.conf + ".d"
        self.proc = None
        self.php_socket_pattern = php_socket_pattern or os.path.join(root, "php", "php{version}-fpm-{user}.sock")

    def write_config(self):
        os.makedirs(self.dropins, exist_ok=True)
        n = self.nginx
        # The configuration parser reads lines of at most 199 bytes, so the wrapper is copied to a short path.
        counter = os.path.join(self.root, "count")
        shutil.copy(os.path.join(REPO, "t", "integration", "lib", "count-and-run"), counter)
        test_command = " ".join(["/bin/bash", counter, n.test_counter] + n.test_argv())
        with open(self.conf, "w") as f:
            f.write(f"""# Agent configuration of an integration test: every path points at the private nginx.
[agent]
lock_dir = {self.root}/locks

[nginx]
sites_available = {n.sites_available}
sites_enabled = {n.sites_enabled}
test_command = {test_command}
log_dir = {n.logs}
acme_root = {n.acme_root}
cache_root = {n.cache_root}
certificate_dir = {n.certs}
php_fpm_socket = {self.php_socket_pattern}
listen_http = 127.0.0.1:{n.http_port}
listen_https = 127.0.0.1:{n.https_port}

[service.nginx]
pidfile = {n.pidfile}
reload_signal = HUP
""")

    def set_dropin(self, name, text):
        """Writes (or with text None removes) a drop-in; each connection's instance reads it afresh."""
        path = os.path.join(self.dropins, name + ".conf")
        if text is None:
            if os.path.exists(path):
                os.unlink(path)
            return
        with open(path, "w") as f:
            f.write(text)

    def start(self, argv_prefix=None):
        os.makedirs(os.path.join(self.root, "locks"), exist_ok=True)
        if os.path.exists(self.socket):
            os.unlink(self.socket)
        # systemd-socket-activate passes only the variables named with -E to the agent.
        passed = []
        for name in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if name in os.environ:
                passed += ["-E", name]
        argv = (argv_prefix or []) + ["systemd-socket-activate", "--accept", "-l", self.socket] + passed + \
            [AGENT, "--config", self.conf]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(self.root, "agent.stderr"), "a"),
                                     start_new_session=True)
        if not wait_until(lambda: os.path.exists(self.socket), timeout=10):
            raise RuntimeError("systemd-socket-activate did not create the agent socket")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def call_raw(self, payload, timeout=60):
        """Sends one frame (bytes of JSON) and returns the decoded response object."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(self.socket)
            s.sendall(struct.pack(">I", len(payload)) + payload)
            header = b""
            while len(header) < 4:
                chunk = s.recv(4 - len(header))
                if not chunk:
                    raise RuntimeError("agent closed the connection without a response")
                header += chunk
            (length,) = struct.unpack(">I", header)
            body = b""
            while len(body) < length:
                chunk = s.recv(length - len(body))
                if not chunk:
                    raise RuntimeError("agent closed the connection mid-response")
                body += chunk
            return json.loads(body)

    def call(self, action, params=None, request_id=None):
        request = {"action": action, "params": params if params is not None else {}}
        if request_id:
            request["request_id"] = request_id
        return self.call_raw(json.dumps(request).encode())

    def ctl(self, *args):
        return subprocess.run([AGENTCTL, "--socket", self.socket] + list(args), capture_output=True, text=True)


def snapshot_tree(*paths, mtime=True):
    """Returns {path: (kind, bytes or link target, mode, uid, gid[, mtime_ns])} of every entry below paths."""
    state = {}
    for top in paths:
        for dirpath, dirnames, filenames in os.walk(top):
            for name in dirnames + filenames:
                p = os.path.join(dirpath, name)
                st = os.lstat(p)
                if os.path.islink(p):
                    state[p] = ("link", os.readlink(p), st.st_uid, st.st_gid)
                elif os.path.isfile(p):
                    with open(p, "rb") as f:
                        state[p] = ("file", f.read(), st.st_mode, st.st_uid, st.st_gid) + \
                            ((st.st_mtime_ns,) if mtime else ())
                else:
                    state[p] = ("dir", None, st.st_mode, st.st_uid, st.st_gid)
    return state


def stat_identity(path):
    st = os.lstat(path)
    return (st.st_mode, st.st_uid, st.st_gid)


class Environment:
    """One private nginx, PHP-FPM, journald and agent, plus the test accounts; cleaned up by close()."""

    def __init__(self, accounts=("jtdalice", "jtdbob"), php=True):
        self.root = tempfile.mkdtemp(prefix="jabali-it-")
        os.chmod(self.root, 0o755)
        self.accounts = TestAccounts()
        self.account_names = list(accounts)
        self.nginx = PrivateNginx(os.path.join(self.root, "nginx"))
        self.php = PrivatePhpFpm(self.root, self.account_names) if php else None
        self.agent = Agent(self.root, self.nginx,
                           self.php.socket_pattern() if self.php else None)
        self.journald = None

    def open(self):
        for name in self.account_names:
            self.accounts.create(name)
        os.makedirs(self.nginx.root, exist_ok=True)
        self.nginx.setup()
        self.nginx.start()
        if self.php:
            self.php.start()
        self.journald = ensure_journald()
        self.agent.write_config()
        self.agent.start()
        return self

    def close(self):
        for step in (self.agent.stop, self.php.stop if self.php else None, self.nginx.stop,
                     self.accounts.remove_all):
            if step:
                try:
                    step()
                except Exception as e:  # cleanup goes on whatever failed before
                    print(f"cleanup step failed: {e}", flush=True)
        if self.journald and self.journald.poll() is None:
            self.journald.terminate()
            self.journald.wait()
        shutil.rmtree(self.root, ignore_errors=True)
