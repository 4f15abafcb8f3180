#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: rds_database
short_description: Converge an RDS database (subnet group, parameter group, instance, master secret) in one call
version_added: 0.2.0
description:
  - Creates, updates or deletes an RDS DB instance (MySQL, MariaDB or PostgreSQL) together with its DB
    subnet group, its DB parameter group and a Secrets Manager secret that holds the master
    credentials, in one invocation.
  - The master password is generated when the secret does not exist yet, stored only in the secret
    (a JSON document with C(username), C(password), C(host), C(port), C(dbname), C(engine)), and never
    returned, logged or shown in a diff. It is changed only with O(rotate_master_password=true). The
    secret is created before the instance, so an interrupted run never loses the password; the
    instance's address is written into it once known.
  - Unlike M(amazon.aws.rds_instance) and M(amazon.aws.rds_instance_param_group), a key that is missing
    from a describe answer counts as unknown rather than as a change, so a re-run against a partial
    implementation of the API neither fails nor reports a change; every key that AWS returns is
    compared, so real drift is still found and repaired.
  - A converged re-run makes one describe call for the instance, two for the subnet group (the group
    and its tags), three for the parameter group (the group, its user-set parameters and its tags)
    and one for the secret.
  - gp3 storage below 400 GiB runs at the fixed baseline of 3000 IOPS and 125 MiB/s; RDS refuses
    explicit values there, so the module sends none and only checks that O(iops) and
    O(storage_throughput) agree with the baseline.
  - Modifications are applied in the next maintenance window unless O(apply_immediately=true);
    values waiting for the window are returned in RV(pending_modified_values) and count as already
    asked for on later runs.
  - With O(state=absent) the instance is deleted with a final snapshot named
    C(<name>-final-<UTC timestamp>) unless O(skip_final_snapshot=true); the subnet group and the
    parameter group follow once the instance is gone. The secret is kept, because the final
    snapshot restores with the same master credentials.
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  name:
    description: The DB instance identifier.
    type: str
    required: true
    aliases: [db_instance_identifier]
  state:
    description: V(present) creates or updates; V(absent) deletes the instance (with a final snapshot), then its groups.
    type: str
    choices: [present, absent]
    default: present
  engine:
    description: The database engine. It cannot change on an existing instance.
    type: str
    choices: [mysql, mariadb, postgres]
    default: mysql
  engine_version:
    description:
      - The engine version, for example C(8.0.35) or C(16.4). A running version that is a newer
        patch of it (an automatic minor upgrade) is left alone; the module never downgrades.
    type: str
  instance_class:
    description: The instance class, C(db.<family>.<size>).
    type: str
    default: db.t3.medium
  allocated_storage:
    description: Storage in GiB (20-65536). Storage can grow but never shrink.
    type: int
    default: 100
  storage_type:
    description: The storage type.
    type: str
    choices: [gp2, gp3, io1, io2]
    default: gp3
  iops:
    description:
      - Provisioned IOPS, for io1/io2 and for gp3 from 400 GiB. Below 400 GiB gp3 has a fixed baseline
        of 3000; leave this empty or give 3000.
    type: int
  storage_throughput:
    description:
      - Storage throughput in MiB/s, for gp3 from 400 GiB. Below 400 GiB gp3 has a fixed baseline of
        125; leave this empty or give 125.
    type: int
  storage_encrypted:
    description: Encrypt the storage. It cannot change on an existing instance.
    type: bool
    default: true
  kms_key_id:
    description: The KMS key for storage encryption; the account's default RDS key when empty.
    type: str
  multi_az:
    description: Keep a synchronous standby in another availability zone.
    type: bool
    default: true
  publicly_accessible:
    description: Give the instance a public address.
    type: bool
    default: false
  port:
    description: The port the database listens on; the engine's default when empty (3306 or 5432).
    type: int
  db_name:
    description: The database created with the instance. It cannot change afterwards.
    type: str
  master_username:
    description: The master user name. It cannot change afterwards.
    type: str
    default: admin
  backup_retention_period:
    description: Days of automated backups (0-35).
    type: int
    default: 7
  preferred_backup_window:
    description: The daily backup window, C(hh24:mi-hh24:mi) in UTC.
    type: str
    default: "03:00-04:00"
  preferred_maintenance_window:
    description: The weekly maintenance window, C(ddd:hh24:mi-ddd:hh24:mi) in UTC; must not overlap the backup window.
    type: str
    default: "sun:04:00-sun:05:00"
  deletion_protection:
    description:
      - Refuse deletion. With O(state=absent), V(false) turns protection off before deleting; when
        protection is on and this is not V(false), the module fails instead of deleting.
    type: bool
  copy_tags_to_snapshot:
    description: Copy the instance's tags to its snapshots.
    type: bool
    default: true
  auto_minor_version_upgrade:
    description: Let RDS apply minor engine upgrades in the maintenance window.
    type: bool
    default: true
  vpc_security_group_ids:
    description: The VPC security groups of the instance.
    type: list
    elements: str
    default: []
  subnet_group:
    description: The DB subnet group, created or updated with the instance.
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
        description: Subnets in at least two availability zones.
        type: list
        elements: str
        required: true
  parameter_group:
    description:
      - The DB parameter group, created or updated with the instance. Parameters not listed are left alone.
      - Before a write, the values are checked against the engine's own parameter list (names, types,
        allowed values) when AWS provides it; dynamic parameters apply immediately, static ones at the
        next reboot.
    type: dict
    suboptions:
      name:
        description: The parameter group's name.
        type: str
        required: true
      family:
        description: The parameter group family, for example C(mysql8.0) or C(postgres16). It cannot change.
        type: str
        required: true
      description:
        description: Its description (only used when creating it).
        type: str
      parameters:
        description: Parameter name to value. Booleans become C(1)/C(0).
        type: dict
        default: {}
  master_user_secret:
    description: The Secrets Manager secret that holds the master credentials.
    type: dict
    required: true
    suboptions:
      name:
        description: The secret's name, for example C(innobic/production/database).
        type: str
        required: true
      description:
        description: Its description.
        type: str
      kms_key_id:
        description: The KMS key that encrypts the secret; the account's default key when empty.
        type: str
  rotate_master_password:
    description:
      - Generate a new master password, set it on the instance (immediately) and store it in the secret.
        A one-off, to pass for one run.
    type: bool
    default: false
  apply_immediately:
    description: Apply modifications now rather than in the next maintenance window.
    type: bool
    default: false
  skip_final_snapshot:
    description: With O(state=absent), delete without a final snapshot.
    type: bool
    default: false
  final_snapshot_identifier:
    description: The final snapshot's name; C(<name>-final-<UTC timestamp>) when empty.
    type: str
  wait:
    description: Wait for the instance to become available (or deleted) before returning.
    type: bool
    default: true
  wait_timeout:
    description: How many seconds to wait at most. A Multi-AZ instance takes 10-20 minutes to create on AWS.
    type: int
    default: 2400
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The MySQL database of the Laravel guide (seed 000)
  webstack.aws.rds_database:
    name: innobic-production-mysql
    engine: mysql
    engine_version: "8.0.35"
    instance_class: db.t3.medium
    allocated_storage: 100
    storage_type: gp3
    multi_az: true
    db_name: innobic
    master_username: admin
    backup_retention_period: 7
    preferred_backup_window: "03:00-04:00"
    preferred_maintenance_window: "sun:04:00-sun:05:00"
    deletion_protection: true
    vpc_security_group_ids: [sg-0123456789abcdef0]
    subnet_group:
      name: innobic-production-db
      subnet_ids: [subnet-0aaaaaaaaaaaaaaaa, subnet-0bbbbbbbbbbbbbbbb]
    parameter_group:
      name: innobic-production-mysql8-0
      family: mysql8.0
      parameters:
        max_connections: 200
        innodb_buffer_pool_size: 2684354560
        slow_query_log: 1
        long_query_time: 2
        general_log: 0
    master_user_secret:
      name: innobic/production/database
    tags:
      Project: innobic
      Environment: production
  register: database

