#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: autoscaling_stack
short_description: Converge a launch template, its Auto Scaling group, scaling policies and schedules in one call
version_added: 0.2.0
description:
  - Converges the compute tier in one invocation - an EC2 launch template (AMI from an SSM
    public parameter or an explicit id, IMDSv2, an encrypted root volume, user data), an Auto
    Scaling group that uses it, target-tracking scaling policies, scheduled actions, group
    metrics collection, and an instance refresh when the template changes.
  - A new launch template version is created only when the normalised C(LaunchTemplateData)
    really differs from the default version's, and it becomes the default version. (With
    top-level tags M(community.aws.ec2_launch_template) creates a version on every run.)
  - The group refers to the exact version number, so a template change shows as a change of
    the group and starts an instance refresh (C(StartInstanceRefresh), rolling, skipping
    instances that already match) when O(instance_refresh.enabled) is true.
  - Tags are compared as a set of (key, value, propagate at launch); group metrics are enabled
    with an explicit list and disabled only when some are no longer wanted.
  - O(desired_capacity) is used when the group is created. Afterwards scaling policies and
    scheduled actions own the desired capacity, and a minimum or maximum size that a scheduled
    action sets (for example min 1 at night) is accepted as converged, so a run at night does
    not undo the schedule.
  - A converged re-run makes one read per resource type (SSM parameter, launch template,
    its versions, the group, its policies, its scheduled actions) and no write.
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  name:
    description: The Auto Scaling group's name.
    type: str
    required: true
  state:
    description: V(absent) deletes the group (with its instances) and then the launch template.
    type: str
    choices: [present, absent]
    default: present
  launch_template:
    description: The launch template. Required with O(state=present).
    type: dict
    suboptions:
      name:
        description: The template's name.
        type: str
        required: true
      image_id:
        description: An explicit AMI id.
        type: str
      image_ssm_parameter:
        description:
          - An SSM parameter that holds the AMI id, for example
            C(/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64). When AWS
            publishes a new AMI there, the next run makes a new template version (and refreshes
            the instances); pin O(launch_template.image_id) to avoid that.
        type: str
      instance_type:
        description: The instance type.
        type: str
        default: t3.medium
      iam_instance_profile:
        description: The name of the instance profile.
        type: str
      security_group_ids:
        description: Security group ids.
        type: list
        elements: str
        default: []
      key_name:
        description: An EC2 key pair (leave out to reach hosts through SSM Session Manager only).
        type: str
      user_data:
        description: The user data as plain text (the module encodes it). It must not hold secrets.
        type: str
        default: ''
      http_tokens:
        description: V(required) enforces IMDSv2.
        type: str
        choices: [required, optional]
        default: required
      http_put_response_hop_limit:
        description: Hops a metadata answer may travel (2 lets containers on the host reach it).
        type: int
        default: 2
      instance_metadata_tags:
        description: Whether instance tags are visible in the instance metadata.
        type: bool
        default: false
      root_volume:
        description: The root EBS volume.
        type: dict
        default: {}
        suboptions:
          device_name:
            description: The AMI's root device; looked up from the AMI (one C(DescribeImages)) when not given.
            type: str
          size:
            description: Size in GiB.
            type: int
            default: 30
          type:
            description: Volume type.
            type: str
            default: gp3
          iops:
            description: Provisioned IOPS (gp3, io1, io2).
            type: int
          throughput:
            description: Throughput in MiB/s (gp3).
            type: int
          encrypted:
            description: Whether the volume is encrypted.
            type: bool
            default: true
          kms_key_id:
            description: A customer managed KMS key; the account's default EBS key otherwise.
            type: str
          delete_on_termination:
            description: Whether the volume goes with the instance.
            type: bool
            default: true
      instance_tags:
        description: Tags for the instances and volumes launched from the template.
        type: dict
        default: {}
  min_size:
    description: The group's minimum size.
    type: int
  max_size:
    description: The group's maximum size.
    type: int
  desired_capacity:
    description: The desired capacity when the group is created (defaults to O(min_size)).
    type: int
  subnet_ids:
    description: Subnets the group launches into.
    type: list
    elements: str
    default: []
  health_check_type:
    description: V(ELB) replaces instances that fail the target group's health check.
    type: str
    choices: [EC2, ELB]
    default: EC2
  health_check_grace_period:
    description: Seconds after launch before health checks count.
    type: int
    default: 300
  target_group_arns:
    description: Target groups the group registers its instances with.
    type: list
    elements: str
    default: []
  metrics_collection:
    description: Whether group metrics are published to CloudWatch.
    type: bool
    default: true
  metrics:
    description: The group metrics to collect.
    type: list
    elements: str
    default: [GroupMinSize, GroupMaxSize, GroupDesiredCapacity, GroupInServiceInstances, GroupPendingInstances,
              GroupStandbyInstances, GroupTerminatingInstances, GroupTotalInstances]
  scaling_policies:
    description: Target-tracking scaling policies.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The policy's name.
        type: str
        required: true
      metric:
        description: The predefined metric.
        type: str
        choices: [ASGAverageCPUUtilization, ASGAverageNetworkIn, ASGAverageNetworkOut, ALBRequestCountPerTarget]
        default: ASGAverageCPUUtilization
      resource_label:
        description: For V(ALBRequestCountPerTarget) - C(app/<alb>/<id>/targetgroup/<tg>/<id>).
        type: str
      target_value:
        description: The value the group keeps the metric at.
        type: float
        required: true
      disable_scale_in:
        description: Whether the policy never removes instances.
        type: bool
        default: false
      estimated_instance_warmup:
        description: Seconds until a new instance's metrics count.
        type: int
        default: 300
  purge_scaling_policies:
    description: Delete scaling policies of the group that O(scaling_policies) does not list.
    type: bool
    default: true
  scheduled_actions:
    description: Recurring scheduled actions.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The action's name.
        type: str
        required: true
      recurrence:
        description: A cron expression in O(scheduled_actions[].time_zone), for example C(0 20 * * 1-5).
        type: str
        required: true
      time_zone:
        description: The IANA time zone of O(scheduled_actions[].recurrence); defaults to O(time_zone).
        type: str
      min_size:
        description: The minimum size from then on.
        type: int
      max_size:
        description: The maximum size from then on.
        type: int
      desired_capacity:
        description: The desired capacity from then on.
        type: int
  purge_scheduled_actions:
    description: Delete scheduled actions of the group that O(scheduled_actions) does not list.
    type: bool
    default: true
  time_zone:
    description: The default time zone of scheduled actions.
    type: str
    default: UTC
  instance_refresh:
    description: Replace the instances when this run changes the group's launch template version.
    type: dict
    default: {}
    suboptions:
      enabled:
        description: Whether to start an instance refresh.
        type: bool
        default: true
      min_healthy_percentage:
        description: Share of the group that stays in service during the refresh.
        type: int
        default: 90
      instance_warmup:
        description: Seconds until a new instance counts as ready.
        type: int
        default: 300
  user_data_secret_values:
    description: Secret values that must not appear in O(launch_template.user_data); the module fails if one does.
    type: list
    elements: str
    default: []
  wait:
    description: Wait until at least O(min_size) instances are in service after a create or a capacity change.
    type: bool
    default: false
  wait_timeout:
    description: How many seconds to wait at most.
    type: int
    default: 900
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The guide's web tier (seed 000)
  webstack.aws.autoscaling_stack:
    name: innobic-production-asg
    launch_template:
      name: innobic-production-web
      image_ssm_parameter: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64
      instance_type: t3.medium
      iam_instance_profile: innobic-production-ec2
      security_group_ids: ["{{ security_groups_ids.web }}"]
      user_data: "{{ lookup('template', 'user_data.sh.j2') }}"
      root_volume: {device_name: /dev/xvda, size: 30}
      instance_tags: {Name: innobic-production-web, Role: web}
    min_size: 2
    max_size: 6
    desired_capacity: 2
    subnet_ids: "{{ network_subnet_ids.app.values() | list }}"
    health_check_type: ELB
    target_group_arns: ["{{ edge_target_group_arn }}"]
    scaling_policies:
      - {name: cpu-target-70, target_value: 70}
    time_zone: Asia/Singapore
    scheduled_actions:
      - {name: scale-down-evening, recurrence: "0 20 * * 1-5", min_size: 1}
      - {name: scale-up-morning, recurrence: "0 8 * * 1-5", min_size: 2}
    tags:
      Project: innobic
      Name: innobic-production-web
