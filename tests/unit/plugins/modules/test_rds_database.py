"""rds_database against moto in-process (mock_aws): create with subnet group, parameter group and
master secret; converged re-run; check mode; drift; a key missing from the describe answer;
parameter checks against the engine's list; the secret's life (reuse, reset, rotation, never
shown); deletion with a final snapshot; bad input.

moto (5.2.5) lacks DescribeEngineDefaultParameters; the tests of the checks made against the
engine's parameter list give the module that list through botocore's Stubber.

moto refuses a backup window and a maintenance window that only touch (03:00-04:00 and
sun:04:00-sun:05:00, the guide's pair, which AWS accepts); these tests use sun:04:30-sun:05:30.
"""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from botocore.stub import Stubber
from moto import mock_aws

from ansible_collections.webstack.aws.plugins.modules import rds_database

REGION = "ap-southeast-1"
NAME = "t-production-mysql"
SECRET = "t/production/database"
REAL_ENGINE_DEFINITIONS = rds_database.ParameterGroupManager._engine_definitions
PARAMETERS = {"max_connections": 200, "innodb_buffer_pool_size": 2684354560, "slow_query_log": 1,
              "long_query_time": 2, "general_log": 0}


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
        group = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
        # Without the engine's parameter list the module still works; static-or-not unknown, it sets
        # every parameter with ApplyMethod pending-reboot (valid for any parameter on AWS).
        stub_engine_defaults(monkeypatch, None)
        yield {"rds": boto3.client("rds", region_name=REGION),
               "secrets": boto3.client("secretsmanager", region_name=REGION),
               "subnets": subnets, "sg": group, "ec2": ec2, "vpc": vpc}


def args(aws, **overrides):
    base = {
        "name": NAME, "region": REGION, "engine": "mysql", "engine_version": "8.0.35",
        "instance_class": "db.t3.medium", "allocated_storage": 100, "storage_type": "gp3", "iops": 3000,
        "storage_throughput": 125, "multi_az": True, "db_name": "innobic", "master_username": "admin",
        "backup_retention_period": 7, "preferred_backup_window": "03:00-04:00",
        "preferred_maintenance_window": "sun:04:30-sun:05:30", "deletion_protection": True,
        "vpc_security_group_ids": [aws["sg"]],
        "subnet_group": {"name": "t-production-db", "subnet_ids": aws["subnets"]},
        "parameter_group": {"name": "t-production-mysql8-0", "family": "mysql8.0", "parameters": PARAMETERS},
        "master_user_secret": {"name": SECRET},
        "tags": {"Project": "t", "Environment": "production"},
    }
    base.update(overrides)
    return base


def run(capsys, module_args, check_mode=False):
    module_args = dict(module_args)
    if check_mode:
        module_args["_ansible_check_mode"] = True
    with patch_module_args(module_args):
        with pytest.raises(SystemExit):
            rds_database.main()
    out = capsys.readouterr().out
    return json.loads(out), out


def secret_document(aws):
    return json.loads(aws["secrets"].get_secret_value(SecretId=SECRET)["SecretString"])


def instance(aws):
    return aws["rds"].describe_db_instances(DBInstanceIdentifier=NAME)["DBInstances"][0]


