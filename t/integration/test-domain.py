#!/usr/bin/python3
"""Integration tests of the domain family against a private nginx, PHP-FPM and the real agent binary.

Run as root from the source tree after `make`: t/integration/run-domain.  Prints 'N passed, N failed'.
"""

import concurrent.futures
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

from jabali_harness import (Environment, Results, PHP_VERSION, snapshot_tree, stat_identity,  # noqa: E402
                            wait_until)

R = Results()
ENV = None
ALICE, BOB, CAROL = "jtdalice", "jtdbob", "jtdcarol"


def call(action, **params):
    return ENV.agent.call(action, params)


def ok(resp):
    return resp.get("ok") is True


def code(resp):
    return resp.get("code")


def vhost_path(domain):
    return os.path.join(ENV.nginx.sites_available, domain + ".conf")


def link_path(domain):
    return os.path.join(ENV.nginx.sites_enabled, domain + ".conf")


def read_vhost(domain):
    with open(vhost_path(domain)) as f:
        return f.read()


def site_state():
    """Returns every byte, link, mode, owner and mtime of the sites directories."""
    return snapshot_tree(ENV.nginx.sites_available, ENV.nginx.sites_enabled)


def site_content():
    """Returns the same without mtimes: a restore rewrites the old bytes, so only the mtime may differ."""
    return snapshot_tree(ENV.nginx.sites_available, ENV.nginx.sites_enabled, mtime=False)


def docroot(user, domain, root="public_html"):
    return f"/home/{user}/domains/{domain}/{root}"


def write_as(user, path, text):
    """Writes a file as the account, the way a tenant uploads content."""
    r = ENV.accounts.run_as(user, ["/usr/bin/tee", path], input=text)
    if r.returncode != 0:
        raise RuntimeError(f"writing {path} as {user} failed: {r.stderr}")


def as_user(user, *argv):
    return ENV.accounts.run_as(user, list(argv))


def section(name):
    R.current = name
    print(f"# {name}", flush=True)


# --- Create, update, delete -------------------------------------------------------------------------------

def test_create():
    section("create")
    reloads = ENV.nginx.reload_count()
    resp = call("domain.create", domain="site1.example", user=ALICE)
    R.check(ok(resp), "domain.create succeeds", json.dumps(resp))
    R.equal(resp.get("result", {}).get("changed"), True, "first create reports changed")
    R.check(os.path.isfile(vhost_path("site1.example")), "vhost file written")
    R.equal(os.readlink(link_path("site1.example")), vhost_path("site1.example"), "enabled link points at vhost")
    R.check(read_vhost("site1.example").startswith("# Managed by jabali-agent"), "vhost starts with header")
    R.check(f"# jabali-user: {ALICE}\n" in read_vhost("site1.example"), "header records the owner")

    uid, gid = ENV.accounts.ids(ALICE)
    for path in (f"/home/{ALICE}/domains", f"/home/{ALICE}/domains/site1.example", docroot(ALICE, "site1.example")):
        st = os.lstat(path)
        R.equal((st.st_uid, st.st_gid), (uid, gid), f"{path} owned by the account")
    R.check(os.path.isfile(docroot(ALICE, "site1.example") + "/index.html"), "placeholder page written")

    status, _, body = ENV.nginx.wait_for("site1.example", contains="site1.example")
    R.equal(status, 200, "site answers over HTTP")
    R.check("site1.example" in body, "placeholder page served", body)
    R.equal(ENV.nginx.reload_count(), reloads + 1, "one reload")

    vhost = read_vhost("site1.example")
    R.check(f"access_log {ENV.nginx.logs}/site1.example.access.log;" in vhost, "access log outside the home")
    R.check("/home/" not in vhost.split("access_log", 1)[1].split(";", 1)[0], "log path not in a home")
    R.check(f"root {ENV.nginx.acme_root};" in vhost, "ACME challenges from the agent's directory")
    R.check("disable_symlinks if_not_owner;" in vhost, "foreign symlinks not followed")


def test_create_via_cli():
    section("create via jabali-agentctl")
    r = ENV.agent.ctl("call", "domain.create", "domain=cli.example", f"user={ALICE}")
    R.equal(r.returncode, 0, "agentctl exits 0")
    R.check('"changed": true' in r.stdout or '"changed":true' in r.stdout, "agentctl prints the result",
            r.stdout + r.stderr)
    status, _, _ = ENV.nginx.wait_for("cli.example")
    R.equal(status, 200, "site created through the CLI answers")


def test_idempotent():
    section("idempotency")
    before = site_state()
    reloads, tests = ENV.nginx.reload_count(), ENV.nginx.test_count()
    for i in range(3):
        resp = call("domain.create", domain="site1.example", user=ALICE)
        R.check(ok(resp), f"repeat {i} succeeds", json.dumps(resp))
        R.equal(resp.get("result", {}).get("changed"), False, f"repeat {i} reports unchanged")
    R.equal(site_state(), before, "vhost bytes, link and mtimes unchanged")
    R.equal(ENV.nginx.test_count(), tests, "nginx -t not run")
    R.equal(ENV.nginx.reload_count(), reloads, "no reload")

    resp = call("domain.update", domain="site1.example", user=ALICE)
    R.equal(resp.get("result", {}).get("changed"), False, "empty update reports unchanged")
    resp = call("domain.create", domain="SITE1.Example", user=ALICE)
    R.equal(resp.get("result", {}).get("changed"), False, "case variant is the same domain, unchanged")
    R.equal(resp.get("result", {}).get("domain"), "site1.example", "case variant normalised")
    R.equal(ENV.nginx.reload_count(), reloads, "still no reload")

    resp = call("domain.create", domain="site1.example", user=ALICE, aliases=["b.site1.example", "a.site1.example"])
    R.check(ok(resp) and resp["result"]["changed"], "aliases added", json.dumps(resp))
    before = site_state()
    resp = call("domain.create", domain="site1.example", user=ALICE, aliases=["a.site1.example", "b.site1.example"])
    R.equal(resp.get("result", {}).get("changed"), False, "same aliases in another order are unchanged")
    R.equal(site_state(), before, "no rewrite for reordered aliases")
    call("domain.create", domain="site1.example", user=ALICE)


