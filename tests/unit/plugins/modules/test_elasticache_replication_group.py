"""elasticache_replication_group and elasticache_replication_group_info against moto in-process
(mock_aws): a primary and a replica with failover, Multi-AZ and both encryptions; the AUTH token
in Secrets Manager and never shown; converged re-run; check mode; drift; settings that cannot
change; deletion with a final snapshot; bad input.

moto (5.2.5) keeps no member clusters of a replication group (DescribeCacheClusters answers
CacheClusterNotFound for them), so the settings that live on members (maintenance window,
security groups, parameter group, engine version) count as unknown here; one test gives the
module a member answer to show that drift there is found. moto never finishes deleting a
replication group, so deletion runs with wait=false.
"""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from moto import mock_aws

from ansible_collections.webstack.aws.plugins.modules import elasticache_replication_group as module_under_test
from ansible_collections.webstack.aws.plugins.modules import elasticache_replication_group_info as info_module

REGION = "ap-southeast-1"
ID = "t-production-redis"
SECRET = "t/production/redis"


@pytest.fixture(autouse=True)
def aws(monkeypatch):
    for variable in ("AWS_ENDPOINT_URL", "AWS_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
                   for cidr, az in (("10.0.20.0/24", "ap-southeast-1a"), ("10.0.21.0/24", "ap-southeast-1b"))]
        group = ec2.create_security_group(GroupName="redis", Description="redis", VpcId=vpc)["GroupId"]
        yield {"ec": boto3.client("elasticache", region_name=REGION),
               "secrets": boto3.client("secretsmanager", region_name=REGION), "subnets": subnets, "sg": group}


def args(aws, **overrides):
    base = {
        "replication_group_id": ID, "region": REGION, "engine_version": "7.0", "node_type": "cache.t3.micro",
        "replicas": 1, "automatic_failover": True, "multi_az": True, "at_rest_encryption": True,
        "transit_encryption": True, "auth_token_secret": {"name": SECRET},
        "subnet_group": {"name": "t-production-cache", "subnet_ids": aws["subnets"]},
        "security_group_ids": [aws["sg"]], "snapshot_retention_limit": 5, "snapshot_window": "03:00-05:00",
        "preferred_maintenance_window": "sun:05:00-sun:06:00", "tags": {"Project": "t", "Environment": "production"},
    }
    base.update(overrides)
    return base


def run(capsys, module, module_args, check_mode=False):
    module_args = dict(module_args)
    if check_mode:
        module_args["_ansible_check_mode"] = True
    with patch_module_args(module_args):
        with pytest.raises(SystemExit):
            module.main()
    out = capsys.readouterr().out
    return json.loads(out), out


def group(aws):
    return aws["ec"].describe_replication_groups(ReplicationGroupId=ID)["ReplicationGroups"][0]


def secret_document(aws):
    return json.loads(aws["secrets"].get_secret_value(SecretId=SECRET)["SecretString"])


def test_creates_primary_and_replica_then_rerun_changes_nothing(aws, capsys):
    first, out = run(capsys, module_under_test, args(aws))
    assert first["changed"] is True
    found = group(aws)
    members = found["NodeGroups"][0]["NodeGroupMembers"]
    assert sorted(m["CurrentRole"] for m in members) == ["primary", "replica"]
    assert len({m["PreferredAvailabilityZone"] for m in members}) == 2
    assert found["AutomaticFailover"] == "enabled" and found["MultiAZ"] == "enabled"
    assert found["AtRestEncryptionEnabled"] is True and found["TransitEncryptionEnabled"] is True
    assert found["AuthTokenEnabled"] is True
    assert found["CacheNodeType"] == "cache.t3.micro"
    assert found["SnapshotRetentionLimit"] == 5 and found["SnapshotWindow"] == "03:00-05:00"
    assert first["primary_endpoint"] == found["NodeGroups"][0]["PrimaryEndpoint"]["Address"]
    assert first["port"] == 6379

    document = secret_document(aws)
    assert set(document) == {"auth_token", "host", "port", "tls"}
    assert len(document["auth_token"]) == 64
    assert document["host"] == first["primary_endpoint"]
    assert document["auth_token"] not in out
    assert first["secret_arn"].startswith("arn:aws:secretsmanager:")
    subnet_groups = aws["ec"].describe_cache_subnet_groups(CacheSubnetGroupName="t-production-cache")
    assert len(subnet_groups["CacheSubnetGroups"][0]["Subnets"]) == 2

    second, out = run(capsys, module_under_test, args(aws))
    assert second["changed"] is False, second["actions"]
    assert second["actions"] == []
    assert secret_document(aws) == document
    assert document["auth_token"] not in out


def test_check_mode_on_empty_account_creates_nothing(aws, capsys):
    result = run(capsys, module_under_test, args(aws), check_mode=True)[0]
    assert result["changed"] is True
    assert "create cache subnet group t-production-cache" in result["actions"]
    assert any(a.startswith("create replication group %s" % ID) for a in result["actions"])
    assert aws["ec"].describe_replication_groups()["ReplicationGroups"] == []
    assert aws["secrets"].list_secrets()["SecretList"] == []


def test_drift_on_the_group_is_repaired(aws, capsys):
    run(capsys, module_under_test, args(aws))
    aws["ec"].modify_replication_group(ReplicationGroupId=ID, SnapshotRetentionLimit=1, ApplyImmediately=True)
    arn = group(aws)["ARN"]
    aws["ec"].add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "Owner", "Value": "ops"}])
    check = run(capsys, module_under_test, args(aws), check_mode=True)[0]
    assert check["actions"] == ["modify replication group %s (SnapshotRetentionLimit) in the next maintenance window"
                                % ID, "untag %s" % arn]
    assert group(aws)["SnapshotRetentionLimit"] == 1
    fixed = run(capsys, module_under_test, args(aws))[0]
    assert fixed["diff"]["before"]["replication_group"][ID]["snapshot_retention_limit"] == 1
    assert group(aws)["SnapshotRetentionLimit"] == 5
    assert run(capsys, module_under_test, args(aws))[0]["changed"] is False