"""

RETURN = r"""
auto_scaling_group:
  description: The group.
  returned: always
  type: dict
  contains:
    name: {description: The name., type: str, returned: always}
    arn: {description: The ARN (null in check mode for a new group)., type: str, returned: always}
launch_template:
  description: The launch template.
  returned: always
  type: dict
  contains:
    id: {description: The id (null in check mode for a new template)., type: str, returned: always}
    name: {description: The name., type: str, returned: always}
    version: {description: The default version the group uses., type: int, returned: always}
    image_id: {description: The AMI., type: str, returned: always}
instance_refresh_id:
  description: The id of the instance refresh this run started, if any.
  returned: always
  type: str
actions:
  description: The writes made (or, in check mode, that would be made), in order.
  returned: always
  type: list
  elements: str
"""

import base64
import time

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing botocore

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.webstack.aws.plugins.module_utils.compute_spec import capacity_errors
from ansible_collections.webstack.aws.plugins.module_utils.compute_spec import instance_type_errors
from ansible_collections.webstack.aws.plugins.module_utils.compute_spec import recurrence_errors
from ansible_collections.webstack.aws.plugins.module_utils.compute_spec import time_zone_errors
from ansible_collections.webstack.aws.plugins.module_utils.compute_spec import user_data_errors
from ansible_collections.webstack.aws.plugins.module_utils.desired_state import contains
from ansible_collections.webstack.aws.plugins.module_utils.desired_state import plain
from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker
from ansible_collections.webstack.aws.plugins.module_utils.resource import ec2_retry
from ansible_collections.webstack.aws.plugins.module_utils.resource import ensure_ec2_tags
from ansible_collections.webstack.aws.plugins.module_utils.resource import tag_specifications
from ansible_collections.webstack.aws.plugins.module_utils.resource import tags_dict

SIZE_KEYS = (("min_size", "MinSize"), ("max_size", "MaxSize"), ("desired_capacity", "DesiredCapacity"))


def user_data_b64(text):
    return base64.b64encode((text or "").encode("utf-8")).decode("ascii")


def normalised_template_data(data):
    """LaunchTemplateData as compared: sets sorted, and no launch-template tag specification
    (EC2 never keeps one in the data; the local AWS copies the template's own tags there)."""
    data = plain(dict(data or {}))
    if "SecurityGroupIds" in data:
        data["SecurityGroupIds"] = sorted(data["SecurityGroupIds"])
    if "BlockDeviceMappings" in data:
        data["BlockDeviceMappings"] = sorted(data["BlockDeviceMappings"], key=lambda m: m.get("DeviceName", ""))
    specs = [s for s in data.get("TagSpecifications", []) if s.get("ResourceType") != "launch-template"]
    if specs:
        data["TagSpecifications"] = sorted(
            ({"ResourceType": s["ResourceType"], "Tags": sorted(s.get("Tags", []), key=lambda t: t["Key"])} for s in specs),
            key=lambda s: s["ResourceType"])
    else:
        data.pop("TagSpecifications", None)
    return data


def same_template_data(current, desired):
    current = normalised_template_data(current)
    desired = normalised_template_data(desired)
    return set(current) == set(desired) and contains(current, desired)


class LaunchTemplate:
    def __init__(self, module, ec2, ssm, tracker):
        self.module = module
        self.ec2 = ec2
        self.ssm = ssm
        self.tracker = tracker
        self.spec = module.params["launch_template"]

    def image_id(self):
        if self.spec["image_id"]:
            return self.spec["image_id"]
        name = self.spec["image_ssm_parameter"]
        try:
            return self.ssm.get_parameter(aws_retry=True, Name=name)["Parameter"]["Value"]
        except is_boto3_error_code("ParameterNotFound"):
            self.module.fail_json(msg="launch_template.image_ssm_parameter: SSM parameter %s does not exist in this "
                                  "region (or this account cannot read it)" % name)

    def root_device_name(self, image_id):
        root = self.spec["root_volume"]
        if root.get("device_name"):
            return root["device_name"]
        images = self.ec2.describe_images(aws_retry=True, ImageIds=[image_id]).get("Images", [])
        if not images:
            self.module.fail_json(msg="launch_template: AMI %s does not exist or is not visible to this account" % image_id)
        return images[0].get("RootDeviceName") or "/dev/xvda"

    def desired_data(self, image_id, device_name):
        spec = self.spec
        root = spec["root_volume"]
        ebs = {"VolumeSize": root["size"], "VolumeType": root["type"], "Encrypted": root["encrypted"],
               "DeleteOnTermination": root["delete_on_termination"]}
        for option, key in (("iops", "Iops"), ("throughput", "Throughput"), ("kms_key_id", "KmsKeyId")):
            if root.get(option):
                ebs[key] = root[option]
        data = {
            "ImageId": image_id,
            "InstanceType": spec["instance_type"],
            "MetadataOptions": {"HttpTokens": spec["http_tokens"], "HttpPutResponseHopLimit": spec["http_put_response_hop_limit"],
                                "HttpEndpoint": "enabled",
                                "InstanceMetadataTags": "enabled" if spec["instance_metadata_tags"] else "disabled"},
            "BlockDeviceMappings": [{"DeviceName": device_name, "Ebs": ebs}],
        }
        if spec["iam_instance_profile"]:
            data["IamInstanceProfile"] = {"Name": spec["iam_instance_profile"]}
        if spec["security_group_ids"]:
            data["SecurityGroupIds"] = sorted(spec["security_group_ids"])
        if spec["key_name"]:
            data["KeyName"] = spec["key_name"]
        if spec["user_data"]:
            data["UserData"] = user_data_b64(spec["user_data"])
        if spec["instance_tags"]:
            data["TagSpecifications"] = tag_specifications("instance", spec["instance_tags"]) + \
                tag_specifications("volume", spec["instance_tags"])
        return data

    def find(self):
        try:
            found = self.ec2.describe_launch_templates(aws_retry=True, LaunchTemplateNames=[self.spec["name"]])
        except is_boto3_error_code(["InvalidLaunchTemplateName.NotFoundException", "InvalidLaunchTemplateId.NotFound"]):
            return None
        templates = found.get("LaunchTemplates", [])
        return templates[0] if templates else None

    def versions(self, template):
        answer = self.ec2.describe_launch_template_versions(aws_retry=True, LaunchTemplateId=template["LaunchTemplateId"],
                                                            Versions=["$Default", "$Latest"])
        by_number = {v["VersionNumber"]: v for v in answer.get("LaunchTemplateVersions", [])}
        return by_number.get(template["DefaultVersionNumber"]), by_number.get(template["LatestVersionNumber"])

    def summary(self, data):
        data = normalised_template_data(data)
        root = (data.get("BlockDeviceMappings") or [{}])[0]
        return {"image_id": data.get("ImageId"), "instance_type": data.get("InstanceType"),
                "iam_instance_profile": (data.get("IamInstanceProfile") or {}).get("Name"),
                "security_group_ids": data.get("SecurityGroupIds", []),
                "metadata": data.get("MetadataOptions"), "root_volume": root,
                "user_data_sha": _short_hash(data.get("UserData", "")), "key_name": data.get("KeyName"),
                "instance_tags": tags_dict((data.get("TagSpecifications") or [{}])[0])}

    def ensure(self, tags):
        """Return (template id, default version number, image id, version changed by this run)."""
        image_id = self.image_id()
        desired = self.desired_data(image_id, self.root_device_name(image_id))
        name = self.spec["name"]
        template = self.find()
        lt_tags = dict(tags or {})
        lt_tags["Name"] = name
        if template is None:
            kwargs = dict(LaunchTemplateName=name, LaunchTemplateData=desired, VersionDescription="webstack.aws")
            kwargs["TagSpecifications"] = tag_specifications("launch-template", lt_tags)
            created = self.tracker.act("create launch template %s" % name, self.ec2.create_launch_template,
                                       aws_retry=True, **kwargs)
            self.tracker.record("launch_template", name, None, dict(self.summary(desired), version=1, tags=lt_tags))
            template_id = created["LaunchTemplate"]["LaunchTemplateId"] if created else None
            return template_id, 1 if created else None, image_id, True
        template_id = template["LaunchTemplateId"]
        default, latest = self.versions(template)
        version = template["DefaultVersionNumber"]
        before = dict(self.summary(default["LaunchTemplateData"] if default else {}), version=version, tags=tags_dict(template))
        changed = False
        if default is None or not same_template_data(default["LaunchTemplateData"], desired):
            changed = True
            if latest is not None and latest["VersionNumber"] != version and \
                    same_template_data(latest["LaunchTemplateData"], desired):
                version = latest["VersionNumber"]
            else:
                created = self.tracker.act("create version of launch template %s" % name,
                                           self.ec2.create_launch_template_version, aws_retry=True,
                                           LaunchTemplateId=template_id, LaunchTemplateData=desired,
                                           VersionDescription="webstack.aws")
                version = created["LaunchTemplateVersion"]["VersionNumber"] if created else None
            if version:
                self.tracker.act("make version %s the default of launch template %s" % (version, name),
                                 self.ec2.modify_launch_template, aws_retry=True, LaunchTemplateId=template_id,
                                 DefaultVersion=str(version))
            else:
                self.tracker.plan("make the new version the default of launch template %s" % name)
        after_tags = tags_dict(template)
        if tags is not None:
            after_tags = ensure_ec2_tags(self.tracker, self.ec2, template_id, after_tags, lt_tags,
                                         self.module.params["purge_tags"])
        after = dict(self.summary(desired), version=version if changed else before["version"], tags=after_tags)
        if changed and version is None:
            after["version"] = "(new)"
        self.tracker.record("launch_template", name, before, after)
        return template_id, version, image_id, changed

    def delete(self):
        template = self.find()
        if template:
            self.tracker.act("delete launch template %s" % self.spec["name"], self.ec2.delete_launch_template,
                             aws_retry=True, LaunchTemplateId=template["LaunchTemplateId"])
            self.tracker.record("launch_template", self.spec["name"], {"id": template["LaunchTemplateId"]}, None)


def _short_hash(text):
    import hashlib  # pylint: disable=import-outside-toplevel
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()[:12] if text else None


class AutoScalingGroup:
    def __init__(self, module, client, tracker):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.params = module.params
        self.name = module.params["name"]

    def find(self):
        groups = self.client.describe_auto_scaling_groups(aws_retry=True, AutoScalingGroupNames=[self.name])
        groups = [g for g in groups.get("AutoScalingGroups", []) if g.get("Status") != "Delete in progress"]
        return groups[0] if groups else None

    def desired_tags(self):
        return {k: str(v) for k, v in (self.params["tags"] or {}).items()}

    @staticmethod
    def current_tags(group):
        return {t["Key"]: (t["Value"], bool(t.get("PropagateAtLaunch"))) for t in group.get("Tags", [])}

    def scheduled_sizes(self, key):
        return {a[key] for a in self.params["scheduled_actions"] if a.get(key) is not None}

    def tag_list(self, tags):
        return [{"ResourceId": self.name, "ResourceType": "auto-scaling-group", "Key": k, "Value": v,
                 "PropagateAtLaunch": True} for k, v in sorted(tags.items())]

    def ensure(self, group, template_id, version):
        """Return (group or None, launch template version changed on an existing group)."""
        params = self.params
        launch_template = {"LaunchTemplateId": template_id or "(new launch template)", "Version": str(version or "(new)")}
        subnets = sorted(params["subnet_ids"])
        wanted = {"launch_template": launch_template, "min_size": params["min_size"], "max_size": params["max_size"],
                  "subnets": subnets, "health_check_type": params["health_check_type"],
                  "health_check_grace_period": params["health_check_grace_period"],
                  "target_group_arns": sorted(params["target_group_arns"]),
                  "tags": {k: [v, True] for k, v in sorted(self.desired_tags().items())},
                  "metrics": sorted(params["metrics"]) if params["metrics_collection"] else []}
        if group is None:
            desired = params["desired_capacity"] if params["desired_capacity"] is not None else params["min_size"]
            wanted["desired_capacity"] = desired
            kwargs = dict(AutoScalingGroupName=self.name, LaunchTemplate=launch_template, MinSize=params["min_size"],
                          MaxSize=params["max_size"], DesiredCapacity=desired, VPCZoneIdentifier=",".join(subnets),
                          HealthCheckType=params["health_check_type"],
                          HealthCheckGracePeriod=params["health_check_grace_period"])
            if params["target_group_arns"]:
                kwargs["TargetGroupARNs"] = params["target_group_arns"]
            if self.desired_tags():
                kwargs["Tags"] = self.tag_list(self.desired_tags())
            if template_id and version:
                self.tracker.act("create Auto Scaling group %s" % self.name, self.client.create_auto_scaling_group,
                                 aws_retry=True, **kwargs)
                if params["metrics_collection"]:
                    self.tracker.act("enable metrics collection of %s" % self.name, self.client.enable_metrics_collection,
                                     aws_retry=True, AutoScalingGroupName=self.name, Metrics=params["metrics"],
                                     Granularity="1Minute")
            else:
                self.tracker.plan("create Auto Scaling group %s" % self.name)
            self.tracker.record("auto_scaling_group", self.name, None, wanted)
            return None, False

        current_template = group.get("LaunchTemplate") or {}
        current = {
            "launch_template": {"LaunchTemplateId": current_template.get("LaunchTemplateId"),
                                "Version": current_template.get("Version")},
            "min_size": group["MinSize"], "max_size": group["MaxSize"],
            "subnets": sorted(s for s in (group.get("VPCZoneIdentifier") or "").split(",") if s),
            "health_check_type": group.get("HealthCheckType"),
            "health_check_grace_period": group.get("HealthCheckGracePeriod"),
            "target_group_arns": sorted(group.get("TargetGroupARNs", [])),
            "tags": {k: list(v) for k, v in sorted(self.current_tags(group).items())},
            "metrics": sorted(m["Metric"] for m in group.get("EnabledMetrics", [])),
        }
        update = {}
        template_changed = current["launch_template"] != launch_template
        if template_changed:
            update["LaunchTemplate"] = launch_template
        # A size that a scheduled action sets counts as converged (the schedule owns it between runs).
        for option, key in SIZE_KEYS[:2]:
            accepted = {params[option]} | self.scheduled_sizes(option)
            if current[option] in accepted:
                wanted[option] = current[option]
            else:
                update[key] = params[option]
        if current["subnets"] != subnets:
            update["VPCZoneIdentifier"] = ",".join(subnets)
        if current["health_check_type"] != params["health_check_type"]:
            update["HealthCheckType"] = params["health_check_type"]
        if current["health_check_grace_period"] != params["health_check_grace_period"]:
            update["HealthCheckGracePeriod"] = params["health_check_grace_period"]
        ready = bool(template_id and version)
        if update:
            description = "update Auto Scaling group %s (%s)" % (self.name, ", ".join(sorted(update)))
            if ready or "LaunchTemplate" not in update:
                if not ready:
                    update.pop("LaunchTemplate", None)
                self.tracker.act(description, self.client.update_auto_scaling_group, aws_retry=True,
                                 AutoScalingGroupName=self.name, **update)
            else:
                self.tracker.plan(description)
        self._target_groups(current["target_group_arns"])
        self._tags(group)
        self._metrics(current["metrics"])
        self.tracker.record("auto_scaling_group", self.name, current, wanted)
        return group, template_changed

    def _target_groups(self, current):
        wanted = set(self.params["target_group_arns"])
        attach = sorted(wanted - set(current))
        detach = sorted(set(current) - wanted)
        if attach:
            self.tracker.act("attach target groups to %s" % self.name, self.client.attach_load_balancer_target_groups,
                             aws_retry=True, AutoScalingGroupName=self.name, TargetGroupARNs=attach)
        if detach:
            self.tracker.act("detach target groups from %s" % self.name, self.client.detach_load_balancer_target_groups,
                             aws_retry=True, AutoScalingGroupName=self.name, TargetGroupARNs=detach)

    def _tags(self, group):
        if self.params["tags"] is None:
            return
        current = self.current_tags(group)
        wanted = {k: (v, True) for k, v in self.desired_tags().items()}
        put = {k: v[0] for k, v in wanted.items() if current.get(k) != v}
        remove = [k for k in current if k not in wanted and not k.startswith("aws:")] if self.params["purge_tags"] else []
        if put:
            self.tracker.act("tag Auto Scaling group %s" % self.name, self.client.create_or_update_tags, aws_retry=True,
                             Tags=self.tag_list(put))
        if remove:
            self.tracker.act("untag Auto Scaling group %s" % self.name, self.client.delete_tags, aws_retry=True,
                             Tags=[{"ResourceId": self.name, "ResourceType": "auto-scaling-group", "Key": k,
                                    "Value": current[k][0]} for k in sorted(remove)])

    def _metrics(self, current):
        wanted = set(self.params["metrics"]) if self.params["metrics_collection"] else set()
        enable = sorted(wanted - set(current))
        disable = sorted(set(current) - wanted)
        if enable:
            self.tracker.act("enable metrics collection of %s" % self.name, self.client.enable_metrics_collection,
                             aws_retry=True, AutoScalingGroupName=self.name, Metrics=enable, Granularity="1Minute")
        if disable:
            self.tracker.act("disable metrics %s of %s" % (", ".join(disable), self.name),
                             self.client.disable_metrics_collection, aws_retry=True, AutoScalingGroupName=self.name,
                             Metrics=disable)

    # -- scaling policies and scheduled actions --------------------------------------------
    def ensure_policies(self, exists):
        existing = {}
        if exists:
            paginator = self.client.get_paginator("describe_policies")
            existing = {p["PolicyName"]: p for p in _paginate(paginator, "ScalingPolicies", AutoScalingGroupName=self.name)}
        for spec in self.params["scaling_policies"]:
            metric = {"PredefinedMetricType": spec["metric"]}
            if spec["resource_label"]:
                metric["ResourceLabel"] = spec["resource_label"]
            configuration = {"PredefinedMetricSpecification": metric, "TargetValue": float(spec["target_value"]),
                             "DisableScaleIn": spec["disable_scale_in"]}
            wanted = {"type": "TargetTrackingScaling", "target_tracking": configuration,
                      "estimated_instance_warmup": spec["estimated_instance_warmup"]}
            policy = existing.pop(spec["name"], None)
            before = None
            if policy is not None:
                before = {"type": policy.get("PolicyType"), "target_tracking": policy.get("TargetTrackingConfiguration"),
                          "estimated_instance_warmup": policy.get("EstimatedInstanceWarmup")}
            if before is None or before["type"] != wanted["type"] or not contains(before["target_tracking"], configuration) \
                    or before["estimated_instance_warmup"] != wanted["estimated_instance_warmup"]:
                self._write("put scaling policy %s" % spec["name"], exists, self.client.put_scaling_policy,
                            AutoScalingGroupName=self.name, PolicyName=spec["name"], PolicyType="TargetTrackingScaling",
                            TargetTrackingConfiguration=configuration,
                            EstimatedInstanceWarmup=spec["estimated_instance_warmup"])
            else:
                before = wanted
            self.tracker.record("scaling_policies", spec["name"], before, wanted)
        if self.params["purge_scaling_policies"]:
            for name in sorted(existing):
                self.tracker.act("delete scaling policy %s" % name, self.client.delete_policy, aws_retry=True,
                                 AutoScalingGroupName=self.name, PolicyName=name)
                self.tracker.record("scaling_policies", name, {"type": existing[name].get("PolicyType")}, None)

    def ensure_scheduled_actions(self, exists):
        existing = {}
        if exists:
            paginator = self.client.get_paginator("describe_scheduled_actions")
            existing = {a["ScheduledActionName"]: a for a in
                        _paginate(paginator, "ScheduledUpdateGroupActions", AutoScalingGroupName=self.name)}
        for spec in self.params["scheduled_actions"]:
            wanted = {"recurrence": spec["recurrence"], "time_zone": spec["time_zone"] or self.params["time_zone"]}
            for option, key in SIZE_KEYS:
                wanted[option] = spec[option]
            action = existing.pop(spec["name"], None)
            before = None
            if action is not None:
                before = {"recurrence": action.get("Recurrence"), "time_zone": action.get("TimeZone") or "UTC"}
                for option, key in SIZE_KEYS:
                    before[option] = action.get(key)
            if before != wanted:
                kwargs = {key: spec[option] for option, key in SIZE_KEYS if spec[option] is not None}
                self._write("put scheduled action %s" % spec["name"], exists, self.client.put_scheduled_update_group_action,
                            AutoScalingGroupName=self.name, ScheduledActionName=spec["name"],
                            Recurrence=spec["recurrence"], TimeZone=wanted["time_zone"], **kwargs)
            self.tracker.record("scheduled_actions", spec["name"], before, wanted)
        if self.params["purge_scheduled_actions"]:
            for name in sorted(existing):
                self.tracker.act("delete scheduled action %s" % name, self.client.delete_scheduled_action, aws_retry=True,
                                 AutoScalingGroupName=self.name, ScheduledActionName=name)
                self.tracker.record("scheduled_actions", name, {"recurrence": existing[name].get("Recurrence")}, None)

    def _write(self, description, exists, call, **kwargs):
        if exists or not self.module.check_mode:
            self.tracker.act(description, call, aws_retry=True, **kwargs)
        else:
            self.tracker.plan(description)

    # -- refresh, wait, delete -------------------------------------------------------------
    def start_instance_refresh(self):
        refresh = self.params["instance_refresh"]
        description = "start instance refresh of %s" % self.name
        try:
            answer = self.tracker.act(description, self.client.start_instance_refresh, aws_retry=True,
                                      AutoScalingGroupName=self.name, Strategy="Rolling",
                                      Preferences={"MinHealthyPercentage": refresh["min_healthy_percentage"],
                                                   "InstanceWarmup": refresh["instance_warmup"], "SkipMatching": True})
        except is_boto3_error_code("InstanceRefreshInProgress"):
            self.module.warn("An instance refresh of %s is already in progress; instances launched before this "
                             "template version are replaced once you run again after it ends" % self.name)
            return None
        return answer["InstanceRefreshId"] if answer else None

    def wait_in_service(self):
        deadline = time.time() + self.params["wait_timeout"]
        while True:
            group = self.find()
            in_service = [i for i in (group or {}).get("Instances", []) if i.get("LifecycleState") == "InService"]
            if group and len(in_service) >= group["MinSize"]:
                return
            if time.time() > deadline:
                self.module.fail_json(msg="wait_timeout: %d of at least %d instances of %s are in service"
                                      % (len(in_service), (group or {}).get("MinSize", 0), self.name))
            time.sleep(10)

    def delete(self, group):
        if group is None:
            return
        self.tracker.act("delete Auto Scaling group %s" % self.name, self.client.delete_auto_scaling_group,
                         aws_retry=True, AutoScalingGroupName=self.name, ForceDelete=True)
        self.tracker.record("auto_scaling_group", self.name, {"arn": group.get("AutoScalingGroupARN")}, None)
        if self.module.check_mode or not self.params["wait"]:
            return
        deadline = time.time() + self.params["wait_timeout"]
        while self.find() is not None:
            if time.time() > deadline:
                self.module.fail_json(msg="wait_timeout: Auto Scaling group %s is still being deleted" % self.name)
            time.sleep(10)


@AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30)
def _paginate(paginator, key, **params):
    return paginator.paginate(**params).build_full_result().get(key, [])