def test_update_aliases():
    section("update aliases")
    resp = call("domain.update", domain="site1.example", user=ALICE, aliases=["www.site1.example", "alt.example"])
    R.check(ok(resp), "update with aliases succeeds", json.dumps(resp))
    R.equal(resp.get("result", {}).get("aliases"), ["alt.example", "www.site1.example"], "aliases sorted")
    for host in ("www.site1.example", "alt.example"):
        status, _, body = ENV.nginx.wait_for(host, contains="site1.example")
        R.equal(status, 200, f"alias {host} answers")
    R.check("server_name site1.example alt.example www.site1.example;" in read_vhost("site1.example"),
            "server_name lists domain and aliases")

    resp = call("domain.update", domain="site1.example", user=ALICE, aliases=[])
    R.check(ok(resp) and resp["result"]["changed"], "aliases removed")
    status, _, body = ENV.nginx.wait_for("alt.example", status=404, contains="no site")
    R.equal(status, 404, "removed alias falls to the default server")


def test_update_document_root():
    section("update document root")
    web = f"/home/{ALICE}/domains/site1.example/web"
    as_user(ALICE, "/bin/mkdir", "-p", web + "/inner")
    write_as(ALICE, web + "/inner/index.html", "inner root\n")
    resp = call("domain.update", domain="site1.example", user=ALICE, document_root="web/inner")
    R.check(ok(resp) and resp["result"]["changed"], "document root changed", json.dumps(resp))
    status, _, body = ENV.nginx.wait_for("site1.example", contains="inner root")
    R.check(status == 200 and "inner root" in body, "new document root served", body)

    # A symlinked component in the document root is refused, and the vhost stays as it was.
    as_user(ALICE, "/bin/ln", "-s", "/etc", f"/home/{ALICE}/domains/site1.example/etclink")
    as_user(ALICE, "/bin/ln", "-s", "/home/" + BOB, f"/home/{ALICE}/domains/site1.example/boblink")
    before, reloads = site_state(), ENV.nginx.reload_count()
    for root in ("etclink", "etclink/ssl", "boblink", "boblink/domains"):
        resp = call("domain.update", domain="site1.example", user=ALICE, document_root=root)
        R.equal(code(resp), "UNSAFE_PATH", f"document root through {root} refused")
    R.equal(site_state(), before, "vhost unchanged after refused roots")
    R.equal(ENV.nginx.reload_count(), reloads, "no reload after refused roots")

    resp = call("domain.update", domain="site1.example", user=ALICE, document_root="public_html")
    R.check(ok(resp), "back to public_html")


def test_php_on_off():
    section("PHP on and off")
    write_as(ALICE, docroot(ALICE, "site1.example") + "/info.php",
             "<?php echo 'php-ok ' . get_current_user() . ' ' . posix_getpwuid(posix_geteuid())['name'];\n")
    resp = call("domain.update", domain="site1.example", user=ALICE, php_version=PHP_VERSION)
    R.check(ok(resp) and resp["result"]["changed"], "PHP turned on", json.dumps(resp))
    R.check(f"fastcgi_pass unix:{ENV.php.socket_path(ALICE)};" in read_vhost("site1.example"),
            "vhost passes PHP to the account's pool")
    status, _, body = ENV.nginx.wait_for("site1.example", "/info.php", contains="php-ok")
    R.check(status == 200 and f"php-ok {ALICE} {ALICE}" in body, "PHP runs as the account", f"{status} {body}")

    resp = call("domain.update", domain="site1.example", user=ALICE, php_version="none")
    R.check(ok(resp) and resp["result"]["changed"], "PHP turned off")
    R.check("fastcgi_pass" not in read_vhost("site1.example"), "no fastcgi_pass without PHP")
    status, _, body = ENV.nginx.wait_for("site1.example", "/info.php", status=403)
    R.equal(status, 403, "PHP source not served without PHP")
    R.check("<?php" not in body, "no source in the body")


def test_dotfiles_and_symlinks():
    section("dot files and foreign symlinks")
    write_as(ALICE, docroot(ALICE, "site1.example") + "/.env", "SECRET=1\n")
    status, _, _ = ENV.nginx.request("site1.example", "/.env")
    R.equal(status, 403, ".env denied")

    write_as(ALICE, docroot(ALICE, "site1.example") + "/own.txt", "own file\n")
    as_user(ALICE, "/bin/ln", "-s", "own.txt", docroot(ALICE, "site1.example") + "/ownlink.txt")
    as_user(ALICE, "/bin/ln", "-s", "/etc/passwd", docroot(ALICE, "site1.example") + "/passwd.txt")
    status, _, body = ENV.nginx.request("site1.example", "/ownlink.txt")
    R.check(status == 200 and "own file" in body, "link to the account's own file followed", f"{status}")
    status, _, body = ENV.nginx.request("site1.example", "/passwd.txt")
    R.check(status in (403, 404), "link to root's /etc/passwd not followed", f"{status}")
    R.check("root:" not in body, "passwd content not served")


def test_acme_directory():
    section("ACME challenges")
    os.makedirs(ENV.nginx.acme_root + "/.well-known/acme-challenge", exist_ok=True)
    with open(ENV.nginx.acme_root + "/.well-known/acme-challenge/token1", "w") as f:
        f.write("agent-token\n")
    as_user(ALICE, "/bin/mkdir", "-p", docroot(ALICE, "site1.example") + "/.well-known/acme-challenge")
    write_as(ALICE, docroot(ALICE, "site1.example") + "/.well-known/acme-challenge/token2", "tenant-token\n")
    status, _, body = ENV.nginx.request("site1.example", "/.well-known/acme-challenge/token1")
    R.check(status == 200 and "agent-token" in body, "challenge from the agent's directory", f"{status}")
    status, _, body = ENV.nginx.request("site1.example", "/.well-known/acme-challenge/token2")
    R.equal(status, 404, "challenge never from the docroot")


