#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: elasticache_replication_group
short_description: Converge an ElastiCache (Redis OSS or Valkey) replication group with its subnet group and AUTH secret
version_added: 0.2.0
description:
  - Creates, updates or deletes a cluster-mode-disabled ElastiCache replication group (a primary and
    O(replicas) read replicas), its cache subnet group, and, with in-transit encryption, a Secrets
    Manager secret that holds its AUTH token, in one invocation.
  - The AUTH token is generated when the secret does not exist yet, stored only in the secret (a JSON
    document with C(auth_token), C(host), C(port), C(tls)) and never returned, logged or shown in a
    diff. It changes only with O(rotate_auth_token=true) (AUTH token strategy C(ROTATE), so the old
    token keeps working until the next rotation).
  - The replicas are asked for with C(ReplicasPerNodeGroup) in the single node group (shard) of a
    cluster-mode-disabled group, which AWS documents for both cluster modes.
  - Settings that live on the member clusters (engine version, maintenance window, parameter group,
    security groups) are read from the first member; a key missing from a describe answer counts as
    unknown, not as a change. A converged re-run makes five read calls (group, its tags, a member,
    the subnet group and its tags) plus one for the secret.
  - Unlike M(community.aws.elasticache), which manages single cache clusters and fails on re-run when
    the answer has no C(CacheNodes), this module manages replication groups with automatic failover
    and Multi-AZ.
  - Modifications are applied in the next maintenance window unless O(apply_immediately=true).
    Changing the replica count always applies immediately (AWS requires it).
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  replication_group_id:
    description: The replication group's id (1-40 lowercase letters, digits and hyphens).
    type: str
    required: true
    aliases: [name]
  description:
    description: The replication group's description.
    type: str
  state:
    description: V(present) creates or updates; V(absent) deletes the group (with a final snapshot) and its subnet group.
    type: str
    choices: [present, absent]
    default: present
  engine:
    description: The engine. It cannot change here.
    type: str
    choices: [redis, valkey]
    default: redis
  engine_version:
    description:
      - The engine version, for example C(7.0) or C(7.1). A running newer patch of it is left alone;
        the module never downgrades.
    type: str
  node_type:
    description: The node type, C(cache.<family>.<size>).
    type: str
    default: cache.t3.micro
  replicas:
    description: Read replicas besides the primary (0-5).
    type: int
    default: 1
  automatic_failover:
    description: Promote a replica when the primary fails (needs a replica).
    type: bool
    default: true
  multi_az:
    description: Place the replicas in other availability zones than the primary (needs automatic failover).
    type: bool
    default: true
  port:
    description: The port the nodes listen on. It cannot change.
    type: int
    default: 6379
  at_rest_encryption:
    description: Encrypt data at rest. It cannot change on an existing group.
    type: bool
    default: true
  kms_key_id:
    description: The KMS key for at-rest encryption; the service key when empty.
    type: str
  transit_encryption:
    description: Require TLS to the nodes. It cannot change here on an existing group.
    type: bool
    default: true
  auth_token_secret:
    description:
      - The Secrets Manager secret that holds the AUTH token. With O(transit_encryption=true) the group
        gets an AUTH token from it (generated when absent); without in-transit encryption AWS takes no
        AUTH token and this is ignored.
    type: dict
    suboptions:
      name:
        description: The secret's name, for example C(innobic/production/redis).
        type: str
        required: true
      description:
        description: Its description.
        type: str
      kms_key_id:
        description: The KMS key that encrypts the secret.
        type: str
  rotate_auth_token:
    description: Generate a new AUTH token, set it on the group (immediately) and store it. A one-off.
    type: bool
    default: false
  parameter_group_name:
    description: The cache parameter group; the engine's default group when empty.
    type: str
  subnet_group:
    description: The cache subnet group, created or updated with the group.
    type: dict
    suboptions:
      name:
        description: The subnet group's name.
        type: str
        required: true
      description:
        description: Its description.
        type: str
      subnet_ids:
        description: The subnets (one per availability zone the nodes may use).
        type: list
        elements: str
        required: true
  security_group_ids:
    description: The VPC security groups of the nodes.
    type: list
    elements: str
    default: []
  snapshot_retention_limit:
    description: Days automatic snapshots are kept (0 turns them off).
    type: int
    default: 5
  snapshot_window:
    description: The daily snapshot window, C(hh24:mi-hh24:mi) in UTC.
    type: str
    default: "03:00-05:00"
  preferred_maintenance_window:
    description: The weekly maintenance window, C(ddd:hh24:mi-ddd:hh24:mi) in UTC; must not overlap the snapshot window.
    type: str
    default: "sun:05:00-sun:06:00"
  auto_minor_version_upgrade:
    description: Let ElastiCache apply minor engine upgrades.
    type: bool
    default: true
  apply_immediately:
    description: Apply modifications now rather than in the next maintenance window.
    type: bool
    default: false
  skip_final_snapshot:
    description: With O(state=absent), delete without a final snapshot.
    type: bool
    default: false
  final_snapshot_identifier:
    description: The final snapshot's name; C(<id>-final-<UTC timestamp>) when empty.
    type: str
  wait:
    description: Wait for the group to become available (or deleted) before returning.
    type: bool
    default: true
  wait_timeout:
    description: How many seconds to wait at most.
    type: int
    default: 1800
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The Redis of the Laravel guide (seed 000)
  webstack.aws.elasticache_replication_group:
    replication_group_id: innobic-production-redis
    description: Redis of innobic production
    engine_version: "7.0"
    node_type: cache.t3.micro
    replicas: 1
    automatic_failover: true
    multi_az: true
    at_rest_encryption: true
    transit_encryption: true
    auth_token_secret:
      name: innobic/production/redis
    parameter_group_name: innobic-production-redis7
    subnet_group:
      name: innobic-production-cache
      subnet_ids: [subnet-0aaaaaaaaaaaaaaaa, subnet-0bbbbbbbbbbbbbbbb]
    security_group_ids: [sg-0123456789abcdef0]
    snapshot_retention_limit: 5
    snapshot_window: "03:00-05:00"
    preferred_maintenance_window: "sun:05:00-sun:06:00"
    tags:
      Project: innobic
      Environment: production
  register: redis