def test_creates_everything_then_rerun_changes_nothing(aws, capsys):
    first, out = run(capsys, args(aws))
    assert first["changed"] is True
    actions = first["actions"]
    assert actions.index("create DB subnet group t-production-db") < actions.index("create secret %s" % SECRET)
    # The secret exists before the instance, so an interrupted run never loses the password.
    assert actions.index("create secret %s" % SECRET) < [a.startswith("create DB instance") for a in actions].index(True)
    db = instance(aws)
    assert db["DBInstanceClass"] == "db.t3.medium"
    assert db["MultiAZ"] is True and db["StorageEncrypted"] is True and db["PubliclyAccessible"] is False
    assert db["StorageType"] == "gp3" and db["AllocatedStorage"] == 100
    assert db["BackupRetentionPeriod"] == 7 and db["PreferredBackupWindow"] == "03:00-04:00"
    assert db["DBSubnetGroup"]["DBSubnetGroupName"] == "t-production-db"
    assert db["DBParameterGroups"][0]["DBParameterGroupName"] == "t-production-mysql8-0"
    assert db["DeletionProtection"] is True and db["CopyTagsToSnapshot"] is True
    # gp3 under 400 GiB: no Iops/StorageThroughput are sent (RDS refuses them); the baseline is reported.
    assert first["storage"] == {"type": "gp3", "allocated": 100, "iops": 3000, "throughput": 125}
    user = aws["rds"].describe_db_parameters(DBParameterGroupName="t-production-mysql8-0", Source="user")["Parameters"]
    assert {p["ParameterName"]: p["ParameterValue"] for p in user} == {k: str(v) for k, v in PARAMETERS.items()}

    document = secret_document(aws)
    assert set(document) == {"username", "password", "host", "port", "dbname", "engine"}
    assert document["host"] == db["Endpoint"]["Address"] == first["endpoint"]
    assert document["port"] == 3306 and document["dbname"] == "innobic" and document["username"] == "admin"
    assert len(document["password"]) == 32
    assert document["password"] not in out
    assert first["secret_arn"].startswith("arn:aws:secretsmanager:")

    second, out = run(capsys, args(aws))
    assert second["changed"] is False, second["actions"]
    assert second["actions"] == []
    assert secret_document(aws) == document
    assert document["password"] not in out


def test_check_mode_on_empty_account_creates_nothing(aws, capsys):
    result = run(capsys, args(aws), check_mode=True)[0]
    assert result["changed"] is True
    assert any(a.startswith("create DB instance %s" % NAME) for a in result["actions"])
    assert aws["rds"].describe_db_instances()["DBInstances"] == []
    assert aws["rds"].describe_db_subnet_groups()["DBSubnetGroups"] == []
    assert aws["secrets"].list_secrets()["SecretList"] == []


def test_drift_is_repaired_in_the_maintenance_window_and_check_mode_only_reports_it(aws, capsys):
    run(capsys, args(aws))
    aws["rds"].modify_db_instance(DBInstanceIdentifier=NAME, BackupRetentionPeriod=1, ApplyImmediately=True)
    check = run(capsys, args(aws), check_mode=True)[0]
    assert check["actions"] == ["modify DB instance %s (BackupRetentionPeriod) in the next maintenance window" % NAME]
    assert instance(aws)["BackupRetentionPeriod"] == 1
    fixed = run(capsys, args(aws))[0]
    assert fixed["diff"]["before"]["instance"][NAME]["backup_retention_period"] == 1
    assert fixed["diff"]["after"]["instance"][NAME]["backup_retention_period"] == 7
    assert instance(aws)["BackupRetentionPeriod"] == 7
    assert run(capsys, args(aws))[0]["changed"] is False


def test_key_missing_from_describe_is_unknown_but_a_present_difference_is_drift(aws, capsys, monkeypatch):
    run(capsys, args(aws, allocated_storage=400, iops=12000, storage_throughput=500))
    real_find = rds_database.InstanceManager.find

    def without_throughput(self):
        found = real_find(self)
        found.pop("StorageThroughput", None)
        return found

    monkeypatch.setattr(rds_database.InstanceManager, "find", without_throughput)
    unknown = run(capsys, args(aws, allocated_storage=400, iops=12000, storage_throughput=500))[0]
    assert unknown["changed"] is False, unknown["actions"]
    monkeypatch.setattr(rds_database.InstanceManager, "find", real_find)
    aws["rds"].modify_db_instance(DBInstanceIdentifier=NAME, Iops=13000, ApplyImmediately=True)
    result = run(capsys, args(aws, allocated_storage=400, iops=12000, storage_throughput=500))[0]
    assert result["actions"] == ["modify DB instance %s (AllocatedStorage, Iops, StorageThroughput, StorageType) "
                                 "in the next maintenance window" % NAME]


def test_tags_and_parameter_drift(aws, capsys):
    first = run(capsys, args(aws))[0]
    arn = instance(aws)["DBInstanceArn"]
    aws["rds"].add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "Owner", "Value": "ops"}])
    aws["rds"].modify_db_parameter_group(DBParameterGroupName="t-production-mysql8-0", Parameters=[
        {"ParameterName": "max_connections", "ParameterValue": "50", "ApplyMethod": "immediate"}])
    result = run(capsys, args(aws))[0]
    assert result["actions"] == ["set max_connections in DB parameter group t-production-mysql8-0",
                                 "untag %s" % arn]
    assert result["diff"]["before"]["parameter_group"]["t-production-mysql8-0"]["parameters"]["max_connections"] == "50"
    assert run(capsys, args(aws))[0]["changed"] is False
    assert first["parameter_apply_status"] == "in-sync"


