# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: observability_input_errors
short_description: List what is wrong with the observability role's variables
version_added: 0.2.0
description:
  - Checks the observability tier's inputs on the controller, before any AWS API call, and returns
    one message per problem, each naming the variable to fix.
  - Checks project and environment names, the application profile, alarm keys, thresholds (percentages within 0-100, counts and times above 0), alarm
    periods, the billing period and currency, SNS subscriptions (protocol, e-mail address, URL, ARN), log group names and the log retention (only the
    values CloudWatch Logs accepts), and the ALB and target group ARNs.
positional: _input
options:
  _input:
    description: A dictionary of the observability role's variables, keyed by variable name.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Stop before any API call when the observability inputs are wrong
  ansible.builtin.assert:
    that: _errors | length == 0
    fail_msg: "{{ _errors | join('; ') }}"
  vars:
    _errors: "{{ {'observability_log_retention_days': 45} | webstack.aws.observability_input_errors }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the inputs are sound.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.webstack.aws.plugins.module_utils.observability_spec import observability_input_errors


def _observability_input_errors(settings):
    if not isinstance(settings, dict):
        raise AnsibleFilterError("observability_input_errors expects a dictionary of the observability role's variables")
    return observability_input_errors(settings)


class FilterModule:
    def filters(self):
        return {"observability_input_errors": _observability_input_errors}
