#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: rds_instance_failover
short_description: Fail a Multi-AZ RDS instance over to its standby
version_added: 0.2.0
description:
  - Reboots a Multi-AZ RDS DB instance with C(ForceFailover), so that its standby in the other
    availability zone becomes the primary - the instance-level counterpart of the Laravel guide's
    C(aws rds failover-db-cluster) (which is for Aurora clusters).
  - An action, not a state - every run that is not in check mode fails the instance over (and
    reports a change). The instance must be C(available) and Multi-AZ; the module fails naming
    O(name) otherwise, before any write.
  - Unlike M(amazon.aws.rds_instance) with O(amazon.aws.rds_instance#module:state=rebooted), it
    does not compare the instance's other settings, which fails on gp3 storage when the API
    omits C(StorageThroughput).
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  name:
    description: The DB instance identifier.
    type: str
    required: true
  wait:
    description: Wait until the instance is C(available) again.
    type: bool
    default: true
  wait_timeout:
    description: How many seconds to wait at most.
    type: int
    default: 1800
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Fail the database over to its standby
  webstack.aws.rds_instance_failover:
    name: innobic-production-mysql
"""

RETURN = r"""
instance:
  description: The instance after the failover (as it was, in check mode).
  returned: always
  type: dict
  contains:
    name: {description: The DB instance identifier., type: str, returned: always}
    status: {description: The instance's status., type: str, returned: always}
    availability_zone: {description: The primary's availability zone before the failover., type: str, returned: always}
    secondary_availability_zone: {description: The standby's availability zone before the failover., type: str, returned: always}
actions:
  description: The writes made (or, in check mode, that would be made).
  returned: always
  type: list
  elements: str
"""

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing botocore

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker
from ansible_collections.webstack.aws.plugins.module_utils.resource import wait_for


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=1800),
        ),
        supports_check_mode=True,
    )
    name = module.params["name"]
    client = module.client("rds", retry_decorator=AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30))
    tracker = ChangeTracker(module)
    try:
        try:
            instance = client.describe_db_instances(aws_retry=True, DBInstanceIdentifier=name)["DBInstances"][0]
        except is_boto3_error_code("DBInstanceNotFound"):
            module.fail_json(msg="name: no DB instance %s in %s" % (name, module.region))
        if not instance.get("MultiAZ"):
            module.fail_json(msg="name: DB instance %s is not Multi-AZ, so it has no standby to fail over to" % name)
        if instance.get("DBInstanceStatus") != "available":
            module.fail_json(msg="name: DB instance %s is %s, not available" % (name, instance.get("DBInstanceStatus")))
        before = {"primary_availability_zone": instance.get("AvailabilityZone"),
                  "standby_availability_zone": instance.get("SecondaryAvailabilityZone")}
        tracker.act("fail DB instance %s over to its standby" % name, client.reboot_db_instance, aws_retry=True,
                    DBInstanceIdentifier=name, ForceFailover=True)
        tracker.record("instance", name, before, {"failed_over": True})
        if module.params["wait"] and not module.check_mode:
            wait_for(module, client, "db_instance_available", delay=15, DBInstanceIdentifier=name)
            instance = client.describe_db_instances(aws_retry=True, DBInstanceIdentifier=name)["DBInstances"][0]
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        module.fail_json_aws(exc, msg="RDS failover of %s" % name)
    module.exit_json(
        changed=tracker.changed,
        instance={"name": name, "status": instance.get("DBInstanceStatus"),
                  "availability_zone": before["primary_availability_zone"],
                  "secondary_availability_zone": before["standby_availability_zone"]},
        actions=tracker.actions,
        diff=tracker.diff,
    )


if __name__ == "__main__":
    main()
