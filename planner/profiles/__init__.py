"""Hourly reference-year profiles per site, and importers of external hourly data."""
