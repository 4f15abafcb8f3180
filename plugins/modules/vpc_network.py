#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vpc_network
short_description: Converge a whole VPC network tier (VPC, subnets, gateways, route tables) in one call
version_added: 0.1.0
description:
  - Creates, updates or deletes a VPC with its subnets, an internet gateway, NAT gateways with
    their Elastic IPs, and route tables, all found again by their C(Name) tags on later runs.
  - One invocation converges the tier with one describe call per resource type, so a re-run of
    a converged network makes six read calls and no write.
  - Unlike M(amazon.aws.ec2_eip) and M(amazon.aws.ec2_vpc_nat_gateway), a re-run never allocates
    another Elastic IP and never reports a change for tags that are already right. An Elastic IP
    left over from an interrupted run (tagged with the NAT gateway's name and not associated) is
    reused instead of allocating a new one.
  - Route tables get one default route (V(0.0.0.0/0)); subnets with O(subnets[].route=internet)
    route to the internet gateway, O(subnets[].route=nat) to the NAT gateway in their own
    availability zone (or the only NAT gateway if there is just one), and
    O(subnets[].route=none) have no route out of the VPC.
  - Subnets, route tables and NAT gateways in the VPC that this module did not create are left alone.
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  name:
    description:
      - Prefix of every resource's C(Name) tag, for example C(innobic-production).
      - The VPC is found by the C(Name) tag C(<name>-vpc).
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the tier; V(absent) deletes what this module created, in reverse order.
    type: str
    choices: [present, absent]
    default: present
  cidr_block:
    description:
      - The VPC's IPv4 CIDR block. Required with O(state=present).
      - The block of an existing VPC cannot change; a different value fails instead of creating a second VPC.
    type: str
  enable_dns_hostnames:
    description: Whether instances get DNS host names.
    type: bool
    default: true
  enable_dns_support:
    description: Whether the Amazon DNS server answers in the VPC.
    type: bool
    default: true
  subnets:
    description: The subnets of the tier.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The subnet's C(Name) tag.
        type: str
        required: true
      cidr:
        description: The subnet's IPv4 CIDR block, inside O(cidr_block).
        type: str
        required: true
      availability_zone:
        description: The availability zone, for example C(ap-southeast-1a).
        type: str
        required: true
      tier:
        description:
          - A label for the subnet's role (for example C(public), C(app), C(db)); kept in the
            C(Tier) tag and used to name route tables and group the results.
        type: str
        required: true
      route:
        description: Where the subnet's default route goes.
        type: str
        choices: [internet, nat, none]
        default: none
      nat_gateway:
        description:
          - Place a NAT gateway with its own Elastic IP in this subnet. Only for O(subnets[].route=internet).
        type: bool
        default: false
      map_public_ip_on_launch:
        description: Whether instances launched in the subnet get a public IPv4 address.
        type: bool
        default: false
  wait:
    description: Wait for NAT gateways to become available (or deleted) before returning.
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
- name: The network tier of the Laravel guide (seed 000)
  webstack.aws.vpc_network:
    name: innobic-production
    cidr_block: 10.0.0.0/16
    tags:
      Project: innobic
      Environment: production
    subnets:
      - {name: innobic-production-public-1a, cidr: 10.0.1.0/24, availability_zone: ap-southeast-1a, tier: public, route: internet, nat_gateway: true}
      - {name: innobic-production-public-1b, cidr: 10.0.2.0/24, availability_zone: ap-southeast-1b, tier: public, route: internet, nat_gateway: true}
      - {name: innobic-production-app-1a, cidr: 10.0.10.0/24, availability_zone: ap-southeast-1a, tier: app, route: nat}
      - {name: innobic-production-app-1b, cidr: 10.0.11.0/24, availability_zone: ap-southeast-1b, tier: app, route: nat}
      - {name: innobic-production-db-1a, cidr: 10.0.20.0/24, availability_zone: ap-southeast-1a, tier: db}
      - {name: innobic-production-db-1b, cidr: 10.0.21.0/24, availability_zone: ap-southeast-1b, tier: db}
  register: network

- name: Delete the tier again (NAT gateways first, the VPC last)
  webstack.aws.vpc_network:
    name: innobic-production
    state: absent
"""

RETURN = r"""
vpc_id:
  description: The VPC's id; null in check mode when the VPC does not exist yet.
  returned: always
  type: str
  sample: vpc-0123456789abcdef0
internet_gateway_id:
  description: The internet gateway's id, if the tier has one.
  returned: always
  type: str
subnets:
  description: Every subnet of the tier.
  returned: always
  type: list
  elements: dict
  contains:
    id: {description: The subnet id (null in check mode for a new subnet)., type: str, returned: always}
    name: {description: The Name tag., type: str, returned: always}
    cidr: {description: The CIDR block., type: str, returned: always}
    availability_zone: {description: The zone., type: str, returned: always}
    tier: {description: The tier label., type: str, returned: always}
subnet_ids:
  description: Subnet ids by tier, then by availability zone.
  returned: always
  type: dict
  sample: {"public": {"ap-southeast-1a": "subnet-1", "ap-southeast-1b": "subnet-2"}}
nat_gateways:
  description: The NAT gateways with their Elastic IPs.
  returned: always
  type: list
  elements: dict
  contains:
    id: {description: The NAT gateway id., type: str, returned: always}
    name: {description: The Name tag., type: str, returned: always}
    subnet_id: {description: The public subnet it sits in., type: str, returned: always}
    availability_zone: {description: The zone., type: str, returned: always}
    allocation_id: {description: The Elastic IP's allocation id., type: str, returned: always}
    public_ip: {description: The Elastic IP., type: str, returned: always}
nat_gateway_ids:
  description: NAT gateway ids by availability zone.
  returned: always
  type: dict
route_table_ids:
  description: Route table ids by route table Name tag.
  returned: always
  type: dict
actions:
  description: The writes made (or, in check mode, that would be made), in order.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.webstack.aws.plugins.module_utils.network_spec import cidr_errors
from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker
from ansible_collections.webstack.aws.plugins.module_utils.resource import describe_all
from ansible_collections.webstack.aws.plugins.module_utils.resource import ec2_retry
from ansible_collections.webstack.aws.plugins.module_utils.resource import ensure_ec2_tags
from ansible_collections.webstack.aws.plugins.module_utils.resource import tag_specifications
from ansible_collections.webstack.aws.plugins.module_utils.resource import tags_dict
from ansible_collections.webstack.aws.plugins.module_utils.resource import wait_for

DEFAULT_ROUTE = "0.0.0.0/0"
LIVE_NAT_STATES = ["pending", "available"]
# module option -> (DescribeVpcAttribute's Attribute, the key of its answer and of ModifyVpcAttribute)
DNS_ATTRIBUTES = {
    "enable_dns_hostnames": ("enableDnsHostnames", "EnableDnsHostnames"),
    "enable_dns_support": ("enableDnsSupport", "EnableDnsSupport"),
}


def az_suffix(availability_zone):
    """ap-southeast-1a -> 1a, as the guides name their subnets."""
    return availability_zone.rsplit("-", 1)[-1]


class Tier:
    """Desired state, derived once from the module parameters."""

    def __init__(self, params):
        self.name = params["name"]
        self.tags = dict(params.get("tags") or {})
        self.purge_tags = params["purge_tags"]
        self.subnets = params["subnets"] or []

    def tags_for(self, name, **extra):
        tags = dict(self.tags)
        tags.update(extra)
        tags["Name"] = name
        return tags

    @property
    def vpc_name(self):
        return "%s-vpc" % self.name

    @property
    def igw_name(self):
        return "%s-igw" % self.name

    def needs_igw(self):
        return any(s["route"] == "internet" for s in self.subnets)

    def nat_subnets(self):
        return [s for s in self.subnets if s["nat_gateway"]]

    def nat_name(self, subnet):
        return "%s-nat-%s" % (self.name, az_suffix(subnet["availability_zone"]))

    def route_tables(self):
        """Return {route table name: {"target": kind, "az": az or None, "subnets": [names]}}."""
        tables = {}
        for subnet in self.subnets:
            if subnet["route"] == "nat":
                key = "%s-%s-%s-rt" % (self.name, subnet["tier"], az_suffix(subnet["availability_zone"]))
                az = subnet["availability_zone"]
            else:
                key = "%s-%s-rt" % (self.name, subnet["tier"])
                az = None
            table = tables.setdefault(key, {"target": subnet["route"], "az": az, "subnets": []})
            table["subnets"].append(subnet["name"])
        return tables


class VpcManager:
    def __init__(self, module, client, tracker, tier):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.tier = tier

    def find(self):
        vpcs = describe_all(self.client, "describe_vpcs", "Vpcs",
                            Filters=[{"Name": "tag:Name", "Values": [self.tier.vpc_name]}])
        if len(vpcs) > 1:
            self.module.fail_json(msg="More than one VPC is tagged Name=%s: %s"
                                  % (self.tier.vpc_name, ", ".join(v["VpcId"] for v in vpcs)))
        return vpcs[0] if vpcs else None

    def ensure(self, vpc):
        params = self.module.params
        desired_tags = self.tier.tags_for(self.tier.vpc_name)
        wanted = {"cidr_block": params["cidr_block"], "tags": desired_tags,
                  "enable_dns_hostnames": params["enable_dns_hostnames"],
                  "enable_dns_support": params["enable_dns_support"]}
        if vpc is None:
            created = self.tracker.act("create VPC %s" % self.tier.vpc_name, self.client.create_vpc, aws_retry=True,
                                       CidrBlock=params["cidr_block"],
                                       TagSpecifications=tag_specifications("vpc", desired_tags))
            vpc_id = created["Vpc"]["VpcId"] if created else None
            if vpc_id:
                wait_for(self.module, self.client, "vpc_available", delay=2, VpcIds=[vpc_id])
            for attribute in ("enable_dns_hostnames", "enable_dns_support"):
                self._set_attribute(vpc_id, attribute, params[attribute])
            self.tracker.record("vpc", self.tier.vpc_name, None, wanted)
            return vpc_id

        vpc_id = vpc["VpcId"]
        if vpc["CidrBlock"] != params["cidr_block"]:
            self.module.fail_json(msg="cidr_block: VPC %s (%s) has CIDR block %s, not %s; a VPC's block cannot change"
                                  % (self.tier.vpc_name, vpc_id, vpc["CidrBlock"], params["cidr_block"]))
        current = {"cidr_block": vpc["CidrBlock"], "tags": tags_dict(vpc)}
        for attribute, (api_attribute, api_key) in DNS_ATTRIBUTES.items():
            answer = self.client.describe_vpc_attribute(aws_retry=True, VpcId=vpc_id, Attribute=api_attribute)
            current[attribute] = answer[api_key]["Value"]
            if current[attribute] != params[attribute]:
                self._set_attribute(vpc_id, attribute, params[attribute])
        after = dict(current)
        after["enable_dns_hostnames"] = params["enable_dns_hostnames"]
        after["enable_dns_support"] = params["enable_dns_support"]
        after["tags"] = ensure_ec2_tags(self.tracker, self.client, vpc_id, current["tags"], desired_tags,
                                        self.tier.purge_tags)
        self.tracker.record("vpc", self.tier.vpc_name, current, after)
        return vpc_id

    def _set_attribute(self, vpc_id, attribute, value):
        api_name = DNS_ATTRIBUTES[attribute][1]
        self.tracker.act("set %s=%s on VPC %s" % (attribute, value, vpc_id), self.client.modify_vpc_attribute,
                         aws_retry=True, VpcId=vpc_id, **{api_name: {"Value": value}})


class SubnetManager:
    def __init__(self, module, client, tracker, tier):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.tier = tier

    def ensure(self, vpc_id, existing):
        """Return {subnet name: subnet id or None (check mode)}."""
        by_cidr = {s["CidrBlock"]: s for s in existing}
        ids = {}
        for spec in self.tier.subnets:
            desired_tags = self.tier.tags_for(spec["name"], Tier=spec["tier"])
            wanted = {"cidr": spec["cidr"], "availability_zone": spec["availability_zone"],
                      "map_public_ip_on_launch": spec["map_public_ip_on_launch"], "tags": desired_tags}
            subnet = by_cidr.get(spec["cidr"])
            if subnet is None:
                created = None
                if vpc_id or not self.module.check_mode:
                    created = self.tracker.act("create subnet %s" % spec["name"], self.client.create_subnet,
                                               aws_retry=True, VpcId=vpc_id, CidrBlock=spec["cidr"],
                                               AvailabilityZone=spec["availability_zone"],
                                               TagSpecifications=tag_specifications("subnet", desired_tags))
                else:
                    self.tracker.plan("create subnet %s" % spec["name"])
                subnet_id = created["Subnet"]["SubnetId"] if created else None
                if subnet_id and spec["map_public_ip_on_launch"]:
                    self._set_map_public_ip(subnet_id, True)
                ids[spec["name"]] = subnet_id
                self.tracker.record("subnets", spec["name"], None, wanted)
                continue
            subnet_id = subnet["SubnetId"]
            if subnet["AvailabilityZone"] != spec["availability_zone"]:
                self.module.fail_json(msg="subnets: %s (%s) exists in %s, not %s; a subnet cannot move between zones"
                                      % (spec["cidr"], subnet_id, subnet["AvailabilityZone"], spec["availability_zone"]))
            current = {"cidr": subnet["CidrBlock"], "availability_zone": subnet["AvailabilityZone"],
                       "map_public_ip_on_launch": subnet.get("MapPublicIpOnLaunch", False), "tags": tags_dict(subnet)}
            if current["map_public_ip_on_launch"] != spec["map_public_ip_on_launch"]:
                self._set_map_public_ip(subnet_id, spec["map_public_ip_on_launch"])
            after = dict(current, map_public_ip_on_launch=spec["map_public_ip_on_launch"])
            after["tags"] = ensure_ec2_tags(self.tracker, self.client, subnet_id, current["tags"], desired_tags,
                                            self.tier.purge_tags)
            self.tracker.record("subnets", spec["name"], current, after)
            ids[spec["name"]] = subnet_id
        return ids

    def _set_map_public_ip(self, subnet_id, value):
        self.tracker.act("set map_public_ip_on_launch=%s on %s" % (value, subnet_id),
                         self.client.modify_subnet_attribute, aws_retry=True, SubnetId=subnet_id,
                         MapPublicIpOnLaunch={"Value": value})


class InternetGatewayManager:
    def __init__(self, module, client, tracker, tier):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.tier = tier

    def find(self, vpc_id):
        if not vpc_id:
            return None
        gateways = describe_all(self.client, "describe_internet_gateways", "InternetGateways",
                                Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])
        return gateways[0] if gateways else None

    def ensure(self, vpc_id, gateway):
        desired_tags = self.tier.tags_for(self.tier.igw_name)
        if gateway is None:
            created = self.tracker.act("create internet gateway %s" % self.tier.igw_name,
                                       self.client.create_internet_gateway, aws_retry=True,
                                       TagSpecifications=tag_specifications("internet-gateway", desired_tags))
            igw_id = created["InternetGateway"]["InternetGatewayId"] if created else None
            self.tracker.act("attach %s to %s" % (self.tier.igw_name, vpc_id), self.client.attach_internet_gateway,
                             aws_retry=True, InternetGatewayId=igw_id, VpcId=vpc_id)
            self.tracker.record("internet_gateway", self.tier.igw_name, None, {"tags": desired_tags})
            return igw_id
        igw_id = gateway["InternetGatewayId"]
        current = {"tags": tags_dict(gateway)}
        after = {"tags": ensure_ec2_tags(self.tracker, self.client, igw_id, current["tags"], desired_tags,
                                         self.tier.purge_tags)}
        self.tracker.record("internet_gateway", self.tier.igw_name, current, after)
        return igw_id


class NatGatewayManager:
    def __init__(self, module, client, tracker, tier):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.tier = tier

    def find(self, vpc_id):
        if not vpc_id:
            return []
        return describe_all(self.client, "describe_nat_gateways", "NatGateways",
                            Filter=[{"Name": "vpc-id", "Values": [vpc_id]},
                                    {"Name": "state", "Values": LIVE_NAT_STATES}])

    def addresses(self, eip_names, allocation_ids):
        """One describe for the tier's Elastic IPs: those in use by its NAT gateways. Only when
        one is missing, a second describe finds any left unassociated by an interrupted run (by
        Name tag), to reuse instead of allocating another."""
        found = {}
        if allocation_ids:
            for address in describe_all(self.client, "describe_addresses", "Addresses",
                                        AllocationIds=sorted(allocation_ids)):
                found[address["AllocationId"]] = address
        have = {tags_dict(address).get("Name") for address in found.values()}
        missing = [name for name in eip_names if name not in have]
        if missing:
            for address in describe_all(self.client, "describe_addresses", "Addresses",
                                        Filters=[{"Name": "tag:Name", "Values": missing},
                                                 {"Name": "domain", "Values": ["vpc"]}]):
                found.setdefault(address["AllocationId"], address)
        return found

    def ensure(self, subnet_ids, existing):
        """Return [{id, name, subnet_id, availability_zone, allocation_id, public_ip}]."""
        by_subnet = {}
        for gateway in existing:
            by_subnet.setdefault(gateway["SubnetId"], gateway)
        specs = self.tier.nat_subnets()
        in_use = {a["AllocationId"] for g in existing for a in g.get("NatGatewayAddresses", []) if a.get("AllocationId")}
        addresses = self.addresses(["%s-eip" % self.tier.nat_name(s) for s in specs], in_use)
        results = []
        for spec in specs:
            name = self.tier.nat_name(spec)
            eip_name = "%s-eip" % name
            subnet_id = subnet_ids.get(spec["name"])
            nat_tags = self.tier.tags_for(name)
            eip_tags = self.tier.tags_for(eip_name)
            gateway = by_subnet.get(subnet_id) if subnet_id else None
            if gateway is None:
                allocation_id, public_ip = self._address_for(eip_name, eip_tags, addresses)
                created = None
                if subnet_id and (allocation_id or not self.module.check_mode):
                    created = self.tracker.act("create NAT gateway %s" % name, self.client.create_nat_gateway,
                                               aws_retry=True, SubnetId=subnet_id, AllocationId=allocation_id,
                                               TagSpecifications=tag_specifications("natgateway", nat_tags))
                else:
                    self.tracker.plan("create NAT gateway %s" % name)
                nat_id = created["NatGateway"]["NatGatewayId"] if created else None
                if nat_id and self.module.params["wait"]:
                    wait_for(self.module, self.client, "nat_gateway_available", NatGatewayIds=[nat_id])
                self.tracker.record("nat_gateways", name, None, {"subnet": spec["name"], "tags": nat_tags,
                                                                 "eip_tags": eip_tags})
            else:
                nat_id = gateway["NatGatewayId"]
                address = (gateway.get("NatGatewayAddresses") or [{}])[0]
                allocation_id, public_ip = address.get("AllocationId"), address.get("PublicIp")
                eip = addresses.get(allocation_id, {})
                current = {"subnet": spec["name"], "tags": tags_dict(gateway), "eip_tags": tags_dict(eip)}
                after = {"subnet": spec["name"],
                         "tags": ensure_ec2_tags(self.tracker, self.client, nat_id, current["tags"], nat_tags,
                                                 self.tier.purge_tags),
                         "eip_tags": ensure_ec2_tags(self.tracker, self.client, allocation_id, current["eip_tags"],
                                                     eip_tags, self.tier.purge_tags)}
                self.tracker.record("nat_gateways", name, current, after)
            results.append({"id": nat_id, "name": name, "subnet_id": subnet_id,
                            "availability_zone": spec["availability_zone"],
                            "allocation_id": allocation_id, "public_ip": public_ip})
        return results

    def _address_for(self, eip_name, eip_tags, addresses):
        for address in addresses.values():
            if tags_dict(address).get("Name") == eip_name and not address.get("AssociationId"):
                return address["AllocationId"], address.get("PublicIp")
        allocated = self.tracker.act("allocate Elastic IP %s" % eip_name, self.client.allocate_address,
                                     aws_retry=True, Domain="vpc",
                                     TagSpecifications=tag_specifications("elastic-ip", eip_tags))
        if not allocated:
            return None, None
        return allocated["AllocationId"], allocated.get("PublicIp")


class RouteTableManager:
    def __init__(self, module, client, tracker, tier):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.tier = tier

    def find(self, vpc_id):
        if not vpc_id:
            return []
        return describe_all(self.client, "describe_route_tables", "RouteTables",
                            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])

    def ensure(self, vpc_id, existing, subnet_ids, igw_id, nats):
        by_name = {tags_dict(t).get("Name"): t for t in existing if tags_dict(t).get("Name")}
        # Where each subnet is associated now, across every route table of the VPC.
        association_of = {}
        for table in existing:
            for assoc in table.get("Associations", []):
                if assoc.get("SubnetId") and assoc.get("AssociationState", {}).get("State", "associated") == "associated":
                    association_of[assoc["SubnetId"]] = (table["RouteTableId"], assoc["RouteTableAssociationId"])
        nat_by_az = {n["availability_zone"]: n["id"] for n in nats}
        ids = {}
        for name, spec in self.tier.route_tables().items():
            target = self._target(spec, igw_id, nat_by_az, nats)
            desired_tags = self.tier.tags_for(name)
            wanted = {"default_route": target, "subnets": sorted(spec["subnets"]), "tags": desired_tags}
            table = by_name.get(name)
            if table is None:
                created = None
                if vpc_id:
                    created = self.tracker.act("create route table %s" % name, self.client.create_route_table,
                                               aws_retry=True, VpcId=vpc_id,
                                               TagSpecifications=tag_specifications("route-table", desired_tags))
                else:
                    self.tracker.plan("create route table %s" % name)
                table_id = created["RouteTable"]["RouteTableId"] if created else None
                current = None
                current_route = None
                table_subnets = set()
            else:
                table_id = table["RouteTableId"]
                current_route = self._default_route(table)
                table_subnets = {a["SubnetId"] for a in table.get("Associations", []) if a.get("SubnetId")}
                names_by_id = {v: k for k, v in subnet_ids.items() if v}
                current = {"default_route": current_route,
                           "subnets": sorted(names_by_id.get(s, s) for s in table_subnets),
                           "tags": tags_dict(table)}
                wanted["tags"] = ensure_ec2_tags(self.tracker, self.client, table_id, current["tags"], desired_tags,
                                                 self.tier.purge_tags)
            self._ensure_default_route(name, table_id, current_route, target)
            self._ensure_associations(name, table_id, spec["subnets"], subnet_ids, table_subnets, association_of)
            self.tracker.record("route_tables", name, current, wanted)
            ids[name] = table_id
        return ids

    @staticmethod
    def _target(spec, igw_id, nat_by_az, nats):
        if spec["target"] == "internet":
            return igw_id or "(new internet gateway)"
        if spec["target"] == "nat":
            nat_id = nat_by_az.get(spec["az"]) or (nats[0]["id"] if nats else None)
            return nat_id or "(new NAT gateway)"
        return None

    @staticmethod
    def _default_route(table):
        for route in table.get("Routes", []):
            if route.get("DestinationCidrBlock") == DEFAULT_ROUTE:
                return route.get("NatGatewayId") or route.get("GatewayId") or route.get("InstanceId") or "(other target)"
        return None

    def _ensure_default_route(self, name, table_id, current, target):
        if current == target:
            return
        if target is None:
            self.tracker.act("delete default route of %s" % name, self.client.delete_route, aws_retry=True,
                             RouteTableId=table_id, DestinationCidrBlock=DEFAULT_ROUTE)
            return
        key = "NatGatewayId" if target.startswith("nat-") else "GatewayId"
        call = self.client.replace_route if current else self.client.create_route
        verb = "replace" if current else "create"
        if table_id and not target.startswith("("):
            self.tracker.act("%s default route of %s via %s" % (verb, name, target), call, aws_retry=True,
                             RouteTableId=table_id, DestinationCidrBlock=DEFAULT_ROUTE, **{key: target})
        else:
            self.tracker.plan("%s default route of %s via %s" % (verb, name, target))

    def _ensure_associations(self, name, table_id, subnet_names, subnet_ids, table_subnets, association_of):
        for subnet_name in subnet_names:
            subnet_id = subnet_ids.get(subnet_name)
            if subnet_id and subnet_id in table_subnets:
                continue
            elsewhere = association_of.get(subnet_id) if subnet_id else None
            description = "associate %s with %s" % (subnet_name, name)
            if not (subnet_id and table_id):
                self.tracker.plan(description)
            elif elsewhere:
                self.tracker.act(description, self.client.replace_route_table_association, aws_retry=True,
                                 AssociationId=elsewhere[1], RouteTableId=table_id)
            else:
                self.tracker.act(description, self.client.associate_route_table, aws_retry=True,
                                 RouteTableId=table_id, SubnetId=subnet_id)


