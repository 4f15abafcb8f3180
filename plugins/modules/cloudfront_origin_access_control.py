#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloudfront_origin_access_control
short_description: Converge CloudFront origin access controls (OAC) by name
version_added: 0.2.0
description:
  - Creates, updates or deletes CloudFront origin access controls, the successor of origin
    access identities, which lets a distribution read a private S3 bucket with signed requests.
    Neither amazon.aws nor community.aws has a module for them.
  - Each is found again by its name; one C(ListOriginAccessControls) call reads them all, and
    only an OAC whose settings differ is updated (with its ETag).
  - The bucket policy that allows C(cloudfront.amazonaws.com) to read the bucket belongs to the
    bucket (see the storage tier); M(webstack.aws.cloudfront_distribution_set) can also ensure
    the OACs its origins use in the same invocation.
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  origin_access_controls:
    description: The origin access controls.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The OAC's name (unique in the account).
        type: str
        required: true
      description:
        description: Its description.
        type: str
        default: ''
      origin_type:
        description: The kind of origin it signs for.
        type: str
        choices: [s3, mediastore, lambda, mediapackagev2]
        default: s3
      signing_behavior:
        description: V(always) signs every origin request (the recommended setting for S3).
        type: str
        choices: [always, never, no-override]
        default: always
      signing_protocol:
        description: The signing protocol.
        type: str
        choices: [sigv4]
        default: sigv4
  state:
    description: V(absent) deletes the listed OACs (which no distribution may use any more).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The OAC of the frontend bucket (seed 003)
  webstack.aws.cloudfront_origin_access_control:
    origin_access_controls:
      - name: illustra-production-frontend
        description: CloudFront reads the private frontend bucket
  register: oac
"""

RETURN = r"""
ids:
  description: OAC ids by name; null in check mode for a new one.
  returned: always
  type: dict
  sample: {"illustra-production-frontend": "E1ABCDEF2GHIJK"}
actions:
  description: The writes made (or, in check mode, that would be made), in order.
  returned: always
  type: list
  elements: str
"""

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing botocore

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.webstack.aws.plugins.module_utils.cloudfront_oac import OAC_OPTIONS
from ansible_collections.webstack.aws.plugins.module_utils.cloudfront_oac import OacManager
from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker


def main():
    argument_spec = dict(
        origin_access_controls=dict(type="list", elements="dict", options=OAC_OPTIONS, required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    names = [o["name"] for o in module.params["origin_access_controls"]]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        module.fail_json(msg="origin_access_controls: %s listed twice" % ", ".join(twice))
    too_long = [n for n in names if not 1 <= len(n) <= 64]
    if too_long:
        module.fail_json(msg="origin_access_controls: names must be 1-64 characters: %s" % ", ".join(too_long))
    client = module.client("cloudfront", retry_decorator=AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30))
    tracker = ChangeTracker(module)
    manager = OacManager(module, client, tracker)
    ids = {}
    try:
        for spec in module.params["origin_access_controls"]:
            if module.params["state"] == "present":
                ids[spec["name"]] = manager.ensure(spec)
            else:
                manager.delete(spec["name"])
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        module.fail_json_aws(exc, msg="CloudFront origin access control call failed")
    module.exit_json(changed=tracker.changed, ids=ids, actions=tracker.actions, diff=tracker.diff)


if __name__ == "__main__":
    main()