def make_certificate(domain, garbage=False):
    d = os.path.join(ENV.nginx.certs, domain)
    os.makedirs(d, exist_ok=True)
    if garbage:
        for name in ("fullchain.pem", "privkey.pem"):
            with open(os.path.join(d, name), "w") as f:
                f.write("not a certificate\n")
        return
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    f"/CN={domain}", "-keyout", os.path.join(d, "privkey.pem"), "-out",
                    os.path.join(d, "fullchain.pem")], check=True, capture_output=True)


def test_tls():
    section("TLS and redirect")
    resp = call("domain.update", domain="site1.example", user=ALICE, tls=True)
    R.equal(code(resp), "FAILED_PRECONDITION", "TLS without a certificate refused")

    make_certificate("site1.example")
    resp = call("domain.update", domain="site1.example", user=ALICE, tls=True, redirect_https=True)
    R.check(ok(resp) and resp["result"]["tls"], "TLS turned on", json.dumps(resp))
    status, _, body = ENV.nginx.wait_for("site1.example", https=True)
    R.equal(status, 200, "site answers over HTTPS")
    status, headers, _ = ENV.nginx.wait_for("site1.example", "/x", status=301)
    R.equal(status, 301, "plain HTTP redirected")
    R.equal(headers.get("location"), "https://site1.example/x", "redirect keeps host and path")
    status, _, body = ENV.nginx.request("site1.example", "/.well-known/acme-challenge/token1")
    R.check(status == 200 and "agent-token" in body, "ACME challenge not redirected", f"{status}")

    resp = call("domain.update", domain="site1.example", user=ALICE, tls=False)
    R.check(ok(resp) and not resp["result"]["tls"], "TLS turned off")
    status, _, _ = ENV.nginx.wait_for("site1.example", "/")
    R.equal(status, 200, "plain HTTP served again without TLS")


def test_delete():
    section("delete")
    call("domain.create", domain="gone.example", user=ALICE)
    ENV.nginx.wait_for("gone.example")
    write_as(ALICE, docroot(ALICE, "gone.example") + "/keep.txt", "kept\n")
    reloads = ENV.nginx.reload_count()
    resp = call("domain.delete", domain="gone.example", user=ALICE)
    R.check(ok(resp) and resp["result"]["changed"], "delete succeeds", json.dumps(resp))
    R.check(not os.path.lexists(vhost_path("gone.example")), "vhost removed")
    R.check(not os.path.lexists(link_path("gone.example")), "enabled link removed")
    R.equal(ENV.nginx.reload_count(), reloads + 1, "one reload")
    status, _, _ = ENV.nginx.wait_for("gone.example", status=404, contains="no site")
    R.equal(status, 404, "site no longer served")
    R.check(os.path.isfile(docroot(ALICE, "gone.example") + "/keep.txt"), "files kept without remove_files")

    resp = call("domain.delete", domain="gone.example", user=ALICE)
    R.check(ok(resp) and not resp["result"]["changed"], "second delete unchanged", json.dumps(resp))
    R.equal(ENV.nginx.reload_count(), reloads + 1, "no reload for a second delete")

    resp = call("domain.delete", domain="gone.example", user=ALICE, remove_files=True)
    R.check(ok(resp) and resp["result"]["files_removed"], "remove_files removes the directory")
    R.check(not os.path.lexists(f"/home/{ALICE}/domains/gone.example"), "domain directory gone")


# --- Ownership --------------------------------------------------------------------------------------------

def test_conflicts():
    section("ownership conflicts")
    call("domain.create", domain="owned.example", user=ALICE, aliases=["www.owned.example"])
    before, reloads = site_state(), ENV.nginx.reload_count()
    cases = [
        ({"domain": "owned.example"}, "domain of another account"),
        ({"domain": "OWNED.example"}, "case variant of another account's domain"),
        ({"domain": "www.owned.example"}, "alias of another account as domain"),
        ({"domain": "bob.example", "aliases": ["owned.example"]}, "another account's domain as alias"),
        ({"domain": "bob.example", "aliases": ["WWW.Owned.Example"]}, "another account's alias as alias"),
    ]
    for params, name in cases:
        resp = call("domain.create", user=BOB, **params)
        R.equal(code(resp), "CONFLICT", name)
    for action in ("domain.update", "domain.delete"):
        resp = call(action, domain="owned.example", user=BOB)
        R.equal(code(resp), "CONFLICT", f"{action} by another account")
    R.equal(site_state(), before, "nothing written on conflict")
    R.equal(ENV.nginx.reload_count(), reloads, "no reload on conflict")
    R.check(not os.path.lexists(f"/home/{BOB}/domains/bob.example"), "no tree made for a conflicting request")

    # A file the agent does not manage is never overwritten.
    with open(vhost_path("manual.example"), "w") as f:
        f.write("server { server_name manual.example; }\n")
    resp = call("domain.create", domain="manual.example", user=ALICE)
    R.equal(code(resp), "CONFLICT", "unmanaged vhost file is CONFLICT")
    with open(vhost_path("manual.example")) as f:
        R.equal(f.read(), "server { server_name manual.example; }\n", "unmanaged vhost untouched")
    os.unlink(vhost_path("manual.example"))

    # The same account may not serve one name from two sites either.
    resp = call("domain.create", domain="second.example", user=ALICE, aliases=["owned.example"])
    R.equal(code(resp), "CONFLICT", "name served by the account's other site")


def test_accounts():
    section("account checks")
    cases = [("jtnobody", "FAILED_PRECONDITION", "missing account"),
             ("root", "FAILED_PRECONDITION", "root"),
             ("daemon", "FAILED_PRECONDITION", "system account"),
             ("www-data", "INVALID_PARAMS", "name with a hyphen"),
             ("../../etc", "INVALID_PARAMS", "traversal in the name"),
             ("JTALICE", "INVALID_PARAMS", "upper case name")]
    for user, expected, name in cases:
        resp = call("domain.create", domain="acct.example", user=user)
        R.equal(code(resp), expected, name)
    R.check(not os.path.lexists(vhost_path("acct.example")), "no vhost for refused accounts")


# --- Rollback ---------------------------------------------------------------------------------------------