def test_parameter_group_family_cannot_change(aws, capsys):
    run(capsys, args(aws))
    other_family = {"name": "t-production-mysql8-0", "family": "mysql5.7", "parameters": {}}
    result = run(capsys, args(aws, parameter_group=other_family, engine_version="5.7.44"))[0]
    assert result["failed"] is True
    assert result["msg"].startswith("parameter_group.family: DB parameter group t-production-mysql8-0 has family mysql8.0")


def stub_engine_defaults(monkeypatch, definitions):
    """Answer DescribeEngineDefaultParameters (which moto lacks) through botocore's Stubber; with
    definitions=None the call fails as moto's server answers it (HTTP 500)."""
    def engine_definitions(self, family):
        client = boto3.client("rds", region_name=REGION)
        with Stubber(client) as stub:
            if definitions is None:
                stub.add_client_error("describe_engine_default_parameters", service_error_code="InternalFailure",
                                      http_status_code=500)
            else:
                stub.add_response("describe_engine_default_parameters",
                                  {"EngineDefaults": {"DBParameterGroupFamily": family, "Parameters": definitions}},
                                  {"DBParameterGroupFamily": family})
            self_client, self.client = self.client, client
            try:
                return real(self, family)
            finally:
                self.client = self_client
    real = REAL_ENGINE_DEFINITIONS
    monkeypatch.setattr(rds_database.ParameterGroupManager, "_engine_definitions", engine_definitions)


DEFINITIONS = [
    {"ParameterName": "max_connections", "DataType": "integer", "AllowedValues": "1-100000", "ApplyType": "dynamic",
     "IsModifiable": True},
    {"ParameterName": "innodb_buffer_pool_size", "DataType": "integer", "AllowedValues": "5242880-18446744073709551615",
     "ApplyType": "static", "IsModifiable": True},
    {"ParameterName": "slow_query_log", "DataType": "boolean", "AllowedValues": "0,1", "ApplyType": "dynamic",
     "IsModifiable": True},
    {"ParameterName": "long_query_time", "DataType": "float", "AllowedValues": "0-31536000", "ApplyType": "dynamic",
     "IsModifiable": True},
    {"ParameterName": "binlog_format", "DataType": "string", "AllowedValues": "ROW,STATEMENT,MIXED",
     "ApplyType": "dynamic", "IsModifiable": True},
    {"ParameterName": "general_log", "DataType": "boolean", "AllowedValues": "0,1", "ApplyType": "dynamic",
     "IsModifiable": True},
]


def test_engine_parameter_list_sets_apply_methods(aws, capsys, monkeypatch):
    stub_engine_defaults(monkeypatch, DEFINITIONS)
    calls = []
    real_act = rds_database.ChangeTracker.act

    def spy(self, description, call, *a, **kw):
        if getattr(call, "__name__", "") == "modify_db_parameter_group":
            calls.append(kw["Parameters"])
        return real_act(self, description, call, *a, **kw)

    monkeypatch.setattr(rds_database.ChangeTracker, "act", spy)
    run(capsys, args(aws))
    methods = {p["ParameterName"]: p["ApplyMethod"] for batch in calls for p in batch}
    assert methods == {"innodb_buffer_pool_size": "pending-reboot", "max_connections": "immediate",
                       "slow_query_log": "immediate", "long_query_time": "immediate", "general_log": "immediate"}