def validate(module):
    params = module.params
    errors = []
    if params["state"] == "present":
        spec = params["launch_template"]
        if not spec:
            errors.append("launch_template: required with state=present")
        else:
            if bool(spec["image_id"]) == bool(spec["image_ssm_parameter"]):
                errors.append("launch_template: give exactly one of image_id and image_ssm_parameter")
            errors += instance_type_errors("launch_template.instance_type", spec["instance_type"])
            errors += user_data_errors("launch_template.user_data", spec["user_data"], params["user_data_secret_values"])
            if not 1 <= spec["http_put_response_hop_limit"] <= 64:
                errors.append("launch_template.http_put_response_hop_limit: must be 1-64")
            if not 1 <= spec["root_volume"]["size"] <= 16384:
                errors.append("launch_template.root_volume.size: must be 1-16384 GiB")
        if params["min_size"] is None or params["max_size"] is None:
            errors.append("min_size, max_size: required with state=present")
        else:
            errors += capacity_errors("min_size", params["min_size"], "max_size", params["max_size"],
                                      "desired_capacity", params["desired_capacity"])
        if not params["subnet_ids"]:
            errors.append("subnet_ids: required with state=present")
        errors += time_zone_errors("time_zone", params["time_zone"])
        for index, action in enumerate(params["scheduled_actions"]):
            label = "scheduled_actions[%d]" % index
            errors += recurrence_errors("%s.recurrence" % label, action["recurrence"])
            if action["time_zone"]:
                errors += time_zone_errors("%s.time_zone" % label, action["time_zone"])
            if all(action[k] is None for k, _key in SIZE_KEYS):
                errors.append("%s: give at least one of min_size, max_size, desired_capacity" % label)
        for index, policy in enumerate(params["scaling_policies"]):
            if policy["metric"] == "ALBRequestCountPerTarget" and not policy["resource_label"]:
                errors.append("scaling_policies[%d].resource_label: required for ALBRequestCountPerTarget" % index)
        for key in ("scaling_policies", "scheduled_actions"):
            names = [item["name"] for item in params[key]]
            errors += ["%s: name %s is used twice" % (key, n) for n in sorted({n for n in names if names.count(n) > 1})]
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)


