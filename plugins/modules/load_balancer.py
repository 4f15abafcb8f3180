#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: load_balancer
short_description: Converge an application load balancer with its target groups, listeners and attributes in one call
version_added: 0.2.0
description:
  - Creates or updates an application load balancer, its target groups (with their health
    checks), its listeners (forward, redirect or fixed-response default actions, HTTPS with a
    certificate and a TLS 1.2+ security policy) and its attributes (idle timeout, HTTP/2,
    deletion protection), found again by name on later runs.
  - Target registration is never touched; an Auto Scaling group registers its instances.
    (M(community.aws.elb_target_group) deregisters them on every run unless told otherwise.)
  - Attributes are compared one by one and only those that differ are written, so attributes
    that an API answer lacks are set instead of failing (M(amazon.aws.elb_application_lb)
    raises a KeyError there).
  - A converged re-run makes five reads (load balancer, its attributes, target groups,
    listeners, tags) and no write.
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  name:
    description: The load balancer's name (at most 32 characters).
    type: str
    required: true
  state:
    description:
      - V(absent) deletes the load balancer (and with it its listeners), then the listed target
        groups. It fails while deletion protection is on.
    type: str
    choices: [present, absent]
    default: present
  scheme:
    description: V(internet-facing) or V(internal); cannot change after creation.
    type: str
    choices: [internet-facing, internal]
    default: internet-facing
  subnets:
    description: Subnet ids, in at least two availability zones. Required with O(state=present).
    type: list
    elements: str
  security_groups:
    description: Security group ids.
    type: list
    elements: str
    default: []
  ip_address_type:
    description: V(ipv4) or V(dualstack).
    type: str
    choices: [ipv4, dualstack]
    default: ipv4
  idle_timeout:
    description: Seconds a connection may stay idle.
    type: int
    default: 60
  http2:
    description: Whether HTTP/2 is enabled.
    type: bool
    default: true
  deletion_protection:
    description: Whether deletion protection is on.
    type: bool
    default: false
  attributes:
    description: Further load balancer attributes by key, for example C(access_logs.s3.enabled).
    type: dict
    default: {}
  target_groups:
    description: Target groups; their targets are left to whoever registers them.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The target group's name (at most 32 characters).
        type: str
        required: true
      protocol:
        description: The targets' protocol.
        type: str
        choices: [HTTP, HTTPS]
        default: HTTP
      port:
        description: The targets' port.
        type: int
        required: true
      vpc_id:
        description: The VPC; defaults to the load balancer's.
        type: str
      target_type:
        description: V(instance), V(ip) or V(lambda).
        type: str
        choices: [instance, ip, lambda]
        default: instance
      health_check:
        description: The health check.
        type: dict
        default: {}
        suboptions:
          protocol:
            description: Protocol of the check.
            type: str
            choices: [HTTP, HTTPS]
            default: HTTP
          port:
            description: Port of the check, or V(traffic-port).
            type: str
            default: traffic-port
          path:
            description: Path of the check.
            type: str
            default: /
          interval:
            description: Seconds between checks (5-300).
            type: int
            default: 30
          timeout:
            description: Seconds before a check fails (2-120, shorter than O(target_groups[].health_check.interval)).
            type: int
            default: 5
          healthy_threshold:
            description: Consecutive successes before a target is healthy.
            type: int
            default: 5
          unhealthy_threshold:
            description: Consecutive failures before a target is unhealthy.
            type: int
            default: 2
          matcher:
            description: HTTP codes of a healthy answer, for example V(200) or V(200-299).
            type: str
            default: "200"
      attributes:
        description: Target group attributes by key, for example C(deregistration_delay.timeout_seconds).
        type: dict
        default: {}
  listeners:
    description: The listeners.
    type: list
    elements: dict
    default: []
    suboptions:
      port:
        description: The listener's port.
        type: int
        required: true
      protocol:
        description: V(HTTP) or V(HTTPS).
        type: str
        choices: [HTTP, HTTPS]
        required: true
      ssl_policy:
        description: The security policy of an HTTPS listener; only policies whose lowest protocol is TLS 1.2 or newer are accepted.
        type: str
        default: ELBSecurityPolicy-TLS13-1-2-2021-06
      certificate_arn:
        description: The default certificate of an HTTPS listener.
        type: str
      default_action:
        description: What the listener does with every request.
        type: dict
        required: true
        suboptions:
          type:
            description: The action.
            type: str
            choices: [forward, redirect, fixed-response]
            required: true
          target_group:
            description: The name of a target group of O(target_groups), for V(forward).
            type: str
          redirect:
            description: For V(redirect); defaults keep host, path and query.
            type: dict
            suboptions:
              protocol: {description: Target protocol., type: str, default: HTTPS}
              port: {description: Target port., type: str, default: "443"}
              host: {description: Target host., type: str, default: "#{host}"}
              path: {description: Target path., type: str, default: "/#{path}"}
              query: {description: Target query., type: str, default: "#{query}"}
              status_code: {description: HTTP_301 or HTTP_302., type: str, default: HTTP_301, choices: [HTTP_301, HTTP_302]}
          fixed_response:
            description: For V(fixed-response).
            type: dict
            suboptions:
              status_code: {description: The status code., type: str, required: true}
              content_type: {description: The content type., type: str, default: text/plain}
              message_body: {description: The body., type: str}
  purge_listeners:
    description: Delete listeners on ports that O(listeners) does not list.
    type: bool
    default: true
  wait:
    description: Wait for a new load balancer to become active.
    type: bool
    default: true
  wait_timeout:
    description: How many seconds to wait at most.
    type: int
    default: 600
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The guide's ALB (seed 000) - 80 redirects, 443 forwards with TLS 1.2+
  webstack.aws.load_balancer:
    name: innobic-production-alb
    subnets: "{{ network_subnet_ids.public.values() | list }}"
    security_groups: ["{{ security_groups_ids.alb }}"]
    idle_timeout: 60
    http2: true
    deletion_protection: true
    target_groups:
      - name: innobic-production-tg
        port: 80
        health_check: {path: /health, interval: 30, timeout: 5, healthy_threshold: 2, unhealthy_threshold: 3, matcher: "200"}
    listeners:
      - port: 80
        protocol: HTTP
        default_action: {type: redirect, redirect: {protocol: HTTPS, port: "443", status_code: HTTP_301}}
      - port: 443
        protocol: HTTPS
        certificate_arn: "{{ certificate.certificate_arn }}"
        default_action: {type: forward, target_group: innobic-production-tg}
    tags:
      Project: innobic
  register: alb
