#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: security_group_set
short_description: Converge a set of VPC security groups and their rules in one call
version_added: 0.2.0
description:
  - Creates, updates or deletes several security groups of one VPC with their ingress and
    egress rules, in one invocation with one describe call for all of them.
  - Groups may refer to each other by name (O(groups[].rules[].group_name)), also in cycles;
    every missing group is created first, then the rules of all groups are converged.
  - Rules are compared one source at a time (protocol, port range, source); rules not asked for
    are revoked when O(groups[].purge_rules) (or O(groups[].purge_rules_egress)) is true, and a
    changed rule description is updated in place without revoking the rule.
  - Unlike one M(amazon.aws.ec2_security_group) task per group, a converged set re-runs with one
    read call and no write.
  - A new group in a VPC starts with AWS's default egress rule (all traffic to V(0.0.0.0/0)).
    With O(groups[].rules_egress) unset the module leaves egress alone.
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  vpc_id:
    description: The VPC of the groups. Required with O(state=present).
    type: str
  state:
    description:
      - V(present) creates or updates the groups; V(absent) deletes the groups named in
        O(groups) (their rules first, so that groups referring to each other can go).
    type: str
    choices: [present, absent]
    default: present
  groups:
    description: The security groups.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The group name (unique in the VPC), also its C(Name) tag.
        type: str
        required: true
      description:
        description:
          - The group's description. AWS cannot change the description of an existing group;
            a different value is reported as a warning, not changed.
          - Defaults to the group name.
        type: str
      rules:
        description: Ingress rules.
        type: list
        elements: dict
        default: []
        suboptions:
          proto:
            description: V(tcp), V(udp), V(icmp), V(icmpv6), V(all) (or V(-1)), or an IP protocol number.
            type: str
            default: tcp
          ports:
            description: Ports or port ranges such as V(80), V(8000-8010). For V(icmp), the type and code go in
              O(groups[].rules[].from_port)/O(groups[].rules[].to_port).
            type: list
            elements: str
          from_port:
            description: First port (or ICMP type) of the range, instead of O(groups[].rules[].ports).
            type: int
          to_port:
            description: Last port (or ICMP code) of the range.
            type: int
          cidr_ip:
            description: Source (egress, destination) CIDR blocks; IPv6 blocks are recognised here too.
            type: list
            elements: str
          cidr_ipv6:
            description: Source (egress, destination) IPv6 CIDR blocks.
            type: list
            elements: str
          group_name:
            description: Names of source groups, either in O(groups) or already in the VPC.
            type: list
            elements: str
          group_id:
            description: Ids of source groups.
            type: list
            elements: str
          prefix_list_id:
            description: Ids of managed prefix lists.
            type: list
            elements: str
          rule_desc:
            description: The rule's description. Unset leaves an existing description as it is.
            type: str
      rules_egress:
        description:
          - Egress rules, with the options of O(groups[].rules). Unset leaves egress as it is (a new
            group keeps AWS's default rule allowing all outbound traffic).
        type: list
        elements: dict
        suboptions:
          proto:
            description: V(tcp), V(udp), V(icmp), V(icmpv6), V(all) (or V(-1)), or an IP protocol number.
            type: str
            default: tcp
          ports:
            description: Ports or port ranges such as V(80), V(8000-8010). For V(icmp), the type and code go in
              O(groups[].rules_egress[].from_port)/O(groups[].rules_egress[].to_port).
            type: list
            elements: str
          from_port:
            description: First port (or ICMP type) of the range, instead of O(groups[].rules_egress[].ports).
            type: int
          to_port:
            description: Last port (or ICMP code) of the range.
            type: int
          cidr_ip:
            description: Source (egress, destination) CIDR blocks; IPv6 blocks are recognised here too.
            type: list
            elements: str
          cidr_ipv6:
            description: Source (egress, destination) IPv6 CIDR blocks.
            type: list
            elements: str
          group_name:
            description: Names of source groups, either in O(groups) or already in the VPC.
            type: list
            elements: str
          group_id:
            description: Ids of source groups.
            type: list
            elements: str
          prefix_list_id:
            description: Ids of managed prefix lists.
            type: list
            elements: str
          rule_desc:
            description: The rule's description. Unset leaves an existing description as it is.
            type: str
      purge_rules:
        description: Revoke ingress rules that are not in O(groups[].rules).
        type: bool
        default: true
      purge_rules_egress:
        description: Revoke egress rules that are not in O(groups[].rules_egress) (only when that is set).
        type: bool
        default: true
      tags:
        description: Tags of this group only, on top of O(tags).
        type: dict
  wait_timeout:
    description:
      - With O(state=absent), how many seconds to keep retrying a deletion that fails because a
        network interface (a load balancer, an instance being terminated) still uses the group.
    type: int
    default: 300
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The four security groups of the Laravel guide (seed 000), no SSH from anywhere
  webstack.aws.security_group_set:
    vpc_id: "{{ network_vpc_id }}"
    tags:
      Project: innobic
      Environment: production
    groups:
      - name: innobic-production-alb
        description: Load balancer, HTTP and HTTPS from anywhere
        rules:
          - {proto: tcp, ports: [80, 443], cidr_ip: [0.0.0.0/0], rule_desc: Web clients}
        rules_egress:
          - {proto: all, cidr_ip: [0.0.0.0/0]}
      - name: innobic-production-web
        description: Application hosts, the app port from the load balancer only
        rules:
          - {proto: tcp, ports: [80], group_name: [innobic-production-alb], rule_desc: From the ALB}
        rules_egress:
          - {proto: all, cidr_ip: [0.0.0.0/0]}
      - name: innobic-production-db
        description: MySQL from the application hosts
        rules:
          - {proto: tcp, ports: [3306], group_name: [innobic-production-web]}
      - name: innobic-production-redis
        description: Redis from the application hosts
        rules:
          - {proto: tcp, ports: [6379], group_name: [innobic-production-web]}
  register: security_groups

- name: Remove them again
  webstack.aws.security_group_set:
    state: absent
    vpc_id: "{{ network_vpc_id }}"
    groups:
      - {name: innobic-production-alb}
      - {name: innobic-production-web}
      - {name: innobic-production-db}
      - {name: innobic-production-redis}
"""

RETURN = r"""
groups:
  description: The groups, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name: {description: The group name., type: str, returned: always}
    id: {description: The group id (null in check mode for a new group)., type: str, returned: always}
    vpc_id: {description: The VPC., type: str, returned: always}
group_ids:
  description: Group ids by group name.
  returned: always
  type: dict
  sample: {"innobic-production-alb": "sg-0123456789abcdef0"}
actions:
  description: The writes made (or, in check mode, that would be made), in order.
  returned: always
  type: list
  elements: str
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker
from ansible_collections.webstack.aws.plugins.module_utils.resource import describe_all
from ansible_collections.webstack.aws.plugins.module_utils.resource import ec2_retry
from ansible_collections.webstack.aws.plugins.module_utils.resource import ensure_ec2_tags
from ansible_collections.webstack.aws.plugins.module_utils.resource import tag_specifications
from ansible_collections.webstack.aws.plugins.module_utils.resource import tags_dict
from ansible_collections.webstack.aws.plugins.module_utils.security_groups_spec import normalize_protocol
from ansible_collections.webstack.aws.plugins.module_utils.security_groups_spec import parse_ports
from ansible_collections.webstack.aws.plugins.module_utils.security_groups_spec import rule_errors

# How a source is written in an IpPermission: (list key, item key)
SOURCE_KEYS = {
    "cidr": ("IpRanges", "CidrIp"),
    "cidr6": ("Ipv6Ranges", "CidrIpv6"),
    "group": ("UserIdGroupPairs", "GroupId"),
    "prefix": ("PrefixListIds", "PrefixListId"),
}
DIRECTIONS = {
    "ingress": ("IpPermissions", "rules", "purge_rules"),
    "egress": ("IpPermissionsEgress", "rules_egress", "purge_rules_egress"),
}
# A new group in a VPC gets this egress rule from AWS.
AWS_DEFAULT_EGRESS = ("-1", None, None, "cidr", "0.0.0.0/0")


def new_group_ref(name):
    return "(new group %s)" % name


class Permission:
    """One rule for one source: the unit AWS authorizes and revokes."""

    def __init__(self, proto, from_port, to_port, kind, source, description=None):
        self.proto = normalize_protocol(proto)
        if self.proto == "-1":
            from_port = to_port = None
        self.key = (self.proto, from_port, to_port, kind, source)
        self.description = description

    @property
    def kind(self):
        return self.key[3]

    @property
    def source(self):
        return self.key[4]

    def to_api(self, description=True):
        proto, from_port, to_port, kind, source = self.key
        permission = {"IpProtocol": proto}
        if from_port is not None:
            permission["FromPort"] = from_port
            permission["ToPort"] = to_port
        list_key, item_key = SOURCE_KEYS[kind]
        item = {item_key: source}
        if description and self.description:
            item["Description"] = self.description
        permission[list_key] = [item]
        return permission

    def label(self, names_by_id):
        proto, from_port, to_port, kind, source = self.key
        if proto == "-1":
            what = "all traffic"
        elif from_port is None:
            what = proto
        elif from_port == to_port:
            what = "%s %s" % (proto, from_port)
        else:
            what = "%s %s-%s" % (proto, from_port, to_port)
        if kind == "group":
            source = names_by_id.get(source, source)
        return "%s %s" % (what, source)


def permissions_from_api(ip_permissions):
    """Split describe_security_groups' IpPermissions into Permission objects (one per source)."""
    found = {}
    for entry in ip_permissions or []:
        proto = entry.get("IpProtocol")
        from_port, to_port = entry.get("FromPort"), entry.get("ToPort")
        for kind, (list_key, item_key) in SOURCE_KEYS.items():
            for item in entry.get(list_key) or []:
                permission = Permission(proto, from_port, to_port, kind, item[item_key], item.get("Description"))
                found[permission.key] = permission
    return found


class GroupSetManager:
    """Converges the groups; one describe call for the whole VPC."""

    def __init__(self, module):
        self.module = module
        self.client = module.client("ec2", retry_decorator=ec2_retry())
        self.tracker = ChangeTracker(module)
        self.params = module.params
        self.existing = {}
        self.ids = {}
        self.names_by_id = {}
        self.planned_names = {g["name"] for g in module.params["groups"]}

    def describe(self):
        groups = describe_all(self.client, "describe_security_groups", "SecurityGroups",
                              Filters=[{"Name": "vpc-id", "Values": [self.params["vpc_id"]]}])
        self.existing = {g["GroupName"]: g for g in groups}
        self.ids = {g["GroupName"]: g["GroupId"] for g in groups}
        self.names_by_id = {g["GroupId"]: g["GroupName"] for g in groups}

    # ----- desired state -----
    def desired_permissions(self, group_name, rules):
        wanted = {}
        for rule in rules or []:
            proto = normalize_protocol(rule["proto"])
            ranges = []
            if proto == "-1":
                ranges = [(None, None)]
            elif rule.get("ports"):
                ranges = [parse_ports(port) for port in rule["ports"]]
            elif rule.get("from_port") is not None or rule.get("to_port") is not None:
                low = rule.get("from_port")
                ranges = [(low if low is not None else -1, rule.get("to_port") if rule.get("to_port") is not None else low)]
            else:  # icmp without type and code: every type
                ranges = [(-1, -1)]
            sources = []
            for cidr in rule.get("cidr_ip") or []:
                sources.append(("cidr6" if ":" in cidr else "cidr", cidr))
            sources += [("cidr6", cidr) for cidr in rule.get("cidr_ipv6") or []]
            sources += [("prefix", pl) for pl in rule.get("prefix_list_id") or []]
            sources += [("group", gid) for gid in rule.get("group_id") or []]
            for name in rule.get("group_name") or []:
                group_id = self.ids.get(name)
                if group_id is None:
                    if name not in self.planned_names:
                        self.module.fail_json(msg="groups (%s): rule source group_name %s is neither in groups nor in VPC %s"
                                              % (group_name, name, self.params["vpc_id"]))
                    group_id = new_group_ref(name)
                sources.append(("group", group_id))
            for from_port, to_port in ranges:
                for kind, source in sources:
                    permission = Permission(proto, from_port, to_port, kind, source, rule.get("rule_desc"))
                    wanted[permission.key] = permission
        return wanted

    # ----- converge -----
    def present(self):
        self.describe()
        # 1. every missing group first, so that rules can refer to any of them
        created = set()
        for spec in self.params["groups"]:
            if spec["name"] not in self.existing:
                self.create_group(spec)
                created.add(spec["name"])
        # 2. tags, description and rules of each group
        for spec in self.params["groups"]:
            self.converge_group(spec, spec["name"] in created)
        return self.result()

    def group_tags(self, spec):
        tags = dict(self.params.get("tags") or {})
        tags.update(spec.get("tags") or {})
        tags["Name"] = spec["name"]
        return tags

    def create_group(self, spec):
        name = spec["name"]
        answer = self.tracker.act("create security group %s" % name, self.client.create_security_group, aws_retry=True,
                                  GroupName=name, Description=spec.get("description") or name,
                                  VpcId=self.params["vpc_id"],
                                  TagSpecifications=tag_specifications("security-group", self.group_tags(spec)))
        group_id = answer["GroupId"] if answer else None
        self.ids[name] = group_id
        if group_id:
            self.names_by_id[group_id] = name

    def converge_group(self, spec, is_new):
        name = spec["name"]
        group_id = self.ids.get(name)
        description = spec.get("description") or name
        desired_tags = self.group_tags(spec)
        if is_new:
            current = None
            current_tags = desired_tags
            current_rules = {"ingress": {}, "egress": {AWS_DEFAULT_EGRESS: Permission(*AWS_DEFAULT_EGRESS)}}
        else:
            group = self.existing[name]
            current_tags = tags_dict(group)
            current_rules = {"ingress": permissions_from_api(group.get("IpPermissions")),
                             "egress": permissions_from_api(group.get("IpPermissionsEgress"))}
            current = {"description": group.get("Description"), "tags": current_tags,
                       "rules": self.labels(current_rules["ingress"]),
                       "rules_egress": self.labels(current_rules["egress"])}
            description = group.get("Description")
            if spec.get("description") and group.get("Description") != spec["description"]:
                self.module.warn("security group %s: AWS cannot change a group's description (%r, asked %r); "
                                 "delete and re-create the group to change it"
                                 % (name, group.get("Description"), spec["description"]))
        after_tags = desired_tags
        if not is_new:
            after_tags = ensure_ec2_tags(self.tracker, self.client, group_id, current_tags, desired_tags,
                                         self.params["purge_tags"])
        after = {"description": description, "tags": after_tags}
        for direction, (_api_key, rules_key, purge_key) in DIRECTIONS.items():
            have = current_rules[direction]
            if direction == "egress" and spec.get("rules_egress") is None:
                after["rules_egress"] = self.labels(have)
                continue
            want = self.desired_permissions(name, spec.get(rules_key))
            result = self.converge_rules(name, group_id, direction, have, want, spec[purge_key])
            after[rules_key if direction == "ingress" else "rules_egress"] = self.labels(result)
        self.tracker.record("security_groups", name, current, after)

    def labels(self, permissions):
        labels = []
        for permission in permissions.values():
            label = permission.label(self.names_by_id)
            if permission.description:
                label += " (%s)" % permission.description
            labels.append(label)
        return sorted(labels)

    def converge_rules(self, name, group_id, direction, have, want, purge):
        to_add = [p for key, p in want.items() if key not in have]
        to_revoke = [p for key, p in have.items() if key not in want] if purge else []
        to_describe = [p for key, p in want.items()
                       if key in have and p.description is not None and (have[key].description or "") != p.description]
        verb = {"ingress": "ingress", "egress": "egress"}[direction]
        calls = {
            "revoke": getattr(self.client, "revoke_security_group_%s" % verb),
            "authorize": getattr(self.client, "authorize_security_group_%s" % verb),
            "describe": getattr(self.client, "update_security_group_rule_descriptions_%s" % verb),
        }
        # Revoke first: AWS refuses a duplicate, and a rule may move between port ranges. A revoke
        # names the rule as described (with its current description), which AWS accepts.
        for action, permissions in (("revoke", to_revoke), ("authorize", to_add), ("describe", to_describe)):
            if not permissions:
                continue
            labels = ", ".join(sorted(p.label(self.names_by_id) for p in permissions))
            text = {"revoke": "revoke %s %s on %s", "authorize": "authorize %s %s on %s",
                    "describe": "update %s rule descriptions %s on %s"}[action] % (verb, labels, name)
            unresolved = any(p.kind == "group" and p.source.startswith("(new") for p in permissions)
            if group_id is None or unresolved:
                self.tracker.plan(text)
                continue
            self.tracker.act(text, calls[action], aws_retry=True, GroupId=group_id,
                             IpPermissions=[p.to_api() for p in permissions])
        result = dict(have)
        for permission in to_revoke:
            result.pop(permission.key, None)
        for permission in to_add + to_describe:
            result[permission.key] = permission
        return result

    # ----- delete -----
    def absent(self):
        if not self.params.get("vpc_id"):
            self.module.fail_json(msg="vpc_id: required (the groups are found by name in the VPC)")
        self.describe()
        ours = [spec["name"] for spec in self.params["groups"] if spec["name"] in self.existing]
        # Rules first: groups that refer to each other cannot be deleted otherwise.
        for name in ours:
            group = self.existing[name]
            for direction, (api_key, _rules_key, _purge_key) in DIRECTIONS.items():
                permissions = list(permissions_from_api(group.get(api_key)).values())
                if permissions:
                    call = getattr(self.client, "revoke_security_group_%s" % direction)
                    self.tracker.act("revoke every %s rule of %s" % (direction, name), call, aws_retry=True,
                                     GroupId=group["GroupId"], IpPermissions=[p.to_api() for p in permissions])
        for name in ours:
            group_id = self.existing[name]["GroupId"]
            self.tracker.act("delete security group %s" % name, self.delete_group, group_id)
            self.tracker.record("security_groups", name, {"id": group_id}, None)
            self.ids.pop(name, None)
        return self.result()

    def delete_group(self, group_id):
        deadline = time.time() + self.params["wait_timeout"]
        while True:
            try:
                return self.client.delete_security_group(aws_retry=True, GroupId=group_id)
            except is_boto3_error_code("DependencyViolation") as exc:
                if time.time() >= deadline:
                    self.module.fail_json_aws(exc, msg="security group %s is still in use" % group_id)
                time.sleep(5)

    def result(self):
        groups = []
        for spec in self.params["groups"]:
            if self.params["state"] == "absent":
                continue
            groups.append({"name": spec["name"], "id": self.ids.get(spec["name"]), "vpc_id": self.params["vpc_id"]})
        return {
            "changed": self.tracker.changed,
            "groups": groups,
            "group_ids": {g["name"]: g["id"] for g in groups},
            "actions": self.tracker.actions,
            "diff": self.tracker.diff,
        }


def validate(module):
    """Fail before any API call when the inputs cannot work."""
    params = module.params
    errors = []
    if params["state"] == "present" and not params.get("vpc_id"):
        errors.append("vpc_id: required with state=present")
    names = [g["name"] for g in params["groups"]]
    errors += ["groups: name %s is used twice" % n for n in sorted({n for n in names if names.count(n) > 1})]
    for index, group in enumerate(params["groups"]):
        if not group["name"] or len(group["name"]) > 255 or group["name"].startswith("sg-"):
            errors.append("groups[%d].name: %r must be 1-255 characters and not start with sg-" % (index, group["name"]))
        if params["state"] == "absent":
            continue
        for key in ("rules", "rules_egress"):
            for rule_index, rule in enumerate(group.get(key) or []):
                errors += rule_errors("groups[%d].%s[%d] (%s)" % (index, key, rule_index, group["name"]), rule)
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)


def main():
    rule_spec = dict(
        proto=dict(type="str", default="tcp"),
        ports=dict(type="list", elements="str"),
        from_port=dict(type="int"),
        to_port=dict(type="int"),
        cidr_ip=dict(type="list", elements="str"),
        cidr_ipv6=dict(type="list", elements="str"),
        group_name=dict(type="list", elements="str"),
        group_id=dict(type="list", elements="str"),
        prefix_list_id=dict(type="list", elements="str"),
        rule_desc=dict(type="str"),
    )
    group_spec = dict(
        name=dict(type="str", required=True),
        description=dict(type="str"),
        rules=dict(type="list", elements="dict", options=rule_spec, default=[]),
        rules_egress=dict(type="list", elements="dict", options=rule_spec),
        purge_rules=dict(type="bool", default=True),
        purge_rules_egress=dict(type="bool", default=True),
        tags=dict(type="dict"),
    )
    argument_spec = dict(
        vpc_id=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        groups=dict(type="list", elements="dict", options=group_spec, required=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=300),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    manager = GroupSetManager(module)
    result = manager.present() if module.params["state"] == "present" else manager.absent()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
