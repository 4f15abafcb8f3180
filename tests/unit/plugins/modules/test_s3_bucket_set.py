"""s3_bucket_set against moto in-process (mock_aws): the guide's files bucket with every
configuration, a re-run without change (policy by meaning, lifecycle and CORS field by field),
check mode, drift of each configuration, unmanaged configurations left alone, delete with and
without force, and bad input that fails before any call."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from moto import mock_aws

from ansible_collections.webstack.aws.plugins.modules import s3_bucket_set

REGION = "ap-southeast-1"
FILES = "t-files-test"
ROLE_ARN = "arn:aws:iam::123456789012:role/t-ec2-role"


def files_bucket(**changes):
    spec = {
        "name": FILES, "versioning": True, "encryption": "AES256", "public_access_block": True,
        "object_ownership": "BucketOwnerEnforced", "require_https": True,
        "policy": {"Version": "2012-10-17", "Statement": [
            {"Sid": "App", "Effect": "Allow", "Principal": {"AWS": ROLE_ARN},
             "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::%s/*" % FILES}]},
        "lifecycle_rules": [{"id": "tiering", "transitions": [{"days": 90, "storage_class": "STANDARD_IA"},
                                                              {"days": 365, "storage_class": "GLACIER"}],
                             "expiration_days": 2555, "noncurrent_version_expiration_days": 90,
                             "abort_incomplete_multipart_upload_days": 7}],
        "cors_rules": [{"allowed_origins": ["https://example.com"], "allowed_methods": ["GET", "POST", "PUT", "DELETE"],
                        "allowed_headers": ["*"], "max_age_seconds": 3600}],
    }
    spec.update(changes)
    return spec


@pytest.fixture(autouse=True)
def aws(monkeypatch):
    for variable in ("AWS_ENDPOINT_URL", "AWS_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("s3", region_name=REGION)


def run(capsys, check_mode=False, **overrides):
    args = {"region": REGION, "buckets": [files_bucket()], "tags": {"Project": "t"}}
    args.update(overrides)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            s3_bucket_set.main()
    return json.loads(capsys.readouterr().out)


def names(aws):
    return [b["Name"] for b in aws.list_buckets()["Buckets"]]


def test_creates_the_files_bucket_then_reruns_without_change(aws, capsys):
    first = run(capsys)
    assert first["changed"] is True
    assert first["buckets"] == [{"name": FILES, "arn": "arn:aws:s3:::%s" % FILES,
                                 "regional_domain_name": "%s.s3.%s.amazonaws.com" % (FILES, REGION)}]
    assert aws.get_bucket_location(Bucket=FILES)["LocationConstraint"] == REGION
    assert aws.get_bucket_versioning(Bucket=FILES)["Status"] == "Enabled"
    rule = aws.get_bucket_encryption(Bucket=FILES)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert all(aws.get_public_access_block(Bucket=FILES)["PublicAccessBlockConfiguration"].values())
    policy = json.loads(aws.get_bucket_policy(Bucket=FILES)["Policy"])
    deny = [s for s in policy["Statement"] if s["Sid"] == "DenyInsecureTransport"][0]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    [lifecycle] = aws.get_bucket_lifecycle_configuration(Bucket=FILES)["Rules"]
    assert [(t["Days"], t["StorageClass"]) for t in lifecycle["Transitions"]] == [(90, "STANDARD_IA"), (365, "GLACIER")]
    assert lifecycle["Expiration"] == {"Days": 2555}
    [cors] = aws.get_bucket_cors(Bucket=FILES)["CORSRules"]
    assert cors["AllowedOrigins"] == ["https://example.com"] and cors["MaxAgeSeconds"] == 3600
    assert aws.get_bucket_tagging(Bucket=FILES)["TagSet"] == [{"Key": "Project", "Value": "t"}]
    second = run(capsys)
    assert second["changed"] is False, second["actions"]
    assert second["actions"] == []


def test_check_mode_on_empty_account_creates_nothing(aws, capsys):
    result = run(capsys, check_mode=True)
    assert result["changed"] is True
    assert result["actions"][0] == "create bucket %s" % FILES
    assert "put lifecycle rules tiering of bucket %s" % FILES in result["actions"]
    assert names(aws) == []


def test_check_mode_on_converged_bucket_reports_no_change(aws, capsys):
    run(capsys)
    result = run(capsys, check_mode=True)
    assert result["changed"] is False


def test_drift_of_each_configuration_is_repaired(aws, capsys):
    run(capsys)
    aws.put_bucket_versioning(Bucket=FILES, VersioningConfiguration={"Status": "Suspended"})
    aws.delete_public_access_block(Bucket=FILES)
    aws.delete_bucket_policy(Bucket=FILES)
    aws.put_bucket_lifecycle_configuration(Bucket=FILES, LifecycleConfiguration={"Rules": [
        {"ID": "tiering", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 30}}]})
    aws.put_bucket_cors(Bucket=FILES, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]})
    aws.put_bucket_tagging(Bucket=FILES, Tagging={"TagSet": [{"Key": "Project", "Value": "x"}]})
    check = run(capsys, check_mode=True)
    result = run(capsys)
    expected = ["set versioning Enabled", "block public access", "put the bucket policy", "put lifecycle rules tiering",
                "put CORS rules", "tag"]
    assert result["actions"] == check["actions"] == ["%s of bucket %s" % (a, FILES) for a in expected]
    assert result["diff"]["before"]["buckets"][FILES]["cors_rules"][0]["allowed_origins"] == ["*"]
    assert run(capsys)["changed"] is False


def test_policy_in_another_order_and_unmanaged_parts_are_left_alone(aws, capsys):
    run(capsys)
    spec = files_bucket()
    spec["policy"]["Statement"][0]["Action"].reverse()
    for key in ("versioning", "encryption", "lifecycle_rules", "cors_rules", "object_ownership"):
        del spec[key]
    aws.delete_bucket_cors(Bucket=FILES)
    result = run(capsys, buckets=[spec])
    assert result.get("changed") is False, result


def test_empty_lists_remove_lifecycle_and_cors(aws, capsys):
    run(capsys)
    result = run(capsys, buckets=[files_bucket(lifecycle_rules=[], cors_rules=[])])
    assert result["actions"] == ["delete lifecycle rules of bucket %s" % FILES, "delete CORS rules of bucket %s" % FILES]
    with pytest.raises(aws.exceptions.ClientError):
        aws.get_bucket_cors(Bucket=FILES)


def test_private_bucket_for_cloudfront_origin_access_control(aws, capsys):
    distribution = "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"
    spec = {"name": "t-frontend-test", "public_access_block": True, "require_https": True, "policy": {
        "Version": "2012-10-17", "Statement": [{
            "Sid": "CloudFrontRead", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::t-frontend-test/*",
            "Condition": {"StringEquals": {"AWS:SourceArn": distribution}}}]}}
    run(capsys, buckets=[spec])
    policy = json.loads(aws.get_bucket_policy(Bucket="t-frontend-test")["Policy"])
    assert {s["Sid"] for s in policy["Statement"]} == {"CloudFrontRead", "DenyInsecureTransport"}
    assert run(capsys, buckets=[spec])["changed"] is False


def test_delete_refuses_a_bucket_with_objects_unless_forced(aws, capsys):
    # Without the HTTPS-only policy: moto applies a bucket policy's Deny to object calls
    # without evaluating its condition (aws:SecureTransport), which AWS does.
    run(capsys, buckets=[files_bucket(policy=None, require_https=False)])
    aws.put_object(Bucket=FILES, Key="a.txt", Body=b"1")
    aws.put_object(Bucket=FILES, Key="a.txt", Body=b"2")
    refused = run(capsys, state="absent")
    assert refused["failed"] is True
    assert "set force=true" in refused["msg"]
    gone = run(capsys, state="absent", force=True)
    assert gone["changed"] is True
    assert names(aws) == []
    assert run(capsys, state="absent")["changed"] is False


@pytest.mark.parametrize("name, fragment", [
    ("Upper-Case", "lowercase letters"),
    ("ab", "3-63 characters"),
    ("a..b", "two adjacent dots"),
    ("192.168.1.10", "IP address"),
    ("-leading", "start and end with a letter or digit"),
])
def test_invalid_bucket_name_fails_before_any_call(aws, capsys, name, fragment):
    result = run(capsys, buckets=[files_bucket(name=name)])
    assert result["failed"] is True
    assert result["msg"].startswith("buckets[0].name: %r" % name)
    assert fragment in result["msg"]
    assert names(aws) == []


def test_bad_lifecycle_fails_before_any_call(aws, capsys):
    rules = [{"id": "x", "transitions": [{"days": 10, "storage_class": "STANDARD_IA"}], "expiration_days": 5}]
    result = run(capsys, buckets=[files_bucket(lifecycle_rules=rules)])
    assert result["failed"] is True
    assert "buckets[0].lifecycle_rules[0].transitions[0].days: STANDARD_IA needs at least 30 days" in result["msg"]
    assert "buckets[0].lifecycle_rules[0].expiration_days: 5 must come after the last transition" in result["msg"]
    assert names(aws) == []


def test_policy_naming_a_role_iam_has_not_propagated_yet_is_retried():
    """Stubber: S3's "Invalid principal in policy" right after the role was created cannot be
    reproduced with moto (it does not check principals)."""
    from botocore.stub import Stubber

    client = boto3.client("s3", region_name=REGION)
    stubber = Stubber(client)
    stubber.add_client_error("put_bucket_policy", service_error_code="MalformedPolicy",
                             service_message="Invalid principal in policy")
    stubber.add_response("put_bucket_policy", {}, {"Bucket": FILES, "Policy": "{}"})
    with stubber:
        s3_bucket_set.put_bucket_policy(client, Bucket=FILES, Policy="{}")
    stubber.assert_no_pending_responses()