def main():
    root_spec = dict(
        device_name=dict(type="str"),
        size=dict(type="int", default=30),
        type=dict(type="str", default="gp3"),
        iops=dict(type="int"),
        throughput=dict(type="int"),
        encrypted=dict(type="bool", default=True),
        kms_key_id=dict(type="str"),
        delete_on_termination=dict(type="bool", default=True),
    )
    template_spec = dict(
        name=dict(type="str", required=True),
        image_id=dict(type="str"),
        image_ssm_parameter=dict(type="str"),
        instance_type=dict(type="str", default="t3.medium"),
        iam_instance_profile=dict(type="str"),
        security_group_ids=dict(type="list", elements="str", default=[]),
        key_name=dict(type="str", no_log=False),
        user_data=dict(type="str", default=""),
        http_tokens=dict(type="str", choices=["required", "optional"], default="required"),
        http_put_response_hop_limit=dict(type="int", default=2),
        instance_metadata_tags=dict(type="bool", default=False),
        root_volume=dict(type="dict", options=root_spec, default={}),
        instance_tags=dict(type="dict", default={}),
    )
    policy_spec = dict(
        name=dict(type="str", required=True),
        metric=dict(type="str", default="ASGAverageCPUUtilization",
                    choices=["ASGAverageCPUUtilization", "ASGAverageNetworkIn", "ASGAverageNetworkOut", "ALBRequestCountPerTarget"]),
        resource_label=dict(type="str"),
        target_value=dict(type="float", required=True),
        disable_scale_in=dict(type="bool", default=False),
        estimated_instance_warmup=dict(type="int", default=300),
    )
    schedule_spec = dict(
        name=dict(type="str", required=True),
        recurrence=dict(type="str", required=True),
        time_zone=dict(type="str"),
        min_size=dict(type="int"),
        max_size=dict(type="int"),
        desired_capacity=dict(type="int"),
    )
    refresh_spec = dict(
        enabled=dict(type="bool", default=True),
        min_healthy_percentage=dict(type="int", default=90),
        instance_warmup=dict(type="int", default=300),
    )
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        launch_template=dict(type="dict", options=template_spec),
        min_size=dict(type="int"),
        max_size=dict(type="int"),
        desired_capacity=dict(type="int"),
        subnet_ids=dict(type="list", elements="str", default=[]),
        health_check_type=dict(type="str", choices=["EC2", "ELB"], default="EC2"),
        health_check_grace_period=dict(type="int", default=300),
        target_group_arns=dict(type="list", elements="str", default=[]),
        metrics_collection=dict(type="bool", default=True),
        metrics=dict(type="list", elements="str", default=[
            "GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances",
            "GroupStandbyInstances", "GroupTerminatingInstances", "GroupTotalInstances"]),
        scaling_policies=dict(type="list", elements="dict", options=policy_spec, default=[]),
        purge_scaling_policies=dict(type="bool", default=True),
        scheduled_actions=dict(type="list", elements="dict", options=schedule_spec, default=[]),
        purge_scheduled_actions=dict(type="bool", default=True),
        time_zone=dict(type="str", default="UTC"),
        instance_refresh=dict(type="dict", options=refresh_spec, default={}),
        user_data_secret_values=dict(type="list", elements="str", default=[], no_log=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=900),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    params = module.params
    tracker = ChangeTracker(module)
    autoscaling = module.client("autoscaling", retry_decorator=AWSRetry.jittered_backoff(
        retries=10, delay=1, max_delay=30, catch_extra_error_codes=["ResourceContention"]))
    ec2 = module.client("ec2", retry_decorator=ec2_retry())
    group_manager = AutoScalingGroup(module, autoscaling, tracker)
    result = {"auto_scaling_group": {"name": params["name"], "arn": None},
              "launch_template": {"id": None, "name": (params["launch_template"] or {}).get("name"), "version": None,
                                  "image_id": None},
              "instance_refresh_id": None}
    try:
        if params["state"] == "absent":
            group_manager.delete(group_manager.find())
            if params["launch_template"]:
                LaunchTemplate(module, ec2, None, tracker).delete()
        else:
            ssm = module.client("ssm", retry_decorator=AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30))
            template = LaunchTemplate(module, ec2, ssm, tracker)
            template_id, version, image_id, _template_changed = template.ensure(params["tags"])
            result["launch_template"].update({"id": template_id, "version": version, "image_id": image_id})
            group = group_manager.find()
            existed = group is not None
            group, version_changed = group_manager.ensure(group, template_id, version)
            group_manager.ensure_policies(existed)
            group_manager.ensure_scheduled_actions(existed)
            if existed and version_changed and params["instance_refresh"]["enabled"]:
                result["instance_refresh_id"] = group_manager.start_instance_refresh()
            if params["wait"] and tracker.changed and not module.check_mode:
                group_manager.wait_in_service()
            found = group or (group_manager.find() if not module.check_mode else None)
            result["auto_scaling_group"]["arn"] = (found or {}).get("AutoScalingGroupARN")
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        module.fail_json_aws(exc, msg="Auto Scaling / EC2 call failed for %s" % params["name"])
    module.exit_json(changed=tracker.changed, actions=tracker.actions, diff=tracker.diff, **result)


if __name__ == "__main__":
    main()
