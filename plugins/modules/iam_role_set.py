#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: iam_role_set
short_description: Converge several IAM roles with their policies and instance profiles in one call
version_added: 0.2.0
description:
  - Creates, updates or deletes IAM roles together with their trust policy, inline policies,
    attached managed policies, tags and (optionally) an instance profile holding the role.
  - Policy documents are compared by meaning (statement and action order, a single value
    against a one-element list, URL-encoded answers), so a converged role is never rewritten.
  - A converged role costs three read calls (the role, its inline policy names, its attached
    policies) plus one per inline policy and one for its instance profile; no write.
  - IAM is global; O(region) does not matter except for the endpoint.
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  state:
    description:
      - V(present) creates or updates the roles; V(absent) deletes them with their inline
        policies, attachments and the instance profiles named in O(roles[].instance_profile_name).
    type: str
    choices: [present, absent]
    default: present
  roles:
    description: The roles.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The role name.
        type: str
        required: true
      path:
        description: The role's path (part of its ARN; cannot change once the role exists).
        type: str
        default: /
      description:
        description: The role's description. Unset leaves it as it is.
        type: str
      assume_role_policy_document:
        description: The trust policy, as a dictionary or JSON. Required with O(state=present).
        type: json
      max_session_duration:
        description: Maximum session length in seconds (3600-43200). Unset leaves it as it is.
        type: int
      managed_policy_arns:
        description: ARNs of managed policies to attach.
        type: list
        elements: str
        default: []
      purge_managed_policies:
        description: Detach managed policies that are not in O(roles[].managed_policy_arns).
        type: bool
        default: true
      inline_policies:
        description: Inline policies, by policy name; each value a policy document (dictionary or JSON).
        type: dict
        default: {}
      purge_inline_policies:
        description: Delete inline policies that are not in O(roles[].inline_policies).
        type: bool
        default: true
      instance_profile_name:
        description:
          - An instance profile to create (if missing) holding this role and nothing else, for EC2.
          - Tagged like the role.
        type: str
      tags:
        description: Tags of this role (and its instance profile) only, on top of O(tags).
        type: dict
  wait:
    description: After creating a role or instance profile, wait until IAM answers for it.
    type: bool
    default: true
  wait_timeout:
    description: How many seconds to wait at most.
    type: int
    default: 120
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The EC2 role of the Laravel guide (seed 000) and the CodeDeploy service role
  webstack.aws.iam_role_set:
    tags:
      Project: innobic
      Environment: production
    roles:
      - name: innobic-production-ec2-role
        instance_profile_name: innobic-production-ec2-profile
        assume_role_policy_document:
          Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: "sts:AssumeRole"}
        managed_policy_arns:
          - arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore
        inline_policies:
          innobic-production-app:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, s3:PutObject, s3:DeleteObject]
                Resource: arn:aws:s3:::innobic-files-production/*
              - {Effect: Allow, Action: [ses:SendEmail, ses:SendRawEmail], Resource: "*"}
              - Effect: Allow
                Action: secretsmanager:GetSecretValue
                Resource: arn:aws:secretsmanager:*:*:secret:innobic/production/*
      - name: innobic-production-codedeploy-role
        assume_role_policy_document:
          Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Principal: {Service: codedeploy.amazonaws.com}, Action: "sts:AssumeRole"}
        managed_policy_arns:
          - arn:aws:iam::aws:policy/service-role/AWSCodeDeployRole
  register: iam
"""

RETURN = r"""
roles:
  description: The roles, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name: {description: The role name., type: str, returned: always}
    arn: {description: The role ARN (null in check mode for a new role)., type: str, returned: always}
    role_id: {description: The role id (null in check mode for a new role)., type: str, returned: always}
    instance_profile_name: {description: "The instance profile, if asked for.", type: str, returned: always}
    instance_profile_arn: {description: "The instance profile's ARN, if any.", type: str, returned: always}
role_arns:
  description: Role ARNs by role name.
  returned: always
  type: dict
instance_profile_arns:
  description: Instance profile ARNs by instance profile name.
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
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.webstack.aws.plugins.module_utils.iam_spec import managed_policy_errors
from ansible_collections.webstack.aws.plugins.module_utils.iam_spec import path_errors
from ansible_collections.webstack.aws.plugins.module_utils.iam_spec import policy_document_errors
from ansible_collections.webstack.aws.plugins.module_utils.iam_spec import profile_name_errors
from ansible_collections.webstack.aws.plugins.module_utils.iam_spec import role_name_errors
from ansible_collections.webstack.aws.plugins.module_utils.policy_document import dump_policy
from ansible_collections.webstack.aws.plugins.module_utils.policy_document import load_policy
from ansible_collections.webstack.aws.plugins.module_utils.policy_document import policies_equal
from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker
from ansible_collections.webstack.aws.plugins.module_utils.resource import describe_all
from ansible_collections.webstack.aws.plugins.module_utils.resource import tags_dict
from ansible_collections.webstack.aws.plugins.module_utils.resource import wait_for


class RoleManager:
    """One role: trust policy, description, session length, tags, inline and managed policies."""

    def __init__(self, module, client, tracker, spec):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.spec = spec
        self.name = spec["name"]

    def tags(self):
        tags = dict(self.module.params.get("tags") or {})
        tags.update(self.spec.get("tags") or {})
        return tags

    def find(self):
        try:
            return self.client.get_role(aws_retry=True, RoleName=self.name)["Role"]
        except is_boto3_error_code("NoSuchEntity"):
            return None

    def present(self):
        spec = self.spec
        role = self.find()
        trust = load_policy(spec["assume_role_policy_document"])
        wanted = {"path": spec["path"], "assume_role_policy_document": trust, "tags": self.tags(),
                  "managed_policy_arns": sorted(set(spec["managed_policy_arns"])),
                  "inline_policies": {k: load_policy(v) for k, v in (spec["inline_policies"] or {}).items()}}
        if spec.get("description") is not None:
            wanted["description"] = spec["description"]
        if spec.get("max_session_duration") is not None:
            wanted["max_session_duration"] = spec["max_session_duration"]
        if role is None:
            arn, role_id = self.create(trust)
            current = None
            current_inline, current_managed = {}, []
            after = dict(wanted)
        else:
            arn, role_id = role["Arn"], role["RoleId"]
            if role["Path"] != spec["path"]:
                self.module.fail_json(msg="roles (%s).path: the role exists with path %s, not %s; a role's path cannot "
                                          "change" % (self.name, role["Path"], spec["path"]))
            current_inline = self.inline_policies()
            current_managed = self.attached_policies()
            current = {"path": role["Path"], "assume_role_policy_document": load_policy(role["AssumeRolePolicyDocument"]),
                       "tags": tags_dict(role), "managed_policy_arns": sorted(current_managed),
                       "inline_policies": current_inline}
            if "description" in wanted:
                current["description"] = role.get("Description", "")
            if "max_session_duration" in wanted:
                current["max_session_duration"] = role.get("MaxSessionDuration")
            after = self.update(role, current, wanted)
        self.converge_inline(current_inline, wanted["inline_policies"], after)
        self.converge_managed(current_managed, wanted["managed_policy_arns"], after)
        # compare documents by meaning in the diff too: an equal one keeps AWS's form
        if current is not None:
            if policies_equal(current["assume_role_policy_document"], after["assume_role_policy_document"]):
                after["assume_role_policy_document"] = current["assume_role_policy_document"]
            for policy_name, document in wanted["inline_policies"].items():
                if policies_equal(current["inline_policies"].get(policy_name), document):
                    after["inline_policies"][policy_name] = current["inline_policies"][policy_name]
        self.tracker.record("roles", self.name, current, after)
        return arn, role_id

    def create(self, trust):
        spec = self.spec
        params = {"RoleName": self.name, "Path": spec["path"], "AssumeRolePolicyDocument": dump_policy(trust)}
        if spec.get("description") is not None:
            params["Description"] = spec["description"]
        if spec.get("max_session_duration") is not None:
            params["MaxSessionDuration"] = spec["max_session_duration"]
        if self.tags():
            params["Tags"] = ansible_dict_to_boto3_tag_list(self.tags())
        answer = self.tracker.act("create role %s" % self.name, self.client.create_role, aws_retry=True, **params)
        if not answer:
            return None, None
        if self.module.params["wait"]:
            wait_for(self.module, self.client, "role_exists", delay=1, RoleName=self.name)
        return answer["Role"]["Arn"], answer["Role"]["RoleId"]

    def update(self, role, current, wanted):
        after = dict(current)
        after["managed_policy_arns"] = wanted["managed_policy_arns"]
        after["inline_policies"] = dict(wanted["inline_policies"])
        if not policies_equal(current["assume_role_policy_document"], wanted["assume_role_policy_document"]):
            self.tracker.act("update trust policy of role %s" % self.name, self.client.update_assume_role_policy,
                             aws_retry=True, RoleName=self.name,
                             PolicyDocument=dump_policy(wanted["assume_role_policy_document"]))
        after["assume_role_policy_document"] = wanted["assume_role_policy_document"]
        changes = {}
        if "description" in wanted and current["description"] != wanted["description"]:
            changes["Description"] = wanted["description"]
        if "max_session_duration" in wanted and current["max_session_duration"] != wanted["max_session_duration"]:
            changes["MaxSessionDuration"] = wanted["max_session_duration"]
        if changes:
            self.tracker.act("update role %s (%s)" % (self.name, ", ".join(sorted(changes))), self.client.update_role,
                             aws_retry=True, RoleName=self.name, **changes)
        for key in ("description", "max_session_duration"):
            if key in wanted:
                after[key] = wanted[key]
        after["tags"] = self.converge_tags(current["tags"])
        return after

    def converge_tags(self, current):
        to_add, to_remove = compare_aws_tags(current, self.tags(), purge_tags=self.module.params["purge_tags"])
        if to_add:
            self.tracker.act("tag role %s" % self.name, self.client.tag_role, aws_retry=True, RoleName=self.name,
                             Tags=ansible_dict_to_boto3_tag_list(to_add))
        if to_remove:
            self.tracker.act("untag role %s" % self.name, self.client.untag_role, aws_retry=True, RoleName=self.name,
                             TagKeys=to_remove)
        result = {k: v for k, v in current.items() if k not in to_remove}
        result.update(to_add)
        return result

    def inline_policies(self):
        """{name: document} of the policies this role has and that we manage or may purge."""
        names = describe_all(self.client, "list_role_policies", "PolicyNames", RoleName=self.name)
        wanted = set(self.spec["inline_policies"] or {})
        found = {}
        for name in names:
            if name in wanted:
                answer = self.client.get_role_policy(aws_retry=True, RoleName=self.name, PolicyName=name)
                found[name] = load_policy(answer["PolicyDocument"])
            else:  # not read: it is either purged or left alone
                found[name] = "(not managed here)"
        return found

    def attached_policies(self):
        attached = describe_all(self.client, "list_attached_role_policies", "AttachedPolicies", RoleName=self.name)
        return [p["PolicyArn"] for p in attached]

    def converge_inline(self, current, wanted, after):
        for name, document in wanted.items():
            if name in current and policies_equal(current[name], document):
                continue
            verb = "update" if name in current else "put"
            self.tracker.act("%s inline policy %s of role %s" % (verb, name, self.name), self.client.put_role_policy,
                             aws_retry=True, RoleName=self.name, PolicyName=name, PolicyDocument=dump_policy(document))
        for name in current:
            if name in wanted:
                continue
            if self.spec["purge_inline_policies"]:
                self.tracker.act("delete inline policy %s of role %s" % (name, self.name), self.client.delete_role_policy,
                                 aws_retry=True, RoleName=self.name, PolicyName=name)
            else:
                after["inline_policies"][name] = current[name]

    def converge_managed(self, current, wanted, after):
        for arn in wanted:
            if arn not in current:
                self.tracker.act("attach %s to role %s" % (arn, self.name), self.attach, arn)
        extra = [arn for arn in current if arn not in wanted]
        for arn in extra:
            if self.spec["purge_managed_policies"]:
                self.tracker.act("detach %s from role %s" % (arn, self.name), self.client.detach_role_policy,
                                 aws_retry=True, RoleName=self.name, PolicyArn=arn)
        if not self.spec["purge_managed_policies"]:
            after["managed_policy_arns"] = sorted(set(wanted) | set(extra))

    def attach(self, arn):
        try:
            return self.client.attach_role_policy(aws_retry=True, RoleName=self.name, PolicyArn=arn)
        except is_boto3_error_code("NoSuchEntity") as exc:
            self.module.fail_json_aws(exc, msg="roles (%s).managed_policy_arns: policy %s does not exist" % (self.name, arn))

    def absent(self):
        role = self.find()
        profile_name = self.spec.get("instance_profile_name")
        if role is not None:
            for profile in describe_all(self.client, "list_instance_profiles_for_role", "InstanceProfiles",
                                        RoleName=self.name):
                self.tracker.act("remove role %s from instance profile %s" % (self.name, profile["InstanceProfileName"]),
                                 self.client.remove_role_from_instance_profile, aws_retry=True,
                                 InstanceProfileName=profile["InstanceProfileName"], RoleName=self.name)
            for arn in self.attached_policies():
                self.tracker.act("detach %s from role %s" % (arn, self.name), self.client.detach_role_policy,
                                 aws_retry=True, RoleName=self.name, PolicyArn=arn)
            for name in describe_all(self.client, "list_role_policies", "PolicyNames", RoleName=self.name):
                self.tracker.act("delete inline policy %s of role %s" % (name, self.name), self.client.delete_role_policy,
                                 aws_retry=True, RoleName=self.name, PolicyName=name)
            self.tracker.act("delete role %s" % self.name, self.client.delete_role, aws_retry=True, RoleName=self.name)
            self.tracker.record("roles", self.name, {"arn": role["Arn"]}, None)
        if profile_name:
            profile = InstanceProfileManager(self.module, self.client, self.tracker, profile_name, self).find()
            if profile is not None:
                for other in profile.get("Roles", []):
                    if other["RoleName"] != self.name:
                        self.tracker.act("remove role %s from instance profile %s" % (other["RoleName"], profile_name),
                                         self.client.remove_role_from_instance_profile, aws_retry=True,
                                         InstanceProfileName=profile_name, RoleName=other["RoleName"])
                self.tracker.act("delete instance profile %s" % profile_name, self.client.delete_instance_profile,
                                 aws_retry=True, InstanceProfileName=profile_name)
                self.tracker.record("instance_profiles", profile_name, {"arn": profile["Arn"]}, None)


class InstanceProfileManager:
    """An instance profile that holds exactly one role."""

    def __init__(self, module, client, tracker, name, role):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.name = name
        self.role = role

    def find(self):
        try:
            return self.client.get_instance_profile(aws_retry=True, InstanceProfileName=self.name)["InstanceProfile"]
        except is_boto3_error_code("NoSuchEntity"):
            return None

    def present(self):
        profile = self.find()
        tags = self.role.tags()
        wanted = {"role": self.role.name, "tags": tags}
        if profile is None:
            params = {"InstanceProfileName": self.name, "Path": self.role.spec["path"]}
            if tags:
                params["Tags"] = ansible_dict_to_boto3_tag_list(tags)
            answer = self.tracker.act("create instance profile %s" % self.name, self.client.create_instance_profile,
                                      aws_retry=True, **params)
            self.tracker.act("add role %s to instance profile %s" % (self.role.name, self.name),
                             self.client.add_role_to_instance_profile, aws_retry=True,
                             InstanceProfileName=self.name, RoleName=self.role.name)
            if answer and self.module.params["wait"]:
                wait_for(self.module, self.client, "instance_profile_exists", delay=1, InstanceProfileName=self.name)
            self.tracker.record("instance_profiles", self.name, None, wanted)
            return answer["InstanceProfile"]["Arn"] if answer else None
        roles = [r["RoleName"] for r in profile.get("Roles", [])]
        current = {"role": roles[0] if len(roles) == 1 else roles or None, "tags": tags_dict(profile)}
        for other in roles:
            if other != self.role.name:  # a profile holds at most one role
                self.tracker.act("remove role %s from instance profile %s" % (other, self.name),
                                 self.client.remove_role_from_instance_profile, aws_retry=True,
                                 InstanceProfileName=self.name, RoleName=other)
        if self.role.name not in roles:
            self.tracker.act("add role %s to instance profile %s" % (self.role.name, self.name),
                             self.client.add_role_to_instance_profile, aws_retry=True,
                             InstanceProfileName=self.name, RoleName=self.role.name)
        to_add, to_remove = compare_aws_tags(current["tags"], tags, purge_tags=self.module.params["purge_tags"])
        if to_add:
            self.tracker.act("tag instance profile %s" % self.name, self.client.tag_instance_profile, aws_retry=True,
                             InstanceProfileName=self.name, Tags=ansible_dict_to_boto3_tag_list(to_add))
        if to_remove:
            self.tracker.act("untag instance profile %s" % self.name, self.client.untag_instance_profile,
                             aws_retry=True, InstanceProfileName=self.name, TagKeys=to_remove)
        after_tags = {k: v for k, v in current["tags"].items() if k not in to_remove}
        after_tags.update(to_add)
        self.tracker.record("instance_profiles", self.name, current, {"role": self.role.name, "tags": after_tags})
        return profile["Arn"]


def validate(module):
    """Fail before any API call when the inputs cannot work."""
    params = module.params
    errors = []
    names = [r["name"] for r in params["roles"]]
    errors += ["roles: name %s is used twice" % n for n in sorted({n for n in names if names.count(n) > 1})]
    for index, spec in enumerate(params["roles"]):
        label = "roles[%d]" % index
        errors += role_name_errors(label + ".name", spec["name"])
        if spec.get("instance_profile_name"):
            errors += profile_name_errors(label + ".instance_profile_name", spec["instance_profile_name"])
        if params["state"] == "absent":
            continue
        errors += path_errors(label + ".path", spec["path"])
        if not spec.get("assume_role_policy_document"):
            errors.append("%s.assume_role_policy_document: required with state=present" % label)
        else:
            errors += policy_document_errors(label + ".assume_role_policy_document", spec["assume_role_policy_document"])
        for name, document in (spec.get("inline_policies") or {}).items():
            errors += policy_document_errors("%s.inline_policies.%s" % (label, name), document)
        errors += managed_policy_errors(label + ".managed_policy_arns", spec["managed_policy_arns"])
        duration = spec.get("max_session_duration")
        if duration is not None and not 3600 <= duration <= 43200:
            errors.append("%s.max_session_duration: %d must be between 3600 and 43200" % (label, duration))
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)


def main():
    role_spec = dict(
        name=dict(type="str", required=True),
        path=dict(type="str", default="/"),
        description=dict(type="str"),
        assume_role_policy_document=dict(type="json"),
        max_session_duration=dict(type="int"),
        managed_policy_arns=dict(type="list", elements="str", default=[]),
        purge_managed_policies=dict(type="bool", default=True),
        inline_policies=dict(type="dict", default={}),
        purge_inline_policies=dict(type="bool", default=True),
        instance_profile_name=dict(type="str"),
        tags=dict(type="dict"),
    )
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        roles=dict(type="list", elements="dict", options=role_spec, required=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=120),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    client = module.client("iam", retry_decorator=AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30))
    tracker = ChangeTracker(module)
    roles = []
    for spec in module.params["roles"]:
        manager = RoleManager(module, client, tracker, spec)
        if module.params["state"] == "absent":
            manager.absent()
            continue
        arn, role_id = manager.present()
        profile_name = spec.get("instance_profile_name")
        profile_arn = None
        if profile_name:
            profile_arn = InstanceProfileManager(module, client, tracker, profile_name, manager).present()
        roles.append({"name": spec["name"], "arn": arn, "role_id": role_id,
                      "instance_profile_name": profile_name, "instance_profile_arn": profile_arn})
    module.exit_json(
        changed=tracker.changed,
        roles=roles,
        role_arns={r["name"]: r["arn"] for r in roles},
        instance_profile_arns={r["instance_profile_name"]: r["instance_profile_arn"] for r in roles
                               if r["instance_profile_name"]},
        actions=tracker.actions,
        diff=tracker.diff,
    )


if __name__ == "__main__":
    main()
