# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks of the delivery tier (CodeDeploy), shared by the codedeploy_* modules and the
delivery_input_errors filter (which the delivery role runs before any API call), and the mapping
of the guide's traffic shifting names to what CodeDeploy offers on EC2.

The guide (seed 000) names Linear10PercentEvery10Minutes, Canary10Percent30Minutes and AllAtOnce.
Time-based traffic shifting (TimeBasedLinear, TimeBasedCanary) exists in CodeDeploy only for the
Lambda and ECS compute platforms (CodeDeployDefault.LambdaLinear10PercentEvery10Minutes,
CodeDeployDefault.LambdaCanary10Percent30Minutes, ...). On the Server (EC2/on-premises) platform
a blue/green deployment reroutes traffic by registering the replacement instances with the target
group, in batches set by the deployment configuration's minimum healthy hosts: all at once, half
at a time or one at a time. No interval between batches can be configured, and the zonal
configuration (monitor time per availability zone) works only with in-place deployments.
TRAFFIC_SHIFTING below maps each name to the closest predefined Server configuration; the time
left in the name has no equivalent, and the window in which alarms can still roll a blue/green
deployment back is the time the original instances are kept (termination wait).
"""

from __future__ import annotations

import re

from ansible_collections.webstack.aws.plugins.module_utils.network_spec import name_errors

SERVER_CONFIGS = ("CodeDeployDefault.OneAtATime", "CodeDeployDefault.HalfAtATime", "CodeDeployDefault.AllAtOnce")
TRAFFIC_SHIFTING = {
    # guide's name: (Server deployment configuration, what it does)
    "AllAtOnce": ("CodeDeployDefault.AllAtOnce",
                  "all replacement instances are registered with the target group at once"),
    "Linear10PercentEvery10Minutes": ("CodeDeployDefault.OneAtATime",
                                      "replacement instances take traffic one at a time, the finest step on EC2 "
                                      "(no fixed 10-minute interval exists for the Server platform)"),
    "Canary10Percent30Minutes": ("CodeDeployDefault.OneAtATime",
                                 "the first replacement instance takes traffic first, then the others one at a "
                                 "time; the 30-minute observation is the termination wait of the original fleet"),
}
STYLES = ("in_place", "blue_green")
GREEN_FLEET = ("copy_auto_scaling_group", "discover_existing")
READY_ACTIONS = ("continue", "stop")
ROLLBACK_EVENTS = ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST")
MAX_ALARMS = 10  # CodeDeploy's limit of alarms per deployment group
MAX_WAIT_MINUTES = 2880  # CodeDeploy waits at most two days
NAME_RE = re.compile(r"^[A-Za-z0-9_.+=,@-]{1,100}$")
ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
TARGET_GROUP_ARN_RE = re.compile(r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup/([A-Za-z0-9-]{1,32})/[0-9a-f]+$")
BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def server_config(name):
    """OneAtATime or CodeDeployDefault.OneAtATime -> CodeDeployDefault.OneAtATime (None if unknown)."""
    if not isinstance(name, str):
        return None
    full = name if name.startswith("CodeDeployDefault.") else "CodeDeployDefault." + name
    return full if full in SERVER_CONFIGS else None


def target_group_name(value):
    """A target group's name from its ARN (CodeDeploy's loadBalancerInfo takes names), or the name itself."""
    match = TARGET_GROUP_ARN_RE.match(value or "")
    return match.group(1) if match else value


def minutes_errors(label, value):
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_WAIT_MINUTES:
        return ["%s: %r must be a whole number of minutes from 0 to %d" % (label, value, MAX_WAIT_MINUTES)]
    return []


def alarm_errors(label, names):
    if not isinstance(names, list):
        return ["%s: must be a list of CloudWatch alarm names" % label]
    errors = []
    if len(names) > MAX_ALARMS:
        errors.append("%s: %d alarms, but CodeDeploy watches at most %d per deployment group"
                      % (label, len(names), MAX_ALARMS))
    for index, name in enumerate(names):
        if not isinstance(name, str) or not name or len(name) > 255:
            errors.append("%s[%d]: %r is not a CloudWatch alarm name" % (label, index, name))
    return errors


def rollback_errors(label, events, alarms):
    if not isinstance(events, list):
        return ["%s: must be a list of rollback events" % label]
    errors = []
    for index, event in enumerate(events):
        if event not in ROLLBACK_EVENTS:
            errors.append("%s[%d]: %r must be one of %s" % (label, index, event, ", ".join(ROLLBACK_EVENTS)))
    if "DEPLOYMENT_STOP_ON_ALARM" in events and not alarms:
        errors.append("%s: DEPLOYMENT_STOP_ON_ALARM needs at least one alarm to watch" % label)
    return errors


def delivery_input_errors(settings):
    """Check the delivery role's variables (a dict keyed by variable name)."""
    errors = []
    errors += name_errors("delivery_project", settings.get("delivery_project"))
    errors += name_errors("delivery_environment", settings.get("delivery_environment"))
    for var in ("delivery_application_name", "delivery_deployment_group_name"):
        value = settings.get(var)
        if not isinstance(value, str) or not NAME_RE.match(value):
            errors.append("%s: %r must be 1-100 letters, digits or _.+=,@-" % (var, value))
    style = settings.get("delivery_deployment_style")
    if style not in STYLES:
        errors.append("delivery_deployment_style: %r must be one of %s" % (style, ", ".join(STYLES)))
    if server_config(settings.get("delivery_in_place_config")) is None:
        errors.append("delivery_in_place_config: %r must be one of %s (or the short names OneAtATime, HalfAtATime, "
                      "AllAtOnce)" % (settings.get("delivery_in_place_config"), ", ".join(SERVER_CONFIGS)))
    shifting = settings.get("delivery_traffic_shifting")
    if shifting not in TRAFFIC_SHIFTING:
        errors.append("delivery_traffic_shifting: %r must be one of %s" % (shifting, ", ".join(TRAFFIC_SHIFTING)))
    if settings.get("delivery_green_fleet") not in GREEN_FLEET:
        errors.append("delivery_green_fleet: %r must be one of %s" % (settings.get("delivery_green_fleet"),
                                                                      ", ".join(GREEN_FLEET)))
    if settings.get("delivery_ready_action") not in READY_ACTIONS:
        errors.append("delivery_ready_action: %r must be one of %s" % (settings.get("delivery_ready_action"),
                                                                       ", ".join(READY_ACTIONS)))
    errors += minutes_errors("delivery_blue_termination_wait_minutes", settings.get("delivery_blue_termination_wait_minutes"))
    errors += minutes_errors("delivery_ready_wait_minutes", settings.get("delivery_ready_wait_minutes"))
    alarms = settings.get("delivery_alarm_names")
    errors += alarm_errors("delivery_alarm_names", alarms)
    errors += rollback_errors("delivery_rollback_events", settings.get("delivery_rollback_events"),
                              alarms if isinstance(alarms, list) else [])

    role = settings.get("delivery_service_role_arn")
    if not role:
        errors.append("delivery_service_role_arn: required: the CodeDeploy service role (the iam tier's "
                      "iam_codedeploy_role_arn)")
    elif not isinstance(role, str) or not ROLE_ARN_RE.match(role):
        errors.append("delivery_service_role_arn: %r is not an IAM role ARN" % (role,))
    if not settings.get("delivery_asg_name"):
        errors.append("delivery_asg_name: required: the Auto Scaling group to deploy to (the compute tier's "
                      "compute_asg_name)")
    target_group = settings.get("delivery_target_group_arn")
    if target_group and not TARGET_GROUP_ARN_RE.match(target_group):
        errors.append("delivery_target_group_arn: %r is not a target group ARN" % (target_group,))
    if style == "blue_green" and not target_group:
        errors.append("delivery_target_group_arn: required with delivery_deployment_style blue_green (traffic is "
                      "rerouted through the load balancer; the edge tier's edge_target_group_arn)")
    bucket = settings.get("delivery_artifacts_bucket")
    if bucket and (not isinstance(bucket, str) or not BUCKET_RE.match(bucket)):
        errors.append("delivery_artifacts_bucket: %r is not a valid S3 bucket name" % (bucket,))
    return errors
