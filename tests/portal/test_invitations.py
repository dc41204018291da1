"""Invitations into an exhibitor's portal: sent by an organiser (back office, command line) or
by the exhibitor's administrator (the team page), accepted once within 7 days."""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from smartexpo.core.errors import SmartExpoError
from smartexpo.exhibitors import members
from smartexpo.exhibitors.models import ExhibitorInvitation, ExhibitorMember, MemberRole
from tests.core.test_ratelimit import random_ip
from tests.portal.conftest import PASSWORD, make_user, signed_in

NEW_PASSWORD = "Lantern-Orbit-5917"


def team_url(exhibitor, *rest) -> str:
    return reverse("portal:team", args=[exhibitor.expo.slug, exhibitor.slug]) + "".join(rest)


def home_url(exhibitor) -> str:
    return reverse("portal:home", args=[exhibitor.expo.slug, exhibitor.slug])


def link_in(message) -> str:
    return re.search(r"http://\S+/portal/invitations/\S+/", message.body).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


# --- the team page ------------------------------------------------------------------------


def test_admin_invites_from_the_team_page_and_the_email_carries_a_one_time_link(
    admin_client, huawei
):
    response = admin_client.post(team_url(huawei), {"email": "new@huawei.example", "role": "staff"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@huawei.example"]
    assert "Huawei" in message.subject
    link = link_in(message)
    invitation = ExhibitorInvitation.objects.get()
    # Only the token's digest is stored: the link's token appears nowhere in the row.
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in invitation.digest and len(invitation.digest) == 64
    lifetime = invitation.expires_at - invitation.created_at
    assert abs(lifetime - dt.timedelta(days=7)) < dt.timedelta(seconds=5)
    page = admin_client.get(team_url(huawei)).content.decode()
    assert "new@huawei.example" in page and "Invitation sent" in page


def test_the_team_page_in_chinese_sends_a_chinese_email(admin_client, huawei):
    admin_client.post(
        "/zh-hans" + team_url(huawei), {"email": "li@huawei.example", "role": "admin"}
    )
    message = mail.outbox[0]
    assert "邀请" in message.subject
    assert "/zh-hans/portal/invitations/" in message.body


def test_team_page_refuses_a_bad_address_with_a_message(admin_client, huawei):
    response = admin_client.post(team_url(huawei), {"email": "not-an-address", "role": "staff"})
    assert response.status_code == 422
    assert "valid email address" in response.content.decode()
    assert not mail.outbox


def test_inviting_a_member_again_is_refused(admin_client, huawei, huawei_staff):
    response = admin_client.post(
        team_url(huawei), {"email": "STAFF@huawei.example", "role": "admin"}
    )
    assert response.status_code == 422
    assert "already a member" in response.content.decode()


def test_inviting_an_address_again_replaces_the_waiting_link(admin_client, huawei):
    for _n in range(2):
        admin_client.post(team_url(huawei), {"email": "twice@huawei.example", "role": "staff"})
    first, second = (path_of(link_in(m)) for m in mail.outbox)
    assert Client().get(first).status_code == 410
    assert Client().get(second).status_code == 200


def test_invitations_are_rate_limited_per_person(huawei, settings):
    from tests.portal.conftest import member

    settings.SMARTEXPO_RATE_LIMIT_INVITATIONS = 2
    admin_client = signed_in(member(huawei, f"{uuid.uuid4().hex}@huawei.example", "admin"))
    codes = [
        admin_client.post(team_url(huawei), {"email": f"p{n}@x.example", "role": "staff"})
        for n in range(3)
    ]
    assert [r.status_code for r in codes] == [302, 302, 429]
    assert "Too many invitations" in codes[-1].content.decode()
    assert len(mail.outbox) == 2


def test_a_mail_server_refusal_is_said_not_a_500(admin_client, huawei, settings):
    settings.EMAIL_BACKEND = "tests.portal.broken_mail.Backend"
    response = admin_client.post(team_url(huawei), {"email": "x@y.example", "role": "staff"})
    assert response.status_code == 422
    assert "could not be emailed" in response.content.decode()


def test_staff_and_strangers_cannot_invite_or_revoke(
    staff_client, other_client, huawei, admin_client
):
    admin_client.post(team_url(huawei), {"email": "w@huawei.example", "role": "staff"})
    invitation = ExhibitorInvitation.objects.get()
    revoke = team_url(huawei, f"invitations/{invitation.pk}/revoke/")
    assert (
        staff_client.post(team_url(huawei), {"email": "a@b.example", "role": "admin"}).status_code
        == 403
    )
    assert staff_client.post(revoke).status_code == 403
    assert other_client.post(revoke).status_code == 404
    assert Client().post(revoke).status_code == 302  # to the login page
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert ExhibitorInvitation.objects.count() == 1


def test_admin_revokes_an_invitation_and_its_link_says_so(admin_client, huawei):
    admin_client.post(team_url(huawei), {"email": "w@huawei.example", "role": "staff"})
    link = path_of(link_in(mail.outbox[0]))
    invitation = ExhibitorInvitation.objects.get()
    response = admin_client.post(team_url(huawei, f"invitations/{invitation.pk}/revoke/"))
    assert response.status_code == 302
    page = Client().get(link)
    assert page.status_code == 410
    assert "withdrawn" in page.content.decode()
    assert "撤回" in Client().get("/zh-hans" + link).content.decode()


def test_an_invitation_of_another_exhibitor_cannot_be_revoked_through_ones_own(
    admin_client, huawei, toyota
):
    invitation, _token = members.invitation_create(
        exhibitor=toyota, email="t@t.example", role="staff"
    )
    admin_client.post(team_url(huawei, f"invitations/{invitation.pk}/revoke/"))
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


# --- accepting ----------------------------------------------------------------------------


def invite(exhibitor, email="new@huawei.example", role=MemberRole.STAFF) -> str:
    _invitation, token = members.invitation_create(exhibitor=exhibitor, email=email, role=role)
    return reverse("portal:accept", args=[token])


def test_a_new_person_accepts_sets_a_password_and_is_signed_in(huawei):
    link = invite(huawei)
    client = Client()
    page = client.get(link).content.decode()
    assert "Huawei" in page and "new@huawei.example" in page
    response = client.post(
        link, {"name": "Wang Fang", "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == home_url(huawei)
    assert client.get(home_url(huawei)).status_code == 200
    member = ExhibitorMember.objects.get(user__email="new@huawei.example")
    assert member.role == MemberRole.STAFF and member.user.first_name == "Wang Fang"
    # The link is used up, and the account signs in with its email address.
    assert Client().get(link).status_code == 410
    fresh = Client()
    assert fresh.login(username="new@huawei.example", password=NEW_PASSWORD)


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "too short"), ("password123", "too common"), ("new@huawei.example", "too similar")],
)
def test_djangos_password_validators_apply(huawei, password, message):
    link = invite(huawei)
    response = Client().post(link, {"name": "Wang", "password": password, "password2": password})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ExhibitorMember.objects.exists()


def test_the_two_passwords_must_match(huawei):
    link = invite(huawei)
    response = Client().post(link, {"name": "W", "password": NEW_PASSWORD, "password2": "x"})
    assert response.status_code == 422
    assert "differ" in response.content.decode()


def test_a_signed_in_person_joins_with_their_account(huawei, toyota_admin):
    link = invite(huawei, email="admin@toyota.example")
    client = signed_in(toyota_admin)
    assert "Join the team" in client.get(link).content.decode()
    assert client.post(link).status_code == 302
    assert set(members.memberships_of(toyota_admin).values_list("exhibitor__slug", flat=True)) == {
        "huawei",
        "toyota",
    }


def test_an_existing_address_is_told_to_sign_in(huawei, huawei_staff, toyota):
    link = invite(toyota, email="staff@huawei.example")
    response = Client().post(
        link, {"name": "S", "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 422
    assert "exists already" in response.content.decode()
    # After signing in, the same link works.
    client = Client()
    client.login(username="staff@huawei.example", password=PASSWORD)
    assert client.post(link).status_code == 302


def test_an_admins_invitation_raises_a_staff_member(huawei, huawei_staff):
    link = invite(huawei, email="other@x.example", role=MemberRole.ADMIN)
    signed_in(huawei_staff).post(link)
    assert ExhibitorMember.objects.get(user=huawei_staff).role == MemberRole.ADMIN


def test_an_expired_link_says_so_in_both_languages(huawei):
    link = invite(huawei)
    ExhibitorInvitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = Client().get(link)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert "已过期" in Client().get("/zh-hans" + link).content.decode()
    posted = Client().post(link, {"name": "W", "password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert posted.status_code == 410
    assert not ExhibitorMember.objects.exists()


def test_an_unknown_link_is_a_404_page(db):
    response = Client().get(reverse("portal:accept", args=["nonsense"]))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def race(*works) -> list[str]:
    """Run the callables at the same moment, each in a thread with its own database
    connection; "won" or the refusal's code for each."""
    barrier = threading.Barrier(len(works))
    results = [""] * len(works)

    def run(n, work):
        barrier.wait()
        try:
            work()
            results[n] = "won"
        except SmartExpoError as exc:
            results[n] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, w)) for n, w in enumerate(works)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_admins_revoking_and_accepting_at_once_one_wins(expo):
    huawei = expo.test_exhibitors["huawei"]
    accepter = make_user("joiner@huawei.example")
    for _round in range(4):
        ExhibitorMember.objects.filter(user=accepter).delete()
        invitation, token = members.invitation_create(
            exhibitor=huawei, email="joiner@huawei.example", role="staff"
        )
        results = race(
            lambda t=token: members.invitation_accept(token=t, user=accepter),
            lambda i=invitation: members.invitation_revoke(invitation=i),
        )
        assert results.count("won") == 1, results
        assert set(results) - {"won"} <= {"invitation_accepted", "invitation_revoked"}
        invitation.refresh_from_db()
        accepted = invitation.accepted_at is not None
        assert accepted != (invitation.revoked_at is not None)
        assert ExhibitorMember.objects.filter(user=accepter, exhibitor=huawei).exists() == accepted


@pytest.mark.django_db(transaction=True)
def test_two_people_accepting_one_link_at_once_make_one_member(expo):
    huawei = expo.test_exhibitors["huawei"]
    _invitation, token = members.invitation_create(
        exhibitor=huawei, email="a@x.example", role="staff"
    )
    users = [make_user(f"u{n}@x.example") for n in range(4)]
    results = race(*[lambda u=u: members.invitation_accept(token=token, user=u) for u in users])
    assert results.count("won") == 1, results
    assert ExhibitorMember.objects.filter(exhibitor=huawei).count() == 1


# --- members --------------------------------------------------------------------------------


def test_admin_changes_a_role_and_removes_a_member(admin_client, huawei, huawei_staff):
    staff = ExhibitorMember.objects.get(user=huawei_staff)
    admin_client.post(team_url(huawei, f"members/{staff.pk}/role/"), {"role": "admin"})
    staff.refresh_from_db()
    assert staff.role == MemberRole.ADMIN
    admin_client.post(team_url(huawei, f"members/{staff.pk}/remove/"))
    assert not ExhibitorMember.objects.filter(pk=staff.pk).exists()
    assert signed_in(huawei_staff).get(home_url(huawei)).status_code == 404


def test_the_last_admin_can_neither_step_down_nor_leave(admin_client, huawei, huawei_admin):
    me = ExhibitorMember.objects.get(user=huawei_admin)
    response = admin_client.post(team_url(huawei, f"members/{me.pk}/role/"), {"role": "staff"})
    assert response.status_code == 302
    assert "at least one administrator" in admin_client.get(team_url(huawei)).content.decode()
    admin_client.post(team_url(huawei, f"members/{me.pk}/remove/"))
    me.refresh_from_db()
    assert me.role == MemberRole.ADMIN


@pytest.mark.django_db(transaction=True)
def test_two_admins_stepping_down_at_once_leave_one_admin(expo):
    from tests.portal.conftest import member

    huawei = expo.test_exhibitors["huawei"]
    admins = [
        ExhibitorMember.objects.get(user=member(huawei, f"a{n}@huawei.example", MemberRole.ADMIN))
        for n in range(2)
    ]
    results = race(
        *[lambda m=m: members.member_set_role(member=m, role=MemberRole.STAFF) for m in admins]
    )
    assert sorted(results) == ["last_admin", "won"]
    assert ExhibitorMember.objects.filter(exhibitor=huawei, role=MemberRole.ADMIN).count() == 1


def test_staff_cannot_change_roles(staff_client, huawei, huawei_staff, huawei_admin):
    me = ExhibitorMember.objects.get(user=huawei_staff)
    assert (
        staff_client.post(team_url(huawei, f"members/{me.pk}/role/"), {"role": "admin"}).status_code
        == 403
    )
    me.refresh_from_db()
    assert me.role == MemberRole.STAFF


def test_a_member_of_another_exhibitor_cannot_be_changed(admin_client, huawei, toyota_admin):
    theirs = ExhibitorMember.objects.get(user=toyota_admin)
    admin_client.post(team_url(huawei, f"members/{theirs.pk}/remove/"))
    assert ExhibitorMember.objects.filter(pk=theirs.pk).exists()


# --- organisers -----------------------------------------------------------------------------


def test_organiser_invites_from_the_back_office(db, huawei):
    from django.contrib.auth import get_user_model

    boss = get_user_model().objects.create_superuser("boss", "boss@expo.example", PASSWORD)
    client = signed_in(boss)
    change = reverse("admin:exhibitors_exhibitor_change", args=[huawei.pk])
    assert "Invite a person" in client.get(change).content.decode()
    invite_url = reverse("admin:exhibitors_exhibitor_invite", args=[huawei.pk])
    assert client.get(invite_url).status_code == 200
    response = client.post(invite_url, {"email": "ceo@huawei.example", "role": "admin"})
    assert response.status_code == 302
    assert mail.outbox[0].to == ["ceo@huawei.example"]
    invitation = ExhibitorInvitation.objects.get()
    assert invitation.role == MemberRole.ADMIN and invitation.invited_by == boss
    assert "ceo@huawei.example" in client.get(change).content.decode()


def test_back_office_invitation_page_needs_the_permission(db, huawei):
    clerk = make_user("clerk@expo.example", is_staff=True)
    response = signed_in(clerk).post(
        reverse("admin:exhibitors_exhibitor_invite", args=[huawei.pk]),
        {"email": "x@y.example", "role": "admin"},
    )
    assert response.status_code == 403
    assert not ExhibitorInvitation.objects.exists()


def test_the_command_line_prints_a_working_link(huawei, capsys):
    call_command(
        "exhibitor-invite", "test-2019", "huawei", "boss@huawei.example", "--role", "admin"
    )
    link = capsys.readouterr().out.strip().splitlines()[-1]
    assert "/portal/invitations/" in link
    response = Client().post(
        path_of(link), {"name": "Boss", "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert ExhibitorMember.objects.get(user__email="boss@huawei.example").role == MemberRole.ADMIN


# --- password reset -----------------------------------------------------------------------


def test_password_reset_by_email(huawei_staff):
    client = Client()
    response = client.post(reverse("portal:password-reset"), {"email": "staff@huawei.example"})
    assert response.status_code == 302
    body = mail.outbox[0].body
    link = re.search(r"http://\S+/portal/password-reset/\S+/", body).group(0)
    page = client.get(path_of(link), follow=True)
    assert page.status_code == 200
    set_url = page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert Client().login(username="staff@huawei.example", password=NEW_PASSWORD)


def test_password_reset_is_rate_limited(huawei_staff, settings):
    settings.SMARTEXPO_RATE_LIMIT_PORTAL_EMAILS = 1
    client = Client(REMOTE_ADDR=random_ip())
    client.post(reverse("portal:password-reset"), {"email": "staff@huawei.example"})
    response = client.post(reverse("portal:password-reset"), {"email": "staff@huawei.example"})
    assert response.status_code == 429
    assert len(mail.outbox) == 1
