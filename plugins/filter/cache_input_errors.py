# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: cache_input_errors
short_description: List what is wrong with the cache role's variables
version_added: 0.2.0
description:
  - Checks the cache tier's inputs on the controller, before any AWS API call, and returns one
    message per problem, each naming the variable to fix.
  - Checks the engine, the node type (cache.<family>.<size>), the engine version against the
    parameter group family, replicas with automatic failover and Multi-AZ, snapshot retention
    (0-35), snapshot and maintenance windows (well formed, at least an hour, not overlapping), the
    port, subnet and security group ids, the secret's name and the types of known parameters.
positional: _input
options:
  _input:
    description: A dictionary of the cache role's variables, keyed by variable name.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Stop before any API call when the cache inputs are wrong
  ansible.builtin.assert:
    that: _errors | length == 0
    fail_msg: "{{ _errors | join('; ') }}"
  vars:
    _errors: "{{ cache_inputs | webstack.aws.cache_input_errors }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the inputs are sound.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.webstack.aws.plugins.module_utils.cache_spec import cache_input_errors


def _cache_input_errors(settings):
    if not isinstance(settings, dict):
        raise AnsibleFilterError("cache_input_errors expects a dictionary of the cache role's variables")
    return cache_input_errors(settings)


class FilterModule:
    def filters(self):
        return {"cache_input_errors": _cache_input_errors}