def test_member_settings_are_compared_when_aws_answers_them(aws, capsys, monkeypatch):
    run(capsys, module_under_test, args(aws))
    member = {"CacheClusterId": ID + "-001", "EngineVersion": "7.0.7", "PreferredMaintenanceWindow": "mon:01:00-mon:02:00",
              "SecurityGroups": [{"SecurityGroupId": aws["sg"], "Status": "active"}], "AutoMinorVersionUpgrade": True,
              "CacheSubnetGroupName": "t-production-cache",
              "CacheParameterGroup": {"CacheParameterGroupName": "default.redis7"}}
    monkeypatch.setattr(module_under_test.ReplicationGroupManager, "member", lambda self, found: member)
    result = run(capsys, module_under_test, args(aws), check_mode=True)[0]
    assert result["actions"] == ["modify replication group %s (PreferredMaintenanceWindow) in the next maintenance "
                                 "window" % ID]
    # A newer patch of the asked version (an automatic minor upgrade) is not a change.
    member["PreferredMaintenanceWindow"] = "sun:05:00-sun:06:00"
    assert run(capsys, module_under_test, args(aws), check_mode=True)[0]["changed"] is False
    member["EngineVersion"] = "6.2.6"
    upgrade = run(capsys, module_under_test, args(aws), check_mode=True)[0]
    assert upgrade["actions"] == ["modify replication group %s (EngineVersion) in the next maintenance window" % ID]


def test_settings_that_cannot_change_fail_naming_the_option(aws, capsys):
    run(capsys, module_under_test, args(aws))
    result = run(capsys, module_under_test, args(aws, at_rest_encryption=False))[0]
    assert result["failed"] is True
    assert result["msg"].startswith("at_rest_encryption: replication group %s has True, not False" % ID)


def test_lost_secret_gets_a_new_token_and_rotation_only_when_asked(aws, capsys):
    run(capsys, module_under_test, args(aws))
    token = secret_document(aws)["auth_token"]
    aws["secrets"].delete_secret(SecretId=SECRET, ForceDeleteWithoutRecovery=True)
    result, out = run(capsys, module_under_test, args(aws))
    assert result["actions"] == ["create secret %s" % SECRET,
                                 "set the AUTH token of %s (its secret %s did not exist)" % (ID, SECRET)]
    renewed = secret_document(aws)["auth_token"]
    assert renewed != token and renewed not in out
    rotated, out = run(capsys, module_under_test, args(aws, rotate_auth_token=True))
    assert "set the AUTH token of %s (rotation asked for)" % ID in rotated["actions"]
    assert secret_document(aws)["auth_token"] not in (renewed, token)


def test_info_returns_endpoints_and_members(aws, capsys):
    created = run(capsys, module_under_test, args(aws))[0]
    info = run(capsys, info_module, {"replication_group_id": ID, "region": REGION})[0]
    [found] = info["replication_groups"]
    assert found["primary_endpoint"] == {"address": created["primary_endpoint"], "port": 6379}
    assert sorted(m["role"] for m in found["members"]) == ["primary", "replica"]
    assert found["tags"] == {"Project": "t", "Environment": "production"}
    assert found["transit_encryption"] is True and found["auth_token_enabled"] is True
    missing = run(capsys, info_module, {"replication_group_id": "nope", "region": REGION})[0]
    assert missing["replication_groups"] == []


def test_delete_asks_for_a_final_snapshot(aws, capsys, monkeypatch):
    run(capsys, module_under_test, args(aws))
    requests = []
    real_act = module_under_test.ChangeTracker.act

    def spy(self, description, call, *a, **kw):
        requests.append((getattr(call, "__name__", ""), kw))
        return real_act(self, description, call, *a, **kw)

    monkeypatch.setattr(module_under_test.ChangeTracker, "act", spy)
    result = run(capsys, module_under_test, args(aws, state="absent", wait=False))[0]
    [(name, request)] = requests
    assert name == "delete_replication_group"
    assert request["FinalSnapshotIdentifier"].startswith("%s-final-" % ID)
    assert result["final_snapshot_identifier"] == request["FinalSnapshotIdentifier"]
    assert group(aws)["Status"] == "deleting"
    assert secret_document(aws)["auth_token"]


@pytest.mark.parametrize("overrides, message", [
    ({"node_type": "t3.micro"}, "node_type: 't3.micro' is not an ElastiCache node type"),
    ({"replicas": 0}, "replicas: automatic failover (automatic_failover) needs at least one replica"),
    ({"replicas": 6}, "replicas: 6 is out of range (0-5)"),
    ({"preferred_maintenance_window": "sun:04:00-sun:05:00"}, "snapshot_window: 03:00-05:00 overlaps"),
    ({"snapshot_retention_limit": 40}, "snapshot_retention_limit: 40 is out of range (0-35)"),
    ({"replication_group_id": "x" * 41}, "replication_group_id: " + "x" * 41 + " has 41 characters"),
])
def test_bad_input_fails_before_any_call(aws, capsys, overrides, message):
    result = run(capsys, module_under_test, args(aws, **overrides))[0]
    assert result["failed"] is True
    assert message in result["msg"], result["msg"]
    assert aws["ec"].describe_cache_subnet_groups()["CacheSubnetGroups"] == []
