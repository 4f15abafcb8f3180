"""codedeploy_deployment_group.

Against moto in-process (mock_aws): the blue/green and in-place groups are created with what
was asked (read back with boto3), check mode writes nothing, bad input fails before any call.

moto 5.2.5 answers GetDeploymentGroup with an empty alarmConfiguration (a TODO in moto) and
lacks UpdateDeploymentGroup and DeleteDeploymentGroup, so the re-run, drift and delete paths use
botocore's Stubber with answers shaped like CodeDeploy's (as documented for GetDeploymentGroup:
alarmConfiguration always present, autoScalingGroups as [{name, hook}], target groups by name).
One moto test shows the module's warning when the alarm configuration is not reported."""

from __future__ import annotations

import copy
import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from botocore.stub import Stubber
from moto import mock_aws

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.webstack.aws.plugins.modules import codedeploy_deployment_group

REGION = "ap-southeast-1"
ROLE = "arn:aws:iam::123456789012:role/innobic-production-codedeploy"
TG_ARN = "arn:aws:elasticloadbalancing:%s:123456789012:targetgroup/innobic-production-tg/0123456789abcdef" % REGION
ALARMS = ["innobic-production-alarm-5xx-rate-high", "innobic-production-alarm-cpu-high"]
GROUP_ARN = "arn:aws:codedeploy:%s:123456789012:deploymentgroup:innobic-app/production" % REGION
BLUE_GREEN = {
    "application": "innobic-app", "name": "production", "region": REGION, "service_role_arn": ROLE,
    "auto_scaling_groups": ["innobic-production-asg"], "target_groups": [TG_ARN], "deployment_type": "blue_green",
    "deployment_config_name": "CodeDeployDefault.OneAtATime",
    "blue_green": {"green_fleet_provisioning": "copy_auto_scaling_group", "termination_wait_minutes": 60},
    "auto_rollback": {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]},
    "alarms": {"names": ALARMS}, "tags": {"Project": "innobic", "Environment": "production"},
}
# GetDeploymentGroup as CodeDeploy answers for the group above.
AWS_GROUP = {
    "applicationName": "innobic-app", "deploymentGroupId": "11111111-2222-3333-4444-555555555555",
    "deploymentGroupName": "production", "deploymentConfigName": "CodeDeployDefault.OneAtATime",
    "ec2TagFilters": [], "onPremisesInstanceTagFilters": [],
    "autoScalingGroups": [{"name": "innobic-production-asg", "hook": "CodeDeploy-managed-automatic-launch-deployment-hook-production-1"}],
    "serviceRoleArn": ROLE, "triggerConfigurations": [],
    "alarmConfiguration": {"enabled": True, "ignorePollAlarmFailure": False, "alarms": [{"name": n} for n in ALARMS]},
    "autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_FAILURE"]},
    "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
    "outdatedInstancesStrategy": "UPDATE",
    "blueGreenDeploymentConfiguration": {
        "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 60},
        "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT", "waitTimeInMinutes": 0},
        "greenFleetProvisioningOption": {"action": "COPY_AUTO_SCALING_GROUP"}},
    "loadBalancerInfo": {"targetGroupInfoList": [{"name": "innobic-production-tg"}]},
    "ec2TagSet": {"ec2TagSetList": []}, "onPremisesTagSet": {"onPremisesTagSetList": []},
    "computePlatform": "Server", "ecsServices": [], "terminationHookEnabled": False,
}
TAGS = [{"Key": "Project", "Value": "innobic"}, {"Key": "Environment", "Value": "production"}]


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
        yield client


def run(capsys, args, check_mode=False):
    from ansible.module_utils.common import warnings

    # Warnings are kept in a module-level dict that outlives a module run in one process.
    warnings._global_warnings.clear()  # pylint: disable=protected-access
    args = dict(args)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            codedeploy_deployment_group.main()
    return json.loads(capsys.readouterr().out)


