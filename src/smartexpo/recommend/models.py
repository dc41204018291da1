"""The recommendations' stored state: each edition's built model, and the pairs declined.

A `RecommenderModel` is what `smartexpo recs build` (or the organiser in the admin) made from
the edition's catalogue, programme and behaviour at `built_at`: the engine's arrays
(`engine.Model.dumps()`, no pickled code) and the people it can suggest. Servers load the newest
once per process and confirm per request, with one indexed query, that it is still the newest
(`selectors.served_model`).

A `Dismissal` is one "No thanks": a visitor declining an exhibitor, or an exhibitor declining a
visitor. Either way the pair is never suggested again, in both directions.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartexpo.core.editions import EditionBound
from smartexpo.venue.models import Expo


class RecommenderModel(EditionBound, models.Model):
    """An edition's recommender as built at one instant (the newest is served)."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="+"
    )
    built_at = models.DateTimeField(_("built"), default=timezone.now)
    data = models.BinaryField(_("data"), editable=False)
    # The visitors who shared something when it was built: the only ones suggested to
    # exhibitors (JSON, compressed: `services.building.people_dumps`).
    people = models.BinaryField(_("visitors suggested"), editable=False, default=b"")
    exhibitors = models.PositiveIntegerField(_("exhibitors"), default=0)
    sessions = models.PositiveIntegerField(_("sessions"), default=0)
    visitors = models.PositiveIntegerField(_("visitors"), default=0)
    opted_in = models.PositiveIntegerField(_("visitors who share"), default=0)
    behaviour = models.PositiveIntegerField(_("behaviour events"), default=0)
    seconds = models.FloatField(_("seconds to build"), default=0)

    class Meta:
        verbose_name = _("recommender model")
        verbose_name_plural = _("recommender models")
        ordering = ["expo", "-built_at"]
        indexes = [models.Index(fields=["expo", "-built_at"], name="recommender_newest")]

    def __str__(self) -> str:
        return f"{self.expo_id} {self.built_at:%Y-%m-%d %H:%M}"


class DismissedBy(models.TextChoices):
    VISITOR = "visitor", _("the visitor")
    EXHIBITOR = "exhibitor", _("the exhibitor")


class Dismissal(EditionBound, models.Model):
    """A pair declined ("No thanks") by one of its sides: never suggested again, either way."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    registration = models.ForeignKey(
        "tickets.Registration",
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    exhibitor = models.ForeignKey(
        "exhibitors.Exhibitor",
        verbose_name=_("exhibitor"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    by = models.CharField(_("declined by"), max_length=10, choices=DismissedBy.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("dismissal")
        verbose_name_plural = _("dismissals")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "exhibitor", "by"], name="dismissal_once_per_side"
            ),
        ]
        # The exhibitor's side reads its dismissals by (exhibitor, registration).
        indexes = [models.Index(fields=["exhibitor", "registration"], name="dismissal_exhibitor")]

    def __str__(self) -> str:
        return f"{self.registration_id} × {self.exhibitor_id} ({self.by})"
