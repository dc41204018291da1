"""Ticket types with daily quotas, real-name registrations, signed tickets and signing keys.

Capacity lives in `DayQuota.sold`, consumed by one conditional UPDATE (never read-then-write);
the database also refuses `sold > size` outright. One active ticket per person per day is a
partial unique index on `TicketDay`, so a race between two registrations of the same person
cannot get past the database either.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartexpo.core.editions import EditionBound
from smartexpo.venue.models import BilingualName, Expo, SalesWindow, Zone, code_validator


class Access(models.TextChoices):
    """Who may register for a ticket type."""

    OPEN = "open", _("Open to everyone")
    INVITATION = "invitation", _("By invitation code")
    APPROVAL = "approval", _("By approval of the organiser")
    EXHIBITOR = "exhibitor", _("Issued by exhibitors")


class TicketType(EditionBound, BilingualName, SalesWindow):
    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="ticket_types"
    )
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    all_days = models.BooleanField(
        _("pass for all its days"),
        default=False,
        help_text=_("A pass is valid on every day of the type; a day ticket on the days chosen"),
    )
    zones = models.ManyToManyField(Zone, verbose_name=_("admits to"), blank=True)
    access = models.CharField(
        _("who may register"),
        max_length=12,
        choices=Access.choices,
        default=Access.OPEN,
        help_text=_(
            "Open: anyone. Invitation: with a code the organiser hands out. Approval: the "
            "request waits for an organiser, and takes its place only when approved. "
            "Exhibitors: issued by exhibitors within the passes granted to them."
        ),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket type")
        verbose_name_plural = _("ticket types")
        ordering = ["expo", "id"]
        constraints = [
            *SalesWindow.Meta.constraints,
            models.UniqueConstraint(
                fields=["expo", "code"], name="tickettype_code_unique_per_expo"
            ),
        ]


class DayQuota(models.Model):
    """How many tickets of a type may exist for one day, and how many do."""

    ticket_type = models.ForeignKey(
        TicketType, verbose_name=_("ticket type"), on_delete=models.CASCADE, related_name="quotas"
    )
    day = models.DateField(_("day"))
    size = models.PositiveIntegerField(_("quota"))
    sold = models.PositiveIntegerField(_("issued"), default=0)

    class Meta:
        verbose_name = _("daily quota")
        verbose_name_plural = _("daily quotas")
        ordering = ["ticket_type", "day"]
        constraints = [
            models.UniqueConstraint(fields=["ticket_type", "day"], name="dayquota_one_per_day"),
            models.CheckConstraint(
                condition=models.Q(sold__lte=models.F("size")), name="dayquota_never_oversold"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_type.code} {self.day}: {self.sold}/{self.size}"

    @property
    def available(self) -> int:
        return max(0, self.size - self.sold)


class IdType(models.TextChoices):
    RESIDENT = "resident", _("Mainland resident ID")
    PASSPORT = "passport", _("Passport")


class Intent(models.TextChoices):
    """Why a visitor comes: matchmaking pairs a buyer with a supplier of the same sector."""

    BUY = "buy", _("Buy")
    PARTNER = "partner", _("Find partners")
    INVEST = "invest", _("Invest")
    LEARN = "learn", _("Learn")
    RECRUIT = "recruit", _("Recruit")


class RegistrationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CANCELLED = "cancelled", _("Cancelled")
    PENDING = "pending", _("Awaiting approval")
    DECLINED = "declined", _("Declined")


class Registration(EditionBound, models.Model):
    """A person's registration. The ID number is kept only as a keyed hash and a masked form."""

    # Each registration writes every index it has, so indexes are chosen, not defaulted: the
    # edition is the first column of (expo, id_hash), and nobody looks registrations up by type
    # except the admin's filter and the protection of a type from deletion.
    expo = models.ForeignKey(
        Expo,
        verbose_name=_("edition"),
        on_delete=models.CASCADE,
        related_name="registrations",
        db_index=False,
    )
    ticket_type = models.ForeignKey(
        TicketType, verbose_name=_("ticket type"), on_delete=models.PROTECT, db_index=False
    )
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("email"))
    id_type = models.CharField(_("ID type"), max_length=10, choices=IdType.choices, blank=True)
    id_hash = models.CharField(max_length=64, blank=True, editable=False)
    id_masked = models.CharField(_("ID number"), max_length=32, blank=True, editable=False)
    interests = models.JSONField(_("interests"), default=list, blank=True)
    # The visitor's profile for networking (issue 15). `share` is their consent: which of
    # `venue.models.SHAREABLE_FIELDS` an exhibitor who scans their ticket may see (default none).
    # Database defaults, so that the registration hot path's INSERT need not name them.
    sectors = models.JSONField(_("sectors of interest"), default=list, blank=True, db_default=[])
    intents = models.JSONField(_("intents"), default=list, blank=True, db_default=[])
    phone = models.CharField(_("phone"), max_length=32, blank=True, default="", db_default="")
    company = models.CharField(_("company"), max_length=200, blank=True, default="", db_default="")
    title = models.CharField(_("job title"), max_length=200, blank=True, default="", db_default="")
    share = models.JSONField(_("shared with exhibitors"), default=list, blank=True, db_default=[])
    language = models.CharField(_("language"), max_length=8, default="en")
    manage_digest = models.CharField(max_length=64, unique=True, editable=False)
    # The manage token is re-derivable by the server alone (HMAC of this nonce), so the mailer
    # can put the link in the confirmation email while the database holds only a digest.
    manage_nonce = models.CharField(max_length=32, editable=False)
    source = models.CharField(_("source"), max_length=16, default="api")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.ACTIVE,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # How a restricted type was obtained: the invitation code used, or the exhibitor whose
    # staff pass this is. A request for a type by approval is decided once.
    invitation = models.ForeignKey(
        "Invitation",
        verbose_name=_("invitation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
        db_index=False,  # partial index below: only the few registrations that have one
    )
    exhibitor = models.ForeignKey(
        "exhibitors.Exhibitor",
        verbose_name=_("staff of exhibitor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_passes",
        db_index=False,
    )
    # A request awaiting approval holds no ticket and no place yet: the days it asks for.
    requested_days = models.JSONField(_("days requested"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # A database default, so that the registration hot path's INSERT need not name it.
    decided_by = models.CharField(
        _("decided by"), max_length=150, blank=True, default="", db_default=""
    )
    # The confirmation email is an outbox: the mailer sends it after the registration commits.
    confirmation_sent_at = models.DateTimeField(_("confirmation sent"), null=True, blank=True)
    confirmation_lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    confirmation_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    # Set when the person's data was erased (`tickets.services.erasure`): the row stays,
    # anonymised, so that counts, admissions and occupancy stay what they were.
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["expo", "id_hash"]),
            # Find my ticket looks an address up in an edition whatever its case. The address
            # is in the row already, so an index of it exposes nothing the table does not.
            models.Index("expo", Lower("email"), name="registration_email"),
            models.Index(
                fields=["confirmation_lease_until"],
                condition=models.Q(confirmation_sent_at__isnull=True),
                name="registration_mail_outbox",
            ),
            # Partial: an open registration, the vast majority, writes none of these.
            models.Index(
                fields=["invitation"],
                condition=models.Q(invitation__isnull=False),
                name="registration_by_invitation",
            ),
            models.Index(
                fields=["exhibitor"],
                condition=models.Q(exhibitor__isnull=False),
                name="registration_staff_passes",
            ),
            models.Index(
                fields=["expo", "id"],
                condition=models.Q(status="pending"),
                name="registration_requests",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.ticket_type.code}"


class TicketStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")


class Ticket(EditionBound, models.Model):
    """A signed e-ticket. Its secret is re-derived from the claims and the key that signed it."""

    # The edition is the first column of (expo, status); see Registration on chosen indexes.
    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, db_index=False
    )
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="tickets",
    )
    ticket_type = models.ForeignKey(
        TicketType, verbose_name=_("ticket type"), on_delete=models.PROTECT, db_index=False
    )
    serial = models.BigIntegerField(_("serial"), unique=True)
    kid = models.PositiveSmallIntegerField(_("key id"))
    days = models.JSONField(_("days"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=TicketStatus.choices, default=TicketStatus.VALID
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # SHA-256 (first 16 bytes, hex) of the secret as issued: the server recognises its own
    # secrets in a sync batch without verifying thousands of signatures. Empty for tickets
    # issued before it existed; their signatures are verified instead.
    secret_digest = models.CharField(max_length=32, blank=True, default="", editable=False)
    # Check-in: the expo day (local) this ticket last entered on and has not left since; an
    # entry is refused while it equals the scan's day. A new day starts outside.
    inside_day = models.DateField(_("inside on"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["expo", "status"]),
            # The revocation list: only revoked tickets are in this index.
            models.Index(
                fields=["expo", "revoked_at"],
                condition=models.Q(revoked_at__isnull=False),
                name="ticket_revocations",
            ),
        ]

    def __str__(self) -> str:
        return str(self.serial)


class TicketDay(models.Model):
    """One day a valid ticket is good for, per person: the index that forbids duplicates."""

    # Looked up by (expo, id_hash, day) through the partial unique index below.
    expo = models.ForeignKey(Expo, on_delete=models.CASCADE, db_index=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="ticket_days")
    day = models.DateField()
    id_hash = models.CharField(max_length=64, blank=True)
    valid = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["expo", "id_hash", "day"],
                condition=models.Q(valid=True) & ~models.Q(id_hash=""),
                name="one_valid_ticket_per_person_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.day}"


class SigningKey(models.Model):
    """An edition's Ed25519 key. The private half is stored only encrypted; retired keys stay
    published so that tickets they signed still verify offline."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="signing_keys"
    )
    kid = models.PositiveSmallIntegerField(_("key id"))
    public_key = models.CharField(_("public key"), max_length=64)
    private_key_encrypted = models.BinaryField(editable=False)
    active = models.BooleanField(_("signs new tickets"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["expo", "kid"]
        constraints = [
            models.UniqueConstraint(fields=["expo", "kid"], name="signingkey_kid_unique_per_expo"),
            models.CheckConstraint(
                condition=models.Q(kid__lte=255), name="signingkey_kid_is_a_byte"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expo.slug} kid {self.kid}"


class IdempotencyRecord(models.Model):
    """The first answer to a request with an `Idempotency-Key`, replayed for repeats."""

    expo = models.ForeignKey(Expo, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["expo", "key"], name="idempotency_key_unique_per_expo"),
        ]

    def __str__(self) -> str:
        return self.key


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered a place")
    ACCEPTED = "accepted", _("Registered")
    EXPIRED = "expired", _("Offer expired")
    # Left the list: the person's data was erased.
    WITHDRAWN = "withdrawn", _("Withdrawn")


class WaitlistEntry(EditionBound, models.Model):
    """A person waiting for a place on a sold-out day. A freed place is held for the first in
    line for a set time (the offer); unclaimed, it passes to the next, then back to sale."""

    expo = models.ForeignKey(Expo, verbose_name=_("edition"), on_delete=models.CASCADE)
    ticket_type = models.ForeignKey(
        TicketType, verbose_name=_("ticket type"), on_delete=models.CASCADE
    )
    day = models.DateField(_("day"))
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=8, default="en")
    status = models.CharField(
        _("status"), max_length=10, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    created_at = models.DateTimeField(_("joined"), default=timezone.now)
    offered_at = models.DateTimeField(_("offered"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    offer_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    offer_nonce = models.CharField(max_length=32, blank=True, editable=False)
    offer_sent_at = models.DateTimeField(_("offer email sent"), null=True, blank=True)
    registration = models.ForeignKey(
        Registration, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting list")
        ordering = ["id"]
        indexes = [models.Index(fields=["ticket_type", "day", "status"])]

    def __str__(self) -> str:
        return f"{self.ticket_type.code} {self.day} #{self.pk}"


class Invitation(EditionBound, models.Model):
    """An invitation code for a ticket type by invitation: good for `uses_allowed`
    registrations, each use taken by a conditional UPDATE in the registration's transaction."""

    expo = models.ForeignKey(Expo, verbose_name=_("edition"), on_delete=models.CASCADE)
    ticket_type = models.ForeignKey(
        TicketType,
        verbose_name=_("ticket type"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    code = models.CharField(_("code"), max_length=32)
    uses_allowed = models.PositiveIntegerField(_("uses allowed"), default=1)
    uses = models.PositiveIntegerField(_("used"), default=0)
    label = models.CharField(
        _("label"), max_length=200, blank=True, help_text=_("Whom it is for (not shown to them)")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation code")
        verbose_name_plural = _("invitation codes")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["expo", "code"], name="invitation_code_unique"),
            models.CheckConstraint(
                condition=models.Q(uses__lte=models.F("uses_allowed")),
                name="invitation_never_overused",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def uses_left(self) -> int:
        return max(0, self.uses_allowed - self.uses)


class PassGrant(EditionBound, models.Model):
    """How many staff passes of a type an exhibitor may issue, and how many it has."""

    exhibitor = models.ForeignKey(
        "exhibitors.Exhibitor",
        verbose_name=_("exhibitor"),
        on_delete=models.CASCADE,
        related_name="pass_grants",
    )
    ticket_type = models.ForeignKey(
        TicketType, verbose_name=_("ticket type"), on_delete=models.CASCADE, related_name="grants"
    )
    passes = models.PositiveIntegerField(_("passes granted"))
    used = models.PositiveIntegerField(_("passes issued"), default=0)

    class Meta:
        verbose_name = _("staff pass grant")
        verbose_name_plural = _("staff pass grants")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["exhibitor", "ticket_type"], name="one_grant_per_type"),
            models.CheckConstraint(
                condition=models.Q(used__lte=models.F("passes")), name="grant_never_overused"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exhibitor} · {self.ticket_type.code}: {self.used}/{self.passes}"


class TicketLinksRequest(models.Model):
    """A visitor asked the find-my-ticket page for the links to their tickets: one email for
    the mailer to send, after the commit, to the address these registrations were made with.

    It holds the registrations' ids and nothing personal of its own: the address is read from
    them when the email is sent, so an erased registration is simply left out."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="+"
    )
    registrations = models.JSONField(_("registrations"), default=list)
    language = models.CharField(_("language"), max_length=8, default="en")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("ticket links request")
        verbose_name_plural = _("ticket links requests")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["lease_until"],
                condition=models.Q(sent_at__isnull=True),
                name="ticket_links_outbox",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expo_id}: {len(self.registrations)} registrations"
