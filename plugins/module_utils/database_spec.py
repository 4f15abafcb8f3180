# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks for the database tier, shared by the rds_database module and the
database_input_errors filter (which the database role runs before any API call).

Every function returns a list of messages; each message starts with the name of the bad
variable (or module option).
"""

from __future__ import annotations

import re

from ansible_collections.webstack.aws.plugins.module_utils.network_spec import name_errors
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import RDS_CLASS_RE
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import as_int
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import id_list_errors
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import identifier_errors
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import int_errors
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import parameter_errors
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import window_errors

ENGINES = ("mysql", "postgres", "mongodb_atlas")
RDS_ENGINES = ("mysql", "mariadb", "postgres")
STORAGE_TYPES = ("gp2", "gp3", "io1", "io2")
# gp3 below this size runs at a fixed baseline; RDS refuses Iops/StorageThroughput there
# ("You can't specify IOPS or storage throughput for engine mysql and a storage size less than 400").
GP3_THRESHOLD_GIB = 400
GP3_BASELINE_IOPS = 3000
GP3_BASELINE_THROUGHPUT = 125
RESERVED_USERNAMES = {
    "mysql": {"rdsadmin", "root", "mysql.sys", "mysql.session", "mysql.infoschema"},
    "mariadb": {"rdsadmin", "root"},
    "postgres": {"rdsadmin", "rdsrepladmin", "rds_superuser", "public"},
}
# Types of the parameters the guides set, and of common neighbours; other names are checked
# by the module against the engine's own list (DescribeEngineDefaultParameters) before a write.
PARAMETER_TYPES = {
    "mysql": {
        "max_connections": ("int", 1, 100000),
        "innodb_buffer_pool_size": ("int", 5242880, 2 ** 64 - 1),
        "slow_query_log": ("bool",),
        "long_query_time": ("number", 0, 31536000),
        "general_log": ("bool",),
        "log_output": ("choice", ["TABLE", "FILE", "NONE"]),
        "wait_timeout": ("int", 1, 31536000),
        "max_allowed_packet": ("int", 1024, 1073741824),
        "character_set_server": ("choice", ["utf8mb4", "utf8", "latin1", "ascii", "binary"]),
    },
    "postgres": {
        "max_connections": ("int", 6, 262143),
        "shared_buffers": ("int", 16, 1073741823),
        "log_min_duration_statement": ("int", -1, 2147483647),
        "log_statement": ("choice", ["none", "ddl", "mod", "all"]),
        "work_mem": ("int", 64, 2147483647),
        "rds.force_ssl": ("bool",),
        "idle_in_transaction_session_timeout": ("int", 0, 2147483647),
    },
}
PARAMETER_TYPES["mariadb"] = PARAMETER_TYPES["mysql"]


def instance_class_errors(label, value):
    if not isinstance(value, str) or not RDS_CLASS_RE.match(value):
        return ["%s: %r is not an RDS instance class of the form db.<family>.<size>, such as db.t3.medium"
                % (label, value)]
    return []


def engine_version_errors(label, engine, version, family_label=None, family=None):
    """The version looks like the engine's (8.0.35, 16.4) and belongs to the parameter group family."""
    if not isinstance(version, str) or not re.match(r"^[0-9]+(\.[0-9]+){0,2}$", version):
        return ["%s: %r is not an engine version such as 8.0.35 or 16.4" % (label, version)]
    errors = []
    major = version.split(".")
    if family:
        if engine in ("mysql", "mariadb"):
            expected = "%s%s" % (engine, ".".join(major[:2]))
        else:
            expected = "postgres%s" % major[0]
        if family != expected:
            errors.append("%s: %s belongs to parameter group family %s, not %s %s"
                          % (family_label, version, expected, family_label, family))
    return errors


