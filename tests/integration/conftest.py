"""Fixtures for playbook tests against a local AWS.

With AWS_ENDPOINT_URL set, the tests use that endpoint (any moto server); otherwise they start
the project's own local AWS with scripts/local-aws.sh.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time

import pytest

from tests.localaws import LocalAws

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV_BIN = os.path.join(ROOT, ".venv", "bin")


@pytest.fixture(scope="module")
def local_aws(tmp_path_factory):
    """The local AWS of one test module: with AWS_ENDPOINT_URL set, that endpoint (any moto
    server; the tests then reset it, so run them one at a time); otherwise a private one
    started as scripts/local-aws.sh starts it, so that test modules on parallel workers never
    share state or request records."""
    url = os.environ.get("AWS_ENDPOINT_URL")
    if url:
        aws = LocalAws(url)
        assert aws.answers(), "no local AWS answers at %s" % url
        yield aws
        return
    server, aws = start_moto_server(tmp_path_factory.mktemp("moto"))
    try:
        yield aws
    finally:
        server.terminate()
        server.wait(timeout=10)


class PlaybookRun:
    def __init__(self, completed: subprocess.CompletedProcess):
        self.rc = completed.returncode
        self.stderr = completed.stderr
        self.raw = completed.stdout
        try:
            self.output = json.loads(completed.stdout)
        except ValueError:
            self.output = {}

    @property
    def stats(self) -> dict:
        return self.output.get("stats", {}).get("localhost", {})

    @property
    def changed(self) -> int:
        return self.stats.get("changed", -1)

    def result(self, task_name: str) -> dict:
        for play in self.output.get("plays", []):
            for task in play.get("tasks", []):
                if task["task"]["name"].endswith(task_name):
                    return task["hosts"]["localhost"]
        raise KeyError(task_name)

    @property
    def messages(self) -> str:
        """Every failure message of the run, for asserting what a user would read."""
        found = []
        for play in self.output.get("plays", []):
            for task in play.get("tasks", []):
                for host in task["hosts"].values():
                    if host.get("failed"):
                        found.append(str(host.get("msg", "")))
        return "\n".join(found) + self.stderr


def run_playbook(local_aws: LocalAws, *args: str, env: dict | None = None,
                 inventory: str = "inventories/local") -> PlaybookRun:
    environment = dict(os.environ)
    environment.update({
        "PATH": VENV_BIN + os.pathsep + environment.get("PATH", ""),
        "ANSIBLE_CONFIG": os.path.join(ROOT, "ansible.cfg"),
        "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
        "AWS_ENDPOINT_URL": local_aws.url,
    })
    environment.update(env or {})
    command = [os.path.join(VENV_BIN, "ansible-playbook"), "-i", os.path.join(ROOT, inventory)]
    command += list(args)
    completed = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, check=False, timeout=900)
    return PlaybookRun(completed)


@pytest.fixture
def playbook(local_aws):
    def runner(*args, **kwargs):
        return run_playbook(local_aws, *args, **kwargs)
    return runner


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_moto_server(directory) -> tuple[subprocess.Popen, LocalAws]:
    """A local AWS of the test's own on a free loopback port, started as scripts/local-aws.sh
    starts it (scripts/lib/local_moto.py, managed policies loaded), so that tests can reset it
    without disturbing anybody else."""
    port = free_port()
    env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true", MOTO_ACM_VALIDATION_WAIT="1")
    launcher = os.path.join(ROOT, "scripts", "lib", "local_moto.py")
    server = subprocess.Popen([os.path.join(VENV_BIN, "python"), launcher, "-H", "127.0.0.1", "-p", str(port)],
                              cwd=str(directory), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    aws = LocalAws("http://127.0.0.1:%d" % port)
    for attempt in range(150):  # pylint: disable=unused-variable
        if aws.answers():
            return server, aws
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError("moto_server did not answer on port %d" % port)


@pytest.fixture(scope="module")
def own_aws(tmp_path_factory):
    """A private local AWS for one test module."""
    server, aws = start_moto_server(tmp_path_factory.mktemp("moto"))
    try:
        yield aws
    finally:
        server.terminate()
        server.wait(timeout=10)
