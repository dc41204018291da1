"""The deals ledger: one record per project signed at or around an edition (the shape follows
fDi Markets and the Open Contracting Data Standard: parties, sector, kind, an exact amount with
its currency and an "estimated" flag, versioned changes).

Every creation and change of a deal appends one `LogEntry`, chained to the previous one by
SHA-256 (docs/deals-ledger.md); the database refuses UPDATE and DELETE on that table (triggers
of migration 0001). `Ledger` holds the head of an edition's chain and is the row a writer locks
to append. The tally of an edition is signed with its Ed25519 `DealsKey`, stored encrypted like
the ticket keys.

Amounts are `Decimal` end to end: the amount as signed in its currency, the rate to yuan kept
with the deal, and the yuan amount the tally adds up. Deals are never deleted: a project that
falls through is `cancelled`, and the tally leaves it out.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartexpo.core.editions import EditionBound
from smartexpo.core.fields import EpochMicrosecondsField, ScaledDecimalField
from smartexpo.exhibitors.models import Exhibitor, Sector
from smartexpo.programme.models import Session, SessionFormat
from smartexpo.venue.models import Expo

# Amounts: at most 2 decimal places, below 10^16 (API.md); yuan amounts after conversion too.
AMOUNT_PLACES = 2
AMOUNT_LIMIT = Decimal(10) ** 16
RATE_PLACES = 8
RATE_LIMIT = Decimal(10) ** 9
TITLE_MAX = 300
SUMMARY_MAX = 4000
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
ZERO_HASH = "0" * 64

currency_validator = RegexValidator(
    r"^[A-Z]{3}\Z", _("A currency is three capital letters (ISO 4217).")
)
country_validator = RegexValidator(
    r"^[A-Z]{2}\Z", _("A country is two capital letters (ISO 3166-1).")
)


class DealKind(models.TextChoices):
    INVESTMENT = "investment", _("Investment")
    PROCUREMENT = "procurement", _("Procurement")
    LICENCE = "licence", _("Technology licence")
    FRAMEWORK = "framework", _("Framework agreement")


class InvestmentForm(models.TextChoices):
    GREENFIELD = "greenfield", _("Greenfield")
    EXPANSION = "expansion", _("Expansion")
    JOINT_VENTURE = "joint_venture", _("Joint venture")


class DealStatus(models.TextChoices):
    SIGNED = "signed", _("Signed")
    REGISTERED = "registered", _("Registered")
    STARTED = "started", _("Construction started")
    OPERATING = "operating", _("Operating")
    CANCELLED = "cancelled", _("Cancelled")


# The deal's own columns a caller sets (the API's `title` is `title_en` and `title_zh`, …):
# what the rule answers, the admin's form shows and a file's columns are named after.
INPUT_COLUMNS = (
    "ref",
    "title_en",
    "title_zh",
    "summary_en",
    "summary_zh",
    "sector",
    "kind",
    "investment_form",
    "amount",
    "currency",
    "rate",
    "rate_on",
    "amount_estimated",
    "amount_confidential",
    "signed_on",
    "at_expo",
    "ceremony",
)

# The follow-up only moves forward along this line; `cancelled` ends it from any point.
STATUS_LINE = (DealStatus.SIGNED, DealStatus.REGISTERED, DealStatus.STARTED, DealStatus.OPERATING)


class Deal(EditionBound, models.Model):
    """One signed project of an edition."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.PROTECT, related_name="deals"
    )
    ref = models.CharField(
        _("reference"),
        max_length=64,
        blank=True,
        default="",
        help_text=_("The organiser's own reference; imports use it to recognise a deal again"),
    )
    title_en = models.CharField(_("title (English)"), max_length=TITLE_MAX)
    title_zh = models.CharField(_("title (Chinese)"), max_length=TITLE_MAX, blank=True)
    summary_en = models.TextField(_("summary (English)"), max_length=SUMMARY_MAX, blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"), max_length=SUMMARY_MAX, blank=True)
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="deals"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=DealKind.choices)
    investment_form = models.CharField(
        _("form of investment"),
        max_length=16,
        choices=InvestmentForm.choices,
        blank=True,
        default="",
        help_text=_("Investments only: greenfield, expansion or joint venture"),
    )
    amount = ScaledDecimalField(
        _("amount"), places=AMOUNT_PLACES, validators=[MinValueValidator(Decimal(0))]
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="CNY", validators=[currency_validator]
    )
    rate = ScaledDecimalField(
        _("rate to yuan"),
        places=RATE_PLACES,
        default=Decimal(1),
        help_text=_("Yuan for one unit of the currency, as recorded for this deal"),
    )
    rate_on = models.DateField(_("rate of"), null=True, blank=True)
    amount_cny = ScaledDecimalField(_("amount in yuan"), places=AMOUNT_PLACES)
    amount_estimated = models.BooleanField(_("estimated amount"), default=False)
    amount_confidential = models.BooleanField(
        _("confidential amount"),
        default=False,
        help_text=_("Counted in the tally, never listed nor logged in public"),
    )
    signed_on = models.DateField(_("signed on"))
    at_expo = models.BooleanField(_("signed at the expo"), default=False)
    ceremony = models.ForeignKey(
        Session,
        verbose_name=_("signing ceremony"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
        limit_choices_to={"format": SessionFormat.SIGNING},
    )
    status = models.CharField(
        _("status"), max_length=12, choices=DealStatus.choices, default=DealStatus.SIGNED
    )
    status_on = models.DateField(_("status since"))
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["expo", "id"]
        indexes = [
            models.Index(fields=["expo", "status"], name="deal_expo_status"),
            models.Index(fields=["expo", "signed_on"], name="deal_expo_signed_on"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["expo", "ref"], condition=~Q(ref=""), name="deal_ref_unique_per_expo"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="deal_amount_not_negative"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="deal_rate_positive"),
            models.CheckConstraint(
                condition=Q(kind=DealKind.INVESTMENT) | Q(investment_form=""),
                name="deal_investment_form_for_investments",
            ),
        ]

    def __str__(self) -> str:
        return self.title_en

    @property
    def titles(self) -> dict[str, str]:
        return {"en": self.title_en, "zh": self.title_zh or self.title_en}


class DealParty(models.Model):
    """One party to a deal: an exhibitor of the edition, or an outside organisation with its
    country and province (or state) and city. The first party (position 0) is the counterpart
    the tally's totals by country and province are about: the investor, buyer or licensee."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="parties"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    exhibitor = models.ForeignKey(
        Exhibitor,
        verbose_name=_("exhibitor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deal_parties",
    )
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    country = models.CharField(
        _("country"), max_length=2, default="CN", validators=[country_validator]
    )
    region = models.CharField(_("province or state"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["deal", "position"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "position"], name="dealparty_position_unique"),
            models.CheckConstraint(
                condition=Q(exhibitor__isnull=False) | ~Q(name_en=""),
                name="dealparty_exhibitor_or_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name_en or str(self.exhibitor)


class StatusChange(models.Model):
    """The dated evidence that moved a deal to a status (the follow-up's history)."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(_("status"), max_length=12, choices=DealStatus.choices)
    on = models.DateField(_("on"))
    evidence = models.CharField(_("evidence"), max_length=500)
    document = models.ForeignKey(
        "Document",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="status_changes",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["deal", "on", "id"]

    def __str__(self) -> str:
        return f"{self.status} {self.on}"


class Document(models.Model):
    """A PDF kept with a deal (the contract, a registration certificate): organisers only.
    Stored in the database, so that every application server sees it."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="documents"
    )
    name = models.CharField(_("file name"), max_length=200)
    data = models.BinaryField(_("content"), editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["deal", "id"]

    def __str__(self) -> str:
        return self.name


class ExchangeRate(models.Model):
    """Yuan for one unit of a currency on a day: where a deal entered without its own rate
    takes one (the latest on or before its signing day)."""

    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    on = models.DateField(_("on"))
    rate = ScaledDecimalField(_("yuan per unit"), places=RATE_PLACES)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-on"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "on"], name="exchangerate_unique_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchangerate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.on}: {self.rate}"


class DealsKey(models.Model):
    """An edition's Ed25519 key for its tally. The private half is stored only encrypted (as the
    ticket keys are); retired keys stay published so that older tallies still verify."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="deals_keys"
    )
    kid = models.PositiveSmallIntegerField(_("key id"))
    public_key = models.CharField(_("public key"), max_length=64)
    private_key_encrypted = models.BinaryField(editable=False)
    active = models.BooleanField(_("signs the tally"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("deals key")
        verbose_name_plural = _("deals keys")
        ordering = ["expo", "kid"]
        constraints = [
            models.UniqueConstraint(fields=["expo", "kid"], name="dealskey_kid_unique_per_expo"),
        ]

    def __str__(self) -> str:
        return f"{self.expo.slug} deals kid {self.kid}"


class Ledger(models.Model):
    """The head of an edition's change log: the row a writer locks to append, so that entries
    are numbered and chained one at a time."""

    expo = models.OneToOneField(
        Expo, verbose_name=_("edition"), on_delete=models.PROTECT, related_name="deals_ledger"
    )
    seq = models.PositiveBigIntegerField(_("entries"), default=0)
    head = models.CharField(_("head"), max_length=64, default=ZERO_HASH)

    class Meta:
        verbose_name = _("ledger")
        verbose_name_plural = _("ledgers")

    def __str__(self) -> str:
        return f"{self.expo_id}: {self.seq} entries"


class LogEntry(models.Model):
    """One entry of the append-only change log (docs/deals-ledger.md): `hash` is the SHA-256
    of `prev` followed by the canonical JSON of the entry without `hash`. `deal` is the deal's
    id as a plain number, not a relation: nothing done to a deal may touch its history."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.PROTECT, related_name="deals_log"
    )
    seq = models.PositiveBigIntegerField(_("sequence"))
    at = EpochMicrosecondsField(_("at"))
    deal = models.BigIntegerField(_("deal"))
    change = models.JSONField(_("change"))
    prev = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")
        ordering = ["expo", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["expo", "seq"], name="dealslog_seq_unique"),
        ]
        indexes = [models.Index(fields=["expo", "deal", "seq"], name="dealslog_deal")]

    def __str__(self) -> str:
        return f"{self.expo_id}#{self.seq}"