def test_rollback_template():
    section("rollback on a failing template")
    call("domain.create", domain="keep.example", user=ALICE)
    ENV.nginx.wait_for("keep.example")
    broken = os.path.join(ENV.root, "broken.tmpl")
    with open(broken, "w") as f:
        f.write("server {\n        listen 127.0.0.1:{{domain}};\n        server_name {{server_names}};\n"
                "        not_a_directive on;\n}\n")
    ENV.agent.set_dropin("template", f"[nginx]\ntemplate = {broken}\n")
    try:
        before, reloads = site_content(), ENV.nginx.reload_count()
        resp = call("domain.create", domain="new.example", user=ALICE)
        R.equal(code(resp), "CONFIG_INVALID", "create with a failing template is CONFIG_INVALID")
        R.check(not os.path.lexists(f"/home/{ALICE}/domains/new.example"),
                "the failed create left no site directory")
        output = (resp.get("details") or {}).get("output", "")
        R.check("not_a_directive" in output or "invalid port" in output or "host not found" in output,
                "details carry nginx's message", output)
        resp = call("domain.update", domain="keep.example", user=ALICE, aliases=["www.keep.example"])
        R.equal(code(resp), "CONFIG_INVALID", "update with a failing template is CONFIG_INVALID")
        resp = call("nginx.ratelimits.apply", domain="keep.example", requests_per_second=5)
        R.equal(code(resp), "CONFIG_INVALID", "rate limits with a failing template are CONFIG_INVALID")
        R.equal(site_content(), before, "every byte of the previous configuration restored")
        R.equal(ENV.nginx.reload_count(), reloads, "no reload after a failed test")
        status, _, _ = ENV.nginx.request("keep.example")
        R.equal(status, 200, "other sites keep answering")
        R.equal(ENV.nginx.config_test().returncode, 0, "configuration on disk still passes nginx -t")

        # A template syntax error is caught before anything is written.
        with open(broken, "w") as f:
            f.write("server { server_name {{nope}}; }\n")
        resp = call("domain.create", domain="new.example", user=ALICE)
        R.equal(code(resp), "CONFIG_INVALID", "template syntax error is CONFIG_INVALID")
        R.equal(site_content(), before, "nothing written for a template syntax error")
    finally:
        ENV.agent.set_dropin("template", None)


def test_rollback_value():
    section("rollback on a failing value")
    make_certificate("keep.example", garbage=True)
    before, reloads = site_content(), ENV.nginx.reload_count()
    resp = call("domain.update", domain="keep.example", user=ALICE, tls=True)
    R.equal(code(resp), "CONFIG_INVALID", "unusable certificate is CONFIG_INVALID")
    R.check("certificate" in (resp.get("details") or {}).get("output", "").lower(), "nginx's message in details",
            json.dumps(resp))
    R.equal(site_content(), before, "previous vhost restored byte for byte")
    R.equal(ENV.nginx.reload_count(), reloads, "no reload")
    status, _, _ = ENV.nginx.request("keep.example")
    R.equal(status, 200, "site keeps answering")
    shutil.rmtree(os.path.join(ENV.nginx.certs, "keep.example"))


# --- nginx.* actions --------------------------------------------------------------------------------------

def test_nginx_reload():
    section("nginx.reload")
    reloads = ENV.nginx.reload_count()
    resp = call("nginx.reload")
    R.check(ok(resp), "reload succeeds", json.dumps(resp))
    R.check(wait_until(lambda: ENV.nginx.reload_count() == reloads + 1, timeout=5), "nginx reloaded")

    bad = os.path.join(ENV.nginx.sites_enabled, "zz-broken.conf")
    with open(bad, "w") as f:
        f.write("this is not nginx syntax\n")
    try:
        reloads = ENV.nginx.reload_count()
        resp = call("nginx.reload")
        R.equal(code(resp), "CONFIG_INVALID", "broken configuration is CONFIG_INVALID")
        time.sleep(0.3)
        R.equal(ENV.nginx.reload_count(), reloads, "no reload of a broken configuration")
        status, _, _ = ENV.nginx.request("keep.example")
        R.equal(status, 200, "running configuration untouched")
    finally:
        os.unlink(bad)


def test_ratelimits():
    section("nginx.ratelimits.apply")
    resp = call("nginx.ratelimits.apply", domain="keep.example", requests_per_second=1, burst=0, connections=2)
    R.check(ok(resp) and resp["result"]["changed"], "rate limits applied", json.dumps(resp))
    vhost = read_vhost("keep.example")
    R.check("limit_req zone=jabali_req_keep.example nodelay;" in vhost, "limit_req without burst in the vhost")
    R.check("limit_conn jabali_conn_keep.example 2;" in vhost, "limit_conn in the vhost")
    time.sleep(0.5)
    statuses = [ENV.nginx.request("keep.example")[0] for _ in range(6)]
    R.check(503 in statuses, "requests above the rate get 503", str(statuses))

    reloads, tests = ENV.nginx.reload_count(), ENV.nginx.test_count()
    resp = call("nginx.ratelimits.apply", domain="keep.example", requests_per_second=1, burst=0, connections=2)
    R.check(ok(resp) and not resp["result"]["changed"], "same limits unchanged")
    R.equal((ENV.nginx.reload_count(), ENV.nginx.test_count()), (reloads, tests), "no test or reload")

    resp = call("nginx.ratelimits.apply", domain="keep.example", requests_per_second=10)
    R.equal(resp.get("result", {}).get("burst"), 10, "burst defaults to the rate")
    R.check("limit_req zone=jabali_req_keep.example burst=10 nodelay;" in read_vhost("keep.example"),
            "limit_req with burst in the vhost")
    R.check("limit_conn " not in read_vhost("keep.example"), "connection limit removed when absent")

    resp = call("nginx.ratelimits.apply", domain="keep.example", requests_per_second=0)
    R.check(ok(resp) and resp["result"]["changed"], "limits removed")
    R.check("limit_req" not in read_vhost("keep.example"), "limit_req gone")
    resp = call("nginx.ratelimits.apply", domain="missing.example", requests_per_second=3)
    R.equal(code(resp), "NOT_FOUND", "unknown domain is NOT_FOUND")
    resp = call("nginx.ratelimits.apply", domain="keep.example", requests_per_second=-1)
    R.equal(code(resp), "INVALID_PARAMS", "negative rate refused")


