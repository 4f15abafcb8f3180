# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers shared by this collection's modules: a change tracker that guards every write with
check mode and collects a per-resource diff, tag reconciliation for EC2 resources, paginated
describes with retries, and waiters bounded by wait_timeout."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

# Right after a create, EC2 may not yet know the new id in another call (eventual consistency).
EC2_NOT_YET_VISIBLE = [
    "InvalidVpcID.NotFound",
    "InvalidSubnetID.NotFound",
    "InvalidInternetGatewayID.NotFound",
    "InvalidNatGatewayID.NotFound",
    "InvalidAllocationID.NotFound",
    "InvalidRouteTableID.NotFound",
    "InvalidGroup.NotFound",
    "Gateway.NotAttached",
]


def ec2_retry():
    """Jittered exponential backoff for throttling, 5xx and the not-yet-visible errors above."""
    return AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30, catch_extra_error_codes=EC2_NOT_YET_VISIBLE)


class ChangeTracker:
    """Collects what a module would change; runs a write only outside check mode.

    record() keeps a before/after pair per resource so that the module can return Ansible's
    diff with one entry per resource, and changed is true as soon as one pair differs or a
    write was needed.
    """

    def __init__(self, module):
        self.module = module
        self.changed = False
        self.actions = []
        self.before = {}
        self.after = {}

    def act(self, description, call, *args, **kwargs):
        self.changed = True
        self.actions.append(description)
        if self.module.check_mode:
            return None
        return call(*args, **kwargs)

    def plan(self, description):
        """A write that check mode reports but cannot even prepare, because what it acts on
        (a VPC, a subnet) would only be created by an earlier write."""
        if not self.module.check_mode:
            raise RuntimeError("a write was planned outside check mode: %s" % description)
        self.changed = True
        self.actions.append(description)

    def record(self, kind, name, before, after):
        self.before.setdefault(kind, {})[name] = before
        self.after.setdefault(kind, {})[name] = after
        if before != after:
            self.changed = True

    @property
    def diff(self):
        return {"before": self.before, "after": self.after}


def describe_all(client, operation, result_key, **params):
    """Call a describe operation with retries, following pagination when the API has it."""
    if client.can_paginate(operation):
        paginator = client.get_paginator(operation)
        return _paginate(paginator, result_key, **params)
    return getattr(client, operation)(aws_retry=True, **params).get(result_key, [])


@AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30)
def _paginate(paginator, result_key, **params):
    return paginator.paginate(**params).build_full_result().get(result_key, [])


def tags_dict(resource):
    return boto3_tag_list_to_ansible_dict(resource.get("Tags") or [])


def ensure_ec2_tags(tracker, client, resource_id, current, desired, purge_tags):
    """Bring an EC2 resource's tags to desired; return the tags it has afterwards.

    current is the resource's tag dict from the describe call already made, so this costs no
    read call. aws:* tags are never purged (compare_aws_tags leaves them).
    """
    to_add, to_remove = compare_aws_tags(current, desired, purge_tags=purge_tags)
    if resource_id and to_add:
        tracker.act("tag %s" % resource_id, client.create_tags, aws_retry=True,
                    Resources=[resource_id], Tags=ansible_dict_to_boto3_tag_list(to_add))
    if resource_id and to_remove:
        tracker.act("untag %s" % resource_id, client.delete_tags, aws_retry=True,
                    Resources=[resource_id], Tags=[{"Key": key} for key in to_remove])
    result = {k: v for k, v in current.items() if k not in to_remove}
    result.update(to_add)
    return result


def tag_specifications(resource_type, tags):
    return [{"ResourceType": resource_type, "Tags": ansible_dict_to_boto3_tag_list(tags)}]


def wait_for(module, client, waiter_name, delay=5, **params):
    """Run a boto3 waiter bounded by the module's wait_timeout; fail the module on time-out."""
    timeout = module.params.get("wait_timeout") or 600
    waiter = client.get_waiter(waiter_name)
    try:
        waiter.wait(WaiterConfig={"Delay": delay, "MaxAttempts": max(1, timeout // delay)}, **params)
    except Exception as exc:  # botocore.exceptions.WaiterError and client errors alike
        module.fail_json_aws(exc, msg="Timed out or failed waiting for %s" % waiter_name)
