"""Operator CLI (`retrovue ...`): configures the station, never plays anything."""
