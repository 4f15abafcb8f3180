#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: acm_certificate_request
short_description: Request an ACM certificate with DNS validation, write its validation records, wait for it
version_added: 0.2.0
description:
  - Requests a public certificate from AWS Certificate Manager for O(domain_name) and
    O(subject_alternative_names) with DNS validation (M(community.aws.acm_certificate) only
    imports certificates, and re-imports on every run).
  - Idempotent - an existing certificate (pending validation or issued) for the same domain and
    the same set of names is found again and reused; a second one is never requested. When
    several match, one whose tags already match O(tags) is preferred, then an issued one, then
    the newest.
  - Returns the DNS validation CNAME records. With O(validation_zone_id) or
    O(validation_zone_name), UPSERTs them into that Route 53 hosted zone (only those that
    differ), creating the zone first if asked to; with O(wait), waits until the certificate is
    C(ISSUED).
  - On a re-run of an issued certificate it makes three reads (C(ListCertificates),
    C(DescribeCertificate), C(ListTagsForCertificate)) plus one for the zone's records.
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  domain_name:
    description: The certificate's primary domain name, for example C(example.com).
    type: str
    required: true
  subject_alternative_names:
    description:
      - Further names, for example C(*.example.com) or C(www.example.com). O(domain_name) is
        always part of the certificate's names and need not be repeated.
    type: list
    elements: str
    default: []
  key_algorithm:
    description: The key algorithm of a new certificate.
    type: str
    choices: [RSA_2048, EC_prime256v1, EC_secp384r1]
    default: RSA_2048
  validation_zone_id:
    description:
      - The id of the Route 53 hosted zone that receives the validation CNAME records. Without
        it (or O(validation_zone_name)) the records are only returned, for another tool to publish.
    type: str
  validation_zone_name:
    description:
      - The name of the public hosted zone that receives the validation records, found with one
        C(ListHostedZonesByName); an alternative to O(validation_zone_id).
    type: str
  create_validation_zone:
    description:
      - Create the public hosted zone O(validation_zone_name) when it does not exist (tagged with
        O(validation_zone_tags)). Its name servers must then be delegated at the domain's
        registrar before ACM can validate. Tags of an existing zone are left to
        M(webstack.aws.route53_records).
    type: bool
    default: false
  validation_zone_tags:
    description: Tags of a hosted zone that the module creates.
    type: dict
    default: {}
  state:
    description: V(absent) deletes the matching certificates (which must no longer be in use).
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - Wait until the certificate is C(ISSUED). Fails early if ACM reports the validation
        C(FAILED) or C(VALIDATION_TIMED_OUT).
      - A new certificate's validation records appear a few seconds after the request; the
        module always waits for them (bounded by O(wait_timeout)) so that it can return them.
    type: bool
    default: true
  wait_timeout:
    description: How many seconds to wait at most.
    type: int
    default: 900
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The ALB's certificate, validated through the domain's hosted zone
  webstack.aws.acm_certificate_request:
    domain_name: example.com
    subject_alternative_names: ["*.example.com"]
    validation_zone_name: example.com
    create_validation_zone: true
    tags:
      Name: innobic-production-certificate
  register: certificate
"""

RETURN = r"""
certificate_arn:
  description: The certificate's ARN; null in check mode for a new certificate.
  returned: always
  type: str
status:
  description: The certificate's status (C(PENDING_VALIDATION), C(ISSUED), ...).
  returned: always
  type: str
