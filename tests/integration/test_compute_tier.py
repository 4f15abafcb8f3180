"""The compute tier of seed 000 (and seed 003's sizes) against a private local AWS: the first
run builds the launch template and the Auto Scaling group with the guide's numbers (read back
with boto3, including the security posture: IMDSv2 required, encrypted root volume, the web
security group, no secret in the user data); the second run has changed=0 and no mutating call;
check mode on the converged tier reports no change; a template change makes exactly one new
version; bad input fails before any API call, naming the variable.

The playbook builds the VPC with the network role, stands in for the security groups and IAM
tiers, and runs the edge role without a domain for the target group. The local AWS lacks
StartInstanceRefresh, so the playbook sets compute_instance_refresh: false (the refresh is
tested with botocore's Stubber in tests/unit/plugins/modules/test_autoscaling_stack.py)."""

from __future__ import annotations

import base64
import json
import re

import boto3
import pytest

from tests.integration.conftest import run_playbook

PLAYBOOK = "tests/integration/playbooks/compute.yml"
REGION = "ap-southeast-1"
AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
SECRET = "Zq8-not-a-real-password-4711"


def client(aws, service):
    return boto3.client(service, region_name=REGION, endpoint_url=aws.url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def compute_calls(calls):
    return [c for c in calls if c.service in ("autoscaling", "ssm") or c.operation.startswith(
        ("DescribeLaunchTemplate", "CreateLaunchTemplate", "ModifyLaunchTemplate"))]


def default_version(aws, name):
    ec2 = client(aws, "ec2")
    return ec2.describe_launch_template_versions(LaunchTemplateName=name, Versions=["$Default"])["LaunchTemplateVersions"][0]


@pytest.fixture(scope="module")
def converged(own_aws):
    own_aws.start_recording()
    first = run_playbook(own_aws, PLAYBOOK)
    return {"first": first, "first_calls": own_aws.calls()}


def test_first_run_builds_the_guides_compute_tier(converged, own_aws):
    first = converged["first"]
    assert first.rc == 0, first.raw + first.stderr
    outputs = first.result("Show the tier's outputs")["msg"]
    version = default_version(own_aws, "innobic-production-web")
    assert version["LaunchTemplateId"] == outputs["compute_launch_template_id"]
    data = version["LaunchTemplateData"]
    ami = client(own_aws, "ssm").get_parameter(Name=AL2023)["Parameter"]["Value"]
    assert data["ImageId"] == ami
    assert data["InstanceType"] == "t3.medium"
    assert data["IamInstanceProfile"] == {"Name": "innobic-production-ec2"}
    assert data["SecurityGroupIds"] == [outputs["security_groups_ids"]["web"]]
    # Security posture: IMDSv2 only, encrypted root volume, no key pair, no secret in user data.
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert data["MetadataOptions"]["HttpPutResponseHopLimit"] == 1
    [root] = data["BlockDeviceMappings"]
    assert root["DeviceName"] == "/dev/xvda"
    assert (root["Ebs"]["Encrypted"], root["Ebs"]["VolumeType"], root["Ebs"]["VolumeSize"]) == (True, "gp3", 30)
    assert "KeyName" not in data
    user_data = base64.b64decode(data["UserData"]).decode()
    assert "dnf install -y python3 amazon-ssm-agent" in user_data
    assert not re.search(r"(?i)(password|secret|token|AKIA)[^\n]*=", user_data)

    autoscaling = client(own_aws, "autoscaling")
    [group] = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=["innobic-production-asg"])["AutoScalingGroups"]
    assert (group["MinSize"], group["DesiredCapacity"], group["MaxSize"]) == (2, 2, 6)
    assert (group["HealthCheckType"], group["HealthCheckGracePeriod"]) == ("ELB", 300)
    assert group["TargetGroupARNs"] == [outputs["edge_target_group_arn"]]
    assert group["LaunchTemplate"] == {"LaunchTemplateId": outputs["compute_launch_template_id"],
                                       "LaunchTemplateName": "innobic-production-web", "Version": "1"}
    subnets = client(own_aws, "ec2").describe_subnets(SubnetIds=group["VPCZoneIdentifier"].split(","))["Subnets"]
    assert sorted(s["CidrBlock"] for s in subnets) == ["10.0.10.0/24", "10.0.11.0/24"]  # the private app subnets
    tags = {t["Key"]: (t["Value"], t["PropagateAtLaunch"]) for t in group["Tags"]}
    assert tags["Name"] == ("innobic-production-web", True)
    assert tags["Project"] == ("innobic", True)
    assert len(group["EnabledMetrics"]) == 8
    [policy] = autoscaling.describe_policies(AutoScalingGroupName="innobic-production-asg")["ScalingPolicies"]
    assert policy["PolicyType"] == "TargetTrackingScaling"
    assert policy["TargetTrackingConfiguration"]["TargetValue"] == 70.0
    actions = {a["ScheduledActionName"]: a for a in autoscaling.describe_scheduled_actions(
        AutoScalingGroupName="innobic-production-asg")["ScheduledUpdateGroupActions"]}
    assert {n: (a["Recurrence"], a["MinSize"], a["TimeZone"]) for n, a in actions.items()} == {
        "scale-down-evening": ("0 20 * * 1-5", 1, "Asia/Singapore"),
        "scale-up-morning": ("0 8 * * 1-5", 2, "Asia/Singapore")}
    # The group registered its instances in the target group (the edge tier never touches targets).
    health = client(own_aws, "elbv2").describe_target_health(TargetGroupArn=outputs["edge_target_group_arn"])
    assert len(health["TargetHealthDescriptions"]) == 2
    # Without a domain the edge tier forwards port 80 instead of redirecting.
    elb = client(own_aws, "elbv2")
    [lb] = elb.describe_load_balancers(Names=["innobic-production-alb"])["LoadBalancers"]
    [listener] = elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    assert (listener["Port"], listener["DefaultActions"][0]["Type"]) == (80, "forward")


