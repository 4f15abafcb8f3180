#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: codedeploy_deployment_group
short_description: A CodeDeploy deployment group for EC2 Auto Scaling, in-place or blue/green, with rollback on failure and alarms
version_added: 0.2.0
description:
  - Creates, updates or deletes a CodeDeploy deployment group of an application on the Server
    (EC2/on-premises) platform, with its service role, Auto Scaling groups, target groups (traffic
    control), deployment configuration, deployment style (in-place, or blue/green with a copy of
    the Auto Scaling group), automatic rollback and the CloudWatch alarms that stop a deployment.
  - One C(GetDeploymentGroup) call reads the group; only a difference is written, with one
    C(UpdateDeploymentGroup) call. The tag read needs the group's ARN, which needs the account id
    (one C(sts:GetCallerIdentity) call).
  - In a blue/green deployment that copies the Auto Scaling group, CodeDeploy replaces the group's
    Auto Scaling group with the copy it made. After the group exists, O(auto_scaling_groups) is
    therefore not compared any more in that mode (as Terraform users do with C(ignore_changes));
    an update keeps the Auto Scaling groups CodeDeploy set.
  - On the Server platform traffic moves to the replacement instances in batches of the
    deployment configuration (C(CodeDeployDefault.AllAtOnce), C(HalfAtATime), C(OneAtATime) or a
    custom configuration with minimum healthy hosts); time-based linear and canary shifting exist
    only for Lambda and ECS.
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  application:
    description: The application's name.
    type: str
    required: true
  name:
    description: The deployment group's name (seed 000 C(production)).
    type: str
    required: true
  state:
    description: V(present) creates or updates the group; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  service_role_arn:
    description: The IAM role CodeDeploy acts with. Required with O(state=present).
    type: str
  deployment_config_name:
    description: The deployment configuration.
    type: str
    default: CodeDeployDefault.OneAtATime
  auto_scaling_groups:
    description: The Auto Scaling groups deployed to.
    type: list
    elements: str
    default: []
  target_groups:
    description:
      - ALB target groups (names, or ARNs from which the name is taken) whose traffic CodeDeploy
        controls during a deployment.
    type: list
    elements: str
    default: []
  deployment_type:
    description: V(in_place) updates the instances; V(blue_green) replaces them.
    type: str
    choices: [in_place, blue_green]
    default: in_place
  traffic_control:
    description:
      - Deregister instances from O(target_groups) while they are deployed to (in-place) or
        reroute traffic through them (blue/green, where it is required).
      - Defaults to true when O(target_groups) is given.
    type: bool
  blue_green:
    description: How a blue/green deployment provisions and retires instances.
    type: dict
    default: {}
    suboptions:
      green_fleet_provisioning:
        description: V(copy_auto_scaling_group) launches a copy of the Auto Scaling group; V(discover_existing) uses instances given at deployment.
        type: str
        choices: [copy_auto_scaling_group, discover_existing]
        default: copy_auto_scaling_group
      terminate_blue:
        description: Terminate the original instances after the traffic moved (else keep them running, deregistered).
        type: bool
        default: true
      termination_wait_minutes:
        description: Minutes the original instances are kept after the traffic moved, during which alarms can still roll back (0-2880).
        type: int
        default: 60
      ready_action:
        description: V(continue) reroutes traffic as soon as the replacement is ready; V(stop) waits for a manual continue.
        type: str
        choices: [continue, stop]
        default: continue
      ready_wait_minutes:
        description: With O(blue_green.ready_action=stop), minutes to wait for the manual continue before the deployment stops.
        type: int
        default: 0
  auto_rollback:
    description: Automatic rollback.
    type: dict
    default: {}
    suboptions:
      enabled:
        description: Whether CodeDeploy rolls back on O(auto_rollback.events).
        type: bool
        default: false
      events:
        description: The events that roll back.
        type: list
        elements: str
        choices: [DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST]
        default: []
  alarms:
    description: CloudWatch alarms (of the group's region) that stop a deployment when they fire.
    type: dict
    default: {}
    suboptions:
      names:
        description: Up to ten alarm names.
        type: list
        elements: str
        default: []
      enabled:
        description: Whether the alarms are watched. Defaults to true when O(alarms.names) is not empty.
        type: bool
      ignore_poll_alarm_failure:
        description: Go on with a deployment when the alarms' state cannot be read.
        type: bool
        default: false
  outdated_instances_strategy:
    description: What happens to instances that launch during a deployment and miss it.
    type: str
    choices: [UPDATE, IGNORE]
    default: UPDATE
  termination_hook:
    description: Let CodeDeploy run the ApplicationStop hooks when Auto Scaling terminates an instance.
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Blue/green for production, rolled back on failure and on the stack's alarms
  webstack.aws.codedeploy_deployment_group:
    application: innobic-app
    name: production
    service_role_arn: arn:aws:iam::123456789012:role/innobic-production-codedeploy
    auto_scaling_groups: [innobic-production-asg]
    target_groups: [arn:aws:elasticloadbalancing:ap-southeast-1:123456789012:targetgroup/innobic-production-tg/0123456789abcdef]
    deployment_type: blue_green
    deployment_config_name: CodeDeployDefault.OneAtATime
    blue_green:
      green_fleet_provisioning: copy_auto_scaling_group
      termination_wait_minutes: 60
    auto_rollback:
      enabled: true
      events: [DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM]
    alarms:
      names: [innobic-production-alarm-5xx-rate-high, innobic-production-alarm-response-time-high]
    tags:
      Project: innobic
      Environment: production

- name: In-place rolling deployments, half of the instances at a time, for staging
  webstack.aws.codedeploy_deployment_group:
    application: innobic-app
    name: staging
    service_role_arn: arn:aws:iam::123456789012:role/innobic-staging-codedeploy
    auto_scaling_groups: [innobic-staging-asg]
    target_groups: [innobic-staging-tg]
    deployment_config_name: CodeDeployDefault.HalfAtATime
    auto_rollback: {enabled: true, events: [DEPLOYMENT_FAILURE]}
"""

RETURN = r"""
application:
  description: The application's name.
  returned: always
  type: str
deployment_group_name:
  description: The group's name.
  returned: always
  type: str
deployment_group_id:
  description: The group's id (null when absent or only planned).
  returned: always
  type: str
arn:
  description: The group's ARN (null when absent or only planned).
  returned: always
  type: str
  sample: arn:aws:codedeploy:ap-southeast-1:123456789012:deploymentgroup:innobic-app/production
auto_scaling_groups:
  description: The group's Auto Scaling groups (after a blue/green deployment, the copy CodeDeploy made).
  returned: always
  type: list
  elements: str
actions:
  description: The writes made (or, in check mode, that would be made).
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
from ansible_collections.webstack.aws.plugins.module_utils.delivery_spec import NAME_RE
from ansible_collections.webstack.aws.plugins.module_utils.delivery_spec import ROLE_ARN_RE
from ansible_collections.webstack.aws.plugins.module_utils.delivery_spec import alarm_errors
from ansible_collections.webstack.aws.plugins.module_utils.delivery_spec import minutes_errors
from ansible_collections.webstack.aws.plugins.module_utils.delivery_spec import rollback_errors
from ansible_collections.webstack.aws.plugins.module_utils.delivery_spec import target_group_name
from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker

GREEN_FLEET = {"copy_auto_scaling_group": "COPY_AUTO_SCALING_GROUP", "discover_existing": "DISCOVER_EXISTING"}
READY = {"continue": "CONTINUE_DEPLOYMENT", "stop": "STOP_DEPLOYMENT"}


def asg_names(groups):
    """autoScalingGroups as names; AWS answers [{name, hook, terminationHook}]. None when an
    entry has no name (AWS always gives it; some local AWS emulations do not)."""
    names = [g.get("name") if isinstance(g, dict) else g for g in groups or []]
    return None if any(not n for n in names) else sorted(names)


class Desired:
    """The group as the module parameters describe it, in the API's shape and in a comparable form."""

    def __init__(self, params):
        self.params = params
        self.blue_green = params["deployment_type"] == "blue_green"
        self.target_groups = sorted({target_group_name(t) for t in params["target_groups"]})
        traffic = params["traffic_control"]
        self.traffic_control = bool(self.target_groups) if traffic is None else traffic
        alarms = params["alarms"] or {}
        self.alarm_names = sorted(set(alarms.get("names") or []))
        enabled = alarms.get("enabled")
        self.alarms_enabled = bool(self.alarm_names) if enabled is None else enabled
        self.copies_asg = self.blue_green and (params["blue_green"] or {}).get(
            "green_fleet_provisioning", "copy_auto_scaling_group") == "copy_auto_scaling_group"

    def api(self, auto_scaling_groups=None):
        params = self.params
        rollback = params["auto_rollback"] or {}
        call = {
            "deploymentConfigName": params["deployment_config_name"],
            "serviceRoleArn": params["service_role_arn"],
            "autoScalingGroups": auto_scaling_groups if auto_scaling_groups is not None else params["auto_scaling_groups"],
            "deploymentStyle": {"deploymentType": "BLUE_GREEN" if self.blue_green else "IN_PLACE",
                                "deploymentOption": "WITH_TRAFFIC_CONTROL" if self.traffic_control
                                else "WITHOUT_TRAFFIC_CONTROL"},
            "autoRollbackConfiguration": {"enabled": bool(rollback.get("enabled")),
                                          "events": list(rollback.get("events") or [])},
            "alarmConfiguration": {"enabled": self.alarms_enabled,
                                   "ignorePollAlarmFailure": bool((params["alarms"] or {}).get("ignore_poll_alarm_failure")),
                                   "alarms": [{"name": n} for n in self.alarm_names]},
            "outdatedInstancesStrategy": params["outdated_instances_strategy"],
            "terminationHookEnabled": params["termination_hook"],
        }
        if self.target_groups:
            call["loadBalancerInfo"] = {"targetGroupInfoList": [{"name": n} for n in self.target_groups]}
        if self.blue_green:
            blue_green = params["blue_green"] or {}
            call["blueGreenDeploymentConfiguration"] = {
                "terminateBlueInstancesOnDeploymentSuccess": {
                    "action": "TERMINATE" if blue_green.get("terminate_blue", True) else "KEEP_ALIVE",
                    "terminationWaitTimeInMinutes": blue_green.get("termination_wait_minutes", 60)},
                "deploymentReadyOption": {
                    "actionOnTimeout": READY[blue_green.get("ready_action", "continue")],
                    "waitTimeInMinutes": blue_green.get("ready_wait_minutes", 0)},
                "greenFleetProvisioningOption": {
                    "action": GREEN_FLEET[blue_green.get("green_fleet_provisioning", "copy_auto_scaling_group")]},
            }
        return call


def normalize(group, blue_green):
    """The comparable part of a deployment group (from GetDeploymentGroup, or Desired.api()).

    alarm_configuration is None when the answer does not report it (AWS always does).
    """
    rollback = group.get("autoRollbackConfiguration") or {}
    alarms = group.get("alarmConfiguration") or {}
    style = group.get("deploymentStyle") or {}
    result = {
        "deployment_config_name": group.get("deploymentConfigName"),
        "service_role_arn": group.get("serviceRoleArn"),
        "auto_scaling_groups": asg_names(group.get("autoScalingGroups")),
        "target_groups": sorted(t.get("name") for t in (group.get("loadBalancerInfo") or {}).get("targetGroupInfoList") or []),
        "deployment_type": style.get("deploymentType") or "IN_PLACE",
        "deployment_option": style.get("deploymentOption") or "WITHOUT_TRAFFIC_CONTROL",
        "auto_rollback": {"enabled": bool(rollback.get("enabled")),
                          "events": sorted(rollback.get("events") or []) if rollback.get("enabled") else []},
        "alarm_configuration": None if "enabled" not in alarms else {
            "enabled": bool(alarms.get("enabled")),
            "ignore_poll_alarm_failure": bool(alarms.get("ignorePollAlarmFailure")),
            "alarms": sorted(a.get("name") for a in alarms.get("alarms") or [])},
        "outdated_instances_strategy": group.get("outdatedInstancesStrategy") or "UPDATE",
        "termination_hook": bool(group.get("terminationHookEnabled")),
    }
    if blue_green:
        config = group.get("blueGreenDeploymentConfiguration") or {}
        terminate = config.get("terminateBlueInstancesOnDeploymentSuccess") or {}
        ready = config.get("deploymentReadyOption") or {}
        action = terminate.get("action") or "TERMINATE"
        ready_action = ready.get("actionOnTimeout") or "CONTINUE_DEPLOYMENT"
        result["blue_green"] = {
            "green_fleet_provisioning": (config.get("greenFleetProvisioningOption") or {}).get("action")
            or "DISCOVER_EXISTING",
            "termination_action": action,
            "termination_wait_minutes": terminate.get("terminationWaitTimeInMinutes", 0) if action == "TERMINATE" else None,
            "ready_action": ready_action,
            "ready_wait_minutes": ready.get("waitTimeInMinutes", 0) if ready_action == "STOP_DEPLOYMENT" else None,
        }
    return result


class DeploymentGroup:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.application = module.params["application"]
        self.name = module.params["name"]
        self.client = module.client("codedeploy", retry_decorator=default_retry())
        self.tracker = ChangeTracker(module)
        self.account = AccountId(module)

    def arn(self):
        return "arn:%s:codedeploy:%s:%s:deploymentgroup:%s/%s" % (
            partition_of(self.module.region), self.module.region, self.account.get(), self.application, self.name)

    def read(self):
        try:
            return self.client.get_deployment_group(aws_retry=True, applicationName=self.application,
                                                    deploymentGroupName=self.name)["deploymentGroupInfo"]
        except is_boto3_error_code(["DeploymentGroupDoesNotExistException", "ApplicationDoesNotExistException"]):
            return None

    def present(self):
        desired = Desired(self.params)
        group = self.read()
        key = "%s/%s" % (self.application, self.name)
        if group is None:
            call = dict(desired.api(), applicationName=self.application, deploymentGroupName=self.name)
            if self.params.get("tags"):
                call["tags"] = [{"Key": k, "Value": v} for k, v in self.params["tags"].items()]
            created = self.tracker.act("create deployment group %s" % key, self.client.create_deployment_group,
                                       aws_retry=True, **call)
            wanted = normalize(desired.api(), desired.blue_green)
            if self.params.get("tags") is not None:
                wanted["tags"] = self.params["tags"]
            self.tracker.record("deployment_group", key, None, wanted)
            group_id = created["deploymentGroupId"] if created else None
            return self.result(group_id, self.params["auto_scaling_groups"], exists=bool(created))

        current = normalize(group, desired.blue_green)
        current_asgs = current["auto_scaling_groups"]
        # A blue/green deployment that copied the Auto Scaling group left its copy in the group.
        keep_asgs = current_asgs if desired.copies_asg else None
        wanted = normalize(desired.api(keep_asgs), desired.blue_green)
        for field, what in (("alarm_configuration", "alarm configuration"), ("auto_scaling_groups", "Auto Scaling groups")):
            if current[field] is None:
                self.module.warn("GetDeploymentGroup did not report the %s of %s; it was not compared "
                                 "(AWS always reports it; some local AWS emulations do not)" % (what, key))
                wanted[field] = None
        if current != wanted:
            call = dict(desired.api(keep_asgs), applicationName=self.application, currentDeploymentGroupName=self.name)
            self.tracker.act("update deployment group %s" % key, self.client.update_deployment_group, aws_retry=True,
                             **call)
        if self.params.get("tags") is not None:
            arn = self.arn()
            current["tags"] = read_tags(self.client, "codedeploy", arn)
            wanted["tags"] = ensure_tags(self.tracker, self.client, "codedeploy", arn, current["tags"], self.params["tags"],
                                         self.params["purge_tags"])
        self.tracker.record("deployment_group", key, current, wanted)
        return self.result(group.get("deploymentGroupId"), keep_asgs or self.params["auto_scaling_groups"], exists=True)

    def absent(self):
        group = self.read()
        key = "%s/%s" % (self.application, self.name)
        if group is not None:
            self.tracker.act("delete deployment group %s" % key, self.client.delete_deployment_group, aws_retry=True,
                             applicationName=self.application, deploymentGroupName=self.name)
            self.tracker.record("deployment_group", key, {"deployment_group_id": group.get("deploymentGroupId")}, None)
        return self.result(None, [], exists=False)

    def result(self, group_id, auto_scaling_groups, exists):
        return {"changed": self.tracker.changed, "application": self.application, "deployment_group_name": self.name,
                "deployment_group_id": group_id, "arn": self.arn() if exists else None,
                "auto_scaling_groups": list(auto_scaling_groups), "actions": self.tracker.actions,
                "diff": self.tracker.diff}


def validate(module):
    params = module.params
    errors = []
    for option in ("application", "name"):
        if not NAME_RE.match(params[option]):
            errors.append("%s: %r must be 1-100 letters, digits or _.+=,@-" % (option, params[option]))
    if not module.region:
        errors.append("region: required (CodeDeploy is regional)")
    if params["state"] == "present":
        role = params.get("service_role_arn")
        if not role:
            errors.append("service_role_arn: required with state=present")
        elif not ROLE_ARN_RE.match(role):
            errors.append("service_role_arn: %r is not an IAM role ARN" % role)
        alarms = params["alarms"] or {}
        errors += alarm_errors("alarms.names", alarms.get("names") or [])
        rollback = params["auto_rollback"] or {}
        if rollback.get("enabled"):
            watched = (alarms.get("names") or []) if alarms.get("enabled") is not False else []
            errors += rollback_errors("auto_rollback.events", rollback.get("events") or [], watched)
            if not rollback.get("events"):
                errors.append("auto_rollback.events: list at least one event when auto_rollback.enabled is true")
        blue_green = params["blue_green"] or {}
        errors += minutes_errors("blue_green.termination_wait_minutes", blue_green.get("termination_wait_minutes", 60))
        errors += minutes_errors("blue_green.ready_wait_minutes", blue_green.get("ready_wait_minutes", 0))
        desired = Desired(params)
        if desired.blue_green:
            if not desired.traffic_control:
                errors.append("traffic_control: a blue/green deployment on EC2 reroutes traffic through a load balancer; "
                              "give target_groups")
            if desired.copies_asg and not params["auto_scaling_groups"]:
                errors.append("auto_scaling_groups: blue_green.green_fleet_provisioning=copy_auto_scaling_group needs the "
                              "Auto Scaling group to copy")
        if desired.traffic_control and not desired.target_groups:
            errors.append("traffic_control: needs target_groups")
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)


