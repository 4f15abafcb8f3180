"""The database tier against a private local AWS (own_aws): check mode on an empty account writes
nothing; the first run builds seed 000's RDS MySQL (read back with boto3); the second run changes
nothing and makes no mutating call; --check --diff on the converged tier reports no change; the
generated master password never appears in a -vvv run; bad input fails before any API call and
names the variable; seed 003's MongoDB Atlas URI lands in SSM, and its PostgreSQL alternative
converges too.

The prerequisites (a VPC with the two database subnets and the db security group) are made with
boto3 and passed as the network and security_groups tiers publish them.

moto refuses a backup window and a maintenance window that merely touch (it counts the shared
minute 04:00 as overlap; AWS accepts the guide's 03:00-04:00 with sun:04:00-sun:05:00, as the
module's own check does), so these runs move the maintenance window to sun:04:30-sun:05:30.
"""

from __future__ import annotations

import json

import boto3
import pytest

from tests.integration.conftest import run_playbook

PLAYBOOK = "tests/integration/playbooks/database.yml"
REGION = "ap-southeast-1"
IDENTIFIER = "innobic-production-mysql"
SECRET = "innobic/production/database"
TASK = "Converge the DB subnet group, parameter group, instance and master secret"
MOTO_MAINTENANCE_WINDOW = "sun:04:30-sun:05:30"


