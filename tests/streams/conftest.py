"""A recorded stream drives check-in and venue intelligence: their fixtures serve here too."""

from tests.crowd.conftest import all_zones_sensor, scanner, types

__all__ = ["all_zones_sensor", "scanner", "types"]