def main():
    blue_green_spec = dict(
        green_fleet_provisioning=dict(type="str", choices=list(GREEN_FLEET), default="copy_auto_scaling_group"),
        terminate_blue=dict(type="bool", default=True),
        termination_wait_minutes=dict(type="int", default=60),
        ready_action=dict(type="str", choices=list(READY), default="continue"),
        ready_wait_minutes=dict(type="int", default=0),
    )
    rollback_spec = dict(
        enabled=dict(type="bool", default=False),
        events=dict(type="list", elements="str", default=[],
                    choices=["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST"]),
    )
    alarm_spec = dict(
        names=dict(type="list", elements="str", default=[]),
        enabled=dict(type="bool"),
        ignore_poll_alarm_failure=dict(type="bool", default=False),
    )
    argument_spec = dict(
        application=dict(type="str", required=True),
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        service_role_arn=dict(type="str"),
        deployment_config_name=dict(type="str", default="CodeDeployDefault.OneAtATime"),
        auto_scaling_groups=dict(type="list", elements="str", default=[]),
        target_groups=dict(type="list", elements="str", default=[]),
        deployment_type=dict(type="str", choices=["in_place", "blue_green"], default="in_place"),
        traffic_control=dict(type="bool"),
        blue_green=dict(type="dict", options=blue_green_spec, default={}),
        auto_rollback=dict(type="dict", options=rollback_spec, default={}),
        alarms=dict(type="dict", options=alarm_spec, default={}),
        outdated_instances_strategy=dict(type="str", choices=["UPDATE", "IGNORE"], default="UPDATE"),
        termination_hook=dict(type="bool", default=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    group = DeploymentGroup(module)
    try:
        result = group.present() if module.params["state"] == "present" else group.absent()
    except Exception as exc:  # botocore ClientError / BotoCoreError
        module.fail_json_aws(exc, msg="Could not converge deployment group %s/%s (done so far: %s)"
                             % (module.params["application"], module.params["name"],
                                "; ".join(group.tracker.actions) or "nothing"))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
