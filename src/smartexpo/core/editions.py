"""One rule for every relation that points into an edition: an object links only to objects of
its own edition.

Zones, gates, booths, ticket types and exhibitors all belong to one edition (their `expo`), and
the editions of a series reuse the same codes and names, so a link into another edition looks
right and is wrong. The rule is read off the models, not listed by hand: a relation is
*edition-bound* when the model it points at has an `expo` foreign key to the edition model. A
new model or relation is covered the day it is added.

`edition_errors` is the rule; `EditionBound` runs it in a model's `full_clean` (the admin and
any other form or service that validates models); `smartexpo.core.admin` narrows the admin's
choices with the same `edition_links`. Core sits below the venue app, so the edition model is
named by its label, never imported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

EDITION_MODEL = "venue.Expo"
EDITION_FIELD = "expo"


def has_edition(model: type[models.Model]) -> bool:
    """Whether `model` belongs to one edition: it has an `expo` foreign key to the edition."""
    try:
        field = model._meta.get_field(EDITION_FIELD)
    except FieldDoesNotExist:
        return False
    return bool(field.is_relation and field.related_model._meta.label == EDITION_MODEL)


def edition_links(model: type[models.Model]) -> list[models.Field]:
    """The forward relations of `model` (foreign keys, one-to-ones, many-to-manys) that point
    at a model of one edition, in declaration order; the edition field itself is not one."""
    return [
        field
        for field in (*model._meta.fields, *model._meta.many_to_many)
        if field.is_relation
        and field.name != EDITION_FIELD
        and field.related_model is not None
        and has_edition(field.related_model)
    ]


def edition_link_names(model: type[models.Model]) -> set[str]:
    return {field.name for field in edition_links(model)}


def _linked(obj: models.Model, field: models.Field):
    # Read the id first: following an empty or dangling relation would raise.
    if getattr(obj, field.attname, None) is None:
        return None
    return getattr(obj, field.name)


def own_edition_id(obj: models.Model) -> int | None:
    """The edition of `obj` if its model has one and it is set."""
    return getattr(obj, f"{EDITION_FIELD}_id", None) if has_edition(type(obj)) else None


def _edition_name(edition_id: int) -> str:
    edition = apps.get_model(EDITION_MODEL)._default_manager.filter(pk=edition_id).first()
    return str(edition) if edition is not None else str(edition_id)


def edition_errors(
    obj: models.Model,
    *,
    foreign_keys: bool = True,
    many: Mapping[str, Iterable[models.Model]] | None = None,
) -> dict[str, ValidationError]:
    """The links of `obj` into another edition, as one translated error per field.

    The reference is `obj`'s own edition; a model without one (a staff-pass grant) takes the
    edition it is expected in (`expected_edition`, which a form sets from the edition chosen
    first), else that of its first link, so that all its links agree. `foreign_keys` checks
    the object's foreign keys and one-to-ones; `many` gives the values of many-to-many
    fields, which a form holds before they are saved (saved ones are not read back: the
    caller passes what it sets).
    """
    reference = own_edition_id(obj)
    if reference is None:
        reference = getattr(obj, "expected_edition", None)
    links = edition_links(type(obj))
    values: list[tuple[str, list[models.Model]]] = []
    for field in links:
        if field.many_to_many:
            if many is not None and field.name in many and many[field.name] is not None:
                values.append((field.name, list(many[field.name])))
        elif foreign_keys or reference is None:
            target = _linked(obj, field)
            if target is not None:
                values.append((field.name if foreign_keys else "", [target]))
    if reference is None:
        reference = next(
            (t.expo_id for _name, targets in values for t in targets if t.expo_id), None
        )
    if reference is None:
        return {}
    errors: dict[str, ValidationError] = {}
    for name, targets in values:
        strays = [t for t in targets if t.expo_id is not None and t.expo_id != reference]
        if not name or not strays:
            continue
        errors[name] = ValidationError(
            [
                ValidationError(
                    _("“%(object)s” belongs to %(other)s; choose one of %(edition)s."),
                    code="other_edition",
                    params={
                        "object": str(t),
                        "other": _edition_name(t.expo_id),
                        "edition": _edition_name(reference),
                    },
                )
                for t in strays
            ]
        )
    return errors


class EditionBound:
    """Mixed into a model whose relations point into editions: `full_clean` refuses a link into
    another edition (`edition_errors`).

    The check runs in `full_clean`, not `clean`, because only there the excluded fields are
    known: an error on a field the form does not show (read-only, or the parent of an inline)
    is reported for the whole form instead, which a form accepts and Django's `clean` cannot.
    """

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True):
        errors: dict = {}
        try:
            super().full_clean(
                exclude=exclude,
                validate_unique=validate_unique,
                validate_constraints=validate_constraints,
            )
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        hidden = set(exclude or ())
        for name, error in edition_errors(self).items():
            key = NON_FIELD_ERRORS if name in hidden else name
            errors.setdefault(key, []).extend(error.error_list)
        if errors:
            raise ValidationError(errors)
