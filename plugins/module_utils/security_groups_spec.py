# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks for the security group tier, shared by the security_group_set module and the
security_groups_input_errors filter (which the security_groups role runs before any API call).

Every message starts with the name of the bad variable or option."""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.webstack.aws.plugins.module_utils.network_spec import name_errors

APPS = ("laravel", "fastapi")
VPC_ID_RE = re.compile(r"^vpc-[0-9a-f]{8,17}$")
PROTOCOL_NAMES = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp", "icmp": "icmp", "1": "icmp",
                  "icmpv6": "icmpv6", "58": "icmpv6", "all": "-1", "-1": "-1"}
# An allowed SSH source may not be wider than these prefixes: 0.0.0.0/1 is the internet too.
NARROWEST_WORLD_PREFIX = {4: 8, 6: 16}


def app_errors(label, value):
    if value not in APPS:
        return ["%s: %r must be one of %s (it follows webstack_app by default)" % (label, value, ", ".join(APPS))]
    return []


def parse_any_cidr(label, value, errors):
    """An IPv4 or IPv6 network for value, or None after a message naming label."""
    if not isinstance(value, str) or "/" not in value:
        errors.append("%s: %r is not a CIDR block such as 203.0.113.0/24" % (label, value))
        return None
    try:
        return ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        errors.append("%s: %r is not a valid CIDR block (%s)" % (label, value, exc))
        return None


def port_errors(label, value):
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value))
        except ValueError:
            return ["%s: %r is not a port number" % (label, value)]
    if not 1 <= value <= 65535:
        return ["%s: %s is not a port between 1 and 65535" % (label, value)]
    return []


def parse_ports(value):
    """'80' / 80 / '8000-8010' -> (from, to); raises ValueError."""
    text = str(value).strip()
    if "-" in text[1:]:
        low, high = text.split("-", 1)
        low, high = int(low), int(high)
    else:
        low = high = int(text)
    if not (0 <= low <= 65535 and 0 <= high <= 65535) or low > high:
        raise ValueError("%s is not a port or a port range within 0-65535" % value)
    return low, high


def normalize_protocol(value):
    return PROTOCOL_NAMES.get(str(value).lower(), str(value).lower())


def rule_errors(label, rule):
    """Check one rule of security_group_set (label like groups[1].rules[0])."""
    errors = []
    proto = normalize_protocol(rule.get("proto", "tcp"))
    if proto not in PROTOCOL_NAMES.values() and not (proto.isdigit() and 0 <= int(proto) <= 255):
        errors.append("%s.proto: %r is not tcp, udp, icmp, icmpv6, all or a protocol number" % (label, rule.get("proto")))
    ports = rule.get("ports") or []
    has_range = rule.get("from_port") is not None or rule.get("to_port") is not None
    if proto in ("tcp", "udp"):
        if not ports and not has_range:
            errors.append("%s: proto %s needs ports (or from_port and to_port)" % (label, proto))
        for index, port in enumerate(ports):
            try:
                parse_ports(port)
            except ValueError as exc:
                errors.append("%s.ports[%d]: %s" % (label, index, exc))
    elif proto == "-1" and (ports or has_range):
        errors.append("%s: proto all covers every port; drop ports/from_port/to_port" % label)
    if ports and has_range:
        errors.append("%s: give either ports or from_port/to_port, not both" % label)
    sources = 0
    for key in ("cidr_ip", "cidr_ipv6"):
        for index, cidr in enumerate(rule.get(key) or []):
            sources += 1
            network = parse_any_cidr("%s.%s[%d]" % (label, key, index), cidr, errors)
            if network is not None and key == "cidr_ipv6" and network.version != 6:
                errors.append("%s.%s[%d]: %s is not an IPv6 block" % (label, key, index, cidr))
    for key in ("group_name", "group_id", "prefix_list_id"):
        sources += len(rule.get(key) or [])
    if not sources:
        errors.append("%s: needs at least one source (cidr_ip, cidr_ipv6, group_name, group_id or prefix_list_id)" % label)
    return errors


def world_open_errors(label, cidrs):
    """SSH (or any admin port) may only come from named networks, never the whole internet."""
    errors = []
    if not isinstance(cidrs, list):
        return ["%s: must be a list of CIDR blocks" % label]
    for index, cidr in enumerate(cidrs):
        item = "%s[%d]" % (label, index)
        network = parse_any_cidr(item, cidr, errors)
        if network is None:
            continue
        if network.prefixlen == 0:
            errors.append("%s: %s would open the port to the whole internet; reach hosts through SSM Session "
                          "Manager or list your own network's CIDR" % (item, cidr))
        elif network.prefixlen < NARROWEST_WORLD_PREFIX[network.version]:
            errors.append("%s: %s is wider than /%d, which is a large part of the internet; list your own "
                          "network's CIDR" % (item, cidr, NARROWEST_WORLD_PREFIX[network.version]))
    return errors


def security_groups_input_errors(settings):
    """Check the security_groups role's variables (a dict keyed by variable name)."""
    errors = []
    errors += name_errors("security_groups_project", settings.get("security_groups_project"))
    errors += name_errors("security_groups_environment", settings.get("security_groups_environment"))
    errors += app_errors("security_groups_app", settings.get("security_groups_app"))
    state = settings.get("security_groups_state", "present")
    if state not in ("present", "absent"):
        errors.append("security_groups_state: %r must be present or absent" % state)
    # An empty VPC id is fine here (the network tier may not have run yet when every tier's
    # inputs are checked up front); the role asserts it right before the module runs.
    vpc_id = settings.get("security_groups_vpc_id")
    if vpc_id and not VPC_ID_RE.match(str(vpc_id)):
        errors.append("security_groups_vpc_id: %r is not a VPC id such as vpc-0123456789abcdef0" % vpc_id)
    for var in ("security_groups_web_port", "security_groups_db_port", "security_groups_redis_port"):
        errors += port_errors(var, settings.get(var))
    alb_ports = settings.get("security_groups_alb_ports")
    if not isinstance(alb_ports, list) or not alb_ports:
        errors.append("security_groups_alb_ports: must be a non-empty list of ports")
    else:
        for index, port in enumerate(alb_ports):
            errors += port_errors("security_groups_alb_ports[%d]" % index, port)
    alb_cidrs = settings.get("security_groups_alb_cidrs")
    if not isinstance(alb_cidrs, list) or not alb_cidrs:
        errors.append("security_groups_alb_cidrs: must be a non-empty list of CIDR blocks")
    else:
        for index, cidr in enumerate(alb_cidrs):
            parse_any_cidr("security_groups_alb_cidrs[%d]" % index, cidr, errors)
    errors += world_open_errors("security_groups_ssh_cidrs", settings.get("security_groups_ssh_cidrs") or [])
    return errors
