"""autoscaling_stack against moto in-process (mock_aws): the guide's launch template (AMI from
the SSM public parameter, IMDSv2, encrypted gp3 root, user data) and Auto Scaling group (sizes,
private subnets, ELB health check, target group, tags, CPU target tracking, the evening and
morning schedules), a converged re-run without a new template version, a template change that
makes exactly one new default version, sizes set by a schedule accepted, check mode, bad input.

moto lacks StartInstanceRefresh and DisableMetricsCollection: those calls are tested with
botocore's Stubber."""

from __future__ import annotations

import base64
import copy
import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from botocore.stub import Stubber
from moto import mock_aws

from ansible_collections.webstack.aws.plugins.modules import autoscaling_stack

REGION = "ap-southeast-1"
AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
ALL_METRICS = ["GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances",
               "GroupStandbyInstances", "GroupTerminatingInstances", "GroupTotalInstances"]
USER_DATA = "#!/bin/bash\nset -eu\ndnf install -y python3\nsystemctl enable --now amazon-ssm-agent\n"


@pytest.fixture
def aws(monkeypatch):
    for variable in ("AWS_ENDPOINT_URL", "AWS_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.%d.0/24" % i, AvailabilityZone=REGION + az)["Subnet"]["SubnetId"]
                   for i, az in ((10, "a"), (11, "b"))]
        group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
        boto3.client("iam", region_name=REGION).create_instance_profile(InstanceProfileName="t-ec2")
        target_group = boto3.client("elbv2", region_name=REGION).create_target_group(
            Name="t-tg", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
        yield {"ec2": ec2, "asg": boto3.client("autoscaling", region_name=REGION), "subnets": subnets, "group": group,
               "target_group": target_group}


def guide_args(aws, **overrides):
    args = {
        "name": "t-asg", "region": REGION,
        "launch_template": {
            "name": "t-web", "image_ssm_parameter": AL2023, "instance_type": "t3.medium",
            "iam_instance_profile": "t-ec2", "security_group_ids": [aws["group"]], "user_data": USER_DATA,
            "http_tokens": "required", "http_put_response_hop_limit": 2,
            "root_volume": {"size": 30, "type": "gp3", "encrypted": True},
            "instance_tags": {"Name": "t-web", "Role": "web"},
        },
        "min_size": 2, "max_size": 6, "desired_capacity": 2, "subnet_ids": aws["subnets"],
        "health_check_type": "ELB", "health_check_grace_period": 300, "target_group_arns": [aws["target_group"]],
        "scaling_policies": [{"name": "cpu-target", "target_value": 70}],
        "time_zone": "Asia/Singapore",
        "scheduled_actions": [{"name": "scale-down-evening", "recurrence": "0 20 * * 1-5", "min_size": 1},
                              {"name": "scale-up-morning", "recurrence": "0 8 * * 1-5", "min_size": 2}],
        "tags": {"Project": "t", "Name": "t-web", "Environment": "test"},
        "instance_refresh": {"enabled": False},
    }
    args.update(overrides)
    return args


def run(capsys, args, check_mode=False):
    args = copy.deepcopy(args)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            autoscaling_stack.main()
    return json.loads(capsys.readouterr().out)


def template_versions(aws):
    return aws["ec2"].describe_launch_template_versions(LaunchTemplateName="t-web")["LaunchTemplateVersions"]


def test_builds_the_guides_compute_tier_then_rerun_changes_nothing(aws, capsys):
    first = run(capsys, guide_args(aws))
    assert first["changed"] is True, first
    [version] = template_versions(aws)
    data = version["LaunchTemplateData"]
    ami = boto3.client("ssm", region_name=REGION).get_parameter(Name=AL2023)["Parameter"]["Value"]
    assert data["ImageId"] == ami == first["launch_template"]["image_id"]
    assert data["InstanceType"] == "t3.medium"
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert data["MetadataOptions"]["HttpPutResponseHopLimit"] == 2
    [root] = data["BlockDeviceMappings"]
    assert root["DeviceName"] == "/dev/xvda"  # looked up from the AMI
    assert root["Ebs"]["Encrypted"] is True
    assert (root["Ebs"]["VolumeType"], root["Ebs"]["VolumeSize"]) == ("gp3", 30)
    assert data["IamInstanceProfile"] == {"Name": "t-ec2"}
    assert data["SecurityGroupIds"] == [aws["group"]]
    assert base64.b64decode(data["UserData"]).decode() == USER_DATA

    [group] = aws["asg"].describe_auto_scaling_groups(AutoScalingGroupNames=["t-asg"])["AutoScalingGroups"]
    assert (group["MinSize"], group["MaxSize"], group["DesiredCapacity"]) == (2, 6, 2)
    assert (group["HealthCheckType"], group["HealthCheckGracePeriod"]) == ("ELB", 300)
    assert sorted(group["VPCZoneIdentifier"].split(",")) == sorted(aws["subnets"])
    assert group["TargetGroupARNs"] == [aws["target_group"]]
    assert group["LaunchTemplate"]["Version"] == "1"
    assert {t["Key"]: (t["Value"], t["PropagateAtLaunch"]) for t in group["Tags"]}["Name"] == ("t-web", True)
    assert len(group["EnabledMetrics"]) == 8
    [policy] = aws["asg"].describe_policies(AutoScalingGroupName="t-asg")["ScalingPolicies"]
    assert policy["TargetTrackingConfiguration"]["TargetValue"] == 70.0
    assert policy["TargetTrackingConfiguration"]["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ASGAverageCPUUtilization"
    actions = {a["ScheduledActionName"]: a for a in
               aws["asg"].describe_scheduled_actions(AutoScalingGroupName="t-asg")["ScheduledUpdateGroupActions"]}
    assert (actions["scale-down-evening"]["Recurrence"], actions["scale-down-evening"]["MinSize"],
            actions["scale-down-evening"]["TimeZone"]) == ("0 20 * * 1-5", 1, "Asia/Singapore")
    assert (actions["scale-up-morning"]["Recurrence"], actions["scale-up-morning"]["MinSize"]) == ("0 8 * * 1-5", 2)

    second = run(capsys, guide_args(aws))
    assert second["changed"] is False, second["actions"]
    assert len(template_versions(aws)) == 1
    check = run(capsys, guide_args(aws), check_mode=True)
    assert check["changed"] is False


def test_template_change_makes_one_new_default_version(aws, capsys):
    run(capsys, guide_args(aws))
    args = guide_args(aws)
    args["launch_template"]["instance_type"] = "t3.large"
    changed = run(capsys, args)
    assert "create version of launch template t-web" in changed["actions"]
    assert "make version 2 the default of launch template t-web" in changed["actions"]
    assert any(a.startswith("update Auto Scaling group t-asg (LaunchTemplate)") for a in changed["actions"])
    assert changed["instance_refresh_id"] is None  # disabled here; see the Stubber test
    [group] = aws["asg"].describe_auto_scaling_groups(AutoScalingGroupNames=["t-asg"])["AutoScalingGroups"]
    assert group["LaunchTemplate"]["Version"] == "2"
    again = run(capsys, args)
    assert again["changed"] is False, again["actions"]
    assert len(template_versions(aws)) == 2


def test_a_size_set_by_the_schedule_is_not_undone(aws, capsys):
    run(capsys, guide_args(aws))
    aws["asg"].update_auto_scaling_group(AutoScalingGroupName="t-asg", MinSize=1)  # what 20:00 does
    result = run(capsys, guide_args(aws))
    assert result["changed"] is False, result["actions"]
    aws["asg"].update_auto_scaling_group(AutoScalingGroupName="t-asg", MinSize=3)  # no schedule sets 3
    result = run(capsys, guide_args(aws))
    assert result["actions"] == ["update Auto Scaling group t-asg (MinSize)"]


def test_tags_compare_as_a_set_and_drift_is_repaired(aws, capsys):
    run(capsys, guide_args(aws))
    reordered = guide_args(aws, tags={"Environment": "test", "Name": "t-web", "Project": "t"})
    assert run(capsys, reordered)["changed"] is False
    aws["asg"].create_or_update_tags(Tags=[{"ResourceId": "t-asg", "ResourceType": "auto-scaling-group",
                                            "Key": "Project", "Value": "x", "PropagateAtLaunch": True}])
    assert run(capsys, guide_args(aws))["actions"] == ["tag Auto Scaling group t-asg"]


def test_check_mode_creates_nothing(aws, capsys):
    result = run(capsys, guide_args(aws), check_mode=True)
    assert result["changed"] is True
    assert "create launch template t-web" in result["actions"]
    assert "create Auto Scaling group t-asg" in result["actions"]
    assert aws["asg"].describe_auto_scaling_groups()["AutoScalingGroups"] == []
    assert aws["ec2"].describe_launch_templates()["LaunchTemplates"] == []


def test_absent_deletes_group_and_template(aws, capsys):
    run(capsys, guide_args(aws))
    gone = run(capsys, {"name": "t-asg", "region": REGION, "state": "absent",
                        "launch_template": {"name": "t-web"}})
    assert gone["changed"] is True
    assert aws["asg"].describe_auto_scaling_groups()["AutoScalingGroups"] == []
    assert aws["ec2"].describe_launch_templates()["LaunchTemplates"] == []


@pytest.mark.parametrize("overrides, fragment", [
    ({"min_size": 4, "max_size": 2}, "min_size: 4 is greater than max_size (2)"),
    ({"desired_capacity": 9}, "desired_capacity: 9 is outside [min_size, max_size] = [2, 6]"),
    ({"time_zone": "Mars/Olympus"}, "time_zone: 'Mars/Olympus' is not a known IANA time zone"),
    ({"scheduled_actions": [{"name": "x", "recurrence": "every evening", "min_size": 1}]}, "scheduled_actions[0].recurrence"),
])
def test_bad_input_fails_before_any_call(aws, capsys, overrides, fragment):
    result = run(capsys, guide_args(aws, **overrides))
    assert result["failed"] is True
    assert fragment in result["msg"]
    assert aws["ec2"].describe_launch_templates()["LaunchTemplates"] == []


@pytest.mark.parametrize("template_change, fragment", [
    ({"instance_type": "t3medium"}, "launch_template.instance_type: 't3medium' is not an EC2 instance type"),
    ({"user_data": "#!/bin/bash\nexport DB_PASSWORD=hunter2hunter2\n"}, "launch_template.user_data: contains a password"),
    ({"user_data": "#!/bin/bash\nexport AWS_KEY=AKIAABCDEFGHIJKLMNOP\n"}, "launch_template.user_data: contains an AWS access key id"),
])
def test_bad_template_fails_before_any_call(aws, capsys, template_change, fragment):
    args = guide_args(aws)
    args["launch_template"].update(template_change)
    result = run(capsys, args)
    assert result["failed"] is True
    assert fragment in result["msg"]
    assert "hunter2" not in result["msg"]
    assert aws["ec2"].describe_launch_templates()["LaunchTemplates"] == []


def test_a_secret_value_in_user_data_is_refused_and_not_printed(aws, capsys):
    args = guide_args(aws, user_data_secret_values=["s3cr3t-value-xyz"])
    args["launch_template"]["user_data"] = USER_DATA + "echo s3cr3t-value-xyz > /tmp/x\n"
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            autoscaling_stack.main()
    out = capsys.readouterr().out
    result = json.loads(out)
    assert result["failed"] is True
    assert "contains the value of a secret" in result["msg"]
    assert "s3cr3t-value-xyz" not in out


def test_missing_ssm_parameter_names_the_option(aws, capsys):
    args = guide_args(aws)
    args["launch_template"]["image_ssm_parameter"] = "/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id"
    result = run(capsys, args)
    assert result["failed"] is True
    assert result["msg"].startswith("launch_template.image_ssm_parameter: SSM parameter")


class StubbedClients:
    """One Stubber per service; module.client(service) hands out the stubbed client."""

    def __init__(self):
        self.clients = {name: boto3.client(name, region_name=REGION) for name in ("autoscaling", "ec2", "ssm")}
        self.stubbers = {name: Stubber(client) for name, client in self.clients.items()}

    def client(self, service, retry_decorator=None, **_kwargs):
        return RetryingBotoClientWrapper(self.clients[service], AWSRetry.jittered_backoff(retries=1))

    def activate(self):
        for stubber in self.stubbers.values():
            stubber.activate()

    def verify(self):
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()


def existing_stack_responses(stubs, instance_type, metrics):
    """The reads of a re-run where the default version (1) has instance_type."""
    ssm, ec2, asg = stubs.stubbers["ssm"], stubs.stubbers["ec2"], stubs.stubbers["autoscaling"]
    ssm.add_response("get_parameter", {"Parameter": {"Name": AL2023, "Type": "String", "Value": "ami-0123456789abcdef0"}})
    ec2.add_response("describe_launch_templates", {"LaunchTemplates": [{
        "LaunchTemplateId": "lt-0123456789abcdef0", "LaunchTemplateName": "t-web", "DefaultVersionNumber": 1,
        "LatestVersionNumber": 1, "Tags": [{"Key": "Name", "Value": "t-web"}]}]})
    data = {"ImageId": "ami-0123456789abcdef0", "InstanceType": instance_type,
            "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2, "HttpEndpoint": "enabled",
                                "InstanceMetadataTags": "disabled"},
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 30, "VolumeType": "gp3",
                                                                        "Encrypted": True, "DeleteOnTermination": True}}]}
    ec2.add_response("describe_launch_template_versions", {"LaunchTemplateVersions": [{
        "LaunchTemplateId": "lt-0123456789abcdef0", "VersionNumber": 1, "DefaultVersion": True, "LaunchTemplateData": data}]})
    return ssm, ec2, asg, {
        "AutoScalingGroupName": "t-asg", "LaunchTemplate": {"LaunchTemplateId": "lt-0123456789abcdef0", "Version": "1"},
        "MinSize": 2, "MaxSize": 6, "DesiredCapacity": 2, "DefaultCooldown": 300, "AvailabilityZones": ["ap-southeast-1a"],
        "HealthCheckType": "EC2", "HealthCheckGracePeriod": 300, "VPCZoneIdentifier": "subnet-1", "CreatedTime": "2025-01-01T00:00:00Z",
        "EnabledMetrics": [{"Metric": m, "Granularity": "1Minute"} for m in metrics], "Tags": []}


