#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: elasticache_replication_group_info
short_description: Describe ElastiCache replication groups with their endpoints and members
version_added: 0.2.0
description:
  - Returns one replication group by id, or every replication group of the region, with the primary
    and reader endpoints, the member clusters and their roles, and the encryption and failover settings.
  - Never returns an AUTH token (AWS does not either).
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  replication_group_id:
    description: The group to describe; every group of the region when empty.
    type: str
    aliases: [name]
  include_tags:
    description: Also read each group's tags (one more call per group).
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Where is the Redis of production?
  webstack.aws.elasticache_replication_group_info:
    replication_group_id: innobic-production-redis
  register: redis

- name: Show its primary endpoint
  ansible.builtin.debug:
    msg: "{{ redis.replication_groups[0].primary_endpoint.address }}:{{ redis.replication_groups[0].primary_endpoint.port }}"
"""

RETURN = r"""
replication_groups:
  description: The groups found; empty when the asked group does not exist.
  returned: always
  type: list
  elements: dict
  contains:
    id: {description: The id., type: str, returned: always}
    arn: {description: The ARN., type: str, returned: always}
    description: {description: The description., type: str, returned: always}
    status: {description: The status., type: str, returned: always}
    node_type: {description: The node type., type: str, returned: always}
    cluster_enabled: {description: Whether cluster mode is enabled., type: bool, returned: always}
    primary_endpoint:
      description: Address and port of the primary (cluster mode disabled).
      type: dict
      returned: always
      sample: {"address": "master.x.abcdef.apse1.cache.amazonaws.com", "port": 6379}
    reader_endpoint: {description: "Address and port of the reader endpoint, when AWS gives one.", type: dict, returned: always}
    configuration_endpoint: {description: Address and port of the configuration endpoint (cluster mode enabled)., type: dict, returned: always}
    members:
      description: Member clusters with their role, zone and read endpoint.
      type: list
      elements: dict
      returned: always
    automatic_failover: {description: "One of enabled, disabled, enabling, disabling.", type: str, returned: always}
    multi_az: {description: enabled or disabled., type: str, returned: always}
    at_rest_encryption: {description: Whether data at rest is encrypted., type: bool, returned: always}
    transit_encryption: {description: Whether TLS is required., type: bool, returned: always}
    auth_token_enabled: {description: Whether an AUTH token is set., type: bool, returned: always}
    snapshot_retention_limit: {description: Days snapshots are kept., type: int, returned: always}
    snapshot_window: {description: The daily snapshot window., type: str, returned: always}
    pending_modified_values: {description: Modifications waiting to be applied., type: dict, returned: always}
    tags: {description: The group's tags (with include_tags)., type: dict, returned: always}
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.webstack.aws.plugins.module_utils.data_tier import list_arn_tags
from ansible_collections.webstack.aws.plugins.module_utils.data_tier import retry
from ansible_collections.webstack.aws.plugins.module_utils.resource import describe_all

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing dependency


def endpoint(value):
    value = value or {}
    return {"address": value.get("Address"), "port": value.get("Port")} if value else {}


def summarise(group):
    node_groups = group.get("NodeGroups") or []
    first = node_groups[0] if node_groups else {}
    members = []
    for node_group in node_groups:
        for member in node_group.get("NodeGroupMembers", []):
            members.append({"cache_cluster_id": member.get("CacheClusterId"),
                            "node_group_id": node_group.get("NodeGroupId"),
                            "role": member.get("CurrentRole"),
                            "availability_zone": member.get("PreferredAvailabilityZone"),
                            "read_endpoint": endpoint(member.get("ReadEndpoint"))})
    return {
        "id": group["ReplicationGroupId"], "arn": group.get("ARN"), "description": group.get("Description"),
        "status": group.get("Status"), "node_type": group.get("CacheNodeType"),
        "cluster_enabled": group.get("ClusterEnabled", False),
        "primary_endpoint": endpoint(first.get("PrimaryEndpoint")),
        "reader_endpoint": endpoint(first.get("ReaderEndpoint")),
        "configuration_endpoint": endpoint(group.get("ConfigurationEndpoint")),
        "members": members,
        "automatic_failover": group.get("AutomaticFailover"), "multi_az": group.get("MultiAZ"),
        "at_rest_encryption": group.get("AtRestEncryptionEnabled", False),
        "transit_encryption": group.get("TransitEncryptionEnabled", False),
        "auth_token_enabled": group.get("AuthTokenEnabled", False),
        "snapshot_retention_limit": group.get("SnapshotRetentionLimit"),
        "snapshot_window": group.get("SnapshotWindow"),
        "pending_modified_values": group.get("PendingModifiedValues") or {},
    }


def main():
    argument_spec = dict(
        replication_group_id=dict(type="str", aliases=["name"]),
        include_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("elasticache", retry_decorator=retry())
    params = {}
    if module.params["replication_group_id"]:
        params["ReplicationGroupId"] = module.params["replication_group_id"]
    try:
        groups = describe_all(client, "describe_replication_groups", "ReplicationGroups", **params)
    except is_boto3_error_code("ReplicationGroupNotFoundFault"):
        groups = []
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:  # pylint: disable=duplicate-except
        module.fail_json_aws(exc, msg="Could not describe replication groups")
    results = []
    for group in groups:
        summary = summarise(group)
        summary["tags"] = {}
        if module.params["include_tags"] and group.get("ARN"):
            try:
                summary["tags"] = list_arn_tags(client, group["ARN"])
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
                module.fail_json_aws(exc, msg="Could not read the tags of %s" % group["ARN"])
        results.append(summary)
    module.exit_json(changed=False, replication_groups=results)


if __name__ == "__main__":
    main()
