#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wafv2_web_acl_set
short_description: Converge a WAFv2 web ACL, its IP sets and its resource associations in one call
version_added: 0.2.0
description:
  - Creates or updates a web ACL built from a few high-level options - AWS managed rule groups,
    a rate-based rule per client IP, a geographic restriction, and path allow-lists (an IP set
    and a rule that blocks requests for a path prefix from everyone outside the set) - together
    with the IP sets it references, and associates it with resources such as application load
    balancers.
  - The rules are compared with the web ACL's rules after normalisation (priority order, the
    defaults WAF adds); the web ACL is updated only on a real difference.
  - Associations are checked per resource with C(GetWebACLForResource) and written with
    C(AssociateWebACL) only where the resource has no or another web ACL. The module never needs
    C(ListResourcesForWebACL) (which M(community.aws.wafv2_resources) calls, and which the local
    AWS lacks); as a consequence it does not disassociate resources that O(resource_arns) does
    not list.
  - Rule order - geographic restriction, path allow-lists, rate limit, then the managed rule
    groups in the given order.
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  name:
    description: The web ACL's name; IP sets are named C(<name>-<allow list name>-ipv4/ipv6).
    type: str
    required: true
  scope:
    description: V(REGIONAL) (ALB, API Gateway) or V(CLOUDFRONT) (call it in us-east-1).
    type: str
    choices: [REGIONAL, CLOUDFRONT]
    default: REGIONAL
  state:
    description: V(absent) disassociates O(resource_arns) and deletes the web ACL and its IP sets.
    type: str
    choices: [present, absent]
    default: present
  description:
    description: The web ACL's description.
    type: str
    default: ''
  default_action:
    description: What happens to a request that no rule blocks.
    type: str
    choices: [allow, block]
    default: allow
  managed_rule_groups:
    description: AWS managed (or marketplace) rule groups, in evaluation order.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The rule group, for example C(AWSManagedRulesCommonRuleSet).
        type: str
        required: true
      vendor:
        description: The vendor.
        type: str
        default: AWS
      override:
        description: V(none) lets the group's rules act; V(count) only counts their matches.
        type: str
        choices: [none, count]
        default: none
      count_rules:
        description: Rules of the group whose action becomes Count (false positives).
        type: list
        elements: str
        default: []
  rate_limit:
    description: A rate-based rule per client IP; omit for none.
    type: dict
    suboptions:
      limit:
        description: Requests per client IP within O(rate_limit.window).
        type: int
        required: true
      window:
        description: The evaluation window in seconds.
        type: int
        choices: [60, 120, 300, 600]
        default: 300
      action:
        description: V(block) or V(count).
        type: str
        choices: [block, count]
        default: block
  geo_allow_countries:
    description: When given, requests from every other country are blocked (ISO 3166 codes).
    type: list
    elements: str
    default: []
  geo_block_countries:
    description: Requests from these countries are blocked.
    type: list
    elements: str
    default: []
  path_allow_lists:
    description: Requests whose path starts with O(path_allow_lists[].path) are blocked unless they come from O(path_allow_lists[].addresses).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: A short name (letters, digits, hyphens), for the rule and its IP sets.
        type: str
        required: true
      path:
        description: The path prefix, for example C(/admin); compared in lowercase.
        type: str
        required: true
      addresses:
        description: CIDR blocks allowed to reach the path (IPv4 and IPv6).
        type: list
        elements: str
        default: []
  resource_arns:
    description: Resources (ALB ARNs, ...) to associate with the web ACL (O(scope=REGIONAL) only).
    type: list
    elements: str
    default: []
  cloudwatch_metrics:
    description: Whether the web ACL and its rules publish CloudWatch metrics and keep sampled requests.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The guide's WAF on the ALB (seed 000 / 003)
  webstack.aws.wafv2_web_acl_set:
    name: innobic-production-waf
    managed_rule_groups:
      - name: AWSManagedRulesCommonRuleSet
      - name: AWSManagedRulesSQLiRuleSet
    rate_limit: {limit: 1000, window: 300}
    path_allow_lists:
      - {name: admin, path: /admin, addresses: [203.0.113.0/24]}
    resource_arns: ["{{ alb.load_balancer.arn }}"]
    tags:
      Project: innobic
