"""The DCAT-AP-SE catalogue of the open data, for Sveriges dataportal to harvest.

dcat:Catalog (title, description, publisher, dataset, licence, language, homepage), one
dcat:Dataset (title, description, publisher, contactPoint, distribution, theme, language,
accrualPeriodicity, keyword) and its dcat:Distributions (accessURL, downloadURL, license,
format, mediaType, title); then one dcat:Dataset per committee and frozen period (the report as it
was frozen: issued when it was first frozen, modified when corrected, its period as
dct:temporal), with a CSV and a JSON distribution each. Served as RDF/XML, Turtle and JSON-LD.
"""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from .. import settings
from . import opendata
from .opendata import LICENSE_URL

EU = "http://publications.europa.eu/resource/authority/"
LANG = Namespace(EU + "language/")
THEME = Namespace(EU + "data-theme/")
FREQ = Namespace(EU + "frequency/")
FILE_TYPE = Namespace(EU + "file-type/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
IANA = Namespace("https://www.iana.org/assignments/media-types/")

# The JSON-LD form names the vocabularies by their usual prefixes.
CONTEXT = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "vcard": str(VCARD),
    "xsd": str(XSD),
}
FORMATS = (("CSV", "text/csv"), ("JSON", "application/json"))


def _both(graph: Graph, subject, predicate, text_of) -> None:
    """A literal in Swedish and in English."""
    for lang in ("sv", "en"):
        with force_locale(lang):
            graph.add((subject, predicate, Literal(text_of(), lang=lang)))


def build() -> Graph:
    graph = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("vcard", VCARD)):
        graph.bind(prefix, ns)
    home = URIRef(url_for("public.index", _external=True))
    catalog = URIRef(url_for("public.catalog_rdf", _external=True))
    dataset = URIRef(url_for("public.index", _external=True) + "#initiatives")
    publisher = URIRef(url_for("public.index", _external=True) + "#publisher")
    contact = URIRef(url_for("public.index", _external=True) + "#contact")
    organisation = settings.organisation_name()
    email = current_app.config.get("PUBLIC_CONTACT_EMAIL") or current_app.config.get(
        "CONTACT_EMAIL", ""
    )

    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal(organisation)))
    graph.add(
        (publisher, DCTERMS.type, URIRef("http://purl.org/adms/publishertype/LocalAuthority"))
    )

    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(organisation)))
    if email:
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{email}")))
    graph.add((contact, VCARD.hasURL, home))

    graph.add((catalog, RDF.type, DCAT.Catalog))
    _both(graph, catalog, DCTERMS.title, lambda: _("Open data: %(org)s", org=organisation))
    _both(
        graph,
        catalog,
        DCTERMS.description,
        lambda: _(
            "The digital initiatives that %(org)s publishes for its residents.", org=organisation
        ),
    )
    graph.add((catalog, DCTERMS.publisher, publisher))
    graph.add((catalog, FOAF.homepage, home))
    graph.add((catalog, DCTERMS.license, URIRef(LICENSE_URL)))
    graph.add((catalog, DCTERMS.language, LANG.SWE))
    graph.add((catalog, DCAT.dataset, dataset))

    graph.add((dataset, RDF.type, DCAT.Dataset))
    _both(graph, dataset, DCTERMS.title, lambda: _("Published digital initiatives"))
    _both(
        graph,
        dataset,
        DCTERMS.description,
        lambda: _(
            "Title, purpose, benefit for residents, status and progress of the municipality's "
            "published digital initiatives."
        ),
    )
    graph.add((dataset, DCTERMS.publisher, publisher))
    graph.add((dataset, DCAT.contactPoint, contact))
    graph.add((dataset, DCAT.theme, THEME.GOVE))
    graph.add((dataset, DCAT.theme, THEME.TECH))
    graph.add((dataset, DCTERMS.accrualPeriodicity, FREQ.CONT))
    graph.add((dataset, DCTERMS.language, LANG.SWE))
    graph.add((dataset, DCAT.landingPage, home))
    for word in ("digitalisering", "e-förvaltning", "digital transformation"):
        graph.add((dataset, DCAT.keyword, Literal(word)))

    for endpoint, (file_type, media) in zip(
        ("public.initiatives_csv", "public.initiatives_json"), FORMATS, strict=True
    ):
        _distribution(graph, dataset, URIRef(url_for(endpoint, _external=True)), file_type, media)

    for heading in opendata.all_reports():
        graph.add((catalog, DCAT.dataset, _period_dataset(graph, heading, publisher, contact)))
    return graph


