"""The collection against a local AWS it did not start itself: a plain moto_server (no
corrections) on a free port, reached only through AWS_ENDPOINT_URL."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from tests.integration.conftest import VENV_BIN
from tests.integration.conftest import free_port
from tests.integration.conftest import run_playbook
from tests.localaws import LocalAws

NETWORK_ONLY = ("-e", '{"webstack_tiers": ["network"]}')


@pytest.fixture
def plain_moto(tmp_path):
    port = free_port()
    server = subprocess.Popen([os.path.join(VENV_BIN, "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    aws = LocalAws("http://127.0.0.1:%d" % port)
    try:
        for attempt in range(150):  # pylint: disable=unused-variable
            if aws.answers():
                break
            time.sleep(0.2)
        assert aws.answers()
        yield aws
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_any_moto_server_through_aws_endpoint_url(plain_moto):
    # LOCAL_AWS_PORT=1: were AWS_ENDPOINT_URL ignored, the inventory's fallback would fail.
    env = {"LOCAL_AWS_PORT": "1"}
    first = run_playbook(plain_moto, "playbooks/infrastructure.yml", *NETWORK_ONLY, env=env)
    assert first.rc == 0, first.raw + first.stderr
    assert first.changed == 1
    plain_moto.start_recording()
    second = run_playbook(plain_moto, "playbooks/infrastructure.yml", *NETWORK_ONLY, env=env)
    assert second.rc == 0
    assert second.changed == 0
    calls = plain_moto.calls()
    assert calls, "the second run reached no AWS at all"
    assert [c for c in calls if c.mutating] == []