"""

RETURN = r"""
load_balancer:
  description: The load balancer; ids are null in check mode for a new one.
  returned: always
  type: dict
  contains:
    arn: {description: The ARN., type: str, returned: always}
    dns_name: {description: The DNS name., type: str, returned: always}
    canonical_hosted_zone_id: {description: The Route 53 zone id for alias records., type: str, returned: always}
    vpc_id: {description: The VPC., type: str, returned: always}
target_groups:
  description: Target group ARNs by name.
  returned: always
  type: dict
listeners:
  description: Listener ARNs by port.
  returned: always
  type: dict
actions:
  description: The writes made (or, in check mode, that would be made), in order.
  returned: always
  type: list
  elements: str
"""

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
from ansible_collections.webstack.aws.plugins.module_utils.desired_state import tag_changes
from ansible_collections.webstack.aws.plugins.module_utils.edge_spec import elb_name_errors
from ansible_collections.webstack.aws.plugins.module_utils.edge_spec import health_check_errors
from ansible_collections.webstack.aws.plugins.module_utils.edge_spec import tls_policy_errors
from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker
from ansible_collections.webstack.aws.plugins.module_utils.resource import wait_for

HEALTH_CHECK_FIELDS = {  # option -> DescribeTargetGroups / ModifyTargetGroup key
    "protocol": "HealthCheckProtocol",
    "port": "HealthCheckPort",
    "path": "HealthCheckPath",
    "interval": "HealthCheckIntervalSeconds",
    "timeout": "HealthCheckTimeoutSeconds",
    "healthy_threshold": "HealthyThresholdCount",
    "unhealthy_threshold": "UnhealthyThresholdCount",
}


def _bool(value):
    return "true" if value else "false"


def lb_attributes(params):
    attributes = {
        "idle_timeout.timeout_seconds": str(params["idle_timeout"]),
        "routing.http2.enabled": _bool(params["http2"]),
        "deletion_protection.enabled": _bool(params["deletion_protection"]),
    }
    attributes.update({k: _bool(v) if isinstance(v, bool) else str(v) for k, v in (params["attributes"] or {}).items()})
    return attributes


def health_check_params(check):
    result = {api: check[option] for option, api in HEALTH_CHECK_FIELDS.items()}
    result["HealthCheckEnabled"] = True
    result["Matcher"] = {"HttpCode": str(check["matcher"])}
    return result


def health_check_state(target_group):
    result = {option: target_group.get(api) for option, api in HEALTH_CHECK_FIELDS.items()}
    result["matcher"] = target_group.get("Matcher", {}).get("HttpCode")
    return result


def attribute_dict(answer):
    return {a["Key"]: a["Value"] for a in answer.get("Attributes", [])}


class Names:
    """Tag helpers: every resource gets the module's tags plus its own Name."""

    def __init__(self, params):
        self.tags = params["tags"]
        self.purge_tags = params["purge_tags"]

    def tags_for(self, name):
        if self.tags is None:
            return None
        tags = dict(self.tags)
        tags["Name"] = name
        return tags


