"""What the venue tells the apps above it, which it may not import.

`zone_thresholds_changed` is sent after a zone's safe capacity or area was changed and saved
(`sender` the zone's class, `zone` the zone). Venue intelligence listens: its alert thresholds
come from these figures, so it recomputes the zone's history. A receiver returns a short text
for the organiser who made the change (or None); the admin shows it.
"""

from django.dispatch import Signal

zone_thresholds_changed = Signal()
