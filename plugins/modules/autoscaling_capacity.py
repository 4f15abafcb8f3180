#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: autoscaling_capacity
short_description: Set the size of an existing Auto Scaling group (min, desired, max)
version_added: 0.2.0
description:
  - Changes only the capacity of an Auto Scaling group that already exists, as the Laravel
    guide's disaster recovery does to the standby region's group; everything else about the
    group is left alone.
  - Sizes left unset keep their current value. A desired capacity outside the resulting
    [min, max] fails before any write.
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  name:
    description: The Auto Scaling group's name.
    type: str
    required: true
  min_size:
    description: The new minimum size.
    type: int
  desired_capacity:
    description: The new desired capacity.
    type: int
  max_size:
    description: The new maximum size.
    type: int
  wait:
    description: Wait until the group has as many InService instances as desired.
    type: bool
    default: false
  wait_timeout:
    description: How many seconds to wait at most.
    type: int
    default: 900
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Scale up the standby region's web tier
  webstack.aws.autoscaling_capacity:
    region: ap-southeast-2
    name: innobic-production-asg
    desired_capacity: 4
    max_size: 6
"""

RETURN = r"""
capacity:
  description: The group's sizes after the run (as they would be, in check mode).
  returned: always
  type: dict
  sample: {"min_size": 2, "desired_capacity": 4, "max_size": 6}
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker

SIZES = (("min_size", "MinSize"), ("desired_capacity", "DesiredCapacity"), ("max_size", "MaxSize"))


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            min_size=dict(type="int"),
            desired_capacity=dict(type="int"),
            max_size=dict(type="int"),
            wait=dict(type="bool", default=False),
            wait_timeout=dict(type="int", default=900),
        ),
        required_one_of=[("min_size", "desired_capacity", "max_size")],
        supports_check_mode=True,
    )
    params = module.params
    client = module.client("autoscaling", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    groups = client.describe_auto_scaling_groups(aws_retry=True, AutoScalingGroupNames=[params["name"]])
    if not groups["AutoScalingGroups"]:
        module.fail_json(msg="name: no Auto Scaling group %s in %s" % (params["name"], module.region))
    group = groups["AutoScalingGroups"][0]
    before = {option: group[api] for option, api in SIZES}
    after = {option: before[option] if params[option] is None else params[option] for option, api in SIZES}
    if not after["min_size"] <= after["desired_capacity"] <= after["max_size"]:
        module.fail_json(msg="desired_capacity: %(desired_capacity)s must lie within min_size %(min_size)s "
                             "and max_size %(max_size)s" % after)
    tracker = ChangeTracker(module)
    changes = {api: after[option] for option, api in SIZES if after[option] != before[option]}
    if changes:
        tracker.act("resize %s" % params["name"], client.update_auto_scaling_group, aws_retry=True,
                    AutoScalingGroupName=params["name"], **changes)
    tracker.record("autoscaling_group", params["name"], before, after)
    if changes and params["wait"] and not module.check_mode:
        deadline = time.monotonic() + params["wait_timeout"]
        while True:
            group = client.describe_auto_scaling_groups(aws_retry=True, AutoScalingGroupNames=[params["name"]])
            in_service = [i for i in group["AutoScalingGroups"][0]["Instances"] if i["LifecycleState"] == "InService"]
            if len(in_service) >= after["desired_capacity"]:
                break
            if time.monotonic() > deadline:
                module.fail_json(msg="Timed out waiting for %d InService instances in %s"
                                     % (after["desired_capacity"], params["name"]))
            time.sleep(10)
    module.exit_json(changed=tracker.changed, capacity=after, actions=tracker.actions, diff=tracker.diff)


if __name__ == "__main__":
    main()