- name: Delete it, keeping a final snapshot
  webstack.aws.rds_database:
    name: innobic-production-mysql
    state: absent
    deletion_protection: false
    master_user_secret:
      name: innobic/production/database
    subnet_group:
      name: innobic-production-db
      subnet_ids: []
"""

RETURN = r"""
instance:
  description: The instance as it is (or, in check mode, would be) after the run; empty once deleted.
  returned: always
  type: dict
  contains:
    identifier: {description: The DB instance identifier., type: str, returned: success}
    arn: {description: Its ARN (null in check mode for a new instance)., type: str, returned: success}
    status: {description: Its status., type: str, returned: success}
    engine: {description: The engine., type: str, returned: success}
    engine_version: {description: The running engine version., type: str, returned: success}
    instance_class: {description: The instance class., type: str, returned: success}
    multi_az: {description: Whether a standby runs in another zone., type: bool, returned: success}
    storage_encrypted: {description: Whether the storage is encrypted., type: bool, returned: success}
    publicly_accessible: {description: Whether it has a public address., type: bool, returned: success}
endpoint:
  description: The instance's DNS name; null until AWS has assigned it.
  returned: always
  type: str
  sample: innobic-production-mysql.abcdefghij.ap-southeast-1.rds.amazonaws.com
port:
  description: The port the database listens on.
  returned: always
  type: int
  sample: 3306
storage:
  description: The effective storage settings (gp3 below 400 GiB reports its baseline).
  returned: always
  type: dict
  sample: {"type": "gp3", "allocated": 100, "iops": 3000, "throughput": 125}
secret_arn:
  description: The ARN of the secret with the master credentials (null in check mode before it exists).
  returned: always
  type: str
secret_name:
  description: The secret's name.
  returned: always
  type: str
subnet_group_name:
  description: The DB subnet group.
  returned: always
  type: str
parameter_group_name:
  description: The DB parameter group.
  returned: always
  type: str
parameter_apply_status:
  description: The parameter group's status on the instance, for example C(in-sync) or C(pending-reboot).
  returned: always
  type: str
pending_modified_values:
  description: Modifications waiting for the maintenance window (or a reboot).
  returned: always
  type: dict
final_snapshot_identifier:
  description: The final snapshot taken when the instance was deleted.
  returned: when state=absent and a snapshot was taken
  type: str
