"""iam_role_set against moto in-process (mock_aws, AWS managed policies loaded): the EC2 role
with its instance profile and the CodeDeploy service role, a re-run without change (policy
documents compared by meaning), check mode, drift of every part, purge switches, delete, and
bad input that fails before any call."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from moto import mock_aws

from ansible_collections.webstack.aws.plugins.modules import iam_role_set

SSM_CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
CODEDEPLOY = "arn:aws:iam::aws:policy/service-role/AWSCodeDeployRole"


def trust(service):
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}


APP_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Files", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
     "Resource": "arn:aws:s3:::t-files/*"},
    {"Sid": "Mail", "Effect": "Allow", "Action": ["ses:SendEmail", "ses:SendRawEmail"], "Resource": "*"},
]}


def roles():
    return [
        {"name": "t-ec2-role", "instance_profile_name": "t-ec2-profile", "description": "app hosts",
         "assume_role_policy_document": trust("ec2.amazonaws.com"), "managed_policy_arns": [SSM_CORE],
         "inline_policies": {"t-app": APP_POLICY}},
        {"name": "t-codedeploy-role", "assume_role_policy_document": trust("codedeploy.amazonaws.com"),
         "managed_policy_arns": [CODEDEPLOY]},
    ]


@pytest.fixture(autouse=True)
def aws(monkeypatch):
    for variable in ("AWS_ENDPOINT_URL", "AWS_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    with mock_aws():
        yield boto3.client("iam", region_name="us-east-1")


def run(capsys, check_mode=False, **overrides):
    args = {"region": "us-east-1", "roles": roles(), "tags": {"Project": "t"}}
    args.update(overrides)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            iam_role_set.main()
    return json.loads(capsys.readouterr().out)


def test_creates_roles_and_profile_then_reruns_without_change(aws, capsys):
    first = run(capsys)
    assert first["changed"] is True
    arns = first["role_arns"]
    assert arns["t-ec2-role"].endswith(":role/t-ec2-role")
    assert first["instance_profile_arns"]["t-ec2-profile"].endswith(":instance-profile/t-ec2-profile")
    role = aws.get_role(RoleName="t-ec2-role")["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert role["Description"] == "app hosts"
    assert {t["Key"]: t["Value"] for t in role["Tags"]} == {"Project": "t"}
    document = aws.get_role_policy(RoleName="t-ec2-role", PolicyName="t-app")["PolicyDocument"]
    assert document["Statement"][0]["Resource"] == "arn:aws:s3:::t-files/*"
    attached = aws.list_attached_role_policies(RoleName="t-codedeploy-role")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [CODEDEPLOY]
    profile = aws.get_instance_profile(InstanceProfileName="t-ec2-profile")["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == ["t-ec2-role"]
    second = run(capsys)
    assert second["changed"] is False, second["actions"]
    assert second["role_arns"] == arns


def test_policy_written_in_another_order_is_not_rewritten(aws, capsys):
    run(capsys)
    reordered = json.loads(json.dumps(APP_POLICY))
    reordered["Statement"].reverse()
    reordered["Statement"][1]["Action"].reverse()
    reordered["Statement"][0]["Action"] = ["ses:SendRawEmail", "ses:SendEmail"]
    specs = roles()
    specs[0]["inline_policies"] = {"t-app": json.dumps(reordered)}
    assert run(capsys, roles=specs)["changed"] is False


def test_check_mode_on_empty_account_creates_nothing(aws, capsys):
    result = run(capsys, check_mode=True)
    assert result["changed"] is True
    assert "create role t-ec2-role" in result["actions"]
    assert "create instance profile t-ec2-profile" in result["actions"]
    assert result["role_arns"] == {"t-ec2-role": None, "t-codedeploy-role": None}
    assert aws.list_roles()["Roles"] == []
    assert run(capsys)["changed"] is True


def test_drift_of_every_part_is_repaired(aws, capsys):
    run(capsys)
    aws.update_assume_role_policy(RoleName="t-ec2-role", PolicyDocument=json.dumps(trust("lambda.amazonaws.com")))
    aws.put_role_policy(RoleName="t-ec2-role", PolicyName="t-app", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    aws.put_role_policy(RoleName="t-ec2-role", PolicyName="extra", PolicyDocument=json.dumps(APP_POLICY))
    aws.detach_role_policy(RoleName="t-ec2-role", PolicyArn=SSM_CORE)
    aws.attach_role_policy(RoleName="t-ec2-role", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    aws.tag_role(RoleName="t-ec2-role", Tags=[{"Key": "Project", "Value": "x"}])
    aws.remove_role_from_instance_profile(InstanceProfileName="t-ec2-profile", RoleName="t-ec2-role")
    check = run(capsys, check_mode=True)
    result = run(capsys)
    assert sorted(result["actions"]) == sorted(check["actions"]) == sorted([
        "update trust policy of role t-ec2-role",
        "update inline policy t-app of role t-ec2-role",
        "delete inline policy extra of role t-ec2-role",
        "attach %s to role t-ec2-role" % SSM_CORE,
        "detach arn:aws:iam::aws:policy/AdministratorAccess from role t-ec2-role",
        "tag role t-ec2-role",
        "add role t-ec2-role to instance profile t-ec2-profile",
    ])
    before = result["diff"]["before"]["roles"]["t-ec2-role"]
    assert before["assume_role_policy_document"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert run(capsys)["changed"] is False


def test_purge_switches_keep_foreign_policies(aws, capsys):
    run(capsys)
    aws.put_role_policy(RoleName="t-codedeploy-role", PolicyName="extra", PolicyDocument=json.dumps(APP_POLICY))
    aws.attach_role_policy(RoleName="t-codedeploy-role", PolicyArn=SSM_CORE)
    specs = roles()
    specs[1].update(purge_inline_policies=False, purge_managed_policies=False)
    assert run(capsys, roles=specs)["changed"] is False
    assert aws.list_role_policies(RoleName="t-codedeploy-role")["PolicyNames"] == ["extra"]


def test_missing_managed_policy_fails_naming_it(aws, capsys):
    specs = roles()
    specs[1]["managed_policy_arns"] = ["arn:aws:iam::aws:policy/NoSuchPolicy"]
    result = run(capsys, roles=specs)
    assert result["failed"] is True
    assert "roles (t-codedeploy-role).managed_policy_arns: policy arn:aws:iam::aws:policy/NoSuchPolicy" in result["msg"]


def test_delete_removes_roles_policies_and_profile(aws, capsys):
    run(capsys)
    gone = run(capsys, state="absent")
    assert gone["changed"] is True
    assert aws.list_roles()["Roles"] == []
    assert aws.list_instance_profiles()["InstanceProfiles"] == []
    assert run(capsys, state="absent")["changed"] is False


@pytest.mark.parametrize("change, fragment", [
    ({"name": "bad name!"}, "roles[0].name"),
    ({"path": "noslash"}, "roles[0].path"),
    ({"assume_role_policy_document": None}, "roles[0].assume_role_policy_document: required"),
    ({"inline_policies": {"p": {"Statement": [{"Action": "s3:*"}]}}}, "roles[0].inline_policies.p.Statement[0]"),
    ({"managed_policy_arns": ["AmazonSSMManagedInstanceCore"]}, "roles[0].managed_policy_arns[0]"),
    ({"max_session_duration": 60}, "roles[0].max_session_duration"),
])
def test_bad_input_fails_before_any_call(aws, capsys, change, fragment):
    specs = roles()
    specs[0].update(change)
    result = run(capsys, roles=specs)
    assert result["failed"] is True
    assert fragment in result["msg"]
    assert aws.list_roles()["Roles"] == []
