"""Several mailers at once on one outbox of schedule emails: every person gets one email, none
twice (the lease is a conditional UPDATE), whichever mailer claimed it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection

from smartexpo.meetings.models import MeetingNotice, NoticeKind
from smartexpo.meetings.services.notices import notices_send
from tests.concurrency import race
from tests.meetings.pages_world import build
from tests.portal.conftest import member

pytestmark = pytest.mark.django_db(transaction=True)


def test_four_mailers_send_each_persons_email_once(expo):
    world = build(expo)
    member(expo.test_exhibitors["huawei"], "team@huawei.example")
    member(expo.test_exhibitors["toyota"], "team@toyota.example")
    people = [world.li_p, world.zhao_p, world.huawei_p, world.toyota_p]
    for participant in people:
        for kind in (NoticeKind.PUBLISHED, NoticeKind.CHANGED):
            MeetingNotice.objects.create(participant=participant, session=world.session, kind=kind)

    def mailer():
        try:
            return notices_send()
        finally:
            connection.close()

    sent = race([mailer] * 4)
    assert sum(sent) == len(people)
    recipients = sorted(tuple(m.to) for m in mail.outbox)
    assert len(recipients) == len(set(recipients)) == len(people)
    assert not MeetingNotice.objects.filter(sent_at__isnull=True).exists()