actions:
  description: The writes made (or, in check mode, that would be made), in order.
  returned: always
  type: list
  elements: str
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.webstack.aws.plugins.module_utils.data_tier import UNKNOWN
from ansible_collections.webstack.aws.plugins.module_utils.data_tier import JsonSecret
from ansible_collections.webstack.aws.plugins.module_utils.data_tier import answer
from ansible_collections.webstack.aws.plugins.module_utils.data_tier import ensure_arn_tags
from ansible_collections.webstack.aws.plugins.module_utils.data_tier import final_snapshot_name
from ansible_collections.webstack.aws.plugins.module_utils.data_tier import generate_credential
from ansible_collections.webstack.aws.plugins.module_utils.data_tier import list_arn_tags
from ansible_collections.webstack.aws.plugins.module_utils.data_tier import older_than
from ansible_collections.webstack.aws.plugins.module_utils.data_tier import retry
from ansible_collections.webstack.aws.plugins.module_utils.database_spec import GP3_BASELINE_IOPS
from ansible_collections.webstack.aws.plugins.module_utils.database_spec import GP3_BASELINE_THROUGHPUT
from ansible_collections.webstack.aws.plugins.module_utils.database_spec import GP3_THRESHOLD_GIB
from ansible_collections.webstack.aws.plugins.module_utils.database_spec import PARAMETER_TYPES
from ansible_collections.webstack.aws.plugins.module_utils.database_spec import backup_retention_errors
from ansible_collections.webstack.aws.plugins.module_utils.database_spec import db_name_errors
from ansible_collections.webstack.aws.plugins.module_utils.database_spec import engine_version_errors
from ansible_collections.webstack.aws.plugins.module_utils.database_spec import instance_class_errors
from ansible_collections.webstack.aws.plugins.module_utils.database_spec import storage_errors
from ansible_collections.webstack.aws.plugins.module_utils.database_spec import username_errors
from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker
from ansible_collections.webstack.aws.plugins.module_utils.resource import describe_all
from ansible_collections.webstack.aws.plugins.module_utils.resource import wait_for
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import aws_parameter_errors
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import id_list_errors
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import parameter_errors
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import parameter_value_text
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import same_parameter_value
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import version_satisfied
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import version_tuple
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import window_errors

try:
    import botocore
    import botocore.parsers
except ImportError:
    pass  # AnsibleAWSModule reports the missing dependency

DEFAULT_PORTS = {"mysql": 3306, "mariadb": 3306, "postgres": 5432}
# A DB instance in these states takes no modification; wait for it first.
BUSY_STATES = ("creating", "modifying", "backing-up", "rebooting", "upgrading", "configuring-enhanced-monitoring",
               "storage-optimization", "resetting-master-credentials", "renaming", "maintenance")
RDS_STATE_ERRORS = ["InvalidDBInstanceState", "InvalidDBParameterGroupState", "InvalidDBSubnetGroupStateFault"]
MAX_PARAMETERS_PER_CALL = 20


def _tags(resource, key="TagList"):
    return boto3_tag_list_to_ansible_dict(resource.get(key) or [])


class Desired:
    """What the instance should look like, derived once from the module parameters."""

    def __init__(self, params):
        self.params = params
        self.name = params["name"]
        self.engine = params["engine"]
        self.port = params["port"] or DEFAULT_PORTS[self.engine]
        self.tags = dict(params.get("tags") or {})

    @property
    def provisioned_storage(self):
        """Whether Iops/StorageThroughput are sent (io1/io2, or gp3 from 400 GiB)."""
        storage_type = self.params["storage_type"]
        if storage_type in ("io1", "io2"):
            return True
        return storage_type == "gp3" and self.params["allocated_storage"] >= GP3_THRESHOLD_GIB

    def storage(self):
        storage = {"type": self.params["storage_type"], "allocated": self.params["allocated_storage"],
                   "iops": self.params["iops"], "throughput": self.params["storage_throughput"]}
        if storage["type"] == "gp3" and not self.provisioned_storage:
            storage["iops"], storage["throughput"] = GP3_BASELINE_IOPS, GP3_BASELINE_THROUGHPUT
        return storage

    def comparable(self):
        """option -> (describe key path, modify key, desired value) of what can change in place."""
        params = self.params
        fields = {
            "instance_class": (("DBInstanceClass",), "DBInstanceClass", params["instance_class"]),
            "allocated_storage": (("AllocatedStorage",), "AllocatedStorage", params["allocated_storage"]),
            "storage_type": (("StorageType",), "StorageType", params["storage_type"]),
            "multi_az": (("MultiAZ",), "MultiAZ", params["multi_az"]),
            "publicly_accessible": (("PubliclyAccessible",), "PubliclyAccessible", params["publicly_accessible"]),
            "backup_retention_period": (("BackupRetentionPeriod",), "BackupRetentionPeriod",
                                        params["backup_retention_period"]),
            "preferred_backup_window": (("PreferredBackupWindow",), "PreferredBackupWindow",
                                        params["preferred_backup_window"]),
            "preferred_maintenance_window": (("PreferredMaintenanceWindow",), "PreferredMaintenanceWindow",
                                             params["preferred_maintenance_window"].lower()),
            "copy_tags_to_snapshot": (("CopyTagsToSnapshot",), "CopyTagsToSnapshot", params["copy_tags_to_snapshot"]),
            "auto_minor_version_upgrade": (("AutoMinorVersionUpgrade",), "AutoMinorVersionUpgrade",
                                           params["auto_minor_version_upgrade"]),
            "port": (("Endpoint", "Port"), "DBPortNumber", self.port),
            "vpc_security_group_ids": (("VpcSecurityGroups",), "VpcSecurityGroupIds",
                                       sorted(params["vpc_security_group_ids"])),
        }
        if params["deletion_protection"] is not None:
            fields["deletion_protection"] = (("DeletionProtection",), "DeletionProtection",
                                             params["deletion_protection"])
        if self.provisioned_storage:
            if params["iops"] is not None:
                fields["iops"] = (("Iops",), "Iops", params["iops"])
            if params["storage_throughput"] is not None:
                fields["storage_throughput"] = (("StorageThroughput",), "StorageThroughput",
                                                params["storage_throughput"])
        if params["parameter_group"]:
            fields["parameter_group"] = (("DBParameterGroups", 0, "DBParameterGroupName"), "DBParameterGroupName",
                                         params["parameter_group"]["name"])
        if params["subnet_group"]:
            fields["subnet_group"] = (("DBSubnetGroup", "DBSubnetGroupName"), "DBSubnetGroupName",
                                      params["subnet_group"]["name"])
        return fields