- name: Delete it with a final snapshot
  webstack.aws.elasticache_replication_group:
    replication_group_id: innobic-production-redis
    state: absent
"""

RETURN = r"""
replication_group:
  description: The group as it is (or, in check mode, would be) after the run; empty once deleted.
  returned: always
  type: dict
  contains:
    id: {description: The replication group id., type: str, returned: success}
    arn: {description: Its ARN (null in check mode for a new group)., type: str, returned: success}
    status: {description: Its status., type: str, returned: success}
    node_type: {description: The node type., type: str, returned: success}
    members: {description: The member clusters with their roles and zones., type: list, elements: dict, returned: success}
    automatic_failover: {description: Whether failover is automatic., type: bool, returned: success}
    multi_az: {description: Whether replicas are in other zones., type: bool, returned: success}
    at_rest_encryption: {description: Whether data at rest is encrypted., type: bool, returned: success}
    transit_encryption: {description: Whether TLS is required., type: bool, returned: success}
    auth_token_enabled: {description: Whether an AUTH token is set., type: bool, returned: success}
primary_endpoint:
  description: The primary endpoint's address; null until AWS has assigned it.
  returned: always
  type: str
  sample: master.innobic-production-redis.abcdef.apse1.cache.amazonaws.com
reader_endpoint:
  description: The reader endpoint's address, when AWS gives one.
  returned: always
  type: str
port:
  description: The port.
  returned: always
  type: int
  sample: 6379
secret_arn:
  description: The ARN of the secret with the AUTH token (null without in-transit encryption or in check mode before it exists).
  returned: always
  type: str
subnet_group_name:
  description: The cache subnet group.
  returned: always
  type: str
pending_modified_values:
  description: Modifications waiting for the maintenance window.
  returned: always
  type: dict
final_snapshot_identifier:
  description: The final snapshot taken when the group was deleted.
  returned: when state=absent and a snapshot was taken
  type: str
actions:
  description: The writes made (or, in check mode, that would be made), in order.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from ansible_collections.webstack.aws.plugins.module_utils.cache_spec import node_type_errors
