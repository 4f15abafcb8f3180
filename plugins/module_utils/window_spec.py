# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks shared by the database and cache tiers: daily and weekly time windows, identifiers,
instance classes and engine parameter values.

Every function returns a list of messages, each starting with the label of the bad input (a
role variable or a module option), so that a user sees at once what to fix. Nothing here calls
AWS.
"""

from __future__ import annotations

import re

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
DAILY_RE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])$")
WEEKLY_RE = re.compile(r"^([a-z]{3}):([01][0-9]|2[0-3]):([0-5][0-9])-([a-z]{3}):([01][0-9]|2[0-3]):([0-5][0-9])$")
# Instance sizes of RDS and ElastiCache: micro ... 48xlarge, metal, metal-24xl.
SIZE = r"(nano|micro|small|medium|large|[0-9]{0,2}xlarge|metal(-[0-9]+xl)?)"
# The family has a generation digit: t3, m5d, r6g, x2iedn, r7gd.
FAMILY = r"[a-z][a-z0-9-]*[0-9][a-z0-9-]*"
RDS_CLASS_RE = re.compile(r"^db\.%s\.%s$" % (FAMILY, SIZE))
CACHE_NODE_RE = re.compile(r"^cache\.%s\.%s$" % (FAMILY, SIZE))
# RDS formulas such as {DBInstanceClassMemory*3/4} stand for a number in numeric parameters.
FORMULA_RE = re.compile(r"^\{.+\}$")
INTEGER_RE = re.compile(r"^-?[0-9]+$")
NUMBER_RE = re.compile(r"^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")


def daily_window(label, value, errors, min_minutes=30):
    """Parse HH:MM-HH:MM (UTC, may wrap midnight) into (start, end) minutes of the day."""
    match = DAILY_RE.match(value) if isinstance(value, str) else None
    if not match:
        errors.append("%s: %r is not a daily window such as 03:00-04:00 (hh24:mi-hh24:mi, UTC)" % (label, value))
        return None
    start = int(match.group(1)) * 60 + int(match.group(2))
    end = int(match.group(3)) * 60 + int(match.group(4))
    length = (end - start) % MINUTES_PER_DAY
    if length < min_minutes:
        errors.append("%s: %s must last at least %d minutes" % (label, value, min_minutes))
        return None
    return start, start + length


def weekly_window(label, value, errors, min_minutes=30):
    """Parse ddd:HH:MM-ddd:HH:MM (UTC) into (start, end) minutes of the week (Monday 00:00 = 0)."""
    text = value.lower() if isinstance(value, str) else value
    match = WEEKLY_RE.match(text) if isinstance(text, str) else None
    if not match or match.group(1) not in DAYS or match.group(4) not in DAYS:
        errors.append("%s: %r is not a weekly window such as sun:04:00-sun:05:00 (ddd:hh24:mi-ddd:hh24:mi, UTC)"
                      % (label, value))
        return None
    start = DAYS.index(match.group(1)) * MINUTES_PER_DAY + int(match.group(2)) * 60 + int(match.group(3))
    end = DAYS.index(match.group(4)) * MINUTES_PER_DAY + int(match.group(5)) * 60 + int(match.group(6))
    length = (end - start) % MINUTES_PER_WEEK
    if length < min_minutes:
        errors.append("%s: %s must last at least %d minutes" % (label, value, min_minutes))
        return None
    if length > MINUTES_PER_DAY:
        errors.append("%s: %s must not last more than 24 hours" % (label, value))
        return None
    return start, start + length


def windows_overlap(daily, weekly):
    """Whether a daily window (recurring every day) meets a weekly window.

    Both are half-open intervals: a backup window 03:00-04:00 and a maintenance window
    sun:04:00-sun:05:00 touch but do not overlap, which AWS accepts.
    """
    week_start, week_end = weekly
    for day in range(7):
        start = day * MINUTES_PER_DAY + daily[0]
        end = day * MINUTES_PER_DAY + daily[1]
        for shift in (-MINUTES_PER_WEEK, 0, MINUTES_PER_WEEK):
            if start < week_end + shift and week_start + shift < end:
                return True
    return False


def window_errors(daily_label, daily_value, weekly_label, weekly_value, daily_min=30, weekly_min=30):
    """Both windows well formed, long enough, and not overlapping."""
    errors = []
    daily = daily_window(daily_label, daily_value, errors, daily_min)
    weekly = weekly_window(weekly_label, weekly_value, errors, weekly_min)
    if daily and weekly and windows_overlap(daily, weekly):
        errors.append("%s: %s overlaps %s %s; AWS refuses overlapping windows"
                      % (daily_label, daily_value, weekly_label, weekly_value))
    return errors


def identifier_errors(label, value, max_length):
    """RDS instance and ElastiCache replication group identifiers: a letter first, then
    lowercase letters, digits and single hyphens, no hyphen at the end."""
    if not isinstance(value, str) or not value:
        return ["%s: must not be empty" % label]
    if len(value) > max_length:
        return ["%s: %s has %d characters; at most %d are allowed" % (label, value, len(value), max_length)]
    if not re.match(r"^[a-z][a-z0-9-]*$", value) or "--" in value or value.endswith("-"):
        return ["%s: %r must start with a letter and hold only lowercase letters, digits and single "
                "hyphens, not ending with a hyphen" % (label, value)]
    return []


def int_errors(label, value, low, high):
    """An integer (not a boolean) between low and high inclusive."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and INTEGER_RE.match(value.strip()):
            value = int(value)
        else:
            return ["%s: %r is not a whole number" % (label, value)]
    if not low <= value <= high:
        return ["%s: %s is out of range (%s-%s)" % (label, value, low, high)]
    return []


