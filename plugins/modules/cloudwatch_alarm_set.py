#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloudwatch_alarm_set
short_description: Converge a stack's CloudWatch alarms, their SNS topic and its log groups in one call
version_added: 0.2.0
description:
  - Creates, updates or deletes a list of CloudWatch metric alarms (plain metrics or metric math),
    the SNS topic they notify with its subscriptions, and CloudWatch Logs groups with their
    retention, all in one invocation.
  - One describe call per region finds every alarm; only alarms whose configuration differs are
    written again (C(PutMetricAlarm) replaces an alarm as a whole). A re-run of a converged set
    makes no write. M(amazon.aws.cloudwatch_metric_alarm) needs one invocation per alarm.
  - With O(purge_alarms=true), alarms whose names start with O(purge_prefix) and that are not
    listed are deleted, in the module's region, in every region an alarm is listed in, and in
    O(purge_regions).
  - An alarm may live in another region than the module's (O(alarms[].region)); the billing alarm
    must be in C(us-east-1), where C(AWS/Billing) publishes C(EstimatedCharges). CloudWatch can
    only notify an SNS topic of the alarm's own region, so the topic of O(topic) is converged in
    every region that has an alarm with O(alarms[].notify) or O(alarms[].notify_ok).
  - Subscriptions are compared by protocol and endpoint. An e-mail subscription waits for the
    recipient to confirm it; until then it is neither created again nor removable.
  - Log groups are converged in the module's region only.
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  state:
    description:
      - V(present) converges the alarms, the topic and the log groups.
      - V(absent) deletes the listed alarms (and, with O(purge_alarms), every alarm under
        O(purge_prefix)), the topic in every region it was converged in, and the listed log groups
        with their log events.
    type: str
    choices: [present, absent]
    default: present
  alarms:
    description: The metric alarms.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The alarm's name, unique in its region.
        type: str
        required: true
      description:
        description: The alarm's description.
        type: str
      region:
        description: The alarm's region, when not the module's (for example C(us-east-1) for a billing alarm).
        type: str
      namespace:
        description: Namespace of a single-metric alarm, for example C(AWS/EC2).
        type: str
      metric_name:
        description:
          - The metric of a single-metric alarm. Exactly one of O(alarms[].metric_name) and O(alarms[].metrics) is required.
        type: str
      statistic:
        description: Statistic of a single-metric alarm; or give O(alarms[].extended_statistic).
        type: str
        choices: [SampleCount, Average, Sum, Minimum, Maximum]
      extended_statistic:
        description: A percentile statistic such as V(p99).
        type: str
      dimensions:
        description: The metric's dimensions, name to value.
        type: dict
      period:
        description: Seconds per data point of a single-metric alarm (10, 20, 30 or a multiple of 60).
        type: int
      unit:
        description: The metric's unit.
        type: str
      metrics:
        description:
          - Metric math, as in C(PutMetricAlarm)'s C(Metrics); exactly one query returns data.
          - When no query sets O(alarms[].metrics[].return_data), the first expression (or the only query) returns data.
        type: list
        elements: dict
        suboptions:
          id:
            description: The query's id (lowercase letter first).
            type: str
            required: true
          expression:
            description: A metric math expression over the other queries' ids, for example C(100 * FILL(m1, 0) / m2).
            type: str
          label:
            description: A label for the query.
            type: str
          return_data:
            description: Whether this query is the alarm's data.
            type: bool
          period:
            description: Period of an expression query.
            type: int
          metric_stat:
            description: A metric query.
            type: dict
            suboptions:
              namespace:
                description: The metric's namespace.
                type: str
                required: true
              metric_name:
                description: The metric's name.
                type: str
                required: true
              dimensions:
                description: The metric's dimensions, name to value.
                type: dict
              period:
                description: Seconds per data point.
                type: int
                required: true
              stat:
                description: The statistic, for example V(Sum) or V(p99).
                type: str
                required: true
              unit:
                description: The metric's unit.
                type: str
      evaluation_periods:
        description: How many recent periods are evaluated.
        type: int
        required: true
      datapoints_to_alarm:
        description: How many of those periods must breach (default all).
        type: int
      threshold:
        description: The threshold.
        type: float
        required: true
      comparison_operator:
        description: How the statistic is compared with the threshold.
        type: str
        required: true
        choices: [GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold]
      treat_missing_data:
        description: How missing data points count.
        type: str
        choices: [breaching, notBreaching, ignore, missing]
        default: missing
      evaluate_low_sample_count_percentile:
        description: For percentile alarms, whether too few samples are evaluated.
        type: str
        choices: [evaluate, ignore]
      actions_enabled:
        description: Whether the alarm runs its actions.
        type: bool
        default: true
      alarm_actions:
        description: ARNs run when the alarm goes to ALARM, besides the topic.
        type: list
        elements: str
        default: []
      ok_actions:
        description: ARNs run when the alarm goes to OK, besides the topic.
        type: list
        elements: str
        default: []
      insufficient_data_actions:
        description: ARNs run when the alarm goes to INSUFFICIENT_DATA.
        type: list
        elements: str
        default: []
      notify:
        description: Add the topic of O(topic) (in the alarm's region) to the ALARM actions. No effect without O(topic).
        type: bool
        default: true
      notify_ok:
        description: Add the topic of O(topic) to the OK actions as well, so that recoveries are announced.
        type: bool
        default: false
  topic:
    description: The SNS topic the alarms notify, converged in every region that needs it.
    type: dict
    suboptions:
      name:
        description: The topic's name.
        type: str
        required: true
      display_name:
        description: The topic's display name (the sender name of e-mail notifications).
        type: str
      subscriptions:
        description: The topic's subscriptions. Omit to leave them alone.
        type: list
        elements: dict
        suboptions:
          protocol:
            description: The protocol.
            type: str
            required: true
            choices: [email, email-json, http, https, sms, sqs, lambda, application, firehose]
          endpoint:
            description: An e-mail address, a URL, a phone number or an ARN, depending on the protocol.
            type: str
            required: true
      purge_subscriptions:
        description: Remove confirmed subscriptions that are not listed.
        type: bool
        default: true
  log_groups:
    description: CloudWatch Logs groups of the stack, in the module's region.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The log group's name.
        type: str
        required: true
      retention_days:
        description:
          - Days to keep log events; one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30,
            60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653).
          - Omit to keep log events for ever.
        type: int
  purge_alarms:
    description: Delete alarms whose names start with O(purge_prefix) and that are not in O(alarms).
    type: bool
    default: false
  purge_prefix:
    description: The name prefix of the alarms this set owns. Required with O(purge_alarms=true).
    type: str
  purge_regions:
    description: Further regions where O(purge_alarms) looks for alarms (a region whose alarms were all removed from the list).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