@pytest.mark.parametrize("parameters, message", [
    ({"max_conections": 200}, "parameter_group.parameters.max_conections: mysql8.0 has no parameter of that name"),
    ({"max_connections": 0}, "parameter_group.parameters.max_connections: 0 is out of range (1-100000)"),
    ({"binlog_format": "SOMETIMES"}, "parameter_group.parameters.binlog_format: 'SOMETIMES' must be one of ROW,STATEMENT,MIXED"),
])
def test_parameters_are_checked_against_the_engine_before_any_write(aws, capsys, monkeypatch, parameters, message):
    stub_engine_defaults(monkeypatch, DEFINITIONS)
    result = run(capsys, args(aws, parameter_group={"name": "p", "family": "mysql8.0", "parameters": parameters}))[0]
    assert result["failed"] is True
    assert message in result["msg"]
    assert aws["rds"].describe_db_instances()["DBInstances"] == []


def test_existing_secret_password_is_reused_and_never_overwritten(aws, capsys):
    aws["secrets"].create_secret(Name=SECRET, SecretString=json.dumps({"username": "admin", "password": "KeepMe12345"}))
    run(capsys, args(aws))
    document = secret_document(aws)
    assert document["password"] == "KeepMe12345"
    assert document["host"] == instance(aws)["Endpoint"]["Address"]
    run(capsys, args(aws))
    assert secret_document(aws)["password"] == "KeepMe12345"


def test_rotation_only_when_asked_and_a_lost_secret_resets_the_password(aws, capsys):
    run(capsys, args(aws))
    before = secret_document(aws)["password"]
    rotated, out = run(capsys, args(aws, rotate_master_password=True))
    after = secret_document(aws)
    assert after["password"] != before and after["password"] not in out
    assert "set the master password of %s (rotation asked for)" % NAME in rotated["actions"]
    aws["secrets"].delete_secret(SecretId=SECRET, ForceDeleteWithoutRecovery=True)
    reset, out = run(capsys, args(aws))
    assert reset["actions"] == ["create secret %s" % SECRET,
                                "set the master password of %s (its secret %s did not exist)" % (NAME, SECRET)]
    assert secret_document(aws)["host"] == instance(aws)["Endpoint"]["Address"]


def test_delete_takes_a_final_snapshot_after_protection_is_lifted(aws, capsys):
    run(capsys, args(aws))
    refused = run(capsys, args(aws, state="absent", deletion_protection=None))[0]
    assert refused["failed"] is True and refused["msg"].startswith("deletion_protection:")
    assert instance(aws)["DBInstanceStatus"] == "available"
    deleted = run(capsys, args(aws, state="absent", deletion_protection=False))[0]
    assert deleted["changed"] is True
    snapshot = deleted["final_snapshot_identifier"]
    assert snapshot.startswith("%s-final-" % NAME)
    assert aws["rds"].describe_db_snapshots(DBSnapshotIdentifier=snapshot)["DBSnapshots"]
    assert aws["rds"].describe_db_instances()["DBInstances"] == []
    assert aws["rds"].describe_db_subnet_groups()["DBSubnetGroups"] == []
    assert secret_document(aws)["password"]  # kept: the snapshot restores with these credentials
    assert run(capsys, args(aws, state="absent", deletion_protection=False))[0]["changed"] is False


@pytest.mark.parametrize("overrides, message", [
    ({"instance_class": "t3.medium"}, "instance_class: 't3.medium' is not an RDS instance class"),
    ({"instance_class": "db.t3"}, "instance_class: 'db.t3' is not an RDS instance class"),
    ({"backup_retention_period": 36}, "backup_retention_period: 36 is out of range (0-35)"),
    ({"allocated_storage": 10}, "allocated_storage: 10 is out of range (20-65536)"),
    ({"iops": 6000}, "iops: gp3 below 400 GiB"),
    ({"preferred_maintenance_window": "sun:03:30-sun:04:30"}, "preferred_backup_window: 03:00-04:00 overlaps"),
    ({"parameter_group": {"name": "p", "family": "mysql8.0", "parameters": {"max_connections": "many"}}},
     "parameter_group.parameters.max_connections: 'many' is not a whole number"),
    ({"engine_version": "16.4"}, "parameter_group.family: 16.4 belongs to parameter group family mysql16"),
])
def test_bad_input_fails_before_any_call(aws, capsys, overrides, message):
    result = run(capsys, args(aws, **overrides))[0]
    assert result["failed"] is True
    assert message in result["msg"], result["msg"]
    assert aws["rds"].describe_db_subnet_groups()["DBSubnetGroups"] == []
    assert aws["secrets"].list_secrets()["SecretList"] == []
