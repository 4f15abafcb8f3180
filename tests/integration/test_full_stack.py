"""The whole stack, every tier, for every example inventory, against a private local AWS each:
the first run builds it; the second changes nothing and makes no mutating call (counted from
the local AWS's own request record) with at most 2 reads per managed resource; --check --diff
on the converged stack reports no change; the security posture holds from AWS state. For the
embedded default (seed 000 in production) the AWS CLI reads the state back and every number of
the guide is checked; a -vvv run prints no generated secret."""

from __future__ import annotations

import json
import os
import subprocess

import boto3
import pytest

from tests.integration.conftest import ROOT
from tests.integration.conftest import run_playbook
from tests.integration.conftest import start_moto_server

PLAYBOOK = "playbooks/infrastructure.yml"
INVENTORIES = [
    "inventories/local",
    "inventories/innobic/production",
    "inventories/innobic/staging",
    "inventories/innobic/development",
    "inventories/illustra/production",
    "inventories/illustra/staging",
]
AWS_CLI = os.path.join(ROOT, ".local", "awscli-venv", "bin", "aws")
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
# What a user keeps in ansible-vault for an inventory (the inventories name vault_* variables).
VAULT = {
    "inventories/illustra/production": {
        "vault_mongodb_uri": "mongodb+srv://illustra:Vault-Only-Secret-1@cluster0.example.mongodb.net/illustra_design_ecommerce"},
}


def managed_resources(run) -> int:
    """Per-resource diff entries that this collection's modules returned."""
    count = 0
    for play in run.output.get("plays", []):
        for task in play.get("tasks", []):
            for host in task["hosts"].values():
                diff = host.get("diff")
                if isinstance(diff, dict) and isinstance(diff.get("before"), dict):
                    count += sum(len(v) for v in diff["before"].values() if isinstance(v, dict))
    return count


@pytest.fixture(scope="module", params=INVENTORIES, ids=lambda p: p.split("/", 1)[1])
def stack(request, tmp_path_factory):
    inventory = request.param
    server, aws = start_moto_server(tmp_path_factory.mktemp("moto"))
    try:
        vault = ("-e", json.dumps(VAULT.get(inventory, {})))
        first = run_playbook(aws, PLAYBOOK, *vault, inventory=inventory, env=CREDENTIALS)
        aws.start_recording()
        second = run_playbook(aws, PLAYBOOK, "--diff", *vault, inventory=inventory, env=CREDENTIALS)
        second_calls = aws.calls()
        yield {"inventory": inventory, "aws": aws, "vault": vault, "first": first, "second": second, "second_calls": second_calls}
    finally:
        server.terminate()
        server.wait(timeout=10)


def region_of(inventory):
    return "us-east-1" if "illustra" in inventory else "ap-southeast-1"