from ansible_collections.webstack.aws.plugins.module_utils.cache_spec import topology_errors
from ansible_collections.webstack.aws.plugins.module_utils.data_tier import UNKNOWN
from ansible_collections.webstack.aws.plugins.module_utils.data_tier import JsonSecret
from ansible_collections.webstack.aws.plugins.module_utils.data_tier import answer
from ansible_collections.webstack.aws.plugins.module_utils.data_tier import ensure_arn_tags
from ansible_collections.webstack.aws.plugins.module_utils.data_tier import final_snapshot_name
from ansible_collections.webstack.aws.plugins.module_utils.data_tier import generate_credential
from ansible_collections.webstack.aws.plugins.module_utils.data_tier import list_arn_tags
from ansible_collections.webstack.aws.plugins.module_utils.data_tier import older_than
from ansible_collections.webstack.aws.plugins.module_utils.data_tier import retry
from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker
from ansible_collections.webstack.aws.plugins.module_utils.resource import wait_for
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import id_list_errors
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import identifier_errors
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import version_satisfied
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import window_errors

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing dependency

STATE_ERRORS = ["InvalidReplicationGroupState", "InvalidCacheClusterState"]
BUSY_STATES = ("creating", "modifying", "snapshotting")
TOKEN_LENGTH = 64


def enabled(value):
    """ElastiCache answers enabled/disabled/enabling/disabling where the request took a boolean."""
    if value is UNKNOWN:
        return UNKNOWN
    return value in ("enabled", "enabling")


class SubnetGroupManager:
    def __init__(self, module, client, tracker, tags):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.tags = tags
        self.spec = module.params["subnet_group"]

    def find(self):
        if not self.spec:
            return None
        try:
            groups = self.client.describe_cache_subnet_groups(aws_retry=True, CacheSubnetGroupName=self.spec["name"])
        except is_boto3_error_code("CacheSubnetGroupNotFoundFault"):
            return None
        return (groups.get("CacheSubnetGroups") or [None])[0]

    def ensure(self, group):
        if not self.spec:
            return None
        name = self.spec["name"]
        description = self.spec["description"] or "Subnets of %s" % self.module.params["replication_group_id"]
        wanted = {"description": description, "subnet_ids": sorted(self.spec["subnet_ids"]), "tags": self.tags}
        if group is None:
            self.tracker.act("create cache subnet group %s" % name, self.client.create_cache_subnet_group,
                             aws_retry=True, CacheSubnetGroupName=name, CacheSubnetGroupDescription=description,
                             SubnetIds=self.spec["subnet_ids"], Tags=ansible_dict_to_boto3_tag_list(self.tags))
            self.tracker.record("subnet_group", name, None, wanted)
            return name
        current_ids = sorted(s["SubnetIdentifier"] for s in group.get("Subnets", []))
        current = {"description": group.get("CacheSubnetGroupDescription"), "subnet_ids": current_ids}
        arn = group.get("ARN")
        current["tags"] = list_arn_tags(self.client, arn) if arn else {}
        if current_ids != wanted["subnet_ids"] or current["description"] != description:
            self.tracker.act("update cache subnet group %s" % name, self.client.modify_cache_subnet_group,
                             aws_retry=True, CacheSubnetGroupName=name, CacheSubnetGroupDescription=description,
                             SubnetIds=self.spec["subnet_ids"])
        if arn:
            wanted["tags"] = ensure_arn_tags(self.tracker, self.client, arn, current["tags"], self.tags,
                                             self.module.params["purge_tags"])
        else:
            wanted["tags"] = current["tags"]
        self.tracker.record("subnet_group", name, current, wanted)
        return name

    def delete(self):
        if not self.spec or self.find() is None:
            return
        self.tracker.act("delete cache subnet group %s" % self.spec["name"], self.client.delete_cache_subnet_group,
                         aws_retry=True, CacheSubnetGroupName=self.spec["name"])
        self.tracker.record("subnet_group", self.spec["name"], {"name": self.spec["name"]}, None)