def cache_files(domain):
    root = os.path.join(ENV.nginx.cache_root, domain)
    found = []
    for dirpath, _, files in os.walk(root):
        found += [os.path.join(dirpath, f) for f in files]
    return found


def test_cache_purge():
    section("nginx.cache.purge")
    script = "<?php header('Cache-Control: max-age=300'); echo 'fresh ' . microtime(true);\n"
    for domain in ("b.example", "ab.example", "b.example.net"):
        resp = call("domain.create", domain=domain, user=ALICE, php_version=PHP_VERSION)
        R.check(ok(resp), f"PHP site {domain} created", json.dumps(resp))
        write_as(ALICE, docroot(ALICE, domain) + "/c.php", script)
    for domain in ("b.example", "ab.example", "b.example.net"):
        first = ENV.nginx.wait_for(domain, "/c.php", contains="fresh")[2]
        # A worker of an older generation may still take one connection right after a reload and
        # answer from the catch-all server, so the second request also waits for the site.
        second = ENV.nginx.wait_for(domain, "/c.php", contains="fresh")[2]
        R.equal(second, first, f"{domain} response cached")
    counts = {d: len(cache_files(d)) for d in ("ab.example", "b.example.net")}
    R.check(all(n > 0 for n in counts.values()), "other domains have cache files", str(counts))

    resp = call("nginx.cache.purge", domain="b.example", paths=["/c.php"])
    R.check(ok(resp) and resp["result"]["removed"] >= 1, "path purge removes the entry", json.dumps(resp))
    third = ENV.nginx.request("b.example", "/c.php")[2]
    R.check(third != first, "purged path is fetched fresh", third)
    R.equal({d: len(cache_files(d)) for d in counts}, counts, "no other domain's cache touched by a path purge")

    resp = call("nginx.cache.purge", domain="b.example")
    R.check(ok(resp), "whole purge succeeds", json.dumps(resp))
    R.equal(cache_files("b.example"), [], "whole purge empties the domain's cache")
    R.check(os.path.isdir(os.path.join(ENV.nginx.cache_root, "b.example")), "cache directory itself kept")
    R.equal({d: len(cache_files(d)) for d in counts}, counts, "no other domain's cache touched by a whole purge")

    resp = call("nginx.cache.purge", domain="b.example", paths=["/c.php\"; rm -rf /"])
    R.equal(code(resp), "INVALID_PARAMS", "hostile path refused")
    resp = call("nginx.cache.purge", domain="b.example", paths=["../../etc"])
    R.equal(code(resp), "INVALID_PARAMS", "relative path refused")
    resp = call("nginx.cache.purge", domain="nothere.example")
    R.equal(code(resp), "NOT_FOUND", "unknown domain is NOT_FOUND")


# --- Concurrency ------------------------------------------------------------------------------------------

def test_concurrency():
    section("concurrency")
    requests = [("domain.create", {"domain": f"c{i}.example", "user": ALICE}) for i in range(20)]
    requests += [("domain.create", {"domain": "same.example", "user": BOB})] * 5
    with concurrent.futures.ThreadPoolExecutor(max_workers=25) as pool:
        responses = list(pool.map(lambda r: ENV.agent.call(r[0], r[1]), requests))
    failures = [r for r in responses if not ok(r)]
    R.equal(failures, [], "all 25 requests succeed")
    same = [r["result"]["changed"] for r in responses[20:] if ok(r)]
    R.equal(sorted(same), [False, False, False, False, True], "exactly one same-domain create changes anything")
    for i in range(20):
        d = f"c{i}.example"
        R.check(os.path.isfile(vhost_path(d)) and os.readlink(link_path(d)) == vhost_path(d), f"{d} has one vhost")
    leftovers = [n for n in os.listdir(ENV.nginx.sites_available) + os.listdir(ENV.nginx.sites_enabled)
                 if not n.endswith(".conf")]
    R.equal(leftovers, [], "no temporary files left")
    R.equal(ENV.nginx.config_test().returncode, 0, "nginx -t passes at the end")
    for d in ("c0.example", "c19.example", "same.example"):
        status, _, _ = ENV.nginx.wait_for(d)
        R.equal(status, 200, f"{d} answers")


# --- Attack classes ---------------------------------------------------------------------------------------

def test_crafted_param_names():
    section("crafted parameter names")
    canaries = ["/tmp/pwn_a1", "/tmp/pwn_a1b", "/tmp/pwn_a1c"]
    for c in canaries:
        if os.path.exists(c):
            os.unlink(c)
    before, reloads = site_state(), ENV.nginx.reload_count()
    keys = ["php$(touch /tmp/pwn_a1)", "php`touch /tmp/pwn_a1b`", "x;touch /tmp/pwn_a1c", "Domain", "domain ",
            "document_root\n", "__proto__", "aliases[0]", "\u0430liases", "user.name", ""]
    for key in keys:
        params = {"domain": "a1.example", "user": ALICE, key: "1"}
        resp = call("domain.create", **params)
        R.equal(code(resp), "INVALID_PARAMS", f"unknown key {key!r} refused")
        param = (resp.get("details") or {}).get("param")
        R.check(param is not None and "unknown" in resp.get("error", ""), f"error names the unknown key {key!r}",
                json.dumps(resp))
    for action in ("domain.update", "domain.delete", "nginx.cache.purge", "nginx.ratelimits.apply", "nginx.reload"):
        resp = call(action, domain="a1.example", user=ALICE, **{"php$(touch /tmp/pwn_a1)": True})
        R.equal(code(resp), "INVALID_PARAMS", f"{action} refuses unknown keys")
    # A NUL byte never reaches the params: the envelope refuses it as invalid JSON text for the agent.
    resp = call("domain.create", domain="a1.example", user=ALICE, **{"php_version\u0000": "8.2"})
    R.check(code(resp) in ("INVALID_REQUEST", "INVALID_PARAMS"), "key with a NUL refused", json.dumps(resp))
    resp = call("domain.create", domain="a1.example\u0000;", user=ALICE)
    R.check(code(resp) in ("INVALID_REQUEST", "INVALID_PARAMS"), "value with a NUL refused", json.dumps(resp))
    R.check(not any(os.path.exists(c) for c in canaries), "no canary file created")
    R.equal(site_state(), before, "nothing written")
    R.equal(ENV.nginx.reload_count(), reloads, "no reload")
    R.check(not os.path.lexists(f"/home/{ALICE}/domains/a1.example"), "no tree made")


