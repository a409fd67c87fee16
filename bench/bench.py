#!/usr/bin/env python3
"""The tmcloud benchmark: the release driver against curl and a Python baseline, on
the emulated clouds (`tmcloud-sim serve`) over loopback HTTP and HTTPS.

Every comparison runs its commands interleaved (round after round, the order turned
each round) and reports medians and ratios from that one run, since this machine's
absolute times drift. Each run is a fresh process, as the Traffic Manager runs the
driver; wall time is measured around spawn-to-exit, CPU time (user + sys) and peak RSS
come from the child's rusage. Loops are bounded in count; everything is 127.0.0.1.

Run through bench/run.sh (it builds the binaries and sets up the private mount
namespace for the system trust store); see docs/performance.md.
"""
import argparse
import glob
import json
import os
import re
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

USER_AGENT = "tmcloud/0.1.0"
DO_TOKEN = "do-test-token"
OS_PASSWORD = "os-test-password"
OEC_PASSWORD = "oec-test-password"
OEC_ORG = "8a8f6abc-2745-4d8a-9cbc-8dabe5a7d0e4"
OEC_VLAN = "53b4c05b-341e-4ac3-b688-bdd74e53ca9b"
OEC_IMAGE = "52ed8b72-ebea-11df-bdc1-001517c46384"
PROVIDERS = ["digitalocean", "openstack", "opsource"]
# The --imageid and --sizeid of the benchmark's createnode runs, per cloud.
CREATE_IMAGE_AND_SIZE = {"digitalocean": ("debian-12-x64", "s-1vcpu-1gb"), "openstack": ("debian-12", "2"),
                         "opsource": (OEC_IMAGE, "standard")}
SHORT = {"digitalocean": "DO", "openstack": "OS", "opsource": "OEC"}
SECRETS = {"digitalocean": DO_TOKEN, "openstack": OS_PASSWORD, "opsource": OEC_PASSWORD}
TRACE_LINE = re.compile(r" -> \d{3} in \d+ ms$")