def client(stack, service, region=None):
    return boto3.client(service, region_name=region or region_of(stack["inventory"]), endpoint_url=stack["aws"].url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def test_first_run_builds_every_tier(stack):
    first = stack["first"]
    assert first.rc == 0, first.raw[-6000:] + first.stderr[-3000:]
    outputs = first.result("Show the stack's outputs")["msg"]
    for key in ("vpc_id", "security_group_ids", "buckets", "alb_dns_name", "autoscaling_group", "alarm_topic",
                "codedeploy_application"):
        assert outputs.get(key), key


def test_second_run_changes_nothing_and_reads_little(stack):
    second = stack["second"]
    assert second.rc == 0, second.raw[-6000:] + second.stderr[-3000:]
    assert second.changed == 0
    calls = stack["second_calls"]
    assert [c for c in calls if c.mutating] == []
    reads = [c for c in calls if c.operation != "DescribeInstances"]  # the aws_ec2 inventory's own read
    resources = managed_resources(second)
    assert resources > 30
    assert len(reads) <= 2 * resources, (len(reads), resources, stack["aws"].summary(calls))


def test_check_diff_on_the_converged_stack_reports_no_change(stack):
    stack["aws"].start_recording()
    check = run_playbook(stack["aws"], PLAYBOOK, "--check", "--diff", *stack["vault"], inventory=stack["inventory"],
                         env=CREDENTIALS)
    assert check.rc == 0, check.raw[-4000:]
    assert check.changed == 0
    assert [c for c in stack["aws"].calls() if c.mutating] == []


def test_security_posture(stack):
    ec2 = client(stack, "ec2")
    vpc_id = stack["first"].result("Show the stack's outputs")["msg"]["vpc_id"]
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
    sg_ids = stack["first"].result("Show the stack's outputs")["msg"]["security_group_ids"]
    for group in groups:
        for rule in group["IpPermissions"]:
            open_to_world = any(r["CidrIp"] == "0.0.0.0/0" for r in rule.get("IpRanges", [])) or \
                any(r["CidrIpv6"] == "::/0" for r in rule.get("Ipv6Ranges", []))
            if open_to_world:
                assert group["GroupId"] == sg_ids["alb"], (group["GroupName"], rule)
                assert rule["FromPort"] in (80, 443) and rule["FromPort"] == rule["ToPort"], rule

    rds = client(stack, "rds")
    for instance in rds.describe_db_instances()["DBInstances"]:
        assert instance["PubliclyAccessible"] is False
        assert instance["StorageEncrypted"] is True
    for group in client(stack, "elasticache").describe_replication_groups()["ReplicationGroups"]:
        assert group["AtRestEncryptionEnabled"] and group["TransitEncryptionEnabled"]

    s3 = client(stack, "s3")
    for bucket in s3.list_buckets()["Buckets"]:
        block = s3.get_public_access_block(Bucket=bucket["Name"])["PublicAccessBlockConfiguration"]
        assert all(block.values()), (bucket["Name"], block)
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket["Name"])["Policy"])
        assert any(s["Effect"] == "Deny" and "aws:SecureTransport" in json.dumps(s.get("Condition", {}))
                   for s in policy["Statement"]), bucket["Name"]

    for template in ec2.describe_launch_templates()["LaunchTemplates"]:
        [version] = ec2.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"],
                                                          Versions=["$Default"])["LaunchTemplateVersions"]
        data = version["LaunchTemplateData"]
        assert data["MetadataOptions"]["HttpTokens"] == "required"
        assert all(m["Ebs"]["Encrypted"] for m in data["BlockDeviceMappings"])


def aws_cli(stack, *args):
    env = dict(os.environ, AWS_ENDPOINT_URL=stack["aws"].url, AWS_DEFAULT_REGION=region_of(stack["inventory"]),
               **CREDENTIALS)
    env.pop("AWS_PROFILE", None)
    result = subprocess.run([AWS_CLI, "--output", "json", *args], env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout) if result.stdout.strip() else {}


