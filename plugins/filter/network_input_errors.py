# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: network_input_errors
short_description: List what is wrong with the network role's variables
version_added: 0.1.0
description:
  - Checks the network tier's inputs on the controller, before any AWS API call, and returns
    one message per problem, each naming the variable to fix.
  - Checks project and environment names, malformed CIDR blocks, subnets outside the VPC block,
    overlapping subnets, availability zones outside the region or fewer than the subnets need,
    and the NAT gateway mode.
positional: _input
options:
  _input:
    description: A dictionary of the network role's variables, keyed by variable name.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Stop before any API call when the network inputs are wrong
  ansible.builtin.assert:
    that: _errors | length == 0
    fail_msg: "{{ _errors | join('; ') }}"
  vars:
    _errors: "{{ {'network_vpc_cidr': '10.0.0.0/16', 'network_public_subnets': ['10.1.0.0/24']} | webstack.aws.network_input_errors }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the inputs are sound.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.webstack.aws.plugins.module_utils.network_spec import network_input_errors


def _network_input_errors(settings):
    if not isinstance(settings, dict):
        raise AnsibleFilterError("network_input_errors expects a dictionary of the network role's variables")
    return network_input_errors(settings)


class FilterModule:
    def filters(self):
        return {"network_input_errors": _network_input_errors}