"""

RETURN = r"""
web_acl:
  description: The web ACL; null ids in check mode for a new one.
  returned: always
  type: dict
  contains:
    arn: {description: The ARN., type: str, returned: always}
    id: {description: The id., type: str, returned: always}
    name: {description: The name., type: str, returned: always}
rules:
  description: The rule names in priority order.
  returned: always
  type: list
  elements: str
ip_sets:
  description: IP set ARNs by name.
  returned: always
  type: dict
actions:
  description: The writes made (or, in check mode, that would be made), in order.
  returned: always
  type: list
  elements: str
"""

import ipaddress
import re

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing botocore

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.webstack.aws.plugins.module_utils.desired_state import boto3_tags
from ansible_collections.webstack.aws.plugins.module_utils.desired_state import contains
from ansible_collections.webstack.aws.plugins.module_utils.desired_state import merged_tags
from ansible_collections.webstack.aws.plugins.module_utils.desired_state import plain
from ansible_collections.webstack.aws.plugins.module_utils.desired_state import tag_changes
from ansible_collections.webstack.aws.plugins.module_utils.edge_spec import cidr_list_errors
from ansible_collections.webstack.aws.plugins.module_utils.edge_spec import country_errors
from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker

# Right after a create, WAF may not yet know the web ACL, or the ALB may still be provisioning.
WAF_NOT_YET_READY = ["WAFUnavailableEntityException", "WAFInternalErrorException"]
SHORT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,40}$")


def metric_name(*parts):
    return re.sub(r"[^A-Za-z0-9\-_]", "-", "-".join(parts))[:128]


def visibility(params, name):
    enabled = params["cloudwatch_metrics"]
    return {"SampledRequestsEnabled": enabled, "CloudWatchMetricsEnabled": enabled,
            "MetricName": metric_name(params["name"], name)}


def action(kind):
    return {"Block": {}} if kind == "block" else {"Count": {}} if kind == "count" else {"Allow": {}}


def split_addresses(addresses):
    """{'IPV4': [...], 'IPV6': [...]} of normalised CIDR blocks."""
    result = {"IPV4": [], "IPV6": []}
    for address in addresses:
        network = ipaddress.ip_network(address, strict=False)
        result["IPV%d" % network.version].append(str(network))
    return {k: sorted(v) for k, v in result.items()}


class WebAcl:
    def __init__(self, module, client, tracker):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.params = module.params
        self.scope = module.params["scope"]

    # -- desired state -------------------------------------------------------------------
    def ip_set_specs(self):
        """[(IP set name, IP version, addresses, allow list name)] for every path allow list."""
        specs = []
        for allow in self.params["path_allow_lists"]:
            by_version = split_addresses(allow["addresses"])
            versions = [v for v in ("IPV4", "IPV6") if by_version[v]] or ["IPV4"]
            for version in versions:
                specs.append(("%s-%s-%s" % (self.params["name"], allow["name"], version.lower()), version,
                              by_version[version], allow["name"]))
        return specs

    def rules(self, ip_set_arns):
        params = self.params
        rules = []
        if params["geo_allow_countries"]:
            statement = {"NotStatement": {"Statement": {"GeoMatchStatement": {"CountryCodes": sorted(params["geo_allow_countries"])}}}}
            rules.append(("geo-restriction", {"Action": action("block"), "Statement": statement}))
        elif params["geo_block_countries"]:
            statement = {"GeoMatchStatement": {"CountryCodes": sorted(params["geo_block_countries"])}}
            rules.append(("geo-restriction", {"Action": action("block"), "Statement": statement}))
        for allow in params["path_allow_lists"]:
            references = [{"IPSetReferenceStatement": {"ARN": ip_set_arns.get(name) or "(new IP set %s)" % name}}
                          for name, _version, _addresses, owner in self.ip_set_specs() if owner == allow["name"]]
            allowed = references[0] if len(references) == 1 else {"OrStatement": {"Statements": references}}
            path_match = {"ByteMatchStatement": {"SearchString": allow["path"].lower(), "FieldToMatch": {"UriPath": {}},
                                                 "TextTransformations": [{"Priority": 0, "Type": "LOWERCASE"}],
                                                 "PositionalConstraint": "STARTS_WITH"}}
            statement = {"AndStatement": {"Statements": [path_match, {"NotStatement": {"Statement": allowed}}]}}
            rules.append(("%s-allow-list" % allow["name"], {"Action": action("block"), "Statement": statement}))
        if params["rate_limit"]:
            rate = params["rate_limit"]
            statement = {"RateBasedStatement": {"Limit": rate["limit"], "EvaluationWindowSec": rate["window"],
                                                "AggregateKeyType": "IP"}}
            rules.append(("rate-limit", {"Action": action(rate["action"]), "Statement": statement}))
        for group in params["managed_rule_groups"]:
            statement = {"VendorName": group["vendor"], "Name": group["name"]}
            if group["count_rules"]:
                statement["RuleActionOverrides"] = [{"Name": n, "ActionToUse": {"Count": {}}} for n in group["count_rules"]]
            override = {"None": {}} if group["override"] == "none" else {"Count": {}}
            rules.append((group["name"], {"OverrideAction": override,
                                          "Statement": {"ManagedRuleGroupStatement": statement}}))
        result = []
        for priority, (name, body) in enumerate(rules):
            rule = {"Name": name, "Priority": priority}
            rule.update(body)
            rule["VisibilityConfig"] = visibility(params, name)
            result.append(rule)
        return result

    # -- reads ---------------------------------------------------------------------------
    def _list(self, operation, key):
        items = []
        kwargs = {"Scope": self.scope, "Limit": 100}
        while True:
            answer = getattr(self.client, operation)(aws_retry=True, **kwargs)
            items += answer.get(key, [])
            marker = answer.get("NextMarker")
            if not marker or not answer.get(key):
                return items
            kwargs["NextMarker"] = marker

    def tags_of(self, arn):
        answer = self.client.list_tags_for_resource(aws_retry=True, ResourceARN=arn)
        return boto3_tag_list_to_ansible_dict(answer.get("TagInfoForResource", {}).get("TagList", []))

    def ensure_tags(self, arn, label, current):
        desired = self.params["tags"]
        if desired is None:
            return current
        to_set, to_unset = tag_changes(current, desired, self.params["purge_tags"])
        if to_set:
            self.tracker.act("tag %s" % label, self.client.tag_resource, aws_retry=True, ResourceARN=arn, Tags=boto3_tags(to_set))
        if to_unset:
            self.tracker.act("untag %s" % label, self.client.untag_resource, aws_retry=True, ResourceARN=arn, TagKeys=to_unset)
        return merged_tags(current, to_set, to_unset)

    # -- IP sets -------------------------------------------------------------------------
    def ensure_ip_sets(self, existing):
        arns = {}
        for name, version, addresses, _owner in self.ip_set_specs():
            summary = existing.get(name)
            wanted = {"ip_version": version, "addresses": addresses, "tags": self.params["tags"]}
            if summary is None:
                kwargs = dict(Name=name, Scope=self.scope, IPAddressVersion=version, Addresses=addresses,
                              Description="Allow list of %s" % self.params["name"])
                if self.params["tags"]:
                    kwargs["Tags"] = boto3_tags(self.params["tags"])
                created = self.tracker.act("create IP set %s" % name, self.client.create_ip_set, aws_retry=True, **kwargs)
                arns[name] = created["Summary"]["ARN"] if created else None
                self.tracker.record("ip_sets", name, None, wanted)
                continue
            arns[name] = summary["ARN"]
            answer = self.client.get_ip_set(aws_retry=True, Name=name, Scope=self.scope, Id=summary["Id"])
            ip_set = answer["IPSet"]
            current_addresses = sorted(str(ipaddress.ip_network(a, strict=False)) for a in ip_set.get("Addresses", []))
            if ip_set.get("IPAddressVersion") != version:
                self.module.fail_json(msg="path_allow_lists: IP set %s holds %s addresses, not %s"
                                      % (name, ip_set.get("IPAddressVersion"), version))
            if current_addresses != addresses:
                self.tracker.act("update addresses of IP set %s" % name, self.client.update_ip_set, aws_retry=True,
                                 Name=name, Scope=self.scope, Id=summary["Id"], Addresses=addresses,
                                 LockToken=answer["LockToken"], Description=ip_set.get("Description") or
                                 "Allow list of %s" % self.params["name"])
            current_tags = self.tags_of(summary["ARN"]) if self.params["tags"] is not None else None
            after_tags = self.ensure_tags(summary["ARN"], "IP set %s" % name, current_tags) if current_tags is not None else None
            self.tracker.record("ip_sets", name, {"ip_version": version, "addresses": current_addresses, "tags": current_tags},
                                dict(wanted, tags=after_tags))
        return arns

    # -- the web ACL ---------------------------------------------------------------------
    @staticmethod
    def comparable_rules(rules):
        return sorted(plain(rules), key=lambda r: r.get("Priority", 0))

    def ensure_web_acl(self, summary, ip_set_arns):
        params = self.params
        rules = self.rules(ip_set_arns)
        default_action = {"Allow": {}} if params["default_action"] == "allow" else {"Block": {}}
        acl_visibility = visibility(params, "web-acl")
        wanted = {"default_action": default_action, "description": params["description"],
                  "rules": rules, "tags": params["tags"]}
        if summary is None:
            kwargs = dict(Name=params["name"], Scope=self.scope, DefaultAction=default_action, Rules=rules,
                          VisibilityConfig=acl_visibility)
            if params["description"]:
                kwargs["Description"] = params["description"]
            if params["tags"]:
                kwargs["Tags"] = boto3_tags(params["tags"])
            if any("(new IP set" in str(r) for r in rules):
                self.tracker.plan("create web ACL %s" % params["name"])
                created = None
            else:
                created = self.tracker.act("create web ACL %s" % params["name"], self.client.create_web_acl,
                                           aws_retry=True, **kwargs)
            self.tracker.record("web_acl", params["name"], None, wanted)
            return created["Summary"] if created else None
        answer = self.client.get_web_acl(aws_retry=True, Name=params["name"], Scope=self.scope, Id=summary["Id"])
        acl = answer["WebACL"]
        current_rules = self.comparable_rules(acl.get("Rules", []))
        same = (contains(acl.get("DefaultAction"), default_action)
                and (acl.get("Description") or "") == params["description"]
                and contains(acl.get("VisibilityConfig"), acl_visibility)
                and contains(current_rules, self.comparable_rules(rules)))
        if not same:
            kwargs = dict(Name=params["name"], Scope=self.scope, Id=summary["Id"], DefaultAction=default_action,
                          Rules=rules, VisibilityConfig=acl_visibility, LockToken=answer["LockToken"])
            if params["description"]:
                kwargs["Description"] = params["description"]
            self.tracker.act("update web ACL %s" % params["name"], self.client.update_web_acl, aws_retry=True, **kwargs)
        current_tags = self.tags_of(summary["ARN"]) if params["tags"] is not None else None
        after_tags = self.ensure_tags(summary["ARN"], "web ACL %s" % params["name"], current_tags) \
            if current_tags is not None else None
        before = {"default_action": plain(acl.get("DefaultAction")), "description": acl.get("Description") or "",
                  "rules": rules if same else current_rules, "tags": current_tags}
        self.tracker.record("web_acl", params["name"], before, dict(wanted, tags=after_tags))
        return summary

    def ensure_associations(self, acl_arn):
        associated = {}
        for resource_arn in self.params["resource_arns"]:
            current = None
            if acl_arn and resource_arn.startswith("arn:"):  # not a resource that check mode would create
                try:
                    answer = self.client.get_web_acl_for_resource(aws_retry=True, ResourceArn=resource_arn)
                    current = (answer.get("WebACL") or {}).get("ARN")
                except is_boto3_error_code("WAFNonexistentItemException"):
                    current = None
            if current != acl_arn or not acl_arn:
                description = "associate web ACL %s with %s" % (self.params["name"], resource_arn)
                if acl_arn and resource_arn.startswith("arn:"):
                    self.tracker.act(description, self.client.associate_web_acl, aws_retry=True,
                                     WebACLArn=acl_arn, ResourceArn=resource_arn)
                else:
                    self.tracker.plan(description)
            self.tracker.record("associations", resource_arn, current, acl_arn or "(new web ACL %s)" % self.params["name"])
            associated[resource_arn] = acl_arn
        return associated

    def present(self):
        ip_sets = {s["Name"]: s for s in self._list("list_ip_sets", "IPSets")} if self.params["path_allow_lists"] else {}
        ip_set_arns = self.ensure_ip_sets(ip_sets)
        acls = {a["Name"]: a for a in self._list("list_web_acls", "WebACLs")}
        summary = self.ensure_web_acl(acls.get(self.params["name"]), ip_set_arns)
        acl_arn = summary["ARN"] if summary else None
        self.ensure_associations(acl_arn)
        return self.result(summary, ip_set_arns)

    def absent(self):
        acls = {a["Name"]: a for a in self._list("list_web_acls", "WebACLs")}
        summary = acls.get(self.params["name"])
        if summary:
            for resource_arn in self.params["resource_arns"]:
                try:
                    answer = self.client.get_web_acl_for_resource(aws_retry=True, ResourceArn=resource_arn)
                except is_boto3_error_code("WAFNonexistentItemException"):
                    continue
                if (answer.get("WebACL") or {}).get("ARN") == summary["ARN"]:
                    self.tracker.act("disassociate %s" % resource_arn, self.client.disassociate_web_acl,
                                     aws_retry=True, ResourceArn=resource_arn)
            answer = self.client.get_web_acl(aws_retry=True, Name=summary["Name"], Scope=self.scope, Id=summary["Id"])
            self.tracker.act("delete web ACL %s" % summary["Name"], self.client.delete_web_acl, aws_retry=True,
                             Name=summary["Name"], Scope=self.scope, Id=summary["Id"], LockToken=answer["LockToken"])
            self.tracker.record("web_acl", summary["Name"], {"arn": summary["ARN"]}, None)
        ip_sets = {s["Name"]: s for s in self._list("list_ip_sets", "IPSets")}
        for name, _version, _addresses, _owner in self.ip_set_specs():
            found = ip_sets.get(name)
            if found:
                answer = self.client.get_ip_set(aws_retry=True, Name=name, Scope=self.scope, Id=found["Id"])
                self.tracker.act("delete IP set %s" % name, self.client.delete_ip_set, aws_retry=True, Name=name,
                                 Scope=self.scope, Id=found["Id"], LockToken=answer["LockToken"])
                self.tracker.record("ip_sets", name, {"arn": found["ARN"]}, None)
        return self.result(None, {})

    def result(self, summary, ip_set_arns):
        summary = summary or {}
        return {
            "changed": self.tracker.changed,
            "web_acl": {"arn": summary.get("ARN"), "id": summary.get("Id"), "name": self.params["name"]},
            "rules": [r["Name"] for r in self.rules(ip_set_arns)] if self.params["state"] == "present" else [],
            "ip_sets": ip_set_arns,
            "actions": self.tracker.actions,
            "diff": self.tracker.diff,
        }


def validate(module):
    params = module.params
    errors = []
    if not re.match(r"^[\w-]{1,128}$", params["name"] or ""):
        errors.append("name: %r must be 1-128 letters, digits, hyphens or underscores" % params["name"])
    if params["rate_limit"] and not 10 <= params["rate_limit"]["limit"] <= 2000000000:
        errors.append("rate_limit.limit: %d must be 10-2000000000" % params["rate_limit"]["limit"])
    errors += country_errors("geo_allow_countries", params["geo_allow_countries"])
    errors += country_errors("geo_block_countries", params["geo_block_countries"])
    if params["geo_allow_countries"] and params["geo_block_countries"]:
        errors.append("geo_block_countries: give either geo_allow_countries or geo_block_countries, not both")
    names = [a["name"] for a in params["path_allow_lists"]]
    for index, allow in enumerate(params["path_allow_lists"]):
        label = "path_allow_lists[%d]" % index
        if not SHORT_NAME.match(allow["name"]):
            errors.append("%s.name: %r must be letters, digits and hyphens" % (label, allow["name"]))
        if names.count(allow["name"]) > 1:
            errors.append("%s.name: %r is used twice" % (label, allow["name"]))
        if not allow["path"].startswith("/"):
            errors.append("%s.path: %r must start with /" % (label, allow["path"]))
        errors += cidr_list_errors("%s.addresses" % label, allow["addresses"])
    groups = [g["name"] for g in params["managed_rule_groups"]]
    errors += ["managed_rule_groups: %s is listed twice" % g for g in sorted({g for g in groups if groups.count(g) > 1})]
    if params["scope"] == "CLOUDFRONT" and params["resource_arns"]:
        errors.append("resource_arns: CloudFront distributions take a web ACL in their own configuration (WebACLId)")
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)


def main():
    group_spec = dict(
        name=dict(type="str", required=True),
        vendor=dict(type="str", default="AWS"),
        override=dict(type="str", choices=["none", "count"], default="none"),
        count_rules=dict(type="list", elements="str", default=[]),
    )
    rate_spec = dict(
        limit=dict(type="int", required=True),
        window=dict(type="int", choices=[60, 120, 300, 600], default=300),
        action=dict(type="str", choices=["block", "count"], default="block"),
    )
    allow_spec = dict(
        name=dict(type="str", required=True),
        path=dict(type="str", required=True),
        addresses=dict(type="list", elements="str", default=[]),
    )
    argument_spec = dict(
        name=dict(type="str", required=True),
        scope=dict(type="str", choices=["REGIONAL", "CLOUDFRONT"], default="REGIONAL"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        description=dict(type="str", default=""),
        default_action=dict(type="str", choices=["allow", "block"], default="allow"),
        managed_rule_groups=dict(type="list", elements="dict", options=group_spec, default=[]),
        rate_limit=dict(type="dict", options=rate_spec),
        geo_allow_countries=dict(type="list", elements="str", default=[]),
        geo_block_countries=dict(type="list", elements="str", default=[]),
        path_allow_lists=dict(type="list", elements="dict", options=allow_spec, default=[]),
        resource_arns=dict(type="list", elements="str", default=[]),
        cloudwatch_metrics=dict(type="bool", default=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    client = module.client("wafv2", retry_decorator=AWSRetry.jittered_backoff(
        retries=10, delay=2, max_delay=30, catch_extra_error_codes=WAF_NOT_YET_READY))
    manager = WebAcl(module, client, ChangeTracker(module))
    try:
        result = manager.present() if module.params["state"] == "present" else manager.absent()
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        module.fail_json_aws(exc, msg="WAFv2 call failed for web ACL %s" % module.params["name"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
