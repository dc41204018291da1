"""The WSGI entry hands a response held in memory to the server whole, and a streamed one as it
is; either way the request ends once (`request_finished`), as Django's own handler ends it."""

from __future__ import annotations

import io
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.signals import request_finished

from smartexpo import wsgi

pytestmark = pytest.mark.django_db(transaction=True)


def _call(path: str) -> tuple[str, dict, object]:
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "wsgi.input": io.BytesIO()}
    setup_testing_defaults(environ)
    environ["HTTP_HOST"] = "127.0.0.1"
    seen: dict = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    body = wsgi.application(environ, start_response)
    return seen["status"], seen["headers"], body


@pytest.fixture
def finished():
    ended: list[object] = []

    def receiver(sender, **kwargs):
        ended.append(sender)

    request_finished.connect(receiver)
    yield ended
    request_finished.disconnect(receiver)


def test_a_page_is_one_block_of_bytes_and_its_request_has_ended(finished):
    status, headers, body = _call("/expos/nowhere/deals/")
    assert status.startswith("404")
    assert isinstance(body, list) and len(body) == 1 and isinstance(body[0], bytes)
    assert int(headers["Content-Length"]) == len(body[0])
    assert len(finished) == 1  # ended before the server writes, not again after


def test_an_api_answer_is_one_block_of_bytes_too(finished):
    status, _headers, body = _call("/api/v1/expos/nowhere/deals/tally")
    assert status.startswith("404")
    assert isinstance(body, list) and b'"not_found"' in body[0]
    assert len(finished) == 1


def test_a_static_file_is_streamed_and_ends_when_the_server_closes_it(finished):
    status, headers, body = _call("/static/deals/ceremony.js")
    assert status.startswith("200")
    assert not isinstance(body, list)
    streamed = b"".join(body)
    assert streamed and len(streamed) == int(headers["Content-Length"])
    assert finished == []
    body.close()
    assert len(finished) == 1
