"""Venue intelligence: sensor events, occupancy, crowd-safety levels and alerts."""
