"""cloudwatch_dashboard against moto in-process (mock_aws): create, a re-run that compares the
body as JSON and writes nothing, check mode, a changed body, a JSON string body, bad input, delete."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from moto import mock_aws

from ansible_collections.webstack.aws.plugins.modules import cloudwatch_dashboard

REGION = "ap-southeast-1"
BODY = {"widgets": [{"type": "metric", "x": 0, "y": 0, "width": 12, "height": 6,
                     "properties": {"title": "Requests", "region": REGION, "stat": "Sum", "period": 300,
                                    "metrics": [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", "app/t/1"]]}}]}


@pytest.fixture(autouse=True)
def cw(monkeypatch):
    for variable in ("AWS_ENDPOINT_URL", "AWS_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("cloudwatch", region_name=REGION)


def run(capsys, check_mode=False, **overrides):
    args = {"name": "t-test", "region": REGION, "body": BODY}
    args.update(overrides)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            cloudwatch_dashboard.main()
    return json.loads(capsys.readouterr().out)


def test_create_then_rerun_changes_nothing(cw, capsys):
    check = run(capsys, check_mode=True)
    assert check["changed"] is True and check["actions"] == ["create dashboard t-test"]
    assert cw.list_dashboards()["DashboardEntries"] == []
    first = run(capsys)
    assert first["changed"] is True
    assert first["dashboard_arn"].endswith(":dashboard/t-test")
    assert json.loads(cw.get_dashboard(DashboardName="t-test")["DashboardBody"]) == BODY
    second = run(capsys)
    assert second["changed"] is False and second["actions"] == []
    assert second["dashboard_arn"] == first["dashboard_arn"]
    # The same body as a JSON string with other key order and spacing is no change either.
    text = json.dumps({"widgets": [dict(reversed(list(BODY["widgets"][0].items())))]}, indent=4)
    assert run(capsys, body=text)["changed"] is False


def test_changed_body_is_put_with_a_diff(cw, capsys):
    run(capsys)
    body = json.loads(json.dumps(BODY))
    body["widgets"][0]["properties"]["period"] = 60
    check = run(capsys, check_mode=True, body=body)
    assert check["actions"] == ["update dashboard t-test"]
    assert json.loads(cw.get_dashboard(DashboardName="t-test")["DashboardBody"]) == BODY
    result = run(capsys, body=body)
    assert result["diff"]["before"]["dashboard"]["t-test"]["widgets"][0]["properties"]["period"] == 300
    assert result["diff"]["after"]["dashboard"]["t-test"]["widgets"][0]["properties"]["period"] == 60
    assert json.loads(cw.get_dashboard(DashboardName="t-test")["DashboardBody"]) == body


@pytest.mark.parametrize("overrides, fragment", [
    ({"body": "{not json"}, "body: not valid JSON"),
    ({"body": {"title": "no widgets"}}, "body: must be a dashboard body"),
    ({"name": "bad name!"}, "name: 'bad name!' must be"),
])
def test_bad_input_fails_before_any_call(cw, capsys, overrides, fragment):
    result = run(capsys, **overrides)
    assert result["failed"] is True
    assert fragment in result["msg"]
    assert cw.list_dashboards()["DashboardEntries"] == []


def test_absent_deletes(cw, capsys):
    run(capsys)
    gone = run(capsys, state="absent", body=None)
    assert gone["changed"] is True and gone["actions"] == ["delete dashboard t-test"]
    assert cw.list_dashboards()["DashboardEntries"] == []
    assert run(capsys, state="absent", body=None)["changed"] is False
