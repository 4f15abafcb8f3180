#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ses_configuration_set
short_description: An SES configuration set with reputation tracking and event destinations (CloudWatch, SNS)
version_added: 0.2.0
description:
  - Creates, updates or deletes an SES configuration set, its reputation metrics and sending
    switch, and its event destinations (CloudWatch with dimensions, or SNS).
  - An SNS destination may name its topic (O(event_destinations[].sns_topic)); the topic is then
    created in the same call, in the module's region, tagged like the configuration set.
  - One C(DescribeConfigurationSet) call reads the set, its reputation options and every event
    destination; a converged set is re-run without a write. Event destinations that are not
    listed are deleted unless O(purge_event_destinations=false).
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  name:
    description: The configuration set's name (letters, digits, C(_) and C(-), up to 64).
    type: str
    required: true
  state:
    description:
      - V(present) converges the set; V(absent) deletes it with its event destinations, and the
        topics named in O(event_destinations[].sns_topic).
    type: str
    choices: [present, absent]
    default: present
  reputation_metrics:
    description: Whether SES publishes the set's bounce and complaint rates to CloudWatch (reputation tracking).
    type: bool
    default: true
  sending_enabled:
    description: Whether mail can be sent with this configuration set.
    type: bool
    default: true
  event_destinations:
    description: Where SES publishes the set's sending events.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The destination's name, unique in the set.
        type: str
        required: true
      enabled:
        description: Whether the destination receives events.
        type: bool
        default: true
      matching_event_types:
        description:
          - The events published, among C(send), C(reject), C(bounce), C(complaint), C(delivery),
            C(open), C(click), C(renderingFailure) (any case).
        type: list
        elements: str
        required: true
      cloudwatch_dimensions:
        description: Publish to CloudWatch with these dimensions.
        type: list
        elements: dict
        suboptions:
          name:
            description: The dimension's name, for example C(ses:configuration-set).
            type: str
            required: true
          value_source:
            description: Where the dimension's value comes from.
            type: str
            choices: [messageTag, emailHeader, linkTag]
            default: messageTag
          default_value:
            description: The value when the message does not carry one.
            type: str
            required: true
      sns_topic:
        description: Publish to the SNS topic of this name, created if missing.
        type: str
      sns_topic_arn:
        description: Publish to an existing SNS topic.
        type: str
  purge_event_destinations:
    description: Delete event destinations that are not listed.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
notes:
  - The set is created with the SES v2 API (C(CreateConfigurationSet), which takes tags) and read
    and changed with the SES API (C(DescribeConfigurationSet), C(UpdateConfigurationSetReputationMetricsEnabled),
    C(UpdateConfigurationSetSendingEnabled), C(Create/Update/DeleteConfigurationSetEventDestination));
    both address the same resource. Tags are changed with the SES v2 API.
"""

EXAMPLES = r"""
- name: The Laravel guide's configuration set (seed 000)
  webstack.aws.ses_configuration_set:
    name: innobic-config-set
    reputation_metrics: true
    event_destinations:
      - name: innobic-config-set-cloudwatch
        matching_event_types: [bounce, complaint]
        cloudwatch_dimensions:
          - {name: "ses:configuration-set", value_source: messageTag, default_value: innobic-config-set}
      - name: innobic-config-set-sns
        matching_event_types: [delivery]
        sns_topic: innobic-production-ses-events
    tags:
      Project: innobic
      Environment: production
  register: config_set
"""

RETURN = r"""
name:
  description: The configuration set's name.
  returned: always
  type: str
arn:
  description: The configuration set's ARN (null when absent).
  returned: always
  type: str
  sample: arn:aws:ses:ap-southeast-1:123456789012:configuration-set/innobic-config-set
event_destinations:
  description: Names of the event destinations, as listed.
  returned: always
  type: list
  elements: str
sns_topic_arns:
  description: ARNs of the topics named in O(event_destinations[].sns_topic), by name (null in check mode for a new topic).
  returned: always
  type: dict
actions:
  description: The writes made (or, in check mode, that would be made), in order.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import AccountId
from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import default_retry
from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import ensure_tags
from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import partition_of
from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import read_tags
from ansible_collections.webstack.aws.plugins.module_utils.email_spec import CONFIGURATION_SET_RE
from ansible_collections.webstack.aws.plugins.module_utils.email_spec import destination_errors
from ansible_collections.webstack.aws.plugins.module_utils.email_spec import event_type
from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker
from ansible_collections.webstack.aws.plugins.module_utils.sns_topics import TopicManager


def destination_to_api(spec, topic_arn):
    destination = {"Name": spec["name"], "Enabled": spec["enabled"],
                   "MatchingEventTypes": sorted(event_type(t) for t in spec["matching_event_types"])}
    if spec.get("cloudwatch_dimensions"):
        destination["CloudWatchDestination"] = {"DimensionConfigurations": [
            {"DimensionName": d["name"], "DimensionValueSource": d["value_source"], "DefaultDimensionValue": d["default_value"]}
            for d in spec["cloudwatch_dimensions"]]}
    else:
        destination["SNSDestination"] = {"TopicARN": topic_arn}
    return destination


