# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks for the observability tier, shared by the cloudwatch_alarm_set module and the
observability_input_errors filter (which the observability role runs before any API call).

Every function returns a list of messages; each message starts with the name of the bad
variable or option.
"""

from __future__ import annotations

import re

from ansible_collections.webstack.aws.plugins.module_utils.network_spec import name_errors

# CloudWatch Logs accepts only these retention periods (PutRetentionPolicy, "Days").
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                  2922, 3288, 3653)
SUBSCRIPTION_PROTOCOLS = ("email", "email-json", "http", "https", "sms", "sqs", "lambda", "application", "firehose")
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
LOG_GROUP_RE = re.compile(r"^[.\-_/#A-Za-z0-9]{1,512}$")
ALARM_NAME_RE = re.compile(r"^[^\x00-\x1f]{1,255}$")
APPS = ("laravel", "fastapi")
# Alarms the role knows; each needs a dimension source (a tier that exists).
ALARM_KEYS = ("cpu", "memory", "disk", "db_connections", "error_rate", "response_time", "error_count")
PERCENT_THRESHOLDS = ("observability_cpu_threshold", "observability_memory_threshold",
                      "observability_disk_threshold", "observability_error_rate_threshold")


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def email_errors(label, value):
    if not isinstance(value, str) or not EMAIL_RE.match(value):
        return ["%s: %r is not a valid email address" % (label, value)]
    return []


def subscription_errors(label, subscriptions):
    """A list of {protocol, endpoint} for an SNS topic."""
    if subscriptions is None:
        return []
    if not isinstance(subscriptions, list):
        return ["%s: must be a list of {protocol, endpoint}" % label]
    errors = []
    for index, subscription in enumerate(subscriptions):
        item = "%s[%d]" % (label, index)
        if not isinstance(subscription, dict):
            errors.append("%s: must be a dictionary with protocol and endpoint" % item)
            continue
        protocol = subscription.get("protocol")
        endpoint = subscription.get("endpoint")
        if protocol not in SUBSCRIPTION_PROTOCOLS:
            errors.append("%s.protocol: %r must be one of %s" % (item, protocol, ", ".join(SUBSCRIPTION_PROTOCOLS)))
            continue
        if not isinstance(endpoint, str) or not endpoint:
            errors.append("%s.endpoint: must not be empty" % item)
        elif protocol in ("email", "email-json"):
            errors += email_errors("%s.endpoint" % item, endpoint)
        elif protocol in ("http", "https") and not endpoint.startswith(protocol + "://"):
            errors.append("%s.endpoint: %r must be a %s:// URL" % (item, endpoint, protocol))
        elif protocol in ("sqs", "lambda", "application", "firehose") and not endpoint.startswith("arn:"):
            errors.append("%s.endpoint: %r must be an ARN for protocol %s" % (item, endpoint, protocol))
        elif protocol == "sms" and not re.match(r"^\+[1-9][0-9]{6,14}$", endpoint):
            errors.append("%s.endpoint: %r must be a phone number in E.164 form (+6512345678)" % (item, endpoint))
    return errors


def retention_errors(label, value):
    if value is None:
        return []
    if not is_int(value) or value not in RETENTION_DAYS:
        return ["%s: %r is not a retention CloudWatch Logs accepts (one of %s days)"
                % (label, value, ", ".join(str(d) for d in RETENTION_DAYS))]
    return []


def log_group_name_errors(label, value):
    if not isinstance(value, str) or not LOG_GROUP_RE.match(value):
        return ["%s: %r is not a valid log group name (1-512 of letters, digits, . - _ / #)" % (label, value)]
    return []


def period_errors(label, value):
    """CloudWatch alarm periods: 10, 20, 30 (high resolution) or a multiple of 60 seconds."""
    if not is_int(value) or value <= 0 or (value not in (10, 20, 30) and value % 60):
        return ["%s: %r must be 10, 20, 30 or a multiple of 60 seconds" % (label, value)]
    return []


def alarm_timing_errors(label, period, evaluation_periods, datapoints_to_alarm=None):
    errors = period_errors("%s.period" % label if label else "period", period) if period is not None else []
    if not is_int(evaluation_periods) or evaluation_periods < 1:
        errors.append("%s: evaluation_periods %r must be a whole number of at least 1" % (label, evaluation_periods))
    elif period is not None and is_int(period) and period * evaluation_periods > 86400 * 7:
        errors.append("%s: period x evaluation_periods must not exceed 7 days" % label)
    if datapoints_to_alarm is not None:
        if not is_int(datapoints_to_alarm) or datapoints_to_alarm < 1:
            errors.append("%s: datapoints_to_alarm %r must be at least 1" % (label, datapoints_to_alarm))
        elif is_int(evaluation_periods) and datapoints_to_alarm > evaluation_periods:
            errors.append("%s: datapoints_to_alarm %d exceeds evaluation_periods %d"
                          % (label, datapoints_to_alarm, evaluation_periods))
    return errors


def arn_errors(label, value, service, resource_prefix):
    """An ARN of the given service whose resource part starts with resource_prefix (empty allowed)."""
    if value in (None, ""):
        return []
    pattern = r"^arn:aws[a-z-]*:%s:[a-z0-9-]+:\d{12}:%s" % (re.escape(service), re.escape(resource_prefix))
    if not isinstance(value, str) or not re.match(pattern, value):
        return ["%s: %r is not an ARN of the form arn:aws:%s:<region>:<account>:%s..."
                % (label, value, service, resource_prefix)]
    return []


def load_balancer_dimension(alb_arn):
    """arn:aws:elasticloadbalancing:r:a:loadbalancer/app/name/id -> app/name/id (CloudWatch's
    LoadBalancer dimension)."""
    return alb_arn.split(":loadbalancer/", 1)[1] if alb_arn and ":loadbalancer/" in alb_arn else ""


def target_group_dimension(target_group_arn):
    """arn:...:targetgroup/name/id -> targetgroup/name/id (CloudWatch's TargetGroup dimension)."""
    if target_group_arn and ":targetgroup/" in target_group_arn:
        return "targetgroup/" + target_group_arn.split(":targetgroup/", 1)[1]
    return ""


def observability_input_errors(settings):
    """Check the observability role's variables (a dict keyed by variable name)."""
    errors = []
    errors += name_errors("observability_project", settings.get("observability_project"))
    errors += name_errors("observability_environment", settings.get("observability_environment"))
    app = settings.get("observability_app")
    if app not in APPS:
        errors.append("observability_app: %r must be one of %s" % (app, ", ".join(APPS)))

    enabled = settings.get("observability_alarms_enabled") or []
    if not isinstance(enabled, list):
        errors.append("observability_alarms_enabled: must be a list of alarm keys")
        enabled = []
    for index, key in enumerate(enabled):
        if key not in ALARM_KEYS:
            errors.append("observability_alarms_enabled[%d]: %r is not one of %s" % (index, key, ", ".join(ALARM_KEYS)))

    for var in PERCENT_THRESHOLDS:
        value = settings.get(var)
        if not is_number(value) or not 0 < value <= 100:
            errors.append("%s: %r must be a percentage above 0 and at most 100" % (var, value))
    for var in ("observability_db_connections_threshold", "observability_error_count_threshold"):
        value = settings.get(var)
        if not is_number(value) or value < 0:
            errors.append("%s: %r must be a number of at least 0" % (var, value))
    for var in ("observability_response_time_threshold", "observability_billing_threshold"):
        value = settings.get(var)
        if not is_number(value) or value <= 0:
            errors.append("%s: %r must be a positive number" % (var, value))
    statistic = settings.get("observability_response_time_statistic")
    if not isinstance(statistic, str) or not (
            statistic in ("Average", "Minimum", "Maximum") or re.match(r"^p(\d{1,2}(\.\d{1,2})?|100)$", statistic)):
        errors.append("observability_response_time_statistic: %r must be Average, Minimum, Maximum or a "
                      "percentile such as p90" % (statistic,))

    errors += period_errors("observability_period", settings.get("observability_period"))
    for var in ("observability_evaluation_periods", "observability_cpu_evaluation_periods"):
        value = settings.get(var)
        if not is_int(value) or value < 1:
            errors.append("%s: %r must be a whole number of at least 1" % (var, value))
    billing_period = settings.get("observability_billing_period")
    if not is_int(billing_period) or billing_period < 21600 or billing_period % 60:
        errors.append("observability_billing_period: %r must be at least 21600 seconds (AWS updates the estimated "
                      "charges about every 6 hours) and a multiple of 60" % (billing_period,))
    currency = settings.get("observability_billing_currency")
    if not isinstance(currency, str) or not re.match(r"^[A-Z]{3}$", currency):
        errors.append("observability_billing_currency: %r must be a three-letter currency code such as USD" % (currency,))

    errors += subscription_errors("observability_alarm_subscriptions", settings.get("observability_alarm_subscriptions"))
    extra = settings.get("observability_alarm_extra_actions") or []
    if not isinstance(extra, list) or not all(isinstance(a, str) and a.startswith("arn:") for a in extra):
        errors.append("observability_alarm_extra_actions: must be a list of ARNs")

    errors += retention_errors("observability_log_retention_days", settings.get("observability_log_retention_days"))
    groups = settings.get("observability_log_groups") or []
    if not isinstance(groups, list):
        errors.append("observability_log_groups: must be a list of log group names")
        groups = []
    for index, group in enumerate(groups):
        errors += log_group_name_errors("observability_log_groups[%d]" % index, group)

    errors += arn_errors("observability_alb_arn", settings.get("observability_alb_arn"), "elasticloadbalancing",
                         "loadbalancer/app/")
    errors += arn_errors("observability_target_group_arn", settings.get("observability_target_group_arn"),
                         "elasticloadbalancing", "targetgroup/")
    return errors