class NetworkTier:
    """Converges (or removes) the whole tier; one describe call per resource type."""

    def __init__(self, module):
        self.module = module
        self.client = module.client("ec2", retry_decorator=ec2_retry())
        self.tracker = ChangeTracker(module)
        self.tier = Tier(module.params)
        args = (module, self.client, self.tracker, self.tier)
        self.vpcs = VpcManager(*args)
        self.subnets = SubnetManager(*args)
        self.igws = InternetGatewayManager(*args)
        self.nats = NatGatewayManager(*args)
        self.route_tables = RouteTableManager(*args)

    def present(self):
        vpc = self.vpcs.find()
        vpc_id = self.vpcs.ensure(vpc)
        existing_subnets = describe_all(self.client, "describe_subnets", "Subnets",
                                        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]) if vpc_id else []
        subnet_ids = self.subnets.ensure(vpc_id, existing_subnets)
        igw_id = None
        if self.tier.needs_igw():
            igw_id = self.igws.ensure(vpc_id, self.igws.find(vpc_id) if vpc else None)
        nats = self.nats.ensure(subnet_ids, self.nats.find(vpc_id) if vpc else [])
        table_ids = self.route_tables.ensure(vpc_id, self.route_tables.find(vpc_id) if vpc else [], subnet_ids,
                                             igw_id, nats)
        return self._result(vpc_id, subnet_ids, igw_id, nats, table_ids)

    def absent(self):
        vpc = self.vpcs.find()
        if vpc is None:
            return self._result(None, {}, None, [], {})
        vpc_id = vpc["VpcId"]
        act = self.tracker.act
        nats = self.nats.find(vpc_id)
        ours = {self.tier.nat_name(s) for s in self.tier.nat_subnets()}
        nat_ids = []
        allocation_ids = []
        for gateway in nats:
            if tags_dict(gateway).get("Name") in ours or not ours:
                nat_ids.append(gateway["NatGatewayId"])
                allocation_ids += [a["AllocationId"] for a in gateway.get("NatGatewayAddresses", []) if a.get("AllocationId")]
                act("delete NAT gateway %s" % gateway["NatGatewayId"], self.client.delete_nat_gateway, aws_retry=True,
                    NatGatewayId=gateway["NatGatewayId"])
        if nat_ids and not self.module.check_mode and self.module.params["wait"]:
            wait_for(self.module, self.client, "nat_gateway_deleted", NatGatewayIds=nat_ids)
        for allocation_id in allocation_ids:
            act("release Elastic IP %s" % allocation_id, self.client.release_address, aws_retry=True,
                AllocationId=allocation_id)
        for table in self.route_tables.find(vpc_id):
            if any(a.get("Main") for a in table.get("Associations", [])):
                continue
            for assoc in table.get("Associations", []):
                act("disassociate %s" % assoc["RouteTableAssociationId"], self.client.disassociate_route_table,
                    aws_retry=True, AssociationId=assoc["RouteTableAssociationId"])
            act("delete route table %s" % table["RouteTableId"], self.client.delete_route_table, aws_retry=True,
                RouteTableId=table["RouteTableId"])
        gateway = self.igws.find(vpc_id)
        if gateway:
            igw_id = gateway["InternetGatewayId"]
            act("detach %s" % igw_id, self.client.detach_internet_gateway, aws_retry=True,
                InternetGatewayId=igw_id, VpcId=vpc_id)
            act("delete %s" % igw_id, self.client.delete_internet_gateway, aws_retry=True, InternetGatewayId=igw_id)
        for subnet in describe_all(self.client, "describe_subnets", "Subnets",
                                   Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]):
            act("delete subnet %s" % subnet["SubnetId"], self.client.delete_subnet, aws_retry=True,
                SubnetId=subnet["SubnetId"])
        act("delete VPC %s" % vpc_id, self.client.delete_vpc, aws_retry=True, VpcId=vpc_id)
        self.tracker.record("vpc", self.tier.vpc_name, {"id": vpc_id}, None)
        return self._result(None, {}, None, [], {})

    def _result(self, vpc_id, subnet_ids, igw_id, nats, table_ids):
        subnets = []
        by_tier = {}
        for spec in self.tier.subnets if vpc_id or self.module.check_mode else []:
            subnet_id = subnet_ids.get(spec["name"])
            subnets.append({"id": subnet_id, "name": spec["name"], "cidr": spec["cidr"],
                            "availability_zone": spec["availability_zone"], "tier": spec["tier"]})
            by_tier.setdefault(spec["tier"], {})[spec["availability_zone"]] = subnet_id
        return {
            "changed": self.tracker.changed,
            "vpc_id": vpc_id,
            "internet_gateway_id": igw_id,
            "subnets": subnets,
            "subnet_ids": by_tier,
            "nat_gateways": nats,
            "nat_gateway_ids": {n["availability_zone"]: n["id"] for n in nats},
            "route_table_ids": table_ids,
            "actions": self.tracker.actions,
            "diff": self.tracker.diff,
        }


