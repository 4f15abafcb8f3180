"""Check that every task of a role that hands a secret to a module has no_log: true.

Usage: check_no_log.py ROLE_DIR VARIABLE [VARIABLE ...]

A task carries a secret when its module arguments or its environment name one of the
variables, or when it renders a template of the role (its src, or the default of the variable
its src names) whose text names one. Prints one line per such task; exits 1 when one of them
lacks no_log: true, or when no task carries the variables at all (the check would prove nothing).
"""

import glob
import os
import re
import sys

import yaml

NOT_MODULE_KEYS = {
    "name", "when", "vars", "loop", "loop_control", "register", "notify", "listen", "no_log",
    "changed_when", "failed_when", "until", "retries", "delay", "tags", "become", "become_user",
    "check_mode", "environment", "block", "rescue", "always", "ignore_errors", "delegate_to",
    "run_once", "args",
}


def tasks_of(items):
    for item in items or []:
        if not isinstance(item, dict):
            continue
        if "block" in item:
            for key in ("block", "rescue", "always"):
                yield from tasks_of(item.get(key))
        else:
            yield item


def module_of(task):
    for key, value in task.items():
        if key not in NOT_MODULE_KEYS:
            return key, value
    return None, None


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    role_dir, variables = argv[1], argv[2:]
    with open(os.path.join(role_dir, "defaults", "main.yml"), encoding="utf-8") as handle:
        defaults = yaml.safe_load(handle) or {}
    templates = {}
    for path in glob.glob(os.path.join(role_dir, "templates", "*")):
        with open(path, encoding="utf-8") as handle:
            templates[os.path.basename(path)] = handle.read()

    def template_text(src):
        named = re.fullmatch(r"\{\{\s*(\w+)\s*\}\}", str(src).strip())
        if named:
            src = defaults.get(named.group(1), "")
        return templates.get(str(src), "")

    carried, failures = 0, 0
    for path in sorted(glob.glob(os.path.join(role_dir, "tasks", "*.yml"))):
        with open(path, encoding="utf-8") as handle:
            tasks = yaml.safe_load(handle)
        for task in tasks_of(tasks):
            module, args = module_of(task)
            if module is None:
                continue
            if module.endswith("assert") and isinstance(args, dict):
                # The condition is evaluated, never printed; only the messages are output.
                args = {key: value for key, value in args.items() if key != "that"}
            text = yaml.safe_dump([args, task.get("environment")])
            if module.endswith(".template") and isinstance(args, dict):
                text += template_text(args.get("src", ""))
            if not any(variable in text for variable in variables):
                continue
            carried += 1
            hidden = task.get("no_log") is True
            failures += not hidden
            print(f"{'no_log' if hidden else 'MISSING no_log'}: {os.path.basename(path)}: {task.get('name')}")
    if carried == 0:
        print(f"no task of {role_dir} carries {', '.join(variables)}")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
