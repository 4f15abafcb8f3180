# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Route 53 record sets as comparable values, shared by route53_records and
acm_certificate_request (which writes its DNS validation records into a zone).

A record set is identified by (name, type). Names are kept as lowercase FQDNs with a trailing
dot and with Route 53's octal escapes decoded (\\052 -> *); values of the types that hold DNS
names are compared without case and trailing dot, and values as a set (Route 53 does not keep
their order).
"""

from __future__ import annotations

import re
import uuid

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.webstack.aws.plugins.module_utils.desired_state import boto3_tags
from ansible_collections.webstack.aws.plugins.module_utils.desired_state import merged_tags
from ansible_collections.webstack.aws.plugins.module_utils.desired_state import tag_changes

OCTAL_ESCAPE = re.compile(r"\\(\d{3})")
NAME_VALUED_TYPES = ("CNAME", "MX", "NS", "PTR", "SRV")


def fqdn(name):
    """www.example.com / www.example.com. / \\052.example.com. -> lowercase with trailing dot."""
    name = OCTAL_ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), name.strip())
    return name.rstrip(".").lower() + "."


def zone_id_bare(zone_id):
    """/hostedzone/Z123 -> Z123."""
    return zone_id.rsplit("/", 1)[-1] if zone_id else zone_id


def absolute_name(name, zone_name):
    """A record name as given by a user: '' or '@' is the zone apex, a name ending in the zone
    is absolute, anything else is relative to the zone."""
    zone = fqdn(zone_name)
    if name in ("", "@", None):
        return zone
    candidate = fqdn(name)
    if candidate == zone or candidate.endswith("." + zone):
        return candidate
    return fqdn("%s.%s" % (name.rstrip("."), zone))


def _value(record_type, value):
    value = str(value).strip()
    if record_type in NAME_VALUED_TYPES:
        return value.rstrip(".").lower()
    return value


def comparable(record_set):
    """A ResourceRecordSet (from the API or built by desired_record_set) as a plain dict."""
    record_type = record_set["Type"]
    result = {"name": fqdn(record_set["Name"]), "type": record_type}
    alias = record_set.get("AliasTarget")
    if alias:
        result["alias"] = {
            "dns_name": alias["DNSName"].rstrip(".").lower(),
            "hosted_zone_id": alias["HostedZoneId"],
            "evaluate_target_health": bool(alias.get("EvaluateTargetHealth", False)),
        }
    else:
        result["ttl"] = record_set.get("TTL")
        result["values"] = sorted(_value(record_type, r["Value"]) for r in record_set.get("ResourceRecords", []))
    if record_set.get("SetIdentifier"):
        result["set_identifier"] = record_set["SetIdentifier"]
    return result


def desired_record_set(spec, zone_name):
    """Build a ResourceRecordSet from a record option of route53_records (or the same shape)."""
    record_set = {"Name": absolute_name(spec.get("name"), zone_name), "Type": spec["type"]}
    alias = spec.get("alias")
    if alias:
        record_set["AliasTarget"] = {
            "DNSName": alias["dns_name"],
            "HostedZoneId": alias["hosted_zone_id"],
            "EvaluateTargetHealth": bool(alias.get("evaluate_target_health", False)),
        }
    else:
        record_set["TTL"] = spec.get("ttl") or 300
        record_set["ResourceRecords"] = [{"Value": str(v)} for v in spec.get("values") or []]
    return record_set


@AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30)
def _all_record_sets(client, zone_id):
    paginator = client.get_paginator("list_resource_record_sets")
    return paginator.paginate(HostedZoneId=zone_id).build_full_result().get("ResourceRecordSets", [])


def record_sets_by_key(client, zone_id):
    """{(name, type): ResourceRecordSet} of a zone, one paginated read. Record sets with a
    routing policy (SetIdentifier) are left out: these modules only manage simple records."""
    found = {}
    for record_set in _all_record_sets(client, zone_id):
        if record_set.get("SetIdentifier"):
            continue
        found[(fqdn(record_set["Name"]), record_set["Type"])] = record_set
    return found


def upsert_changes(current_by_key, desired_sets):
    """The UPSERT changes for the desired record sets that differ from current; with the
    before/after pairs for a diff, keyed "name type"."""
    changes = []
    pairs = {}
    for record_set in desired_sets:
        key = (fqdn(record_set["Name"]), record_set["Type"])
        current = current_by_key.get(key)
        before = comparable(current) if current else None
        after = comparable(record_set)
        pairs["%s %s" % key] = (before, after)
        if before != after:
            changes.append({"Action": "UPSERT", "ResourceRecordSet": record_set})
    return changes, pairs


def change_batch(changes, comment=None):
    batch = {"Changes": changes}
    if comment:
        batch["Comment"] = comment
    return batch


class HostedZone:
    """A public hosted zone found by name (one ListHostedZonesByName), created when missing.

    label is the option that names the zone, for messages (zone, validation_zone_name).
    """

    def __init__(self, module, client, tracker, name, label):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.name = fqdn(name)
        self.label = label

    def find(self):
        answer = self.client.list_hosted_zones_by_name(aws_retry=True, DNSName=self.name, MaxItems="20")
        zones = [z for z in answer.get("HostedZones", [])
                 if fqdn(z["Name"]) == self.name and not z.get("Config", {}).get("PrivateZone")]
        if len(zones) > 1:
            self.module.fail_json(msg="%s: more than one public hosted zone is named %s: %s"
                                  % (self.label, self.name, ", ".join(zone_id_bare(z["Id"]) for z in zones)))
        return zones[0] if zones else None

    def create(self, comment, tags):
        """Return (zone id or None in check mode, name servers)."""
        created = self.tracker.act(
            "create hosted zone %s" % self.name, self.client.create_hosted_zone, aws_retry=True,
            Name=self.name, CallerReference="webstack-%s-%s" % (self.name.rstrip("."), uuid.uuid4().hex[:12]),
            HostedZoneConfig={"Comment": comment, "PrivateZone": False})
        zone_id = zone_id_bare(created["HostedZone"]["Id"]) if created else None
        name_servers = created.get("DelegationSet", {}).get("NameServers", []) if created else []
        if zone_id and tags:
            self._change_tags(zone_id, tags, [])
        self.tracker.record("zone", self.name, None, {"tags": tags or {}})
        return zone_id, name_servers

    def ensure(self, zone, comment, tags, purge_tags):
        """Create the zone if zone is None, else bring its tags to tags (unless None).
        Return (zone id or None in check mode, name servers when known)."""
        if zone is None:
            return self.create(comment, tags)
        zone_id = zone_id_bare(zone["Id"])
        if tags is not None:
            answer = self.client.list_tags_for_resource(aws_retry=True, ResourceType="hostedzone", ResourceId=zone_id)
            current = boto3_tag_list_to_ansible_dict(answer.get("ResourceTagSet", {}).get("Tags", []))
            to_set, to_unset = tag_changes(current, tags, purge_tags)
            if to_set or to_unset:
                self._change_tags(zone_id, to_set, to_unset)
            self.tracker.record("zone", self.name, {"tags": current}, {"tags": merged_tags(current, to_set, to_unset)})
        return zone_id, []

    def _change_tags(self, zone_id, to_set, to_unset):
        kwargs = {}
        if to_set:
            kwargs["AddTags"] = boto3_tags(to_set)
        if to_unset:
            kwargs["RemoveTagKeys"] = list(to_unset)
        self.tracker.act("tag hosted zone %s" % zone_id, self.client.change_tags_for_resource, aws_retry=True,
                         ResourceType="hostedzone", ResourceId=zone_id, **kwargs)

    def delete(self, zone, remaining):
        """Delete the zone once only its own NS and SOA records are left in remaining."""
        zone_id = zone_id_bare(zone["Id"])
        leftovers = sorted("%s %s" % key for key in remaining if key[1] not in ("NS", "SOA") or key[0] != self.name)
        if leftovers:
            self.module.fail_json(msg="%s: %s still holds records this task does not list: %s"
                                  % (self.label, self.name, ", ".join(leftovers)))
        self.tracker.act("delete hosted zone %s" % zone_id, self.client.delete_hosted_zone, aws_retry=True, Id=zone_id)
        self.tracker.record("zone", self.name, {"id": zone_id}, None)