class SubnetGroupManager:
    def __init__(self, module, client, tracker, desired):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.desired = desired
        self.spec = module.params["subnet_group"]

    def find(self):
        if not self.spec:
            return None
        try:
            groups = self.client.describe_db_subnet_groups(aws_retry=True, DBSubnetGroupName=self.spec["name"])
        except is_boto3_error_code("DBSubnetGroupNotFoundFault"):
            return None
        return (groups.get("DBSubnetGroups") or [None])[0]

    def ensure(self, group):
        if not self.spec:
            return None
        name = self.spec["name"]
        description = self.spec["description"] or "Subnets of %s" % self.desired.name
        wanted = {"description": description, "subnet_ids": sorted(self.spec["subnet_ids"]), "tags": self.desired.tags}
        if group is None:
            self.tracker.act("create DB subnet group %s" % name, self.client.create_db_subnet_group, aws_retry=True,
                             DBSubnetGroupName=name, DBSubnetGroupDescription=description,
                             SubnetIds=self.spec["subnet_ids"], Tags=ansible_dict_to_boto3_tag_list(self.desired.tags))
            self.tracker.record("subnet_group", name, None, wanted)
            return name
        current_ids = sorted(s["SubnetIdentifier"] for s in group.get("Subnets", []))
        current = {"description": group.get("DBSubnetGroupDescription"), "subnet_ids": current_ids,
                   "tags": list_arn_tags(self.client, group["DBSubnetGroupArn"])}
        if current_ids != wanted["subnet_ids"] or current["description"] != description:
            self.tracker.act("update DB subnet group %s" % name, self.client.modify_db_subnet_group, aws_retry=True,
                             DBSubnetGroupName=name, DBSubnetGroupDescription=description,
                             SubnetIds=self.spec["subnet_ids"])
        wanted["tags"] = ensure_arn_tags(self.tracker, self.client, group["DBSubnetGroupArn"], current["tags"],
                                         self.desired.tags, self.module.params["purge_tags"])
        self.tracker.record("subnet_group", name, current, wanted)
        return name

    def delete(self):
        if not self.spec or self.find() is None:
            return
        self.tracker.act("delete DB subnet group %s" % self.spec["name"], self.client.delete_db_subnet_group,
                         aws_retry=True, DBSubnetGroupName=self.spec["name"])
        self.tracker.record("subnet_group", self.spec["name"], {"name": self.spec["name"]}, None)


class ParameterGroupManager:
    def __init__(self, module, client, tracker, desired):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.desired = desired
        self.spec = module.params["parameter_group"]

    def find(self):
        if not self.spec:
            return None
        try:
            groups = self.client.describe_db_parameter_groups(aws_retry=True, DBParameterGroupName=self.spec["name"])
        except is_boto3_error_code("DBParameterGroupNotFound"):
            return None
        # An empty answer (instead of DBParameterGroupNotFound) also means there is no such group.
        return (groups.get("DBParameterGroups") or [None])[0]

    def wanted_parameters(self):
        return {name: parameter_value_text(value) for name, value in (self.spec["parameters"] or {}).items()}

    def ensure(self, group):
        if not self.spec:
            return None
        name = self.spec["name"]
        family = self.spec["family"]
        wanted_params = self.wanted_parameters()
        wanted = {"family": family, "parameters": wanted_params, "tags": self.desired.tags}
        if group is None:
            self.tracker.act("create DB parameter group %s (%s)" % (name, family), self.client.create_db_parameter_group,
                             aws_retry=True, DBParameterGroupName=name, DBParameterGroupFamily=family,
                             Description=self.spec["description"] or "Parameters of %s" % self.desired.name,
                             Tags=ansible_dict_to_boto3_tag_list(self.desired.tags))
            self._modify(name, family, {}, wanted_params)
            self.tracker.record("parameter_group", name, None, wanted)
            return name
        if group["DBParameterGroupFamily"] != family:
            self.module.fail_json(msg="parameter_group.family: DB parameter group %s has family %s, not %s; a group's "
                                      "family cannot change, give the group another name"
                                  % (name, group["DBParameterGroupFamily"], family))
        current_params = {p["ParameterName"]: p.get("ParameterValue")
                          for p in describe_all(self.client, "describe_db_parameters", "Parameters",
                                                DBParameterGroupName=name, Source="user")}
        current = {"family": group["DBParameterGroupFamily"],
                   "parameters": {k: current_params.get(k) for k in wanted_params},
                   "tags": list_arn_tags(self.client, group["DBParameterGroupArn"])}
        self._modify(name, family, current_params, wanted_params)
        wanted["tags"] = ensure_arn_tags(self.tracker, self.client, group["DBParameterGroupArn"], current["tags"],
                                         self.desired.tags, self.module.params["purge_tags"])
        self.tracker.record("parameter_group", name, current, wanted)
        return name

    def _engine_definitions(self, family):
        """The engine's parameter definitions (ApplyType, DataType, AllowedValues), or None when AWS does
        not provide them. Read only when a write is due; a failure only loses the extra checks."""
        try:
            paginator = self.client.get_paginator("describe_engine_default_parameters")
            definitions = {}
            for page in paginator.paginate(DBParameterGroupFamily=family):
                for parameter in page["EngineDefaults"].get("Parameters", []):
                    definitions[parameter["ParameterName"]] = parameter
            return definitions or None
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError, botocore.parsers.ResponseParserError):
            return None

    def _modify(self, name, family, current, wanted):
        changes = {k: v for k, v in wanted.items() if not same_parameter_value(current.get(k), v)}
        if not changes:
            return
        definitions = self._engine_definitions(family)
        errors = []
        items = []
        for parameter, value in sorted(changes.items()):
            definition = (definitions or {}).get(parameter)
            if definitions is not None and definition is None:
                errors.append("parameter_group.parameters.%s: %s has no parameter of that name" % (parameter, family))
                continue
            if definition:
                errors += aws_parameter_errors("parameter_group.parameters", parameter, value, definition)
            # Static parameters (and any whose kind AWS did not tell) take effect at the next reboot.
            dynamic = bool(definition) and definition.get("ApplyType") == "dynamic"
            items.append({"ParameterName": parameter, "ParameterValue": value,
                          "ApplyMethod": "immediate" if dynamic else "pending-reboot"})
        if errors:
            self.module.fail_json(msg="; ".join(errors), errors=errors)
        for start in range(0, len(items), MAX_PARAMETERS_PER_CALL):
            batch = items[start:start + MAX_PARAMETERS_PER_CALL]
            self.tracker.act("set %s in DB parameter group %s" % (", ".join(i["ParameterName"] for i in batch), name),
                             self.client.modify_db_parameter_group, aws_retry=True, DBParameterGroupName=name,
                             Parameters=batch)

    def delete(self):
        if not self.spec or self.find() is None:
            return
        self.tracker.act("delete DB parameter group %s" % self.spec["name"], self.client.delete_db_parameter_group,
                         aws_retry=True, DBParameterGroupName=self.spec["name"])
        self.tracker.record("parameter_group", self.spec["name"], {"name": self.spec["name"]}, None)