class ElbV2:
    def __init__(self, module, client, tracker):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.params = module.params
        self.names = Names(module.params)

    # -- reads ---------------------------------------------------------------------------
    def find_load_balancer(self):
        try:
            found = self.client.describe_load_balancers(aws_retry=True, Names=[self.params["name"]])["LoadBalancers"]
        except is_boto3_error_code("LoadBalancerNotFound"):
            return None
        return found[0] if found else None

    def find_target_groups(self):
        names = [t["name"] for t in self.params["target_groups"]]
        if not names:
            return {}
        try:
            found = self.client.describe_target_groups(aws_retry=True, Names=names)["TargetGroups"]
        except is_boto3_error_code("TargetGroupNotFound"):
            found = []
            for name in names:  # one of them is missing: find the others one by one
                try:
                    found += self.client.describe_target_groups(aws_retry=True, Names=[name])["TargetGroups"]
                except is_boto3_error_code("TargetGroupNotFound"):
                    continue
        return {t["TargetGroupName"]: t for t in found}

    def tags_of(self, arns):
        arns = [a for a in arns if a]
        result = {}
        for start in range(0, len(arns), 20):
            answer = self.client.describe_tags(aws_retry=True, ResourceArns=arns[start:start + 20])
            for description in answer.get("TagDescriptions", []):
                result[description["ResourceArn"]] = boto3_tag_list_to_ansible_dict(description.get("Tags", []))
        return result

    # -- tags ----------------------------------------------------------------------------
    def ensure_tags(self, arn, name, current):
        desired = self.names.tags_for(name)
        if desired is None:
            return current
        to_set, to_unset = tag_changes(current, desired, self.names.purge_tags)
        if to_set:
            self.tracker.act("tag %s" % name, self.client.add_tags, aws_retry=True, ResourceArns=[arn], Tags=boto3_tags(to_set))
        if to_unset:
            self.tracker.act("untag %s" % name, self.client.remove_tags, aws_retry=True, ResourceArns=[arn], TagKeys=to_unset)
        return merged_tags(current, to_set, to_unset)

    # -- target groups -------------------------------------------------------------------
    def ensure_target_groups(self, existing, vpc_id, tags_by_arn):
        arns = {}
        for index, spec in enumerate(self.params["target_groups"]):
            name = spec["name"]
            wanted = {"protocol": spec["protocol"], "port": spec["port"], "target_type": spec["target_type"],
                      "health_check": {k: spec["health_check"][k] for k in list(HEALTH_CHECK_FIELDS) + ["matcher"]},
                      "attributes": dict(spec["attributes"] or {}), "tags": self.names.tags_for(name)}
            target_group = existing.get(name)
            if target_group is None:
                arn = self._create_target_group(spec, spec["vpc_id"] or vpc_id)
                self.tracker.record("target_groups", name, None, wanted)
                arns[name] = arn
                continue
            arn = target_group["TargetGroupArn"]
            arns[name] = arn
            for option, key in (("protocol", "Protocol"), ("port", "Port"), ("target_type", "TargetType")):
                if target_group.get(key) != spec[option]:
                    self.module.fail_json(msg="target_groups[%d].%s: target group %s has %s %s, not %s; this cannot change "
                                          "in place (give the new one another name)"
                                          % (index, option, name, key, target_group.get(key), spec[option]))
            wanted_vpc = spec["vpc_id"] or vpc_id
            if wanted_vpc and target_group.get("VpcId") != wanted_vpc:
                self.module.fail_json(msg="target_groups[%d].vpc_id: target group %s is in %s, not %s"
                                      % (index, name, target_group.get("VpcId"), wanted_vpc))
            current_check = health_check_state(target_group)
            if current_check != wanted["health_check"]:
                self.tracker.act("modify health check of target group %s" % name, self.client.modify_target_group,
                                 aws_retry=True, TargetGroupArn=arn, **health_check_params(spec["health_check"]))
            current_attributes = {}
            if spec["attributes"]:
                answer = self.client.describe_target_group_attributes(aws_retry=True, TargetGroupArn=arn)
                all_attributes = attribute_dict(answer)
                current_attributes = {k: all_attributes.get(k) for k in spec["attributes"]}
                changes = {k: str(v) for k, v in spec["attributes"].items() if all_attributes.get(k) != str(v)}
                if changes:
                    self.tracker.act("set attributes %s of target group %s" % (", ".join(sorted(changes)), name),
                                     self.client.modify_target_group_attributes, aws_retry=True, TargetGroupArn=arn,
                                     Attributes=[{"Key": k, "Value": v} for k, v in sorted(changes.items())])
            current_tags = tags_by_arn.get(arn, {})
            after_tags = self.ensure_tags(arn, name, current_tags)
            self.tracker.record("target_groups", name,
                                {"protocol": target_group["Protocol"], "port": target_group["Port"],
                                 "target_type": target_group["TargetType"], "health_check": current_check,
                                 "attributes": current_attributes, "tags": current_tags if wanted["tags"] is not None else None},
                                dict(wanted, tags=after_tags if wanted["tags"] is not None else None))
        return arns

    def _create_target_group(self, spec, vpc_id):
        kwargs = dict(Name=spec["name"], Protocol=spec["protocol"], Port=spec["port"], TargetType=spec["target_type"],
                      **health_check_params(spec["health_check"]))
        if spec["target_type"] != "lambda":
            if not vpc_id:
                self.tracker.plan("create target group %s" % spec["name"])
                return None
            kwargs["VpcId"] = vpc_id
        tags = self.names.tags_for(spec["name"])
        if tags:
            kwargs["Tags"] = boto3_tags(tags)
        created = self.tracker.act("create target group %s" % spec["name"], self.client.create_target_group,
                                   aws_retry=True, **kwargs)
        arn = created["TargetGroups"][0]["TargetGroupArn"] if created else None
        if arn and spec["attributes"]:
            self.tracker.act("set attributes of target group %s" % spec["name"], self.client.modify_target_group_attributes,
                             aws_retry=True, TargetGroupArn=arn,
                             Attributes=[{"Key": k, "Value": str(v)} for k, v in sorted(spec["attributes"].items())])
        return arn

    # -- the load balancer ---------------------------------------------------------------
    def ensure_load_balancer(self, lb, tags_by_arn):
        params = self.params
        name = params["name"]
        wanted = {"scheme": params["scheme"], "subnets": sorted(params["subnets"]),
                  "security_groups": sorted(params["security_groups"]), "ip_address_type": params["ip_address_type"],
                  "attributes": lb_attributes(params), "tags": self.names.tags_for(name)}
        if lb is None:
            kwargs = dict(Name=name, Subnets=params["subnets"], Scheme=params["scheme"], Type="application",
                          IpAddressType=params["ip_address_type"])
            if params["security_groups"]:
                kwargs["SecurityGroups"] = params["security_groups"]
            if wanted["tags"]:
                kwargs["Tags"] = boto3_tags(wanted["tags"])
            created = self.tracker.act("create load balancer %s" % name, self.client.create_load_balancer,
                                       aws_retry=True, **kwargs)
            lb = created["LoadBalancers"][0] if created else None
            if lb:
                self._set_attributes(lb["LoadBalancerArn"], {}, wanted["attributes"])
                if params["wait"]:
                    wait_for(self.module, self.client, "load_balancer_available", delay=5,
                             LoadBalancerArns=[lb["LoadBalancerArn"]])
            self.tracker.record("load_balancer", name, None, wanted)
            return lb
        arn = lb["LoadBalancerArn"]
        if lb.get("Type") != "application":
            self.module.fail_json(msg="name: %s is a %s load balancer, not an application load balancer" % (name, lb.get("Type")))
        if lb.get("Scheme") != params["scheme"]:
            self.module.fail_json(msg="scheme: load balancer %s is %s; the scheme cannot change in place"
                                  % (name, lb.get("Scheme")))
        current_subnets = sorted(z["SubnetId"] for z in lb.get("AvailabilityZones", []))
        if current_subnets != wanted["subnets"]:
            self.tracker.act("set subnets of %s" % name, self.client.set_subnets, aws_retry=True,
                             LoadBalancerArn=arn, Subnets=params["subnets"])
        current_groups = sorted(lb.get("SecurityGroups", []))
        if current_groups != wanted["security_groups"]:
            self.tracker.act("set security groups of %s" % name, self.client.set_security_groups, aws_retry=True,
                             LoadBalancerArn=arn, SecurityGroups=params["security_groups"])
        if lb.get("IpAddressType") != params["ip_address_type"]:
            self.tracker.act("set IP address type of %s" % name, self.client.set_ip_address_type, aws_retry=True,
                             LoadBalancerArn=arn, IpAddressType=params["ip_address_type"])
        current_attributes = attribute_dict(self.client.describe_load_balancer_attributes(aws_retry=True, LoadBalancerArn=arn))
        self._set_attributes(arn, current_attributes, wanted["attributes"])
        current_tags = tags_by_arn.get(arn, {})
        after_tags = self.ensure_tags(arn, name, current_tags)
        self.tracker.record("load_balancer", name,
                            {"scheme": lb.get("Scheme"), "subnets": current_subnets, "security_groups": current_groups,
                             "ip_address_type": lb.get("IpAddressType"),
                             "attributes": {k: current_attributes.get(k) for k in wanted["attributes"]},
                             "tags": current_tags if wanted["tags"] is not None else None},
                            dict(wanted, tags=after_tags if wanted["tags"] is not None else None))
        return lb

    def _set_attributes(self, arn, current, wanted):
        # A key that the answer lacks is written rather than looked up (no KeyError).
        changes = {k: v for k, v in wanted.items() if current.get(k) != v}
        if changes:
            self.tracker.act("set load balancer attributes %s" % ", ".join("%s=%s" % kv for kv in sorted(changes.items())),
                             self.client.modify_load_balancer_attributes, aws_retry=True, LoadBalancerArn=arn,
                             Attributes=[{"Key": k, "Value": v} for k, v in sorted(changes.items())])

    # -- listeners -----------------------------------------------------------------------
    def desired_action(self, action, target_group_arns):
        kind = action["type"]
        if kind == "forward":
            arn = target_group_arns.get(action["target_group"])
            return {"Type": "forward", "TargetGroupArn": arn or "(new target group %s)" % action["target_group"]}
        if kind == "redirect":
            redirect = action.get("redirect") or {}
            config = {"Protocol": redirect.get("protocol") or "HTTPS", "Port": str(redirect.get("port") or "443"),
                      "Host": redirect.get("host") or "#{host}", "Path": redirect.get("path") or "/#{path}",
                      "Query": redirect.get("query") if redirect.get("query") is not None else "#{query}",
                      "StatusCode": redirect.get("status_code") or "HTTP_301"}
            return {"Type": "redirect", "RedirectConfig": config}
        fixed = action["fixed_response"]
        config = {"StatusCode": str(fixed["status_code"]), "ContentType": fixed.get("content_type") or "text/plain"}
        if fixed.get("message_body"):
            config["MessageBody"] = fixed["message_body"]
        return {"Type": "fixed-response", "FixedResponseConfig": config}

    @staticmethod
    def current_action(listener):
        actions = listener.get("DefaultActions", [])
        if len(actions) != 1:
            return {"Type": "(%d actions)" % len(actions)}
        action = dict(actions[0])
        action.pop("Order", None)
        if action.get("Type") == "forward":
            arn = action.get("TargetGroupArn")
            groups = action.get("ForwardConfig", {}).get("TargetGroups", [])
            if not arn and len(groups) == 1:
                arn = groups[0]["TargetGroupArn"]
            return {"Type": "forward", "TargetGroupArn": arn}
        return action

    def ensure_listeners(self, lb_arn, target_group_arns):
        params = self.params
        existing = {}
        if lb_arn:
            for listener in self.client.describe_listeners(aws_retry=True, LoadBalancerArn=lb_arn).get("Listeners", []):
                existing[listener["Port"]] = listener
        arns = {}
        for spec in params["listeners"]:
            port = spec["port"]
            action = self.desired_action(spec["default_action"], target_group_arns)
            wanted = {"protocol": spec["protocol"], "default_action": action}
            kwargs = dict(Port=port, Protocol=spec["protocol"], DefaultActions=[action])
            if spec["protocol"] == "HTTPS":
                wanted["ssl_policy"] = spec["ssl_policy"]
                wanted["certificate_arn"] = spec["certificate_arn"]
                kwargs["SslPolicy"] = spec["ssl_policy"]
                kwargs["Certificates"] = [{"CertificateArn": spec["certificate_arn"]}]
            ready = lb_arn and "(new" not in str(action.get("TargetGroupArn", ""))
            listener = existing.pop(port, None)
            if listener is None:
                if ready:
                    created = self.tracker.act("create %s listener on port %d" % (spec["protocol"], port),
                                               self.client.create_listener, aws_retry=True, LoadBalancerArn=lb_arn, **kwargs)
                    arns[port] = created["Listeners"][0]["ListenerArn"] if created else None
                else:
                    self.tracker.plan("create %s listener on port %d" % (spec["protocol"], port))
                    arns[port] = None
                self.tracker.record("listeners", str(port), None, wanted)
                continue
            arns[port] = listener["ListenerArn"]
            current = {"protocol": listener.get("Protocol"), "default_action": self.current_action(listener)}
            if spec["protocol"] == "HTTPS":
                current["ssl_policy"] = listener.get("SslPolicy")
                certificates = [c["CertificateArn"] for c in listener.get("Certificates", []) if c.get("IsDefault", True)]
                current["certificate_arn"] = certificates[0] if certificates else None
            same = (current["protocol"] == wanted["protocol"] and contains(current["default_action"], action)
                    and current.get("ssl_policy") == wanted.get("ssl_policy")
                    and current.get("certificate_arn") == wanted.get("certificate_arn"))
            if not same:
                if ready:
                    self.tracker.act("modify listener on port %d" % port, self.client.modify_listener, aws_retry=True,
                                     ListenerArn=listener["ListenerArn"], **kwargs)
                else:
                    self.tracker.plan("modify listener on port %d" % port)
            # Defaults that only the API fills in (Host, Path, Query of a redirect) are shown as wanted.
            recorded = dict(current)
            if same:
                recorded["default_action"] = action
            self.tracker.record("listeners", str(port), recorded, wanted)
        if params["purge_listeners"]:
            for port, listener in sorted(existing.items()):
                self.tracker.act("delete listener on port %d" % port, self.client.delete_listener, aws_retry=True,
                                 ListenerArn=listener["ListenerArn"])
                self.tracker.record("listeners", str(port), {"protocol": listener.get("Protocol")}, None)
        return arns

    # -- the whole -----------------------------------------------------------------------
    def present(self):
        lb = self.find_load_balancer()
        groups = self.find_target_groups()
        arns = [lb["LoadBalancerArn"]] if lb else []
        arns += [g["TargetGroupArn"] for g in groups.values()]
        tags_by_arn = self.tags_of(arns) if self.params["tags"] is not None and arns else {}
        lb = self.ensure_load_balancer(lb, tags_by_arn)
        target_group_arns = self.ensure_target_groups(groups, lb["VpcId"] if lb else None, tags_by_arn)
        listeners = self.ensure_listeners(lb["LoadBalancerArn"] if lb else None, target_group_arns)
        return self.result(lb, target_group_arns, listeners)

    def absent(self):
        lb = self.find_load_balancer()
        if lb:
            arn = lb["LoadBalancerArn"]
            attributes = attribute_dict(self.client.describe_load_balancer_attributes(aws_retry=True, LoadBalancerArn=arn))
            if attributes.get("deletion_protection.enabled") == "true":
                self.module.fail_json(msg="deletion_protection: load balancer %s has deletion protection on; run with "
                                      "deletion_protection=false and state=present first" % self.params["name"])
            self.tracker.act("delete load balancer %s" % self.params["name"], self.client.delete_load_balancer,
                             aws_retry=True, LoadBalancerArn=arn)
            self.tracker.record("load_balancer", self.params["name"], {"arn": arn}, None)
            if not self.module.check_mode and self.params["wait"]:
                wait_for(self.module, self.client, "load_balancers_deleted", delay=5, LoadBalancerArns=[arn])
        for name, group in sorted(self.find_target_groups().items()):
            self.tracker.act("delete target group %s" % name, self.client.delete_target_group, aws_retry=True,
                             TargetGroupArn=group["TargetGroupArn"])
            self.tracker.record("target_groups", name, {"arn": group["TargetGroupArn"]}, None)
        return self.result(None, {}, {})

    def result(self, lb, target_group_arns, listeners):
        lb = lb or {}
        return {
            "changed": self.tracker.changed,
            "load_balancer": {"arn": lb.get("LoadBalancerArn"), "dns_name": lb.get("DNSName"),
                              "canonical_hosted_zone_id": lb.get("CanonicalHostedZoneId"), "vpc_id": lb.get("VpcId"),
                              "name": self.params["name"]},
            "target_groups": target_group_arns,
            "listeners": {str(k): v for k, v in listeners.items()},
            "actions": self.tracker.actions,
            "diff": self.tracker.diff,
        }