validation_records:
  description: The DNS validation records, one per distinct record name.
  returned: always
  type: list
  elements: dict
  contains:
    domain_name: {description: The name it validates., type: str, returned: always}
    name: {description: The CNAME record's name., type: str, returned: always}
    type: {description: Always C(CNAME)., type: str, returned: always}
    value: {description: The record's value., type: str, returned: always}
validation_zone_id:
  description: The id of the hosted zone that holds the validation records (null when none, or in check mode for a new zone).
  returned: always
  type: str
name_servers:
  description: The name servers of a hosted zone that this run created (to delegate to at the registrar).
  returned: always
  type: list
  elements: str
actions:
  description: The writes made (or, in check mode, that would be made), in order.
  returned: always
  type: list
  elements: str
"""

import time
import uuid

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing botocore

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.webstack.aws.plugins.module_utils import dns_records
from ansible_collections.webstack.aws.plugins.module_utils.desired_state import boto3_tags
from ansible_collections.webstack.aws.plugins.module_utils.desired_state import merged_tags
from ansible_collections.webstack.aws.plugins.module_utils.desired_state import tag_changes
from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker

LIVE_STATUSES = ["PENDING_VALIDATION", "ISSUED"]
FAILED_STATUSES = ("FAILED", "VALIDATION_TIMED_OUT", "REVOKED", "EXPIRED")


def wanted_names(params):
    names = [params["domain_name"].lower().rstrip(".")]
    for name in params["subject_alternative_names"] or []:
        name = name.lower().rstrip(".")
        if name not in names:
            names.append(name)
    return names


def validation_records(certificate):
    """The distinct DNS validation records of a described certificate, or None while ACM has
    not yet published all of them."""
    records = []
    seen = set()
    for option in certificate.get("DomainValidationOptions", []):
        if option.get("ValidationMethod", "DNS") != "DNS":
            continue
        record = option.get("ResourceRecord")
        if not record:
            return None
        key = dns_records.fqdn(record["Name"])
        if key in seen:
            continue  # example.com and *.example.com share one record
        seen.add(key)
        records.append({"domain_name": option["DomainName"], "name": record["Name"], "type": record["Type"],
                        "value": record["Value"]})
    return records


class CertificateManager:
    def __init__(self, module, client, tracker):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.params = module.params
        self.names = wanted_names(module.params)

    def find(self):
        """Every live certificate for the domain with exactly the wanted names, described and with
        its tags, the preferred one first."""
        list_args = {"CertificateStatuses": LIVE_STATUSES}
        if self.params["key_algorithm"] != "RSA_2048":
            list_args["Includes"] = {"keyTypes": [self.params["key_algorithm"]]}
        paginator = self.client.get_paginator("list_certificates")
        summaries = _paginate(paginator, "CertificateSummaryList", **list_args)
        matches = []
        for summary in summaries:
            if summary.get("DomainName", "").lower() != self.names[0]:
                continue
            if summary.get("Type", "AMAZON_ISSUED") != "AMAZON_ISSUED":
                continue
            listed = summary.get("SubjectAlternativeNameSummaries")
            if listed is not None and not summary.get("HasAdditionalSubjectAlternativeNames") \
                    and sorted(n.lower() for n in listed) != sorted(self.names):
                continue  # the summary already shows other names: no need to describe it
            certificate = self.client.describe_certificate(aws_retry=True, CertificateArn=summary["CertificateArn"])["Certificate"]
            if sorted(n.lower() for n in certificate.get("SubjectAlternativeNames", [])) != sorted(self.names):
                continue
            if certificate.get("DomainValidationOptions") and any(
                    o.get("ValidationMethod", "DNS") != "DNS" for o in certificate["DomainValidationOptions"]):
                continue
            tags = boto3_tag_list_to_ansible_dict(self.client.list_tags_for_certificate(
                aws_retry=True, CertificateArn=summary["CertificateArn"]).get("Tags", []))
            matches.append((certificate, tags))
        desired_tags = self.params["tags"] or {}

        def preference(match):
            certificate, tags = match
            tags_match = all(tags.get(k) == v for k, v in desired_tags.items())
            created = certificate.get("CreatedAt")
            created = created.timestamp() if hasattr(created, "timestamp") else 0
            return (not tags_match, certificate.get("Status") != "ISSUED", -created)

        return sorted(matches, key=preference)

    @staticmethod
    def idempotency_token():
        """One token per invocation: a retried RequestCertificate returns the same certificate
        instead of requesting a second one."""
        return uuid.uuid4().hex

    def request(self):
        params = self.params
        kwargs = dict(DomainName=self.names[0], ValidationMethod="DNS", KeyAlgorithm=params["key_algorithm"],
                      IdempotencyToken=self.idempotency_token())
        if len(self.names) > 1:
            kwargs["SubjectAlternativeNames"] = self.names
        if params["tags"]:
            kwargs["Tags"] = boto3_tags(params["tags"])
        answer = self.tracker.act("request certificate for %s" % ", ".join(self.names),
                                  self.client.request_certificate, aws_retry=True, **kwargs)
        self.tracker.record("certificate", self.names[0], None, {"names": self.names, "tags": params["tags"] or {}})
        return answer["CertificateArn"] if answer else None

    def ensure_tags(self, arn, current):
        if self.params["tags"] is None:
            return current
        to_set, to_unset = tag_changes(current, self.params["tags"], self.params["purge_tags"])
        if to_set:
            self.tracker.act("tag certificate %s" % arn, self.client.add_tags_to_certificate, aws_retry=True,
                             CertificateArn=arn, Tags=boto3_tags(to_set))
        if to_unset:
            self.tracker.act("untag certificate %s" % arn, self.client.remove_tags_from_certificate, aws_retry=True,
                             CertificateArn=arn, Tags=[{"Key": k, "Value": current[k]} for k in to_unset])
        return merged_tags(current, to_set, to_unset)

    def describe(self, arn):
        return self.client.describe_certificate(aws_retry=True, CertificateArn=arn)["Certificate"]

    def wait_for_records(self, arn, certificate, deadline):
        """ACM publishes a new certificate's validation records a few seconds after the request."""
        delay = 1
        while True:
            records = validation_records(certificate)
            if records is not None:
                return certificate, records
            if time.time() > deadline:
                self.module.fail_json(msg="wait_timeout: ACM did not publish the validation records of %s in time" % arn)
            time.sleep(delay)
            delay = min(delay * 2, 10)
            certificate = self.describe(arn)

    def wait_issued(self, arn, certificate, deadline):
        delay = 1
        while certificate.get("Status") != "ISSUED":
            status = certificate.get("Status")
            if status in FAILED_STATUSES:
                self.module.fail_json(msg="certificate %s is %s: %s" % (arn, status, certificate.get("FailureReason", "")),
                                      certificate_arn=arn, status=status)
            if time.time() > deadline:
                self.module.fail_json(msg="wait_timeout: certificate %s is still %s after %d s; are the validation "
                                      "records published in the domain's delegated zone?"
                                      % (arn, status, self.params["wait_timeout"]), certificate_arn=arn, status=status)
            time.sleep(delay)
            delay = min(delay * 2, 15)
            certificate = self.describe(arn)
        return certificate


class ValidationZone:
    """The hosted zone that receives the validation records, by id or by name."""

    def __init__(self, module, tracker):
        self.module = module
        self.tracker = tracker
        self.params = module.params
        self.client = None
        self.zone_id = dns_records.zone_id_bare(self.params["validation_zone_id"]) if self.params["validation_zone_id"] else None
        self.name_servers = []
        if self.params["validation_zone_id"] or self.params["validation_zone_name"]:
            self.client = module.client("route53", retry_decorator=AWSRetry.jittered_backoff(
                retries=10, delay=1, max_delay=30, catch_extra_error_codes=["PriorRequestNotComplete"]))

    def ensure(self):
        """Find (or create) the zone by name; returns its id (None in check mode for a new one)."""
        name = self.params["validation_zone_name"]
        if not name:
            return self.zone_id
        zones = dns_records.HostedZone(self.module, self.client, self.tracker, name, "validation_zone_name")
        zone = zones.find()
        if zone is not None:
            self.zone_id = dns_records.zone_id_bare(zone["Id"])
        elif self.params["create_validation_zone"]:
            self.zone_id, self.name_servers = zones.create("Managed by webstack.aws", self.params["validation_zone_tags"])
        else:
            self.module.fail_json(msg="validation_zone_name: there is no public hosted zone %s (create_validation_zone "
                                  "creates it)" % zones.name)
        return self.zone_id

    def write(self, records):
        desired = [{"Name": r["name"], "Type": r["type"], "TTL": 300, "ResourceRecords": [{"Value": r["value"]}]}
                   for r in records]
        current = dns_records.record_sets_by_key(self.client, self.zone_id) if self.zone_id else {}
        changes, pairs = dns_records.upsert_changes(current, desired)
        for key, (before, after) in pairs.items():
            self.tracker.record("validation_records", key, before, after)
        if not changes:
            return
        description = "write %d validation record(s) into zone %s" % (len(changes), self.zone_id or "(new zone)")
        if self.zone_id:
            self.tracker.act(description, self.client.change_resource_record_sets, aws_retry=True,
                             HostedZoneId=self.zone_id, ChangeBatch=dns_records.change_batch(changes, "ACM DNS validation"))
        else:
            self.tracker.plan(description)


@AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30)
def _paginate(paginator, key, **params):
    return paginator.paginate(**params).build_full_result().get(key, [])


def present(module, manager, tracker):
    params = module.params
    deadline = time.time() + params["wait_timeout"]
    zone = ValidationZone(module, tracker)
    zone_id = zone.ensure()
    matches = manager.find()
    if matches:
        certificate, tags = matches[0]
        arn = certificate["CertificateArn"]
        after_tags = manager.ensure_tags(arn, tags)
        tracker.record("certificate", manager.names[0], {"names": manager.names, "tags": tags, "arn": arn},
                       {"names": manager.names, "tags": after_tags, "arn": arn})
    else:
        arn = manager.request()
        certificate = manager.describe(arn) if arn else None
    result = {"certificate_arn": arn, "status": None, "validation_records": [], "validation_zone_id": zone_id,
              "name_servers": zone.name_servers}
    if certificate is None:  # check mode, new certificate
        if zone.client:
            tracker.plan("write the new certificate's validation records")
        return result
    certificate, records = manager.wait_for_records(arn, certificate, deadline)
    if zone.client and records:
        # Also for an issued certificate: ACM renews it only while the records stay published.
        zone.write(records)
    if params["wait"] and not module.check_mode:
        certificate = manager.wait_issued(arn, certificate, deadline)
    result.update(status=certificate.get("Status"), validation_records=records)
    return result


def absent(module, manager, tracker):
    for certificate, tags in manager.find():
        arn = certificate["CertificateArn"]
        if certificate.get("InUseBy"):
            module.fail_json(msg="state: certificate %s is still used by %s" % (arn, ", ".join(certificate["InUseBy"])))
        tracker.act("delete certificate %s" % arn, manager.client.delete_certificate, aws_retry=True, CertificateArn=arn)
        tracker.record("certificate", arn, {"names": manager.names, "tags": tags}, None)
    return {"certificate_arn": None, "status": None, "validation_records": [], "validation_zone_id": None,
            "name_servers": []}


def validate(module):
    errors = []
    for label, name in [("domain_name", module.params["domain_name"])] + [
            ("subject_alternative_names[%d]" % i, n) for i, n in enumerate(module.params["subject_alternative_names"])]:
        bare = (name or "").rstrip(".")
        labels = bare[2:].split(".") if bare.startswith("*.") else bare.split(".")
        if len(labels) < 2 or not all(labels) or len(bare) > 253 or not all(
                part.replace("-", "").isalnum() and not part.startswith("-") for part in labels):
            errors.append("%s: %r is not a domain name such as example.com or *.example.com" % (label, name))
    if len(wanted_names(module.params)) > 100:
        errors.append("subject_alternative_names: ACM allows at most 100 names per certificate")
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)


def main():
    argument_spec = dict(
        domain_name=dict(type="str", required=True),
        subject_alternative_names=dict(type="list", elements="str", default=[]),
        key_algorithm=dict(type="str", choices=["RSA_2048", "EC_prime256v1", "EC_secp384r1"], default="RSA_2048"),
        validation_zone_id=dict(type="str"),
        validation_zone_name=dict(type="str"),
        create_validation_zone=dict(type="bool", default=False),
        validation_zone_tags=dict(type="dict", default={}),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=900),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True,
                              mutually_exclusive=[["validation_zone_id", "validation_zone_name"]])
    validate(module)
    client = module.client("acm", retry_decorator=AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30))
    tracker = ChangeTracker(module)
    manager = CertificateManager(module, client, tracker)
    try:
        if module.params["state"] == "present":
            result = present(module, manager, tracker)
        else:
            result = absent(module, manager, tracker)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        module.fail_json_aws(exc, msg="ACM certificate for %s" % module.params["domain_name"])
    module.exit_json(changed=tracker.changed, actions=tracker.actions, diff=tracker.diff, **result)


if __name__ == "__main__":
    main()