def normalize_destination(destination):
    """The comparable part of an event destination (from the API or from destination_to_api)."""
    dimensions = (destination.get("CloudWatchDestination") or {}).get("DimensionConfigurations") or []
    result = {
        "enabled": destination.get("Enabled", False),
        "matching_event_types": sorted(destination.get("MatchingEventTypes") or []),
        "cloudwatch_dimensions": sorted(({"name": d.get("DimensionName"), "value_source": d.get("DimensionValueSource"),
                                          "default_value": d.get("DefaultDimensionValue")} for d in dimensions),
                                        key=lambda d: d["name"] or ""),
        "sns_topic_arn": (destination.get("SNSDestination") or {}).get("TopicARN"),
    }
    if destination.get("KinesisFirehoseDestination"):
        result["kinesis_firehose"] = destination["KinesisFirehoseDestination"]
    return result


class ConfigurationSet:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.name = module.params["name"]
        self.region = module.region
        self.ses = module.client("ses", retry_decorator=default_retry())
        self.tracker = ChangeTracker(module)
        self.account = AccountId(module)
        self._sesv2 = None
        self._topics = None

    @property
    def sesv2(self):
        if self._sesv2 is None:
            self._sesv2 = self.module.client("sesv2", retry_decorator=default_retry())
        return self._sesv2

    @property
    def topics(self):
        if self._topics is None:
            sns = self.module.client("sns", retry_decorator=default_retry())
            self._topics = TopicManager(self.module, sns, self.tracker, self.params.get("tags"), self.params["purge_tags"])
        return self._topics

    def arn(self):
        return "arn:%s:ses:%s:%s:configuration-set/%s" % (partition_of(self.region), self.region, self.account.get(),
                                                          self.name)

    def describe(self):
        try:
            return self.ses.describe_configuration_set(
                aws_retry=True, ConfigurationSetName=self.name,
                ConfigurationSetAttributeNames=["eventDestinations", "reputationOptions"])
        except is_boto3_error_code("ConfigurationSetDoesNotExist"):
            return None

    def ensure_topics(self):
        arns = {}
        for spec in self.params["event_destinations"]:
            name = spec.get("sns_topic")
            if name and name not in arns:
                arns[name] = self.topics.ensure(name)
                self.account.learn(arns[name])
        return arns

    def present(self):
        params = self.params
        current_set = self.describe()
        topic_arns = self.ensure_topics()
        wanted_destinations = {}
        for spec in params["event_destinations"]:
            topic_arn = spec.get("sns_topic_arn")
            if spec.get("sns_topic"):
                topic_arn = topic_arns.get(spec["sns_topic"]) or "(new SNS topic %s)" % spec["sns_topic"]
            wanted_destinations[spec["name"]] = destination_to_api(spec, topic_arn)
        wanted = {"reputation_metrics": params["reputation_metrics"], "sending_enabled": params["sending_enabled"],
                  "event_destinations": {n: normalize_destination(d) for n, d in wanted_destinations.items()},
                  "tags": params.get("tags")}

        if current_set is None:
            create = {"ConfigurationSetName": self.name,
                      "ReputationOptions": {"ReputationMetricsEnabled": params["reputation_metrics"]},
                      "SendingOptions": {"SendingEnabled": params["sending_enabled"]}}
            if params.get("tags"):
                create["Tags"] = [{"Key": k, "Value": v} for k, v in params["tags"].items()]
            self.tracker.act("create configuration set %s" % self.name, self.sesv2.create_configuration_set,
                             aws_retry=True, **create)
            for name, destination in wanted_destinations.items():
                self.create_destination(name, destination)
            if wanted["tags"] is None:
                wanted.pop("tags")
            self.tracker.record("configuration_set", self.name, None, wanted)
            return self.result(topic_arns, exists=not self.module.check_mode)

        reputation = current_set.get("ReputationOptions") or {}
        existing = {d["Name"]: d for d in current_set.get("EventDestinations") or []}
        current = {"reputation_metrics": bool(reputation.get("ReputationMetricsEnabled")),
                   "sending_enabled": reputation.get("SendingEnabled", True),
                   "event_destinations": {n: normalize_destination(d) for n, d in existing.items()}}
        if current["reputation_metrics"] != params["reputation_metrics"]:
            self.tracker.act("%s reputation metrics of %s" % ("enable" if params["reputation_metrics"] else "disable",
                                                              self.name),
                             self.ses.update_configuration_set_reputation_metrics_enabled, aws_retry=True,
                             ConfigurationSetName=self.name, Enabled=params["reputation_metrics"])
        if current["sending_enabled"] != params["sending_enabled"]:
            self.tracker.act("%s sending with %s" % ("enable" if params["sending_enabled"] else "pause", self.name),
                             self.ses.update_configuration_set_sending_enabled, aws_retry=True,
                             ConfigurationSetName=self.name, Enabled=params["sending_enabled"])
        for name, destination in wanted_destinations.items():
            if name not in existing:
                self.create_destination(name, destination)
            elif normalize_destination(existing[name]) != normalize_destination(destination):
                self.tracker.act("update event destination %s of %s" % (name, self.name),
                                 self.ses.update_configuration_set_event_destination, aws_retry=True,
                                 ConfigurationSetName=self.name, EventDestination=destination)
        for name in sorted(existing):
            if name in wanted_destinations:
                continue
            if params["purge_event_destinations"]:
                self.tracker.act("delete event destination %s of %s" % (name, self.name),
                                 self.ses.delete_configuration_set_event_destination, aws_retry=True,
                                 ConfigurationSetName=self.name, EventDestinationName=name)
            else:
                wanted["event_destinations"][name] = current["event_destinations"][name]
        if params.get("tags") is not None:
            arn = self.arn()
            current["tags"] = read_tags(self.sesv2, "sesv2", arn)
            wanted["tags"] = ensure_tags(self.tracker, self.sesv2, "sesv2", arn, current["tags"], params["tags"],
                                         params["purge_tags"])
        else:
            wanted.pop("tags")
        self.tracker.record("configuration_set", self.name, current, wanted)
        return self.result(topic_arns, exists=True)

    def create_destination(self, name, destination):
        description = "create event destination %s of %s" % (name, self.name)
        topic_arn = (destination.get("SNSDestination") or {}).get("TopicARN") or ""
        if topic_arn.startswith("(new"):
            self.tracker.plan(description)
            return
        self.tracker.act(description, self.ses.create_configuration_set_event_destination, aws_retry=True,
                         ConfigurationSetName=self.name, EventDestination=destination)

    def absent(self):
        current_set = self.describe()
        if current_set is not None:
            self.tracker.act("delete configuration set %s" % self.name, self.ses.delete_configuration_set,
                             aws_retry=True, ConfigurationSetName=self.name)
            self.tracker.record("configuration_set", self.name,
                                {"event_destinations": sorted(d["Name"] for d in current_set.get("EventDestinations") or [])},
                                None)
        for name in sorted({s["sns_topic"] for s in self.params["event_destinations"] if s.get("sns_topic")}):
            self.topics.delete(name, kind="sns_topics")
        return {"changed": self.tracker.changed, "name": self.name, "arn": None, "event_destinations": [],
                "sns_topic_arns": {}, "actions": self.tracker.actions, "diff": self.tracker.diff}

    def result(self, topic_arns, exists):
        return {
            "changed": self.tracker.changed,
            "name": self.name,
            "arn": self.arn() if exists else None,
            "event_destinations": [s["name"] for s in self.params["event_destinations"]],
            "sns_topic_arns": topic_arns,
            "actions": self.tracker.actions,
            "diff": self.tracker.diff,
        }


