"""playbooks/dr.yml and playbooks/teardown.yml against a private local AWS (own_aws): the whole
stack of inventories/local is built with infrastructure.yml, then disaster recovery is prepared
(twice: the second run changes nothing), failed over, and the stack is torn down (twice: the
second run changes nothing).

Gaps of the local AWS (moto 5.2.5, see ../shared/notes/local-aws-moto.md) that shape this test:
- moto has no DeleteDeploymentGroup/DeleteApplication (CodeDeploy): the teardown runs without the
  delivery tier (webstack_tiers leaves it out).
- moto never clears an ACM certificate's InUseBy after its listener is deleted, so the stack is
  built and torn down with edge_tls_enabled=false (port 80 forwards; no certificate).
- moto leaves a deleted ElastiCache replication group in "deleting" forever: the teardown runs
  with cache_wait=false.
- moto's RebootDBInstance accepts but ignores ForceFailover: the failover is asserted from the
  request record (RebootDBInstance was called), not from a changed availability zone.
"""

from __future__ import annotations

import boto3
import pytest

from tests.integration.conftest import run_playbook

REGION = "ap-southeast-1"
DR_REGION = "ap-southeast-2"
NAME = "innobic-production"
FILES = "innobic-files-production"
REPLICA = "innobic-files-production-dr"
ASG = "innobic-production-asg"
CONFIRM = "teardown_confirm=innobic-production"
# Every tier but delivery (see the module docstring), and the moto gaps' overrides.
TEARDOWN_ARGS = ("-e", '{"webstack_tiers": ["network", "security_groups", "iam", "storage", "secrets", "database",'
                 ' "cache", "edge", "compute", "observability", "email"]}',
                 "-e", "edge_tls_enabled=false", "-e", "cache_wait=false")


def playbook_calls(aws):
    """The recorded calls, less the one read of the inventory's aws_ec2 plugin (inventories/local
    lists the hosts at parse time, before any play)."""
    return [c for c in aws.calls() if (c.service, c.operation) != ("ec2", "DescribeInstances")]