def test_blue_green_group_is_created_as_asked(codedeploy, capsys):
    check = run(capsys, BLUE_GREEN, check_mode=True)
    assert check["actions"] == ["create deployment group innobic-app/production"]
    assert codedeploy.list_deployment_groups(applicationName="innobic-app")["deploymentGroups"] == []
    first = run(capsys, BLUE_GREEN)
    assert first["changed"] is True and first["arn"] == GROUP_ARN
    group = codedeploy.get_deployment_group(applicationName="innobic-app", deploymentGroupName="production")[
        "deploymentGroupInfo"]
    assert group["deploymentStyle"] == {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"}
    assert group["loadBalancerInfo"] == {"targetGroupInfoList": [{"name": "innobic-production-tg"}]}
    assert group["blueGreenDeploymentConfiguration"] == AWS_GROUP["blueGreenDeploymentConfiguration"]
    assert group["autoRollbackConfiguration"] == {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]}
    assert group["serviceRoleArn"] == ROLE and group["deploymentConfigName"] == "CodeDeployDefault.OneAtATime"
    assert codedeploy.list_tags_for_resource(ResourceArn=GROUP_ARN)["Tags"] == TAGS


def test_moto_rerun_warns_that_the_alarm_configuration_was_not_reported(codedeploy, capsys):
    run(capsys, BLUE_GREEN)
    second = run(capsys, BLUE_GREEN)
    assert second["changed"] is False, second["actions"]
    assert "did not report the alarm configuration of innobic-app/production" in json.dumps(second["warnings"])


def test_in_place_group_with_half_at_a_time(codedeploy, capsys):
    args = dict(BLUE_GREEN, deployment_type="in_place", deployment_config_name="CodeDeployDefault.HalfAtATime",
                blue_green={}, auto_rollback={"enabled": True, "events": ["DEPLOYMENT_FAILURE"]}, alarms={})
    run(capsys, args)
    group = codedeploy.get_deployment_group(applicationName="innobic-app", deploymentGroupName="production")[
        "deploymentGroupInfo"]
    assert group["deploymentStyle"] == {"deploymentType": "IN_PLACE", "deploymentOption": "WITH_TRAFFIC_CONTROL"}
    assert group["deploymentConfigName"] == "CodeDeployDefault.HalfAtATime"
    assert group["blueGreenDeploymentConfiguration"] == {}


@pytest.mark.parametrize("overrides, fragment", [
    ({"alarms": {"names": ["a%d" % i for i in range(11)]}}, "alarms.names: 11 alarms, but CodeDeploy watches at most 10"),
    ({"alarms": {}}, "auto_rollback.events: DEPLOYMENT_STOP_ON_ALARM needs at least one alarm to watch"),
    ({"service_role_arn": "innobic-codedeploy"}, "service_role_arn: 'innobic-codedeploy' is not an IAM role ARN"),
    ({"target_groups": []}, "traffic_control: a blue/green deployment on EC2 reroutes traffic through a load balancer"),
    ({"blue_green": {"termination_wait_minutes": 3000}}, "blue_green.termination_wait_minutes: 3000 must be"),
    ({"auto_scaling_groups": []}, "auto_scaling_groups: blue_green.green_fleet_provisioning=copy_auto_scaling_group"),
])
def test_bad_input_fails_before_any_call(codedeploy, capsys, overrides, fragment):
    result = run(capsys, dict(BLUE_GREEN, **overrides))
    assert result["failed"] is True
    assert fragment in result["msg"], result["msg"]
    assert codedeploy.list_deployment_groups(applicationName="innobic-app")["deploymentGroups"] == []


# --- Stubber: CodeDeploy's own answers --------------------------------------------------------

@pytest.fixture
def stubs(env, monkeypatch):
    clients = {s: boto3.client(s, region_name=REGION, aws_access_key_id="a", aws_secret_access_key="b")
               for s in ("codedeploy", "sts")}
    stubbers = {s: Stubber(c) for s, c in clients.items()}
    for stubber in stubbers.values():
        stubber.activate()
    monkeypatch.setattr(AnsibleAWSModule, "client", lambda self, service, retry_decorator=None, **extra:
                        RetryingBotoClientWrapper(clients[service], retry_decorator))
    yield stubbers
    for stubber in stubbers.values():
        stubber.assert_no_pending_responses()


