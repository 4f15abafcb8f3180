"""The security group, IAM, storage and secrets tiers against a private local AWS (own_aws):
check mode on an empty account writes nothing; the first run (-vvv) builds the guides' numbers,
read back with boto3, and prints none of the generated secret values; the second run has
changed=0, zero mutating calls and at most two read calls per managed resource (counted from
the local AWS's own request record); check mode on the converged state reports no change; the
security posture holds in AWS state; the FastAPI profile (seed 003) differs where the guide
does; bad input fails before any API call, naming the variable."""

from __future__ import annotations

import ipaddress
import json
import time

import boto3
import pytest

from tests.integration.conftest import run_playbook

PLAYBOOK = "tests/integration/playbooks/access_tiers.yml"
REGION = "ap-southeast-1"
OUTPUTS = "Show the tiers' outputs"
DISTRIBUTION = "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"
WORLD = {"0.0.0.0/0", "::/0"}


def client(aws, service):
    return boto3.client(service, region_name=REGION, endpoint_url=aws.url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def timed(aws, *args, env=None):
    """Run the playbook, recording the API calls it makes."""
    aws.start_recording()
    start = time.monotonic()
    run = run_playbook(aws, PLAYBOOK, *args, env=env)
    run.seconds = time.monotonic() - start
    run.calls = aws.calls()
    return run


def play_calls(run):
    """The calls of the play itself: the aws_ec2 inventory reads instances before it starts."""
    return [c for c in run.calls if c.operation != "DescribeInstances"]


def stored_values(aws, project, environment="production"):
    """Every value the secrets tier stored, read back with boto3."""
    ssm, sm = client(aws, "ssm"), client(aws, "secretsmanager")
    values = {}
    pages = ssm.get_paginator("get_parameters_by_path").paginate(Path="/%s/%s" % (project, environment),
                                                                 WithDecryption=True)
    for page in pages:
        values.update({p["Name"]: p["Value"] for p in page["Parameters"]})
    for secret in sm.list_secrets(Filters=[{"Key": "name", "Values": ["%s/%s/" % (project, environment)]}])["SecretList"]:
        for key, value in json.loads(sm.get_secret_value(SecretId=secret["ARN"])["SecretString"]).items():
            values["%s:%s" % (secret["Name"], key)] = value
    return values


def ingress(group):
    """{(proto, from, to, source)} of a described group; source is a CIDR or a group id."""
    rules = set()
    for perm in group["IpPermissions"]:
        key = (perm["IpProtocol"], perm.get("FromPort"), perm.get("ToPort"))
        rules |= {key + (r["CidrIp"],) for r in perm.get("IpRanges", [])}
        rules |= {key + (r["CidrIpv6"],) for r in perm.get("Ipv6Ranges", [])}
        rules |= {key + (r["GroupId"],) for r in perm.get("UserIdGroupPairs", [])}
    return rules


def groups_by_name(aws, vpc_id):
    found = client(aws, "ec2").describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
    return {g["GroupName"]: g for g in found}


def bucket_policy(s3, name):
    return json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])


@pytest.fixture(scope="module")
def laravel(own_aws):
    """Seed 000 in an empty account: check mode first, then the first run with -vvv."""
    vpc_id = client(own_aws, "ec2").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    extra = ["-e", json.dumps({"network_vpc_id": vpc_id, "webstack_project": "innobic", "webstack_app": "laravel",
                               "webstack_domain": "procurement.example.com",
                               "secrets_ses_smtp_username": "AKIAEXAMPLESMTPUSER",
                               "secrets_ses_smtp_password": "SesSmtpPasswordGivenByTheUser0"})]
    check = timed(own_aws, "--check", "--diff", *extra)
    first = timed(own_aws, "-vvv", "--diff", *extra, env={"ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.default"})
    return {"vpc_id": vpc_id, "extra": extra, "check": check, "first": first}


@pytest.fixture(scope="module")
def laravel_second(own_aws, laravel):
    return timed(own_aws, "--diff", *laravel["extra"])


def test_check_mode_on_empty_account_writes_nothing(laravel):
    check = laravel["check"]
    assert check.rc == 0, check.raw + check.stderr
    assert check.changed == 4
    actions = check.result("Converge the buckets and their configurations")["actions"]
    assert "create bucket innobic-files-production" in actions
    assert [c for c in check.calls if c.mutating] == [], "check mode wrote to AWS"