def stubbed_args(instance_type, **overrides):
    args = {"name": "t-asg", "region": REGION, "min_size": 2, "max_size": 6, "subnet_ids": ["subnet-1"],
            "launch_template": {"name": "t-web", "image_ssm_parameter": AL2023, "instance_type": instance_type,
                                "root_volume": {"device_name": "/dev/xvda"}},
            "instance_refresh": {"enabled": True, "min_healthy_percentage": 90, "instance_warmup": 300}}
    args.update(overrides)
    return args


def test_template_change_starts_an_instance_refresh(monkeypatch, capsys):
    """Stubber: the local AWS lacks StartInstanceRefresh."""
    stubs = StubbedClients()
    ssm, ec2, asg, group = existing_stack_responses(stubs, "t3.medium", ALL_METRICS)
    ec2.add_response("create_launch_template_version", {"LaunchTemplateVersion": {
        "LaunchTemplateId": "lt-0123456789abcdef0", "VersionNumber": 2}})
    ec2.add_response("modify_launch_template", {}, {"LaunchTemplateId": "lt-0123456789abcdef0", "DefaultVersion": "2"})
    asg.add_response("describe_auto_scaling_groups", {"AutoScalingGroups": [group]})
    asg.add_response("update_auto_scaling_group", {}, {
        "AutoScalingGroupName": "t-asg", "LaunchTemplate": {"LaunchTemplateId": "lt-0123456789abcdef0", "Version": "2"}})
    asg.add_response("describe_policies", {"ScalingPolicies": []})
    asg.add_response("describe_scheduled_actions", {"ScheduledUpdateGroupActions": []})
    asg.add_response("start_instance_refresh", {"InstanceRefreshId": "refresh-1"}, {
        "AutoScalingGroupName": "t-asg", "Strategy": "Rolling",
        "Preferences": {"MinHealthyPercentage": 90, "InstanceWarmup": 300, "SkipMatching": True}})
    stubs.activate()
    monkeypatch.setattr(autoscaling_stack.AnsibleAWSModule, "client", stubs.client)
    result = run(capsys, stubbed_args("t3.large"))
    stubs.verify()
    assert result["instance_refresh_id"] == "refresh-1"
    assert result["actions"][-1] == "start instance refresh of t-asg"


def test_unwanted_metrics_are_disabled(monkeypatch, capsys):
    """Stubber: the local AWS lacks DisableMetricsCollection."""
    stubs = StubbedClients()
    ssm, ec2, asg, group = existing_stack_responses(stubs, "t3.medium", ["GroupMinSize", "GroupMaxSize"])
    asg.add_response("describe_auto_scaling_groups", {"AutoScalingGroups": [group]})
    asg.add_response("disable_metrics_collection", {}, {"AutoScalingGroupName": "t-asg", "Metrics": ["GroupMaxSize"]})
    asg.add_response("describe_policies", {"ScalingPolicies": []})
    asg.add_response("describe_scheduled_actions", {"ScheduledUpdateGroupActions": []})
    stubs.activate()
    monkeypatch.setattr(autoscaling_stack.AnsibleAWSModule, "client", stubs.client)
    result = run(capsys, stubbed_args("t3.medium", metrics=["GroupMinSize"]))
    stubs.verify()
    assert result["actions"] == ["disable metrics GroupMaxSize of t-asg"]
