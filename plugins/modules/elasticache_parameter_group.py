#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: elasticache_parameter_group
short_description: Manage an ElastiCache parameter group of any family (redis7, valkey8, ...) with its parameters
version_added: 0.2.0
description:
  - Creates, updates or deletes an ElastiCache cache parameter group and sets its parameters.
  - Unlike M(community.aws.elasticache_parameter_group), the family is not limited to a fixed list,
    so C(redis7) and C(valkey7)/C(valkey8) work; parameters not listed are left alone.
  - Before a write, the values are checked against the engine's own parameter list
    (C(DescribeEngineDefaultParameters)); unknown names, values of the wrong type, values outside the
    allowed ones and parameters that cannot be modified fail the task before anything is written.
    Parameters whose change type is C(requires-reboot) are returned in RV(reboot_required).
  - A converged re-run makes three read calls (the group, its user-set parameters, its tags).
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  name:
    description: The parameter group's name. The C(default.*) groups cannot be changed.
    type: str
    required: true
  family:
    description: The family, for example C(redis7). Required with O(state=present); it cannot change.
    type: str
  description:
    description: Its description (only used when creating it).
    type: str
  parameters:
    description: Parameter name to value. Booleans become C(yes)/C(no).
    type: dict
    default: {}
  state:
    description: Create or update, or delete the group.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The Redis parameters of the Laravel guide (seed 000)
  webstack.aws.elasticache_parameter_group:
    name: innobic-production-redis7
    family: redis7
    parameters:
      maxmemory-policy: allkeys-lru
      timeout: 300
      tcp-keepalive: 60
    tags:
      Project: innobic
      Environment: production
"""

RETURN = r"""
name:
  description: The parameter group's name.
  returned: always
  type: str
family:
  description: Its family.
  returned: always
  type: str
arn:
  description: Its ARN (null in check mode before it exists).
  returned: always
  type: str
parameters:
  description: The managed parameters with their values after the run.
  returned: always
  type: dict
  sample: {"maxmemory-policy": "allkeys-lru", "timeout": "300", "tcp-keepalive": "60"}
reboot_required:
  description: Changed parameters that take effect only after the nodes reboot.
  returned: always
  type: list
  elements: str
actions:
  description: The writes made (or, in check mode, that would be made), in order.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from ansible_collections.webstack.aws.plugins.module_utils.cache_spec import PARAMETER_TYPES
from ansible_collections.webstack.aws.plugins.module_utils.data_tier import ensure_arn_tags
from ansible_collections.webstack.aws.plugins.module_utils.data_tier import list_arn_tags
from ansible_collections.webstack.aws.plugins.module_utils.data_tier import retry
from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker
from ansible_collections.webstack.aws.plugins.module_utils.resource import describe_all
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import aws_parameter_errors
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import parameter_errors
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import parameter_value_text
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import same_parameter_value

try:
    import botocore
    import botocore.parsers
except ImportError:
    pass  # AnsibleAWSModule reports the missing dependency

MAX_PARAMETERS_PER_CALL = 20


