# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks for the network tier, shared by the vpc_network module and the
network_input_errors filter (which the network role runs before any API call).

Every function returns a list of messages; each message starts with the name of the bad
variable, so that a user sees at once what to fix.
"""

from __future__ import annotations

import ipaddress
import re

NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$")
NAT_MODES = ("per_az", "single", "none")


def parse_cidr(label, value, errors):
    """Return an IPv4Network for value, or None after adding a message naming label."""
    if not isinstance(value, str) or "/" not in value:
        errors.append("%s: %r is not a CIDR block such as 10.0.0.0/16" % (label, value))
        return None
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        errors.append("%s: %r is not a valid IPv4 CIDR block (%s)" % (label, value, exc))
        return None
    return network


def name_errors(label, value):
    """A project or environment name becomes part of every resource name and tag."""
    if not isinstance(value, str) or not value.strip():
        return ["%s: must not be empty" % label]
    if not NAME_RE.match(value):
        return ["%s: %r must be 1-32 lowercase letters, digits or hyphens, starting and ending "
                "with a letter or digit" % (label, value)]
    return []


def cidr_errors(vpc_label, vpc_cidr, subnets):
    """Check a VPC CIDR and its subnets.

    subnets is a list of (label, cidr) pairs. Checks: each is a valid CIDR, the VPC block is
    between /16 and /28 (the AWS limits), each subnet lies inside the VPC block, and no two
    subnets overlap.
    """
    errors = []
    vpc = parse_cidr(vpc_label, vpc_cidr, errors)
    if vpc is not None and not 16 <= vpc.prefixlen <= 28:
        errors.append("%s: %s must have a prefix length between /16 and /28" % (vpc_label, vpc_cidr))
    parsed = []
    for label, cidr in subnets:
        network = parse_cidr(label, cidr, errors)
        if network is None:
            continue
        if vpc is not None and not network.subnet_of(vpc):
            errors.append("%s: %s is outside %s %s" % (label, cidr, vpc_label, vpc_cidr))
        for other_label, other in parsed:
            if network.overlaps(other):
                errors.append("%s: %s overlaps %s %s" % (label, cidr, other_label, other))
        parsed.append((label, network))
    return errors


def network_input_errors(settings):
    """Check the network role's variables (a dict keyed by variable name)."""
    errors = []
    errors += name_errors("network_project", settings.get("network_project"))
    errors += name_errors("network_environment", settings.get("network_environment"))

    azs = settings.get("network_availability_zones") or []
    if not isinstance(azs, list) or not all(isinstance(az, str) and az for az in azs):
        errors.append("network_availability_zones: must be a list of zone names")
        azs = []
    elif len(set(azs)) != len(azs):
        errors.append("network_availability_zones: %s lists a zone twice" % azs)
    region = settings.get("network_region")
    for index, az in enumerate(azs):
        if region and not az.startswith(region):
            errors.append("network_availability_zones[%d]: %s is not in network_region %s" % (index, az, region))

    subnet_pairs = []
    for var in ("network_public_subnets", "network_app_subnets", "network_db_subnets"):
        cidrs = settings.get(var) or []
        if not isinstance(cidrs, list):
            errors.append("%s: must be a list of CIDR blocks" % var)
            continue
        if len(cidrs) > len(azs):
            errors.append("%s: %d subnets need %d availability zones but network_availability_zones has %d"
                          % (var, len(cidrs), len(cidrs), len(azs)))
        subnet_pairs += [("%s[%d]" % (var, index), cidr) for index, cidr in enumerate(cidrs)]
    errors += cidr_errors("network_vpc_cidr", settings.get("network_vpc_cidr"), subnet_pairs)

    mode = settings.get("network_nat_gateway_mode")
    if mode not in NAT_MODES:
        errors.append("network_nat_gateway_mode: %r must be one of %s" % (mode, ", ".join(NAT_MODES)))
    elif mode != "none" and not settings.get("network_public_subnets"):
        errors.append("network_nat_gateway_mode: %s needs at least one subnet in network_public_subnets" % mode)
    return errors


def network_subnet_plan(settings):
    """Turn the network role's variables into vpc_network's subnets option.

    The n-th subnet of each tier goes to the n-th zone and is named as the guide names them
    (<project>-<environment>-public-1a, -app-1a, -db-1a). Public subnets route to the internet
    gateway and hold the NAT gateways (one per zone, or only the first with mode single); app
    subnets route through a NAT gateway unless the mode is none; db subnets have no way out.
    """
    name = "%s-%s" % (settings["network_project"], settings["network_environment"])
    mode = settings.get("network_nat_gateway_mode", "per_az")
    azs = settings["network_availability_zones"]
    tiers = (
        ("public", settings.get("network_public_subnets") or [], "internet"),
        ("app", settings.get("network_app_subnets") or [], "none" if mode == "none" else "nat"),
        ("db", settings.get("network_db_subnets") or [], "none"),
    )
    plan = []
    for tier, cidrs, route in tiers:
        for index, cidr in enumerate(cidrs):
            az = azs[index]
            nat = tier == "public" and (mode == "per_az" or (mode == "single" and index == 0))
            plan.append({"name": "%s-%s-%s" % (name, tier, az.rsplit("-", 1)[-1]), "cidr": cidr,
                         "availability_zone": az, "tier": tier, "route": route, "nat_gateway": nat})
    return plan
