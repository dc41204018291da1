"""`smartexpo token create|list|revoke`: API tokens for operators' scripts and integrations."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from smartexpo.core.errors import SmartExpoError
from smartexpo.core.models import ApiToken, Role
from smartexpo.core.tokens import token_create, token_revoke


class Command(BaseCommand):
    help = "Create, list or revoke API tokens. `create` prints only the token on stdout."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Issue a token and print it (shown only once)")
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--name", required=True)
        create.add_argument("--expo", help="Edition slug (exhibitor and device tokens)")
        create.add_argument("--exhibitor", type=int, help="Exhibitor id (exhibitor tokens)")
        sub.add_parser("list", help="List tokens (never their secret)")
        revoke = sub.add_parser("revoke", help="Revoke a token by its id")
        revoke.add_argument("id", type=int)

    def handle(self, *args, action, **options):
        return getattr(self, f"handle_{action}")(**options)

    def handle_create(self, *, role, name, expo=None, exhibitor=None, **_):
        from smartexpo.exhibitors.models import Exhibitor
        from smartexpo.venue.models import Expo

        expo_obj = exhibitor_obj = None
        if expo:
            expo_obj = Expo.objects.filter(slug=expo).first()
            if expo_obj is None:
                raise CommandError(f"No edition with slug {expo!r}.")
        if exhibitor is not None:
            qs = Exhibitor.objects.filter(pk=exhibitor)
            if expo_obj is not None:
                qs = qs.filter(expo=expo_obj)
            exhibitor_obj = qs.first()
            if exhibitor_obj is None:
                raise CommandError(f"No exhibitor with id {exhibitor}.")
        try:
            _token, raw = token_create(role=role, name=name, expo=expo_obj, exhibitor=exhibitor_obj)
        except SmartExpoError as exc:
            raise CommandError(f"{exc.message} {exc.detail.get('fields', '')}".strip()) from None
        self.stdout.write(raw)

    def handle_list(self, **_):
        for t in ApiToken.objects.select_related("expo").order_by("id"):
            state = "revoked" if t.revoked_at else "active"
            edition = t.expo.slug if t.expo else "*"
            self.stdout.write(f"{t.pk}\t{t.role}\t{edition}\t{t.prefix}…\t{state}\t{t.name}")

    def handle_revoke(self, *, id, **_):
        token = ApiToken.objects.filter(pk=id).first()
        if token is None:
            raise CommandError(f"No token with id {id}.")
        token_revoke(token=token)
        self.stderr.write(f"Token {id} revoked.")
