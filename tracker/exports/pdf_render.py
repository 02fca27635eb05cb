"""WeasyPrint, and nothing else: the PDF made from finished HTML.

``render(html, static_root)`` lays the document out in a short-lived child process
(``python -I`` running this file), so that the tens of MiB a layout of 200 initiatives leaves
behind go back to the system with the child instead of staying in the web worker's heap (glibc
keeps freed memory, and WeasyPrint's boxes form reference cycles). This module imports nothing
of the application's, so the child starts with only what it needs.

The child is made for speed, since it lives for one document (``_child``): the garbage
collector is off (WeasyPrint builds some hundred thousand objects, and every collection walks
them all: a quarter of the time; the memory goes back when the child ends), and pydyf's list of
page references is made once per page count instead of on every tagged element (a new tuple of
every page for each of some 20,000 elements); its streams are compressed at zlib's level 6,
not 9; and it ends with ``os._exit``, skipping the interpreter's shutdown.
"""

from __future__ import annotations

import gc
import json
import mimetypes
import os
import subprocess
import sys
import zlib
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pydyf
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# A document of 500 initiatives (the limit) takes about half a minute on a slow machine.
CHILD_TIMEOUT_SECONDS = 300


class PdfError(RuntimeError):
    """The child could not make the PDF."""


class StaticOnlyFetcher(URLFetcher):
    """Serves WeasyPrint the project's own static files and refuses every other URL, so that a
    report can never make the server fetch from the network or read other files."""

    def __init__(self, root: str | Path):
        super().__init__(allowed_protocols=("file",), fail_on_errors=False)
        self.root = Path(root).resolve()

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"refused to fetch {url!r}: not a static file")
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ValueError(f"refused to fetch {url!r}: not a static file")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def render(html: str, static_root: str | Path) -> bytes:
    """The tagged PDF (PDF/UA-1) of ``html``, made in a child process."""
    header = json.dumps({"static": str(Path(static_root).resolve())}).encode()
    try:
        done = subprocess.run(  # noqa: S603 (our own interpreter and file, no shell)
            [sys.executable, "-I", __file__],
            input=header + b"\n" + html.encode("utf-8"),
            capture_output=True,
            timeout=CHILD_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise PdfError(f"the PDF took more than {CHILD_TIMEOUT_SECONDS} s") from error
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        tail = done.stderr.decode("utf-8", "replace")[-2000:]
        raise PdfError(f"the PDF child ended with {done.returncode}: {tail}")
    return done.stdout


def render_here(html: str, static_root: str | Path) -> bytes:
    """The same PDF, made in this process (the child's work)."""
    static = Path(static_root).resolve()
    document = HTML(
        string=html, base_url=static.as_uri() + "/", url_fetcher=StaticOnlyFetcher(static)
    )
    # PDF/UA-1: tagged, with the document language and title, for screen readers; the header
    # cells' scopes are added to WeasyPrint's structure tree before it is written.
    return document.write_pdf(pdf_variant="pdf/ua-1", finisher=scope_table_headers)


def scope_table_headers(_document, pdf: pydyf.PDF) -> None:
    """Give every table header cell its /Scope (PDF/UA-1 rule 7.5): Column in a THead, Row in a
    TBody. WeasyPrint tags <th> as TH but leaves ``scope`` out of the structure attributes.
    Called by WeasyPrint with its pydyf objects, before they are written (a ``finisher``)."""
    objects = pdf.objects  # an object's number is its index

    def parent(element):
        reference = element.get("P")  # b"12 0 R"; the StructTreeRoot has none
        return objects[int(reference.split()[0])] if reference else None

    for element in objects:
        if not isinstance(element, pydyf.Dictionary) or element.get("S") != "/TH":
            continue
        ancestor = parent(element)
        while ancestor is not None and ancestor.get("S") != "/THead":
            ancestor = parent(ancestor)
        attributes = element.get("A")
        if not isinstance(attributes, pydyf.Dictionary):
            attributes = element["A"] = pydyf.Dictionary({"O": "/Table"})
        attributes["Scope"] = "/Row" if ancestor is None else "/Column"


def remembered_page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
    """``pydyf.PDF.page_references``, made again only when a page has been added. pydyf builds
    the tuple anew on every read, and WeasyPrint reads it for every marked element of a tagged
    PDF: quadratic in the pages (0.4 s of a document of 200 initiatives)."""
    kids = pdf.pages["Kids"]  # only ever extended, by add_page: three items per page
    remembered = pdf.__dict__.get("_remembered_page_references")
    if remembered is None or remembered[0] != len(kids):
        remembered = (len(kids), ORIGINAL_PAGE_REFERENCES.fget(pdf))
        pdf.__dict__["_remembered_page_references"] = remembered
    return remembered[1]


ORIGINAL_PAGE_REFERENCES = pydyf.PDF.page_references

# zlib's default level: the file is as small as at pydyf's level 9 (within 4 %), at a fifth of
# the time (level 9 took 0.25 s of a document of 200 initiatives, level 6 0.05 s).
COMPRESSION_LEVEL = 6


class _Zlib:
    """The zlib module as pydyf sees it in the child: its streams compressed at
    ``COMPRESSION_LEVEL`` instead of the level 9 pydyf asks for."""

    compress = staticmethod(zlib.compress)

    @staticmethod
    def compressobj(level=COMPRESSION_LEVEL, *args, **kwargs):
        return zlib.compressobj(COMPRESSION_LEVEL, *args, **kwargs)


def prepare_for_one_document() -> None:
    """Made for a process that lays out one document and ends (see the module's docstring)."""
    gc.disable()
    pydyf.PDF.page_references = property(remembered_page_references)
    pydyf.zlib = _Zlib


def _child() -> None:
    """Read a JSON header line and the HTML from stdin, write the PDF to stdout, and end at
    once: the interpreter's usual shutdown would collect and free every object of the layout
    one by one (a collection runs at exit even with the collector off), a fifth of a second
    for 200 initiatives, to give back memory that the end of the process gives back anyway."""
    prepare_for_one_document()
    header = json.loads(sys.stdin.buffer.readline())
    html = sys.stdin.buffer.read().decode("utf-8")
    sys.stdout.buffer.write(render_here(html, header["static"]))
    sys.stdout.buffer.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    _child()