class ReplicationGroupManager:
    def __init__(self, module, client, tracker, tags):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.tags = tags
        self.id = module.params["replication_group_id"]

    def find(self):
        try:
            groups = self.client.describe_replication_groups(aws_retry=True, ReplicationGroupId=self.id)
        except is_boto3_error_code("ReplicationGroupNotFoundFault"):
            return None
        return (groups.get("ReplicationGroups") or [None])[0]

    def member(self, group):
        """The first member cluster, which carries the settings the group's answer lacks; None if unknown."""
        members = group.get("MemberClusters") or []
        if not members:
            return None
        try:
            clusters = self.client.describe_cache_clusters(aws_retry=True, CacheClusterId=members[0])
        except is_boto3_error_code("CacheClusterNotFound"):
            return None
        return (clusters.get("CacheClusters") or [None])[0]

    def wait_available(self):
        if self.module.params["wait"] and not self.module.check_mode:
            wait_for(self.module, self.client, "replication_group_available", delay=15, ReplicationGroupId=self.id)
            return self.find()
        return None

    def description(self):
        return self.module.params["description"] or "%s of %s" % (self.module.params["engine"], self.id)

    def comparable(self):
        """option -> (where, describe path, modify key, desired value); where is group or member."""
        params = self.module.params
        fields = {
            "description": ("group", ("Description",), "ReplicationGroupDescription", self.description()),
            "node_type": ("group", ("CacheNodeType",), "CacheNodeType", params["node_type"]),
            "automatic_failover": ("group", ("AutomaticFailover",), "AutomaticFailoverEnabled",
                                   params["automatic_failover"]),
            "multi_az": ("group", ("MultiAZ",), "MultiAZEnabled", params["multi_az"]),
            "snapshot_retention_limit": ("group", ("SnapshotRetentionLimit",), "SnapshotRetentionLimit",
                                         params["snapshot_retention_limit"]),
            "snapshot_window": ("group", ("SnapshotWindow",), "SnapshotWindow", params["snapshot_window"]),
            "preferred_maintenance_window": ("member", ("PreferredMaintenanceWindow",), "PreferredMaintenanceWindow",
                                             params["preferred_maintenance_window"].lower()),
            "security_group_ids": ("member", ("SecurityGroups",), "SecurityGroupIds",
                                   sorted(params["security_group_ids"])),
            "auto_minor_version_upgrade": ("member", ("AutoMinorVersionUpgrade",), "AutoMinorVersionUpgrade",
                                           params["auto_minor_version_upgrade"]),
        }
        if params["parameter_group_name"]:
            fields["parameter_group_name"] = ("member", ("CacheParameterGroup", "CacheParameterGroupName"),
                                              "CacheParameterGroupName", params["parameter_group_name"])
        return fields

    def create(self, token):
        params = self.module.params
        request = {
            "ReplicationGroupId": self.id, "ReplicationGroupDescription": self.description(),
            "Engine": params["engine"], "CacheNodeType": params["node_type"],
            "ReplicasPerNodeGroup": params["replicas"],
            "AutomaticFailoverEnabled": params["automatic_failover"], "MultiAZEnabled": params["multi_az"],
            "AtRestEncryptionEnabled": params["at_rest_encryption"],
            "TransitEncryptionEnabled": params["transit_encryption"], "Port": params["port"],
            "SecurityGroupIds": params["security_group_ids"],
            "SnapshotRetentionLimit": params["snapshot_retention_limit"], "SnapshotWindow": params["snapshot_window"],
            "PreferredMaintenanceWindow": params["preferred_maintenance_window"].lower(),
            "AutoMinorVersionUpgrade": params["auto_minor_version_upgrade"],
            "Tags": ansible_dict_to_boto3_tag_list(self.tags),
        }
        optional = {"EngineVersion": params["engine_version"], "KmsKeyId": params["kms_key_id"],
                    "CacheParameterGroupName": params["parameter_group_name"],
                    "CacheSubnetGroupName": (params["subnet_group"] or {}).get("name"), "AuthToken": token}
        request.update({k: v for k, v in optional.items() if v})
        self.tracker.act("create replication group %s (%s %s, %s, %d replica%s)"
                         % (self.id, params["engine"], params["engine_version"] or "default version",
                            params["node_type"], params["replicas"], "" if params["replicas"] == 1 else "s"),
                         self.client.create_replication_group, aws_retry=True, **request)
        wanted = {k: v[3] for k, v in self.comparable().items()}
        wanted.update(replicas=params["replicas"], at_rest_encryption=params["at_rest_encryption"],
                      transit_encryption=params["transit_encryption"], engine_version=params["engine_version"],
                      tags=self.tags)
        self.tracker.record("replication_group", self.id, None, wanted)
        return self.wait_available()

    def fail_on_immutable(self, group, member):
        params = self.module.params
        errors = []
        checks = (
            ("at_rest_encryption", answer(group, "AtRestEncryptionEnabled"), params["at_rest_encryption"]),
            ("transit_encryption", answer(group, "TransitEncryptionEnabled"), params["transit_encryption"]),
            ("port", answer(group, "NodeGroups", 0, "PrimaryEndpoint", "Port"), params["port"]),
            ("engine", answer(group, "Engine"), params["engine"]),
            ("subnet_group.name", answer(member or {}, "CacheSubnetGroupName"),
             (params["subnet_group"] or {}).get("name") or UNKNOWN),
        )
        for option, actual, wanted in checks:
            if actual is not UNKNOWN and wanted is not UNKNOWN and actual != wanted:
                errors.append("%s: replication group %s has %s, not %s; it cannot change on an existing group"
                              % (option, self.id, actual, wanted))
        if params["kms_key_id"] and group.get("KmsKeyId") and not group["KmsKeyId"].endswith(params["kms_key_id"]):
            errors.append("kms_key_id: replication group %s is encrypted with %s; the key cannot change"
                          % (self.id, group["KmsKeyId"]))
        if errors:
            self.module.fail_json(msg="; ".join(errors), errors=errors)

    def current_view(self, group, member):
        pending = dict((member or {}).get("PendingModifiedValues") or {})
        view = {}
        for option, (where, path, _key, _value) in self.comparable().items():
            source = group if where == "group" else (member or {})
            value = answer(source, *path)
            if option == "node_type" and pending.get("CacheNodeType"):
                value = pending["CacheNodeType"]
            if option in ("automatic_failover", "multi_az"):
                value = enabled(value)
            if option == "security_group_ids" and value is not UNKNOWN:
                value = sorted(g["SecurityGroupId"] for g in value if g.get("Status", "active") != "removing")
            if option == "preferred_maintenance_window" and value is not UNKNOWN:
                value = value.lower()
            view[option] = value
        return view

    def update(self, group, member):
        params = self.module.params
        self.fail_on_immutable(group, member)
        fields = self.comparable()
        current = self.current_view(group, member)
        changes = {}
        for option, (_where, _path, modify_key, value) in fields.items():
            if current[option] is not UNKNOWN and current[option] != value:
                changes[modify_key] = value
        version = answer(member or {}, "EngineVersion")
        pending_version = ((member or {}).get("PendingModifiedValues") or {}).get("EngineVersion")
        if params["engine_version"] and version is not UNKNOWN \
                and not version_satisfied(pending_version or version, params["engine_version"]):
            changes["EngineVersion"] = params["engine_version"]
        members = answer(group, "NodeGroups", 0, "NodeGroupMembers")
        replicas = len(members) - 1 if members is not UNKNOWN else UNKNOWN
        replica_change = replicas is not UNKNOWN and replicas != params["replicas"]
        if (changes or replica_change) and group.get("Status") in BUSY_STATES \
                and params["wait"] and not self.module.check_mode:
            group = self.wait_available() or group
        if replica_change:
            adding = params["replicas"] > replicas
            self.tracker.act("%s replicas of %s from %d to %d" % ("add" if adding else "remove", self.id, replicas,
                                                                  params["replicas"]),
                             self.client.increase_replica_count if adding else self.client.decrease_replica_count,
                             aws_retry=True, ReplicationGroupId=self.id, NewReplicaCount=params["replicas"],
                             ApplyImmediately=True)
            if params["wait"] and not self.module.check_mode and changes:
                group = self.wait_available() or group
        if changes:
            self.tracker.act("modify replication group %s (%s)%s"
                             % (self.id, ", ".join(sorted(changes)),
                                "" if params["apply_immediately"] else " in the next maintenance window"),
                             self.client.modify_replication_group, aws_retry=True, ReplicationGroupId=self.id,
                             ApplyImmediately=params["apply_immediately"], **changes)
        before = {k: v for k, v in current.items() if v is not UNKNOWN}
        after = dict(before)
        for option, (_where, _path, modify_key, value) in fields.items():
            if modify_key in changes:
                after[option] = value
        if replicas is not UNKNOWN:
            before["replicas"] = replicas
            after["replicas"] = params["replicas"]
        if version is not UNKNOWN:
            before["engine_version"] = version
            after["engine_version"] = changes.get("EngineVersion", version)
        tags_before = list_arn_tags(self.client, group["ARN"])
        before["tags"] = tags_before
        after["tags"] = ensure_arn_tags(self.tracker, self.client, group["ARN"], tags_before, self.tags,
                                        params["purge_tags"])
        self.tracker.record("replication_group", self.id, before, after)
        if (changes or replica_change) and not self.module.check_mode:
            if params["wait"] and (params["apply_immediately"] or replica_change):
                return self.wait_available() or group
            return self.find() or group
        return group

    def set_token(self, token, reason):
        self.tracker.act("set the AUTH token of %s (%s)" % (self.id, reason), self.client.modify_replication_group,
                         aws_retry=True, ReplicationGroupId=self.id, AuthToken=token,
                         AuthTokenUpdateStrategy="ROTATE", ApplyImmediately=True)

    def delete(self, group):
        params = self.module.params
        if group.get("Status") == "deleting":
            if params["wait"] and not self.module.check_mode:
                wait_for(self.module, self.client, "replication_group_deleted", delay=15, ReplicationGroupId=self.id)
            return None
        request = {"ReplicationGroupId": self.id}
        snapshot = None
        if not params["skip_final_snapshot"]:
            snapshot = params["final_snapshot_identifier"] or final_snapshot_name(self.id)
            request["FinalSnapshotIdentifier"] = snapshot
        self.tracker.act("delete replication group %s (%s)" % (self.id, "final snapshot %s" % snapshot if snapshot
                                                               else "no final snapshot"),
                         self.client.delete_replication_group, aws_retry=True, **request)
        self.tracker.record("replication_group", self.id, {"status": group.get("Status")}, None)
        if params["wait"] and not self.module.check_mode:
            wait_for(self.module, self.client, "replication_group_deleted", delay=15, ReplicationGroupId=self.id)
        return snapshot


