"""The cache tier against a private local AWS (own_aws): check mode on an empty account writes
nothing; the first run builds seed 000's Redis (read back with boto3); the second run changes
nothing and makes no mutating call; --check --diff on the converged tier reports no change; the
AUTH token never appears in a -vvv run; bad input fails before any API call and names the
variable.

The prerequisites (a VPC with the two database subnets and the redis security group) are made
with boto3 and passed as the network and security_groups tiers publish them.

moto lacks the ElastiCache parameter group APIs (Create/Describe/ModifyCacheParameterGroup(s),
DescribeCacheParameters), so these runs set cache_manage_parameter_group=false and the group uses
default.redis7; the parameter group module is tested with botocore's Stubber
(tests/unit/plugins/modules/test_elasticache_parameter_group.py), and one test here shows that
the managed step fails against moto with the missing API named rather than passing silently.
"""

from __future__ import annotations

import json

import boto3
import pytest

from tests.integration.conftest import run_playbook

PLAYBOOK = "tests/integration/playbooks/cache.yml"
REGION = "ap-southeast-1"
ID = "innobic-production-redis"
SECRET = "innobic/production/redis"
TASK = "Converge the cache subnet group, replication group and AUTH token secret"


def client(aws, service):
    return boto3.client(service, region_name=REGION, endpoint_url=aws.url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(scope="module")
def prerequisites(own_aws):
    ec2 = client(own_aws, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = {az: ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
               for cidr, az in (("10.0.20.0/24", "ap-southeast-1a"), ("10.0.21.0/24", "ap-southeast-1b"))}
    group = ec2.create_security_group(GroupName="innobic-production-redis", Description="redis", VpcId=vpc)["GroupId"]
    return {"network_subnet_ids": {"db": subnets}, "security_groups_ids": {"redis": group},
            "cache_manage_parameter_group": False}


def play(aws, extra, *args):
    return run_playbook(aws, PLAYBOOK, "-e", json.dumps(extra), *args)


@pytest.fixture(scope="module")
def converged(own_aws, prerequisites):
    own_aws.start_recording()
    check = play(own_aws, prerequisites, "--check", "--diff")
    check_calls = own_aws.calls()
    own_aws.start_recording()
    first = play(own_aws, prerequisites)
    first_calls = own_aws.calls()
    return {"check": check, "check_calls": check_calls, "first": first, "first_calls": first_calls}


def group(aws):
    return client(aws, "elasticache").describe_replication_groups(ReplicationGroupId=ID)["ReplicationGroups"][0]


def test_check_mode_on_empty_account_plans_everything_and_writes_nothing(converged):
    check = converged["check"]
    assert check.rc == 0, check.raw + check.stderr
    result = check.result(TASK)
    assert result["changed"] is True
    assert "create cache subnet group innobic-production-cache" in result["actions"]
    assert "create replication group %s (redis 7.0, cache.t3.micro, 1 replica)" % ID in result["actions"]
    assert [c for c in converged["check_calls"] if c.mutating] == []


def test_first_run_builds_the_guides_redis(converged, own_aws, prerequisites):
    first = converged["first"]
    assert first.rc == 0, first.raw + first.stderr
    found = group(own_aws)
    [node_group] = found["NodeGroups"]
    members = node_group["NodeGroupMembers"]
    assert sorted(m["CurrentRole"] for m in members) == ["primary", "replica"]
    assert len({m["PreferredAvailabilityZone"] for m in members}) == 2
    assert found["ClusterEnabled"] is False
    assert found["CacheNodeType"] == "cache.t3.micro"
    assert found["AutomaticFailover"] == "enabled" and found["MultiAZ"] == "enabled"
    assert found["SnapshotRetentionLimit"] == 5 and found["SnapshotWindow"] == "03:00-05:00"
    assert found["AuthTokenEnabled"] is True
    assert node_group["PrimaryEndpoint"]["Port"] == 6379
    elasticache = client(own_aws, "elasticache")
    tags = {t["Key"]: t["Value"] for t in elasticache.list_tags_for_resource(ResourceName=found["ARN"])["TagList"]}
    assert tags == {"Project": "innobic", "Environment": "production"}
    [subnet_group] = elasticache.describe_cache_subnet_groups(
        CacheSubnetGroupName="innobic-production-cache")["CacheSubnetGroups"]
    assert sorted(s["SubnetIdentifier"] for s in subnet_group["Subnets"]) == \
        sorted(prerequisites["network_subnet_ids"]["db"].values())

    secrets = client(own_aws, "secretsmanager")
    document = json.loads(secrets.get_secret_value(SecretId=SECRET)["SecretString"])
    assert set(document) == {"auth_token", "host", "port", "tls"}
    assert document["host"] == node_group["PrimaryEndpoint"]["Address"] and document["port"] == 6379
    assert len(document["auth_token"]) == 64
    assert document["auth_token"] not in first.raw + first.stderr

    outputs = first.result("Show the tier's outputs")["msg"]
    assert outputs["cache_primary_endpoint"] == node_group["PrimaryEndpoint"]["Address"]
    assert int(outputs["cache_port"]) == 6379
    assert outputs["cache_secret_arn"] == secrets.describe_secret(SecretId=SECRET)["ARN"]


def test_security_posture_encrypted_at_rest_and_in_transit(converged, own_aws):
    found = group(own_aws)
    assert found["AtRestEncryptionEnabled"] is True
    assert found["TransitEncryptionEnabled"] is True


def test_second_run_changes_nothing_and_makes_no_mutating_call(converged, own_aws, prerequisites):
    own_aws.start_recording()
    second = play(own_aws, prerequisites, "--diff")
    calls = own_aws.calls()
    assert second.rc == 0, second.raw + second.stderr
    assert second.changed == 0
    assert [c for c in calls if c.mutating] == []
    reads = [c for c in calls if c.service in ("elasticache", "secretsmanager")]
    # Subnet group 2 (group, tags), replication group 3 (group, tags, a member), secret 1.
    assert len(reads) == 6, own_aws.summary(reads)


def test_check_diff_on_converged_tier_reports_no_change(converged, own_aws, prerequisites):
    own_aws.start_recording()
    check = play(own_aws, prerequisites, "--check", "--diff")
    assert check.rc == 0, check.raw + check.stderr
    assert check.changed == 0
    assert [c for c in own_aws.calls() if c.mutating] == []


def test_auth_token_never_appears_in_a_verbose_run(converged, own_aws, prerequisites):
    token = json.loads(client(own_aws, "secretsmanager").get_secret_value(SecretId=SECRET)["SecretString"])[
        "auth_token"]
    run = play(own_aws, prerequisites, "-vvv", "--diff")
    assert run.rc == 0
    assert token not in run.raw + run.stderr


def test_managed_parameter_group_fails_on_the_local_aws_without_the_api(converged, own_aws, prerequisites):
    own_aws.start_recording()
    run = play(own_aws, dict(prerequisites, cache_manage_parameter_group=True))
    assert run.rc != 0
    assert "Cache parameter group innobic-production-redis7" in run.messages
    assert [c for c in own_aws.calls() if c.mutating] == []


@pytest.mark.parametrize("extra_vars, variable", [
    ({"cache_node_type": "t3.micro"}, "cache_node_type"),
    ({"cache_node_type": "cache.t3"}, "cache_node_type"),
    ({"cache_snapshot_retention": 36}, "cache_snapshot_retention"),
    ({"cache_maintenance_window": "sun:04:00-sun:05:00"}, "cache_snapshot_window"),
    ({"cache_replicas": 0}, "cache_replicas"),
    ({"cache_engine": "memcached"}, "cache_engine"),
    ({"cache_parameters": {"timeout": "five minutes"}}, "cache_parameters.timeout"),
    ({"cache_parameters": {"maxmemory-policy": "most-recent"}}, "cache_parameters.maxmemory-policy"),
    ({"cache_manage_parameter_group": True, "cache_parameter_group_family": "redis6.x"},
     "cache_parameter_group_family"),
])
def test_bad_input_fails_before_any_api_call(own_aws, prerequisites, extra_vars, variable):
    own_aws.start_recording()
    run = play(own_aws, dict(prerequisites, **extra_vars))
    assert run.rc != 0
    assert variable in run.messages, run.messages
    # The aws_ec2 inventory reads the instances before the play starts; the play makes no call.
    assert [c for c in own_aws.calls() if c.operation != "DescribeInstances"] == []