class InstanceManager:
    def __init__(self, module, client, tracker, desired):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.desired = desired

    def find(self):
        try:
            instances = self.client.describe_db_instances(aws_retry=True, DBInstanceIdentifier=self.desired.name)
        except is_boto3_error_code("DBInstanceNotFound"):
            return None
        return (instances.get("DBInstances") or [None])[0]

    def wait_available(self):
        if self.module.params["wait"] and not self.module.check_mode:
            wait_for(self.module, self.client, "db_instance_available", delay=15, DBInstanceIdentifier=self.desired.name)
            return self.find()
        return None

    def create(self, password):
        params = self.module.params
        desired = self.desired
        request = {
            "DBInstanceIdentifier": desired.name, "Engine": desired.engine, "DBInstanceClass": params["instance_class"],
            "AllocatedStorage": params["allocated_storage"], "StorageType": params["storage_type"],
            "StorageEncrypted": params["storage_encrypted"], "MultiAZ": params["multi_az"],
            "PubliclyAccessible": params["publicly_accessible"], "Port": desired.port,
            "BackupRetentionPeriod": params["backup_retention_period"],
            "PreferredBackupWindow": params["preferred_backup_window"],
            "PreferredMaintenanceWindow": params["preferred_maintenance_window"].lower(),
            "CopyTagsToSnapshot": params["copy_tags_to_snapshot"],
            "AutoMinorVersionUpgrade": params["auto_minor_version_upgrade"],
            "DeletionProtection": bool(params["deletion_protection"]),
            "MasterUsername": params["master_username"], "MasterUserPassword": password,
            "VpcSecurityGroupIds": params["vpc_security_group_ids"],
            "Tags": ansible_dict_to_boto3_tag_list(desired.tags),
        }
        optional = {"EngineVersion": params["engine_version"], "KmsKeyId": params["kms_key_id"],
                    "DBName": params["db_name"],
                    "DBSubnetGroupName": (params["subnet_group"] or {}).get("name"),
                    "DBParameterGroupName": (params["parameter_group"] or {}).get("name")}
        if desired.provisioned_storage:
            optional.update(Iops=params["iops"], StorageThroughput=params["storage_throughput"])
        request.update({k: v for k, v in optional.items() if v})
        version = params["engine_version"] or "default version"
        description = "create DB instance %s (%s %s, %s)" % (desired.name, desired.engine, version,
                                                             params["instance_class"])
        self.tracker.act(description, self.client.create_db_instance, aws_retry=True, **request)
        wanted = {k: v[2] for k, v in desired.comparable().items()}
        wanted.update(engine=desired.engine, engine_version=params["engine_version"],
                      storage_encrypted=params["storage_encrypted"], tags=desired.tags)
        self.tracker.record("instance", desired.name, None, wanted)
        return self.wait_available()

    def fail_on_immutable(self, instance):
        params = self.module.params
        errors = []
        if instance.get("Engine") and instance["Engine"] != self.desired.engine:
            errors.append("engine: %s runs %s, not %s; an instance's engine cannot change"
                          % (self.desired.name, instance["Engine"], self.desired.engine))
        if "StorageEncrypted" in instance and instance["StorageEncrypted"] != params["storage_encrypted"]:
            errors.append("storage_encrypted: %s has StorageEncrypted=%s; encryption cannot change in place (restore "
                          "a snapshot copy instead)" % (self.desired.name, instance["StorageEncrypted"]))
        key = instance.get("KmsKeyId")
        if params["kms_key_id"] and key and not (key == params["kms_key_id"] or key.endswith("/" + params["kms_key_id"])):
            errors.append("kms_key_id: %s is encrypted with %s; the key cannot change in place" % (self.desired.name, key))
        if params["db_name"] and instance.get("DBName") and instance["DBName"] != params["db_name"]:
            errors.append("db_name: %s was created with database %s; it cannot change"
                          % (self.desired.name, instance["DBName"]))
        if instance.get("MasterUsername") and instance["MasterUsername"] != params["master_username"]:
            errors.append("master_username: %s has master user %s; it cannot change"
                          % (self.desired.name, instance["MasterUsername"]))
        allocated = instance.get("AllocatedStorage")
        if allocated and params["allocated_storage"] < allocated:
            errors.append("allocated_storage: %s has %d GiB; RDS storage cannot shrink to %d"
                          % (self.desired.name, allocated, params["allocated_storage"]))
        if errors:
            self.module.fail_json(msg="; ".join(errors), errors=errors)

    @staticmethod
    def effective(instance):
        """The instance as it will be once pending modifications are applied (they were already asked for)."""
        effective = dict(instance)
        pending = instance.get("PendingModifiedValues") or {}
        for key, value in pending.items():
            if key == "Port":
                effective["Endpoint"] = dict(instance.get("Endpoint") or {}, Port=value)
            elif key == "DBSubnetGroupName":
                effective["DBSubnetGroup"] = dict(instance.get("DBSubnetGroup") or {}, DBSubnetGroupName=value)
            else:
                effective[key] = value
        return effective

    def current_view(self, instance):
        effective = self.effective(instance)
        view = {}
        for option, (path, _key, _value) in self.desired.comparable().items():
            value = answer(effective, *path)
            if value is UNKNOWN and option == "port":
                value = answer(effective, "DbInstancePort")
            if option == "vpc_security_group_ids" and value is not UNKNOWN:
                value = sorted(g["VpcSecurityGroupId"] for g in value if g.get("Status", "active") != "removing")
            if option == "preferred_maintenance_window" and value is not UNKNOWN:
                value = value.lower()
            view[option] = value
        return view

    def update(self, instance):
        params = self.module.params
        desired = self.desired
        self.fail_on_immutable(instance)
        fields = desired.comparable()
        current = self.current_view(instance)
        changes = {}
        for option, (_path, modify_key, value) in fields.items():
            # A key the describe answer left out is unknown, not a difference.
            if current[option] is not UNKNOWN and current[option] != value:
                changes[modify_key] = value
        version = instance.get("EngineVersion")
        pending_version = (instance.get("PendingModifiedValues") or {}).get("EngineVersion")
        if params["engine_version"] and not version_satisfied(pending_version or version, params["engine_version"]):
            changes["EngineVersion"] = params["engine_version"]
            if version and version_tuple(version)[:1] != version_tuple(params["engine_version"])[:1]:
                changes["AllowMajorVersionUpgrade"] = True
        if {"AllocatedStorage", "StorageType", "Iops", "StorageThroughput"} & set(changes):
            # Storage changes go together, with the provisioned values where they apply.
            changes.setdefault("StorageType", params["storage_type"])
            changes.setdefault("AllocatedStorage", params["allocated_storage"])
            if desired.provisioned_storage:
                for key, option in (("Iops", "iops"), ("StorageThroughput", "storage_throughput")):
                    if params[option] is not None:
                        changes.setdefault(key, params[option])
        if changes:
            if instance.get("DBInstanceStatus") in BUSY_STATES and params["wait"] and not self.module.check_mode:
                instance = self.wait_available() or instance
            when = "" if params["apply_immediately"] else " in the next maintenance window"
            self.tracker.act("modify DB instance %s (%s)%s" % (desired.name, ", ".join(sorted(changes)), when),
                             self.client.modify_db_instance, aws_retry=True, DBInstanceIdentifier=desired.name,
                             ApplyImmediately=params["apply_immediately"], **changes)
        # What the describe answer did not tell is left out of the diff on both sides.
        before = {k: v for k, v in current.items() if v is not UNKNOWN}
        after = dict(before)
        for option, (_path, modify_key, value) in fields.items():
            if modify_key in changes:
                after[option] = value
        tags_before = _tags(instance)
        tags_after = ensure_arn_tags(self.tracker, self.client, instance["DBInstanceArn"], tags_before, desired.tags,
                                     params["purge_tags"])
        before.update(engine_version=version, tags=tags_before)
        after.update(engine_version=changes.get("EngineVersion", version), tags=tags_after)
        self.tracker.record("instance", desired.name, before, after)
        if changes and params["apply_immediately"]:
            return self.wait_available() or instance
        if changes and not self.module.check_mode:
            return self.find() or instance
        return instance

    def set_password(self, password, reason):
        self.tracker.act("set the master password of %s (%s)" % (self.desired.name, reason),
                         self.client.modify_db_instance, aws_retry=True, DBInstanceIdentifier=self.desired.name,
                         MasterUserPassword=password, ApplyImmediately=True)

    def delete(self, instance):
        params = self.module.params
        name = self.desired.name
        if instance.get("DBInstanceStatus") == "deleting":
            if params["wait"] and not self.module.check_mode:
                wait_for(self.module, self.client, "db_instance_deleted", delay=15, DBInstanceIdentifier=name)
            return None
        if instance.get("DeletionProtection"):
            if params["deletion_protection"] is not False:
                self.module.fail_json(msg="deletion_protection: %s is protected against deletion; pass "
                                          "deletion_protection=false to turn the protection off and delete it" % name)
            self.tracker.act("turn deletion protection off on %s" % name, self.client.modify_db_instance,
                             aws_retry=True, DBInstanceIdentifier=name, DeletionProtection=False, ApplyImmediately=True)
        request = {"DBInstanceIdentifier": name, "DeleteAutomatedBackups": False}
        snapshot = None
        if params["skip_final_snapshot"]:
            request["SkipFinalSnapshot"] = True
        else:
            snapshot = params["final_snapshot_identifier"] or final_snapshot_name(name)
            request.update(SkipFinalSnapshot=False, FinalDBSnapshotIdentifier=snapshot)
        self.tracker.act("delete DB instance %s (%s)" % (name, "final snapshot %s" % snapshot if snapshot
                                                         else "no final snapshot"),
                         self.client.delete_db_instance, aws_retry=True, **request)
        self.tracker.record("instance", name, {"status": instance.get("DBInstanceStatus")}, None)
        if params["wait"] and not self.module.check_mode:
            wait_for(self.module, self.client, "db_instance_deleted", delay=15, DBInstanceIdentifier=name)
        return snapshot


