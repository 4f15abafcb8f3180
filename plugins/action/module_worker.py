# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of this collection's modules (meta/runtime.yml routes them here).

It is ansible.builtin.normal, with one difference: on the controller itself (connection local,
no become, not async, a known Python interpreter) the module runs in a pre-warmed worker
process (plugin_utils/module_worker.py) instead of a new Python interpreter fed an AnsiballZ
payload. Everything else (arguments, module_defaults, check mode, diff, no_log, environment,
result parsing) is Ansible's own. Set the variable webstack_aws_module_worker to false to run
every module the usual way; if the worker cannot start, modules run the usual way as well.
"""

from __future__ import annotations

import json
import os
import shlex

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.executor.interpreter_discovery import InterpreterDiscoveryRequiredError
from ansible.executor.module_common import _BuiltModule
from ansible.executor.module_common import _get_shebang
from ansible.module_utils.ansible_release import __version__ as ansible_version
from ansible.module_utils.common.json import Direction
from ansible.module_utils.common.json import get_module_encoder
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.collection_loader import AnsibleCollectionConfig
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.webstack.aws.plugins.plugin_utils import module_worker

display = Display()

# Modules without METADATA (all of this collection's) are serialized with this profile.
SERIALIZATION_PROFILE = "legacy"


class ActionModule(ActionBase):

    _supports_check_mode = True
    _supports_async = True

    # (interpreter argv, shebang) of the worker this task uses, or None to run the usual way
    _worker = None

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        task_vars = task_vars or {}

        wrap_async = self._task.async_val and not self._connection.has_native_async
        self._worker = self._find_worker(task_vars) if self._worker_applies(task_vars, wrap_async) else None

        result = merge_hash(result, self._execute_module(task_vars=task_vars, wrap_async=wrap_async))

        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _worker_applies(self, task_vars, wrap_async):
        wanted = self._templar.template(task_vars.get("webstack_aws_module_worker", True))
        return bool(
            boolean(wanted, strict=False)
            and not wrap_async
            and self._connection.transport == "local"
            and not self._connection.become
            and not C.DEFAULT_KEEP_REMOTE_FILES
            and hasattr(os, "fork")
        )

    def _worker_arguments(self):
        return {
            "owner_pid": os.getppid(),  # the ansible-playbook process: the worker lives as long as it
            "ansible_version": ansible_version,
            "collection_paths": list(AnsibleCollectionConfig.collection_paths),
            "preload_collections": ["webstack.aws"],
        }

    def _find_worker(self, task_vars):
        """The running worker for the host's interpreter (started if needed), or None."""
        use_vars = task_vars.get("ansible_delegated_vars", {}).get(self._task.delegate_to, {}) if self._task.delegate_to else task_vars
        try:
            shebang = _get_shebang("/usr/bin/python", use_vars, self._templar)[0]
        except InterpreterDiscoveryRequiredError:  # Ansible's own path discovers the interpreter
            return None
        interpreter = shlex.split(shebang[2:].strip())
        try:
            module_worker.ensure(interpreter, self._worker_arguments())
        except module_worker.WorkerUnavailable as error:
            display.warning("The webstack.aws module worker is unavailable (%s); modules run the usual way." % error)
            return None
        return interpreter, shebang

    def _is_pipelining_enabled(self, module_style, wrap_async=False):
        # The worker takes the module as `python -` takes a payload on stdin: no file is written.
        if self._worker and module_style == "new" and not wrap_async:
            return True
        return super()._is_pipelining_enabled(module_style, wrap_async)

    def _configure_module(self, module_name, module_args, task_vars):
        """For the worker: the module's import name and its encoded arguments, not an AnsiballZ."""
        found = self._shared_loader_obj.module_loader.find_plugin_with_context(
            module_name, ".py", collection_list=self._task.collections) if self._worker else None
        fqcn_parts = (found.resolved_fqcn or "").split(".") if found and found.resolved else []
        if len(fqcn_parts) != 3 or not found.plugin_resolved_path.endswith(".py"):
            self._worker = None
            return super()._configure_module(module_name, module_args, task_vars)
        encoder = get_module_encoder(SERIALIZATION_PROFILE, Direction.CONTROLLER_TO_MODULE)
        request = {
            "module_fqn": "ansible_collections.%s.%s.plugins.modules.%s" % tuple(fqcn_parts),
            "profile": SERIALIZATION_PROFILE,
            "params": json.dumps({"ANSIBLE_MODULE_ARGS": module_args}, cls=encoder),
        }
        built = _BuiltModule(b_module_data=json.dumps(request).encode(), module_style="new", shebang=self._worker[1],
                             serialization_profile=SERIALIZATION_PROFILE)
        return built, found.plugin_resolved_path

    def _low_level_execute_command(self, cmd, sudoable=True, in_data=None, executable=None,
                                   encoding_errors="surrogate_then_replace", chdir=None):
        if not (self._worker and in_data):
            return super()._low_level_execute_command(cmd, sudoable=sudoable, in_data=in_data, executable=executable,
                                                      encoding_errors=encoding_errors, chdir=chdir)
        environment = {}
        self._compute_environment_string(environment)
        full_environment = dict(os.environ)
        full_environment.update({str(key): str(value) for key, value in environment.items()})
        try:
            rc, stdout, stderr = module_worker.run(self._worker[0], in_data, full_environment,
                                                   to_text(self._loader.get_basedir()), self._worker_arguments())
        except module_worker.WorkerUnavailable as error:
            # It answered a moment ago (_find_worker); the module did not start.
            raise AnsibleError("The webstack.aws module worker went away before %s started (%s); set "
                               "webstack_aws_module_worker: false to run modules without it." % (self._task.action, error)) from None
        except EOFError:
            rc, stdout, stderr = 1, b"", b"the webstack.aws module worker lost the module's process"
        display.vvv("webstack.aws module worker ran %s (rc=%s)" % (self._task.action, rc), host=self._play_context.remote_addr)
        out = to_text(stdout, errors=encoding_errors)
        err = to_text(stderr, errors=encoding_errors)
        return dict(rc=rc, stdout=out, stdout_lines=out.splitlines(), stderr=err, stderr_lines=err.splitlines())