def reads(stubs, group, tags=None, update=None):
    """GetDeploymentGroup, the expected UpdateDeploymentGroup if any (update: its parameters, or
    True for any), then ListTagsForResource: the order of the module's calls."""
    stubs["codedeploy"].add_response("get_deployment_group", {"deploymentGroupInfo": group},
                                     {"applicationName": "innobic-app", "deploymentGroupName": "production"})
    if update is True:
        stubs["codedeploy"].add_response("update_deployment_group", {"hooksNotCleanedUp": []})
    elif update:
        stubs["codedeploy"].add_response("update_deployment_group", {"hooksNotCleanedUp": []}, update)
    stubs["codedeploy"].add_response("list_tags_for_resource", {"Tags": TAGS if tags is None else tags},
                                     {"ResourceArn": GROUP_ARN})
    stubs["sts"].add_response("get_caller_identity", {"Account": "123456789012", "UserId": "AIDA",
                                                      "Arn": "arn:aws:iam::123456789012:user/t"})


def test_converged_group_is_not_written(stubs, capsys):
    reads(stubs, AWS_GROUP)
    result = run(capsys, BLUE_GREEN)
    assert result["changed"] is False, result["actions"]
    assert "warnings" not in result, result["warnings"]


def test_drifted_alarms_are_put_back_with_one_update(stubs, capsys):
    drifted = copy.deepcopy(AWS_GROUP)
    drifted["alarmConfiguration"] = {"enabled": False, "ignorePollAlarmFailure": False, "alarms": []}
    expected = {
        "applicationName": "innobic-app", "currentDeploymentGroupName": "production",
        "deploymentConfigName": "CodeDeployDefault.OneAtATime", "serviceRoleArn": ROLE,
        "autoScalingGroups": ["innobic-production-asg"],
        "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        "autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]},
        "alarmConfiguration": {"enabled": True, "ignorePollAlarmFailure": False, "alarms": [{"name": n} for n in ALARMS]},
        "outdatedInstancesStrategy": "UPDATE", "terminationHookEnabled": False,
        "loadBalancerInfo": {"targetGroupInfoList": [{"name": "innobic-production-tg"}]},
        "blueGreenDeploymentConfiguration": AWS_GROUP["blueGreenDeploymentConfiguration"],
    }
    reads(stubs, drifted, update=expected)
    result = run(capsys, BLUE_GREEN)
    assert result.get("actions") == ["update deployment group innobic-app/production"], result.get("msg")
    key = "innobic-app/production"
    assert result["diff"]["before"]["deployment_group"][key]["alarm_configuration"]["alarms"] == []
    assert result["diff"]["after"]["deployment_group"][key]["alarm_configuration"]["alarms"] == ALARMS


def test_asg_copied_by_a_blue_green_deployment_is_not_reverted(stubs, capsys):
    after_deployment = copy.deepcopy(AWS_GROUP)
    after_deployment["autoScalingGroups"] = [{"name": "CodeDeploy_production_d-ABCDEF123", "hook": "h"}]
    reads(stubs, after_deployment)
    result = run(capsys, BLUE_GREEN)
    assert result["changed"] is False
    assert result["auto_scaling_groups"] == ["CodeDeploy_production_d-ABCDEF123"]


def test_switch_to_in_place_keeps_the_group_and_updates_it(stubs, capsys):
    reads(stubs, AWS_GROUP, update=True)
    args = dict(BLUE_GREEN, deployment_type="in_place", blue_green={})
    result = run(capsys, args)
    assert result.get("actions") == ["update deployment group innobic-app/production"], result.get("msg")
    key = "innobic-app/production"
    assert result["diff"]["after"]["deployment_group"][key]["deployment_type"] == "IN_PLACE"
    assert result["diff"]["after"]["deployment_group"][key]["auto_scaling_groups"] == ["innobic-production-asg"]


def test_check_mode_reports_drift_without_writing(stubs, capsys):
    drifted = copy.deepcopy(AWS_GROUP)
    drifted["deploymentConfigName"] = "CodeDeployDefault.AllAtOnce"
    reads(stubs, drifted, tags=[TAGS[0]])
    result = run(capsys, BLUE_GREEN, check_mode=True)
    assert result["actions"] == ["update deployment group innobic-app/production", "tag %s" % GROUP_ARN]