def test_the_guides_numbers_read_back_with_the_aws_cli(stack):
    """Seed 000 in production, read back with the AWS CLI."""
    if stack["inventory"] != "inventories/local":
        pytest.skip("the guide's numbers are those of the embedded default (seed 000, production)")
    vpcs = aws_cli(stack, "ec2", "describe-vpcs", "--filters", "Name=tag:Name,Values=innobic-production-vpc")["Vpcs"]
    assert [v["CidrBlock"] for v in vpcs] == ["10.0.0.0/16"]
    subnets = aws_cli(stack, "ec2", "describe-subnets", "--filters", "Name=vpc-id,Values=%s" % vpcs[0]["VpcId"])["Subnets"]
    assert sorted(s["CidrBlock"] for s in subnets) == sorted(
        ["10.0.1.0/24", "10.0.2.0/24", "10.0.10.0/24", "10.0.11.0/24", "10.0.20.0/24", "10.0.21.0/24"])

    [db] = aws_cli(stack, "rds", "describe-db-instances")["DBInstances"]
    assert (db["Engine"], db["DBInstanceClass"], db["MultiAZ"]) == ("mysql", "db.t3.medium", True)
    assert db["EngineVersion"].startswith("8.0")
    assert (db["StorageType"], db["AllocatedStorage"]) == ("gp3", 100)
    assert (db["BackupRetentionPeriod"], db["PreferredBackupWindow"], db["PreferredMaintenanceWindow"]) == (
        7, "03:00-04:00", "sun:04:00-sun:05:00")
    group_name = db["DBParameterGroups"][0]["DBParameterGroupName"]
    parameters = aws_cli(stack, "rds", "describe-db-parameters", "--db-parameter-group-name", group_name,
                         "--source", "user")["Parameters"]
    assert {p["ParameterName"]: p["ParameterValue"] for p in parameters} == {
        "max_connections": "200", "innodb_buffer_pool_size": "2684354560", "slow_query_log": "1",
        "long_query_time": "2", "general_log": "0"}

    [redis] = aws_cli(stack, "elasticache", "describe-replication-groups")["ReplicationGroups"]
    assert redis["CacheNodeType"] == "cache.t3.micro"
    assert redis["AutomaticFailover"] == "enabled" and redis["MultiAZ"] == "enabled"
    assert (redis["SnapshotRetentionLimit"], redis["SnapshotWindow"]) == (5, "03:00-05:00")

    [asg] = aws_cli(stack, "autoscaling", "describe-auto-scaling-groups")["AutoScalingGroups"]
    assert (asg["MinSize"], asg["DesiredCapacity"], asg["MaxSize"]) == (2, 2, 6)
    assert (asg["HealthCheckType"], asg["HealthCheckGracePeriod"]) == ("ELB", 300)
    actions = aws_cli(stack, "autoscaling", "describe-scheduled-actions", "--auto-scaling-group-name",
                      asg["AutoScalingGroupName"])["ScheduledUpdateGroupActions"]
    assert sorted((a["Recurrence"], a["MinSize"]) for a in actions) == [("0 20 * * 1-5", 1), ("0 8 * * 1-5", 2)]
    [template] = aws_cli(stack, "ec2", "describe-launch-template-versions", "--launch-template-id",
                         asg["LaunchTemplate"]["LaunchTemplateId"], "--versions", "$Default")["LaunchTemplateVersions"]
    assert template["LaunchTemplateData"]["InstanceType"] == "t3.medium"

    [target_group] = aws_cli(stack, "elbv2", "describe-target-groups")["TargetGroups"]
    assert (target_group["HealthCheckPath"], target_group["HealthCheckIntervalSeconds"],
            target_group["HealthCheckTimeoutSeconds"], target_group["HealthyThresholdCount"],
            target_group["UnhealthyThresholdCount"]) == ("/health", 30, 5, 2, 3)
    listeners = aws_cli(stack, "elbv2", "describe-listeners", "--load-balancer-arn",
                        target_group["LoadBalancerArns"][0])["Listeners"]
    by_port = {listener["Port"]: listener for listener in listeners}
    assert by_port[80]["DefaultActions"][0]["RedirectConfig"]["StatusCode"] == "HTTP_301"
    assert "TLS" in by_port[443]["SslPolicy"] and by_port[443]["Protocol"] == "HTTPS"

    lifecycle = aws_cli(stack, "s3api", "get-bucket-lifecycle-configuration", "--bucket", "innobic-files-production")
    transitions = sorted((t["Days"], t["StorageClass"]) for rule in lifecycle["Rules"] for t in rule.get("Transitions", []))
    assert transitions == [(90, "STANDARD_IA"), (365, "GLACIER")]
    assert [rule["Expiration"]["Days"] for rule in lifecycle["Rules"] if "Expiration" in rule] == [2555]
    assert aws_cli(stack, "s3api", "get-bucket-versioning", "--bucket", "innobic-files-production")["Status"] == "Enabled"

    alarms = {a["AlarmName"]: a for a in aws_cli(stack, "cloudwatch", "describe-alarms")["MetricAlarms"]}
    thresholds = {(a.get("MetricName"), a["Threshold"]) for a in alarms.values()}
    assert ("CPUUtilization", 80.0) in thresholds
    assert ("DatabaseConnections", 180.0) in thresholds
    assert ("TargetResponseTime", 3.0) in thresholds


def test_no_secret_in_a_verbose_run(stack):
    if stack["inventory"] != "inventories/local":
        pytest.skip("one verbose run is enough")
    verbose = run_playbook(stack["aws"], PLAYBOOK, "-vvv", inventory=stack["inventory"], env=CREDENTIALS)
    assert verbose.rc == 0
    text = verbose.raw + verbose.stderr
    secretsmanager = client(stack, "secretsmanager")
    values = []
    for secret in secretsmanager.list_secrets()["SecretList"]:
        document = json.loads(secretsmanager.get_secret_value(SecretId=secret["ARN"])["SecretString"])
        values += [str(v) for k, v in document.items() if k in ("password", "auth_token", "key", "secret")]
    ssm = client(stack, "ssm")
    for parameter in ssm.describe_parameters()["Parameters"]:
        if parameter["Type"] == "SecureString":
            values.append(ssm.get_parameter(Name=parameter["Name"], WithDecryption=True)["Parameter"]["Value"])
    # The generated ones (passwords, tokens, keys) are long; user names such as "admin" are not secret.
    generated = {value for value in values if len(value) >= 16}
    assert len(generated) >= 3  # the app key, the database password, the Redis AUTH token
    for value in generated:
        assert value not in text
