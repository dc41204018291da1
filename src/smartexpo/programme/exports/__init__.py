"""The published programme as documents other software reads: iCalendar feeds (`ical`) for
calendar apps, and the frab schedule (`frab`, JSON and XML) for conference apps.

Every document is built from the latest release only (`selectors.published_programme`) and the
history of releases (`history`), never from the organisers' working copy, so a document changes
exactly when a release is published; the programme-wide ones are kept per release (`memo`).
docs/programme-feeds.md describes what each contains.
"""