def client(aws, service, region=REGION):
    return boto3.client(service, region_name=region, endpoint_url=aws.url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(scope="module")
def stack(own_aws):
    built = run_playbook(own_aws, "playbooks/infrastructure.yml", "-e", "edge_tls_enabled=false")
    assert built.rc == 0, built.raw[-3000:] + built.stderr
    return own_aws


@pytest.fixture(scope="module")
def prepared(stack):
    first = run_playbook(stack, "playbooks/dr.yml", "-e", "dr_action=prepare")
    assert first.rc == 0, first.raw[-3000:] + first.stderr
    stack.start_recording()
    second = run_playbook(stack, "playbooks/dr.yml", "-e", "dr_action=prepare")
    calls = stack.calls()
    return first, second, calls


def test_prepare_replicates_the_files_bucket_and_is_idempotent(prepared, stack):
    first, second, calls = prepared
    assert first.changed == 3
    assert second.rc == 0 and second.changed == 0, second.raw[-2000:]
    assert [c for c in calls if c.mutating] == []
    s3 = client(stack, "s3")
    rules = s3.get_bucket_replication(Bucket=FILES)["ReplicationConfiguration"]
    assert rules["Role"].endswith(":role/%s-s3-replication" % NAME)
    [rule] = rules["Rules"]
    assert rule["Status"] == "Enabled"
    assert rule["Destination"]["Bucket"] == "arn:aws:s3:::%s" % REPLICA
    replica = client(stack, "s3", DR_REGION)
    assert replica.get_bucket_location(Bucket=REPLICA)["LocationConstraint"] == DR_REGION
    assert replica.get_bucket_versioning(Bucket=REPLICA)["Status"] == "Enabled"
    encryption = replica.get_bucket_encryption(Bucket=REPLICA)["ServerSideEncryptionConfiguration"]
    assert encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert all(replica.get_public_access_block(Bucket=REPLICA)["PublicAccessBlockConfiguration"].values())
    iam = client(stack, "iam")
    trust = iam.get_role(RoleName="%s-s3-replication" % NAME)["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "s3.amazonaws.com"}
    policy = iam.get_role_policy(RoleName="%s-s3-replication" % NAME, PolicyName="replication")["PolicyDocument"]
    actions = {a: s["Resource"] for s in policy["Statement"] for a in s["Action"]}
    assert actions["s3:GetReplicationConfiguration"] == "arn:aws:s3:::%s" % FILES
    assert actions["s3:GetObjectVersionForReplication"] == "arn:aws:s3:::%s/*" % FILES
    assert actions["s3:ReplicateObject"] == "arn:aws:s3:::%s/*" % REPLICA


@pytest.mark.parametrize("args, variable", [
    (("-e", "dr_action=failover"), "dr_confirm"),
    (("-e", "dr_action=failover", "-e", "dr_confirm=innobic-staging"), "dr_confirm"),
    (("-e", "dr_action=restore"), "dr_action"),
    ((), "dr_action"),
])
def test_bad_dr_input_fails_before_any_api_call(stack, args, variable):
    stack.start_recording()
    run = run_playbook(stack, "playbooks/dr.yml", *args)
    assert run.rc != 0
    assert variable + ":" in run.messages
    assert playbook_calls(stack) == []


def test_failover_fails_the_database_over_and_scales_the_standby_region(prepared, stack):
    ec2 = client(stack, "ec2", DR_REGION)
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.10.0/24", AvailabilityZone=DR_REGION + "a")["Subnet"]
    ec2.create_launch_template(LaunchTemplateName="standby-web",
                               LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.medium"})
    autoscaling = client(stack, "autoscaling", DR_REGION)
    autoscaling.create_auto_scaling_group(AutoScalingGroupName=ASG, MinSize=0, MaxSize=6, DesiredCapacity=0,
                                          LaunchTemplate={"LaunchTemplateName": "standby-web"},
                                          VPCZoneIdentifier=subnet["SubnetId"])
    stack.start_recording()
    run = run_playbook(stack, "playbooks/dr.yml", "-e", "dr_action=failover", "-e", "dr_confirm=innobic-production")
    assert run.rc == 0, run.raw[-3000:] + run.stderr
    operations = [c.operation for c in stack.calls() if c.mutating]
    assert operations.count("RebootDBInstance") == 1
    group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[ASG])["AutoScalingGroups"][0]
    assert group["DesiredCapacity"] == 4
    primary = client(stack, "autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[ASG])
    assert primary["AutoScalingGroups"][0]["DesiredCapacity"] == 2  # the primary region is left alone


@pytest.mark.parametrize("args", [(), ("-e", "teardown_confirm=innobic-staging"), ("-e", "teardown_confirm=")])
def test_teardown_refuses_without_the_confirmation(stack, args):
    stack.start_recording()
    run = run_playbook(stack, "playbooks/teardown.yml", *args)
    assert run.rc != 0
    assert "teardown_confirm:" in run.messages
    assert playbook_calls(stack) == []
    assert client(stack, "rds").describe_db_instances()["DBInstances"]


@pytest.fixture(scope="module")
def torn_down(stack, prepared):  # pylint: disable=unused-argument
    # An object in the artifacts bucket: without teardown_delete_bucket_contents it is kept.
    # (The bucket policy refuses plain HTTP, which is all the local AWS speaks: lift it first.)
    s3 = client(stack, "s3")
    s3.delete_bucket_policy(Bucket="innobic-artifacts-production")
    s3.put_object(Bucket="innobic-artifacts-production", Key="release.zip", Body=b"zip")
    first = run_playbook(stack, "playbooks/teardown.yml", "-e", CONFIRM, *TEARDOWN_ARGS)
    second = run_playbook(stack, "playbooks/teardown.yml", "-e", CONFIRM, *TEARDOWN_ARGS)
    return first, second


def test_teardown_removes_the_stack_and_keeps_the_snapshot(torn_down, stack):
    first = torn_down[0]
    assert first.rc == 0, first.raw[-4000:] + first.stderr
    ec2 = client(stack, "ec2")
    assert ec2.describe_vpcs(Filters=[{"Name": "tag:Project", "Values": ["innobic"]}])["Vpcs"] == []
    assert client(stack, "autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[ASG])["AutoScalingGroups"] == []
    running = ec2.describe_instances(Filters=[{"Name": "instance-state-name", "Values": ["pending", "running"]}])
    assert [i for r in running["Reservations"] for i in r["Instances"]] == []
    assert client(stack, "elbv2").describe_load_balancers()["LoadBalancers"] == []
    rds = client(stack, "rds")
    assert rds.describe_db_instances()["DBInstances"] == []
    snapshots = [s["DBSnapshotIdentifier"] for s in rds.describe_db_snapshots()["DBSnapshots"]]
    assert any(s.startswith("%s-mysql-final-" % NAME) for s in snapshots), snapshots
    report = first.result("Report what the teardown kept")["msg"]
    assert report["buckets_kept_with_objects"] == ["innobic-artifacts-production"]
    assert report["database_final_snapshot"] in snapshots
    buckets = {b["Name"] for b in client(stack, "s3").list_buckets()["Buckets"]}
    assert "innobic-artifacts-production" in buckets
    assert not buckets & {FILES, "innobic-backups-production"}
    zones = client(stack, "route53").list_hosted_zones()["HostedZones"]
    assert [z for z in zones if z["Name"] == "innobic.example."] == []


def test_second_teardown_changes_nothing(torn_down):
    second = torn_down[1]
    assert second.rc == 0, second.raw[-3000:] + second.stderr
    assert second.changed == 0
