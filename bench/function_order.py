"""Writes the release driver's function order (scripts/release-build.sh links with it).

Runs the unstripped release tmcloud under callgrind on the benchmark's emulated
clouds (status on 10 and 1,000 nodes over HTTP and HTTPS, a createnode and a
destroynode on each cloud, `version`), and lists every function of the binary that
ran, the most executed first. lld then places those functions together at the start
of the text: a run maps the pages its code is on, and code spread over the 6 MB text
made the binary a third of the driver's peak RSS.

Usage: python3 bench/function_order.py --repo R --tmcloud BIN --sim SIM --out FILE
(scripts/function-order.sh builds the binaries and runs it).
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the benchmark's clouds and configurations)


def executed_functions(profile, binary):
    """Instruction counts per function of `binary` in one callgrind profile (names
    as the linker sees them: run with --demangle=no). The cost lines of the calls a
    function makes count as its own too: that only orders functions within a group,
    and counting a function's own instructions alone measured the same peak RSS."""
    cost = collections.Counter()
    objects, functions = {}, {}
    current_object = current_function = None
    name_line = re.compile(r"(c?ob|c?fn)=\((\d+)\)(?: (.*))?")
    with open(profile, errors="replace") as f:
        for line in f:
            m = name_line.match(line)
            if m:
                kind, number, name = m.groups()
                table = objects if kind.endswith("ob") else functions
                if name:
                    table[number] = name
                if kind == "ob":
                    current_object = objects.get(number)
                elif kind == "fn":
                    current_function = functions.get(number)
                continue
            if line[:1].isdigit() or line[:1] in "+-*":
                parts = line.split()
                if len(parts) >= 2 and current_function and current_object and os.path.basename(current_object) == binary:
                    try:
                        cost[current_function] += int(parts[1])
                    except ValueError:
                        pass
    return cost


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--tmcloud", required=True, help="the release binary, not stripped")
    parser.add_argument("--sim", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        raise SystemExit("error: valgrind is needed (apt-get install valgrind)")

    options = argparse.Namespace(repo=args.repo, tmcloud=args.tmcloud, sim=args.sim, python=sys.executable,
                                 system_store=False)
    b = bench.Bench(options)
    profiles = []

    def profiled(argv, env=None):
        path = os.path.join(b.tmp, f"callgrind.{len(profiles)}")
        result = subprocess.run(["valgrind", "--tool=callgrind", "--demangle=no", f"--callgrind-out-file={path}"]
                                + argv, env=env or b.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if result.returncode != 0:
            raise SystemExit(f"error: {' '.join(argv)}: {result.stderr.decode()[-500:]}")
        profiles.append(path)
        return result.stdout

    try:
        b.setup()
        profiled([args.tmcloud, "version"])
        for key in (10, 1000):
            for provider in bench.PROVIDERS:
                for trust in ("http", "cafile"):
                    config = b.config(f"order-{provider}-{key}-{trust}", key, provider, trust)
                    profiled(b.tmcloud("status", config, provider))
        for provider in bench.PROVIDERS:
            config = b.config(f"order-{provider}-changes", "changes", provider, "http")
            profiled(b.tmcloud("status", config, provider))
            image, size = bench.CREATE_IMAGE_AND_SIZE[provider]
            created = profiled(b.tmcloud("createnode", config, provider, "--name=order-1", f"--imageid={image}",
                                         f"--sizeid={size}"))
            node_id = json.loads(created)["CreateNodeResponse"]["nodes"][0]["uniq_id"]
            if provider == "opsource":
                node_id = b.opsource_seeded_id("node-1")
            profiled(b.tmcloud("destroynode", config, provider, f"--id={node_id}"))
        cost = collections.Counter()
        runs = collections.defaultdict(set)
        for number, path in enumerate(profiles):
            for name, count in executed_functions(path, os.path.basename(args.tmcloud)).items():
                # callgrind marks recursion levels with 'N; "(below main)" is not a symbol.
                name = name.split("'")[0]
                if " " in name or name.startswith("0x"):
                    continue
                cost[name] += count
                runs[name].add(number)
    finally:
        b.stop_children()
        shutil.rmtree(b.tmp, ignore_errors=True)

    # What every run executes first (start-up, the transport, the reply), then what
    # fewer runs share, each group of functions used by the same runs together (one
    # cloud's code, its XML or JSON reading), the busiest first within a group: a run
    # then maps the common part and its own cloud's part, not every cloud's.
    names = sorted(cost, key=lambda n: (-len(runs[n]), sorted(runs[n]), -cost[n]))
    with open(args.out, "w") as f:
        f.write("\n".join(names) + "\n")
    print(f"{len(names)} functions from {len(profiles)} runs written to {args.out}")


if __name__ == "__main__":
    main()
