"""The demo municipality's public page: some initiatives published with a summary for residents,
through the same steps as in the product (the owner proposes, the management group approves),
and one proposal left for the management group to decide on."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import Initiative, User
from . import services

# (initiative, summary for residents, approved). Content is data: plain Swedish for residents.
PUBLICATIONS = (
    (
        "Digital bygglovsprocess",
        "Du ska kunna söka bygglov, skicka in ritningar och följa ditt ärende på nätet, "
        "utan pappersblanketter och utan att behöva komma till kommunhuset.",
        True,
    ),
    (
        "Bokningssystem för lokaler och anläggningar",
        "Föreningar och invånare ska kunna se lediga tider och boka kommunens lokaler, "
        "idrottshallar och planer direkt på webben, dygnet runt.",
        True,
    ),
    (
        "E-tjänst för skolval och skolskjuts",
        "Vårdnadshavare söker skolplats och skolskjuts i en e-tjänst och får beslutet digitalt.",
        True,
    ),
    (
        "Frånvaroanmälan i app",
        "Vårdnadshavare anmäler sitt barns frånvaro från skolan i en app, när som helst på dygnet.",
        True,
    ),
    (
        "E-ansökan om ekonomiskt bistånd",
        "Du som behöver ekonomiskt bistånd ska kunna ansöka digitalt och säkert, "
        "med e-legitimation, och se hur din ansökan går.",
        True,
    ),
    (
        "Tillgänglighetsanpassning av webbplatsen",
        "Kommunens webbplats har gjorts om så att den fungerar för alla: med skärmläsare, "
        "med förstoring och med bara tangentbordet.",
        True,
    ),
    (
        "Bibliotekets e-tjänster och meröppet bibliotek",
        "Med ditt bibliotekskort ska du kunna låna och lämna tillbaka böcker också när "
        "biblioteket är obemannat, och förnya dina lån på nätet.",
        False,  # waits for the management group
    ),
)


def load(management: User, now: datetime) -> int:
    """Publish the demo's initiatives (those of the titles above that the demo has); returns
    how many are published (approved). The times are set from ``now``, so that the demo is
    the same on every run."""
    titles = [title for title, _summary, _approved in PUBLICATIONS]
    initiatives: dict[str, Initiative] = {}
    for initiative in db.session.scalars(
        select(Initiative).where(Initiative.title.in_(titles)).order_by(Initiative.id)
    ):
        initiatives.setdefault(initiative.title, initiative)
    count = 0
    for n, (title, summary, approved) in enumerate(PUBLICATIONS):
        initiative = initiatives.get(title)
        if initiative is None:  # a scaled-down demo without this initiative
            continue
        publication = services.propose(initiative.owner, initiative, summary)
        publication.proposed_at = publication.updated_at = now - timedelta(days=40 - 3 * n)
        if approved:
            services.approve(management, initiative)
            publication.decided_at = publication.updated_at = now - timedelta(days=38 - 3 * n)
            count += 1
    db.session.flush()
    return count