class CacheTier:
    """Converges (or removes) the subnet group, the replication group and its AUTH secret."""

    def __init__(self, module):
        self.module = module
        self.tracker = ChangeTracker(module)
        self.tags = dict(module.params.get("tags") or {})
        self.client = module.client("elasticache", retry_decorator=retry(STATE_ERRORS))
        self.subnet_group = SubnetGroupManager(module, self.client, self.tracker, self.tags)
        self.group = ReplicationGroupManager(module, self.client, self.tracker, self.tags)
        spec = module.params["auth_token_secret"]
        self.secret = None
        if spec and module.params["transit_encryption"]:
            self.secret = JsonSecret(module, module.client("secretsmanager", retry_decorator=retry()), self.tracker,
                                     spec["name"], "auth_token",
                                     description=spec["description"] or "AUTH token of %s" % self.group.id,
                                     kms_key_id=spec["kms_key_id"], tags=self.tags,
                                     purge_tags=module.params["purge_tags"], kind="secret")

    def document(self, token, group):
        endpoint = answer(group or {}, "NodeGroups", 0, "PrimaryEndpoint")
        endpoint = endpoint if endpoint is not UNKNOWN else {}
        return {"auth_token": token, "host": endpoint.get("Address") or "",
                "port": endpoint.get("Port") or self.module.params["port"], "tls": True}

    def present(self):
        group = self.group.find()
        if self.secret:
            self.secret.find()
        subnet_group = self.subnet_group.ensure(self.subnet_group.find())
        if group is None:
            group = self._create()
        else:
            if group.get("Status") in ("deleting", "create-failed"):
                self.module.fail_json(msg="replication_group_id: %s is %s; run again once it is gone"
                                      % (self.group.id, group["Status"]))
            group = self.group.update(group, self.group.member(group))
            self._sync_secret(group)
        return self._result(group, subnet_group)

    def _create(self):
        token = None
        if self.secret:
            if self.module.check_mode:
                if not self.secret.exists:
                    self.tracker.plan("create secret %s with a generated AUTH token" % self.secret.name)
                return self.group.create(None)
            self.secret.restore()
            if self.secret.exists:
                document = self.secret.read()
                token = document.get("auth_token") or generate_credential(TOKEN_LENGTH)
                if not document.get("auth_token"):
                    self.secret.put(self.document(token, None), "no AUTH token in it")
                self.secret.ensure_tags()
            else:
                token = generate_credential(TOKEN_LENGTH)
                self.secret.create(self.document(token, None))
        group = self.group.create(token)
        if self.secret and group and answer(group, "NodeGroups", 0, "PrimaryEndpoint", "Address") is not UNKNOWN:
            self.secret.put(self.document(token, group), "address of the new replication group")
        return group

    def _sync_secret(self, group):
        if not self.secret:
            return
        if not self.secret.exists:
            if self.module.check_mode:
                self.tracker.plan("create secret %s and set a new AUTH token on %s" % (self.secret.name, self.group.id))
                return
            token = generate_credential(TOKEN_LENGTH)
            self.secret.create(self.document(token, group))
            self.group.set_token(token, "its secret %s did not exist" % self.secret.name)
            return
        self.secret.restore()
        self.secret.ensure_tags()
        if self.module.params["rotate_auth_token"]:
            if self.module.check_mode:
                self.tracker.plan("rotate the AUTH token of %s" % self.group.id)
                return
            document = self.secret.read()
            token = generate_credential(TOKEN_LENGTH)
            self.group.set_token(token, "rotation asked for")
            document.update(self.document(token, group))
            self.secret.put(document, "rotated AUTH token")
            return
        if answer(group, "NodeGroups", 0, "PrimaryEndpoint", "Address") is UNKNOWN:
            return
        if not older_than(self.secret.last_changed, group.get("ReplicationGroupCreateTime")):
            return
        document = self.secret.read()
        wanted = self.document(document.get("auth_token") or "", group)
        stale = sorted(k for k in ("host", "port", "tls") if document.get(k) != wanted[k])
        if stale:
            before = self.secret.public_view(document)
            document.update({k: wanted[k] for k in stale})
            self.secret.put(document, "%s changed" % ", ".join(stale))
            self.tracker.record("secrets", self.secret.name, before, self.secret.public_view(document))

    def absent(self):
        group = self.group.find()
        snapshot = None
        gone = True
        if group is not None:
            snapshot = self.group.delete(group)
            gone = self.module.params["wait"] and not self.module.check_mode
        if gone:
            self.subnet_group.delete()
        elif group is not None and not self.module.check_mode:
            self.module.warn("The subnet group is kept until %s is deleted; run again with wait=true to remove it"
                             % self.group.id)
        if self.secret:
            self.secret.find()
        result = self._result(None, None)
        if snapshot:
            result["final_snapshot_identifier"] = snapshot
        return result

    def _result(self, group, subnet_group):
        params = self.module.params
        group = group or {}
        present = params["state"] == "present"
        node_group = (group.get("NodeGroups") or [{}])[0]
        primary = node_group.get("PrimaryEndpoint") or {}
        reader = node_group.get("ReaderEndpoint") or {}
        summary = {}
        if present:
            summary = {
                "id": self.group.id, "arn": group.get("ARN"),
                "status": group.get("Status") or ("creating" if self.module.check_mode else None),
                "node_type": group.get("CacheNodeType", params["node_type"]),
                "members": [{"cache_cluster_id": m.get("CacheClusterId"), "role": m.get("CurrentRole"),
                             "availability_zone": m.get("PreferredAvailabilityZone")}
                            for m in node_group.get("NodeGroupMembers", [])],
                "automatic_failover": enabled(group["AutomaticFailover"]) if "AutomaticFailover" in group
                else params["automatic_failover"],
                "multi_az": enabled(group["MultiAZ"]) if "MultiAZ" in group else params["multi_az"],
                "at_rest_encryption": group.get("AtRestEncryptionEnabled", params["at_rest_encryption"]),
                "transit_encryption": group.get("TransitEncryptionEnabled", params["transit_encryption"]),
                "auth_token_enabled": group.get("AuthTokenEnabled", bool(self.secret)),
            }
        return {
            "changed": self.tracker.changed,
            "replication_group": summary,
            "primary_endpoint": primary.get("Address"),
            "reader_endpoint": reader.get("Address"),
            "port": primary.get("Port") or params["port"],
            "secret_arn": self.secret.arn if self.secret else None,
            "subnet_group_name": subnet_group if present else None,
            "pending_modified_values": group.get("PendingModifiedValues") or {},
            "actions": self.tracker.actions,
            "diff": self.tracker.diff,
        }