class Bench:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="tmcloud-bench-")
        self.children = []
        self.results = []  # (section, row label, stats)
        self.budgets = []  # (name, figure, limit text, verdict, note)
        self.notes = []
        self.zeushome = os.path.join(self.tmp, "zeushome")
        os.makedirs(os.path.join(self.zeushome, "zxtm/conf/extra"))
        self.env = {"PATH": "/usr/bin:/bin", "ZEUSHOME": self.zeushome, "LANG": "C"}
        self.system_store_mounted = False

    # MARK: - Processes

    def start(self, argv, first_line_pattern=None, lines=1):
        """A background child; returns it and the first `lines` lines it prints."""
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                text=True, env=dict(self.env, PYTHONUNBUFFERED="1"))
        self.children.append(proc)
        out = [proc.stdout.readline().strip() for _ in range(lines)]
        if not out[0]:
            raise SystemExit(f"error: {argv[0]} did not start")
        return proc, out

    def stop_children(self):
        if self.system_store_mounted:
            subprocess.run(["umount", "/etc/ssl/certs"], check=False)
        for proc in self.children:
            try:
                proc.stdin.close()
            except OSError:
                pass
            proc.kill()
            proc.wait()

    def spawn(self, argv, env, stdout=os.devnull, stderr=os.devnull):
        """One measured run through bench/spawn-measure: (wall s, cpu s, peak RSS KiB,
        exit status)."""
        read_end, write_end = os.pipe()
        actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                   (os.POSIX_SPAWN_OPEN, 1, stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
                   (os.POSIX_SPAWN_OPEN, 2, stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
                   (os.POSIX_SPAWN_DUP2, write_end, 3)]
        pid = os.posix_spawn(self.measure, [self.measure] + argv, env, file_actions=actions)
        os.close(write_end)
        with os.fdopen(read_end) as report:
            line = report.read()
        os.waitpid(pid, 0)
        wall_ns, user_us, sys_us, rss, code = (int(x) for x in line.split())
        return wall_ns / 1e9, (user_us + sys_us) / 1e6, rss, code

    # MARK: - Setup

    def setup(self):
        self.measure = os.path.join(self.tmp, "spawn-measure")
        subprocess.run(["cc", "-O2", "-o", self.measure, os.path.join(self.args.repo, "bench/spawn-measure.c")],
                       check=True)
        certs = os.path.join(self.tmp, "certs")
        subprocess.run([os.path.join(self.args.repo, "scripts/testing/make-test-certs.sh"), certs], check=True)
        self.ca = os.path.join(certs, "ca.pem")
        self.tls_context = ssl.create_default_context(cafile=self.ca)
        self.system_store = self.args.system_store and self.install_test_ca()
        sim = self.args.sim
        common = [sim, "serve", "--rate-limit=1000000"]
        tls = [f"--tls-cert={os.path.join(certs, 'server.pem')}", f"--tls-key={os.path.join(certs, 'server.key')}"]
        # Each listing size twice, seeded alike: on HTTP, and on the emulators' own HTTPS.
        self.clouds = {}
        self.tls_clouds = {}
        for size in (10, 1000):
            _, lines = self.start(common + [f"--seed={size}"], lines=3)
            self.clouds[size] = self.endpoints(lines)
            _, lines = self.start(common + [f"--seed={size}"] + tls, lines=3)
            self.tls_clouds[size] = self.endpoints(lines)
        # A third set for createnode/destroynode, so that the listings above stay as seeded.
        _, lines = self.start(common + ["--seed=10"], lines=3)
        self.clouds["changes"] = self.endpoints(lines)

    def endpoints(self, lines):
        found = {}
        for line in lines:
            name, url = line.split()
            host_port = url.split("//", 1)[1].split("/", 1)[0]
            found[name] = (host_port, url)
        return found

    def install_test_ca(self):
        """Inside a private mount namespace: /etc/ssl/certs replaced by a copy that also
        trusts the test CA (in the bundle file and as a hashed link)."""
        copy = os.path.join(self.tmp, "etc-ssl-certs")
        try:
            subprocess.run(["cp", "-a", "/etc/ssl/certs", copy], check=True)
            shutil.copy(self.ca, os.path.join(copy, "tmcloud-bench-test-ca.pem"))
            with open(os.path.join(copy, "ca-certificates.crt"), "a") as bundle, open(self.ca) as ca:
                bundle.write(ca.read())
            subprocess.run(["openssl", "rehash", copy], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            subprocess.run(["mount", "--bind", copy, "/etc/ssl/certs"], check=True)
            self.system_store_mounted = True
        except (OSError, subprocess.CalledProcessError) as error:
            self.notes.append(f"system trust store comparison skipped: could not bind-mount the test CA ({error})")
            return False
        return True

    # MARK: - Configurations and commands

    def config(self, name, key, provider, trust):
        """Writes a configuration file; returns its path."""
        host_port, url = (self.clouds if trust == "http" else self.tls_clouds)[key][provider]
        scheme = "http" if trust == "http" else "https"
        lines = {"digitalocean": ["provider digitalocean", f"apiHost {scheme}://{host_port}", "region lon1"],
                 "openstack": ["provider openstack", f"authURL {scheme}://{host_port}/identity/v3",
                               "username tmcloud", "project tmcloud", "network private"],
                 "opsource": ["provider opsource", f"apiHost {scheme}://{host_port}", "user tmcloud",
                              f"vlanID {OEC_VLAN}", f"orgID {OEC_ORG}"]}[provider]
        if trust == "cafile":
            lines.append(f"caFile {self.ca}")
        path = os.path.join(self.zeushome, "zxtm/conf/extra", name + ".cfg")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def token_cache(self, config_path):
        """The driver's Keystone token cache for a --cred1 configuration (FNV-1a of the path)."""
        h = 0xcbf29ce484222325
        for b in config_path.encode():
            h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
        return os.path.join(self.zeushome, "zxtm/internal", f"tmcloud.cred1-{h:x}.token")

    def tmcloud(self, action, config, provider, *extra):
        return [self.args.tmcloud, action, f"--cred1={config}", f"--cred2={SECRETS[provider]}", *extra]

    def python(self, config, provider):
        return [self.args.python, os.path.join(self.args.repo, "bench/baseline/status.py"), f"--cred1={config}",
                f"--cred2={SECRETS[provider]}", f"--token-cache={config}.python-token"]

    def curl(self, trust, headers, urls, extra=()):
        argv = ["curl", "-sS", "--fail", "--compressed", "-A", USER_AGENT, "-H", "Expect:"]
        if trust == "cafile":
            argv += ["--cacert", self.ca]
        for name, value in headers:
            argv += ["-H", f"{name}: {value}"]
        return argv + list(extra) + urls

    def base_url(self, key, provider, trust):
        host_port, _ = (self.clouds if trust == "http" else self.tls_clouds)[key][provider]
        return f"{'http' if trust == 'http' else 'https'}://{host_port}"

    def fetch(self, url, headers, data=None):
        """Setup only: one request with urllib (HTTPS trusting the test CA)."""
        request = urllib.request.Request(url, data=data, headers=dict(headers))
        with urllib.request.urlopen(request, timeout=30, context=self.tls_context) as reply:
            return reply.read(), reply.headers

    def listing(self, key, provider, trust, token=None, compute=None):
        """(headers, page URLs) of the status listing on the trust's endpoint, found by
        following the API's own links."""
        base = self.base_url(key, provider, trust)
        if provider == "digitalocean":
            headers = [("Authorization", f"Bearer {DO_TOKEN}"), ("Accept", "application/json")]
            urls, url = [], f"{base}/v2/droplets?tag_name=tmcloud&per_page=200"
            while url:
                urls.append(url)
                page = json.loads(self.fetch(url, headers)[0])
                url = page.get("links", {}).get("pages", {}).get("next")
        elif provider == "openstack":
            headers = [("X-Auth-Token", token), ("Accept", "application/json")]
            # tmcloud asks for pages of 200 (OpenStackProvider.pageSize).
            urls, url = [], f"{compute}/servers/detail?limit=200"
            while url:
                urls.append(url)
                page = json.loads(self.fetch(url, headers)[0])
                links = [l["href"] for l in page.get("servers_links", []) if l.get("rel") == "next"]
                url = links[0] if links and page["servers"] else None
        else:
            import base64
            import xml.etree.ElementTree as ET
            auth = base64.b64encode(f"tmcloud:{OEC_PASSWORD}".encode()).decode()
            headers = [("Authorization", f"Basic {auth}"), ("Accept", "text/xml")]
            urls, number, seen = [], 1, 0
            while True:
                url = f"{base}/oec/0.9/{OEC_ORG}/serverWithState?pageSize=250&pageNumber={number}"
                urls.append(url)
                root = ET.fromstring(self.fetch(url, headers)[0])
                count = len([c for c in root if c.tag.endswith("serverWithState")])
                seen += count
                if count == 0 or seen >= int(root.get("totalCount", seen)):
                    break
                number += 1
        return headers, urls

    def openstack_token(self, key):
        body = json.dumps({"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": "tmcloud", "domain": {"name": "Default"}, "password": OS_PASSWORD}}},
            "scope": {"project": {"name": "tmcloud", "domain": {"name": "Default"}}}}}).encode()
        url = self.clouds[key]["openstack"][1] + "/auth/tokens"
        data, headers = self.fetch(url, [("Content-Type", "application/json"), ("Accept", "application/json")], body)
        compute = next(e["url"] for s in json.loads(data)["token"]["catalog"] if s["type"] == "compute"
                       for e in s["endpoints"] if e["interface"] == "public")
        return headers["X-Subject-Token"], compute

    def prepare_openstack(self, key, trust, config):
        """Fills the driver's and the baseline's token caches (the warm case). Over HTTPS
        the emulator's catalog names its HTTPS endpoints, as a real cloud's does."""
        cache = self.token_cache(config)
        if os.path.exists(cache):
            os.unlink(cache)
        self.check_run(self.tmcloud("status", config, "openstack"), "tmcloud", None, "prepare")
        self.check_run(self.python(config, "openstack"), "python", None, "prepare")
        with open(cache) as f:
            cached = json.load(f)
        return cached["token"], cached["compute"]

    def run_env(self, name):
        env = dict(self.env)
        if name == "python":
            # requests trusts certifi's bundle by default; the system store is the bundle file.
            env["REQUESTS_CA_BUNDLE"] = "/etc/ssl/certs/ca-certificates.crt"
        return env

    def check_run(self, argv, name, expect_nodes, what):
        """An unmeasured run whose output is checked; returns the requests the driver's
        --verbose trace shows (tmcloud only)."""
        out = os.path.join(self.tmp, "check.out")
        err = os.path.join(self.tmp, "check.err")
        verbose = name.startswith("tmcloud")
        wall, cpu, rss, code = self.spawn(argv + (["--verbose"] if verbose else []), self.run_env(name), out, err)
        if code != 0:
            sys.stderr.write(open(err).read())
            raise SystemExit(f"error: {what}: {name} exited with {code}: {' '.join(argv)}")
        if expect_nodes is not None and name != "curl":
            nodes = json.load(open(out))["NodeStatusResponse"]["nodes"]
            if len(nodes) != expect_nodes:
                raise SystemExit(f"error: {what}: {name} listed {len(nodes)} nodes, not {expect_nodes}")
        if verbose:
            return sum(1 for line in open(err) if TRACE_LINE.search(line.rstrip()))
        return None

    # MARK: - Measuring

    def compare(self, section, label, commands, rounds, before=None):
        """Runs `commands` ({name: argv}) interleaved for `rounds` rounds; `before`
        ({name: callable}) runs unmeasured before each of that command's runs."""
        samples = {name: [] for name in commands}
        names = list(commands)
        deadline = time.monotonic() + self.args.max_seconds_per_comparison
        for r in range(rounds):
            order = names[r % len(names):] + names[:r % len(names)]
            for name in order:
                if before and name in before:
                    before[name]()
                wall, cpu, rss, code = self.spawn(commands[name], self.run_env(name))
                if code != 0:
                    raise SystemExit(f"error: {section} {label}: {name} exited with {code}")
                samples[name].append((wall, cpu, rss))
            if time.monotonic() > deadline and r >= 2:
                self.notes.append(f"{section} {label}: stopped after {r + 1} rounds (time bound)")
                break
        stats = {}
        for name, runs in samples.items():
            stats[name] = {"wall": statistics.median(w for w, _, _ in runs),
                           "cpu": statistics.median(c for _, c, _ in runs),
                           "rss": max(m for _, _, m in runs), "runs": len(runs)}
        self.results.append((section, label, stats))
        return stats

    def budget(self, name, ok, figure, limit, note=""):
        verdict = "PASS" if ok else "FAIL"
        if ok is None:
            verdict = "N/A"
        self.budgets.append((name, figure, limit, verdict, note))

    # MARK: - The sections

    def floor_section(self, rounds):
        """What a run costs before any work: the floor under every figure below."""
        stats = self.compare("start-up floor (no request)", "version", {
            "tmcloud": [self.args.tmcloud, "version"], "curl": ["curl", "--version"],
            "python": [self.args.python, "-c", "import requests"]}, rounds)
        self.floor_rss = stats["tmcloud"]["rss"] / 1024

    def status_section(self, key, trusts, rounds, with_python):
        section = f"status, {key} nodes"
        for provider in PROVIDERS:
            for trust in trusts:
                config = self.config(f"{SHORT[provider].lower()}-{key}-{trust}", key, provider, trust)
                token = compute = None
                if provider == "openstack":
                    token, compute = self.prepare_openstack(key, trust, config)
                headers, urls = self.listing(key, provider, trust, token, compute)
                commands = {"tmcloud": self.tmcloud("status", config, provider),
                            "curl": self.curl(trust, headers, urls)}
                if with_python:
                    commands["python"] = self.python(config, provider)
                requests = None
                for name, argv in commands.items():
                    n = self.check_run(argv, name, key, f"{section} {provider} {trust}")
                    if name == "tmcloud":
                        requests = n
                label = f"{SHORT[provider]} {trust}"
                stats = self.compare(section, label, commands, rounds)
                stats["tmcloud"]["requests"] = requests
                stats["curl"]["requests"] = len(urls)
                ratio = stats["tmcloud"]["wall"] / stats["curl"]["wall"]
                if trust == "system":
                    self.budget(f"{section}: {label}: tmcloud (hashed /etc/ssl/certs) vs curl (default bundle)",
                                ratio <= 1.0, f"{ratio:.2f}x", "<= 1.00x")
                else:
                    self.budget(f"{section}: {label}: tmcloud / curl wall", ratio <= 1.2, f"{ratio:.2f}x", "<= 1.20x")
                if with_python:
                    speedup = stats["python"]["wall"] / stats["tmcloud"]["wall"]
                    self.budget(f"{section}: {label}: python / tmcloud wall", speedup >= 5, f"{speedup:.1f}x", ">= 5x")
                self.budget(f"{section}: {label}: requests = pages", requests == len(urls),
                            f"{requests} for {len(urls)} pages", "1 per page")
                if key == 1000:
                    rss = stats["tmcloud"]["rss"] / 1024
                    self.budget(f"{section}: {label}: tmcloud peak RSS", rss < 16, f"{rss:.1f} MB", "< 16 MB",
                                f"tmcloud version alone peaks at {self.floor_rss:.1f} MB" if rss >= 16 else "")

    def openstack_cold_warm(self, rounds):
        section = "OpenStack status, token cache empty (cold) / filled (warm), 10 nodes, HTTP"
        config = self.config("os-coldwarm", 10, "openstack", "http")
        cache = self.token_cache(config)
        token, compute = self.prepare_openstack(10, "http", config)
        headers, urls = self.listing(10, "openstack", "http", token, compute)
        auth_url = self.clouds[10]["openstack"][1] + "/auth/tokens"
        body = json.dumps({"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": "tmcloud", "domain": {"name": "Default"}, "password": OS_PASSWORD}}},
            "scope": {"project": {"name": "tmcloud", "domain": {"name": "Default"}}}}})
        body_file = os.path.join(self.tmp, "auth.json")
        with open(body_file, "w") as f:
            f.write(body)
        # curl cannot carry a reply header into its next request: two curls in one sh.
        script = (f"t=$(curl -sS --fail -A {USER_AGENT} -H 'Expect:' -H 'Content-Type: application/json' "
                  f"-H 'Accept: application/json' --data-binary @{body_file} -o /dev/null -D - '{auth_url}' "
                  "| sed -n 's/^[Xx]-[Ss]ubject-[Tt]oken: *//p' | tr -d '\\r') && "
                  f"curl -sS --fail --compressed -A {USER_AGENT} -H 'Expect:' -H \"X-Auth-Token: $t\" "
                  f"-H 'Accept: application/json' '{urls[0]}'")
        commands = {"tmcloud cold": self.tmcloud("status", config, "openstack"),
                    "tmcloud warm": self.tmcloud("status", config, "openstack"),
                    "curl cold (2 curls in sh)": ["/bin/sh", "-c", script],
                    "curl warm": self.curl("http", headers, urls)}
        saved = open(cache).read()

        def empty_cache():
            if os.path.exists(cache):
                os.unlink(cache)

        def fill_cache():
            with open(cache, "w") as f:
                f.write(saved)

        empty_cache()
        cold_requests = self.check_run(commands["tmcloud cold"], "tmcloud", 10, section)
        fill_cache()
        warm_requests = self.check_run(commands["tmcloud warm"], "tmcloud", 10, section)
        stats = self.compare(section, "OS http", commands, rounds,
                             before={"tmcloud cold": empty_cache, "tmcloud warm": fill_cache})
        stats["tmcloud cold"]["requests"] = cold_requests
        stats["tmcloud warm"]["requests"] = warm_requests
        fill_cache()

    def changes(self, rounds):
        """createnode, then destroynode of the new node (DigitalOcean, OpenStack) or of
        a running seeded server (OpSource, whose deploys run 30 s), each after a status
        as the Traffic Manager runs them: it polls status every update_interval, so a
        change always follows a recent one (and finds the pool snapshot it left)."""
        section = "createnode / destroynode after a status (requests from the --verbose trace)"
        rows = {}
        for provider in PROVIDERS:
            config = self.config(f"{SHORT[provider].lower()}-changes", "changes", provider, "http")
            image, size = CREATE_IMAGE_AND_SIZE[provider]
            creates, destroys = [], []
            out = os.path.join(self.tmp, "change.out")
            err = os.path.join(self.tmp, "change.err")

            def measured(argv, what):
                self.check_run(self.tmcloud("status", config, provider), "tmcloud", None, f"status before {what}")
                wall, cpu, rss, code = self.spawn(argv + ["--verbose"], self.env, out, err)
                if code != 0:
                    raise SystemExit(f"error: {what} on {provider}: {open(err).read()}")
                traced = [line for line in open(err) if TRACE_LINE.search(line.rstrip())]
                # Floating IP calls (OpenStack) are counted apart: the budgets allow them.
                fip = sum(1 for line in traced if "/floatingips" in line or "/ports" in line)
                return wall, cpu, rss, len(traced) - fip, fip

            for i in range(rounds):
                creates.append(measured(self.tmcloud("createnode", config, provider, f"--name=bench-{i + 1}",
                                                     f"--imageid={image}", f"--sizeid={size}"), "createnode"))
                node_id = json.load(open(out))["CreateNodeResponse"]["nodes"][0]["uniq_id"]
                if provider == "opsource":
                    # The new server deploys for 30 s; destroy a running seeded one instead.
                    node_id = self.opsource_seeded_id(f"node-{i + 1}")
                destroys.append(measured(self.tmcloud("destroynode", config, provider, f"--id={node_id}"),
                                         "destroynode"))
            for action, runs in (("createnode", creates), ("destroynode", destroys)):
                rows[f"{SHORT[provider]} {action}"] = {
                    "wall": statistics.median(r[0] for r in runs), "cpu": statistics.median(r[1] for r in runs),
                    "rss": max(r[2] for r in runs), "runs": len(runs), "requests": runs[-1][3],
                    "requests_first": runs[0][3], "fip": runs[-1][4]}
        self.results.append((section, "http", rows))
        for provider in PROVIDERS:
            short = SHORT[provider]
            create, destroy = rows[f"{short} createnode"], rows[f"{short} destroynode"]
            c, d = create["requests"], destroy["requests"]
            note_c = note_d = ""
            if create["requests_first"] != c:
                note_c = {"openstack": f"the first create also resolved the image, flavor and network names "
                                       f"({create['requests_first']} requests); later ones find them cached",
                          "opsource": f"the first create also looked up the image's resource path "
                                      f"({create['requests_first']} requests); it is kept in the state file"
                          }.get(provider, f"first create: {create['requests_first']} requests")
            elif provider == "opsource":
                note_c = "the deploy reply carries no server id: one listing finds it"
            if destroy["requests_first"] != d and provider == "opsource":
                note_d = (f"the first destroy learned that OEC deletes only stopped servers (refused delete, look, "
                          f"power-off, delete: {destroy['requests_first']} requests); later ones: power-off, a wait "
                          f"without looks, delete (status may send nothing but its listing)")
            elif provider == "opsource":
                note_d = "power-off, a wait without looks, delete (status may send nothing but its listing)"
            if create["fip"]:
                note_c = "; ".join(filter(None, [note_c, f"plus {create['fip']} floating IP calls"]))
            if destroy["fip"]:
                note_d = "; ".join(filter(None, [note_d, f"plus {destroy['fip']} floating IP calls"]))
            self.budget(f"{short} createnode requests", c <= 2, str(c), "create + at most 1 lookup", note_c)
            self.budget(f"{short} destroynode requests", d <= 1, str(d), "1", note_d)

    def opsource_seeded_id(self, name):
        _, url = self.clouds["changes"]["opsource"]
        import base64
        import xml.etree.ElementTree as ET
        auth = base64.b64encode(f"tmcloud:{OEC_PASSWORD}".encode()).decode()
        data, _ = self.fetch(f"{url}/oec/0.9/{OEC_ORG}/serverWithState?pageSize=250&pageNumber=1",
                             [("Authorization", f"Basic {auth}")])
        for server in ET.fromstring(data):
            if next((c.text for c in server if c.tag.endswith("}name")), "") == name:
                return server.get("id")
        raise SystemExit(f"error: no seeded OpSource server {name}")

    def binary_section(self):
        size = os.path.getsize(self.args.tmcloud)
        ldd = subprocess.run(["ldd", self.args.tmcloud], capture_output=True, text=True).stdout
        needed = subprocess.run(["readelf", "-d", self.args.tmcloud], capture_output=True, text=True).stdout
        direct = re.findall(r"Shared library: \[(.*?)\]", needed)
        return size, direct, [line.split()[0] for line in ldd.strip().splitlines()]

    # MARK: - Report

    def report(self, elapsed):
        print()
        print(f"tmcloud benchmark: {self.args.tmcloud} against curl ({curl_version()}) and "
              f"Python {python_version(self.args.python)} + requests, on the emulated clouds over 127.0.0.1")
        print("medians of interleaved runs; cpu = user+sys; rss = the largest peak RSS of any run; "
              "ratio = median wall / tmcloud's median wall; requests: first/last run where they differ")
        print("trust: http = plain HTTP; cafile = HTTPS, test CA as caFile / --cacert / verify=; "
              "system = HTTPS, test CA in the system store (tmcloud: hashed /etc/ssl/certs; "
              "curl: its default bundle; requests: REQUESTS_CA_BUNDLE = the bundle)")
        for section, label, stats in self.results:
            print()
            print(f"== {section}: {label}")
            print(f"   {'command':<28} {'runs':>4} {'wall ms':>9} {'ratio':>6} {'cpu ms':>8} {'rss MB':>7} {'requests':>8}")
            reference = stats.get("tmcloud") or stats.get("tmcloud warm")
            for name, s in stats.items():
                ratio = f"{s['wall'] / reference['wall']:.2f}" if reference else ""
                requests = s.get("requests")
                if requests is not None and s.get("requests_first", requests) != requests:
                    requests = f"{s['requests_first']}/{requests}"
                print(f"   {name:<28} {s['runs']:>4} {s['wall'] * 1000:>9.1f} {ratio:>6} {s['cpu'] * 1000:>8.1f} "
                      f"{s['rss'] / 1024:>7.1f} {'' if requests is None else requests:>8}")
        size, direct, ldd = self.binary_section()
        print()
        print(f"== release binary {self.args.tmcloud}: {size} bytes ({size / 1048576:.1f} MiB)")
        print(f"   NEEDED: {' '.join(direct)}")
        print(f"   ldd: {len(ldd)} libraries: {' '.join(ldd)}")
        print()
        print("== budgets")
        failed = 0
        for name, figure, limit, verdict, note in self.budgets:
            print(f"   {verdict:<4} {name}: {figure} (budget {limit}){'  -- ' + note if note else ''}")
            failed += verdict == "FAIL"
        for note in self.notes:
            print(f"   note: {note}")
        print()
        print(f"{len(self.budgets) - failed} of {len(self.budgets)} budgets met, {failed} failed "
              f"({elapsed:.0f} s)")
        return failed


