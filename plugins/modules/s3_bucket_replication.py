#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: s3_bucket_replication
short_description: Converge an S3 bucket's replication configuration (cross-region replication)
version_added: 0.2.0
description:
  - Sets, updates or removes the replication configuration of a bucket, as the Laravel guide's
    disaster recovery asks for the files bucket (cross-region S3 replication).
  - The configuration is compared in a normalised form, so a re-run with the same rules makes
    one read call and no write.
  - Both buckets need versioning; the module checks the source bucket's versioning before it
    writes and fails with a clear message otherwise.
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  bucket:
    description: The source bucket.
    type: str
    required: true
  state:
    description: V(present) sets the configuration; V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  role_arn:
    description: The IAM role S3 assumes to replicate. Required with O(state=present).
    type: str
  rules:
    description: Replication rules. Required with O(state=present).
    type: list
    elements: dict
    suboptions:
      id:
        description: The rule's id.
        type: str
        required: true
      priority:
        description: The rule's priority; higher wins when rules overlap.
        type: int
        default: 1
      prefix:
        description: Replicate only keys that start with this prefix; empty for the whole bucket.
        type: str
        default: ""
      destination_bucket:
        description: The destination bucket, by name or ARN.
        type: str
        required: true
      storage_class:
        description: Storage class of the replicas; unset keeps the source object's class.
        type: str
        choices: [STANDARD, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER, DEEP_ARCHIVE, GLACIER_IR]
      delete_marker_replication:
        description: Whether delete markers are replicated too.
        type: bool
        default: false
      enabled:
        description: Whether the rule is enabled.
        type: bool
        default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Replicate the files bucket to the standby region
  webstack.aws.s3_bucket_replication:
    bucket: innobic-files-production
    role_arn: arn:aws:iam::123456789012:role/innobic-production-s3-replication
    rules:
      - id: disaster-recovery
        destination_bucket: innobic-files-production-dr
        storage_class: STANDARD_IA
"""

RETURN = r"""
configuration:
  description: The replication configuration as S3 holds it after the run (as it would be, in check mode).
  returned: always
  type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker


def desired_configuration(params):
    rules = []
    for rule in params["rules"] or []:
        destination = rule["destination_bucket"]
        if not destination.startswith("arn:"):
            destination = "arn:aws:s3:::%s" % destination
        converted = {
            "ID": rule["id"],
            "Priority": rule["priority"],
            "Status": "Enabled" if rule["enabled"] else "Disabled",
            "Filter": {"Prefix": rule["prefix"]},
            "DeleteMarkerReplication": {"Status": "Enabled" if rule["delete_marker_replication"] else "Disabled"},
            "Destination": {"Bucket": destination},
        }
        if rule["storage_class"]:
            converted["Destination"]["StorageClass"] = rule["storage_class"]
        rules.append(converted)
    return {"Role": params["role_arn"], "Rules": rules}


def normalise(configuration):
    """The parts of a configuration that the module manages, in a comparable form."""
    if not configuration:
        return None
    rules = []
    for rule in configuration.get("Rules", []):
        prefix = rule.get("Filter", {}).get("Prefix", rule.get("Prefix", ""))
        destination = {"Bucket": rule["Destination"]["Bucket"]}
        if rule["Destination"].get("StorageClass"):
            destination["StorageClass"] = rule["Destination"]["StorageClass"]
        rules.append({
            "ID": rule.get("ID"),
            "Priority": rule.get("Priority", 1),
            "Status": rule.get("Status"),
            "Filter": {"Prefix": prefix or ""},
            "DeleteMarkerReplication": {"Status": rule.get("DeleteMarkerReplication", {}).get("Status", "Disabled")},
            "Destination": destination,
        })
    return {"Role": configuration.get("Role"), "Rules": sorted(rules, key=lambda r: r["ID"] or "")}


class ReplicationManager:
    def __init__(self, module):
        self.module = module
        self.client = module.client("s3", retry_decorator=AWSRetry.jittered_backoff(retries=10))
        self.tracker = ChangeTracker(module)
        self.bucket = module.params["bucket"]

    def current(self):
        try:
            answer = self.client.get_bucket_replication(aws_retry=True, Bucket=self.bucket)
        except is_boto3_error_code("ReplicationConfigurationNotFoundError"):
            return None
        except is_boto3_error_code("NoSuchBucket"):  # pylint: disable=duplicate-except
            self.module.fail_json(msg="bucket: %s does not exist" % self.bucket)
        return answer.get("ReplicationConfiguration")

    def ensure_present(self):
        before = normalise(self.current())
        wanted = desired_configuration(self.module.params)
        after = normalise(wanted)
        if before != after:
            versioning = self.client.get_bucket_versioning(aws_retry=True, Bucket=self.bucket)
            if versioning.get("Status") != "Enabled":
                self.module.fail_json(msg="bucket: %s needs versioning enabled before replication" % self.bucket)
            self.tracker.act("put replication of %s" % self.bucket, self.client.put_bucket_replication,
                             aws_retry=True, Bucket=self.bucket, ReplicationConfiguration=wanted)
        self.tracker.record("replication", self.bucket, before, after)
        return after

    def ensure_absent(self):
        before = normalise(self.current())
        if before:
            self.tracker.act("delete replication of %s" % self.bucket, self.client.delete_bucket_replication,
                             aws_retry=True, Bucket=self.bucket)
        self.tracker.record("replication", self.bucket, before, None)
        return None


def main():
    rule_spec = dict(
        id=dict(type="str", required=True),
        priority=dict(type="int", default=1),
        prefix=dict(type="str", default=""),
        destination_bucket=dict(type="str", required=True),
        storage_class=dict(type="str", choices=["STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
                                                "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR"]),
        delete_marker_replication=dict(type="bool", default=False),
        enabled=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=dict(
            bucket=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            role_arn=dict(type="str"),
            rules=dict(type="list", elements="dict", options=rule_spec),
        ),
        required_if=[("state", "present", ["role_arn", "rules"])],
        supports_check_mode=True,
    )
    ids = [rule["id"] for rule in module.params["rules"] or []]
    if len(set(ids)) != len(ids):
        module.fail_json(msg="rules: every rule needs its own id")
    manager = ReplicationManager(module)
    configuration = manager.ensure_present() if module.params["state"] == "present" else manager.ensure_absent()
    module.exit_json(changed=manager.tracker.changed, configuration=configuration, actions=manager.tracker.actions,
                     diff=manager.tracker.diff)


if __name__ == "__main__":
    main()