def validate(module):
    """Fail before any API call when the inputs cannot work."""
    params = module.params
    errors = identifier_errors("replication_group_id", params["replication_group_id"], 40)
    if params["state"] == "present":
        errors += node_type_errors("node_type", params["node_type"])
        errors += topology_errors({"replicas": "replicas", "automatic_failover": "automatic_failover",
                                   "multi_az": "multi_az"}, params["replicas"], params["automatic_failover"],
                                  params["multi_az"])
        if not 0 <= params["snapshot_retention_limit"] <= 35:
            errors.append("snapshot_retention_limit: %s is out of range (0-35)" % params["snapshot_retention_limit"])
        errors += window_errors("snapshot_window", params["snapshot_window"], "preferred_maintenance_window",
                                params["preferred_maintenance_window"], daily_min=60, weekly_min=60)
        if not 1 <= params["port"] <= 65535:
            errors.append("port: %s is out of range (1-65535)" % params["port"])
        errors += id_list_errors("security_group_ids", params["security_group_ids"], "sg", minimum=0)
        if params["subnet_group"]:
            errors += id_list_errors("subnet_group.subnet_ids", params["subnet_group"]["subnet_ids"], "subnet")
        if params["kms_key_id"] and not params["at_rest_encryption"]:
            errors.append("kms_key_id: a KMS key needs at_rest_encryption=true")
        if params["rotate_auth_token"] and not (params["transit_encryption"] and params["auth_token_secret"]):
            errors.append("rotate_auth_token: needs transit_encryption=true and auth_token_secret")
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)