def curl_version():
    return subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.split()[1]


def python_version(python):
    return subprocess.run([python, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True,
                          text=True).stdout.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--tmcloud", required=True)
    parser.add_argument("--sim", required=True)
    parser.add_argument("--python", required=True, help="a python3 that has requests")
    parser.add_argument("--system-store", action="store_true",
                        help="bind-mount a trust store with the test CA over /etc/ssl/certs (needs a private mount namespace)")
    parser.add_argument("--rounds", type=int, default=15, help="rounds of the 10-node comparisons")
    parser.add_argument("--rounds-large", type=int, default=7, help="rounds of the 1,000-node comparisons")
    parser.add_argument("--max-seconds-per-comparison", type=float, default=60)
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    bench = Bench(args)
    started = time.monotonic()
    try:
        bench.setup()
        trusts = ["http", "cafile"] + (["system"] if bench.system_store else [])
        if not bench.system_store and not any("system trust" in n for n in bench.notes):
            bench.notes.append("system trust store comparison skipped: no private mount namespace "
                               "(run as root where unshare -m is allowed)")
        bench.floor_section(args.rounds)
        bench.status_section(10, trusts, args.rounds, with_python=True)
        bench.status_section(1000, ["http", "cafile"], args.rounds_large, with_python=True)
        bench.openstack_cold_warm(args.rounds)
        bench.changes(rounds=3)
    finally:
        bench.stop_children()
        shutil.rmtree(bench.tmp, ignore_errors=True)
    failed = bench.report(time.monotonic() - started)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": [[s, l, st] for s, l, st in bench.results], "budgets": bench.budgets}, f, indent=1)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
