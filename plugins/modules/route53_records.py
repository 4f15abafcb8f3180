#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: route53_records
short_description: Converge a public Route 53 hosted zone and a set of its records in one call
version_added: 0.2.0
description:
  - Finds the public hosted zone of O(zone) or creates it, brings its tags to O(tags), and
    converges the listed record sets with one C(ChangeResourceRecordSets) call that UPSERTs
    only the record sets that differ (and DELETEs those with O(records[].state=absent)).
  - One invocation reads the zone (C(ListHostedZonesByName)), its tags and, when records are
    given, its record sets once; a converged re-run makes no write.
  - Unlike M(amazon.aws.route53), its O(region) is the usual connection option (no need to omit it), and it converges many records in one
    process instead of one invocation per record.
  - Record sets with a routing policy (C(SetIdentifier)) and record sets that are not listed are
    left alone.
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  zone:
    description: The zone's domain name, for example C(example.com).
    type: str
    required: true
  state:
    description:
      - V(present) creates the zone if needed and converges the records.
      - V(absent) deletes the listed records and then the zone, which must hold nothing else
        than its NS and SOA records (the module fails naming what is left otherwise).
    type: str
    choices: [present, absent]
    default: present
  comment:
    description: The zone's comment, used when the module creates it.
    type: str
    default: Managed by webstack.aws
  records:
    description: Record sets of the zone.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description:
          - The record name; V('') or V(@) is the zone apex, a name ending in O(zone) is absolute,
            any other name is relative to O(zone) (V(www) is C(www.<zone>)).
        type: str
        default: ''
      type:
        description: The record type.
        type: str
        required: true
        choices: [A, AAAA, CAA, CNAME, MX, NS, PTR, SPF, SRV, TXT]
      ttl:
        description: TTL in seconds (not for alias records).
        type: int
        default: 300
      values:
        description: The record values (not for alias records); TXT values need their quotes.
        type: list
        elements: str
      alias:
        description: An alias to an AWS resource (an ALB, a CloudFront distribution).
        type: dict
        suboptions:
          dns_name:
            description: The target's DNS name.
            type: str
            required: true
          hosted_zone_id:
            description: The target's hosted zone id (an ALB's C(CanonicalHostedZoneId)).
            type: str
            required: true
          evaluate_target_health:
            description: Whether Route 53 checks the target's health.
            type: bool
            default: false
      state:
        description: V(absent) deletes the record set if it exists.
        type: str
        choices: [present, absent]
        default: present
  wait:
    description: Wait until Route 53 reports the change as C(INSYNC).
    type: bool
    default: false
  wait_timeout:
    description: How many seconds to wait at most.
    type: int
    default: 300
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The zone, the ALB aliases and SES's MX record (seed 000)
  webstack.aws.route53_records:
    zone: example.com
    tags:
      Project: innobic
    records:
      - {name: '', type: A, alias: {dns_name: "{{ alb_dns }}", hosted_zone_id: "{{ alb_zone }}"}}
      - {name: www, type: A, alias: {dns_name: "{{ alb_dns }}", hosted_zone_id: "{{ alb_zone }}"}}
      - {name: '', type: MX, values: ["10 inbound-smtp.ap-southeast-1.amazonaws.com"]}
  register: dns
"""

RETURN = r"""
zone_id:
  description: The hosted zone's id without the C(/hostedzone/) prefix; null in check mode for a new zone.
  returned: always
  type: str
  sample: Z0123456789ABCDEFGHIJ
zone_name:
  description: The zone's name with its trailing dot.
  returned: always
  type: str
name_servers:
  description: The zone's name servers, when known (a new zone, or records were read).
  returned: always
  type: list
  elements: str
records:
  description: The managed record sets as compared (lowercase FQDN names, sorted values).
  returned: always
  type: list
  elements: dict
actions:
  description: The writes made (or, in check mode, that would be made), in order.
  returned: always
  type: list
  elements: str
