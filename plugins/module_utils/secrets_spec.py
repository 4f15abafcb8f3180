# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secret generators and input checks for the secrets tier, shared by the app_secrets module
and the secrets_input_errors filter (which the secrets role runs before any API call). No
message ever holds a secret value; each starts with the name of the bad variable or option."""

from __future__ import annotations

import base64
import re
import secrets
import string

from ansible_collections.webstack.aws.plugins.module_utils.network_spec import name_errors
from ansible_collections.webstack.aws.plugins.module_utils.security_groups_spec import app_errors

GENERATORS = ("password", "laravel_app_key", "hex", "base64", "none")
SSM_PATH_RE = re.compile(r"^(/[A-Za-z0-9_.-]+)+$")
SETTING_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
SECRET_PREFIX_RE = re.compile(r"^[A-Za-z0-9_+=.@-]+(/[A-Za-z0-9_+=.@-]+)*$")
JSON_KEY_RE = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
# Letters and digits only: safe in MySQL and PostgreSQL passwords, Redis AUTH tokens
# (ElastiCache refuses @, ", / and spaces), URLs and shell lines.
PASSWORD_ALPHABET = string.ascii_letters + string.digits
LENGTH_RANGE = (16, 128)


def generate(kind, length=32):
    """A new random value (from the operating system's CSPRNG)."""
    if kind == "password":
        while True:
            value = "".join(secrets.choice(PASSWORD_ALPHABET) for _index in range(length))
            if any(c.islower() for c in value) and any(c.isupper() for c in value) and any(c.isdigit() for c in value):
                return value
    if kind == "laravel_app_key":  # what `php artisan key:generate` writes: 32 random bytes
        return "base64:" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")
    if kind == "hex":
        return secrets.token_hex(length)
    if kind == "base64":
        return base64.b64encode(secrets.token_bytes(length)).decode("ascii")
    raise ValueError("cannot generate %r" % kind)


def setting_errors(label, setting, has_value):
    """Check one setting of app_secrets (has_value: whether a value was given, never the value)."""
    errors = []
    name = setting.get("name")
    if not isinstance(name, str) or not SETTING_NAME_RE.match(name):
        errors.append("%s.name: %r must be 1-128 letters, digits, dots, hyphens or underscores" % (label, name))
    generator = setting.get("generate", "password")
    if generator not in GENERATORS:
        errors.append("%s.generate: %r must be one of %s" % (label, generator, ", ".join(GENERATORS)))
    elif generator == "none" and not has_value:
        errors.append("%s: no value and generate=none; give a value or a generator" % label)
    length = setting.get("length", 32)
    if generator in ("password", "hex", "base64") and (not isinstance(length, int)
                                                       or not LENGTH_RANGE[0] <= length <= LENGTH_RANGE[1]):
        errors.append("%s.length: %r must be between %d and %d" % ((label, length) + LENGTH_RANGE))
    if not setting.get("ssm", True) and not setting.get("secret"):
        errors.append("%s: stored nowhere; set ssm true or name a secret" % label)
    secret = setting.get("secret")
    if secret and not SECRET_PREFIX_RE.match(secret):
        errors.append("%s.secret: %r may hold only letters, digits and /_+=.@-" % (label, secret))
    key = setting.get("secret_key")
    if key and not JSON_KEY_RE.match(key):
        errors.append("%s.secret_key: %r must be 1-128 letters, digits, dots, hyphens or underscores" % (label, key))
    return errors


def path_errors(label, value):
    if not isinstance(value, str) or not SSM_PATH_RE.match(value) or len(value) > 900:
        return ["%s: %r must be a parameter path such as /innobic/production (no trailing /)" % (label, value)]
    if value.lower().startswith(("/aws", "/ssm")):
        return ["%s: %r must not start with /aws or /ssm (AWS reserves them)" % (label, value)]
    return []


def prefix_errors(label, value):
    if not isinstance(value, str) or not SECRET_PREFIX_RE.match(value):
        return ["%s: %r must be a name prefix such as innobic/production (letters, digits, /_+=.@-; no trailing /)"
                % (label, value)]
    return []


def secrets_input_errors(settings):
    """Check the secrets role's variables (a dict keyed by variable name). Only whether a
    setting has a value is looked at; no message holds a value."""
    errors = []
    errors += name_errors("secrets_project", settings.get("secrets_project"))
    errors += name_errors("secrets_environment", settings.get("secrets_environment"))
    errors += app_errors("secrets_app", settings.get("secrets_app"))
    errors += path_errors("secrets_ssm_path", settings.get("secrets_ssm_path"))
    errors += prefix_errors("secrets_name_prefix", settings.get("secrets_name_prefix"))
    if not isinstance(settings.get("secrets_overwrite"), bool):
        errors.append("secrets_overwrite: %r must be true or false" % settings.get("secrets_overwrite"))
    extra = settings.get("secrets_extra_settings")
    if not isinstance(extra, list):
        errors.append("secrets_extra_settings: must be a list of settings (name, generate, length, ssm, secret, secret_key)")
        extra = []
    for index, setting in enumerate(extra):
        if not isinstance(setting, dict):
            errors.append("secrets_extra_settings[%d]: must be a dictionary" % index)
            continue
        errors += setting_errors("secrets_extra_settings[%d]" % index, setting, setting.get("value") not in (None, ""))
    names = settings.get("secrets_setting_names") or []
    for name in sorted({n for n in names if names.count(n) > 1}):
        errors.append("secrets_extra_settings: setting %s is defined twice (it is also a built-in setting)" % name)
    length = settings.get("secrets_password_length")
    if not isinstance(length, int) or not LENGTH_RANGE[0] <= length <= LENGTH_RANGE[1]:
        errors.append("secrets_password_length: %r must be between %d and %d" % ((length,) + LENGTH_RANGE))
    window = settings.get("secrets_recovery_window_days")
    if not isinstance(window, int) or not 7 <= window <= 30:
        errors.append("secrets_recovery_window_days: %r must be between 7 and 30" % window)
    return errors
