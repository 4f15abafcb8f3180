"""The email tier against a private local AWS: check mode on an empty account writes nothing;
the first run verifies the domain with Easy DKIM and mail.<domain> as MAIL FROM, and builds the
guide's configuration set (reputation tracking; Bounce and Complaint to CloudWatch, Delivery to
the tier's SNS topic), read back with boto3; the second run reports changed=0 with no mutating
call (counted from the local AWS's request record); --check --diff on the converged tier reports
nothing; an empty domain skips the identity with a message; bad input fails before any API call,
naming the variable.

The local AWS is moto 5.2.5 with one documented correction (scripts/lib/local_moto.py): moto keeps only
the last event destination of a configuration set (and refuses a destination name that another
set uses), and DescribeConfigurationSet leaves out ReputationOptions. Real SES keeps every
destination of a set and answers ReputationOptions when asked (see the SES API reference of
DescribeConfigurationSet). The correction makes the local AWS answer like SES; the module is
the same code that runs against AWS. The update/delete paths moto lacks entirely are covered by
Stubber tests in tests/unit/plugins/modules/test_ses_configuration_set.py."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.integration.conftest import run_playbook

PLAYBOOK = "tests/integration/playbooks/email.yml"
REGION = "ap-southeast-1"
DOMAIN = "innobic.example"
EXTRA = json.dumps({"webstack_domain": DOMAIN})


@pytest.fixture(scope="module")
def ses_aws(own_aws):
    """The local AWS with its SES correction (scripts/lib/local_moto.py)."""
    return own_aws


def client(aws, service):
    return boto3.client(service, region_name=REGION, endpoint_url=aws.url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(scope="module")
def converged(ses_aws):
    ses_aws.start_recording()
    check = run_playbook(ses_aws, PLAYBOOK, "--check", "--diff", "-e", EXTRA)
    check_calls = ses_aws.calls()
    ses_aws.start_recording()
    first = run_playbook(ses_aws, PLAYBOOK, "-e", EXTRA)
    return {"check": check, "check_calls": check_calls, "first": first}


def test_check_mode_on_an_empty_account_writes_nothing(converged):
    check = converged["check"]
    assert check.rc == 0, check.raw + check.stderr
    identity = check.result("Converge the SES domain identity with Easy DKIM and the MAIL FROM domain")
    assert "verify domain innobic.example" in identity["actions"]
    config_set = check.result("Converge the configuration set, its reputation tracking and event destinations")
    assert "create configuration set innobic-config-set" in config_set["actions"]
    assert [c for c in converged["check_calls"] if c.mutating] == []


def test_first_run_builds_the_guides_email_setup(converged, ses_aws):
    first = converged["first"]
    assert first.rc == 0, first.raw + first.stderr
    ses = client(ses_aws, "ses")
    assert ses.get_identity_verification_attributes(Identities=[DOMAIN])["VerificationAttributes"][DOMAIN]
    dkim = ses.get_identity_dkim_attributes(Identities=[DOMAIN])["DkimAttributes"][DOMAIN]
    mail_from = ses.get_identity_mail_from_domain_attributes(Identities=[DOMAIN])["MailFromDomainAttributes"][DOMAIN]
    assert (mail_from["MailFromDomain"], mail_from["BehaviorOnMXFailure"]) == ("mail.innobic.example", "UseDefaultValue")
    described = ses.describe_configuration_set(ConfigurationSetName="innobic-config-set",
                                               ConfigurationSetAttributeNames=["eventDestinations", "reputationOptions"])
    assert described["ReputationOptions"]["ReputationMetricsEnabled"] is True
    destinations = {d["Name"]: d for d in described["EventDestinations"]}
    cloudwatch = destinations["innobic-config-set-cloudwatch"]
    assert sorted(cloudwatch["MatchingEventTypes"]) == ["bounce", "complaint"]
    assert cloudwatch["CloudWatchDestination"]["DimensionConfigurations"] == [
        {"DimensionName": "ses:configuration-set", "DimensionValueSource": "messageTag",
         "DefaultDimensionValue": "innobic-config-set"}]
    sns = destinations["innobic-config-set-sns"]
    assert sns["MatchingEventTypes"] == ["delivery"]
    assert sns["SNSDestination"]["TopicARN"].endswith(":innobic-production-ses-events")

    outputs = first.result("Show the tier's outputs")["msg"]
    assert outputs["email_configuration_set"] == "innobic-config-set"
    assert outputs["email_events_topic_arn"] == sns["SNSDestination"]["TopicARN"]
    assert outputs["email_identity_arn"].endswith(":identity/innobic.example")
    assert outputs["email_dkim_records"] == [
        {"name": "%s._domainkey.innobic.example" % t, "type": "CNAME", "value": "%s.dkim.amazonses.com" % t, "ttl": 1800}
        for t in dkim["DkimTokens"]]
    assert len(outputs["email_dkim_records"]) == 3
    assert [(r["type"], r["value"]) for r in outputs["email_mail_from_records"]] == [
        ("MX", "10 feedback-smtp.ap-southeast-1.amazonses.com"), ("TXT", '"v=spf1 include:amazonses.com ~all"')]
    tags = client(ses_aws, "sesv2").list_tags_for_resource(ResourceArn=outputs["email_identity_arn"])["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {"Project": "innobic", "Environment": "production"}


def test_second_run_changes_nothing(converged, ses_aws):
    ses_aws.start_recording()
    second = run_playbook(ses_aws, PLAYBOOK, "--diff", "-e", EXTRA)
    calls = [c for c in ses_aws.calls() if c.operation != "DescribeInstances"]
    assert second.rc == 0, second.raw + second.stderr
    assert second.changed == 0
    assert [c for c in calls if c.mutating] == []
    # identity + DKIM + MAIL FROM, configuration set + reputation + 2 destinations, topic = 8.
    assert len(calls) <= 2 * 8, ses_aws.summary(calls)


def test_check_mode_on_the_converged_tier_reports_no_change(converged, ses_aws):
    ses_aws.start_recording()
    check = run_playbook(ses_aws, PLAYBOOK, "--check", "--diff", "-e", EXTRA)
    assert check.rc == 0
    assert check.changed == 0
    assert [c for c in ses_aws.calls() if c.mutating] == []


def test_empty_domain_skips_the_identity_with_a_message(converged, ses_aws):
    run = run_playbook(ses_aws, PLAYBOOK, "-e", json.dumps({"webstack_environment": "staging", "webstack_domain": ""}))
    assert run.rc == 0, run.raw + run.stderr
    assert "email_domain is empty" in run.result("Say that the domain identity is skipped without a domain")["msg"]
    outputs = run.result("Show the tier's outputs")["msg"]
    assert outputs["email_dkim_records"] == [] and outputs["email_identity_arn"] == ""
    assert outputs["email_configuration_set"] == "innobic-staging-config-set"


@pytest.mark.parametrize("extra_vars, variable", [
    ({"webstack_domain": DOMAIN, "email_mail_from_domain": "mail.other.example"}, "email_mail_from_domain"),
    ({"webstack_domain": "Innobic Example"}, "email_domain"),
    ({"email_cloudwatch_event_types": ["bounce", "bounced"]}, "email_cloudwatch_event_types[1]"),
    ({"email_mail_from_mx_failure": "Retry"}, "email_mail_from_mx_failure"),
])
def test_bad_input_fails_before_any_api_call(ses_aws, extra_vars, variable):
    ses_aws.start_recording()
    run = run_playbook(ses_aws, PLAYBOOK, "-e", json.dumps(extra_vars))
    assert run.rc != 0
    assert variable in run.messages, run.messages
    assert [c for c in ses_aws.calls() if c.operation != "DescribeInstances"] == []


def test_moto_fix_is_still_needed():
    """Without the fix, moto forgets all but the last destination: the reason the fix exists.
    When a moto release keeps them all, this fails and the fix can go."""
    from moto import mock_aws

    with mock_aws():
        ses = boto3.client("ses", region_name=REGION, aws_access_key_id="a", aws_secret_access_key="b")
        ses.create_configuration_set(ConfigurationSet={"Name": "s"})
        for name in ("one", "two"):
            ses.create_configuration_set_event_destination(ConfigurationSetName="s", EventDestination={
                "Name": name, "Enabled": True, "MatchingEventTypes": ["bounce"],
                "SNSDestination": {"TopicARN": "arn:aws:sns:%s:123456789012:t" % REGION}})
        described = ses.describe_configuration_set(ConfigurationSetName="s",
                                                   ConfigurationSetAttributeNames=["eventDestinations"])
    assert [d["Name"] for d in described["EventDestinations"]] == ["two"]
