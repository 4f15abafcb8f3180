"""The module worker (plugins/action/module_worker.py, plugins/plugin_utils/module_worker.py)
changes how fast a module runs, never what it does: the same playbook with and without it
gives the same results (changes, diffs, check mode, argument errors, module failures, the
task's environment), and the worker leaves nothing behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import boto3
import pytest

from ansible_collections.webstack.aws.plugins.plugin_utils import module_worker
from tests.integration.conftest import run_playbook

PLAYBOOK = "tests/integration/playbooks/module_worker.yml"
VOLATILE = {"application_id", "arn", "invocation", "_ansible_no_log", "deprecations", "warnings"}


def results(run) -> dict:
    """Each registered task result, without the values that differ from one run to the next."""
    found = {}
    for play in run.output["plays"]:
        for task in play["tasks"]:
            result = dict(task["hosts"]["localhost"])
            found[task["task"]["name"]] = {key: value for key, value in result.items() if key not in VOLATILE}
    return found


@pytest.fixture(scope="module")
def runs(own_aws, tmp_path_factory):
    """The playbook on a fresh local AWS, with the worker and then without it; each run in a
    TMPDIR of its own, so that what a worker leaves there can be seen."""
    done = {}
    modes = {"worker": [], "usual": ["-e", "webstack_aws_module_worker=false"],
             "worker_verbose": ["-vvv"], "usual_verbose": ["-vvv", "-e", "webstack_aws_module_worker=false"]}
    for mode, extra in modes.items():
        own_aws.reset()
        tmpdir = str(tmp_path_factory.mktemp(mode))
        env = {"TMPDIR": tmpdir, "ANSIBLE_LOCAL_TEMP": os.path.join(tmpdir, "ansible-local")}
        done[mode] = (run_playbook(own_aws, PLAYBOOK, *extra, env=env), tmpdir)
    return done


def test_the_worker_runs_the_modules(runs):
    for mode, (run, _tmpdir) in runs.items():
        assert run.rc == 0, mode + run.raw[-3000:] + run.stderr
    worker = runs["worker_verbose"][0]
    usual = runs["usual_verbose"][0]
    assert "webstack.aws module worker ran webstack.aws.codedeploy_application" in worker.raw + worker.stderr
    assert "module worker ran" not in usual.raw + usual.stderr


def test_results_are_the_same_with_and_without_the_worker(runs):
    worker = results(runs["worker"][0])
    usual = results(runs["usual"][0])
    assert worker == usual
    assert worker["Create an application"]["changed"] is True
    assert worker["Create it again"]["changed"] is False
    planned = worker["Plan a tag change in check mode, with its diff"]
    assert planned["changed"] is True and planned["diff"]["before"] != planned["diff"]["after"]
    assert "no_such_option" in worker["Refuse an unknown option"]["msg"]
    assert worker["Fail inside the module (a compute platform that cannot change)"]["failed"] is True
    assert worker["Read the application with only AWS_URL and credentials in the environment"]["changed"] is False


def test_check_mode_wrote_nothing(runs, own_aws):
    # What the last run left: the tags as created; check mode changed nothing.
    codedeploy = boto3.client("codedeploy", endpoint_url=own_aws.url, region_name="ap-southeast-1",
                              aws_access_key_id="testing", aws_secret_access_key="testing")
    tags = codedeploy.list_tags_for_resource(
        ResourceArn="arn:aws:codedeploy:ap-southeast-1:123456789012:application:worker-check")["Tags"]
    assert tags == [{"Key": "Purpose", "Value": "worker"}]


def test_the_worker_leaves_nothing_behind(runs):
    tmpdir = runs["worker"][1]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        left = subprocess.run(["pgrep", "-f", tmpdir], capture_output=True, text=True, check=False).stdout.split()
        sockets = os.listdir(os.path.join(tmpdir, "webstack-aws-worker-%d" % os.getuid()))
        if not left and not sockets:
            break
        time.sleep(0.5)
    assert left == [] and sockets == []


def test_an_interpreter_without_ansible_runs_modules_the_usual_way(own_aws, tmp_path):
    # Debian's own python3 has no ansible-core: the worker cannot start there, the module runs
    # the usual way (and then lacks boto3, which is that interpreter's problem, said as usual).
    if not os.path.exists("/usr/bin/python3") or subprocess.run(
            ["/usr/bin/python3", "-c", "import ansible"], capture_output=True, check=False).returncode == 0:
        pytest.skip("needs a python3 without ansible-core at /usr/bin/python3")
    run = run_playbook(own_aws, PLAYBOOK, "-e", "ansible_python_interpreter=/usr/bin/python3",
                       env={"TMPDIR": str(tmp_path)})
    assert "module worker is unavailable" in run.raw + run.stderr
    created = run.result("Create an application")
    assert created["failed"] and "boto3" in created["msg"]


def test_a_worker_that_cannot_start_is_not_retried_in_the_same_run(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(module_worker.tempfile, "tempdir", None)
    arguments = {"owner_pid": os.getpid(), "ansible_version": "0", "collection_paths": [], "preload_collections": []}
    started = time.monotonic()
    with pytest.raises(module_worker.WorkerUnavailable, match="exited"):
        module_worker.ensure([sys.executable], arguments)
    with pytest.raises(module_worker.WorkerUnavailable, match="earlier in this run"):
        module_worker.ensure([sys.executable], arguments)
    directory = module_worker.private_directory()
    assert os.stat(directory).st_mode & 0o777 == 0o700
    log = [name for name in os.listdir(directory) if name.endswith(".log")]
    with open(os.path.join(directory, log[0]), encoding="utf-8") as handle:
        assert "ansible-core" in handle.read()
    assert time.monotonic() - started < 30
