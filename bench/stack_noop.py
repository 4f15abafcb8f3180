#!/usr/bin/env python3
"""Benchmark: the no-op re-run of a whole stack against a private local AWS.

Builds the stack once (not timed), then re-runs it and prints: wall time of the re-run, module
invocations (tasks that ran a module, not controller-only actions), API calls by operation
(from the local AWS's own request record), mutating calls, managed resources (the per-resource
diff entries this collection's modules return) and read calls per managed resource, and the
ratio against the reference figure for the same stack built with stock modules only (about 100
module invocations, 88 s on this machine; ../shared/notes/local-aws-moto.md).

Each figure is given with this collection's module worker (the default: modules run in a
pre-warmed Python process on the controller) and without it (webstack_aws_module_worker=false:
one new Python process per module, as Ansible does by default).

    .venv/bin/python bench/stack_noop.py [-i inventories/innobic/production] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.integration.conftest import start_moto_server  # noqa: E402  pylint: disable=wrong-import-position

STOCK_REFERENCE_SECONDS = 88.0
CONTROLLER_ONLY = {"ansible.builtin.assert", "assert", "ansible.builtin.set_fact", "set_fact",
                   "ansible.builtin.debug", "debug", "ansible.builtin.include_role", "include_role",
                   "ansible.builtin.include_tasks", "ansible.builtin.import_tasks", "meta",
                   "ansible.builtin.validate_argument_spec", "validate_argument_spec", "ansible.builtin.fail"}


MODES = {"with the module worker": [], "without it": ["-e", "webstack_aws_module_worker=false"]}


def run(aws_url: str, inventory: str, playbook: str, *extra: str) -> tuple[float, dict]:
    env = dict(os.environ, AWS_ENDPOINT_URL=aws_url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
               PATH=os.path.join(ROOT, ".venv", "bin") + os.pathsep + os.environ.get("PATH", ""))
    start = time.monotonic()
    completed = subprocess.run([os.path.join(ROOT, ".venv", "bin", "ansible-playbook"), "-i", inventory, playbook, *extra],
                               cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - start
    if completed.returncode != 0:
        sys.exit("run failed (rc %d):\n%s\n%s" % (completed.returncode, completed.stdout[-4000:], completed.stderr[-2000:]))
    return elapsed, json.loads(completed.stdout)


def module_invocations(output: dict) -> tuple[int, int]:
    """(tasks that ran a module, managed resources reported in this collection's diffs)"""
    invocations = resources = 0
    for play in output.get("plays", []):
        for task in play.get("tasks", []):
            for host in task["hosts"].values():
                if host.get("skipped") or host.get("action") in CONTROLLER_ONLY:
                    continue
                invocations += 1
                before = (host.get("diff") or {}).get("before") if isinstance(host.get("diff"), dict) else None
                if isinstance(before, dict):
                    resources += sum(len(v) for v in before.values() if isinstance(v, dict))
    return invocations, resources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-i", "--inventory", default="inventories/local")
    parser.add_argument("--playbook", default="playbooks/infrastructure.yml")
    parser.add_argument("--runs", type=int, default=3, help="timed no-op re-runs (median is reported)")
    args = parser.parse_args()

    figures = {}
    with tempfile.TemporaryDirectory() as scratch:
        server, aws = start_moto_server(scratch)
        try:
            first = run(aws.url, args.inventory, args.playbook)[0]
            for mode, extra in MODES.items():
                times = []
                for run_number in range(args.runs):  # pylint: disable=unused-variable
                    aws.start_recording()
                    elapsed, output = run(aws.url, args.inventory, args.playbook, *extra)
                    times.append(elapsed)
                figures[mode] = (times, output, aws.calls())
        finally:
            server.terminate()
            server.wait(timeout=10)

    print("inventory: %s   playbook: %s" % (args.inventory, args.playbook))
    print("first run (builds the stack): %.1f s" % first)
    for mode, (times, output, calls) in figures.items():
        invocations, resources = module_invocations(output)
        reads = [c for c in calls if not c.mutating]
        median = statistics.median(times)
        runs = ", ".join("%.1f" % t for t in times)
        print("\nno-op re-run %s: median %.1f s over %d runs (%s)" % (mode, median, len(times), runs))
        print("  speed-up against the stock-module reference (%.0f s): %.1fx"
              % (STOCK_REFERENCE_SECONDS, STOCK_REFERENCE_SECONDS / median))
        print("  module invocations: %d" % invocations)
        print("  managed resources (diff entries): %d" % resources)
        print("  API calls in the last re-run: %d (%d mutating)" % (len(calls), len(calls) - len(reads)))
        if resources:
            print("  read calls per managed resource: %.2f" % (len(reads) / resources))
    print("\nAPI calls by operation (last re-run with the module worker):")
    calls = figures["with the module worker"][2]
    for name, count in sorted(aws.summary(calls).items(), key=lambda item: (-item[1], item[0])):
        print("  %4d  %s" % (count, name))


if __name__ == "__main__":
    main()