notes:
  - O(tags) apply to the alarms, the topic and the log groups. C(PutMetricAlarm) sets tags only
    when it creates an alarm; later tag changes go through C(TagResource)/C(UntagResource).
  - A billing alarm only ever changes state when billing alerts are enabled for the account
    (Billing preferences); there is no API for that setting.
"""

EXAMPLES = r"""
- name: Alarms of the Laravel guide (seed 000), their topic, log groups and a billing alarm
  webstack.aws.cloudwatch_alarm_set:
    region: ap-southeast-1
    purge_alarms: true
    purge_prefix: innobic-production-alarm-
    purge_regions: [us-east-1]
    tags:
      Project: innobic
      Environment: production
    topic:
      name: innobic-production-alarms
      subscriptions:
        - {protocol: email, endpoint: ops@innobic.example}
    log_groups:
      - {name: /innobic/production/nginx, retention_days: 30}
      - {name: /innobic/production/php-fpm, retention_days: 30}
    alarms:
      - name: innobic-production-alarm-cpu-high
        description: CPU above 80 % for 5 minutes
        namespace: AWS/EC2
        metric_name: CPUUtilization
        statistic: Average
        dimensions: {AutoScalingGroupName: innobic-production-asg}
        period: 300
        evaluation_periods: 1
        threshold: 80
        comparison_operator: GreaterThanThreshold
        notify_ok: true
      - name: innobic-production-alarm-5xx-rate
        description: More than 1 % of the requests answered 5xx
        metrics:
          - id: rate
            expression: 100 * FILL(errors, 0) / requests
            label: 5xx rate (%)
          - id: errors
            metric_stat:
              namespace: AWS/ApplicationELB
              metric_name: HTTPCode_Target_5XX_Count
              dimensions: {LoadBalancer: app/innobic-production-alb/0123456789abcdef}
              period: 300
              stat: Sum
          - id: requests
            metric_stat:
              namespace: AWS/ApplicationELB
              metric_name: RequestCount
              dimensions: {LoadBalancer: app/innobic-production-alb/0123456789abcdef}
              period: 300
              stat: Sum
        evaluation_periods: 1
        threshold: 1
        comparison_operator: GreaterThanThreshold
        treat_missing_data: notBreaching
      - name: innobic-production-alarm-billing
        region: us-east-1
        namespace: AWS/Billing
        metric_name: EstimatedCharges
        statistic: Maximum
        dimensions: {Currency: USD}
        period: 86400
        evaluation_periods: 1
        threshold: 500
        comparison_operator: GreaterThanThreshold
  register: alarms