class DatabaseTier:
    """Converges (or removes) subnet group, parameter group, instance and secret; one describe each."""

    def __init__(self, module):
        self.module = module
        self.tracker = ChangeTracker(module)
        self.desired = Desired(module.params)
        self.rds = module.client("rds", retry_decorator=retry(RDS_STATE_ERRORS))
        self.secretsmanager = module.client("secretsmanager", retry_decorator=retry())
        args = (module, self.rds, self.tracker, self.desired)
        self.subnet_group = SubnetGroupManager(*args)
        self.parameter_group = ParameterGroupManager(*args)
        self.instance = InstanceManager(*args)
        spec = module.params["master_user_secret"]
        self.secret = JsonSecret(module, self.secretsmanager, self.tracker, spec["name"], "password",
                                 description=spec["description"] or "Master credentials of %s" % self.desired.name,
                                 kms_key_id=spec["kms_key_id"], tags=self.desired.tags,
                                 purge_tags=module.params["purge_tags"], kind="secret")

    def document(self, password, instance):
        endpoint = (instance or {}).get("Endpoint") or {}
        return {"username": self.module.params["master_username"], "password": password,
                "engine": self.desired.engine, "dbname": self.module.params["db_name"] or "",
                "host": endpoint.get("Address") or "", "port": endpoint.get("Port") or self.desired.port}

    def present(self):
        instance = self.instance.find()
        self.secret.find()
        subnet_group = self.subnet_group.ensure(self.subnet_group.find())
        parameter_group = self.parameter_group.ensure(self.parameter_group.find())
        if instance is None:
            instance = self._create(subnet_group, parameter_group)
        else:
            if instance.get("DBInstanceStatus") in ("deleting", "deleted"):
                self.module.fail_json(msg="name: DB instance %s is being deleted; run again once it is gone"
                                      % self.desired.name)
            port_before = answer(instance, "Endpoint", "Port")
            instance = self.instance.update(instance)
            self._sync_secret(instance, port_before)
        return self._result(instance)

    def _create(self, subnet_group, parameter_group):
        if self.module.check_mode:
            if not self.secret.exists:
                self.tracker.plan("create secret %s with a generated master password" % self.secret.name)
            self.instance.create(None)
            return None
        self.secret.restore()
        if self.secret.exists:
            # A secret left by an earlier (interrupted or deleted) instance: reuse its password.
            document = self.secret.read()
            password = document.get("password") or generate_credential()
            if not document.get("password"):
                self.secret.put(self.document(password, None), "no password in it")
            self.secret.ensure_tags()
        else:
            password = generate_credential()
            self.secret.create(self.document(password, None))
        instance = self.instance.create(password)
        if instance and (instance.get("Endpoint") or {}).get("Address"):
            self.secret.put(self.document(password, instance), "address of the new instance")
        return instance

    def _sync_secret(self, instance, port_before):
        params = self.module.params
        if not self.secret.exists:
            # The instance exists but its credentials do not: the only way to a usable secret is a new password.
            if self.module.check_mode:
                self.tracker.plan("create secret %s and reset the master password of %s"
                                  % (self.secret.name, self.desired.name))
                return
            password = generate_credential()
            self.secret.create(self.document(password, instance))
            self.instance.set_password(password, "its secret %s did not exist" % self.secret.name)
            return
        self.secret.restore()
        self.secret.ensure_tags()
        if params["rotate_master_password"]:
            if self.module.check_mode:
                self.tracker.plan("rotate the master password of %s" % self.desired.name)
                return
            document = self.secret.read()
            password = generate_credential()
            self.instance.set_password(password, "rotation asked for")
            document.update(self.document(password, instance))
            self.secret.put(document, "rotated master password")
            return
        # The address is written once the instance has one; read the secret only when it may not know it.
        port_changed = answer(instance, "Endpoint", "Port") != port_before
        if not (instance.get("Endpoint") or {}).get("Address"):
            return
        if not (port_changed or older_than(self.secret.last_changed, instance.get("InstanceCreateTime"))):
            return
        document = self.secret.read()
        wanted = self.document(document.get("password") or "", instance)
        stale = sorted(k for k in ("username", "engine", "dbname", "host", "port")
                       if document.get(k) != wanted[k])
        if stale:
            document.update({k: wanted[k] for k in stale})
            self.secret.put(document, "%s changed" % ", ".join(stale))
            self.tracker.record("secrets", self.secret.name,
                                self.secret.public_view(dict(document, **{k: None for k in stale})),
                                self.secret.public_view(document))

    def absent(self):
        instance = self.instance.find()
        snapshot = None
        gone = True
        if instance is not None:
            snapshot = self.instance.delete(instance)
            gone = self.module.params["wait"] and not self.module.check_mode
        if gone:
            self.subnet_group.delete()
            self.parameter_group.delete()
        elif instance is not None and not self.module.check_mode:
            self.module.warn("The subnet group and parameter group are kept until %s is deleted; run again with "
                             "wait=true to remove them" % self.desired.name)
        self.secret.find()
        result = self._result(None)
        if snapshot:
            result["final_snapshot_identifier"] = snapshot
        return result

    def _result(self, instance):
        params = self.module.params
        instance = instance or {}
        endpoint = instance.get("Endpoint") or {}
        state_present = params["state"] == "present"
        summary = {}
        if state_present:
            summary = {
                "identifier": self.desired.name, "arn": instance.get("DBInstanceArn"),
                "status": instance.get("DBInstanceStatus") or ("creating" if self.module.check_mode else None),
                "engine": instance.get("Engine", self.desired.engine),
                "engine_version": instance.get("EngineVersion", params["engine_version"]),
                "instance_class": instance.get("DBInstanceClass", params["instance_class"]),
                "multi_az": instance.get("MultiAZ", params["multi_az"]),
                "storage_encrypted": instance.get("StorageEncrypted", params["storage_encrypted"]),
                "publicly_accessible": instance.get("PubliclyAccessible", params["publicly_accessible"]),
            }
        groups = instance.get("DBParameterGroups") or [{}]
        return {
            "changed": self.tracker.changed,
            "instance": summary,
            "endpoint": endpoint.get("Address"),
            "port": endpoint.get("Port") or instance.get("DbInstancePort") or self.desired.port,
            "storage": self.desired.storage() if state_present else {},
            "secret_arn": self.secret.arn,
            "secret_name": self.secret.name,
            "subnet_group_name": (params["subnet_group"] or {}).get("name"),
            "parameter_group_name": (params["parameter_group"] or {}).get("name"),
            "parameter_apply_status": groups[0].get("ParameterApplyStatus"),
            "pending_modified_values": instance.get("PendingModifiedValues") or {},
            "actions": self.tracker.actions,
            "diff": self.tracker.diff,
        }


