"""acm_certificate_request against moto in-process (mock_aws, ACM validation after 1 s): the
request with DNS validation, the validation CNAMEs written into the zone, the wait for ISSUED,
re-runs that find the certificate again instead of requesting another, check mode, tags, and a
failed validation (botocore Stubber: moto never fails a validation)."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from botocore.stub import Stubber
import moto.settings
from moto import mock_aws

from ansible_collections.webstack.aws.plugins.modules import acm_certificate_request

REGION = "ap-southeast-1"


@pytest.fixture(autouse=True)
def aws(monkeypatch):
    for variable in ("AWS_ENDPOINT_URL", "AWS_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setattr(moto.settings, "ACM_VALIDATION_WAIT", 1)  # read at import; the server fixture sets the env var
    with mock_aws():
        route53 = boto3.client("route53", region_name=REGION)
        zone_id = route53.create_hosted_zone(Name="example.com", CallerReference="t")["HostedZone"]["Id"].split("/")[-1]
        yield {"acm": boto3.client("acm", region_name=REGION), "route53": route53, "zone_id": zone_id}


def run(capsys, check_mode=False, **overrides):
    args = {"domain_name": "example.com", "subject_alternative_names": ["*.example.com"], "region": REGION,
            "tags": {"Name": "t-certificate", "Project": "t"}, "wait_timeout": 60}
    args.update(overrides)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            acm_certificate_request.main()
    return json.loads(capsys.readouterr().out)


def certificates(aws):
    return aws["acm"].list_certificates()["CertificateSummaryList"]


def test_requests_writes_validation_records_and_waits_for_issued(aws, capsys):
    result = run(capsys, validation_zone_id=aws["zone_id"])
    assert result["changed"] is True
    assert result["status"] == "ISSUED"
    assert result["actions"][0] == "request certificate for example.com, *.example.com"
    # example.com and *.example.com share one validation record
    assert len(result["validation_records"]) == 1
    [record] = result["validation_records"]
    sets = aws["route53"].list_resource_record_sets(HostedZoneId=aws["zone_id"])["ResourceRecordSets"]
    cnames = [s for s in sets if s["Type"] == "CNAME"]
    assert [(c["Name"], c["ResourceRecords"][0]["Value"]) for c in cnames] == [(record["name"], record["value"])]
    described = aws["acm"].describe_certificate(CertificateArn=result["certificate_arn"])["Certificate"]
    assert sorted(described["SubjectAlternativeNames"]) == ["*.example.com", "example.com"]
    assert described["Type"] == "AMAZON_ISSUED"


def test_rerun_finds_the_certificate_and_requests_no_second(aws, capsys):
    first = run(capsys, validation_zone_id=aws["zone_id"])
    second = run(capsys, validation_zone_id=aws["zone_id"])
    assert second["changed"] is False, second["actions"]
    assert second["certificate_arn"] == first["certificate_arn"]
    assert len(certificates(aws)) == 1


def test_other_names_are_another_certificate(aws, capsys):
    first = run(capsys, wait=False)
    other = run(capsys, wait=False, subject_alternative_names=["www.example.com"])
    assert other["certificate_arn"] != first["certificate_arn"]
    assert len(certificates(aws)) == 2


def test_drifted_tags_are_fixed_on_the_same_certificate(aws, capsys):
    first = run(capsys, wait=False)
    aws["acm"].add_tags_to_certificate(CertificateArn=first["certificate_arn"], Tags=[{"Key": "Project", "Value": "x"}])
    fixed = run(capsys, wait=False)
    assert fixed["certificate_arn"] == first["certificate_arn"]
    assert fixed["actions"] == ["tag certificate %s" % first["certificate_arn"]]
    assert len(certificates(aws)) == 1


def test_check_mode_requests_nothing(aws, capsys):
    result = run(capsys, check_mode=True, validation_zone_id=aws["zone_id"])
    assert result["changed"] is True
    assert result["certificate_arn"] is None
    assert certificates(aws) == []


def test_absent_deletes_the_certificate(aws, capsys):
    run(capsys, wait=False)
    gone = run(capsys, state="absent")
    assert gone["changed"] is True
    assert certificates(aws) == []


def test_bad_domain_fails_before_any_call(aws, capsys):
    result = run(capsys, domain_name="not a domain")
    assert result["failed"] is True
    assert result["msg"].startswith("domain_name:")
    assert certificates(aws) == []


def test_failed_validation_fails_the_task_naming_the_reason(monkeypatch, capsys):
    """Stubber: the local AWS always validates, so a FAILED certificate is stubbed."""
    arn = "arn:aws:acm:ap-southeast-1:123456789012:certificate/abc"
    client = boto3.client("acm", region_name=REGION)
    stubber = Stubber(client)
    stubber.add_response("list_certificates", {"CertificateSummaryList": [
        {"CertificateArn": arn, "DomainName": "example.com", "Type": "AMAZON_ISSUED"}]})
    pending = {"CertificateArn": arn, "DomainName": "example.com", "Status": "PENDING_VALIDATION",
               "SubjectAlternativeNames": ["example.com"], "Type": "AMAZON_ISSUED",
               "DomainValidationOptions": [{"DomainName": "example.com", "ValidationMethod": "DNS",
                                            "ResourceRecord": {"Name": "_a.example.com.", "Type": "CNAME",
                                                               "Value": "_b.acm-validations.aws."}}]}
    stubber.add_response("describe_certificate", {"Certificate": pending})
    stubber.add_response("list_tags_for_certificate", {"Tags": [{"Key": "Name", "Value": "other"}]})
    stubber.add_response("describe_certificate", {"Certificate": dict(pending, Status="FAILED", FailureReason="CAA_ERROR")})
    stubber.activate()
    wrapped = RetryingBotoClientWrapper(client, AWSRetry.jittered_backoff(retries=1))
    monkeypatch.setattr(acm_certificate_request.AnsibleAWSModule, "client", lambda self, *a, **k: wrapped)
    monkeypatch.setattr(acm_certificate_request.time, "sleep", lambda seconds: None)
    with patch_module_args({"domain_name": "example.com", "region": REGION}):
        with pytest.raises(SystemExit):
            acm_certificate_request.main()
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] is True
    assert "is FAILED: CAA_ERROR" in result["msg"]
    stubber.assert_no_pending_responses()


def test_validation_zone_by_name_is_created_when_asked(aws, capsys):
    result = run(capsys, domain_name="example.org", subject_alternative_names=["www.example.org"],
                 validation_zone_name="example.org", create_validation_zone=True,
                 validation_zone_tags={"Project": "t"})
    assert result["status"] == "ISSUED"
    assert result["actions"][0] == "create hosted zone example.org."
    assert len(result["name_servers"]) == 4
    zone_id = result["validation_zone_id"]
    cnames = [s for s in aws["route53"].list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
              if s["Type"] == "CNAME"]
    assert sorted(c["Name"] for c in cnames) == sorted(r["name"] for r in result["validation_records"])
    assert len(cnames) == 2  # example.org and www.example.org have their own records
    again = run(capsys, domain_name="example.org", subject_alternative_names=["www.example.org"],
                validation_zone_name="example.org", create_validation_zone=True)
    assert again["changed"] is False, again["actions"]
    assert again["validation_zone_id"] == zone_id


def test_missing_validation_zone_fails_naming_the_option(aws, capsys):
    result = run(capsys, domain_name="example.org", validation_zone_name="example.org")
    assert result["failed"] is True
    assert result["msg"].startswith("validation_zone_name: there is no public hosted zone example.org.")
    assert certificates(aws) == []