def test_directive_injection():
    section("nginx directive injection")
    call("domain.create", domain="inj.example", user=ALICE)
    before, reloads = site_state(), ENV.nginx.reload_count()
    names = ["x.example;} location / { alias /etc/; } #", "x.example;", "x.example{", "x.example}",
             "x.example\nserver { }", "x.example\r\n", "x.example\"", "x.example'", "$host.example",
             "x.example#", "x.example x.example", "x.example\t", "x.example\\", "x.example\u2028",
             "x.example/..", "*.example"]
    for name in names:
        for field, value in (("domain", name), ("aliases", [name])):
            params = {"domain": "inj.example", "user": ALICE, field: value}
            resp = call("domain.update", **params)
            R.equal(code(resp), "INVALID_PARAMS", f"{field} {name!r} refused")
    roots = ["public_html;", "public_html }", "a b", "x\ny", "../x", "/etc", "a/../../b", "$document_root",
             "{x}", "-x", "x#", "x'y", "x\"y", "./x", "a//b", "a/", "x;include /etc/shadow"]
    for root in roots:
        resp = call("domain.update", domain="inj.example", user=ALICE, document_root=root)
        R.equal(code(resp), "INVALID_PARAMS", f"document_root {root!r} refused")
    for version in ("8.2;", "8.2 ", "8.2\n", "../8.2", "8.2}", "$x"):
        resp = call("domain.update", domain="inj.example", user=ALICE, php_version=version)
        R.equal(code(resp), "INVALID_PARAMS", f"php_version {version!r} refused")
    R.equal(site_state(), before, "vhost unchanged")
    R.equal(ENV.nginx.reload_count(), reloads, "no reload")


def test_invalid_names():
    section("invalid names")
    before, reloads = site_state(), ENV.nginx.reload_count()
    names = ["test..com", "-lead.example", "lead-.example", "a" * 64 + ".example",
             ".".join(["a" * 63] * 4) + ".example", "example", "com", "co.uk", "github.io", "", ".example",
             "example.", "_x.example", "x_y.example", "a.example.", "a.example%", "a .example", "a@b.example",
             "xn--.example", "xn--zz.example", "127.0.0.1", "::1"]
    for name in names:
        resp = call("domain.create", domain=name, user=ALICE)
        R.equal(code(resp), "INVALID_PARAMS", f"domain {name!r} refused")
        resp = call("domain.create", domain="valid-host.example", user=ALICE, aliases=[name])
        R.equal(code(resp), "INVALID_PARAMS", f"alias {name!r} refused")
    # Valid names whose vhost files cannot be named: refused before the home changes.
    for name in [".".join(["a" * 60] * 3) + "." + "b" * 47 + ".example",
                 ".".join(["a" * 63] * 3) + "." + "b" * 53 + ".example"]:
        resp = call("domain.create", domain=name, user=ALICE)
        R.equal(code(resp), "INVALID_PARAMS", f"domain of {len(name)} bytes refused")
        R.check(not os.path.lexists(f"/home/{ALICE}/domains/{name}"), f"no directory for {len(name)} bytes")
    R.equal(site_state(), before, "nothing written")
    R.equal(ENV.nginx.reload_count(), reloads, "no reload")


def test_name_normalisation():
    section("name normalisation")
    resp = call("domain.create", domain="alice.example", user=ALICE)
    R.check(ok(resp), "alice.example created")
    before, reloads = site_state(), ENV.nginx.reload_count()
    # Spellings that normalise to alice.example are the same domain: unchanged for the owner,
    # CONFLICT for anyone else.
    for spelling in ("ALICE.EXAMPLE", "Alice.Example", "\uff41lice.example", "al\u00adice.example"):
        resp = call("domain.create", domain=spelling, user=ALICE)
        if ok(resp):
            R.equal(resp["result"]["domain"], "alice.example", f"{spelling!r} normalised to alice.example")
            R.equal(resp["result"]["changed"], False, f"{spelling!r} changes nothing")
        else:
            R.equal(code(resp), "INVALID_PARAMS", f"{spelling!r} refused")
        resp = call("domain.create", domain=spelling, user=BOB)
        R.check(code(resp) in ("CONFLICT", "INVALID_PARAMS"), f"{spelling!r} is not bob's", json.dumps(resp))
    for spelling in ("alice\u200b.example", "alice.example\u200b", "\u200balice.example"):
        resp = call("domain.create", domain=spelling, user=BOB)
        R.check(code(resp) in ("CONFLICT", "INVALID_PARAMS"), f"zero-width space {spelling!r} refused",
                json.dumps(resp))
    R.equal(site_state(), before, "no new vhost for variants")
    R.equal(ENV.nginx.reload_count(), reloads, "no reload for variants")

    # A Cyrillic letter makes another domain, converted to its A-label before any check.
    resp = call("domain.create", domain="\u0430lice.example", user=BOB)
    R.check(ok(resp), "Cyrillic look-alike accepted as its own domain", json.dumps(resp))
    domain = resp.get("result", {}).get("domain", "")
    R.check(domain.startswith("xn--") and domain.isascii(), "stored as an A-label", domain)
    R.check(os.path.isfile(vhost_path(domain)), "vhost named by the A-label")
    R.check(all(n.isascii() for n in os.listdir(ENV.nginx.sites_available)), "only ASCII file names")
    resp = call("domain.create", domain=domain.upper(), user=ALICE)
    R.equal(code(resp), "CONFLICT", "A-label form of bob's domain is CONFLICT for alice")
    call("domain.delete", domain=domain, user=BOB, remove_files=True)