def main():
    argument_spec = dict(
        replication_group_id=dict(type="str", required=True, aliases=["name"]),
        description=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        engine=dict(type="str", choices=["redis", "valkey"], default="redis"),
        engine_version=dict(type="str"),
        node_type=dict(type="str", default="cache.t3.micro"),
        replicas=dict(type="int", default=1),
        automatic_failover=dict(type="bool", default=True),
        multi_az=dict(type="bool", default=True),
        port=dict(type="int", default=6379),
        at_rest_encryption=dict(type="bool", default=True),
        kms_key_id=dict(type="str"),
        transit_encryption=dict(type="bool", default=True),
        auth_token_secret=dict(type="dict", no_log=False, options=dict(
            name=dict(type="str", required=True),
            description=dict(type="str"),
            kms_key_id=dict(type="str"),
        )),
        rotate_auth_token=dict(type="bool", default=False),
        parameter_group_name=dict(type="str"),
        subnet_group=dict(type="dict", options=dict(
            name=dict(type="str", required=True),
            description=dict(type="str"),
            subnet_ids=dict(type="list", elements="str", required=True),
        )),
        security_group_ids=dict(type="list", elements="str", default=[]),
        snapshot_retention_limit=dict(type="int", default=5),
        snapshot_window=dict(type="str", default="03:00-05:00"),
        preferred_maintenance_window=dict(type="str", default="sun:05:00-sun:06:00"),
        auto_minor_version_upgrade=dict(type="bool", default=True),
        apply_immediately=dict(type="bool", default=False),
        skip_final_snapshot=dict(type="bool", default=False),
        final_snapshot_identifier=dict(type="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    tier = CacheTier(module)
    try:
        result = tier.present() if module.params["state"] == "present" else tier.absent()
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        module.fail_json_aws(exc, msg="Replication group %s" % module.params["replication_group_id"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
