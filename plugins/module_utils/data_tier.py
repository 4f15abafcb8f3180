# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers shared by the database and cache modules: tags of RDS and ElastiCache resources
(both services tag by ARN with the same three calls), a Secrets Manager secret holding a JSON
document with a generated credential that is never printed and never overwritten unless asked,
and a few answer-reading helpers that treat a key missing from a describe answer as unknown.
"""

from __future__ import annotations

import datetime
import json
import secrets
import string

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing dependency

# Letters and digits only: valid as an RDS master password (which refuses / @ " and space) and
# as an ElastiCache AUTH token, and safe in URLs and shell lines.
CREDENTIAL_ALPHABET = string.ascii_letters + string.digits
UNKNOWN = object()


def retry(extra_codes=None):
    """Jittered backoff for throttling and 5xx, plus the given state errors."""
    return AWSRetry.jittered_backoff(retries=10, delay=2, max_delay=30, catch_extra_error_codes=extra_codes or [])


def generate_credential(length=32):
    return "".join(secrets.choice(CREDENTIAL_ALPHABET) for position in range(length))


def final_snapshot_name(identifier, now=None):
    """<identifier>-final-<UTC timestamp>, as the guide's Terraform names it."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return "%s-final-%s" % (identifier, now.strftime("%Y%m%d%H%M%S"))


def answer(resource, *path):
    """The value at path in a describe answer, or UNKNOWN when AWS (or a local stand-in) left it out."""
    value = resource
    for key in path:
        if isinstance(value, dict) and key in value and value[key] is not None:
            value = value[key]
        elif isinstance(value, list) and isinstance(key, int) and len(value) > key:
            value = value[key]
        else:
            return UNKNOWN
    return value


def ensure_arn_tags(tracker, client, arn, current, desired, purge_tags):
    """Tags of an RDS or ElastiCache resource (AddTagsToResource / RemoveTagsFromResource by ARN).

    current comes from a describe or ListTagsForResource call already made. Returns the tags the
    resource has afterwards.
    """
    to_add, to_remove = compare_aws_tags(current, desired, purge_tags=purge_tags)
    if arn and to_add:
        tracker.act("tag %s" % arn, client.add_tags_to_resource, aws_retry=True, ResourceName=arn,
                    Tags=ansible_dict_to_boto3_tag_list(to_add))
    if arn and to_remove:
        tracker.act("untag %s" % arn, client.remove_tags_from_resource, aws_retry=True, ResourceName=arn,
                    TagKeys=list(to_remove))
    result = {k: v for k, v in current.items() if k not in to_remove}
    result.update(to_add)
    return result


def list_arn_tags(client, arn):
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(aws_retry=True, ResourceName=arn).get("TagList") or [])


def older_than(first, second):
    """Whether timestamp first is before second, to the second (Secrets Manager keeps whole
    seconds); True when either is unknown, so that the caller checks."""
    if not isinstance(first, datetime.datetime) or not isinstance(second, datetime.datetime):
        return True
    if first.tzinfo is None:
        first = first.replace(tzinfo=datetime.timezone.utc)
    if second.tzinfo is None:
        second = second.replace(tzinfo=datetime.timezone.utc)
    return first.replace(microsecond=0) < second.replace(microsecond=0)


class JsonSecret:
    """A Secrets Manager secret holding a JSON document with one generated credential.

    The credential is created once and kept: it is never returned, logged or put in a diff, and
    it changes only through rotate(). The other fields (host, port, ...) are kept in step with
    the resource they describe.
    """

    def __init__(self, module, client, tracker, name, secret_field, description=None, kms_key_id=None,
                 tags=None, purge_tags=True, kind="secret"):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.name = name
        self.secret_field = secret_field
        self.description = description
        self.kms_key_id = kms_key_id
        self.tags = dict(tags or {})
        self.purge_tags = purge_tags
        self.kind = kind
        self.described = None
        self.arn = None

    def find(self):
        try:
            self.described = self.client.describe_secret(aws_retry=True, SecretId=self.name)
        except is_boto3_error_code("ResourceNotFoundException"):
            self.described = None
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(exc, msg="Could not describe secret %s" % self.name)
        self.arn = self.described["ARN"] if self.described else None
        return self.described

    @property
    def exists(self):
        return self.described is not None

    @property
    def scheduled_for_deletion(self):
        return bool(self.described and self.described.get("DeletedDate"))

    @property
    def last_changed(self):
        return (self.described or {}).get("LastChangedDate")

    def read(self):
        """The stored document; {} when the secret holds something that is not a JSON object."""
        try:
            value = self.client.get_secret_value(aws_retry=True, SecretId=self.name)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            self.module.fail_json_aws(exc, msg="Could not read secret %s" % self.name)
        try:
            document = json.loads(value.get("SecretString") or "{}")
        except ValueError:
            document = {}
        return document if isinstance(document, dict) else {}

    def restore(self):
        """A secret scheduled for deletion is restored rather than replaced: it still holds the credential."""
        if self.scheduled_for_deletion:
            self.tracker.act("restore %s %s (scheduled for deletion)" % (self.kind, self.name),
                             self.client.restore_secret, aws_retry=True, SecretId=self.name)

    def create(self, document):
        params = {"Name": self.name, "SecretString": json.dumps(document, sort_keys=True),
                  "Tags": ansible_dict_to_boto3_tag_list(self.tags)}
        if self.description:
            params["Description"] = self.description
        if self.kms_key_id:
            params["KmsKeyId"] = self.kms_key_id
        created = self.tracker.act("create %s %s" % (self.kind, self.name), self.client.create_secret,
                                   aws_retry=True, **params)
        if created:
            self.arn = created["ARN"]
        self.tracker.record("secrets", self.name, None, self.public_view(document))
        return self.arn

    def put(self, document, reason):
        self.tracker.act("update %s %s (%s)" % (self.kind, self.name, reason), self.client.put_secret_value,
                         aws_retry=True, SecretId=self.name, SecretString=json.dumps(document, sort_keys=True))

    def ensure_tags(self):
        if not self.described:
            return
        current = boto3_tag_list_to_ansible_dict(self.described.get("Tags") or [])
        to_add, to_remove = compare_aws_tags(current, self.tags, purge_tags=self.purge_tags)
        if to_add:
            self.tracker.act("tag %s %s" % (self.kind, self.name), self.client.tag_resource, aws_retry=True,
                             SecretId=self.name, Tags=ansible_dict_to_boto3_tag_list(to_add))
        if to_remove:
            self.tracker.act("untag %s %s" % (self.kind, self.name), self.client.untag_resource, aws_retry=True,
                             SecretId=self.name, TagKeys=list(to_remove))
        after = {k: v for k, v in current.items() if k not in to_remove}
        after.update(to_add)
        self.tracker.record("secret_tags", self.name, current, after)

    def public_view(self, document):
        """The document as it may be shown: the credential replaced by a marker."""
        view = {k: v for k, v in document.items() if k != self.secret_field}
        view[self.secret_field] = "(set, not shown)" if document.get(self.secret_field) else "(missing)"
        return view
