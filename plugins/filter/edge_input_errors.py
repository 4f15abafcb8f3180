# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: edge_input_errors
short_description: List what is wrong with the edge role's variables
version_added: 0.2.0
description:
  - Checks the edge tier's inputs on the controller, before any AWS API call, and returns one
    message per problem, each naming the variable to fix.
  - Checks project and environment names; TLS on without a domain (C(edge_tls_enabled) and
    C(edge_domain)); a TLS policy that allows TLS older than 1.2; load balancer and target group
    names; the target port; the idle timeout; the health check (timeout shorter than the
    interval, thresholds, path, matcher); the WAF rate limit, window, admin allow-list and
    country codes; the CloudFront price class, bucket and behaviours; and that the network and
    security group tiers' outputs it needs are there.
positional: _input
options:
  _input:
    description: A dictionary of the edge role's variables (and the other tiers' facts it uses), keyed by variable name.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Stop before any API call when the edge inputs are wrong
  ansible.builtin.assert:
    that: _errors | length == 0
    fail_msg: "{{ _errors | join('; ') }}"
  vars:
    _errors: "{{ {'edge_tls_enabled': true, 'edge_domain': ''} | webstack.aws.edge_input_errors }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the inputs are sound.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.webstack.aws.plugins.module_utils.edge_spec import edge_input_errors


def _edge_input_errors(settings):
    if not isinstance(settings, dict):
        raise AnsibleFilterError("edge_input_errors expects a dictionary of the edge role's variables")
    return edge_input_errors(settings)


class FilterModule:
    def filters(self):
        return {"edge_input_errors": _edge_input_errors}
