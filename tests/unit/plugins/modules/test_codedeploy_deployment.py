"""codedeploy_deployment.

Against moto in-process (mock_aws): a deployment of an S3 revision is created with the asked
revision; moto's deployments stay "Created" for ever, so waiting for one times out, and the
module says so after wait_timeout; check mode creates nothing; bad input fails before any call.

Through botocore's Stubber, with answers shaped like CodeDeploy's: a deployment that succeeds,
one that fails (its error message is reported), no new deployment when the group already has
the revision, RegisterApplicationRevision, and StopDeployment (moto lacks the last two)."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from botocore.stub import Stubber
from moto import mock_aws

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.webstack.aws.plugins.modules import codedeploy_deployment

REGION = "ap-southeast-1"
REVISION = {"s3_bucket": "innobic-artifacts-production", "s3_key": "releases/20250101120000.zip", "bundle_type": "zip"}
S3 = {"revisionType": "S3", "s3Location": {"bucket": "innobic-artifacts-production", "key": "releases/20250101120000.zip",
                                           "bundleType": "zip"}}
BASE = {"application": "innobic-app", "deployment_group": "production", "region": REGION, "revision": REVISION}


@pytest.fixture
def env(monkeypatch):
    for variable in ("AWS_ENDPOINT_URL", "AWS_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


@pytest.fixture
def codedeploy(env):
    with mock_aws():
        client = boto3.client("codedeploy", region_name=REGION)
        client.create_application(applicationName="innobic-app", computePlatform="Server")
        client.create_deployment_group(applicationName="innobic-app", deploymentGroupName="production",
                                       serviceRoleArn="arn:aws:iam::123456789012:role/codedeploy",
                                       autoScalingGroups=["innobic-production-asg"])
        yield client


def run(capsys, check_mode=False, **overrides):
    args = dict(BASE)
    args.update(overrides)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            codedeploy_deployment.main()
    return json.loads(capsys.readouterr().out)


def test_deployment_is_created_with_the_revision(codedeploy, capsys):
    result = run(capsys, wait=False, description="Release 20250101120000")
    assert result["changed"] is True
    assert result["actions"] == ["deploy s3://innobic-artifacts-production/releases/20250101120000.zip to innobic-app/production"]
    info = codedeploy.get_deployment(deploymentId=result["deployment_id"])["deploymentInfo"]
    assert info["revision"] == S3
    assert info["description"] == "Release 20250101120000"
    assert result["status"] == "Created"


def test_waiting_on_moto_times_out_honestly(codedeploy, capsys):
    """moto never moves a deployment past Created: waiting must end at wait_timeout, and fail."""
    result = run(capsys, wait=True, wait_timeout=2, poll_interval=1)
    assert result["failed"] is True
    assert result["msg"].startswith("Deployment %s is still Created after 2 seconds" % result["deployment_id"])
    assert result["status"] == "Created" and result["changed"] is True


def test_check_mode_creates_nothing(codedeploy, capsys):
    result = run(capsys, check_mode=True)
    assert result["changed"] is True and result["deployment_id"] is None
    assert codedeploy.list_deployments(applicationName="innobic-app", deploymentGroupName="production")["deployments"] == []


@pytest.mark.parametrize("overrides, fragment", [
    ({"revision": None}, "revision: required with state=present"),
    ({"state": "stopped", "deployment_group": None, "revision": None}, "deployment_id: required with state=stopped"),
    ({"wait_timeout": 0}, "wait_timeout: must be at least 1 second"),
])
def test_bad_input_fails_before_any_call(codedeploy, capsys, overrides, fragment):
    result = run(capsys, **overrides)
    assert result["failed"] is True and fragment in result["msg"]
    assert codedeploy.list_deployments(applicationName="innobic-app", deploymentGroupName="production")["deployments"] == []


# --- Stubber: CodeDeploy's own answers --------------------------------------------------------

@pytest.fixture
def stub(env, monkeypatch):
    client = boto3.client("codedeploy", region_name=REGION, aws_access_key_id="a", aws_secret_access_key="b")
    stubber = Stubber(client)
    stubber.activate()
    monkeypatch.setattr(AnsibleAWSModule, "client", lambda self, service, retry_decorator=None, **extra:
                        RetryingBotoClientWrapper(client, retry_decorator))
    monkeypatch.setattr(codedeploy_deployment.time, "sleep", lambda seconds: None)
    yield stubber
    stubber.assert_no_pending_responses()


def group(target=None, last=None):
    info = {"applicationName": "innobic-app", "deploymentGroupName": "production"}
    if target:
        info["targetRevision"] = target
    if last:
        info["lastAttemptedDeployment"] = last
    return {"deploymentGroupInfo": info}


def deployment(status, **extra):
    return {"deploymentInfo": dict({"deploymentId": "d-ABCDEF123", "status": status, "revision": S3}, **extra)}


def test_deployment_that_succeeds(stub, capsys):
    stub.add_response("get_deployment_group", group(), {"applicationName": "innobic-app", "deploymentGroupName": "production"})
    stub.add_response("create_deployment", {"deploymentId": "d-ABCDEF123"},
                      {"applicationName": "innobic-app", "deploymentGroupName": "production", "revision": S3,
                       "ignoreApplicationStopFailures": False})
    stub.add_response("get_deployment", deployment("InProgress"), {"deploymentId": "d-ABCDEF123"})
    overview = {"Pending": 0, "InProgress": 0, "Succeeded": 2, "Failed": 0, "Skipped": 0, "Ready": 0}
    stub.add_response("get_deployment", deployment("Succeeded", deploymentOverview=overview), {"deploymentId": "d-ABCDEF123"})
    result = run(capsys)
    assert (result["changed"], result["deployment_id"], result["status"]) == (True, "d-ABCDEF123", "Succeeded")
    assert result["deployment_overview"]["Succeeded"] == 2


def test_deployment_that_fails_reports_codedeploys_message(stub, capsys):
    stub.add_response("get_deployment_group", group())
    stub.add_response("create_deployment", {"deploymentId": "d-ABCDEF123"})
    error = {"code": "HEALTH_CONSTRAINTS", "message": "The overall deployment failed because too many individual instances failed deployment"}
    stub.add_response("get_deployment", deployment("Failed", errorInformation=error))
    result = run(capsys)
    assert result["failed"] is True
    assert "ended Failed: The overall deployment failed because too many individual instances failed" in result["msg"]
    assert result["error_information"]["code"] == "HEALTH_CONSTRAINTS"


def test_no_new_deployment_when_the_group_already_has_the_revision(stub, capsys):
    stub.add_response("get_deployment_group", group(S3, {"deploymentId": "d-OLD", "status": "Succeeded"}))
    stub.add_response("get_deployment", deployment("Succeeded", deploymentId="d-OLD"), {"deploymentId": "d-OLD"})
    result = run(capsys)
    assert (result["changed"], result["deployment_id"], result["status"]) == (False, "d-OLD", "Succeeded")


def test_new_deployment_after_a_failed_one_or_with_force(stub, capsys):
    stub.add_response("get_deployment_group", group(S3, {"deploymentId": "d-OLD", "status": "Failed"}))
    stub.add_response("create_deployment", {"deploymentId": "d-NEW"})
    assert run(capsys, wait=False)["deployment_id"] == "d-NEW"
    stub.add_response("get_deployment_group", group(S3, {"deploymentId": "d-OLD", "status": "Succeeded"}))
    stub.add_response("create_deployment", {"deploymentId": "d-NEWER"})
    assert run(capsys, wait=False, force=True)["deployment_id"] == "d-NEWER"


def test_revision_is_registered_first_when_asked(stub, capsys):
    """moto lacks RegisterApplicationRevision."""
    stub.add_response("get_deployment_group", group())
    stub.add_response("register_application_revision", {}, {"applicationName": "innobic-app", "revision": S3})
    stub.add_response("create_deployment", {"deploymentId": "d-ABCDEF123"})
    result = run(capsys, wait=False, register_revision=True)
    assert result["actions"][0] == ("register revision s3://innobic-artifacts-production/releases/20250101120000.zip "
                                    "with innobic-app")


def test_stop_rolls_back_and_waits_until_stopped(stub, capsys):
    """moto lacks StopDeployment."""
    stub.add_response("get_deployment", deployment("InProgress"), {"deploymentId": "d-ABCDEF123"})
    stub.add_response("stop_deployment", {"status": "Pending", "statusMessage": "Stopping"},
                      {"deploymentId": "d-ABCDEF123", "autoRollbackEnabled": True})
    stub.add_response("get_deployment", deployment("InProgress"))
    stub.add_response("get_deployment", deployment("Stopped", errorInformation={"code": "MANUAL_STOP",
                                                                                "message": "The deployment was stopped"}))
    result = run(capsys, state="stopped", deployment_id="d-ABCDEF123", revision=None)
    assert result["actions"] == ["stop deployment d-ABCDEF123 and roll back"]
    assert result["status"] == "Stopped"
    assert result["diff"]["before"]["deployment"]["d-ABCDEF123"] == {"status": "InProgress"}


def test_stopping_a_finished_deployment_changes_nothing(stub, capsys):
    stub.add_response("get_deployment", deployment("Succeeded"))
    result = run(capsys, state="stopped", deployment_id="d-ABCDEF123", revision=None)
    assert (result["changed"], result["status"]) == (False, "Succeeded")


def test_stop_in_check_mode_only_reports(stub, capsys):
    stub.add_response("get_deployment_group", group(S3, {"deploymentId": "d-ABCDEF123", "status": "InProgress"}))
    stub.add_response("get_deployment", deployment("InProgress"))
    result = run(capsys, check_mode=True, state="stopped", revision=None)
    assert result["actions"] == ["stop deployment d-ABCDEF123 and roll back"]
