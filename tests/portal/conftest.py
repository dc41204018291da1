"""People of an exhibitor's portal, signed in with Django's test client: an administrator and
a staff member of Huawei, a member of Toyota (another exhibitor), and an organiser."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from smartexpo.exhibitors.models import ExhibitorMember, MemberRole

PASSWORD = "Correct-Horse-42"


@pytest.fixture(autouse=True)
def no_portal_rate_limits_unless_asked(settings):
    """The rate-limit tests turn them back on, from an address or a person of their own."""
    settings.SMARTEXPO_RATE_LIMIT_PORTAL_EMAILS = 0
    settings.SMARTEXPO_RATE_LIMIT_INVITATIONS = 0


def make_user(email: str, **extra):
    return get_user_model().objects.create_user(
        username=email.lower(), email=email, password=PASSWORD, **extra
    )


def member(exhibitor, email: str, role: str = MemberRole.STAFF):
    user = make_user(email)
    ExhibitorMember.objects.create(user=user, exhibitor=exhibitor, role=role)
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def huawei(expo):
    return expo.test_exhibitors["huawei"]


@pytest.fixture
def toyota(expo):
    return expo.test_exhibitors["toyota"]


@pytest.fixture
def huawei_admin(huawei):
    return member(huawei, "admin@huawei.example", MemberRole.ADMIN)


@pytest.fixture
def huawei_staff(huawei):
    return member(huawei, "staff@huawei.example", MemberRole.STAFF)


@pytest.fixture
def toyota_admin(toyota):
    return member(toyota, "admin@toyota.example", MemberRole.ADMIN)


@pytest.fixture
def organiser_user(db):
    """Back-office staff allowed to change exhibitors (not a superuser)."""
    user = make_user("organiser@expo.example", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_exhibitor"))
    return user


@pytest.fixture
def admin_client(huawei_admin):
    return signed_in(huawei_admin)


@pytest.fixture
def staff_client(huawei_staff):
    return signed_in(huawei_staff)


@pytest.fixture
def other_client(toyota_admin):
    return signed_in(toyota_admin)


@pytest.fixture
def organiser_client(organiser_user):
    return signed_in(organiser_user)