def client(aws, service):
    return boto3.client(service, region_name=REGION, endpoint_url=aws.url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(scope="module")
def prerequisites(own_aws):
    ec2 = client(own_aws, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = {az: ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
               for cidr, az in (("10.0.20.0/24", "ap-southeast-1a"), ("10.0.21.0/24", "ap-southeast-1b"))}
    group = ec2.create_security_group(GroupName="innobic-production-db", Description="db", VpcId=vpc)["GroupId"]
    return {"network_subnet_ids": {"db": subnets}, "security_groups_ids": {"db": group},
            "database_maintenance_window": MOTO_MAINTENANCE_WINDOW}


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


def test_check_mode_on_empty_account_plans_everything_and_writes_nothing(converged):
    check = converged["check"]
    assert check.rc == 0, check.raw + check.stderr
    result = check.result(TASK)
    assert result["changed"] is True
    assert "create DB subnet group innobic-production-db" in result["actions"]
    assert "create DB parameter group innobic-production-mysql8-0 (mysql8.0)" in result["actions"]
    assert any(a.startswith("create DB instance %s (mysql 8.0.35, db.t3.medium)" % IDENTIFIER)
               for a in result["actions"])
    assert [c for c in converged["check_calls"] if c.mutating] == []


def test_first_run_builds_the_guides_database(converged, own_aws, prerequisites):
    first = converged["first"]
    assert first.rc == 0, first.raw + first.stderr
    rds = client(own_aws, "rds")
    [db] = rds.describe_db_instances(DBInstanceIdentifier=IDENTIFIER)["DBInstances"]
    assert db["Engine"] == "mysql" and db["EngineVersion"] == "8.0.35"
    assert db["DBInstanceClass"] == "db.t3.medium"
    assert db["MultiAZ"] is True
    assert db["StorageType"] == "gp3" and db["AllocatedStorage"] == 100
    # gp3 under 400 GiB runs at the 3000 IOPS / 125 MiB/s baseline; no explicit value is sent
    # (RDS refuses one), so where the answer states them they must be the baseline.
    assert db.get("Iops", 3000) == 3000 and db.get("StorageThroughput", 125) == 125
    assert first.result(TASK)["storage"] == {"type": "gp3", "allocated": 100, "iops": 3000, "throughput": 125}
    assert db["BackupRetentionPeriod"] == 7
    assert db["PreferredBackupWindow"] == "03:00-04:00"
    assert db["PreferredMaintenanceWindow"] == MOTO_MAINTENANCE_WINDOW
    assert db["DBName"] == "innobic" and db["MasterUsername"] == "admin"
    assert db["DeletionProtection"] is True and db["CopyTagsToSnapshot"] is True
    assert db["DBSubnetGroup"]["DBSubnetGroupName"] == "innobic-production-db"
    assert sorted(s["SubnetIdentifier"] for s in db["DBSubnetGroup"]["Subnets"]) == \
        sorted(prerequisites["network_subnet_ids"]["db"].values())
    assert [g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]] == [prerequisites["security_groups_ids"]["db"]]
    assert db["DBParameterGroups"][0]["DBParameterGroupName"] == "innobic-production-mysql8-0"
    [group] = rds.describe_db_parameter_groups(DBParameterGroupName="innobic-production-mysql8-0")["DBParameterGroups"]
    assert group["DBParameterGroupFamily"] == "mysql8.0"
    parameters = rds.describe_db_parameters(DBParameterGroupName="innobic-production-mysql8-0", Source="user")
    assert {p["ParameterName"]: p["ParameterValue"] for p in parameters["Parameters"]} == {
        "max_connections": "200", "innodb_buffer_pool_size": "2684354560", "slow_query_log": "1",
        "long_query_time": "2", "general_log": "0"}
    tags = {t["Key"]: t["Value"] for t in db["TagList"]}
    assert tags == {"Project": "innobic", "Environment": "production"}

    secrets = client(own_aws, "secretsmanager")
    document = json.loads(secrets.get_secret_value(SecretId=SECRET)["SecretString"])
    assert set(document) == {"username", "password", "host", "port", "dbname", "engine"}
    assert document["host"] == db["Endpoint"]["Address"] and document["port"] == 3306
    assert document["dbname"] == "innobic" and document["engine"] == "mysql" and document["username"] == "admin"
    assert document["password"] not in first.raw + first.stderr

    outputs = first.result("Show the tier's outputs")["msg"]
    assert outputs["database_endpoint"] == db["Endpoint"]["Address"]
    assert int(outputs["database_port"]) == 3306
    assert outputs["database_secret_arn"] == secrets.describe_secret(SecretId=SECRET)["ARN"]
    assert outputs["database_instance_id"] == IDENTIFIER


def test_security_posture_private_and_encrypted(converged, own_aws):
    [db] = client(own_aws, "rds").describe_db_instances(DBInstanceIdentifier=IDENTIFIER)["DBInstances"]
    assert db["PubliclyAccessible"] is False
    assert db["StorageEncrypted"] is True


def test_second_run_changes_nothing_and_makes_no_mutating_call(converged, own_aws, prerequisites):
    own_aws.start_recording()
    second = play(own_aws, prerequisites, "--diff")
    calls = own_aws.calls()
    assert second.rc == 0, second.raw + second.stderr
    assert second.changed == 0
    assert [c for c in calls if c.mutating] == []
    reads = [c for c in calls if c.service in ("rds", "secretsmanager")]
    # Four resources: instance 1, subnet group 2, parameter group 3, secret 1.
    assert len(reads) == 7, own_aws.summary(reads)


def test_check_diff_on_converged_tier_reports_no_change(converged, own_aws, prerequisites):
    own_aws.start_recording()
    check = play(own_aws, prerequisites, "--check", "--diff")
    assert check.rc == 0, check.raw + check.stderr
    assert check.changed == 0
    assert [c for c in own_aws.calls() if c.mutating] == []


def test_master_password_never_appears_in_a_verbose_run(converged, own_aws, prerequisites):
    password = json.loads(client(own_aws, "secretsmanager").get_secret_value(SecretId=SECRET)["SecretString"])[
        "password"]
    run = play(own_aws, prerequisites, "-vvv", "--diff")
    assert run.rc == 0
    assert password not in run.raw + run.stderr


@pytest.mark.parametrize("extra_vars, variable", [
    ({"database_instance_class": "t3.medium"}, "database_instance_class"),
    ({"database_instance_class": "db.t3"}, "database_instance_class"),
    ({"database_backup_retention": 36}, "database_backup_retention"),
    ({"database_backup_retention": 0}, "database_backup_retention"),
    ({"database_allocated_storage": 10}, "database_allocated_storage"),
    ({"database_iops": 6000}, "database_iops"),
    ({"database_storage_type": "io1", "database_iops": None, "database_storage_throughput": None}, "database_iops"),
    ({"database_engine": "oracle"}, "database_engine"),
    ({"database_parameters": {"max_connections": "lots"}}, "database_parameters.max_connections"),
    ({"database_backup_window": "04:30-05:00"}, "database_backup_window"),
    ({"database_engine_version": "5.7.44", "database_parameter_group_family": "mysql8.0"},
     "database_parameter_group_family"),
])
def test_bad_input_fails_before_any_api_call(own_aws, prerequisites, extra_vars, variable):
    own_aws.start_recording()
    run = play(own_aws, dict(prerequisites, **extra_vars))
    assert run.rc != 0
    assert variable in run.messages, run.messages
    # The aws_ec2 inventory reads the instances before the play starts; the play makes no call.
    assert [c for c in own_aws.calls() if c.operation != "DescribeInstances"] == []


def test_fastapi_keeps_the_mongodb_uri_in_ssm_and_never_prints_it(own_aws, prerequisites):
    uri = "mongodb+srv://illustra:S3cretPassw0rdX@cluster0.example.mongodb.net/illustra_design_ecommerce"
    extra = dict(prerequisites, webstack_app="fastapi", webstack_project="illustra", database_mongodb_uri=uri)
    first = play(own_aws, extra)
    assert first.rc == 0, first.raw + first.stderr
    assert "S3cretPassw0rdX" not in first.raw + first.stderr
    parameter = client(own_aws, "ssm").get_parameter(Name="/illustra/production/mongodb-uri", WithDecryption=True)
    assert parameter["Parameter"]["Type"] == "SecureString"
    assert parameter["Parameter"]["Value"] == uri
    assert first.result("Show the tier's outputs")["msg"]["database_secret_arn"] == "/illustra/production/mongodb-uri"
    assert client(own_aws, "rds").describe_db_instances(
        Filters=[{"Name": "db-instance-id", "Values": ["illustra-production-mysql"]}])["DBInstances"] == []
    own_aws.start_recording()
    second = play(own_aws, extra)
    assert second.rc == 0 and second.changed == 0, second.raw
    assert [c for c in own_aws.calls() if c.mutating] == []
    verbose = play(own_aws, extra, "-vvv", "--diff")
    assert verbose.rc == 0
    assert "S3cretPassw0rdX" not in verbose.raw + verbose.stderr
    missing = play(own_aws, dict(extra, database_mongodb_uri="https://not-mongo"))
    assert missing.rc != 0 and "database_mongodb_uri" in missing.messages
    assert "not-mongo" not in missing.messages


def test_fastapi_postgres_alternative(own_aws, prerequisites):
    extra = dict(prerequisites, webstack_app="fastapi", webstack_project="illustra", database_engine="postgres")
    first = play(own_aws, extra)
    assert first.rc == 0, first.raw + first.stderr
    [db] = client(own_aws, "rds").describe_db_instances(DBInstanceIdentifier="illustra-production-postgres")[
        "DBInstances"]
    assert db["Engine"] == "postgres" and db["EngineVersion"].startswith("16.")
    assert db["Endpoint"]["Port"] == 5432 and db["DBName"] == "illustra_design_ecommerce"
    assert db["DBParameterGroups"][0]["DBParameterGroupName"] == "illustra-production-postgres16"
    assert db["MultiAZ"] is True and db["StorageEncrypted"] is True and db["PubliclyAccessible"] is False
    assert int(first.result("Show the tier's outputs")["msg"]["database_port"]) == 5432
    second = play(own_aws, extra)
    assert second.rc == 0 and second.changed == 0, second.raw
