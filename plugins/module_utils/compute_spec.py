# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks for the compute tier (launch template, Auto Scaling group, scaling), shared by
the autoscaling_stack module and the compute_input_errors filter that the compute role runs
before any API call. Every message starts with the name of the variable (or option) to fix.
"""

from __future__ import annotations

import re

from ansible_collections.webstack.aws.plugins.module_utils.network_spec import name_errors

INSTANCE_TYPE = re.compile(
    r"^[a-z]+-?[0-9][a-z0-9-]*\.(nano|micro|small|medium|large|xlarge|[0-9]{1,2}xlarge|metal(-[0-9]+xl)?)$")
AMI_ID = re.compile(r"^ami-([0-9a-f]{8}|[0-9a-f]{17})$")
CRON_FIELD = re.compile(r"^[0-9A-Za-z*/,\-?LW#]+$")
TIME_ZONE = re.compile(r"^(UTC|Etc/[A-Za-z0-9+\-]+|[A-Z][A-Za-z_]+(/[A-Za-z0-9_+\-]+){1,2})$")
OPERATING_SYSTEMS = ("amazon_linux_2023", "ubuntu_2204", "debian_12")
PREDEFINED_METRICS = ("ASGAverageCPUUtilization", "ASGAverageNetworkIn", "ASGAverageNetworkOut", "ALBRequestCountPerTarget")

# What secret material looks like in a shell script: user data is readable by anybody who can
# describe the launch template and by every process on the host (169.254.169.254).
SECRET_PATTERNS = (
    (re.compile(r"AKIA[0-9A-Z]{16}"), "an AWS access key id"),
    (re.compile(r"(?i)aws_secret_access_key\s*[=:]"), "an AWS secret access key"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"(?i)\b[A-Z0-9_]*(PASSWORD|PASSWD|SECRET|API_KEY|APP_KEY|TOKEN|LICENSE_KEY)[A-Z0-9_]*\s*[=:]\s*['\"]?[^\s'\"$]{4,}"),
     "a password, secret, key or token assigned a literal value"),
    (re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@"), "a URL with a password (scheme://user:password@host)"),
)


def _int(value):
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def instance_type_errors(label, value):
    if not isinstance(value, str) or not INSTANCE_TYPE.match(value):
        return ["%s: %r is not an EC2 instance type such as t3.medium" % (label, value)]
    return []


def capacity_errors(min_label, min_size, max_label, max_size, desired_label, desired):
    errors = []
    low, high = _int(min_size), _int(max_size)
    if low is None or low < 0:
        errors.append("%s: %r must be a whole number >= 0" % (min_label, min_size))
    if high is None or high < 1:
        errors.append("%s: %r must be a whole number >= 1" % (max_label, max_size))
    if low is not None and high is not None and low > high:
        errors.append("%s: %d is greater than %s (%d)" % (min_label, low, max_label, high))
    if desired is not None and desired != "":
        wanted = _int(desired)
        if wanted is None:
            errors.append("%s: %r must be a whole number" % (desired_label, desired))
        elif low is not None and high is not None and not low <= wanted <= high:
            errors.append("%s: %d is outside [%s, %s] = [%d, %d]" % (desired_label, wanted, min_label, max_label, low, high))
    return errors


def recurrence_errors(label, value):
    fields = str(value or "").split()
    if len(fields) != 5 or not all(CRON_FIELD.match(f) for f in fields):
        return ["%s: %r is not a five-field cron expression such as '0 20 * * 1-5'" % (label, value)]
    return []


def time_zone_errors(label, value):
    if not isinstance(value, str) or not TIME_ZONE.match(value):
        return ["%s: %r is not an IANA time zone such as Asia/Singapore" % (label, value)]
    try:
        import zoneinfo  # pylint: disable=import-outside-toplevel
        zoneinfo.ZoneInfo(value)
    except ImportError:
        pass
    except Exception:  # zoneinfo.ZoneInfoNotFoundError, ValueError
        return ["%s: %r is not a known IANA time zone" % (label, value)]
    return []


def scheduled_action_errors(prefix, actions, max_label, max_size):
    errors = []
    names = []
    high = _int(max_size)
    for index, action in enumerate(actions or []):
        label = "%s[%d]" % (prefix, index)
        if not isinstance(action, dict):
            errors.append("%s: must be a dictionary" % label)
            continue
        name = action.get("name")
        if not name:
            errors.append("%s.name: required" % label)
        names.append(name)
        errors += recurrence_errors("%s.recurrence" % label, action.get("recurrence"))
        sizes = {k: action.get(k) for k in ("min_size", "max_size", "desired_capacity") if action.get(k) is not None}
        if not sizes:
            errors.append("%s: give at least one of min_size, max_size, desired_capacity" % label)
        for key, value in sizes.items():
            if _int(value) is None or _int(value) < 0:
                errors.append("%s.%s: %r must be a whole number >= 0" % (label, key, value))
        low = _int(sizes.get("min_size"))
        top = _int(sizes.get("max_size")) if "max_size" in sizes else high
        if low is not None and top is not None and low > top:
            errors.append("%s.min_size: %d is greater than %s (%d)"
                          % (label, low, "%s.max_size" % label if "max_size" in sizes else max_label, top))
        if action.get("time_zone") is not None:
            errors += time_zone_errors("%s.time_zone" % label, action.get("time_zone"))
    errors += ["%s: name %s is used twice" % (prefix, n) for n in sorted({n for n in names if n and names.count(n) > 1})]
    return errors


def user_data_errors(label, text, forbidden_values=()):
    """Messages for secret-looking content in user data; never repeats the secret itself."""
    errors = []
    text = text or ""
    for pattern, what in SECRET_PATTERNS:
        if pattern.search(text):
            errors.append("%s: contains %s; user data is readable by anyone who can describe the launch template "
                          "or reach the instance metadata, keep secrets in SSM Parameter Store or Secrets Manager"
                          % (label, what))
    for index, value in enumerate(forbidden_values or []):
        if value and str(value) in text:
            errors.append("%s: contains the value of a secret (compute_user_data_forbidden_values[%d])" % (label, index))
    if len(text.encode("utf-8")) > 16384:
        errors.append("%s: is longer than the 16 KB that EC2 accepts" % label)
    return errors


def compute_input_errors(settings):
    """Check the compute role's variables (a dict keyed by variable name)."""
    errors = []
    errors += name_errors("compute_project", settings.get("compute_project"))
    errors += name_errors("compute_environment", settings.get("compute_environment"))
    errors += instance_type_errors("compute_instance_type", settings.get("compute_instance_type"))
    errors += capacity_errors("compute_min_size", settings.get("compute_min_size"),
                              "compute_max_size", settings.get("compute_max_size"),
                              "compute_desired_capacity", settings.get("compute_desired_capacity"))
    os_name = settings.get("compute_os")
    ami = settings.get("compute_ami_id") or ""
    if ami and not AMI_ID.match(ami):
        errors.append("compute_ami_id: %r is not an AMI id such as ami-0123456789abcdef0" % ami)
    if not ami and os_name not in OPERATING_SYSTEMS:
        errors.append("compute_os: %r must be one of %s (or set compute_ami_id)" % (os_name, ", ".join(OPERATING_SYSTEMS)))
    elif not ami and not (settings.get("compute_ami_ssm_parameters") or {}).get(os_name):
        errors.append("compute_ami_ssm_parameters: has no SSM parameter for compute_os %s" % os_name)
    size = _int(settings.get("compute_root_volume_size"))
    if size is None or not 8 <= size <= 16384:
        errors.append("compute_root_volume_size: %r must be 8-16384 GiB" % settings.get("compute_root_volume_size"))
    hops = _int(settings.get("compute_metadata_hop_limit"))
    if hops is None or not 1 <= hops <= 64:
        errors.append("compute_metadata_hop_limit: %r must be 1-64" % settings.get("compute_metadata_hop_limit"))
    grace = _int(settings.get("compute_health_check_grace_period"))
    if grace is None or grace < 0:
        errors.append("compute_health_check_grace_period: %r must be seconds >= 0" % settings.get("compute_health_check_grace_period"))
    if settings.get("compute_health_check_type") not in ("EC2", "ELB"):
        errors.append("compute_health_check_type: %r must be EC2 or ELB" % settings.get("compute_health_check_type"))
    target = settings.get("compute_cpu_target")
    if target not in (None, "") and (not isinstance(target, (int, float)) or isinstance(target, bool) or not 1 <= target <= 100):
        errors.append("compute_cpu_target: %r must be a percentage 1-100 (or empty for no scaling policy)" % target)
    errors += scheduled_action_errors("compute_scheduled_actions", settings.get("compute_scheduled_actions"),
                                      "compute_max_size", settings.get("compute_max_size"))
    errors += time_zone_errors("compute_time_zone", settings.get("compute_time_zone"))
    errors += user_data_errors("compute_user_data", settings.get("compute_user_data"),
                               settings.get("compute_user_data_forbidden_values") or [])

    # A tier run in check mode on an empty account publishes its facts with empty ids: the facts
    # must be there, the ids only once the tier has built them.
    app_subnets = (settings.get("network_subnet_ids") or {}).get("app") or {}
    if not app_subnets:
        errors.append("network_subnet_ids: the Auto Scaling group needs network_subnet_ids.app (published by the network tier)")
    if "web" not in (settings.get("security_groups_ids") or {}):
        errors.append("security_groups_ids: the launch template needs security_groups_ids.web (published by the "
                      "security_groups tier)")
    if settings.get("iam_instance_profile_name") is None:
        errors.append("iam_instance_profile_name: the launch template needs the instance profile (published by the iam tier)")
    if settings.get("compute_health_check_type") == "ELB" and settings.get("edge_target_group_arn") is None:
        errors.append("edge_target_group_arn: health check type ELB needs the target group (published by the edge tier)")
    return errors