def as_int(value):
    """The integer a role variable stands for (templated values may arrive as strings), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and INTEGER_RE.match(value.strip()):
        return int(value)
    return None


def id_list_errors(label, values, prefix, minimum=1):
    """A list of AWS ids such as subnet-... or sg-..."""
    if not isinstance(values, list):
        return ["%s: must be a list of %s... ids" % (label, prefix)]
    errors = []
    if len(values) < minimum:
        errors.append("%s: needs at least %d id%s, got %d" % (label, minimum, "s" if minimum > 1 else "", len(values)))
    for index, value in enumerate(values):
        if not isinstance(value, str) or not re.match(r"^%s-[0-9a-f]+$" % re.escape(prefix), value):
            errors.append("%s[%d]: %r is not a %s-... id" % (label, index, value, prefix))
    return errors


def parameter_value_text(value, true="1", false="0"):
    """The text AWS keeps for a parameter value; booleans become true/false words of the engine."""
    if isinstance(value, bool):
        return true if value else false
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parameter_errors(label, parameters, known_types):
    """Check engine parameters given as a dict name -> scalar.

    known_types maps parameter names to ("int", low, high), ("number", low, high),
    ("bool",) or ("choice", [words]). Parameters that are not in the table are only checked to be
    scalars; the modules check them against the engine's own list before any write.
    """
    if not isinstance(parameters, dict):
        return ["%s: must be a dictionary of parameter name: value" % label]
    errors = []
    for name, value in parameters.items():
        where = "%s.%s" % (label, name)
        if value is None or isinstance(value, (dict, list)):
            errors.append("%s: %r is not a single value" % (where, value))
            continue
        kind = known_types.get(name)
        if kind is None:
            continue
        text = parameter_value_text(value).strip()
        if kind[0] in ("int", "number"):
            if isinstance(value, str) and FORMULA_RE.match(text):
                continue
            pattern = INTEGER_RE if kind[0] == "int" else NUMBER_RE
            if isinstance(value, bool) or not pattern.match(text):
                errors.append("%s: %r is not %s" % (where, value, "a whole number" if kind[0] == "int" else "a number"))
                continue
            number = float(text)
            if not kind[1] <= number <= kind[2]:
                errors.append("%s: %s is out of range (%s-%s)" % (where, text, kind[1], kind[2]))
        elif kind[0] == "bool":
            if text.lower() not in ("0", "1", "on", "off", "true", "false", "yes", "no"):
                errors.append("%s: %r is not a boolean (0 or 1)" % (where, value))
        elif kind[0] == "choice" and text not in kind[1]:
            errors.append("%s: %r must be one of %s" % (where, value, ", ".join(kind[1])))
    return errors


def aws_parameter_errors(label, name, value, definition):
    """Check one value against a parameter definition returned by AWS (DescribeEngineDefaultParameters,
    DescribeCacheParameters): its DataType, AllowedValues and IsModifiable."""
    if definition.get("IsModifiable") is False:
        return ["%s.%s: the engine does not allow changing this parameter" % (label, name)]
    data_type = (definition.get("DataType") or "").lower()
    allowed = definition.get("AllowedValues") or ""
    text = value.strip()
    if data_type in ("integer", "long") and not FORMULA_RE.match(text):
        if not INTEGER_RE.match(text):
            return ["%s.%s: %r is not a whole number (%s)" % (label, name, value, data_type)]
        ranges = re.match(r"^(-?[0-9]+)-(-?[0-9]+)$", allowed)
        if ranges and not int(ranges.group(1)) <= int(text) <= int(ranges.group(2)):
            return ["%s.%s: %s is out of range (%s)" % (label, name, text, allowed)]
    elif data_type in ("float", "double") and not FORMULA_RE.match(text):
        if not NUMBER_RE.match(text):
            return ["%s.%s: %r is not a number" % (label, name, value)]
    elif data_type in ("boolean", "string") and "," in allowed:
        words = [word.strip() for word in allowed.split(",")]
        # A list of words (ROW,STATEMENT,MIXED or yes,no), not numeric ranges such as 0,20-.
        if not any(re.match(r"^-?[0-9]*-[0-9]*$", word) for word in words) and text not in words:
            return ["%s.%s: %r must be one of %s" % (label, name, value, allowed)]
    return []


def same_parameter_value(current, desired):
    """AWS may keep 2 as 2.000000 or ON as 1; compare numbers as numbers and words without case."""
    if current is None:
        return False
    if current == desired:
        return True
    if NUMBER_RE.match(current.strip()) and NUMBER_RE.match(desired.strip()):
        return float(current) == float(desired)
    return current.strip().lower() == desired.strip().lower()


def version_satisfied(actual, desired):
    """Whether the running engine version is the one asked for or a newer patch of it.

    8.0.35 satisfies 8.0.35 and 8.0; 7.1.0 satisfies 7.1 and 7. A running version newer than the
    one asked (an automatic minor upgrade) also satisfies it: modules never downgrade.
    """
    if not actual or not desired:
        return True
    if actual == desired or actual.startswith(desired + "."):
        return True
    return version_tuple(actual) > version_tuple(desired)


def version_tuple(version):
    parts = []
    for piece in str(version).split("."):
        match = re.match(r"^([0-9]+)", piece)
        parts.append(int(match.group(1)) if match else 0)
    return tuple(parts)