def test_absent_deletes_the_group(stubs, capsys):
    """moto lacks DeleteDeploymentGroup."""
    stubs["codedeploy"].add_response("get_deployment_group", {"deploymentGroupInfo": AWS_GROUP})
    stubs["codedeploy"].add_response("delete_deployment_group", {"hooksNotCleanedUp": []},
                                     {"applicationName": "innobic-app", "deploymentGroupName": "production"})
    result = run(capsys, {"application": "innobic-app", "name": "production", "region": REGION, "state": "absent"})
    assert result["actions"] == ["delete deployment group innobic-app/production"]
    stubs["codedeploy"].add_client_error("get_deployment_group", "DeploymentGroupDoesNotExistException")
    again = run(capsys, {"application": "innobic-app", "name": "production", "region": REGION, "state": "absent"})
    assert again["changed"] is False


# --- the delivery role's input checks and traffic mapping (plugins/module_utils/delivery_spec.py) --

GOOD_INPUTS = {
    "delivery_project": "innobic", "delivery_environment": "production", "delivery_application_name": "innobic-app",
    "delivery_deployment_group_name": "production", "delivery_deployment_style": "blue_green",
    "delivery_in_place_config": "OneAtATime", "delivery_traffic_shifting": "Canary10Percent30Minutes",
    "delivery_green_fleet": "copy_auto_scaling_group", "delivery_ready_action": "continue",
    "delivery_blue_termination_wait_minutes": 60, "delivery_ready_wait_minutes": 0, "delivery_alarm_names": ALARMS,
    "delivery_rollback_events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"], "delivery_service_role_arn": ROLE,
    "delivery_asg_name": "innobic-production-asg", "delivery_target_group_arn": TG_ARN,
    "delivery_artifacts_bucket": "innobic-artifacts-production",
}


def test_sound_delivery_inputs_have_no_error():
    from ansible_collections.webstack.aws.plugins.module_utils.delivery_spec import delivery_input_errors

    assert delivery_input_errors(GOOD_INPUTS) == []


@pytest.mark.parametrize("change, message", [
    ({"delivery_deployment_style": "rolling"}, "delivery_deployment_style: 'rolling' must be one of"),
    ({"delivery_traffic_shifting": "Linear10PercentEvery1Minute"}, "delivery_traffic_shifting: 'Linear10PercentEvery1Minute'"),
    ({"delivery_in_place_config": "ThirdAtATime"}, "delivery_in_place_config: 'ThirdAtATime'"),
    ({"delivery_alarm_names": ["a%d" % i for i in range(11)]}, "delivery_alarm_names: 11 alarms"),
    ({"delivery_alarm_names": []}, "delivery_rollback_events: DEPLOYMENT_STOP_ON_ALARM needs at least one alarm"),
    ({"delivery_rollback_events": ["DEPLOYMENT_TIMEOUT"]}, "delivery_rollback_events[0]: 'DEPLOYMENT_TIMEOUT'"),
    ({"delivery_service_role_arn": ""}, "delivery_service_role_arn: required"),
    ({"delivery_target_group_arn": ""}, "delivery_target_group_arn: required with delivery_deployment_style blue_green"),
    ({"delivery_blue_termination_wait_minutes": 3000}, "delivery_blue_termination_wait_minutes: 3000"),
    ({"delivery_artifacts_bucket": "Bad_Bucket"}, "delivery_artifacts_bucket: 'Bad_Bucket'"),
])
def test_bad_delivery_inputs_name_the_variable(change, message):
    from ansible_collections.webstack.aws.plugins.module_utils.delivery_spec import delivery_input_errors

    errors = delivery_input_errors(dict(GOOD_INPUTS, **change))
    assert any(e.startswith(message) for e in errors), errors


def test_guide_traffic_names_map_to_server_configurations():
    from ansible_collections.webstack.aws.plugins.module_utils.delivery_spec import TRAFFIC_SHIFTING
    from ansible_collections.webstack.aws.plugins.module_utils.delivery_spec import server_config

    assert {name: config for name, (config, why) in TRAFFIC_SHIFTING.items()} == {
        "AllAtOnce": "CodeDeployDefault.AllAtOnce",
        "Linear10PercentEvery10Minutes": "CodeDeployDefault.OneAtATime",
        "Canary10Percent30Minutes": "CodeDeployDefault.OneAtATime"}
    assert server_config("HalfAtATime") == "CodeDeployDefault.HalfAtATime"
    assert server_config("CodeDeployDefault.LambdaCanary10Percent30Minutes") is None
