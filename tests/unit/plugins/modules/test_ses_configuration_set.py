"""ses_configuration_set.

The first run (create the set with reputation tracking, the SES event topic, a CloudWatch and an
SNS event destination) runs against moto in-process (mock_aws). Everything after it uses
botocore's Stubber with answers shaped like real SES's, because moto 5.2.5 keeps only the last
event destination of a configuration set, leaves ReputationOptions out of
DescribeConfigurationSet, and lacks UpdateConfigurationSetEventDestination,
DeleteConfigurationSetEventDestination and UpdateConfigurationSetSendingEnabled."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from botocore.stub import Stubber
from moto import mock_aws

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.webstack.aws.plugins.modules import ses_configuration_set

REGION = "ap-southeast-1"
ACCOUNT = "123456789012"
TOPIC_ARN = "arn:aws:sns:%s:%s:innobic-production-ses-events" % (REGION, ACCOUNT)
SET_ARN = "arn:aws:ses:%s:%s:configuration-set/innobic-config-set" % (REGION, ACCOUNT)
DESTINATIONS = [
    {"name": "innobic-config-set-cloudwatch", "matching_event_types": ["Bounce", "Complaint"],
     "cloudwatch_dimensions": [{"name": "ses:configuration-set", "default_value": "innobic-config-set"}]},
    {"name": "innobic-config-set-sns", "matching_event_types": ["Delivery"], "sns_topic": "innobic-production-ses-events"},
]
TAGS = {"Project": "innobic", "Environment": "production"}
CLOUDWATCH = {"Name": "innobic-config-set-cloudwatch", "Enabled": True, "MatchingEventTypes": ["bounce", "complaint"],
              "CloudWatchDestination": {"DimensionConfigurations": [
                  {"DimensionName": "ses:configuration-set", "DimensionValueSource": "messageTag",
                   "DefaultDimensionValue": "innobic-config-set"}]}}
SNS = {"Name": "innobic-config-set-sns", "Enabled": True, "MatchingEventTypes": ["delivery"],
       "SNSDestination": {"TopicARN": TOPIC_ARN}}


@pytest.fixture
def env(monkeypatch):
    for variable in ("AWS_ENDPOINT_URL", "AWS_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def run(capsys, check_mode=False, **overrides):
    args = {"name": "innobic-config-set", "region": REGION, "event_destinations": DESTINATIONS, "tags": TAGS}
    args.update(overrides)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            ses_configuration_set.main()
    return json.loads(capsys.readouterr().out)


def test_first_run_creates_the_set_its_topic_and_both_destinations(env, monkeypatch, capsys):
    from botocore.hooks import HierarchicalEmitter

    calls = []
    original = HierarchicalEmitter.emit

    def record(self, event_name, **kwargs):
        if event_name.startswith("provide-client-params."):
            calls.append((event_name.split(".")[2], kwargs.get("params")))
        return original(self, event_name, **kwargs)

    monkeypatch.setattr(HierarchicalEmitter, "emit", record)
    with mock_aws():
        check = run(capsys, check_mode=True)
        assert check["changed"] is True
        assert check["actions"] == ["create SNS topic innobic-production-ses-events",
                                    "create configuration set innobic-config-set",
                                    "create event destination innobic-config-set-cloudwatch of innobic-config-set",
                                    "create event destination innobic-config-set-sns of innobic-config-set"]
        assert boto3.client("sesv2", region_name=REGION).list_configuration_sets()["ConfigurationSets"] == []
        calls.clear()
        result = run(capsys)
        assert result["changed"] is True
        assert result["sns_topic_arns"] == {"innobic-production-ses-events": TOPIC_ARN}
        assert result["arn"] == SET_ARN
        stored = boto3.client("sesv2", region_name=REGION).get_configuration_set(ConfigurationSetName="innobic-config-set")
        assert stored["ReputationOptions"]["ReputationMetricsEnabled"] is True
        assert {t["Key"]: t["Value"] for t in stored["Tags"]} == TAGS
        topic_tags = boto3.client("sns", region_name=REGION).list_tags_for_resource(ResourceArn=TOPIC_ARN)["Tags"]
        assert {t["Key"]: t["Value"] for t in topic_tags} == TAGS
    created = [params["EventDestination"] for operation, params in calls
               if operation == "CreateConfigurationSetEventDestination"]
    assert created == [CLOUDWATCH, SNS]


# --- Stubber: the converged set, drift, purge -------------------------------------------------

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


def described(destinations, metrics=True, sending=True):
    return {"ConfigurationSet": {"Name": "innobic-config-set"}, "EventDestinations": destinations,
            "ReputationOptions": {"ReputationMetricsEnabled": metrics, "SendingEnabled": sending}}


def converged_reads(stubs, destinations, metrics=True, sending=True, tags=None):
    stubs["ses"].add_response("describe_configuration_set", described(destinations, metrics, sending),
                              {"ConfigurationSetName": "innobic-config-set",
                               "ConfigurationSetAttributeNames": ["eventDestinations", "reputationOptions"]})
    stubs["sns"].add_response("list_topics", {"Topics": [{"TopicArn": TOPIC_ARN}]})
    stubs["sns"].add_response("list_tags_for_resource", {"Tags": [{"Key": k, "Value": v} for k, v in TAGS.items()]},
                              {"ResourceArn": TOPIC_ARN})
    tags = TAGS if tags is None else tags
    stubs["sesv2"].add_response("list_tags_for_resource", {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]},
                                {"ResourceArn": SET_ARN})


def test_converged_set_is_read_once_and_not_written(env, monkeypatch, capsys):
    stubs = stub_clients(monkeypatch, ["ses", "sesv2", "sns", "sts"])
    converged_reads(stubs, [CLOUDWATCH, SNS])
    result = run(capsys)
    assert result["changed"] is False, result["actions"]
    for stub in stubs.values():
        stub.assert_no_pending_responses()  # and no STS call: the topic's ARN names the account


def test_changed_destination_is_updated_and_unlisted_one_deleted(env, monkeypatch, capsys):
    stubs = stub_clients(monkeypatch, ["ses", "sesv2", "sns", "sts"])
    stale = dict(CLOUDWATCH, MatchingEventTypes=["bounce"])
    extra = {"Name": "old-firehose", "Enabled": True, "MatchingEventTypes": ["send"],
             "KinesisFirehoseDestination": {"IAMRoleARN": "arn:aws:iam::123456789012:role/r",
                                            "DeliveryStreamARN": "arn:aws:firehose:r:123456789012:deliverystream/s"}}
    converged_reads(stubs, [stale, SNS, extra])
    stubs["ses"].add_response("update_configuration_set_event_destination", {},
                              {"ConfigurationSetName": "innobic-config-set", "EventDestination": CLOUDWATCH})
    stubs["ses"].add_response("delete_configuration_set_event_destination", {},
                              {"ConfigurationSetName": "innobic-config-set", "EventDestinationName": "old-firehose"})
    result = run(capsys)
    assert result["actions"] == ["update event destination innobic-config-set-cloudwatch of innobic-config-set",
                                 "delete event destination old-firehose of innobic-config-set"]
    before = result["diff"]["before"]["configuration_set"]["innobic-config-set"]["event_destinations"]
    after = result["diff"]["after"]["configuration_set"]["innobic-config-set"]["event_destinations"]
    assert before["innobic-config-set-cloudwatch"]["matching_event_types"] == ["bounce"]
    assert after["innobic-config-set-cloudwatch"]["matching_event_types"] == ["bounce", "complaint"]
    assert "old-firehose" not in after
    stubs["ses"].assert_no_pending_responses()


def test_unlisted_destination_is_kept_without_purge(env, monkeypatch, capsys):
    stubs = stub_clients(monkeypatch, ["ses", "sesv2", "sns", "sts"])
    extra = dict(SNS, Name="audit")
    converged_reads(stubs, [CLOUDWATCH, SNS, extra])
    result = run(capsys, purge_event_destinations=False)
    assert result["changed"] is False


def test_reputation_and_sending_are_switched_back_on(env, monkeypatch, capsys):
    stubs = stub_clients(monkeypatch, ["ses", "sesv2", "sns", "sts"])
    converged_reads(stubs, [CLOUDWATCH, SNS], metrics=False, sending=False)
    stubs["ses"].add_response("update_configuration_set_reputation_metrics_enabled", {},
                              {"ConfigurationSetName": "innobic-config-set", "Enabled": True})
    stubs["ses"].add_response("update_configuration_set_sending_enabled", {},
                              {"ConfigurationSetName": "innobic-config-set", "Enabled": True})
    result = run(capsys)
    assert result["actions"] == ["enable reputation metrics of innobic-config-set",
                                 "enable sending with innobic-config-set"]
    stubs["ses"].assert_no_pending_responses()


def test_check_mode_reports_drift_without_writing(env, monkeypatch, capsys):
    stubs = stub_clients(monkeypatch, ["ses", "sesv2", "sns", "sts"])
    converged_reads(stubs, [CLOUDWATCH], tags={"Project": "innobic", "Environment": "staging"})
    result = run(capsys, check_mode=True)
    assert result["actions"] == ["create event destination innobic-config-set-sns of innobic-config-set",
                                 "tag %s" % SET_ARN]
    for stub in stubs.values():
        stub.assert_no_pending_responses()  # a write would have hit an unstubbed call and failed


@pytest.mark.parametrize("destination, fragment", [
    (dict(DESTINATIONS[0], matching_event_types=["bounced"]), "matching_event_types[0]: 'bounced' is not one of"),
    (dict(DESTINATIONS[1], sns_topic_arn=TOPIC_ARN), "give exactly one of cloudwatch_dimensions, sns_topic and sns_topic_arn"),
    (dict(DESTINATIONS[0], cloudwatch_dimensions=[{"name": "bad name", "default_value": "x"}]),
     "cloudwatch_dimensions[0].name: 'bad name' is not a valid dimension name"),
])
def test_bad_input_fails_before_any_call(env, monkeypatch, capsys, destination, fragment):
    stubs = stub_clients(monkeypatch, ["ses", "sesv2", "sns", "sts"])
    result = run(capsys, event_destinations=[destination])
    assert result["failed"] is True
    assert fragment in result["msg"]
    for stub in stubs.values():
        stub.assert_no_pending_responses()


def test_absent_deletes_the_set_and_its_topic(env, monkeypatch, capsys):
    stubs = stub_clients(monkeypatch, ["ses", "sesv2", "sns", "sts"])
    stubs["ses"].add_response("describe_configuration_set", described([CLOUDWATCH, SNS]))
    stubs["ses"].add_response("delete_configuration_set", {}, {"ConfigurationSetName": "innobic-config-set"})
    stubs["sns"].add_response("list_topics", {"Topics": [{"TopicArn": TOPIC_ARN}]})
    stubs["sns"].add_response("delete_topic", {}, {"TopicArn": TOPIC_ARN})
    result = run(capsys, state="absent")
    assert result["actions"] == ["delete configuration set innobic-config-set",
                                 "delete SNS topic innobic-production-ses-events"]
    stubs["ses"].add_client_error("describe_configuration_set", "ConfigurationSetDoesNotExist")
    stubs["sns"].add_response("list_topics", {"Topics": []})
    assert run(capsys, state="absent")["changed"] is False


# --- the email role's input checks (plugins/module_utils/email_spec.py) -------------------------

GOOD_INPUTS = {
    "email_project": "innobic", "email_environment": "production", "email_domain": "innobic.example",
    "email_mail_from_subdomain": "mail", "email_mail_from_domain": "mail.innobic.example",
    "email_mail_from_mx_failure": "UseDefaultValue", "email_configuration_set_name": "innobic-config-set",
    "email_events_topic_name": "innobic-production-ses-events", "email_cloudwatch_event_types": ["bounce", "Complaint"],
    "email_sns_event_types": ["DELIVERY"], "email_cloudwatch_dimension": "ses:configuration-set",
}


def test_sound_email_inputs_have_no_error():
    from ansible_collections.webstack.aws.plugins.module_utils.email_spec import email_input_errors

    assert email_input_errors(GOOD_INPUTS) == []
    assert email_input_errors(dict(GOOD_INPUTS, email_domain="", email_mail_from_domain="")) == []


@pytest.mark.parametrize("change, message", [
    ({"email_domain": "innobic"}, "email_domain: 'innobic' is not a domain name"),
    ({"email_mail_from_domain": "mail.other.example"}, "email_mail_from_domain: mail.other.example must be a subdomain"),
    ({"email_mail_from_mx_failure": "Bounce"}, "email_mail_from_mx_failure: 'Bounce' must be one of"),
    ({"email_configuration_set_name": "innobic config"}, "email_configuration_set_name: 'innobic config'"),
    ({"email_sns_event_types": ["delivered"]}, "email_sns_event_types[0]: 'delivered' is not one of"),
    ({"email_cloudwatch_dimension": "bad dimension"}, "email_cloudwatch_dimension: 'bad dimension'"),
])
def test_bad_email_inputs_name_the_variable(change, message):
    from ansible_collections.webstack.aws.plugins.module_utils.email_spec import email_input_errors

    errors = email_input_errors(dict(GOOD_INPUTS, **change))
    assert any(e.startswith(message) for e in errors), errors
