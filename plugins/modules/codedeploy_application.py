#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: codedeploy_application
short_description: Create, tag or delete a CodeDeploy application
version_added: 0.2.0
description:
  - Creates a CodeDeploy application for a compute platform, reconciles its tags, or deletes it
    (with its deployment groups).
  - A converged application costs one C(GetApplication) call, plus the tag read when O(tags) is given.
  - The compute platform of an existing application cannot change; a different value fails
    instead of replacing the application.
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  name:
    description: The application's name (seed 000 C(innobic-app)).
    type: str
    required: true
  compute_platform:
    description: Where the application is deployed to; V(Server) is EC2 or on-premises instances.
    type: str
    choices: [Server, Lambda, ECS]
    default: Server
  state:
    description: V(present) creates the application; V(absent) deletes it and its deployment groups.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The Laravel guide's application
  webstack.aws.codedeploy_application:
    name: innobic-app
    compute_platform: Server
    tags:
      Project: innobic
"""

RETURN = r"""
application_name:
  description: The application's name.
  returned: always
  type: str
application_id:
  description: The application's id (null when absent, or in check mode for a new application).
  returned: always
  type: str
arn:
  description: The application's ARN (null when absent or only planned).
  returned: always
  type: str
  sample: arn:aws:codedeploy:ap-southeast-1:123456789012:application:innobic-app
compute_platform:
  description: The compute platform.
  returned: always
  type: str
actions:
  description: The writes made (or, in check mode, that would be made).
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import AccountId
from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import default_retry
from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import ensure_tags
from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import partition_of
from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import read_tags
from ansible_collections.webstack.aws.plugins.module_utils.delivery_spec import NAME_RE
from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        compute_platform=dict(type="str", choices=["Server", "Lambda", "ECS"], default="Server"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    name = params["name"]
    if not NAME_RE.match(name):
        module.fail_json(msg="name: %r must be 1-100 letters, digits or _.+=,@-" % name)
    if not module.region:
        module.fail_json(msg="region: required (CodeDeploy applications are regional)")

    client = module.client("codedeploy", retry_decorator=default_retry())
    tracker = ChangeTracker(module)
    account = AccountId(module)

    def arn():
        return "arn:%s:codedeploy:%s:%s:application:%s" % (partition_of(module.region), module.region, account.get(), name)

    try:
        try:
            application = client.get_application(aws_retry=True, applicationName=name)["application"]
        except is_boto3_error_code("ApplicationDoesNotExistException"):
            application = None

        result = {"application_name": name, "application_id": None, "arn": None,
                  "compute_platform": params["compute_platform"]}
        if params["state"] == "absent":
            if application:
                tracker.act("delete application %s" % name, client.delete_application, aws_retry=True,
                            applicationName=name)
                tracker.record("application", name, {"compute_platform": application.get("computePlatform")}, None)
        elif application is None:
            create = {"applicationName": name, "computePlatform": params["compute_platform"]}
            if params.get("tags"):
                create["tags"] = [{"Key": k, "Value": v} for k, v in params["tags"].items()]
            created = tracker.act("create application %s" % name, client.create_application, aws_retry=True, **create)
            wanted = {"compute_platform": params["compute_platform"], "tags": params.get("tags")}
            tracker.record("application", name, None, wanted)
            if created:
                result.update(application_id=created["applicationId"], arn=arn())
        else:
            platform = application.get("computePlatform") or "Server"
            if platform != params["compute_platform"]:
                module.fail_json(msg="compute_platform: application %s exists for %s, not %s; the platform of an "
                                     "application cannot change" % (name, platform, params["compute_platform"]))
            current = {"compute_platform": platform}
            wanted = dict(current)
            if params.get("tags") is not None:
                current["tags"] = read_tags(client, "codedeploy", arn())
                wanted["tags"] = ensure_tags(tracker, client, "codedeploy", arn(), current["tags"], params["tags"],
                                             params["purge_tags"])
            tracker.record("application", name, current, wanted)
            result.update(application_id=application.get("applicationId"), arn=arn())
    except Exception as exc:  # botocore ClientError / BotoCoreError
        module.fail_json_aws(exc, msg="Could not converge CodeDeploy application %s" % name)
    module.exit_json(changed=tracker.changed, actions=tracker.actions, diff=tracker.diff, **result)


if __name__ == "__main__":
    main()