def validate(module):
    params = module.params
    errors = elb_name_errors("name", params["name"])
    names = set()
    for index, spec in enumerate(params["target_groups"]):
        errors += elb_name_errors("target_groups[%d].name" % index, spec["name"])
        names.add(spec["name"])
        if params["state"] == "present":
            errors += health_check_errors("target_groups[%d].health_check" % index, spec["health_check"])
    if params["state"] == "present":
        if not params["subnets"] or len(params["subnets"]) < 2:
            errors.append("subnets: an application load balancer needs subnets in at least two availability zones")
        ports = [spec["port"] for spec in params["listeners"]]
        for index, spec in enumerate(params["listeners"]):
            label = "listeners[%d]" % index
            if ports.count(spec["port"]) > 1:
                errors.append("%s.port: %d is listed twice" % (label, spec["port"]))
            if spec["protocol"] == "HTTPS":
                errors += tls_policy_errors("%s.ssl_policy" % label, spec["ssl_policy"])
                if not spec["certificate_arn"]:
                    errors.append("%s.certificate_arn: an HTTPS listener needs a certificate" % label)
            action = spec["default_action"]
            if action["type"] == "forward" and action.get("target_group") not in names:
                errors.append("%s.default_action.target_group: %r is not a name in target_groups"
                              % (label, action.get("target_group")))
            if action["type"] == "fixed-response" and not action.get("fixed_response"):
                errors.append("%s.default_action.fixed_response: required for type fixed-response" % label)
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)


