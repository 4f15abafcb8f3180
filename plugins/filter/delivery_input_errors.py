# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: delivery_input_errors
short_description: List what is wrong with the delivery role's variables
version_added: 0.2.0
description:
  - Checks the delivery tier's inputs on the controller, before any AWS API call, and returns
    one message per problem, each naming the variable to fix.
  - Checks project and environment names, the deployment style (in_place or blue_green), the in-place deployment configuration, the traffic shifting
    name (the guide's three), the blue/green wait times, the alarm names (at most ten, as CodeDeploy allows), the rollback events, the service role
    ARN, and the target group and bucket names.
positional: _input
options:
  _input:
    description: A dictionary of the delivery role's variables, keyed by variable name.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Stop before any API call when the delivery inputs are wrong
  ansible.builtin.assert:
    that: _errors | length == 0
    fail_msg: "{{ _errors | join('; ') }}"
  vars:
    _errors: "{{ {'delivery_deployment_style': 'rolling'} | webstack.aws.delivery_input_errors }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the inputs are sound.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.webstack.aws.plugins.module_utils.delivery_spec import delivery_input_errors


def _delivery_input_errors(settings):
    if not isinstance(settings, dict):
        raise AnsibleFilterError("delivery_input_errors expects a dictionary of the delivery role's variables")
    return delivery_input_errors(settings)


class FilterModule:
    def filters(self):
        return {"delivery_input_errors": _delivery_input_errors}
