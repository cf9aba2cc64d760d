"""The data catalogue: sourced tables with units, validated on load."""

from planner.catalogue.load import Catalogue, data_version, default_data_dir, load_catalogue
from planner.catalogue.tables import EU27, TABLES

__all__ = ["Catalogue", "EU27", "TABLES", "data_version", "default_data_dir", "load_catalogue"]
