# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: compute_input_errors
short_description: List what is wrong with the compute role's variables
version_added: 0.2.0
description:
  - Checks the compute tier's inputs on the controller, before any AWS API call, and returns one
    message per problem, each naming the variable to fix.
  - Checks project and environment names; the instance type; min, max and desired capacity
    (min not above max, desired within them); the OS or AMI id; the root volume size; the
    metadata hop limit; the health check settings; the CPU target; scheduled actions (cron,
    time zone, sizes); user data that looks like it holds a secret or holds one of
    C(compute_user_data_forbidden_values); and that the other tiers' outputs it needs are there.
positional: _input
options:
  _input:
    description: A dictionary of the compute role's variables (and the other tiers' facts it uses), keyed by variable name.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Stop before any API call when the compute inputs are wrong
  ansible.builtin.assert:
    that: _errors | length == 0
    fail_msg: "{{ _errors | join('; ') }}"
  vars:
    _errors: "{{ {'compute_min_size': 3, 'compute_max_size': 2} | webstack.aws.compute_input_errors }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the inputs are sound.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.webstack.aws.plugins.module_utils.compute_spec import compute_input_errors


def _compute_input_errors(settings):
    if not isinstance(settings, dict):
        raise AnsibleFilterError("compute_input_errors expects a dictionary of the compute role's variables")
    return compute_input_errors(settings)


class FilterModule:
    def filters(self):
        return {"compute_input_errors": _compute_input_errors}