def test_first_run_builds_the_guides_security_groups(laravel, own_aws):
    first = laravel["first"]
    assert first.rc == 0, first.raw[-3000:] + first.stderr
    found = groups_by_name(own_aws, laravel["vpc_id"])
    ids = {role: found["innobic-production-%s" % role]["GroupId"] for role in ("alb", "web", "db", "redis")}
    assert ingress(found["innobic-production-alb"]) == {("tcp", 80, 80, "0.0.0.0/0"), ("tcp", 443, 443, "0.0.0.0/0")}
    assert ingress(found["innobic-production-web"]) == {("tcp", 80, 80, ids["alb"])}
    assert ingress(found["innobic-production-db"]) == {("tcp", 3306, 3306, ids["web"])}
    assert ingress(found["innobic-production-redis"]) == {("tcp", 6379, 6379, ids["web"])}
    for role in ids:
        group = found["innobic-production-%s" % role]
        [egress] = group["IpPermissionsEgress"]
        assert (egress["IpProtocol"], egress["IpRanges"][0]["CidrIp"]) == ("-1", "0.0.0.0/0")
        assert {t["Key"]: t["Value"] for t in group["Tags"]} == {
            "Project": "innobic", "Environment": "production", "Name": "innobic-production-%s" % role}


def test_first_run_builds_the_guides_iam_roles(laravel, own_aws):
    assert laravel["first"].rc == 0
    iam = client(own_aws, "iam")
    role = iam.get_role(RoleName="innobic-production-ec2-role")["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    attached = {p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"]}
    assert attached == {"arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
                        "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"}
    policy = iam.get_role_policy(RoleName=role["RoleName"], PolicyName="innobic-production-ec2-role-app")["PolicyDocument"]
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["FilesBucketObjects"]["Action"] == ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    assert statements["FilesBucketObjects"]["Resource"] == "arn:aws:s3:::innobic-files-production/*"
    assert statements["SendEmail"]["Action"] == ["ses:SendEmail", "ses:SendRawEmail"]
    assert statements["ApplicationSecrets"]["Resource"] == "arn:aws:secretsmanager:*:*:secret:innobic/production/*"
    assert "arn:aws:ssm:ap-southeast-1:*:parameter/innobic/production/*" in statements["ApplicationParameters"]["Resource"]
    profile = iam.get_instance_profile(InstanceProfileName="innobic-production-ec2-profile")["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == ["innobic-production-ec2-role"]
    codedeploy = iam.get_role(RoleName="innobic-production-codedeploy-role")["Role"]
    assert codedeploy["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "codedeploy.amazonaws.com"}
    attached = iam.list_attached_role_policies(RoleName="innobic-production-codedeploy-role")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == ["arn:aws:iam::aws:policy/service-role/AWSCodeDeployRole"]


def test_first_run_builds_the_guides_buckets(laravel, own_aws):
    assert laravel["first"].rc == 0
    s3 = client(own_aws, "s3")
    files = "innobic-files-production"
    assert {b["Name"] for b in s3.list_buckets()["Buckets"]} == {
        files, "innobic-artifacts-production", "innobic-backups-production"}
    assert s3.get_bucket_versioning(Bucket=files)["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket=files)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    [lifecycle] = s3.get_bucket_lifecycle_configuration(Bucket=files)["Rules"]
    assert [(t["Days"], t["StorageClass"]) for t in lifecycle["Transitions"]] == [(90, "STANDARD_IA"), (365, "GLACIER")]
    assert lifecycle["Expiration"] == {"Days": 2555}
    assert lifecycle["NoncurrentVersionExpiration"] == {"NoncurrentDays": 90}
    [cors] = s3.get_bucket_cors(Bucket=files)["CORSRules"]
    assert cors["AllowedOrigins"] == ["https://procurement.example.com"]
    assert sorted(cors["AllowedMethods"]) == ["DELETE", "GET", "POST", "PUT"]
    assert (cors["AllowedHeaders"], cors["MaxAgeSeconds"]) == (["*"], 3600)
    statements = {s["Sid"]: s for s in bucket_policy(s3, files)["Statement"]}
    assert statements["AppInstancesObjects"]["Principal"] == {"AWS": "arn:aws:iam::123456789012:role/innobic-production-ec2-role"}
    [backups] = s3.get_bucket_lifecycle_configuration(Bucket="innobic-backups-production")["Rules"]
    assert [(t["Days"], t["StorageClass"]) for t in backups["Transitions"]] == [(30, "STANDARD_IA"), (90, "GLACIER")]
    assert backups["Expiration"] == {"Days": 365}


def test_first_run_stores_the_settings_and_prints_no_secret_value(laravel, own_aws):
    first = laravel["first"]
    assert first.rc == 0
    values = stored_values(own_aws, "innobic")
    assert set(values) == {
        "/innobic/production/app-key", "/innobic/production/db-username", "/innobic/production/db-password",
        "/innobic/production/redis-password", "/innobic/production/ses-username", "/innobic/production/ses-password",
        "innobic/production/app-key:key", "innobic/production/database:username",
        "innobic/production/database:password", "innobic/production/redis:auth_token",
        "innobic/production/mail:username", "innobic/production/mail:password"}
    assert values["/innobic/production/app-key"].startswith("base64:")
    assert values["innobic/production/database:password"] == values["/innobic/production/db-password"]
    assert values["/innobic/production/ses-password"] == "SesSmtpPasswordGivenByTheUser0"
    # Everything a user would see of the -vvv runs (and of the check run): no value at all.
    assert "<secret (changed)>" in first.raw
    output = first.raw + first.stderr + laravel["check"].raw + laravel["check"].stderr
    secret_values = {v for k, v in values.items() if "username" not in k}
    assert len(secret_values) == 4  # app key, database and Redis passwords, SES password
    leaked = [k for k, v in values.items() if v in secret_values and v in output]
    assert leaked == [], "secret values printed: %s" % leaked


def test_second_run_changes_nothing_with_few_reads(laravel, laravel_second, own_aws):
    second = laravel_second
    assert second.rc == 0, second.raw[-3000:] + second.stderr
    assert second.changed == 0
    assert [c for c in second.calls if c.mutating] == []
    reads = own_aws.summary(play_calls(second))
    by_service = {}
    for key, count in reads.items():
        service = key.split(":", 1)[0]
        by_service[service] = by_service.get(service, 0) + count
    # Managed resources: 4 groups; 2 roles, 1 instance profile, 2 inline policies, 3 attached
    # policies; 3 buckets with 7 configurations each and CORS on the files bucket; 6
    # parameters; 4 secrets.
    resources = {"ec2": 4, "iam": 8, "s3": 3 + 3 * 7 + 1, "ssm": 6, "secretsmanager": 4}
    for service, count in resources.items():
        assert 0 < by_service.get(service, 0) <= 2 * count, (service, reads)
    assert sum(by_service.values()) <= 2 * sum(resources.values())
    outputs = second.result(OUTPUTS)["msg"]
    groups = groups_by_name(own_aws, laravel["vpc_id"])
    assert outputs["security_groups_ids"] == {r: groups["innobic-production-%s" % r]["GroupId"]
                                              for r in ("alb", "web", "db", "redis")}
    assert outputs["iam_instance_profile_name"] == "innobic-production-ec2-profile"
    assert outputs["iam_instance_role_arn"] == "arn:aws:iam::123456789012:role/innobic-production-ec2-role"
    assert outputs["iam_codedeploy_role_arn"] == "arn:aws:iam::123456789012:role/innobic-production-codedeploy-role"
    assert outputs["storage_bucket_names"] == {"files": "innobic-files-production",
                                               "artifacts": "innobic-artifacts-production",
                                               "backups": "innobic-backups-production"}
    assert outputs["secrets_names"]["db-password"] == "/innobic/production/db-password"
    assert outputs["secrets_secret_names"]["database"] == "innobic/production/database"
    print("no-op re-run: %.1f s, %d play calls: %s" % (second.seconds, len(play_calls(second)), dict(reads)))


def test_check_mode_on_converged_state_reports_no_change(laravel, laravel_second, own_aws):
    check = timed(own_aws, "--check", "--diff", *laravel["extra"])
    assert check.rc == 0
    assert check.changed == 0
    assert [c for c in check.calls if c.mutating] == []


def test_security_posture_from_aws_state(laravel, laravel_second, own_aws):
    for group in groups_by_name(own_aws, laravel["vpc_id"]).values():
        for proto, from_port, to_port, source in ingress(group):
            if source in WORLD:
                assert group["GroupName"].endswith("-alb") and (proto, from_port, to_port) in {
                    ("tcp", 80, 80), ("tcp", 443, 443)}, (group["GroupName"], proto, from_port, source)
    s3 = client(own_aws, "s3")
    for bucket in s3.list_buckets()["Buckets"]:
        name = bucket["Name"]
        assert all(s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"].values()), name
        deny = [s for s in bucket_policy(s3, name)["Statement"] if s["Effect"] == "Deny"]
        assert [s["Condition"] for s in deny] == [{"Bool": {"aws:SecureTransport": "false"}}], name
        assert set(deny[0]["Resource"]) == {"arn:aws:s3:::%s" % name, "arn:aws:s3:::%s/*" % name}


def test_ssh_opened_by_hand_is_revoked(laravel, laravel_second, own_aws):
    ec2 = client(own_aws, "ec2")
    web = groups_by_name(own_aws, laravel["vpc_id"])["innobic-production-web"]
    ec2.authorize_security_group_ingress(GroupId=web["GroupId"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    run = timed(own_aws, "--diff", "--tags", "security_groups", *laravel["extra"])
    assert run.rc == 0
    assert run.changed == 1
    assert [c.operation for c in run.calls if c.mutating] == ["RevokeSecurityGroupIngress"]
    web = groups_by_name(own_aws, laravel["vpc_id"])["innobic-production-web"]
    assert not any(source in WORLD for *_rule, source in ingress(web))


def test_fastapi_profile_follows_seed_003(own_aws):
    vpc_id = client(own_aws, "ec2").create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    extra = ["-e", json.dumps({"network_vpc_id": vpc_id, "webstack_project": "illustra", "webstack_app": "fastapi",
                               "storage_frontend_cloudfront_distribution_arn": DISTRIBUTION})]
    first = timed(own_aws, *extra)
    assert first.rc == 0, first.raw[-3000:] + first.stderr
    found = groups_by_name(own_aws, vpc_id)
    alb, web = found["illustra-production-alb"]["GroupId"], found["illustra-production-web"]["GroupId"]
    assert ingress(found["illustra-production-web"]) == {("tcp", 8001, 8001, alb)}
    assert ingress(found["illustra-production-db"]) == {("tcp", 5432, 5432, web)}
    s3 = client(own_aws, "s3")
    frontend = "illustra-frontend-production"
    assert all(s3.get_public_access_block(Bucket=frontend)["PublicAccessBlockConfiguration"].values())
    statements = {s["Sid"]: s for s in bucket_policy(s3, frontend)["Statement"]}
    assert statements["CloudFrontOriginAccessControl"]["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert statements["CloudFrontOriginAccessControl"]["Condition"] == {"StringEquals": {"AWS:SourceArn": DISTRIBUTION}}
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_bucket_website(Bucket=frontend)
    values = stored_values(own_aws, "illustra")
    assert len(values["/illustra/production/jwt-secret"]) == 64
    assert values["/illustra/production/db-username"] == "illustra"
    assert "/illustra/production/app-key" not in values
    second = timed(own_aws, *extra)
    assert second.rc == 0
    assert second.changed == 0
    assert [c for c in second.calls if c.mutating] == []
    assert second.result(OUTPUTS)["msg"]["storage_bucket_names"]["frontend"] == frontend


@pytest.mark.parametrize("extra_vars, variable", [
    ({"storage_files_bucket_name": "Innobic_Files"}, "storage_files_bucket_name"),
    ({"security_groups_ssh_cidrs": ["0.0.0.0/0"]}, "security_groups_ssh_cidrs[0]: 0.0.0.0/0"),
    ({"security_groups_ssh_cidrs": ["10.0.0.0/8", "2001:db8::/32", "::/0"]}, "security_groups_ssh_cidrs[2]: ::/0"),
    ({"security_groups_ssh_cidrs": ["203.0.113.300/24"]}, "security_groups_ssh_cidrs[0]"),
    ({"webstack_app": "django"}, "security_groups_app: 'django'"),
])
def test_bad_input_fails_before_any_api_call(own_aws, extra_vars, variable):
    extra_vars = dict(extra_vars, network_vpc_id="vpc-0123456789abcdef0")
    run = timed(own_aws, "-e", json.dumps(extra_vars))
    assert run.rc != 0
    assert variable in run.messages, run.messages
    assert play_calls(run) == [], "API calls before the input check failed"


def test_ssh_from_a_named_network_is_allowed(own_aws):
    """The module would accept 0.0.0.0/1; the role refuses anything wider than /8."""
    assert ipaddress.ip_network("0.0.0.0/1").prefixlen < 8
    run = timed(own_aws, "--check", "-e", json.dumps({"network_vpc_id": "vpc-0123456789abcdef0",
                                                      "security_groups_ssh_cidrs": ["0.0.0.0/1"]}))
    assert run.rc != 0
    assert "security_groups_ssh_cidrs[0]: 0.0.0.0/1 is wider than /8" in run.messages
