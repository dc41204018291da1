"""A visitor's networking profile, changed after registering through their manage token.

The profile (phone, company, job title, sectors, technology tags, intents) and `share`, the
visitor's consent to give some of it to an exhibitor who scans their ticket, are set when
registering (`registration_clean.profile_clean` judges them there too) and changed here, by
the page behind the manage link or `PATCH …/registrations/{id}`. A narrower `share` applies
to whatever reads it afterwards: leads show the shared fields as they are when read.
"""

from __future__ import annotations

from smartexpo.core.errors import SmartExpoError, invalid, not_found
from smartexpo.tickets.catalogue import catalogue_for
from smartexpo.tickets.models import Registration, RegistrationStatus
from smartexpo.tickets.registration_clean import (
    MAX_INTERESTS,
    PROFILE_FIELDS,
    PROFILE_TEXTS,
    codes_clean,
    profile_clean,
)

# What a visitor may change: the profile, and the technology tags (`interests`).
EDITABLE = (*PROFILE_FIELDS, "interests")
# A cancelled or declined registration keeps what it had: nobody is to scan it any more.
OPEN_STATUSES = (RegistrationStatus.ACTIVE, RegistrationStatus.PENDING)


def profile_update(*, registration: Registration, changes: dict) -> Registration:
    """Change the fields of the profile named in `changes` (of `EDITABLE`; None clears one);
    the others keep their values. Returns the registration as stored afterwards.

    Refusals: `invalid` (422, every field at fault, nothing changed); `registration_closed`
    (409, `detail.status`) for a cancelled or declined registration; `not_found` for one whose
    personal data was erased (its manage token no longer works either). The change is one
    conditional UPDATE, so a cancellation or erasure at the same instant wins or loses whole."""
    if unknown := set(changes) - set(EDITABLE):
        raise TypeError(f"not profile fields: {', '.join(sorted(unknown))}")
    catalogue = catalogue_for(registration.expo)
    # None clears: a blank text, an empty list.
    given = {
        name: ("" if name in PROFILE_TEXTS else []) if value is None else value
        for name, value in changes.items()
    }
    errors: dict[str, str] = {}
    values = profile_clean(catalogue, given, errors)
    if "interests" in given:
        values["interests"] = codes_clean(
            given["interests"], "interests", catalogue.tags, MAX_INTERESTS, errors
        )
    if errors:
        raise invalid(errors)
    still_open = Registration.objects.filter(
        pk=registration.pk, status__in=OPEN_STATUSES, erased_at__isnull=True
    )
    if not (still_open.update(**values) if values else still_open.exists()):
        current = Registration.objects.filter(pk=registration.pk).first()
        if current is None or current.erased_at is not None:
            raise not_found("registration")
        raise SmartExpoError(
            "registration_closed",
            "This registration is cancelled or declined: its profile can no longer change.",
            {"status": current.status},
        )
    registration.refresh_from_db()
    return registration
