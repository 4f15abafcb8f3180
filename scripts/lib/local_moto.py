"""The local AWS: moto's server with corrections where moto 5.2.5 answers unlike AWS.

Each correction makes the stand-in behave as the real API is documented to; the collection's
modules are the same code that runs against AWS. Remove a correction once moto is fixed (the
companion tests in tests/integration name the moto behaviour they work around).

1. SES: moto keeps only the last event destination of a configuration set (and refuses a
   destination name that another set uses), and DescribeConfigurationSet leaves out
   ReputationOptions. Real SES keeps every destination and answers ReputationOptions.
2. RDS: moto refuses a backup window that merely touches the maintenance window (03:00-04:00
   and sun:04:00-sun:05:00, the Laravel guide's pair) as overlapping; AWS accepts windows that
   share only their boundary.

    python scripts/lib/local_moto.py -H 127.0.0.1 -p 4566
"""

# pylint: disable=import-error
import sys

from moto.core.responses import ActionResult
from moto.rds import utils as rds_utils
from moto.ses import models, responses
from moto.ses.exceptions import ConfigurationSetDoesNotExist, EventDestinationAlreadyExists


def _destinations(backend):
    if not hasattr(backend, "fixed_event_destinations"):
        backend.fixed_event_destinations = {}
    return backend.fixed_event_destinations


def create_configuration_set_event_destination(self, configuration_set_name, event_destination):
    if self.config_sets.get(configuration_set_name) is None:
        raise ConfigurationSetDoesNotExist("Invalid Configuration Set Name.")
    destinations = _destinations(self).setdefault(configuration_set_name, {})
    if event_destination["Name"] in destinations:
        raise EventDestinationAlreadyExists("Duplicate Event destination Name.")
    destinations[event_destination["Name"]] = event_destination


original_delete = models.SESBackend.delete_configuration_set


def delete_configuration_set(self, configuration_set_name):
    original_delete(self, configuration_set_name)
    _destinations(self).pop(configuration_set_name, None)


def describe_configuration_set(self):
    name = self._get_param("ConfigurationSetName")
    config_set = self.backend.describe_configuration_set(name)
    attributes = self._get_param("ConfigurationSetAttributeNames", [])
    result = {"ConfigurationSet": {"Name": name}}
    if "eventDestinations" in attributes:
        result["EventDestinations"] = list(_destinations(self.backend).get(name, {}).values())
    if "reputationOptions" in attributes:
        sending = config_set.enabled  # v2 stores SendingOptions here as a dict, v1 nothing
        sending = sending.get("SendingEnabled", True) if isinstance(sending, dict) else bool(sending)
        result["ReputationOptions"] = {
            "SendingEnabled": sending,
            "ReputationMetricsEnabled": bool((config_set.reputation_options or {}).get("ReputationMetricsEnabled")),
        }
    return ActionResult(result)


models.SESBackend.create_configuration_set_event_destination = create_configuration_set_event_destination
models.SESBackend.delete_configuration_set = delete_configuration_set
responses.EmailResponse.describe_configuration_set = describe_configuration_set


original_overlap = rds_utils.get_overlap_between_two_date_ranges


def overlap_excluding_shared_boundary(start_time_1, end_time_1, start_time_2, end_time_2):
    overlap = original_overlap(start_time_1, end_time_1, start_time_2, end_time_2)
    return -1 if overlap == 0 else overlap


rds_utils.get_overlap_between_two_date_ranges = overlap_excluding_shared_boundary


if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