- name: Remove the whole set again
  webstack.aws.cloudwatch_alarm_set:
    state: absent
    purge_alarms: true
    purge_prefix: innobic-production-alarm-
    purge_regions: [us-east-1]
    topic:
      name: innobic-production-alarms
"""

RETURN = r"""
alarms:
  description: The listed alarms.
  returned: always
  type: list
  elements: dict
  contains:
    name: {description: The alarm's name., type: str, returned: always}
    region: {description: The alarm's region., type: str, returned: always}
    arn: {description: The alarm's ARN (null in check mode for a new alarm)., type: str, returned: always}
alarm_names:
  description: Names of the listed alarms, in order.
  returned: always
  type: list
  elements: str
deleted_alarms:
  description: Alarms deleted (or, in check mode, that would be), as C(region/name).
  returned: always
  type: list
  elements: str
topic_arn:
  description: The topic's ARN in the module's region (null without O(topic), or in check mode for a new topic).
  returned: always
  type: str
  sample: arn:aws:sns:ap-southeast-1:123456789012:innobic-production-alarms
topic_arns:
  description: The topic's ARN by region.
  returned: always
  type: dict
log_groups:
  description: The listed log groups.
  returned: always
  type: list
  elements: dict
  contains:
    name: {description: The log group's name., type: str, returned: always}
    arn: {description: The log group's ARN (null in check mode for a new group)., type: str, returned: always}
    retention_days: {description: The retention in days (null for never expire)., type: int, returned: always}
actions:
  description: The writes made (or, in check mode, that would be made), in order.
  returned: always
  type: list
  elements: str
"""

import os
import re

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import default_retry
from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import ensure_tags
from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import read_tags
from ansible_collections.webstack.aws.plugins.module_utils.observability_spec import ALARM_NAME_RE
from ansible_collections.webstack.aws.plugins.module_utils.observability_spec import alarm_timing_errors
from ansible_collections.webstack.aws.plugins.module_utils.observability_spec import log_group_name_errors
from ansible_collections.webstack.aws.plugins.module_utils.observability_spec import period_errors
from ansible_collections.webstack.aws.plugins.module_utils.observability_spec import retention_errors
from ansible_collections.webstack.aws.plugins.module_utils.observability_spec import subscription_errors
from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker
from ansible_collections.webstack.aws.plugins.module_utils.resource import describe_all
from ansible_collections.webstack.aws.plugins.module_utils.sns_topics import TopicManager

REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
QUERY_ID_RE = re.compile(r"^[a-z][a-zA-Z0-9_]*$")
PERCENTILE_RE = re.compile(r"^(p|tm|wm|tc|ts)\d{1,2}(\.\d{1,10})?$|^p100$")


def dimension_list(dimensions):
    return [{"Name": k, "Value": str(v)} for k, v in sorted((dimensions or {}).items())]


def dimension_dict(dimensions):
    return {d["Name"]: d["Value"] for d in dimensions or []}


def return_data_flags(queries):
    """ReturnData for each query: as given, or the first expression (or the only query)."""
    flags = [q.get("return_data") for q in queries]
    if any(flags):
        return [bool(f) for f in flags]
    chosen = next((i for i, q in enumerate(queries) if q.get("expression")), 0)
    return [i == chosen for i in range(len(queries))]


def queries_to_api(queries):
    result = []
    for query, flag in zip(queries, return_data_flags(queries)):
        item = {"Id": query["id"], "ReturnData": flag}
        if query.get("expression"):
            item["Expression"] = query["expression"]
        if query.get("label"):
            item["Label"] = query["label"]
        if query.get("period"):
            item["Period"] = query["period"]
        stat = query.get("metric_stat")
        if stat:
            item["MetricStat"] = {
                "Metric": {"Namespace": stat["namespace"], "MetricName": stat["metric_name"],
                           "Dimensions": dimension_list(stat.get("dimensions"))},
                "Period": stat["period"],
                "Stat": stat["stat"],
            }
            if stat.get("unit"):
                item["MetricStat"]["Unit"] = stat["unit"]
        result.append(item)
    return result


def normalize(alarm):
    """The comparable part of an alarm, from PutMetricAlarm parameters or a DescribeAlarms entry."""
    evaluation_periods = alarm.get("EvaluationPeriods")
    threshold = alarm.get("Threshold")
    result = {
        "description": alarm.get("AlarmDescription") or "",
        "actions_enabled": alarm.get("ActionsEnabled", True),
        "alarm_actions": sorted(alarm.get("AlarmActions") or []),
        "ok_actions": sorted(alarm.get("OKActions") or []),
        "insufficient_data_actions": sorted(alarm.get("InsufficientDataActions") or []),
        "evaluation_periods": evaluation_periods,
        "datapoints_to_alarm": alarm.get("DatapointsToAlarm") or evaluation_periods,
        "threshold": float(threshold) if threshold is not None else None,
        "comparison_operator": alarm.get("ComparisonOperator"),
        "treat_missing_data": alarm.get("TreatMissingData") or "missing",
        "evaluate_low_sample_count_percentile": alarm.get("EvaluateLowSampleCountPercentile") or None,
    }
    if alarm.get("MetricName"):
        result.update({
            "namespace": alarm.get("Namespace"),
            "metric_name": alarm.get("MetricName"),
            "statistic": alarm.get("Statistic"),
            "extended_statistic": alarm.get("ExtendedStatistic"),
            "dimensions": dimension_dict(alarm.get("Dimensions")),
            "period": alarm.get("Period"),
            "unit": alarm.get("Unit"),
        })
    else:
        result["metrics"] = [normalize_query(q) for q in alarm.get("Metrics") or []]
    return result


def normalize_query(query):
    result = {"id": query.get("Id"), "return_data": query.get("ReturnData", True)}
    for key, name in (("Expression", "expression"), ("Label", "label"), ("Period", "period")):
        if query.get(key):
            result[name] = query[key]
    stat = query.get("MetricStat")
    if stat:
        metric = stat.get("Metric") or {}
        result["metric_stat"] = {
            "namespace": metric.get("Namespace"),
            "metric_name": metric.get("MetricName"),
            "dimensions": dimension_dict(metric.get("Dimensions")),
            "period": stat.get("Period"),
            "stat": stat.get("Stat"),
            "unit": stat.get("Unit"),
        }
    return result


class AlarmSet:
    """Converges the alarms of every region they live in; one DescribeAlarms walk per region."""

    def __init__(self, module, tracker):
        self.module = module
        self.tracker = tracker
        self.params = module.params
        self.home = module.region
        self.tags = module.params.get("tags")
        self.purge_tags = module.params["purge_tags"]
        self._clients = {}
        self.topic_arns = {}
        self.account = None

    def client(self, service, region):
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self.module.client(service, retry_decorator=default_retry(), region=region)
        return self._clients[key]

    def region_of(self, spec):
        return spec.get("region") or self.home

    def key(self, name, region):
        return name if region == self.home else "%s (%s)" % (name, region)

    def regions(self):
        """Every region the set touches, the module's first."""
        found = [self.home]
        for spec in self.params["alarms"]:
            if self.region_of(spec) not in found:
                found.append(self.region_of(spec))
        if self.params["purge_alarms"]:
            for region in self.params["purge_regions"]:
                if region not in found:
                    found.append(region)
        return found

    def topic_regions(self):
        found = [self.home]
        for spec in self.params["alarms"]:
            if (spec["notify"] or spec["notify_ok"]) and self.region_of(spec) not in found:
                found.append(self.region_of(spec))
        return found

    def remember_account(self, arn):
        if arn and not self.account:
            self.account = arn.split(":")[4]

    # --- topic -------------------------------------------------------------------------
    def ensure_topics(self):
        topic = self.params.get("topic")
        if not topic:
            return
        for region in self.topic_regions():
            manager = TopicManager(self.module, self.client("sns", region), self.tracker, self.tags, self.purge_tags)
            arn = manager.ensure(topic["name"], topic.get("display_name"), topic.get("subscriptions"),
                                 topic["purge_subscriptions"], kind="topic")
            self.topic_arns[region] = arn
            self.remember_account(arn)

    def delete_topics(self):
        topic = self.params.get("topic")
        if not topic:
            return
        for region in self.regions():
            TopicManager(self.module, self.client("sns", region), self.tracker).delete(topic["name"], kind="topic")

    # --- alarms ------------------------------------------------------------------------
    def describe(self, region, names):
        client = self.client("cloudwatch", region)
        alarms = []
        names = sorted(names)
        if self.params["purge_alarms"]:
            prefix = self.params["purge_prefix"]
            alarms = describe_all(client, "describe_alarms", "MetricAlarms", AlarmNamePrefix=prefix,
                                  AlarmTypes=["MetricAlarm"])
            names = [n for n in names if not n.startswith(prefix)]
        if names:
            for start in range(0, len(names), 100):
                alarms += describe_all(client, "describe_alarms", "MetricAlarms",
                                       AlarmNames=names[start:start + 100], AlarmTypes=["MetricAlarm"])
        return {a["AlarmName"]: a for a in alarms}

    def put_params(self, spec, region):
        topic = self.params.get("topic")
        topic_arn = self.topic_arns.get(region) or ("(new SNS topic %s)" % topic["name"] if topic else None)
        alarm_actions = list(spec["alarm_actions"])
        ok_actions = list(spec["ok_actions"])
        if topic and spec["notify"] and topic_arn not in alarm_actions:
            alarm_actions.append(topic_arn)
        if topic and spec["notify_ok"] and topic_arn not in ok_actions:
            ok_actions.append(topic_arn)
        params = {
            "AlarmName": spec["name"],
            "ActionsEnabled": spec["actions_enabled"],
            "AlarmActions": alarm_actions,
            "OKActions": ok_actions,
            "InsufficientDataActions": list(spec["insufficient_data_actions"]),
            "EvaluationPeriods": spec["evaluation_periods"],
            "Threshold": float(spec["threshold"]),
            "ComparisonOperator": spec["comparison_operator"],
            "TreatMissingData": spec["treat_missing_data"],
        }
        if spec.get("description"):
            params["AlarmDescription"] = spec["description"]
        if spec.get("datapoints_to_alarm"):
            params["DatapointsToAlarm"] = spec["datapoints_to_alarm"]
        if spec.get("evaluate_low_sample_count_percentile"):
            params["EvaluateLowSampleCountPercentile"] = spec["evaluate_low_sample_count_percentile"]
        if spec.get("metric_name"):
            params.update(Namespace=spec["namespace"], MetricName=spec["metric_name"], Period=spec["period"],
                          Dimensions=dimension_list(spec.get("dimensions")))
            if spec.get("statistic"):
                params["Statistic"] = spec["statistic"]
            else:
                params["ExtendedStatistic"] = spec["extended_statistic"]
            if spec.get("unit"):
                params["Unit"] = spec["unit"]
        else:
            params["Metrics"] = queries_to_api(spec["metrics"])
        return params

    def ensure_alarms(self):
        by_region = {}
        for spec in self.params["alarms"]:
            by_region.setdefault(self.region_of(spec), []).append(spec)
        results = []
        deleted = []
        for region in self.regions():
            specs = by_region.get(region, [])
            client = self.client("cloudwatch", region)
            existing = self.describe(region, [s["name"] for s in specs]) if specs or self.params["purge_alarms"] else {}
            for spec in specs:
                results.append(self.ensure_alarm(client, region, spec, existing.get(spec["name"])))
            if self.params["purge_alarms"]:
                listed = {s["name"] for s in specs}
                stale = sorted(n for n in existing if n not in listed and n.startswith(self.params["purge_prefix"]))
                deleted += self.delete_alarms(client, region, stale, existing)
        return results, deleted

    def ensure_alarm(self, client, region, spec, alarm):
        params = self.put_params(spec, region)
        wanted = normalize(params)
        name = spec["name"]
        if alarm is None:
            create = dict(params)
            if self.tags:
                create["Tags"] = [{"Key": k, "Value": v} for k, v in self.tags.items()]
            self.tracker.act("create alarm %s" % self.key(name, region), client.put_metric_alarm, aws_retry=True,
                             **create)
            wanted["tags"] = dict(self.tags or {})
            self.tracker.record("alarms", self.key(name, region), None, wanted)
            arn = ("arn:aws:cloudwatch:%s:%s:alarm:%s" % (region, self.account, name)) if self.account else None
            return {"name": name, "region": region, "arn": None if self.module.check_mode else arn}
        arn = alarm["AlarmArn"]
        self.remember_account(arn)
        current = normalize(alarm)
        if current != wanted:
            self.tracker.act("update alarm %s" % self.key(name, region), client.put_metric_alarm, aws_retry=True,
                             **params)
        if self.tags is not None:
            current["tags"] = read_tags(client, "cloudwatch", arn)
            wanted["tags"] = ensure_tags(self.tracker, client, "cloudwatch", arn, current["tags"], self.tags,
                                         self.purge_tags)
        self.tracker.record("alarms", self.key(name, region), current, wanted)
        return {"name": name, "region": region, "arn": arn}

    def delete_alarms(self, client, region, names, existing):
        for start in range(0, len(names), 100):
            batch = names[start:start + 100]
            self.tracker.act("delete alarms %s in %s" % (", ".join(batch), region), client.delete_alarms,
                             aws_retry=True, AlarmNames=batch)
        for name in names:
            self.tracker.record("alarms", self.key(name, region), normalize(existing[name]), None)
        return ["%s/%s" % (region, name) for name in names]

    def remove_alarms(self):
        deleted = []
        by_region = {}
        for spec in self.params["alarms"]:
            by_region.setdefault(self.region_of(spec), []).append(spec["name"])
        for region in self.regions():
            names = by_region.get(region, [])
            if not names and not self.params["purge_alarms"]:
                continue
            existing = self.describe(region, names)
            doomed = sorted(n for n in existing
                            if n in names or (self.params["purge_alarms"] and n.startswith(self.params["purge_prefix"])))
            deleted += self.delete_alarms(self.client("cloudwatch", region), region, doomed, existing)
        return deleted

    # --- log groups --------------------------------------------------------------------
    def describe_log_groups(self, names):
        if not names:
            return {}
        client = self.client("logs", self.home)
        prefix = os.path.commonprefix(list(names))
        params = {"logGroupNamePrefix": prefix} if prefix else {}
        groups = describe_all(client, "describe_log_groups", "logGroups", **params)
        return {g["logGroupName"]: g for g in groups if g["logGroupName"] in names}

    @staticmethod
    def log_group_arn(group):
        arn = group.get("logGroupArn") or group.get("arn") or ""
        return arn[:-2] if arn.endswith(":*") else arn

    def ensure_log_groups(self):
        specs = self.params["log_groups"]
        client = self.client("logs", self.home)
        existing = self.describe_log_groups({s["name"] for s in specs})
        results = []
        for spec in specs:
            name = spec["name"]
            retention = spec.get("retention_days")
            wanted = {"retention_days": retention, "tags": dict(self.tags or {})}
            group = existing.get(name)
            if group is None:
                params = {"logGroupName": name}
                if self.tags:
                    params["tags"] = dict(self.tags)
                self.tracker.act("create log group %s" % name, client.create_log_group, aws_retry=True, **params)
                if retention:
                    self.tracker.act("set retention of %s to %d days" % (name, retention), client.put_retention_policy,
                                     aws_retry=True, logGroupName=name, retentionInDays=retention)
                self.tracker.record("log_groups", name, None, wanted)
                arn = ("arn:aws:logs:%s:%s:log-group:%s" % (self.home, self.account, name)) if self.account else None
                results.append({"name": name, "arn": None if self.module.check_mode else arn,
                                "retention_days": retention})
                continue
            arn = self.log_group_arn(group)
            self.remember_account(arn)
            current = {"retention_days": group.get("retentionInDays")}
            if current["retention_days"] != retention:
                if retention:
                    self.tracker.act("set retention of %s to %d days" % (name, retention), client.put_retention_policy,
                                     aws_retry=True, logGroupName=name, retentionInDays=retention)
                else:
                    self.tracker.act("keep log events of %s for ever" % name, client.delete_retention_policy,
                                     aws_retry=True, logGroupName=name)
            if self.tags is not None:
                current["tags"] = read_tags(client, "logs", arn)
                wanted["tags"] = ensure_tags(self.tracker, client, "logs", arn, current["tags"], self.tags,
                                             self.purge_tags)
            else:
                wanted.pop("tags")
            self.tracker.record("log_groups", name, current, wanted)
            results.append({"name": name, "arn": arn, "retention_days": retention})
        return results

    def remove_log_groups(self):
        client = self.client("logs", self.home)
        existing = self.describe_log_groups({s["name"] for s in self.params["log_groups"]})
        for name, group in sorted(existing.items()):
            self.tracker.act("delete log group %s" % name, client.delete_log_group, aws_retry=True, logGroupName=name)
            self.tracker.record("log_groups", name, {"retention_days": group.get("retentionInDays")}, None)

    # --- the whole set -----------------------------------------------------------------
    def present(self):
        self.ensure_topics()
        log_groups = self.ensure_log_groups()
        alarms, deleted = self.ensure_alarms()
        return self.result(alarms, deleted, log_groups)

    def absent(self):
        deleted = self.remove_alarms()
        self.delete_topics()
        self.remove_log_groups()
        return self.result([], deleted, [])

    def result(self, alarms, deleted, log_groups):
        return {
            "changed": self.tracker.changed,
            "alarms": alarms,
            "alarm_names": [s["name"] for s in self.params["alarms"]],
            "deleted_alarms": deleted,
            "topic_arn": self.topic_arns.get(self.home),
            "topic_arns": self.topic_arns,
            "log_groups": log_groups,
            "actions": self.tracker.actions,
            "diff": self.tracker.diff,
        }


def alarm_errors(index, spec, home):
    label = "alarms[%d]" % index
    named = "%s (%s)" % (label, spec["name"])
    errors = []
    if not ALARM_NAME_RE.match(spec["name"] or ""):
        errors.append("%s.name: %r is not a valid alarm name (1-255 printable characters)" % (label, spec["name"]))
    if spec.get("region") and not REGION_RE.match(spec["region"]):
        errors.append("%s.region: %r is not a region name such as us-east-1" % (named, spec["region"]))
    errors += alarm_timing_errors(named, spec.get("period"), spec["evaluation_periods"], spec.get("datapoints_to_alarm"))
    if bool(spec.get("metric_name")) == bool(spec.get("metrics")):
        errors.append("%s: give exactly one of metric_name and metrics" % named)
    elif spec.get("metric_name"):
        if not spec.get("namespace"):
            errors.append("%s.namespace: required with metric_name" % named)
        if spec.get("period") is None:
            errors.append("%s.period: required with metric_name" % named)
        if bool(spec.get("statistic")) == bool(spec.get("extended_statistic")):
            errors.append("%s: give exactly one of statistic and extended_statistic" % named)
        elif spec.get("extended_statistic") and not PERCENTILE_RE.match(spec["extended_statistic"]):
            errors.append("%s.extended_statistic: %r is not a percentile statistic such as p99"
                          % (named, spec["extended_statistic"]))
    else:
        errors += metrics_errors(named, spec["metrics"])
    if spec.get("evaluate_low_sample_count_percentile") and not spec.get("extended_statistic"):
        errors.append("%s.evaluate_low_sample_count_percentile: only for percentile statistics" % named)
    return errors


def metrics_errors(named, queries):
    errors = []
    ids = [q["id"] for q in queries]
    for query_index, query in enumerate(queries):
        item = "%s.metrics[%d]" % (named, query_index)
        if not QUERY_ID_RE.match(query["id"] or ""):
            errors.append("%s.id: %r must start with a lowercase letter (letters, digits, _)" % (item, query["id"]))
        if bool(query.get("expression")) == bool(query.get("metric_stat")):
            errors.append("%s: give exactly one of expression and metric_stat" % item)
        if query.get("metric_stat"):
            errors += period_errors("%s.metric_stat.period" % item, query["metric_stat"]["period"])
        if query.get("period") is not None:
            errors += period_errors("%s.period" % item, query["period"])
    errors += ["%s.metrics: id %s is used twice" % (named, i) for i in sorted({i for i in ids if ids.count(i) > 1})]
    if sum(1 for flag in return_data_flags(queries) if flag) != 1:
        errors.append("%s.metrics: exactly one query must have return_data true" % named)
    return errors


def validate(module):
    """Fail before any API call when the inputs cannot work."""
    params = module.params
    errors = []
    if params["purge_alarms"] and not params.get("purge_prefix"):
        errors.append("purge_prefix: required with purge_alarms=true (it bounds which alarms may be deleted)")
    for region in params["purge_regions"]:
        if not REGION_RE.match(region):
            errors.append("purge_regions: %r is not a region name" % region)
    seen = {}
    for index, spec in enumerate(params["alarms"]):
        key = (spec.get("region") or module.region, spec["name"])
        if key in seen:
            errors.append("alarms[%d].name: %s is listed twice (also alarms[%d])" % (index, spec["name"], seen[key]))
        seen[key] = index
        if params["state"] == "present":
            errors += alarm_errors(index, spec, module.region)
    topic = params.get("topic")
    if topic:
        errors += subscription_errors("topic.subscriptions", topic.get("subscriptions"))
    names = []
    for index, group in enumerate(params["log_groups"]):
        errors += log_group_name_errors("log_groups[%d].name" % index, group["name"])
        errors += retention_errors("log_groups[%d].retention_days" % index, group.get("retention_days"))
        if group["name"] in names:
            errors.append("log_groups[%d].name: %s is listed twice" % (index, group["name"]))
        names.append(group["name"])
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)


def main():
    stat_spec = dict(
        namespace=dict(type="str", required=True),
        metric_name=dict(type="str", required=True),
        dimensions=dict(type="dict"),
        period=dict(type="int", required=True),
        stat=dict(type="str", required=True),
        unit=dict(type="str"),
    )
    query_spec = dict(
        id=dict(type="str", required=True),
        expression=dict(type="str"),
        label=dict(type="str"),
        return_data=dict(type="bool"),
        period=dict(type="int"),
        metric_stat=dict(type="dict", options=stat_spec),
    )
    alarm_spec = dict(
        name=dict(type="str", required=True),
        description=dict(type="str"),
        region=dict(type="str"),
        namespace=dict(type="str"),
        metric_name=dict(type="str"),
        statistic=dict(type="str", choices=["SampleCount", "Average", "Sum", "Minimum", "Maximum"]),
        extended_statistic=dict(type="str"),
        dimensions=dict(type="dict"),
        period=dict(type="int"),
        unit=dict(type="str"),
        metrics=dict(type="list", elements="dict", options=query_spec),
        evaluation_periods=dict(type="int", required=True),
        datapoints_to_alarm=dict(type="int"),
        threshold=dict(type="float", required=True),
        comparison_operator=dict(type="str", required=True,
                                 choices=["GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold",
                                          "LessThanOrEqualToThreshold"]),
        treat_missing_data=dict(type="str", choices=["breaching", "notBreaching", "ignore", "missing"],
                                default="missing"),
        evaluate_low_sample_count_percentile=dict(type="str", choices=["evaluate", "ignore"]),
        actions_enabled=dict(type="bool", default=True),
        alarm_actions=dict(type="list", elements="str", default=[]),
        ok_actions=dict(type="list", elements="str", default=[]),
        insufficient_data_actions=dict(type="list", elements="str", default=[]),
        notify=dict(type="bool", default=True),
        notify_ok=dict(type="bool", default=False),
    )
    subscription_spec = dict(
        protocol=dict(type="str", required=True,
                      choices=["email", "email-json", "http", "https", "sms", "sqs", "lambda", "application", "firehose"]),
        endpoint=dict(type="str", required=True),
    )
    topic_spec = dict(
        name=dict(type="str", required=True),
        display_name=dict(type="str"),
        subscriptions=dict(type="list", elements="dict", options=subscription_spec),
        purge_subscriptions=dict(type="bool", default=True),
    )
    log_group_spec = dict(
        name=dict(type="str", required=True),
        retention_days=dict(type="int"),
    )
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        alarms=dict(type="list", elements="dict", options=alarm_spec, default=[]),
        topic=dict(type="dict", options=topic_spec),
        log_groups=dict(type="list", elements="dict", options=log_group_spec, default=[]),
        purge_alarms=dict(type="bool", default=False),
        purge_prefix=dict(type="str"),
        purge_regions=dict(type="list", elements="str", default=[]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    if not module.region:
        module.fail_json(msg="region: required (the module's region, where the topic and log groups live)")
    validate(module)
    tracker = ChangeTracker(module)
    alarm_set = AlarmSet(module, tracker)
    try:
        result = alarm_set.present() if module.params["state"] == "present" else alarm_set.absent()
    except Exception as exc:  # botocore ClientError / BotoCoreError with the AWS message
        module.fail_json_aws(exc, msg="Could not converge the alarm set (done so far: %s)"
                             % ("; ".join(tracker.actions) or "nothing"))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
