"""The delivery tier against a private local AWS (own_aws): what it deploys to (the CodeDeploy
service role, an Auto Scaling group, a target group, two alarms, the artifacts bucket) is
created with boto3 first, since those tiers are built elsewhere. Then: check mode on an empty
account writes nothing; the first run creates the guide's application (innobic-app) and the
environment's blue/green deployment group, read back with boto3; the second run reports
changed=0 with no mutating call (counted from the local AWS's request record); --check --diff on
the converged tier reports nothing; the in-place style; bad input fails before any API call,
naming the variable.

moto 5.2.5 answers GetDeploymentGroup with an empty alarmConfiguration (a TODO in moto) and with
autoScalingGroups as bare names (AWS: [{name, hook}], so boto3 reads them as empty), so neither
can be read back here: the test reads what CreateDeploymentGroup sent from the local AWS's
request record instead, and checks the module's warnings on the re-run. Reading
it back and repairing drift are covered with Stubber in
tests/unit/plugins/modules/test_codedeploy_deployment_group.py, as are UpdateDeploymentGroup,
DeleteDeploymentGroup and StopDeployment, which moto lacks."""

from __future__ import annotations

import base64
import json
import urllib.request

import boto3
import pytest

from tests.integration.conftest import run_playbook

PLAYBOOK = "tests/integration/playbooks/delivery.yml"
REGION = "ap-southeast-1"
ALARMS = ["innobic-production-alarm-cpu-high", "innobic-production-alarm-5xx-rate-high"]


