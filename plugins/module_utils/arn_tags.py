# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tags of resources that are addressed by ARN (CloudWatch alarms, log groups, SNS topics, SES
and CodeDeploy resources), and the caller's account id for building such ARNs.

Each service names the parameters of TagResource, UntagResource and ListTagsForResource a little
differently; TAG_STYLES holds the differences so that one reconciliation serves them all. Like
resource.ensure_ec2_tags, only the difference is written, and aws:* tags are never purged.
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

# service -> (ARN parameter, tags parameter/result key, tag keys parameter, tags as a list of Key/Value)
TAG_STYLES = {
    "cloudwatch": ("ResourceARN", "Tags", "TagKeys", True),
    "logs": ("resourceArn", "tags", "tagKeys", False),
    "sns": ("ResourceArn", "Tags", "TagKeys", True),
    "sesv2": ("ResourceArn", "Tags", "TagKeys", True),
    "codedeploy": ("ResourceArn", "Tags", "TagKeys", True),
}


def default_retry():
    """Jittered exponential backoff for throttling and 5xx answers, the same everywhere."""
    return AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30)


def read_tags(client, service, arn):
    """Return the resource's tags as a dict (one ListTagsForResource call)."""
    arn_key, tags_key, _keys_key, as_list = TAG_STYLES[service]
    answer = client.list_tags_for_resource(aws_retry=True, **{arn_key: arn})
    tags = answer.get(tags_key) or ([] if as_list else {})
    return boto3_tag_list_to_ansible_dict(tags) if as_list else dict(tags)


def ensure_tags(tracker, client, service, arn, current, desired, purge_tags):
    """Bring the tags of the resource at arn to desired; return the tags it has afterwards.

    desired None means: do not manage tags. arn None (a resource that check mode only plans)
    records the change without a call.
    """
    if desired is None:
        return dict(current)
    arn_key, tags_key, keys_key, as_list = TAG_STYLES[service]
    to_add, to_remove = compare_aws_tags(current, desired, purge_tags=purge_tags)
    if to_add:
        value = ansible_dict_to_boto3_tag_list(to_add) if as_list else dict(to_add)
        if arn:
            tracker.act("tag %s" % arn, client.tag_resource, aws_retry=True, **{arn_key: arn, tags_key: value})
        else:
            tracker.plan("tag a new resource")
    if to_remove:
        if arn:
            tracker.act("untag %s" % arn, client.untag_resource, aws_retry=True,
                        **{arn_key: arn, keys_key: list(to_remove)})
        else:
            tracker.plan("untag a new resource")
    result = {k: v for k, v in current.items() if k not in to_remove}
    result.update(to_add)
    return result


class AccountId:
    """The caller's account id, asked of STS at most once per module run."""

    def __init__(self, module):
        self.module = module
        self._value = None

    def learn(self, arn):
        """Take the account id from an ARN already at hand, which saves the STS call."""
        if self._value is None and arn and arn.startswith("arn:") and len(arn.split(":")) > 4 and arn.split(":")[4]:
            self._value = arn.split(":")[4]

    def get(self):
        if self._value is None:
            sts = self.module.client("sts", retry_decorator=default_retry())
            try:
                self._value = sts.get_caller_identity(aws_retry=True)["Account"]
            except Exception as exc:  # botocore ClientError / BotoCoreError
                self.module.fail_json_aws(exc, msg="Could not find the account id (sts:GetCallerIdentity)")
        return self._value


def partition_of(region):
    if region and region.startswith("cn-"):
        return "aws-cn"
    if region and region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"
