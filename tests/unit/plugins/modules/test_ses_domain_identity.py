"""ses_domain_identity against moto in-process (mock_aws): a new domain verified with Easy DKIM
and a MAIL FROM domain, the DNS records it returns, a converged re-run without writes, check
mode, drift, removing the MAIL FROM domain, tags, bad input, delete.

moto lacks SetIdentityDkimEnabled, and its identities are verified at once, so re-enabling DKIM
and waiting for verification use botocore's Stubber with answers shaped like real SES's."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from botocore.stub import Stubber
from moto import mock_aws

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.webstack.aws.plugins.modules import ses_domain_identity

REGION = "ap-southeast-1"
DOMAIN = "innobic.example"
ARN = "arn:aws:ses:%s:123456789012:identity/%s" % (REGION, DOMAIN)
TOKENS = ["tokenone", "tokentwo", "tokenthree"]


@pytest.fixture
def env(monkeypatch):
    for variable in ("AWS_ENDPOINT_URL", "AWS_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


@pytest.fixture
def aws(env):
    with mock_aws():
        yield {"ses": boto3.client("ses", region_name=REGION), "sesv2": boto3.client("sesv2", region_name=REGION)}


def run(capsys, check_mode=False, **overrides):
    args = {"domain": DOMAIN, "region": REGION, "mail_from_domain": "mail." + DOMAIN,
            "tags": {"Project": "innobic", "Environment": "production"}}
    args.update(overrides)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            ses_domain_identity.main()
    return json.loads(capsys.readouterr().out)


def test_new_domain_gets_dkim_mail_from_and_records(aws, capsys):
    first = run(capsys)
    assert first["changed"] is True
    assert first["actions"][:3] == ["verify domain innobic.example", "set up Easy DKIM for innobic.example",
                                    "set MAIL FROM of innobic.example to mail.innobic.example (UseDefaultValue)"]
    assert len(first["dkim_tokens"]) == 3
    assert first["dkim_records"] == [{"name": "%s._domainkey.%s" % (t, DOMAIN), "type": "CNAME",
                                      "value": "%s.dkim.amazonses.com" % t, "ttl": 1800} for t in first["dkim_tokens"]]
    assert first["mail_from_records"] == [
        {"name": "mail." + DOMAIN, "type": "MX", "value": "10 feedback-smtp.%s.amazonses.com" % REGION, "ttl": 1800},
        {"name": "mail." + DOMAIN, "type": "TXT", "value": '"v=spf1 include:amazonses.com ~all"', "ttl": 1800}]
    assert first["identity_arn"] == ARN
    attributes = aws["ses"].get_identity_mail_from_domain_attributes(Identities=[DOMAIN])["MailFromDomainAttributes"]
    assert attributes[DOMAIN]["MailFromDomain"] == "mail." + DOMAIN
    tags = aws["sesv2"].list_tags_for_resource(ResourceArn=ARN)["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {"Project": "innobic", "Environment": "production"}

    second = run(capsys)
    assert second["changed"] is False, second["actions"]
    assert second["dkim_records"] == first["dkim_records"]
    assert second["mail_from_status"] == "Success"


def test_check_mode_on_empty_account_creates_nothing(aws, capsys):
    result = run(capsys, check_mode=True)
    assert result["changed"] is True
    assert "verify domain innobic.example" in result["actions"]
    assert result["dkim_records"] == [] and result["identity_arn"] is None
    assert aws["ses"].list_identities()["Identities"] == []


def test_drifted_mail_from_is_repaired_and_can_be_removed(aws, capsys):
    run(capsys)
    aws["ses"].set_identity_mail_from_domain(Identity=DOMAIN, MailFromDomain="bounce." + DOMAIN,
                                             BehaviorOnMXFailure="RejectMessage")
    repaired = run(capsys)
    assert repaired["actions"] == ["set MAIL FROM of innobic.example to mail.innobic.example (UseDefaultValue)"]
    assert repaired["diff"]["before"]["identity"][DOMAIN]["mail_from"] == {
        "domain": "bounce." + DOMAIN, "behavior_on_mx_failure": "RejectMessage"}
    removed = run(capsys, mail_from_domain="")
    assert removed["actions"] == ["remove the custom MAIL FROM domain of innobic.example"]
    assert removed["mail_from_records"] == []
    assert run(capsys, mail_from_domain="")["changed"] is False
    # Omitting mail_from_domain leaves the setting alone.
    assert run(capsys, mail_from_domain=None)["changed"] is False


def test_foreign_tag_is_purged_only_when_asked(aws, capsys):
    run(capsys)
    aws["sesv2"].tag_resource(ResourceArn=ARN, Tags=[{"Key": "Owner", "Value": "mail-team"}])
    assert run(capsys, purge_tags=False)["changed"] is False
    result = run(capsys)
    assert result["actions"] == ["untag %s" % ARN]


@pytest.mark.parametrize("overrides, fragment", [
    ({"mail_from_domain": "mail.other.example"}, "mail_from_domain: mail.other.example must be a subdomain of innobic.example"),
    ({"domain": "Not a domain"}, "domain: 'Not a domain' is not a domain name"),
])
def test_bad_input_fails_before_any_call(aws, capsys, overrides, fragment):
    result = run(capsys, **overrides)
    assert result["failed"] is True
    assert fragment in result["msg"]
    assert aws["ses"].list_identities()["Identities"] == []


def test_absent_deletes_the_identity(aws, capsys):
    run(capsys)
    gone = run(capsys, state="absent")
    assert gone["actions"] == ["delete identity innobic.example"]
    assert aws["ses"].list_identities()["Identities"] == []
    assert run(capsys, state="absent")["changed"] is False


# --- Stubber: what moto cannot show ----------------------------------------------------------

def stub_clients(monkeypatch, services):
    """Make module.client() hand out stubbed clients; return {service: Stubber}."""
    stubs = {}
    clients = {}
    for service in services:
        client = boto3.client(service, region_name=REGION, aws_access_key_id="a", aws_secret_access_key="b")
        clients[service] = client
        stubs[service] = Stubber(client)
        stubs[service].activate()

    def fake_client(self, service, retry_decorator=None, **extra):
        return RetryingBotoClientWrapper(clients[service], retry_decorator) if retry_decorator else clients[service]

    monkeypatch.setattr(AnsibleAWSModule, "client", fake_client)
    return stubs


def caller(stubs):
    stubs["sts"].add_response("get_caller_identity", {"Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/t",
                                                      "UserId": "AIDA"})


def verification(status):
    return {"VerificationAttributes": {DOMAIN: {"VerificationStatus": status, "VerificationToken": "tok"}}}


def dkim(enabled, status="Success"):
    return {"DkimAttributes": {DOMAIN: {"DkimEnabled": enabled, "DkimVerificationStatus": status, "DkimTokens": TOKENS}}}


MAIL_FROM = {"MailFromDomainAttributes": {DOMAIN: {"MailFromDomain": "mail." + DOMAIN, "MailFromDomainStatus": "Success",
                                                   "BehaviorOnMXFailure": "UseDefaultValue"}}}


def test_disabled_dkim_signing_is_enabled_again(env, monkeypatch, capsys):
    """moto lacks SetIdentityDkimEnabled (and always reports DKIM enabled)."""
    stubs = stub_clients(monkeypatch, ["ses", "sesv2", "sts"])
    ses = stubs["ses"]
    ses.add_response("get_identity_verification_attributes", verification("Success"), {"Identities": [DOMAIN]})
    ses.add_response("get_identity_dkim_attributes", dkim(False), {"Identities": [DOMAIN]})
    ses.add_response("set_identity_dkim_enabled", {}, {"Identity": DOMAIN, "DkimEnabled": True})
    ses.add_response("get_identity_mail_from_domain_attributes", MAIL_FROM, {"Identities": [DOMAIN]})
    caller(stubs)
    result = run(capsys, tags=None)
    assert result["actions"] == ["enable DKIM signing for innobic.example"]
    assert [r["name"] for r in result["dkim_records"]] == ["%s._domainkey.%s" % (t, DOMAIN) for t in TOKENS]
    ses.assert_no_pending_responses()


def test_wait_returns_once_ses_has_verified_the_records(env, monkeypatch, capsys):
    """Real SES stays Pending until it finds the DNS records; moto verifies at once."""
    monkeypatch.setattr(ses_domain_identity.time, "sleep", lambda seconds: None)
    stubs = stub_clients(monkeypatch, ["ses", "sesv2", "sts"])
    ses = stubs["ses"]
    ses.add_response("get_identity_verification_attributes", verification("Pending"))
    ses.add_response("get_identity_dkim_attributes", dkim(True, "Pending"))
    ses.add_response("get_identity_mail_from_domain_attributes", MAIL_FROM)
    ses.add_response("get_identity_verification_attributes", verification("Pending"))
    ses.add_response("get_identity_dkim_attributes", dkim(True, "Pending"))
    ses.add_response("get_identity_verification_attributes", verification("Success"))
    ses.add_response("get_identity_dkim_attributes", dkim(True, "Success"))
    caller(stubs)
    result = run(capsys, tags=None, wait=True, wait_timeout=60)
    assert result["changed"] is False
    assert (result["verification_status"], result["dkim_status"]) == ("Success", "Success")
    ses.assert_no_pending_responses()


def test_wait_times_out_naming_the_statuses(env, monkeypatch, capsys):
    clock = iter(range(0, 10000, 30))
    monkeypatch.setattr(ses_domain_identity.time, "time", lambda: next(clock))
    monkeypatch.setattr(ses_domain_identity.time, "sleep", lambda seconds: None)
    stubs = stub_clients(monkeypatch, ["ses", "sesv2", "sts"])
    ses = stubs["ses"]
    ses.add_response("get_identity_verification_attributes", verification("Pending"))
    ses.add_response("get_identity_dkim_attributes", dkim(True, "Pending"))
    ses.add_response("get_identity_mail_from_domain_attributes", MAIL_FROM)
    for attempt in range(3):  # pylint: disable=unused-variable
        ses.add_response("get_identity_verification_attributes", verification("Pending"))
        ses.add_response("get_identity_dkim_attributes", dkim(True, "Pending"))
    caller(stubs)
    result = run(capsys, tags=None, wait=True, wait_timeout=60)
    assert result["failed"] is True
    assert "innobic.example is still not verified after 60 seconds (verification Pending, DKIM Pending)" in result["msg"]