def storage_errors(labels, engine, storage_type, allocated, iops, throughput):
    """Sizes and gp3/io1/io2 performance settings that RDS accepts together.

    labels maps allocated/type/iops/throughput to the names to report.
    """
    errors = []
    if storage_type not in STORAGE_TYPES:
        errors.append("%s: %r must be one of %s" % (labels["type"], storage_type, ", ".join(STORAGE_TYPES)))
        return errors
    size_errors = int_errors(labels["allocated"], allocated, 20, 65536)
    if size_errors:
        return errors + size_errors
    allocated = as_int(allocated)
    iops_value = as_int(iops) if iops not in (None, "") else None
    throughput_value = as_int(throughput) if throughput not in (None, "") else None
    if iops not in (None, "") and iops_value is None:
        errors.append("%s: %r is not a whole number" % (labels["iops"], iops))
    if throughput not in (None, "") and throughput_value is None:
        errors.append("%s: %r is not a whole number" % (labels["throughput"], throughput))
    if errors:
        return errors
    if storage_type == "gp2":
        if iops_value is not None or throughput_value is not None:
            errors.append("%s/%s: gp2 storage takes neither; leave them empty (null) or use gp3"
                          % (labels["iops"], labels["throughput"]))
    elif storage_type == "gp3":
        if allocated < GP3_THRESHOLD_GIB:
            if iops_value not in (None, GP3_BASELINE_IOPS):
                errors.append("%s: gp3 below %d GiB (%s is %d) runs at the fixed baseline of %d IOPS; %d cannot be "
                              "provisioned" % (labels["iops"], GP3_THRESHOLD_GIB, labels["allocated"], allocated,
                                               GP3_BASELINE_IOPS, iops_value))
            if throughput_value not in (None, GP3_BASELINE_THROUGHPUT):
                errors.append("%s: gp3 below %d GiB (%s is %d) runs at the fixed baseline of %d MiB/s; %d cannot be "
                              "provisioned" % (labels["throughput"], GP3_THRESHOLD_GIB, labels["allocated"], allocated,
                                               GP3_BASELINE_THROUGHPUT, throughput_value))
        else:
            if iops_value is not None and not 12000 <= iops_value <= 64000:
                errors.append("%s: gp3 from %d GiB takes 12000-64000 IOPS, not %d"
                              % (labels["iops"], GP3_THRESHOLD_GIB, iops_value))
            if throughput_value is not None and not 500 <= throughput_value <= 4000:
                errors.append("%s: gp3 from %d GiB takes 500-4000 MiB/s, not %d"
                              % (labels["throughput"], GP3_THRESHOLD_GIB, throughput_value))
            if iops_value and throughput_value and throughput_value * 4 > iops_value:
                errors.append("%s: %d MiB/s is more than a quarter of %s (%d)"
                              % (labels["throughput"], throughput_value, labels["iops"], iops_value))
    else:  # io1, io2
        if iops_value is None:
            errors.append("%s: %s storage needs provisioned IOPS" % (labels["iops"], storage_type))
        elif not 1000 <= iops_value <= 256000:
            errors.append("%s: %s storage takes 1000-256000 IOPS, not %d" % (labels["iops"], storage_type, iops_value))
        elif not 0.5 * allocated <= iops_value <= 1000 * allocated:
            errors.append("%s: %d IOPS must lie between 0.5 and 1000 times %s (%d GiB)"
                          % (labels["iops"], iops_value, labels["allocated"], allocated))
        if throughput_value is not None:
            errors.append("%s: %s storage takes no throughput setting" % (labels["throughput"], storage_type))
    return errors


def username_errors(label, engine, value):
    if not isinstance(value, str) or not re.match(r"^[A-Za-z][A-Za-z0-9_]{0,15}$", value):
        return ["%s: %r must be 1-16 letters, digits or underscores, starting with a letter" % (label, value)]
    if value.lower() in RESERVED_USERNAMES.get(engine, set()):
        return ["%s: %s is reserved by RDS for %s" % (label, value, engine)]
    return []