def validate(module):
    params = module.params
    errors = []
    if not CONFIGURATION_SET_RE.match(params["name"]):
        errors.append("name: %r must be 1-64 letters, digits, _ or -" % params["name"])
    names = []
    for index, spec in enumerate(params["event_destinations"]):
        errors += destination_errors("event_destinations[%d]" % index, spec)
        if spec["name"] in names:
            errors.append("event_destinations[%d].name: %s is listed twice" % (index, spec["name"]))
        names.append(spec["name"])
    if not module.region:
        errors.append("region: required (SES configuration sets are regional)")
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)


def main():
    dimension_spec = dict(
        name=dict(type="str", required=True),
        value_source=dict(type="str", choices=["messageTag", "emailHeader", "linkTag"], default="messageTag"),
        default_value=dict(type="str", required=True),
    )
    destination_spec = dict(
        name=dict(type="str", required=True),
        enabled=dict(type="bool", default=True),
        matching_event_types=dict(type="list", elements="str", required=True),
        cloudwatch_dimensions=dict(type="list", elements="dict", options=dimension_spec),
        sns_topic=dict(type="str"),
        sns_topic_arn=dict(type="str"),
    )
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        reputation_metrics=dict(type="bool", default=True),
        sending_enabled=dict(type="bool", default=True),
        event_destinations=dict(type="list", elements="dict", options=destination_spec, default=[]),
        purge_event_destinations=dict(type="bool", default=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    config_set = ConfigurationSet(module)
    try:
        result = config_set.present() if module.params["state"] == "present" else config_set.absent()
    except Exception as exc:  # botocore ClientError / BotoCoreError
        module.fail_json_aws(exc, msg="Could not converge configuration set %s (done so far: %s)"
                             % (module.params["name"], "; ".join(config_set.tracker.actions) or "nothing"))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