def main():
    health_check_spec = dict(
        protocol=dict(type="str", choices=["HTTP", "HTTPS"], default="HTTP"),
        port=dict(type="str", default="traffic-port"),
        path=dict(type="str", default="/"),
        interval=dict(type="int", default=30),
        timeout=dict(type="int", default=5),
        healthy_threshold=dict(type="int", default=5),
        unhealthy_threshold=dict(type="int", default=2),
        matcher=dict(type="str", default="200"),
    )
    target_group_spec = dict(
        name=dict(type="str", required=True),
        protocol=dict(type="str", choices=["HTTP", "HTTPS"], default="HTTP"),
        port=dict(type="int", required=True),
        vpc_id=dict(type="str"),
        target_type=dict(type="str", choices=["instance", "ip", "lambda"], default="instance"),
        health_check=dict(type="dict", options=health_check_spec, default={}),
        attributes=dict(type="dict", default={}),
    )
    redirect_spec = dict(
        protocol=dict(type="str", default="HTTPS"),
        port=dict(type="str", default="443"),
        host=dict(type="str", default="#{host}"),
        path=dict(type="str", default="/#{path}"),
        query=dict(type="str", default="#{query}"),
        status_code=dict(type="str", default="HTTP_301", choices=["HTTP_301", "HTTP_302"]),
    )
    fixed_spec = dict(
        status_code=dict(type="str", required=True),
        content_type=dict(type="str", default="text/plain"),
        message_body=dict(type="str"),
    )
    action_spec = dict(
        type=dict(type="str", required=True, choices=["forward", "redirect", "fixed-response"]),
        target_group=dict(type="str"),
        redirect=dict(type="dict", options=redirect_spec),
        fixed_response=dict(type="dict", options=fixed_spec),
    )
    listener_spec = dict(
        port=dict(type="int", required=True),
        protocol=dict(type="str", choices=["HTTP", "HTTPS"], required=True),
        ssl_policy=dict(type="str", default="ELBSecurityPolicy-TLS13-1-2-2021-06"),
        certificate_arn=dict(type="str"),
        default_action=dict(type="dict", required=True, options=action_spec),
    )
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        scheme=dict(type="str", choices=["internet-facing", "internal"], default="internet-facing"),
        subnets=dict(type="list", elements="str"),
        security_groups=dict(type="list", elements="str", default=[]),
        ip_address_type=dict(type="str", choices=["ipv4", "dualstack"], default="ipv4"),
        idle_timeout=dict(type="int", default=60),
        http2=dict(type="bool", default=True),
        deletion_protection=dict(type="bool", default=False),
        attributes=dict(type="dict", default={}),
        target_groups=dict(type="list", elements="dict", options=target_group_spec, default=[]),
        listeners=dict(type="list", elements="dict", options=listener_spec, default=[]),
        purge_listeners=dict(type="bool", default=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    client = module.client("elbv2", retry_decorator=AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30))
    manager = ElbV2(module, client, ChangeTracker(module))
    try:
        result = manager.present() if module.params["state"] == "present" else manager.absent()
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        module.fail_json_aws(exc, msg="Elastic Load Balancing call failed for %s" % module.params["name"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
