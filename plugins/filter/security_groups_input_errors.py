# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: security_groups_input_errors
short_description: List what is wrong with the security_groups role's variables
version_added: 0.2.0
description:
  - Checks the security_groups tier's inputs on the controller, before any AWS API call, and returns
    one message per problem, each naming the variable to fix.
  - Checks project and environment names, the application profile, the VPC id, the ports, the
    load balancer's CIDR blocks, and the SSH CIDR blocks, refusing 0.0.0.0/0, ::/0 and anything
    wider than /8 (IPv4) or /16 (IPv6).
positional: _input
options:
  _input:
    description: A dictionary of the security_groups role's variables, keyed by variable name.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Stop before any API call when the security_groups inputs are wrong
  ansible.builtin.assert:
    that: _errors | length == 0
    fail_msg: "{{ _errors | join('; ') }}"
  vars:
    _errors: "{{ {'security_groups_ssh_cidrs': ['0.0.0.0/0']} | webstack.aws.security_groups_input_errors }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the inputs are sound.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.webstack.aws.plugins.module_utils.security_groups_spec import security_groups_input_errors


def _security_groups_input_errors(settings):
    if not isinstance(settings, dict):
        raise AnsibleFilterError("security_groups_input_errors expects a dictionary of the security_groups role's variables")
    return security_groups_input_errors(settings)


class FilterModule:
    def filters(self):
        return {"security_groups_input_errors": _security_groups_input_errors}