def test_planted_links():
    section("planted links in the home")
    etc_before = {p: stat_identity(p) for p in ("/etc", "/var/log", "/etc/ssl", f"/home/{BOB}")}
    canary_dir = f"/home/{BOB}/canary"
    os.makedirs(canary_dir, exist_ok=True)
    with open(canary_dir + "/file", "w") as f:
        f.write("bob's\n")
    os.chown(canary_dir, *ENV.accounts.ids(BOB))
    canary_before = snapshot_tree(canary_dir)

    domains = f"/home/{ALICE}/domains"
    plants = [
        ("link.example", ["/bin/ln", "-s", "/etc", f"{domains}/link.example"], "domain directory to /etc"),
        ("logs.example", ["/bin/ln", "-s", "/var/log", f"{domains}/logs.example"], "domain directory to /var/log"),
        ("bob.example", ["/bin/ln", "-s", canary_dir, f"{domains}/bob.example"], "domain directory to bob's"),
        ("dangling.example", ["/bin/ln", "-s", "/nonexistent/x", f"{domains}/dangling.example"], "dangling link"),
        ("rel.example", ["/bin/ln", "-s", "../../../etc", f"{domains}/rel.example"], "relative link out"),
    ]
    for domain, argv, name in plants:
        as_user(ALICE, *argv)
        resp = call("domain.create", domain=domain, user=ALICE)
        R.equal(code(resp), "UNSAFE_PATH", name)
        R.check(not os.path.lexists(vhost_path(domain)), f"no vhost for {name}")

    # The docroot itself, and a file where a directory belongs.
    as_user(ALICE, "/bin/mkdir", "-p", f"{domains}/root.example")
    as_user(ALICE, "/bin/ln", "-s", "/etc/ssl", f"{domains}/root.example/public_html")
    resp = call("domain.create", domain="root.example", user=ALICE)
    R.equal(code(resp), "UNSAFE_PATH", "document root linked to /etc/ssl")
    write_as(ALICE, f"{domains}/file.example", "not a directory\n")
    resp = call("domain.create", domain="file.example", user=ALICE)
    R.equal(code(resp), "UNSAFE_PATH", "file where the domain directory belongs")

    # The whole domains directory replaced by a link.
    shutil.move(domains, f"/home/{ALICE}/domains.real")
    as_user(ALICE, "/bin/ln", "-s", "/etc", domains)
    resp = call("domain.create", domain="whole.example", user=ALICE)
    R.equal(code(resp), "UNSAFE_PATH", "domains directory linked to /etc")
    resp = call("domain.delete", domain="site1.example", user=ALICE, remove_files=True)
    R.check(code(resp) in ("UNSAFE_PATH",), "remove_files through a linked domains directory refused",
            json.dumps(resp))
    os.unlink(domains)
    shutil.move(f"/home/{ALICE}/domains.real", domains)

    # remove_files removes a planted link as a link and never what it points to.
    resp = call("domain.delete", domain="bob.example", user=ALICE, remove_files=True)
    R.check(ok(resp) or code(resp) == "UNSAFE_PATH", "remove_files on a linked domain directory", json.dumps(resp))
    R.equal(snapshot_tree(canary_dir), canary_before, "bob's files untouched")
    R.equal({p: stat_identity(p) for p in etc_before}, etc_before, "owner and mode of /etc, /var/log unchanged")
    R.check(not os.path.exists("/etc/public_html") and not os.path.exists("/var/log/public_html"),
            "nothing created outside the home")
    R.check(not os.path.exists("/etc/index.html"), "no placeholder written through a link")
    shutil.rmtree(canary_dir)


def test_audit_records():
    section("audit records")
    rid = f"domain-audit-{os.getpid()}"
    resp = ENV.agent.call("domain.create", {"domain": "audit.example", "user": ALICE}, request_id=rid)
    R.check(ok(resp), "request with an id succeeds")

    def records():
        r = subprocess.run(["journalctl", "--no-pager", "-o", "json", f"JABALI_REQUEST_ID={rid}"],
                           capture_output=True, text=True)
        return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]

    found = wait_until(lambda: len(records()) >= 2, timeout=5) and records()
    R.check(found and len(found) >= 2, "accepted and finished records in the journal", str(found)[:300])
    if found:
        R.check(all(rec.get("JABALI_ACTION") == "domain.create" for rec in found), "records name the action")
        R.check(all(rec.get("JABALI_TARGET_USER") == ALICE for rec in found), "both records name the account")


def test_client_hangup():
    section("client hangs up after sending")
    rid = f"domain-hangup-{os.getpid()}"
    request = json.dumps({"action": "domain.create", "params": {"domain": "hangup.example", "user": ALICE},
                          "request_id": rid}).encode()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(ENV.agent.socket)
        s.sendall(struct.pack(">I", len(request)) + request)
    # The connection is closed before any response, and the action must still run to the end.
    served = ENV.nginx.wait_for("hangup.example", "/", contains="")
    R.equal(served[0], 200, "site created although the client hung up")
    R.check(os.path.exists(vhost_path("hangup.example")), "vhost written although the client hung up")

    def finished():
        r = subprocess.run(["journalctl", "--no-pager", "-o", "json", f"JABALI_REQUEST_ID={rid}",
                            "JABALI_EVENT=finished"], capture_output=True, text=True)
        return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]

    found = wait_until(lambda: len(finished()) >= 1, timeout=5) and finished()
    R.check(bool(found) and found[0].get("JABALI_RESULT") == "ok", "finished record says ok", str(found)[:300])
    call("domain.delete", domain="hangup.example", user=ALICE)


