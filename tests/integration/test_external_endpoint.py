"""The collection against a local AWS it did not start itself: a plain moto_server on another
port, reached only through AWS_ENDPOINT_URL."""

from __future__ import annotations

from tests.integration.conftest import run_playbook


def test_any_moto_server_through_aws_endpoint_url(own_aws):
    # LOCAL_AWS_PORT=1: were AWS_ENDPOINT_URL ignored, the inventory's fallback would fail.
    first = run_playbook(own_aws, "playbooks/infrastructure.yml", env={"LOCAL_AWS_PORT": "1"})
    assert first.rc == 0, first.raw + first.stderr
    assert first.changed == 1
    own_aws.start_recording()
    second = run_playbook(own_aws, "playbooks/infrastructure.yml", env={"LOCAL_AWS_PORT": "1"})
    assert second.rc == 0
    assert second.changed == 0
    calls = own_aws.calls()
    assert calls, "the second run reached no AWS at all"
    assert [c for c in calls if c.mutating] == []
