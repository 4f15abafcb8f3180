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

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

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