def validate(module):
    """Fail before any API call when the inputs cannot work."""
    params = module.params
    if params["state"] == "absent":
        return
    if not params["cidr_block"]:
        module.fail_json(msg="cidr_block: required with state=present")
    pairs = [("subnets[%d].cidr (%s)" % (i, s["name"]), s["cidr"]) for i, s in enumerate(params["subnets"])]
    errors = cidr_errors("cidr_block", params["cidr_block"], pairs)
    names = [s["name"] for s in params["subnets"]]
    errors += ["subnets: name %s is used twice" % n for n in sorted({n for n in names if names.count(n) > 1})]
    for index, subnet in enumerate(params["subnets"]):
        if subnet["nat_gateway"] and subnet["route"] != "internet":
            errors.append("subnets[%d].nat_gateway (%s): a NAT gateway needs a subnet with route=internet"
                          % (index, subnet["name"]))
        if subnet["route"] == "nat" and not any(s["nat_gateway"] for s in params["subnets"]):
            errors.append("subnets[%d].route (%s): route=nat needs a subnet with nat_gateway=true"
                          % (index, subnet["name"]))
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)


def main():
    subnet_spec = dict(
        name=dict(type="str", required=True),
        cidr=dict(type="str", required=True),
        availability_zone=dict(type="str", required=True),
        tier=dict(type="str", required=True),
        route=dict(type="str", choices=["internet", "nat", "none"], default="none"),
        nat_gateway=dict(type="bool", default=False),
        map_public_ip_on_launch=dict(type="bool", default=False),
    )
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        cidr_block=dict(type="str"),
        enable_dns_hostnames=dict(type="bool", default=True),
        enable_dns_support=dict(type="bool", default=True),
        subnets=dict(type="list", elements="dict", options=subnet_spec, default=[]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    tier = NetworkTier(module)
    result = tier.present() if module.params["state"] == "present" else tier.absent()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