class ParameterGroup:
    def __init__(self, module):
        self.module = module
        self.client = module.client("elasticache", retry_decorator=retry(["InvalidCacheParameterGroupState"]))
        self.tracker = ChangeTracker(module)
        self.name = module.params["name"]
        self.tags = dict(module.params.get("tags") or {})
        self.reboot_required = []

    def find(self):
        try:
            groups = self.client.describe_cache_parameter_groups(aws_retry=True, CacheParameterGroupName=self.name)
        except is_boto3_error_code("CacheParameterGroupNotFound"):
            return None
        return (groups.get("CacheParameterGroups") or [None])[0]

    def wanted(self):
        return {name: parameter_value_text(value, true="yes", false="no")
                for name, value in (self.module.params["parameters"] or {}).items()}

    def definitions(self, family):
        """The family's parameter definitions (DataType, AllowedValues, IsModifiable, ChangeType)."""
        paginator = self.client.get_paginator("describe_engine_default_parameters")
        definitions = {}
        for page in paginator.paginate(CacheParameterGroupFamily=family):
            for parameter in page["EngineDefaults"].get("Parameters", []):
                definitions[parameter["ParameterName"]] = parameter
        return definitions

    def present(self):
        family = self.module.params["family"]
        wanted = self.wanted()
        group = self.find()
        arn = group.get("ARN") if group else None
        if group is None:
            self._check(family, wanted)
            created = self.tracker.act("create cache parameter group %s (%s)" % (self.name, family),
                                       self.client.create_cache_parameter_group, aws_retry=True,
                                       CacheParameterGroupName=self.name, CacheParameterGroupFamily=family,
                                       Description=self.module.params["description"] or "Parameters of %s" % self.name,
                                       Tags=ansible_dict_to_boto3_tag_list(self.tags))
            arn = ((created or {}).get("CacheParameterGroup") or {}).get("ARN")
            self._set(wanted)
            self.tracker.record("parameter_group", self.name, None, {"family": family, "parameters": wanted,
                                                                     "tags": self.tags})
            return self._result(family, arn, wanted)
        if group["CacheParameterGroupFamily"] != family:
            self.module.fail_json(msg="family: cache parameter group %s has family %s, not %s; a group's family "
                                      "cannot change, give the group another name"
                                  % (self.name, group["CacheParameterGroupFamily"], family))
        current = {p["ParameterName"]: p.get("ParameterValue")
                   for p in describe_all(self.client, "describe_cache_parameters", "Parameters",
                                         CacheParameterGroupName=self.name, Source="user")}
        tags = list_arn_tags(self.client, arn) if arn else {}
        changes = {k: v for k, v in wanted.items() if not same_parameter_value(current.get(k), v)}
        if changes:
            self._check(family, changes)
            self._set(changes)
        tags_after = ensure_arn_tags(self.tracker, self.client, arn, tags, self.tags, self.module.params["purge_tags"])
        self.tracker.record("parameter_group", self.name,
                            {"family": family, "parameters": {k: current.get(k) for k in wanted}, "tags": tags},
                            {"family": family, "parameters": wanted, "tags": tags_after})
        return self._result(family, arn, wanted)

    def _check(self, family, values):
        """Names, types and allowed values against the family's list; fail before any write."""
        if not values:
            return
        try:
            definitions = self.definitions(family)
        except is_boto3_error_code("InvalidParameterValue") as exc:
            self.module.fail_json_aws(exc, msg="family: %s is not a cache parameter group family" % family)
        errors = []
        for name, value in sorted(values.items()):
            definition = definitions.get(name)
            if definition is None:
                errors.append("parameters.%s: %s has no parameter of that name" % (name, family))
                continue
            errors += aws_parameter_errors("parameters", name, value, definition)
            if definition.get("ChangeType") == "requires-reboot":
                self.reboot_required.append(name)
        if errors:
            self.module.fail_json(msg="; ".join(errors), errors=errors)

    def _set(self, values):
        items = [{"ParameterName": k, "ParameterValue": v} for k, v in sorted(values.items())]
        for start in range(0, len(items), MAX_PARAMETERS_PER_CALL):
            batch = items[start:start + MAX_PARAMETERS_PER_CALL]
            names = ", ".join(i["ParameterName"] for i in batch)
            self.tracker.act("set %s in cache parameter group %s" % (names, self.name),
                             self.client.modify_cache_parameter_group, aws_retry=True,
                             CacheParameterGroupName=self.name, ParameterNameValues=batch)

    def absent(self):
        group = self.find()
        if group is not None:
            self.tracker.act("delete cache parameter group %s" % self.name, self.client.delete_cache_parameter_group,
                             aws_retry=True, CacheParameterGroupName=self.name)
            self.tracker.record("parameter_group", self.name, {"family": group["CacheParameterGroupFamily"]}, None)
        return self._result(group["CacheParameterGroupFamily"] if group else None, None, {})

    def _result(self, family, arn, parameters):
        return {"changed": self.tracker.changed, "name": self.name, "family": family, "arn": arn,
                "parameters": parameters, "reboot_required": sorted(self.reboot_required),
                "actions": self.tracker.actions, "diff": self.tracker.diff}


def validate(module):
    params = module.params
    errors = []
    if params["name"].lower().startswith("default."):
        errors.append("name: %s is a default group, which cannot be changed; give your own name" % params["name"])
    if params["state"] == "present":
        if not params["family"]:
            errors.append("family: required with state=present")
        errors += parameter_errors("parameters", params["parameters"] or {}, PARAMETER_TYPES)
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        family=dict(type="str"),
        description=dict(type="str"),
        parameters=dict(type="dict", default={}),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    group = ParameterGroup(module)
    try:
        result = group.present() if module.params["state"] == "present" else group.absent()
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError,
            botocore.parsers.ResponseParserError) as exc:
        # An endpoint without the ElastiCache parameter group APIs answers with HTML (the local AWS does).
        module.fail_json_aws(exc, msg="Cache parameter group %s" % module.params["name"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