def test_second_run_changes_nothing_and_makes_no_mutating_call(converged, own_aws):
    own_aws.start_recording()
    second = run_playbook(own_aws, PLAYBOOK)
    calls = own_aws.calls()
    assert second.rc == 0, second.raw + second.stderr
    assert second.changed == 0
    assert [c for c in calls if c.mutating] == []
    # SSM parameter, launch template, its versions, group, policies, schedules: one read each.
    assert sorted(c.operation for c in compute_calls(calls)) == sorted([
        "GetParameter", "DescribeLaunchTemplates", "DescribeLaunchTemplateVersions",
        "DescribeAutoScalingGroups", "DescribePolicies", "DescribeScheduledActions"])


def test_check_mode_on_the_converged_tier_reports_no_change(converged, own_aws):
    own_aws.start_recording()
    check = run_playbook(own_aws, PLAYBOOK, "--check", "--diff")
    assert check.rc == 0, check.raw + check.stderr
    assert check.changed == 0
    assert [c for c in own_aws.calls() if c.mutating] == []


@pytest.mark.parametrize("extra_vars, variable", [
    ({"compute_min_size": 4, "compute_max_size": 3}, "compute_min_size: 4 is greater than compute_max_size (3)"),
    ({"compute_desired_capacity": 7}, "compute_desired_capacity: 7 is outside [compute_min_size, compute_max_size]"),
    ({"compute_instance_type": "t3medium"}, "compute_instance_type: 't3medium' is not an EC2 instance type"),
    ({"compute_user_data_extra": "export DB_PASSWORD=%s" % SECRET}, "compute_user_data: contains a password"),
    ({"compute_user_data_extra": "echo %s > /etc/app" % SECRET, "compute_user_data_forbidden_values": [SECRET]},
     "compute_user_data: contains the value of a secret"),
])
def test_bad_input_fails_before_any_api_call(converged, own_aws, extra_vars, variable):
    prerequisites = {"network_subnet_ids": {"app": {"ap-southeast-1a": "subnet-1"}}, "network_vpc_id": "vpc-1",
                     "security_groups_ids": {"web": "sg-1"}, "iam_instance_profile_name": "p",
                     "edge_target_group_arn": "arn:aws:elasticloadbalancing:ap-southeast-1:123456789012:targetgroup/t/1"}
    own_aws.start_recording()
    run = run_playbook(own_aws, PLAYBOOK, "-e", json.dumps(dict(prerequisites, **extra_vars)))
    assert run.rc != 0
    assert variable in run.messages, run.messages
    assert [c for c in own_aws.calls() if c.operation != "DescribeInstances"] == []
    if SECRET in json.dumps(extra_vars):
        verbose = run_playbook(own_aws, PLAYBOOK, "-vvv", "-e", json.dumps(dict(prerequisites, **extra_vars)),
                               env={"ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.default"})
        assert verbose.rc != 0
        assert SECRET not in verbose.raw + verbose.stderr


def test_template_change_makes_one_new_default_version(converged, own_aws):
    changed = run_playbook(own_aws, PLAYBOOK, "-e", "compute_instance_type=t3.large")
    assert changed.rc == 0, changed.raw + changed.stderr
    assert changed.changed == 1
    version = default_version(own_aws, "innobic-production-web")
    assert (version["VersionNumber"], version["LaunchTemplateData"]["InstanceType"]) == (2, "t3.large")
    [group] = client(own_aws, "autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=["innobic-production-asg"])["AutoScalingGroups"]
    assert group["LaunchTemplate"]["Version"] == "2"
    own_aws.start_recording()
    again = run_playbook(own_aws, PLAYBOOK, "-e", "compute_instance_type=t3.large")
    assert again.changed == 0
    assert [c for c in own_aws.calls() if c.mutating] == []


def test_seed_003_sizes_and_port(converged, own_aws):
    fastapi = {"webstack_app": "fastapi", "webstack_project": "illustra", "network_vpc_cidr": "10.1.0.0/16",
               "network_public_subnets": ["10.1.1.0/24", "10.1.2.0/24"], "network_app_subnets": ["10.1.10.0/24", "10.1.11.0/24"],
               "network_db_subnets": ["10.1.20.0/24", "10.1.21.0/24"]}
    run = run_playbook(own_aws, PLAYBOOK, "-e", json.dumps(fastapi))
    assert run.rc == 0, run.raw + run.stderr
    [group] = client(own_aws, "autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=["illustra-production-asg"])["AutoScalingGroups"]
    assert (group["MinSize"], group["DesiredCapacity"], group["MaxSize"]) == (1, 2, 3)
    assert client(own_aws, "autoscaling").describe_scheduled_actions(
        AutoScalingGroupName="illustra-production-asg")["ScheduledUpdateGroupActions"] == []
    [tg] = client(own_aws, "elbv2").describe_target_groups(Names=["illustra-production-tg"])["TargetGroups"]
    assert (tg["Port"], tg["HealthCheckPath"]) == (8001, "/api/products")