"""

import time

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing botocore

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.webstack.aws.plugins.module_utils import dns_records
from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker


class RecordManager:
    def __init__(self, module, client, tracker, zone_name):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.zone_name = zone_name

    def desired(self, state):
        return [dns_records.desired_record_set(spec, self.zone_name)
                for spec in self.module.params["records"] if spec["state"] == state]

    def ensure(self, zone_id, current_by_key):
        changes, pairs = dns_records.upsert_changes(current_by_key, self.desired("present"))
        for key, (before, after) in pairs.items():
            self.tracker.record("records", key, before, after)
        for record_set in self.desired("absent"):
            key = (dns_records.fqdn(record_set["Name"]), record_set["Type"])
            if key in current_by_key:
                changes.append({"Action": "DELETE", "ResourceRecordSet": current_by_key.pop(key)})
                self.tracker.record("records", "%s %s" % key, dns_records.comparable(changes[-1]["ResourceRecordSet"]), None)
        if not changes:
            return None
        description = "%s %s" % ("change record sets in zone", ", ".join(
            "%s %s %s" % (c["Action"], dns_records.fqdn(c["ResourceRecordSet"]["Name"]), c["ResourceRecordSet"]["Type"])
            for c in changes))
        if not zone_id:
            self.tracker.plan(description)
            return None
        answer = self.tracker.act(description, self.client.change_resource_record_sets, aws_retry=True,
                                  HostedZoneId=zone_id, ChangeBatch=dns_records.change_batch(changes))
        return answer["ChangeInfo"]["Id"] if answer else None


def wait_insync(module, client, change_id):
    deadline = time.time() + module.params["wait_timeout"]
    while True:
        status = client.get_change(aws_retry=True, Id=change_id)["ChangeInfo"]["Status"]
        if status == "INSYNC":
            return
        if time.time() > deadline:
            module.fail_json(msg="wait_timeout: change %s is still %s" % (change_id, status))
        time.sleep(5)


def validate(module):
    errors = []
    zone = module.params["zone"]
    if not zone or not dns_records.fqdn(zone).strip("."):
        errors.append("zone: must be a domain name such as example.com")
    seen = set()
    for index, spec in enumerate(module.params["records"]):
        label = "records[%d]" % index
        if spec["alias"] and spec["values"]:
            errors.append("%s: give either values or alias, not both" % label)
        if spec["state"] == "present" and not spec["alias"] and not spec["values"]:
            errors.append("%s.values: required unless alias is given" % label)
        if spec["alias"] and spec["type"] not in ("A", "AAAA"):
            errors.append("%s.type: an alias record must be A or AAAA, not %s" % (label, spec["type"]))
        if zone:
            key = (dns_records.absolute_name(spec["name"], zone), spec["type"])
            if key in seen:
                errors.append("%s: %s %s is listed twice" % (label, key[0], key[1]))
            seen.add(key)
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)


def main():
    alias_spec = dict(
        dns_name=dict(type="str", required=True),
        hosted_zone_id=dict(type="str", required=True),
        evaluate_target_health=dict(type="bool", default=False),
    )
    record_spec = dict(
        name=dict(type="str", default=""),
        type=dict(type="str", required=True, choices=["A", "AAAA", "CAA", "CNAME", "MX", "NS", "PTR", "SPF", "SRV", "TXT"]),
        ttl=dict(type="int", default=300),
        values=dict(type="list", elements="str"),
        alias=dict(type="dict", options=alias_spec),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    argument_spec = dict(
        zone=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        comment=dict(type="str", default="Managed by webstack.aws"),
        records=dict(type="list", elements="dict", options=record_spec, default=[]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=300),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    client = module.client("route53", retry_decorator=AWSRetry.jittered_backoff(
        retries=10, delay=1, max_delay=30, catch_extra_error_codes=["PriorRequestNotComplete"]))
    tracker = ChangeTracker(module)
    zones = dns_records.HostedZone(module, client, tracker, module.params["zone"], "zone")
    records = RecordManager(module, client, tracker, zones.name)
    name_servers = []
    try:
        zone = zones.find()
        if module.params["state"] == "absent":
            zone_id = None
            if zone:
                current = dns_records.record_sets_by_key(client, dns_records.zone_id_bare(zone["Id"]))
                for spec in module.params["records"]:
                    spec["state"] = "absent"
                records.ensure(dns_records.zone_id_bare(zone["Id"]), current)
                zones.delete(zone, current)
        else:
            zone_id, name_servers = zones.ensure(zone, module.params["comment"], module.params["tags"],
                                                 module.params["purge_tags"])
            current = {}
            if zone_id and module.params["records"]:
                current = dns_records.record_sets_by_key(client, zone_id)
                ns = current.get((zones.name, "NS"))
                if ns and not name_servers:
                    name_servers = [r["Value"] for r in ns.get("ResourceRecords", [])]
            change_id = records.ensure(zone_id, current)
            if change_id and module.params["wait"]:
                wait_insync(module, client, change_id)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        module.fail_json_aws(exc, msg="Route 53 call failed for zone %s" % zones.name)
    module.exit_json(
        changed=tracker.changed,
        zone_id=zone_id,
        zone_name=zones.name,
        name_servers=name_servers,
        records=[dns_records.comparable(r) for r in records.desired("present")],
        actions=tracker.actions,
        diff=tracker.diff,
    )


if __name__ == "__main__":
    main()
