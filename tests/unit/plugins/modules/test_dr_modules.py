"""s3_bucket_replication and autoscaling_capacity (the DR playbook's modules) against moto
in-process."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from moto import mock_aws

from ansible_collections.webstack.aws.plugins.modules import autoscaling_capacity
from ansible_collections.webstack.aws.plugins.modules import s3_bucket_replication

REGION = "ap-southeast-1"


@pytest.fixture(autouse=True)
def aws(monkeypatch):
    for variable in ("AWS_ENDPOINT_URL", "AWS_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield


def run(module, capsys, check_mode=False, **args):
    args.setdefault("region", REGION)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            module.main()
    return json.loads(capsys.readouterr().out)


def buckets(versioned=True):
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="files", CreateBucketConfiguration={"LocationConstraint": REGION})
    boto3.client("s3", region_name="ap-southeast-2").create_bucket(
        Bucket="files-dr", CreateBucketConfiguration={"LocationConstraint": "ap-southeast-2"})
    if versioned:
        s3.put_bucket_versioning(Bucket="files", VersioningConfiguration={"Status": "Enabled"})
    return s3


RULES = [{"id": "dr", "destination_bucket": "files-dr", "storage_class": "STANDARD_IA"}]
ROLE = "arn:aws:iam::123456789012:role/replication"


def test_replication_is_set_once_then_left_alone(capsys):
    s3 = buckets()
    checked = run(s3_bucket_replication, capsys, check_mode=True, bucket="files", role_arn=ROLE, rules=RULES)
    assert checked["changed"] is True
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_bucket_replication(Bucket="files")
    first = run(s3_bucket_replication, capsys, bucket="files", role_arn=ROLE, rules=RULES)
    assert first["changed"] is True
    [rule] = s3.get_bucket_replication(Bucket="files")["ReplicationConfiguration"]["Rules"]
    assert rule["Destination"] == {"Bucket": "arn:aws:s3:::files-dr", "StorageClass": "STANDARD_IA"}
    second = run(s3_bucket_replication, capsys, bucket="files", role_arn=ROLE, rules=RULES)
    assert second["changed"] is False, second["diff"]
    changed = run(s3_bucket_replication, capsys, bucket="files", role_arn=ROLE, rules=[dict(RULES[0], storage_class="GLACIER")])
    assert changed["changed"] is True
    gone = run(s3_bucket_replication, capsys, bucket="files", state="absent")
    assert gone["changed"] is True
    assert run(s3_bucket_replication, capsys, bucket="files", state="absent")["changed"] is False


def test_replication_needs_versioning(capsys):
    buckets(versioned=False)
    result = run(s3_bucket_replication, capsys, bucket="files", role_arn=ROLE, rules=RULES)
    assert result["failed"] is True
    assert "versioning" in result["msg"]


def make_group():
    ec2 = boto3.client("ec2", region_name=REGION)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={"ImageId": image, "InstanceType": "t3.micro"})
    autoscaling = boto3.client("autoscaling", region_name=REGION)
    autoscaling.create_auto_scaling_group(AutoScalingGroupName="asg", MinSize=0, MaxSize=6, DesiredCapacity=0,
                                          LaunchTemplate={"LaunchTemplateName": "web"},
                                          AvailabilityZones=["%sa" % REGION])
    return autoscaling


def test_capacity_changes_only_what_differs(capsys):
    autoscaling = make_group()
    first = run(autoscaling_capacity, capsys, name="asg", desired_capacity=4, min_size=2)
    assert first["changed"] is True
    assert first["capacity"] == {"min_size": 2, "desired_capacity": 4, "max_size": 6}
    group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=["asg"])["AutoScalingGroups"][0]
    assert (group["MinSize"], group["DesiredCapacity"]) == (2, 4)
    assert run(autoscaling_capacity, capsys, name="asg", desired_capacity=4)["changed"] is False


def test_capacity_outside_the_bounds_fails_before_writing(capsys):
    autoscaling = make_group()
    result = run(autoscaling_capacity, capsys, name="asg", desired_capacity=9)
    assert result["failed"] is True and result["msg"].startswith("desired_capacity:")
    group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=["asg"])["AutoScalingGroups"][0]
    assert group["DesiredCapacity"] == 0
    assert run(autoscaling_capacity, capsys, name="missing", desired_capacity=1)["msg"].startswith("name:")
