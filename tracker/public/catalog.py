"""The DCAT-AP-SE catalogue of the open data, for Sveriges dataportal to harvest.

dcat:Catalog (title, description, publisher, dataset, licence, language, homepage), one
dcat:Dataset (title, description, publisher, contactPoint, distribution, theme, language,
accrualPeriodicity, keyword) and its dcat:Distributions (accessURL, downloadURL, license,
format, mediaType, title).
"""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from .. import settings
from .opendata import LICENSE_URL

EU = "http://publications.europa.eu/resource/authority/"
LANG = Namespace(EU + "language/")
THEME = Namespace(EU + "data-theme/")
FREQ = Namespace(EU + "frequency/")
FILE_TYPE = Namespace(EU + "file-type/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
IANA = Namespace("https://www.iana.org/assignments/media-types/")


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

    for endpoint, file_type, media in (
        ("public.initiatives_csv", "CSV", "text/csv"),
        ("public.initiatives_json", "JSON", "application/json"),
    ):
        url = URIRef(url_for(endpoint, _external=True))
        distribution = BNode()
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCAT.accessURL, url))
        graph.add((distribution, DCAT.downloadURL, url))
        graph.add((distribution, DCTERMS.license, URIRef(LICENSE_URL)))
        graph.add((distribution, DCTERMS.format, FILE_TYPE[file_type]))
        graph.add((distribution, DCAT.mediaType, IANA[media]))
        graph.add((distribution, DCTERMS.title, Literal(file_type)))
    return graph
