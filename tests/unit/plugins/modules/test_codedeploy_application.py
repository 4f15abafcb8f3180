"""codedeploy_application against moto in-process (mock_aws): create with tags, a re-run without
writes, check mode, tag drift, a platform that cannot change, bad input. moto lacks
DeleteApplication, so state=absent uses botocore's Stubber with answers shaped like CodeDeploy's."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from botocore.stub import Stubber
from moto import mock_aws

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.webstack.aws.plugins.modules import codedeploy_application

REGION = "ap-southeast-1"
ARN = "arn:aws:codedeploy:%s:123456789012:application:innobic-app" % REGION


@pytest.fixture
def env(monkeypatch):
    for variable in ("AWS_ENDPOINT_URL", "AWS_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


@pytest.fixture
def codedeploy(env):
    with mock_aws():
        yield boto3.client("codedeploy", region_name=REGION)


def run(capsys, check_mode=False, **overrides):
    args = {"name": "innobic-app", "region": REGION, "tags": {"Project": "innobic"}}
    args.update(overrides)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            codedeploy_application.main()
    return json.loads(capsys.readouterr().out)


def test_create_then_rerun_changes_nothing(codedeploy, capsys):
    check = run(capsys, check_mode=True)
    assert check["actions"] == ["create application innobic-app"] and check["application_id"] is None
    assert codedeploy.list_applications()["applications"] == []
    first = run(capsys)
    assert first["changed"] is True and first["arn"] == ARN
    application = codedeploy.get_application(applicationName="innobic-app")["application"]
    assert application["computePlatform"] == "Server"
    assert first["application_id"] == application["applicationId"]
    assert codedeploy.list_tags_for_resource(ResourceArn=ARN)["Tags"] == [{"Key": "Project", "Value": "innobic"}]
    second = run(capsys)
    assert second["changed"] is False and second["actions"] == []
    assert second["application_id"] == first["application_id"]


def test_tags_are_reconciled(codedeploy, capsys):
    run(capsys)
    codedeploy.tag_resource(ResourceArn=ARN, Tags=[{"Key": "Owner", "Value": "ops"}])
    assert run(capsys, purge_tags=False)["changed"] is False
    result = run(capsys, tags={"Project": "innobic", "Team": "web"})
    assert result["actions"] == ["tag %s" % ARN, "untag %s" % ARN]
    tags = {t["Key"]: t["Value"] for t in codedeploy.list_tags_for_resource(ResourceArn=ARN)["Tags"]}
    assert tags == {"Project": "innobic", "Team": "web"}


def test_platform_cannot_change(codedeploy, capsys):
    run(capsys)
    result = run(capsys, compute_platform="ECS")
    assert result["failed"] is True
    assert result["msg"].startswith("compute_platform: application innobic-app exists for Server, not ECS")


def test_bad_name_fails_before_any_call(codedeploy, capsys):
    result = run(capsys, name="innobic app")
    assert result["failed"] is True and result["msg"].startswith("name: 'innobic app'")
    assert codedeploy.list_applications()["applications"] == []


def test_absent_deletes_the_application(env, monkeypatch, capsys):
    """moto lacks DeleteApplication."""
    client = boto3.client("codedeploy", region_name=REGION, aws_access_key_id="a", aws_secret_access_key="b")
    stub = Stubber(client)
    stub.activate()
    monkeypatch.setattr(AnsibleAWSModule, "client",
                        lambda self, service, retry_decorator=None, **extra: RetryingBotoClientWrapper(client, retry_decorator))
    stub.add_response("get_application", {"application": {"applicationId": "1", "applicationName": "innobic-app",
                                                          "computePlatform": "Server"}},
                      {"applicationName": "innobic-app"})
    stub.add_response("delete_application", {}, {"applicationName": "innobic-app"})
    result = run(capsys, state="absent")
    assert result["actions"] == ["delete application innobic-app"]
    stub.add_client_error("get_application", "ApplicationDoesNotExistException")
    assert run(capsys, state="absent")["changed"] is False
    stub.assert_no_pending_responses()