def db_name_errors(label, engine, value):
    limit = 63 if engine == "postgres" else 64
    if not isinstance(value, str) or not re.match(r"^[A-Za-z][A-Za-z0-9_]{0,%d}$" % (limit - 1), value):
        return ["%s: %r must be 1-%d letters, digits or underscores, starting with a letter" % (label, value, limit)]
    return []


def backup_retention_errors(label, value, multi_az, environment):
    errors = int_errors(label, value, 0, 35)
    if not errors and as_int(value) == 0 and multi_az and environment == "production":
        errors.append("%s: 0 turns automated backups off; a Multi-AZ production database keeps at least 1 day" % label)
    return errors


def secret_name_errors(label, value):
    if not isinstance(value, str) or not re.match(r"^[A-Za-z0-9/_+=.@-]{1,512}$", value):
        return ["%s: %r must be 1-512 letters, digits or /_+=.@-" % (label, value)]
    return []


def database_input_errors(settings):
    """Check the database role's variables (a dict keyed by variable name)."""
    errors = []
    errors += name_errors("database_project", settings.get("database_project"))
    errors += name_errors("database_environment", settings.get("database_environment"))
    engine = settings.get("database_engine")
    if engine not in ENGINES:
        errors.append("database_engine: %r is not one of %s" % (engine, ", ".join(ENGINES)))
        return errors

    if engine == "mongodb_atlas":
        uri = settings.get("database_mongodb_uri")
        # Never echo the URI: it carries the database password.
        if not isinstance(uri, str) or not uri.startswith(("mongodb://", "mongodb+srv://")):
            errors.append("database_mongodb_uri: must be a mongodb:// or mongodb+srv:// URI (kept in a vault); "
                          "the value given is not")
        name = settings.get("database_mongodb_uri_parameter")
        if not isinstance(name, str) or not re.match(r"^/[A-Za-z0-9_.\-/]{1,1010}$", name):
            errors.append("database_mongodb_uri_parameter: %r must be an SSM parameter path such as "
                          "/illustra/production/mongodb-uri" % (name,))
        return errors

    errors += identifier_errors("database_identifier", settings.get("database_identifier"), 63)
    errors += instance_class_errors("database_instance_class", settings.get("database_instance_class"))
    errors += engine_version_errors("database_engine_version", engine, settings.get("database_engine_version"),
                                    "database_parameter_group_family", settings.get("database_parameter_group_family"))
    errors += storage_errors({"allocated": "database_allocated_storage", "type": "database_storage_type",
                              "iops": "database_iops", "throughput": "database_storage_throughput"},
                             engine, settings.get("database_storage_type"), settings.get("database_allocated_storage"),
                             settings.get("database_iops"), settings.get("database_storage_throughput"))
    errors += backup_retention_errors("database_backup_retention", settings.get("database_backup_retention"),
                                      settings.get("database_multi_az"), settings.get("database_environment"))
    errors += window_errors("database_backup_window", settings.get("database_backup_window"),
                            "database_maintenance_window", settings.get("database_maintenance_window"))
    errors += int_errors("database_port", settings.get("database_port"), 1150, 65535)
    errors += username_errors("database_master_username", engine, settings.get("database_master_username"))
    errors += db_name_errors("database_name", engine, settings.get("database_name"))
    errors += id_list_errors("database_subnet_ids", settings.get("database_subnet_ids"), "subnet", minimum=2)
    errors += id_list_errors("database_security_group_ids", settings.get("database_security_group_ids"), "sg")
    errors += secret_name_errors("database_secret_name", settings.get("database_secret_name"))
    errors += parameter_errors("database_parameters", settings.get("database_parameters"),
                               PARAMETER_TYPES.get(engine, {}))
    if not isinstance(settings.get("database_storage_encrypted"), bool):
        errors.append("database_storage_encrypted: %r is not true or false" % (settings.get("database_storage_encrypted"),))
    elif settings.get("database_kms_key_id") and not settings.get("database_storage_encrypted"):
        errors.append("database_kms_key_id: a KMS key needs database_storage_encrypted: true")
    return errors
