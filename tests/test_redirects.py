"""Redirects after sign-in go only to a path on this site, whatever ``next`` holds."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tracker.redirects import same_site_path

from . import factories
from .conftest import csrf_from

HOSTILE = [
    "//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/ /evil.example",
    "\t//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    " https://evil.example",
    "/\x00/evil.example",
    "/\u3000/evil.example",
    "evil.example",
    "",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_targets_are_refused(target):
    assert same_site_path(target) is None


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/initiatives?committee=KS", "/initiatives?committee=KS"),
        ("/initiatives/3#updates", "/initiatives/3#updates"),
        ("/board\r\nSet-Cookie: x=1", "/boardSet-Cookie:x=1"),
    ],
)
def test_own_paths_are_kept_and_normalised(target, expected):
    assert same_site_path(target) == expected


@pytest.mark.parametrize("target", HOSTILE + ["/x\r\nLocation: //evil.example"])
def test_sign_in_never_leaves_the_site(client, org, target):
    page = client.get("/login", query_string={"next": target})
    if "\x00" in target:  # NUL in an address is refused outright (tracker.security)
        assert page.status_code == 400
        page = client.get("/login")
    assert page.status_code == 200
    response = client.post(
        "/login",
        data={
            "email": org.manager.email,
            "password": factories.PASSWORD,
            "next": target,
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    # As a browser reads it (tab, CR, LF dropped, backslash as slash): a path on this site.
    read = location.replace("\t", "").replace("\r", "").replace("\n", "").replace("\\", "/")
    assert read.startswith("/") and not read.startswith("//"), location
    assert not urlsplit(read).netloc