def test_user_delete_counts_vhosts():
    section("user.delete counts served domains")
    # An account of its own, because the private php-fpm pools run as the other test accounts.
    ENV.accounts.create(CAROL)
    resp = call("domain.create", domain="kept.example", user=CAROL)
    R.check(ok(resp), "domain for the account created", json.dumps(resp))
    # The tenant removes the domain directory from inside its home; the vhost still serves the domain.
    as_user(CAROL, "/bin/rm", "-rf", f"/home/{CAROL}/domains/kept.example")
    resp = call("user.delete", user=CAROL)
    R.equal(code(resp), "FAILED_PRECONDITION", "delete refused while a vhost names the account")
    R.equal((resp.get("details") or {}).get("domains"), 1, "refusal counts the vhost")
    R.check(os.path.isdir(f"/home/{CAROL}"), "home kept after the refusal")
    # Forced, the delete removes the vhost too, so no site stays served for a deleted account.
    resp = call("domain.create", domain="forced.example", user=CAROL)
    R.check(ok(resp), "second domain created", json.dumps(resp))
    resp = call("user.delete", user=CAROL, force=True)
    R.check(ok(resp), "forced delete succeeds", json.dumps(resp))
    R.check(not os.path.exists(vhost_path("kept.example")), "forced delete removed the first vhost")
    R.check(not os.path.exists(vhost_path("forced.example")), "forced delete removed the second vhost")
    R.check(not os.path.lexists(link_path("forced.example")), "forced delete removed the enabled link")
    status = ENV.nginx.wait_for("forced.example", "/", status=404, contains="no site")[0]
    R.equal(status, 404, "site no longer served")
    # The next account of the same name starts without the old sites.
    ENV.accounts.create(CAROL)
    resp = call("domain.create", domain="forced.example", user=ALICE)
    R.check(ok(resp), "the name is free for another account", json.dumps(resp))
    call("domain.delete", domain="forced.example", user=ALICE)


def test_foreign_subdomains():
    section("subdomains of another account's domain")
    resp = call("domain.create", domain="parent.example", user=ALICE, aliases=["alias-parent.example"])
    R.check(ok(resp), "parent domain created", json.dumps(resp))
    for name in ("sub.parent.example", "a.b.parent.example", "x.alias-parent.example"):
        resp = call("domain.create", domain=name, user=BOB)
        R.equal(code(resp), "CONFLICT", f"{name} refused for another account")
        R.check(not os.path.exists(vhost_path(name)), f"no vhost for {name}")
    resp = call("domain.create", domain="bob-site.example", user=BOB, aliases=["www.parent.example"])
    R.equal(code(resp), "CONFLICT", "alias below another account's domain refused")
    resp = call("domain.create", domain="notparent.example", user=BOB)
    R.check(ok(resp), "a name that only ends in the same letters is free", json.dumps(resp))
    resp = call("domain.create", domain="sub.parent.example", user=ALICE)
    R.check(ok(resp), "the owner may add its own subdomain", json.dumps(resp))
    for domain, user in (("sub.parent.example", ALICE), ("parent.example", ALICE), ("notparent.example", BOB)):
        call("domain.delete", domain=domain, user=user)


def test_audit_unavailable():
    section("audit unavailable")
    # A second agent in a mount namespace where the journal socket is hidden: the accepted-record cannot be
    # written, so changing requests are refused before anything changes.
    sock = os.path.join(ENV.root, "nojournal.sock")
    script = ("mount -t tmpfs tmpfs /run/systemd/journal && exec systemd-socket-activate --accept -l "
              f"{sock} {ENV.agent.conf and sys.modules['jabali_harness'].AGENT} --config {ENV.agent.conf}")
    proc = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "/bin/bash", "-c", script],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        if not wait_until(lambda: os.path.exists(sock), timeout=10):
            R.check(False, "agent without journal started")
            return
        saved = ENV.agent.socket
        ENV.agent.socket = sock
        try:
            before, reloads = site_state(), ENV.nginx.reload_count()
            resp = call("domain.create", domain="noaudit.example", user=ALICE)
            R.equal(code(resp), "AUDIT_UNAVAILABLE", "changing request refused without audit")
            R.equal(site_state(), before, "nothing written without audit")
            R.equal(ENV.nginx.reload_count(), reloads, "no reload without audit")
            R.check(not os.path.lexists(f"/home/{ALICE}/domains/noaudit.example"), "no tree without audit")
        finally:
            ENV.agent.socket = saved
    finally:
        os.killpg(proc.pid, 15)
        proc.wait()


GOLDEN_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "golden", "domain")

# The pairs run in this order, since each one starts from the state the previous ones left.
GOLDEN_ORDER = ["domain.create", "domain.create-repeat", "domain.create-unknown-param", "domain.create-injection",
                "domain.create-conflict", "domain.update", "domain.update-missing", "nginx.ratelimits.apply",
                "nginx.cache.purge", "nginx.reload", "domain.delete", "domain.delete-repeat"]


def test_golden():
    """Wire-contract pairs: each request file is sent as is and the response must equal the stored one.
    With JABALI_GOLDEN_WRITE=1 the responses are written instead, for review."""
    section("golden wire contract")
    write = os.environ.get("JABALI_GOLDEN_WRITE") == "1"
    as_user(ALICE, "/bin/mkdir", "-p", f"/home/{ALICE}/domains/golden.example/web")
    for name in GOLDEN_ORDER:
        with open(os.path.join(GOLDEN_DIR, name + ".request.json"), "rb") as f:
            request = f.read().strip()
        response = ENV.agent.call_raw(request)
        path = os.path.join(GOLDEN_DIR, name + ".response.json")
        if write:
            with open(path, "w") as f:
                f.write(json.dumps(response, indent=2, sort_keys=True) + "\n")
            continue
        with open(path) as f:
            expected = json.load(f)
        R.equal(response, expected, f"{name} response")


TESTS = [test_create, test_create_via_cli, test_idempotent, test_update_aliases, test_update_document_root,
         test_php_on_off, test_dotfiles_and_symlinks, test_acme_directory, test_tls, test_delete, test_conflicts,
         test_accounts, test_rollback_template, test_rollback_value, test_nginx_reload, test_ratelimits,
         test_cache_purge, test_concurrency, test_crafted_param_names, test_directive_injection,
         test_invalid_names, test_name_normalisation, test_planted_links, test_golden, test_audit_records,
         test_client_hangup, test_user_delete_counts_vhosts, test_foreign_subdomains,
         test_audit_unavailable]


def main():
    global ENV
    if os.geteuid() != 0:
        print("integration tests need root (useradd, nginx as root)")
        print("0 passed, 1 failed")
        return 1
    only = sys.argv[1:]
    ENV = Environment()
    try:
        ENV.open()
        for test in TESTS:
            if only and test.__name__ not in only:
                continue
            try:
                test()
            except Exception as e:  # a crashed test counts as one failure and the others still run
                R.check(False, f"{test.__name__} raised", repr(e))
    finally:
        ENV.close()
    return R.summary()


if __name__ == "__main__":
    sys.exit(main())
