#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloudwatch_dashboard
short_description: Create, update or delete a CloudWatch dashboard
version_added: 0.2.0
description:
  - Puts a CloudWatch dashboard only when its body differs from the one stored, compared as JSON
    (key order and white space do not count), so a re-run makes one read call and no write.
  - CloudWatch dashboards are global (not regional) and cannot be tagged.
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  name:
    description: The dashboard's name (letters, digits, C(-) and C(_), up to 255 characters).
    type: str
    required: true
  state:
    description: V(present) puts the dashboard; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  body:
    description:
      - The dashboard body (a dictionary with C(widgets), as described in the CloudWatch
        dashboard body structure), or the same as a JSON string. Required with O(state=present).
    type: raw
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - CloudWatch validates the body when it is put; messages about widgets it could not validate
    are returned in RV(validation_messages) and failures fail the task.
"""

EXAMPLES = r"""
- name: A dashboard with the request count and the response time percentiles of an ALB
  webstack.aws.cloudwatch_dashboard:
    name: innobic-production
    body:
      widgets:
        - type: metric
          x: 0
          y: 0
          width: 12
          height: 6
          properties:
            title: Requests
            region: ap-southeast-1
            stat: Sum
            period: 300
            metrics:
              - [AWS/ApplicationELB, RequestCount, LoadBalancer, app/innobic-production-alb/0123456789abcdef]
        - type: metric
          x: 12
          y: 0
          width: 12
          height: 6
          properties:
            title: Response time
            region: ap-southeast-1
            period: 300
            metrics:
              - [AWS/ApplicationELB, TargetResponseTime, LoadBalancer, app/innobic-production-alb/0123456789abcdef, {stat: p50}]
              - ["...", {stat: p90}]
              - ["...", {stat: p99}]

- name: Delete it
  webstack.aws.cloudwatch_dashboard:
    name: innobic-production
    state: absent
"""

RETURN = r"""
dashboard_arn:
  description: The dashboard's ARN (null when absent, or in check mode for a new dashboard).
  returned: always
  type: str
  sample: arn:aws:cloudwatch::123456789012:dashboard/innobic-production
validation_messages:
  description: What CloudWatch said about the body when it was put.
  returned: always
  type: list
  elements: dict
actions:
  description: The writes made (or, in check mode, that would be made).
  returned: always
  type: list
  elements: str
"""

import json
import re

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import default_retry
from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker

NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


def parse_body(module):
    body = module.params.get("body")
    if isinstance(body, (str, bytes)):
        try:
            body = json.loads(to_text(body))
        except ValueError as exc:
            module.fail_json(msg="body: not valid JSON (%s)" % exc)
    if not isinstance(body, dict) or not isinstance(body.get("widgets"), list):
        module.fail_json(msg="body: must be a dashboard body, a dictionary with a list of widgets")
    return body


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        body=dict(type="raw"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True,
                              required_if=[("state", "present", ["body"])])
    name = module.params["name"]
    if not NAME_RE.match(name):
        module.fail_json(msg="name: %r must be 1-255 letters, digits, - or _" % name)
    body = parse_body(module) if module.params["state"] == "present" else None

    client = module.client("cloudwatch", retry_decorator=default_retry())
    tracker = ChangeTracker(module)
    try:
        current = client.get_dashboard(aws_retry=True, DashboardName=name)
    except is_boto3_error_code("ResourceNotFound"):
        current = None
    except Exception as exc:  # pylint: disable=duplicate-except
        module.fail_json_aws(exc, msg="Could not read dashboard %s" % name)

    before = json.loads(current["DashboardBody"]) if current else None
    arn = current["DashboardArn"] if current else None
    messages = []
    try:
        if module.params["state"] == "present":
            if before != body:
                verb = "update" if current else "create"
                answer = tracker.act("%s dashboard %s" % (verb, name), client.put_dashboard, aws_retry=True,
                                     DashboardName=name, DashboardBody=json.dumps(body, sort_keys=True))
                messages = (answer or {}).get("DashboardValidationMessages", [])
                if answer and not arn:
                    arn = client.get_dashboard(aws_retry=True, DashboardName=name)["DashboardArn"]
            tracker.record("dashboard", name, before, body)
        elif current:
            tracker.act("delete dashboard %s" % name, client.delete_dashboards, aws_retry=True, DashboardNames=[name])
            tracker.record("dashboard", name, before, None)
            arn = None
    except Exception as exc:  # botocore ClientError / BotoCoreError
        module.fail_json_aws(exc, msg="Could not converge dashboard %s" % name)
    module.exit_json(changed=tracker.changed, dashboard_arn=arn, validation_messages=messages,
                     actions=tracker.actions, diff=tracker.diff)


if __name__ == "__main__":
    main()
