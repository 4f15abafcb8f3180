#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: s3_bucket_set
short_description: Converge several S3 buckets with their configurations in one call
version_added: 0.2.0
description:
  - Creates, updates or deletes S3 buckets together with versioning, default encryption, the
    public access block, object ownership, the bucket policy (optionally with a statement that
    refuses plain HTTP), lifecycle rules, CORS rules and tags.
  - One invocation converges every bucket; the stock way takes M(amazon.aws.s3_bucket),
    M(community.aws.s3_lifecycle) and M(community.aws.s3_cors) tasks per bucket.
  - S3 has no call that answers a bucket's whole configuration, so each configuration is read
    with its own call (one read per configuration the task manages, as Terraform models them as
    separate resources); a configuration left unset (null) is neither read nor changed.
  - Policies are compared by meaning, lifecycle and CORS rules field by field, so a converged
    bucket re-runs without a write.
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  state:
    description:
      - V(present) creates or updates the buckets; V(absent) deletes them (see O(force)).
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - With O(state=absent), delete every object, object version and delete marker first.
        Without it, a bucket that is not empty makes the module fail.
    type: bool
    default: false
  buckets:
    description: The buckets.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The bucket name (S3's naming rules are checked before any call).
        type: str
        required: true
      versioning:
        description: Keep object versions (V(true)) or suspend versioning (V(false)). Unset leaves it.
        type: bool
      encryption:
        description: Default encryption. Unset leaves it.
        type: str
        choices: [AES256, aws:kms, aws:kms:dsse]
      encryption_key_id:
        description: The KMS key for O(buckets[].encryption=aws:kms) (default the AWS managed key).
        type: str
      bucket_key_enabled:
        description: Use an S3 Bucket Key for KMS encryption. Unset leaves it.
        type: bool
      public_access_block:
        description:
          - V(true) turns on all four public access block settings; V(false) removes the block. Unset leaves it.
        type: bool
      object_ownership:
        description: Object ownership; V(BucketOwnerEnforced) disables ACLs. Unset leaves it.
        type: str
        choices: [BucketOwnerEnforced, BucketOwnerPreferred, ObjectWriter]
      policy:
        description:
          - The bucket policy (dictionary or JSON), without the HTTPS statement that
            O(buckets[].require_https) adds. Unset, and O(buckets[].require_https=false), leaves the policy alone.
          - A policy without statements (and no O(buckets[].require_https)) removes the bucket policy.
        type: json
      require_https:
        description:
          - Add the statement C(DenyInsecureTransport) that refuses every request made over plain
            HTTP (C(aws:SecureTransport) false) to the bucket policy.
        type: bool
        default: false
      lifecycle_rules:
        description: Lifecycle rules. Unset leaves them; an empty list removes them.
        type: list
        elements: dict
        suboptions:
          id:
            description: The rule id.
            type: str
            required: true
          enabled:
            description: Whether the rule is on.
            type: bool
            default: true
          prefix:
            description: Key prefix the rule applies to (empty for every object).
            type: str
            default: ""
          transitions:
            description: Storage class transitions of current versions.
            type: list
            elements: dict
            suboptions:
              days: {description: Days after creation., type: int, required: true}
              storage_class: {description: The target storage class (for example STANDARD_IA or GLACIER)., type: str, required: true}
          expiration_days:
            description: Delete current versions this many days after creation.
            type: int
          noncurrent_version_transitions:
            description: Storage class transitions of noncurrent versions.
            type: list
            elements: dict
            suboptions:
              days: {description: Days after becoming noncurrent., type: int, required: true}
              storage_class: {description: The target storage class., type: str, required: true}
          noncurrent_version_expiration_days:
            description: Delete noncurrent versions this many days after they became noncurrent.
            type: int
          abort_incomplete_multipart_upload_days:
            description: Abort multipart uploads that did not complete within this many days.
            type: int
      cors_rules:
        description: CORS rules, in order. Unset leaves them; an empty list removes them.
        type: list
        elements: dict
        suboptions:
          allowed_origins: {description: Origins such as https://example.com., type: list, elements: str, required: true}
          allowed_methods: {description: "HTTP methods: GET, PUT, POST, DELETE or HEAD.", type: list, elements: str, required: true}
          allowed_headers: {description: Request headers allowed in a preflight request., type: list, elements: str, default: []}
          expose_headers: {description: Response headers the browser may read., type: list, elements: str, default: []}
          max_age_seconds: {description: How long a browser may cache the preflight answer., type: int}
      tags:
        description: Tags of this bucket only, on top of O(tags).
        type: dict
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The files bucket of the Laravel guide (seed 000)
  webstack.aws.s3_bucket_set:
    tags:
      Project: innobic
      Environment: production
    buckets:
      - name: innobic-files-production
        versioning: true
        encryption: AES256
        public_access_block: true
        object_ownership: BucketOwnerEnforced
        require_https: true
        policy:
          Version: "2012-10-17"
          Statement:
            - Sid: AppInstancesObjects
              Effect: Allow
              Principal: {AWS: "arn:aws:iam::123456789012:role/innobic-production-ec2-role"}
              Action: [s3:GetObject, s3:PutObject, s3:DeleteObject]
              Resource: arn:aws:s3:::innobic-files-production/*
        lifecycle_rules:
          - id: files-tiering
            transitions:
              - {days: 90, storage_class: STANDARD_IA}
              - {days: 365, storage_class: GLACIER}
            expiration_days: 2555
            noncurrent_version_expiration_days: 90
        cors_rules:
          - allowed_origins: ["https://example.com"]
            allowed_methods: [GET, POST, PUT, DELETE]
            allowed_headers: ["*"]
            max_age_seconds: 3600
  register: storage

- name: Delete a bucket with everything in it
  webstack.aws.s3_bucket_set:
    state: absent
    force: true
    buckets:
      - name: innobic-scratch-development
"""

RETURN = r"""
buckets:
  description: The buckets, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name: {description: The bucket name., type: str, returned: always}
    arn: {description: The bucket ARN., type: str, returned: always, sample: "arn:aws:s3:::innobic-files-production"}
    regional_domain_name:
      description: The bucket's regional endpoint, for example as a CloudFront origin.
      type: str
      returned: always
      sample: innobic-files-production.s3.ap-southeast-1.amazonaws.com
bucket_arns:
  description: Bucket ARNs by bucket name.
  returned: always
  type: dict
actions:
  description: The writes made (or, in check mode, that would be made), in order.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.webstack.aws.plugins.module_utils.iam_spec import policy_document_errors
from ansible_collections.webstack.aws.plugins.module_utils.policy_document import dump_policy
from ansible_collections.webstack.aws.plugins.module_utils.policy_document import load_policy
from ansible_collections.webstack.aws.plugins.module_utils.policy_document import policies_equal
from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker
from ansible_collections.webstack.aws.plugins.module_utils.resource import describe_all
from ansible_collections.webstack.aws.plugins.module_utils.resource import wait_for
from ansible_collections.webstack.aws.plugins.module_utils.storage_spec import bucket_name_errors
from ansible_collections.webstack.aws.plugins.module_utils.storage_spec import lifecycle_rule_errors

PAB_KEYS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
HTTPS_SID = "DenyInsecureTransport"
# Right after CreateBucket, S3 may not know the bucket yet in another call.
S3_RETRY = AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30,
                                     catch_extra_error_codes=["NoSuchBucket", "OperationAborted"])
# S3 refuses a policy naming an IAM role created seconds ago ("Invalid principal in policy")
# until IAM has propagated it; a policy that stays malformed fails after about a minute.
POLICY_RETRY = AWSRetry.jittered_backoff(retries=6, delay=2, max_delay=20, catch_extra_error_codes=["MalformedPolicy"])


@POLICY_RETRY
def put_bucket_policy(client, **params):
    return client.put_bucket_policy(**params)


def partition(region):
    if region and region.startswith("cn-"):
        return "aws-cn"
    if region and region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def https_statement(bucket_arn):
    return {"Sid": HTTPS_SID, "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [bucket_arn, bucket_arn + "/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def lifecycle_from_spec(rule):
    """The canonical form of a lifecycle rule (module option shape)."""
    return {
        "id": rule["id"],
        "enabled": rule.get("enabled", True),
        "prefix": rule.get("prefix") or "",
        "transitions": sorted((t["days"], t["storage_class"]) for t in rule.get("transitions") or []),
        "expiration_days": rule.get("expiration_days"),
        "noncurrent_version_transitions": sorted((t["days"], t["storage_class"])
                                                 for t in rule.get("noncurrent_version_transitions") or []),
        "noncurrent_version_expiration_days": rule.get("noncurrent_version_expiration_days"),
        "abort_incomplete_multipart_upload_days": rule.get("abort_incomplete_multipart_upload_days"),
    }


def lifecycle_from_api(rule):
    """The canonical form of a rule as GetBucketLifecycleConfiguration answers it."""
    rule_filter = rule.get("Filter") or {}
    prefix = rule_filter.get("Prefix", rule.get("Prefix", "")) or ""
    if set(rule_filter) - {"Prefix"}:
        prefix = "(filter %s)" % sorted(rule_filter)
    return {
        "id": rule.get("ID"),
        "enabled": rule.get("Status") == "Enabled",
        "prefix": prefix,
        "transitions": sorted((t.get("Days"), t.get("StorageClass")) for t in rule.get("Transitions") or []),
        "expiration_days": (rule.get("Expiration") or {}).get("Days"),
        "noncurrent_version_transitions": sorted((t.get("NoncurrentDays"), t.get("StorageClass"))
                                                 for t in rule.get("NoncurrentVersionTransitions") or []),
        "noncurrent_version_expiration_days": (rule.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays"),
        "abort_incomplete_multipart_upload_days": (rule.get("AbortIncompleteMultipartUpload") or {}).get("DaysAfterInitiation"),
    }


def lifecycle_to_api(rule):
    api = {"ID": rule["id"], "Status": "Enabled" if rule["enabled"] else "Disabled", "Filter": {"Prefix": rule["prefix"]}}
    if rule["transitions"]:
        api["Transitions"] = [{"Days": days, "StorageClass": cls} for days, cls in rule["transitions"]]
    if rule["expiration_days"] is not None:
        api["Expiration"] = {"Days": rule["expiration_days"]}
    if rule["noncurrent_version_transitions"]:
        api["NoncurrentVersionTransitions"] = [{"NoncurrentDays": days, "StorageClass": cls}
                                               for days, cls in rule["noncurrent_version_transitions"]]
    if rule["noncurrent_version_expiration_days"] is not None:
        api["NoncurrentVersionExpiration"] = {"NoncurrentDays": rule["noncurrent_version_expiration_days"]}
    if rule["abort_incomplete_multipart_upload_days"] is not None:
        api["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": rule["abort_incomplete_multipart_upload_days"]}
    return api


def cors_from_spec(rule):
    return {"allowed_origins": sorted(rule["allowed_origins"]),
            "allowed_methods": sorted(m.upper() for m in rule["allowed_methods"]),
            "allowed_headers": sorted(rule.get("allowed_headers") or []),
            "expose_headers": sorted(rule.get("expose_headers") or []),
            "max_age_seconds": rule.get("max_age_seconds")}


def cors_from_api(rule):
    return {"allowed_origins": sorted(rule.get("AllowedOrigins") or []),
            "allowed_methods": sorted(rule.get("AllowedMethods") or []),
            "allowed_headers": sorted(rule.get("AllowedHeaders") or []),
            "expose_headers": sorted(rule.get("ExposeHeaders") or []),
            "max_age_seconds": rule.get("MaxAgeSeconds")}


def cors_to_api(rule):
    api = {"AllowedOrigins": rule["allowed_origins"], "AllowedMethods": rule["allowed_methods"]}
    if rule["allowed_headers"]:
        api["AllowedHeaders"] = rule["allowed_headers"]
    if rule["expose_headers"]:
        api["ExposeHeaders"] = rule["expose_headers"]
    if rule["max_age_seconds"] is not None:
        api["MaxAgeSeconds"] = rule["max_age_seconds"]
    return api


class BucketManager:
    """One bucket: each configuration is read only when the task manages it."""

    def __init__(self, module, client, tracker, spec):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.spec = spec
        self.name = spec["name"]
        self.arn = "arn:%s:s3:::%s" % (partition(module.region), self.name)

    def act(self, description, method, **params):
        return self.tracker.act("%s of bucket %s" % (description, self.name), getattr(self.client, method),
                                aws_retry=True, Bucket=self.name, **params)

    def read(self, method, missing_codes, **params):
        """A configuration, or None when the bucket has none (or it would be new)."""
        try:
            return getattr(self.client, method)(aws_retry=True, Bucket=self.name, **params)
        except is_boto3_error_code(missing_codes):
            return None

    def tags(self):
        tags = dict(self.module.params.get("tags") or {})
        tags.update(self.spec.get("tags") or {})
        return tags

    def desired_policy(self):
        spec = self.spec
        if spec.get("policy") is None and not spec["require_https"]:
            return False  # not managed
        document = load_policy(spec.get("policy")) or {"Version": "2012-10-17", "Statement": []}
        document = dict(document)
        statements = document.get("Statement") or []
        if isinstance(statements, dict):
            statements = [statements]
        statements = [s for s in statements if s.get("Sid") != HTTPS_SID]
        if spec["require_https"]:
            statements.append(https_statement(self.arn))
        document.setdefault("Version", "2012-10-17")
        document["Statement"] = statements
        return document if statements else None

    # ----- converge -----
    def present(self, exists):
        if not exists:
            self.create()
        current, after = {}, {}
        for aspect in ("versioning", "encryption", "public_access_block", "object_ownership", "policy",
                       "lifecycle_rules", "cors_rules", "tags"):
            if aspect == "policy":
                wanted = self.desired_policy()
                if wanted is False:
                    continue
            elif aspect == "tags":
                wanted = self.tags()
            elif self.spec.get(aspect) is None:
                continue
            else:
                wanted = None
            have, result = getattr(self, "converge_" + aspect)(exists, wanted)
            current[aspect] = have
            after[aspect] = result
        self.tracker.record("buckets", self.name, current if exists else None, after)

    def create(self):
        params = {"Bucket": self.name}
        if self.module.region and self.module.region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": self.module.region}
        if self.spec.get("object_ownership"):
            params["ObjectOwnership"] = self.spec["object_ownership"]
        try:
            answer = self.tracker.act("create bucket %s" % self.name, self.client.create_bucket, aws_retry=True, **params)
        except is_boto3_error_code("BucketAlreadyExists") as exc:
            self.module.fail_json_aws(exc, msg="buckets (%s).name: the name is taken by another AWS account; bucket names "
                                               "are global, choose another" % self.name)
        if answer is not None:
            wait_for(self.module, self.client, "bucket_exists", delay=2, Bucket=self.name)

    def converge_versioning(self, exists, _wanted):
        wanted = "Enabled" if self.spec["versioning"] else "Suspended"
        have = (self.read("get_bucket_versioning", []) or {}).get("Status") if exists else None
        if have == wanted or (have is None and wanted == "Suspended"):
            return have, have
        self.act("set versioning %s" % wanted, "put_bucket_versioning", VersioningConfiguration={"Status": wanted})
        return have, wanted

    def converge_encryption(self, exists, _wanted):
        wanted = {"algorithm": self.spec["encryption"]}
        if self.spec.get("encryption_key_id"):
            wanted["key_id"] = self.spec["encryption_key_id"]
        if self.spec.get("bucket_key_enabled") is not None:
            wanted["bucket_key_enabled"] = self.spec["bucket_key_enabled"]
        have = None
        if exists:
            answer = self.read("get_bucket_encryption", "ServerSideEncryptionConfigurationNotFoundError")
            rules = ((answer or {}).get("ServerSideEncryptionConfiguration") or {}).get("Rules") or []
            if rules:
                default = rules[0].get("ApplyServerSideEncryptionByDefault") or {}
                have = {"algorithm": default.get("SSEAlgorithm")}
                if "key_id" in wanted:
                    have["key_id"] = default.get("KMSMasterKeyID")
                if "bucket_key_enabled" in wanted:
                    have["bucket_key_enabled"] = rules[0].get("BucketKeyEnabled", False)
        if have == wanted:
            return have, wanted
        default = {"SSEAlgorithm": wanted["algorithm"]}
        if "key_id" in wanted:
            default["KMSMasterKeyID"] = wanted["key_id"]
        rule = {"ApplyServerSideEncryptionByDefault": default}
        if "bucket_key_enabled" in wanted:
            rule["BucketKeyEnabled"] = wanted["bucket_key_enabled"]
        self.act("set default encryption %s" % wanted["algorithm"], "put_bucket_encryption",
                 ServerSideEncryptionConfiguration={"Rules": [rule]})
        return have, wanted

    def converge_public_access_block(self, exists, _wanted):
        wanted = {key: bool(self.spec["public_access_block"]) for key in PAB_KEYS}
        have = {key: False for key in PAB_KEYS}
        if exists:
            answer = self.read("get_public_access_block", "NoSuchPublicAccessBlockConfiguration")
            have.update((answer or {}).get("PublicAccessBlockConfiguration") or {})
        if have == wanted:
            return have, wanted
        if self.spec["public_access_block"]:
            self.act("block public access", "put_public_access_block", PublicAccessBlockConfiguration=wanted)
        else:
            self.act("remove the public access block", "delete_public_access_block")
        return have, wanted

    def converge_object_ownership(self, exists, _wanted):
        wanted = self.spec["object_ownership"]
        if not exists:  # set by CreateBucket
            return None, wanted
        answer = self.read("get_bucket_ownership_controls", "OwnershipControlsNotFoundError")
        rules = ((answer or {}).get("OwnershipControls") or {}).get("Rules") or []
        have = rules[0].get("ObjectOwnership") if rules else None
        if have != wanted:
            self.act("set object ownership %s" % wanted, "put_bucket_ownership_controls",
                     OwnershipControls={"Rules": [{"ObjectOwnership": wanted}]})
        return have, wanted

    def converge_policy(self, exists, wanted):
        have = None
        if exists:
            have = load_policy((self.read("get_bucket_policy", "NoSuchBucketPolicy") or {}).get("Policy"))
        if policies_equal(have, wanted):
            return have, have
        if wanted is None:
            self.act("delete the bucket policy", "delete_bucket_policy")
        else:
            self.tracker.act("put the bucket policy of bucket %s" % self.name, put_bucket_policy, self.client,
                             Bucket=self.name, Policy=dump_policy(wanted))
        return have, wanted

    def converge_lifecycle_rules(self, exists, _wanted):
        wanted = sorted((lifecycle_from_spec(r) for r in self.spec["lifecycle_rules"]), key=lambda r: r["id"])
        have = []
        if exists:
            answer = self.read("get_bucket_lifecycle_configuration", "NoSuchLifecycleConfiguration")
            have = sorted((lifecycle_from_api(r) for r in (answer or {}).get("Rules") or []), key=lambda r: str(r["id"]))
        if have == wanted:
            return have, wanted
        if wanted:
            self.act("put lifecycle rules %s" % ", ".join(r["id"] for r in wanted), "put_bucket_lifecycle_configuration",
                     LifecycleConfiguration={"Rules": [lifecycle_to_api(r) for r in wanted]})
        else:
            self.act("delete lifecycle rules", "delete_bucket_lifecycle")
        return have, wanted

    def converge_cors_rules(self, exists, _wanted):
        wanted = [cors_from_spec(r) for r in self.spec["cors_rules"]]
        have = []
        if exists:
            answer = self.read("get_bucket_cors", "NoSuchCORSConfiguration")
            have = [cors_from_api(r) for r in (answer or {}).get("CORSRules") or []]
        if have == wanted:
            return have, wanted
        if wanted:
            self.act("put CORS rules", "put_bucket_cors", CORSConfiguration={"CORSRules": [cors_to_api(r) for r in wanted]})
        else:
            self.act("delete CORS rules", "delete_bucket_cors")
        return have, wanted

    def converge_tags(self, exists, wanted):
        have = {}
        if exists:
            answer = self.read("get_bucket_tagging", "NoSuchTagSet")
            have = boto3_tag_list_to_ansible_dict((answer or {}).get("TagSet") or [])
        if not self.module.params["purge_tags"]:
            wanted = dict(have, **wanted)
        if have == wanted:
            return have, wanted
        if wanted:
            self.act("tag", "put_bucket_tagging", Tagging={"TagSet": ansible_dict_to_boto3_tag_list(wanted)})
        else:
            self.act("untag", "delete_bucket_tagging")
        return have, wanted

    # ----- delete -----
    def absent(self):
        if self.module.params["force"]:
            self.empty()
        try:
            self.tracker.act("delete bucket %s" % self.name, self.client.delete_bucket, aws_retry=True, Bucket=self.name)
        except is_boto3_error_code("BucketNotEmpty") as exc:
            self.module.fail_json_aws(exc, msg="buckets (%s): the bucket is not empty; set force=true to delete its "
                                               "objects too" % self.name)
        self.tracker.record("buckets", self.name, {"arn": self.arn}, None)

    def empty(self):
        versions = describe_all(self.client, "list_object_versions", "Versions", Bucket=self.name)
        markers = describe_all(self.client, "list_object_versions", "DeleteMarkers", Bucket=self.name)
        objects = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions + markers]
        for start in range(0, len(objects), 1000):
            batch = objects[start:start + 1000]
            self.tracker.act("delete %d object versions from bucket %s" % (len(batch), self.name),
                             self.client.delete_objects, aws_retry=True, Bucket=self.name,
                             Delete={"Objects": batch, "Quiet": True})

    def result(self):
        region = self.module.region or "us-east-1"
        return {"name": self.name, "arn": self.arn,
                "regional_domain_name": "%s.s3.%s.amazonaws.com%s" % (self.name, region,
                                                                      ".cn" if region.startswith("cn-") else "")}


def validate(module):
    """Fail before any API call when the inputs cannot work."""
    params = module.params
    errors = []
    names = [b["name"] for b in params["buckets"]]
    errors += ["buckets: name %s is used twice" % n for n in sorted({n for n in names if names.count(n) > 1})]
    for index, spec in enumerate(params["buckets"]):
        label = "buckets[%d]" % index
        errors += bucket_name_errors(label + ".name", spec["name"])
        if params["state"] == "absent":
            continue
        if spec.get("policy"):
            document = load_policy(spec["policy"])
            if document.get("Statement"):
                errors += policy_document_errors(label + ".policy", document)
        ids = [r["id"] for r in spec.get("lifecycle_rules") or []]
        errors += ["%s.lifecycle_rules: id %s is used twice" % (label, i) for i in sorted({i for i in ids if ids.count(i) > 1})]
        for rule_index, rule in enumerate(spec.get("lifecycle_rules") or []):
            errors += lifecycle_rule_errors("%s.lifecycle_rules[%d]" % (label, rule_index), rule)
        if spec.get("encryption_key_id") and spec.get("encryption") not in ("aws:kms", "aws:kms:dsse"):
            errors.append("%s.encryption_key_id: needs encryption aws:kms or aws:kms:dsse" % label)
        for rule_index, rule in enumerate(spec.get("cors_rules") or []):
            bad = [m for m in rule["allowed_methods"] if m.upper() not in ("GET", "PUT", "POST", "DELETE", "HEAD")]
            if bad:
                errors.append("%s.cors_rules[%d].allowed_methods: %s not among GET, PUT, POST, DELETE, HEAD"
                              % (label, rule_index, ", ".join(bad)))
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)


def main():
    transition_spec = dict(days=dict(type="int", required=True), storage_class=dict(type="str", required=True))
    lifecycle_spec = dict(
        id=dict(type="str", required=True),
        enabled=dict(type="bool", default=True),
        prefix=dict(type="str", default=""),
        transitions=dict(type="list", elements="dict", options=transition_spec),
        expiration_days=dict(type="int"),
        noncurrent_version_transitions=dict(type="list", elements="dict", options=transition_spec),
        noncurrent_version_expiration_days=dict(type="int"),
        abort_incomplete_multipart_upload_days=dict(type="int"),
    )
    cors_spec = dict(
        allowed_origins=dict(type="list", elements="str", required=True),
        allowed_methods=dict(type="list", elements="str", required=True),
        allowed_headers=dict(type="list", elements="str", default=[]),
        expose_headers=dict(type="list", elements="str", default=[]),
        max_age_seconds=dict(type="int"),
    )
    bucket_spec = dict(
        name=dict(type="str", required=True),
        versioning=dict(type="bool"),
        encryption=dict(type="str", choices=["AES256", "aws:kms", "aws:kms:dsse"]),
        encryption_key_id=dict(type="str"),
        bucket_key_enabled=dict(type="bool"),
        public_access_block=dict(type="bool"),
        object_ownership=dict(type="str", choices=["BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"]),
        policy=dict(type="json"),
        require_https=dict(type="bool", default=False),
        lifecycle_rules=dict(type="list", elements="dict", options=lifecycle_spec),
        cors_rules=dict(type="list", elements="dict", options=cors_spec),
        tags=dict(type="dict"),
    )
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        force=dict(type="bool", default=False),
        buckets=dict(type="list", elements="dict", options=bucket_spec, required=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    client = module.client("s3", retry_decorator=S3_RETRY)
    tracker = ChangeTracker(module)
    existing = {b["Name"] for b in describe_all(client, "list_buckets", "Buckets")}
    results = []
    for spec in module.params["buckets"]:
        manager = BucketManager(module, client, tracker, spec)
        if module.params["state"] == "absent":
            if spec["name"] in existing:
                manager.absent()
            continue
        manager.present(spec["name"] in existing)
        results.append(manager.result())
    module.exit_json(changed=tracker.changed, buckets=results, bucket_arns={b["name"]: b["arn"] for b in results},
                     actions=tracker.actions, diff=tracker.diff)


if __name__ == "__main__":
    main()
