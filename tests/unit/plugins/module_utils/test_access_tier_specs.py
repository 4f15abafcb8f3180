"""Input checks of the security group, IAM, storage and secrets tiers (no API call), and the
semantic policy comparison their modules use."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from ansible_collections.webstack.aws.plugins.filter.security_groups_input_errors import FilterModule as SgFilters
from ansible_collections.webstack.aws.plugins.module_utils.iam_spec import iam_input_errors
from ansible_collections.webstack.aws.plugins.module_utils.iam_spec import policy_document_errors
from ansible_collections.webstack.aws.plugins.module_utils.policy_document import load_policy
from ansible_collections.webstack.aws.plugins.module_utils.policy_document import policies_equal
from ansible_collections.webstack.aws.plugins.module_utils.secrets_spec import secrets_input_errors
from ansible_collections.webstack.aws.plugins.module_utils.security_groups_spec import rule_errors
from ansible_collections.webstack.aws.plugins.module_utils.security_groups_spec import security_groups_input_errors
from ansible_collections.webstack.aws.plugins.module_utils.storage_spec import bucket_name_errors
from ansible_collections.webstack.aws.plugins.module_utils.storage_spec import lifecycle_rule_errors
from ansible_collections.webstack.aws.plugins.module_utils.storage_spec import storage_input_errors

SG = {
    "security_groups_project": "innobic", "security_groups_environment": "production",
    "security_groups_app": "laravel", "security_groups_state": "present",
    "security_groups_vpc_id": "vpc-0123456789abcdef0", "security_groups_alb_ports": [80, 443],
    "security_groups_alb_cidrs": ["0.0.0.0/0"], "security_groups_web_port": 80, "security_groups_db_port": 3306,
    "security_groups_redis_port": 6379, "security_groups_ssh_cidrs": [],
}
FILES_LIFECYCLE = {"transitions": [{"days": 90, "storage_class": "STANDARD_IA"}, {"days": 365, "storage_class": "GLACIER"}],
                   "expiration_days": 2555, "noncurrent_version_expiration_days": 90}
STORAGE = {
    "storage_project": "innobic", "storage_environment": "production", "storage_app": "laravel",
    "storage_files_bucket_name": "innobic-files-production", "storage_artifacts_bucket_name": "innobic-artifacts-production",
    "storage_backups_bucket_name": "innobic-backups-production", "storage_frontend_bucket_name": "innobic-frontend-production",
    "storage_files_cors_origins": ["https://example.com"], "storage_files_lifecycle": FILES_LIFECYCLE,
    "storage_artifacts_lifecycle": {"noncurrent_version_expiration_days": 90},
    "storage_backups_lifecycle": {"transitions": [{"days": 30, "storage_class": "STANDARD_IA"},
                                                  {"days": 90, "storage_class": "GLACIER"}], "expiration_days": 365},
    "storage_instance_role_arn": "", "storage_frontend_cloudfront_distribution_arn": "",
}
IAM = {
    "iam_project": "innobic", "iam_environment": "production", "iam_app": "laravel",
    "iam_instance_role_name": "innobic-production-ec2-role", "iam_instance_profile_name": "innobic-production-ec2-profile",
    "iam_codedeploy_role_name": "innobic-production-codedeploy-role", "iam_role_path": "/",
    "iam_files_bucket_name": "innobic-files-production", "iam_artifacts_bucket_name": "", "iam_backups_bucket_name": "",
    "iam_instance_managed_policies": ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
    "iam_codedeploy_managed_policies": ["arn:aws:iam::aws:policy/service-role/AWSCodeDeployRole"],
    "iam_secrets_name_prefix": "innobic/production/", "iam_parameter_path": "/innobic/production",
    "iam_max_session_duration": 3600,
}
SECRETS = {
    "secrets_project": "innobic", "secrets_environment": "production", "secrets_app": "laravel",
    "secrets_ssm_path": "/innobic/production", "secrets_name_prefix": "innobic/production", "secrets_overwrite": False,
    "secrets_password_length": 32, "secrets_recovery_window_days": 30, "secrets_extra_settings": [],
    "secrets_setting_names": ["app-key", "db-username", "db-password", "redis-password"],
}


def with_(base, **changes):
    settings = dict(base)
    settings.update(changes)
    return settings


def test_the_guides_defaults_are_sound():
    assert security_groups_input_errors(SG) == []
    assert security_groups_input_errors(with_(SG, security_groups_app="fastapi", security_groups_web_port=8001)) == []
    assert storage_input_errors(STORAGE) == []
    assert storage_input_errors(with_(STORAGE, storage_app="fastapi")) == []
    assert iam_input_errors(IAM) == []
    assert secrets_input_errors(SECRETS) == []


@pytest.mark.parametrize("cidrs, fragment", [
    (["0.0.0.0/0"], "security_groups_ssh_cidrs[0]: 0.0.0.0/0 would open the port to the whole internet"),
    (["203.0.113.0/24", "::/0"], "security_groups_ssh_cidrs[1]: ::/0 would open the port to the whole internet"),
    (["0.0.0.0/1"], "security_groups_ssh_cidrs[0]: 0.0.0.0/1 is wider than /8"),
    (["2000::/3"], "is wider than /16"),
    (["10.0.0.0"], "security_groups_ssh_cidrs[0]: '10.0.0.0' is not a CIDR block"),
    (["10.0.0.1/24"], "security_groups_ssh_cidrs[0]: '10.0.0.1/24' is not a valid CIDR block"),
    ("10.0.0.0/8", "security_groups_ssh_cidrs: must be a list"),
])
def test_ssh_from_the_world_or_malformed_is_refused(cidrs, fragment):
    errors = security_groups_input_errors(with_(SG, security_groups_ssh_cidrs=cidrs))
    assert len(errors) == 1 and fragment in errors[0], errors


def test_named_networks_may_reach_ssh():
    assert security_groups_input_errors(with_(SG, security_groups_ssh_cidrs=["203.0.113.0/24", "2001:db8::/48"])) == []


@pytest.mark.parametrize("changes, prefix", [
    ({"security_groups_app": "django"}, "security_groups_app: 'django' must be one of laravel, fastapi"),
    ({"security_groups_vpc_id": "vpc-xyz"}, "security_groups_vpc_id:"),
    ({"security_groups_web_port": 70000}, "security_groups_web_port:"),
    ({"security_groups_alb_ports": []}, "security_groups_alb_ports:"),
    ({"security_groups_alb_cidrs": ["0.0.0.0/33"]}, "security_groups_alb_cidrs[0]:"),
    ({"security_groups_project": "Innobic"}, "security_groups_project:"),
])
def test_security_group_inputs_name_the_variable(changes, prefix):
    errors = security_groups_input_errors(with_(SG, **changes))
    assert errors and errors[0].startswith(prefix), errors


def test_empty_vpc_is_left_to_the_role_so_tiers_can_be_checked_up_front():
    assert security_groups_input_errors(with_(SG, security_groups_vpc_id="")) == []


def test_filter_plugin_exposes_the_check():
    check = SgFilters().filters()["security_groups_input_errors"]
    assert check(with_(SG, security_groups_ssh_cidrs=["0.0.0.0/0"]))[0].startswith("security_groups_ssh_cidrs[0]")


def test_module_rule_checks():
    assert rule_errors("r", {"proto": "tcp", "ports": ["80", "8000-8010"], "cidr_ip": ["10.0.0.0/8"]}) == []
    assert rule_errors("r", {"proto": "icmp", "from_port": 8, "to_port": -1, "cidr_ip": ["10.0.0.0/8"]}) == []
    assert "r.ports[0]" in rule_errors("r", {"proto": "tcp", "ports": ["90-80"], "cidr_ip": ["10.0.0.0/8"]})[0]
    assert "r.proto" in rule_errors("r", {"proto": "sctp-ish", "cidr_ip": ["10.0.0.0/8"]})[0]
    assert "not an IPv6 block" in rule_errors("r", {"proto": "all", "cidr_ipv6": ["10.0.0.0/8"]})[0]


@pytest.mark.parametrize("name, fragment", [
    ("innobic-files-production", None),
    ("my.bucket.example", None),
    ("ab", "must be 3-63 characters long"),
    ("a" * 64, "must be 3-63 characters long"),
    ("Innobic-files", "lowercase letters"),
    ("innobic_files", "lowercase letters"),
    ("innobic-", "start and end with a letter or digit"),
    ("innobic..files", "two adjacent dots"),
    ("innobic.-files", "a dot next to a hyphen"),
    ("10.0.0.1", "must not look like an IP address"),
    ("xn--innobic", "must not start with xn--"),
    ("innobic-s3alias", "suffix S3 reserves"),
    ("", "must not be empty"),
])
def test_bucket_names(name, fragment):
    errors = bucket_name_errors("storage_files_bucket_name", name)
    if fragment is None:
        assert errors == []
    else:
        assert len(errors) == 1 and errors[0].startswith("storage_files_bucket_name:") and fragment in errors[0], errors


def test_storage_inputs_name_the_variable():
    errors = storage_input_errors(with_(STORAGE, storage_backups_bucket_name="Backups"))
    assert [e.split(":")[0] for e in errors] == ["storage_backups_bucket_name"]
    errors = storage_input_errors(with_(STORAGE, storage_artifacts_bucket_name="innobic-files-production"))
    assert errors == ["storage_artifacts_bucket_name: innobic-files-production is also storage_files_bucket_name"]
    # The frontend bucket is only checked (and made) for the FastAPI profile.
    assert storage_input_errors(with_(STORAGE, storage_frontend_bucket_name="X")) == []
    assert storage_input_errors(with_(STORAGE, storage_app="fastapi", storage_frontend_bucket_name="X"))[0].startswith(
        "storage_frontend_bucket_name:")
    assert storage_input_errors(with_(STORAGE, storage_files_cors_origins=["example.com"]))[0].startswith(
        "storage_files_cors_origins[0]:")
    assert storage_input_errors(with_(STORAGE, storage_frontend_cloudfront_distribution_arn="EDFDVBD6EXAMPLE"))[0].startswith(
        "storage_frontend_cloudfront_distribution_arn:")
    assert storage_input_errors(with_(STORAGE, storage_instance_role_arn="innobic-ec2-role"))[0].startswith(
        "storage_instance_role_arn:")
    assert storage_input_errors(with_(STORAGE, storage_app="rails"))[0].startswith("storage_app:")


def test_lifecycle_rules():
    assert lifecycle_rule_errors("x", FILES_LIFECYCLE) == []
    errors = lifecycle_rule_errors("x", {"transitions": [{"days": 365, "storage_class": "GLACIER"},
                                                         {"days": 90, "storage_class": "STANDARD_IA"}]})
    assert errors == ["x.transitions[1].days: 90 must come after the previous transition (365 days)"]
    assert lifecycle_rule_errors("x", {"transitions": [{"days": 10, "storage_class": "ONEZONE_IA"}]})[0].startswith(
        "x.transitions[0].days: ONEZONE_IA needs at least 30 days")
    assert lifecycle_rule_errors("x", {"transitions": [{"days": 100, "storage_class": "COLD"}]})[0].startswith(
        "x.transitions[0].storage_class:")
    assert lifecycle_rule_errors("x", {"noncurrent_version_expiration_days": 0})[0].startswith(
        "x.noncurrent_version_expiration_days:")


@pytest.mark.parametrize("changes, prefix", [
    ({"iam_instance_role_name": "bad name"}, "iam_instance_role_name:"),
    ({"iam_instance_profile_name": ""}, "iam_instance_profile_name:"),
    ({"iam_role_path": "service-role"}, "iam_role_path:"),
    ({"iam_files_bucket_name": "Files"}, "iam_files_bucket_name:"),
    ({"iam_instance_managed_policies": ["AmazonSSMManagedInstanceCore"]}, "iam_instance_managed_policies[0]:"),
    ({"iam_secrets_name_prefix": "bad prefix"}, "iam_secrets_name_prefix:"),
    ({"iam_parameter_path": "innobic/production"}, "iam_parameter_path:"),
    ({"iam_max_session_duration": 100}, "iam_max_session_duration:"),
])
def test_iam_inputs_name_the_variable(changes, prefix):
    errors = iam_input_errors(with_(IAM, **changes))
    assert len(errors) == 1 and errors[0].startswith(prefix), errors


def test_policy_documents():
    assert policy_document_errors("p", {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*"}}) == []
    assert policy_document_errors("p", "{not json")[0].startswith("p: not valid JSON")
    assert policy_document_errors("p", {"Statement": []}) == ["p: needs at least one Statement"]


@pytest.mark.parametrize("changes, prefix", [
    ({"secrets_ssm_path": "innobic/production"}, "secrets_ssm_path:"),
    ({"secrets_ssm_path": "/innobic/production/"}, "secrets_ssm_path:"),
    ({"secrets_ssm_path": "/aws/innobic"}, "secrets_ssm_path: '/aws/innobic' must not start with /aws"),
    ({"secrets_name_prefix": "innobic production"}, "secrets_name_prefix:"),
    ({"secrets_overwrite": "yes"}, "secrets_overwrite:"),
    ({"secrets_password_length": 8}, "secrets_password_length:"),
    ({"secrets_recovery_window_days": 3}, "secrets_recovery_window_days:"),
    ({"secrets_extra_settings": [{"name": "pusher", "generate": "none"}]}, "secrets_extra_settings[0]: no value"),
    ({"secrets_extra_settings": {"name": "x"}}, "secrets_extra_settings: must be a list"),
    ({"secrets_setting_names": ["app-key", "app-key"]}, "secrets_extra_settings: setting app-key is defined twice"),
])
def test_secrets_inputs_name_the_variable(changes, prefix):
    errors = secrets_input_errors(with_(SECRETS, **changes))
    assert len(errors) == 1 and errors[0].startswith(prefix), errors


def test_secrets_messages_never_hold_a_value():
    errors = secrets_input_errors(with_(SECRETS, secrets_extra_settings=[
        {"name": "bad name", "value": "TopSecretValue123", "generate": "none"}]))
    assert errors and not any("TopSecretValue123" in e for e in errors)


def test_policies_compare_by_meaning():
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Allow", "Action": "ses:SendEmail", "Resource": ["*"]}]}
    reordered = {"Statement": [
        {"Resource": "*", "Action": ["ses:SendEmail"], "Effect": "Allow"},
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]}],
        "Version": "2012-10-17"}
    assert policies_equal(policy, reordered)
    assert policies_equal(quote(json.dumps(policy)), json.dumps(reordered))
    changed = json.loads(json.dumps(policy))
    changed["Statement"][0]["Action"].append("s3:DeleteObject")
    assert not policies_equal(policy, changed)
    assert not policies_equal(policy, None)
    assert policies_equal(None, "")
    assert load_policy(quote(json.dumps(policy))) == policy