def _distribution(graph: Graph, dataset, url: URIRef, file_type: str, media: str):
    distribution = BNode()
    graph.add((dataset, DCAT.distribution, distribution))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCAT.accessURL, url))
    graph.add((distribution, DCAT.downloadURL, url))
    graph.add((distribution, DCTERMS.license, URIRef(LICENSE_URL)))
    graph.add((distribution, DCTERMS.format, FILE_TYPE[file_type]))
    graph.add((distribution, DCAT.mediaType, IANA[media]))
    graph.add((distribution, DCTERMS.title, Literal(file_type)))
    return distribution


def _moment(value) -> Literal:
    return Literal(value.isoformat(timespec="seconds"), datatype=XSD.dateTime)


def _period_dataset(graph: Graph, heading: opendata.ReportHeading, publisher, contact) -> URIRef:
    """One committee's report for one period, at its stable address."""
    args = {"code": heading.committee_code, "period_id": heading.period_id}
    page = URIRef(url_for("public.period_report", **args, _external=True))
    dataset = URIRef(str(page) + "#dataset")
    graph.add((dataset, RDF.type, DCAT.Dataset))
    names = {"committee": heading.committee, "period": heading.period}
    _both(graph, dataset, DCTERMS.title, lambda: _("%(committee)s: report for %(period)s", **names))
    _both(
        graph,
        dataset,
        DCTERMS.description,
        lambda: _(
            "The report to %(committee)s for %(period)s as it was frozen: the public fields of "
            "the initiatives that are published now.",
            **names,
        ),
    )
    graph.add((dataset, DCTERMS.identifier, Literal(str(dataset))))
    graph.add((dataset, DCTERMS.publisher, publisher))
    graph.add((dataset, DCAT.contactPoint, contact))
    graph.add((dataset, DCAT.theme, THEME.GOVE))
    graph.add((dataset, DCTERMS.language, LANG.SWE))
    graph.add((dataset, DCTERMS.accrualPeriodicity, FREQ.IRREG))
    graph.add((dataset, DCAT.landingPage, page))
    graph.add((dataset, DCTERMS.issued, _moment(heading.issued)))
    graph.add((dataset, DCTERMS.modified, _moment(heading.modified)))
    graph.add((dataset, DCAT.keyword, Literal(heading.committee)))
    graph.add((dataset, DCAT.keyword, Literal("digitalisering")))
    if heading.starts_on and heading.ends_on:
        temporal = BNode()
        graph.add((dataset, DCTERMS.temporal, temporal))
        graph.add((temporal, RDF.type, DCTERMS.PeriodOfTime))
        graph.add((temporal, DCAT.startDate, Literal(heading.starts_on, datatype=XSD.date)))
        graph.add((temporal, DCAT.endDate, Literal(heading.ends_on, datatype=XSD.date)))
    for endpoint, (file_type, media) in zip(
        ("public.period_report_csv", "public.period_report_json"), FORMATS, strict=True
    ):
        url = URIRef(url_for(endpoint, **args, _external=True))
        distribution = _distribution(graph, dataset, url, file_type, media)
        graph.add((distribution, DCTERMS.issued, _moment(heading.issued)))
        graph.add((distribution, DCTERMS.modified, _moment(heading.modified)))
    return dataset