def validate(module):
    """Fail before any API call when the inputs cannot work."""
    params = module.params
    if params["state"] == "absent":
        return
    engine = params["engine"]
    errors = []
    errors += instance_class_errors("instance_class", params["instance_class"])
    if params["engine_version"]:
        family = (params["parameter_group"] or {}).get("family")
        errors += engine_version_errors("engine_version", engine, params["engine_version"],
                                        "parameter_group.family", family)
    errors += storage_errors({"allocated": "allocated_storage", "type": "storage_type", "iops": "iops",
                              "throughput": "storage_throughput"}, engine, params["storage_type"],
                             params["allocated_storage"], params["iops"], params["storage_throughput"])
    errors += backup_retention_errors("backup_retention_period", params["backup_retention_period"],
                                      False, None)
    errors += window_errors("preferred_backup_window", params["preferred_backup_window"],
                            "preferred_maintenance_window", params["preferred_maintenance_window"])
    if params["port"] is not None and not 1150 <= params["port"] <= 65535:
        errors.append("port: %s is out of range (1150-65535)" % params["port"])
    errors += username_errors("master_username", engine, params["master_username"])
    if params["db_name"]:
        errors += db_name_errors("db_name", engine, params["db_name"])
    errors += id_list_errors("vpc_security_group_ids", params["vpc_security_group_ids"], "sg", minimum=0)
    if params["subnet_group"]:
        errors += id_list_errors("subnet_group.subnet_ids", params["subnet_group"]["subnet_ids"], "subnet", minimum=2)
    if params["parameter_group"]:
        errors += parameter_errors("parameter_group.parameters", params["parameter_group"]["parameters"] or {},
                                   PARAMETER_TYPES.get(engine, {}))
        if not re.match(r"^[A-Za-z][A-Za-z0-9-]{0,254}$", params["parameter_group"]["name"]) \
                or "--" in params["parameter_group"]["name"] or params["parameter_group"]["name"].endswith("-"):
            errors.append("parameter_group.name: %r must start with a letter and hold only letters, digits and "
                          "single hyphens" % params["parameter_group"]["name"])
    if params["kms_key_id"] and not params["storage_encrypted"]:
        errors.append("kms_key_id: a KMS key needs storage_encrypted=true")
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True, aliases=["db_instance_identifier"]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        engine=dict(type="str", choices=["mysql", "mariadb", "postgres"], default="mysql"),
        engine_version=dict(type="str"),
        instance_class=dict(type="str", default="db.t3.medium"),
        allocated_storage=dict(type="int", default=100),
        storage_type=dict(type="str", choices=["gp2", "gp3", "io1", "io2"], default="gp3"),
        iops=dict(type="int"),
        storage_throughput=dict(type="int"),
        storage_encrypted=dict(type="bool", default=True),
        kms_key_id=dict(type="str"),
        multi_az=dict(type="bool", default=True),
        publicly_accessible=dict(type="bool", default=False),
        port=dict(type="int"),
        db_name=dict(type="str"),
        master_username=dict(type="str", default="admin"),
        backup_retention_period=dict(type="int", default=7),
        preferred_backup_window=dict(type="str", default="03:00-04:00"),
        preferred_maintenance_window=dict(type="str", default="sun:04:00-sun:05:00"),
        deletion_protection=dict(type="bool"),
        copy_tags_to_snapshot=dict(type="bool", default=True),
        auto_minor_version_upgrade=dict(type="bool", default=True),
        vpc_security_group_ids=dict(type="list", elements="str", default=[]),
        subnet_group=dict(type="dict", options=dict(
            name=dict(type="str", required=True),
            description=dict(type="str"),
            subnet_ids=dict(type="list", elements="str", required=True),
        )),
        parameter_group=dict(type="dict", options=dict(
            name=dict(type="str", required=True),
            family=dict(type="str", required=True),
            description=dict(type="str"),
            parameters=dict(type="dict", default={}),
        )),
        master_user_secret=dict(type="dict", required=True, no_log=False, options=dict(
            name=dict(type="str", required=True),
            description=dict(type="str"),
            kms_key_id=dict(type="str"),
        )),
        rotate_master_password=dict(type="bool", default=False, no_log=False),
        apply_immediately=dict(type="bool", default=False),
        skip_final_snapshot=dict(type="bool", default=False),
        final_snapshot_identifier=dict(type="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=2400),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    tier = DatabaseTier(module)
    try:
        result = tier.present() if module.params["state"] == "present" else tier.absent()
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        module.fail_json_aws(exc, msg="RDS database %s" % module.params["name"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
