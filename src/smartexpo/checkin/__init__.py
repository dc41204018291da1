"""Gate check-in: scanner devices, online and offline scans, the check-in log.

This package's `__init__` imports nothing: `smartexpo.checkin.offline` must load without
Django (a scanner app needs only `cryptography`)."""