def client(aws, service):
    return boto3.client(service, region_name=REGION, endpoint_url=aws.url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def create_prerequisites(aws):
    """What the iam, compute, edge, storage and observability tiers would have built."""
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "codedeploy.amazonaws.com"}}]}
    role = client(aws, "iam").create_role(RoleName="innobic-production-codedeploy",
                                          AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    ec2 = client(aws, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.10.0/24", AvailabilityZone="ap-southeast-1a")["Subnet"]["SubnetId"]
    target_group = client(aws, "elbv2").create_target_group(Name="innobic-production-tg", Protocol="HTTP", Port=80,
                                                            VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
    ec2.create_launch_template(LaunchTemplateName="innobic-production-lt",
                               LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.medium"})
    client(aws, "autoscaling").create_auto_scaling_group(
        AutoScalingGroupName="innobic-production-asg", MinSize=0, MaxSize=6, DesiredCapacity=0,
        LaunchTemplate={"LaunchTemplateName": "innobic-production-lt", "Version": "$Latest"},
        VPCZoneIdentifier=subnet, TargetGroupARNs=[target_group])
    cloudwatch = client(aws, "cloudwatch")
    for name in ALARMS:
        cloudwatch.put_metric_alarm(AlarmName=name, MetricName="CPUUtilization", Namespace="AWS/EC2", Statistic="Average",
                                    Period=300, EvaluationPeriods=1, Threshold=80.0,
                                    ComparisonOperator="GreaterThanThreshold")
    client(aws, "s3").create_bucket(Bucket="innobic-artifacts-production",
                                    CreateBucketConfiguration={"LocationConstraint": REGION})
    return {"iam_codedeploy_role_arn": role, "compute_asg_name": "innobic-production-asg",
            "edge_target_group_arn": target_group, "observability_alarm_names": ALARMS,
            "storage_bucket_names": {"artifacts": "innobic-artifacts-production"}}


def recorded_bodies(aws, target):
    """JSON bodies of the recorded requests whose X-Amz-Target ends with target."""
    with urllib.request.urlopen(aws.url + "/moto-api/recorder/download-recording", timeout=10) as answer:
        lines = answer.read().decode("utf-8").splitlines()
    bodies = []
    for line in lines:
        entry = json.loads(line)
        headers = {k.lower(): v for k, v in entry.get("headers", {}).items()}
        if headers.get("x-amz-target", "").endswith("." + target):
            body = entry.get("body") or ""
            if entry.get("body_encoded"):
                body = base64.b64decode(body).decode("utf-8")
            bodies.append(json.loads(body))
    return bodies


@pytest.fixture(scope="module")
def stack(own_aws):
    facts = create_prerequisites(own_aws)
    own_aws.start_recording()
    check = run_playbook(own_aws, PLAYBOOK, "--check", "--diff", "-e", json.dumps(facts))
    check_calls = own_aws.calls()
    own_aws.start_recording()
    first = run_playbook(own_aws, PLAYBOOK, "-e", json.dumps(facts))
    created = recorded_bodies(own_aws, "CreateDeploymentGroup")
    return {"facts": facts, "check": check, "check_calls": check_calls, "first": first, "created": created}


def test_check_mode_on_an_empty_account_writes_nothing(stack):
    check = stack["check"]
    assert check.rc == 0, check.raw + check.stderr
    assert check.result("Converge the CodeDeploy application")["actions"] == ["create application innobic-app"]
    assert check.result("Converge the environment's deployment group")["actions"] == [
        "create deployment group innobic-app/production"]
    assert [c for c in stack["check_calls"] if c.mutating] == []


def test_first_run_builds_the_guides_blue_green_group(stack, own_aws):
    first = stack["first"]
    assert first.rc == 0, first.raw + first.stderr
    codedeploy = client(own_aws, "codedeploy")
    application = codedeploy.get_application(applicationName="innobic-app")["application"]
    assert application["computePlatform"] == "Server"
    group = codedeploy.get_deployment_group(applicationName="innobic-app", deploymentGroupName="production")[
        "deploymentGroupInfo"]
    assert group["serviceRoleArn"] == stack["facts"]["iam_codedeploy_role_arn"]
    assert group["deploymentConfigName"] == "CodeDeployDefault.OneAtATime"
    assert group["deploymentStyle"] == {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"}
    assert group["loadBalancerInfo"] == {"targetGroupInfoList": [{"name": "innobic-production-tg"}]}
    assert group["blueGreenDeploymentConfiguration"] == {
        "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 60},
        "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT", "waitTimeInMinutes": 0},
        "greenFleetProvisioningOption": {"action": "COPY_AUTO_SCALING_GROUP"}}
    assert group["autoRollbackConfiguration"] == {"enabled": True,
                                                  "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]}
    [sent] = stack["created"]
    # moto answers autoScalingGroups as bare names, which boto3 cannot read as AWS's [{name, hook}].
    assert sent["autoScalingGroups"] == ["innobic-production-asg"]
    assert sent["alarmConfiguration"] == {"enabled": True, "ignorePollAlarmFailure": False,
                                          "alarms": [{"name": n} for n in sorted(ALARMS)]}
    outputs = first.result("Show the tier's outputs")["msg"]
    assert outputs["delivery_application_name"] == "innobic-app"
    assert outputs["delivery_deployment_group_name"] == "production"
    assert outputs["delivery_artifacts_bucket"] == "innobic-artifacts-production"
    assert outputs["delivery_deployment_group_arn"].endswith(":deploymentgroup:innobic-app/production")
    tags = codedeploy.list_tags_for_resource(ResourceArn=outputs["delivery_deployment_group_arn"])["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {"Project": "innobic", "Environment": "production"}


def test_second_run_changes_nothing(stack, own_aws):
    own_aws.start_recording()
    second = run_playbook(own_aws, PLAYBOOK, "--diff", "-e", json.dumps(stack["facts"]))
    calls = [c for c in own_aws.calls() if c.operation != "DescribeInstances"]
    assert second.rc == 0, second.raw + second.stderr
    assert second.changed == 0
    assert [c for c in calls if c.mutating] == []
    # application: GetApplication, account id, tags; group: GetDeploymentGroup, account id, tags.
    assert len(calls) <= 6, own_aws.summary(calls)
    group = json.dumps(second.result("Converge the environment's deployment group").get("warnings", []))
    assert "did not report the alarm configuration" in group and "did not report the Auto Scaling groups" in group


def test_check_mode_on_the_converged_tier_reports_no_change(stack, own_aws):
    own_aws.start_recording()
    check = run_playbook(own_aws, PLAYBOOK, "--check", "--diff", "-e", json.dumps(stack["facts"]))
    assert check.rc == 0
    assert check.changed == 0
    assert [c for c in own_aws.calls() if c.mutating] == []


def test_in_place_style_for_another_environment(stack, own_aws):
    facts = dict(stack["facts"], webstack_environment="staging", delivery_deployment_style="in_place",
                 delivery_in_place_config="HalfAtATime", observability_alarm_names=[])
    run = run_playbook(own_aws, PLAYBOOK, "-e", json.dumps(facts))
    assert run.rc == 0, run.raw + run.stderr
    again = run_playbook(own_aws, PLAYBOOK, "-e", json.dumps(facts))
    assert again.rc == 0 and again.changed == 0, again.raw + again.stderr
    group = client(own_aws, "codedeploy").get_deployment_group(applicationName="innobic-app",
                                                               deploymentGroupName="staging")["deploymentGroupInfo"]
    assert group["deploymentStyle"] == {"deploymentType": "IN_PLACE", "deploymentOption": "WITH_TRAFFIC_CONTROL"}
    assert group["deploymentConfigName"] == "CodeDeployDefault.HalfAtATime"
    # Without alarms, rollback happens on failure only.
    assert group["autoRollbackConfiguration"] == {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]}
    # The application is shared; the production group is untouched.
    assert client(own_aws, "codedeploy").list_deployment_groups(applicationName="innobic-app")["deploymentGroups"] == [
        "production", "staging"]


@pytest.mark.parametrize("extra_vars, variable", [
    ({"delivery_deployment_style": "rolling"}, "delivery_deployment_style"),
    ({"delivery_traffic_shifting": "Linear20PercentEvery5Minutes"}, "delivery_traffic_shifting"),
    ({"delivery_in_place_config": "CodeDeployDefault.ThirdAtATime"}, "delivery_in_place_config"),
    ({"observability_alarm_names": ["a%d" % i for i in range(11)]}, "delivery_alarm_names"),
    ({"iam_codedeploy_role_arn": ""}, "delivery_service_role_arn"),
    ({"delivery_blue_termination_wait_minutes": -5}, "delivery_blue_termination_wait_minutes"),
])
def test_bad_input_fails_before_any_api_call(stack, own_aws, extra_vars, variable):
    own_aws.start_recording()
    run = run_playbook(own_aws, PLAYBOOK, "-e", json.dumps(dict(stack["facts"], **extra_vars)))
    assert run.rc != 0
    assert variable in run.messages, run.messages
    assert [c for c in own_aws.calls() if c.operation != "DescribeInstances"] == []
