"""The columns of the initiatives sheet: their Swedish and English headings, how values are read.

Headings are compared without case, spaces, punctuation or Swedish letters' dots and rings, so
"Ägare (e-post)", "agare epost" and "Owner (e-mail)" are the same column. The template always has
the Swedish headings; both languages are recognised.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from flask_babel import lazy_gettext as _l

from ..models import Health, Principle, Status

IGNORE = "ignore"
PRINCIPLE_PREFIX = "principle:"


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """A heading or value as compared: lower case, letters and digits only, å/ä/ö as a/a/o."""
    text = unicodedata.normalize("NFKD", (text or "").strip().lstrip("\ufeff").casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", "", text)


@dataclass(frozen=True)
class Column:
    key: str
    sv: str  # the template's heading
    en: str
    label: object  # for the interface, translated
    help: object  # for the template's explanation sheet
    example: str = ""
    aliases: tuple[str, ...] = ()
    required: bool = False

    def headings(self) -> set[str]:
        return {fold(h) for h in (self.sv, self.en, *self.aliases)}


COLUMNS: tuple[Column, ...] = (
    Column(
        "key",
        "Importnyckel",
        "Import key",
        _l("Import key"),
        _l(
            "Optional. Your own identifier of the row, e.g. WS-01. Keep it when you import the "
            "sheet again: the initiative is then found even if its title has changed."
        ),
        "WS-01",
        ("nyckel", "key", "id", "radnummer", "importid"),
    ),
    Column(
        "title",
        "Titel",
        "Title",
        _l("Title"),
        _l("Required. At most 200 characters."),
        "E-tjänst för bygglov",
        ("initiativ", "initiative", "namn", "name", "rubrik", "benamning"),
        required=True,
    ),
    Column(
        "purpose",
        "Syfte",
        "Purpose",
        _l("Purpose"),
        _l("Required. What the initiative is for."),
        "Att invånare ska kunna söka bygglov digitalt dygnet runt.",
        ("syftet", "aim"),
        required=True,
    ),
    Column(
        "benefit",
        "Nytta för invånarna",
        "Benefit for residents",
        _l("Benefit for residents"),
        _l("Optional."),
        "Kortare handläggningstid och färre kompletteringar.",
        ("nytta", "benefit", "invanarnytta", "nyttaforinvanare"),
    ),
    Column(
        "target_group",
        "Målgrupp",
        "Target group",
        _l("Target group"),
        _l("Optional. At most 200 characters."),
        "Invånare och företag",
        ("malgrupper", "audience"),
    ),
    Column(
        "department",
        "Avdelning",
        "Department",
        _l("Department"),
        _l("Required. The department's code or its name, as in the list below."),
        "",
        ("avdelningskod", "kontor", "enhet", "departmentcode", "unit", "verksamhet"),
        required=True,
    ),
    Column(
        "owner",
        "Ägare (e-post)",
        "Owner (e-mail)",
        _l("Owner (e-mail)"),
        _l(
            "Required. The e-mail address of the manager who owns the initiative. A system "
            "administrator can have owners who have no account yet created as managers."
        ),
        "",
        ("agare", "owner", "ansvarig", "ansvarigepost", "owneremail", "chef", "epost", "email"),
        required=True,
    ),
    Column(
        "owner_name",
        "Ägarens namn",
        "Owner's name",
        _l("Owner's name"),
        _l("Optional. Used only when the owner's account is created by the import."),
        "",
        ("ownername", "agarnamn", "namnpaagare", "ansvarigsnamn"),
    ),
    Column(
        "co_owners",
        "Medägare (e-post)",
        "Co-owners (e-mail)",
        _l("Co-owners (e-mail)"),
        _l("Optional. E-mail addresses of existing users, separated by commas or semicolons."),
        "",
        ("medagare", "coowners", "coowner", "medansvariga"),
    ),
    Column(
        "start_date",
        "Startdatum",
        "Start date",
        _l("Start date"),
        _l("Optional. A date as YYYY-MM-DD, e.g. 2026-03-01."),
        "2026-03-01",
        ("start", "startar", "startdate"),
    ),
    Column(
        "target_date",
        "Måldatum",
        "Target date",
        _l("Target date"),
        _l("Optional. A date as YYYY-MM-DD, not before the start date."),
        "2026-12-31",
        ("slutdatum", "klart", "klartdatum", "enddate", "end", "deadline"),
    ),
    Column(
        "funding",
        "Finansiering",
        "Funding source",
        _l("Funding source"),
        _l("Optional. At most 200 characters."),
        "Ordinarie budget",
        ("finansieringskalla", "funding", "fundingsource", "finansierasav"),
    ),
    Column(
        "cost",
        "Kostnad (kr)",
        "Cost estimate (kr)",
        _l("Cost estimate (kronor)"),
        _l("Optional. Whole kronor, e.g. 250000 or 250 000."),
        "250000",
        ("kostnad", "kostnadsuppskattning", "cost", "costestimate", "budget", "kostnadkr"),
    ),
    Column(
        "risks",
        "Risker",
        "Risks",
        _l("Risks"),
        _l("Optional."),
        "Leverantören hinner inte anpassa systemet.",
        ("risk", "riskbedomning"),
    ),
    Column(
        "status",
        "Status",
        "Status",
        _l("Status"),
        _l(
            "Optional. With a status the initiative gets its first status update: Idé, "
            "Planerad, Pågående, Pausad, Genomförd or Avbruten."
        ),
        "Pågående",
        ("lage", "state"),
    ),
    Column(
        "health",
        "Bedömning",
        "Assessment",
        _l("Assessment"),
        _l("Optional, with a status: Enligt plan, Risk or Avvikelse (default Enligt plan)."),
        "Enligt plan",
        ("health", "halsa", "bedomning"),
    ),
    Column(
        "progress",
        "Framdrift (%)",
        "Progress (%)",
        _l("Progress (%)"),
        _l("Optional, with a status: a whole number from 0 to 100 (default 0)."),
        "20",
        ("framsteg", "framdrift", "progress", "procent", "fardigt", "klartprocent"),
    ),
    Column(
        "report",
        "Lägesrapport",
        "Status report",
        _l("Status report"),
        _l("Optional, with a status: what has happened, the text of the first status update."),
        "Förstudien är klar och upphandlingen har börjat.",
        ("rapport", "report", "vadharhant", "whathappened", "happened", "kommentar"),
    ),
)
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = tuple(c.key for c in COLUMNS if c.required)
STATUS_COLUMNS = ("status", "health", "progress", "report")

# The Swedish labels, fixed: the sheet is Swedish whatever language the user reads the page in.
STATUS_SV = {
    Status.IDEA: "Idé",
    Status.PLANNED: "Planerad",
    Status.IN_PROGRESS: "Pågående",
    Status.PAUSED: "Pausad",
    Status.DONE: "Genomförd",
    Status.CANCELLED: "Avbruten",
}
STATUS_EN = {
    Status.IDEA: "Idea",
    Status.PLANNED: "Planned",
    Status.IN_PROGRESS: "In progress",
    Status.PAUSED: "Paused",
    Status.DONE: "Done",
    Status.CANCELLED: "Cancelled",
}
HEALTH_SV = {Health.ON_TRACK: "Enligt plan", Health.AT_RISK: "Risk", Health.OFF_TRACK: "Avvikelse"}
HEALTH_EN = {Health.ON_TRACK: "On track", Health.AT_RISK: "At risk", Health.OFF_TRACK: "Off track"}
_STATUS_WORDS = (
    {fold(w): s for table in (STATUS_SV, STATUS_EN) for s, w in table.items()}
    | {fold(s.value): s for s in Status}
    | {fold("Genomfört"): Status.DONE, fold("Klar"): Status.DONE, fold("Avslutad"): Status.DONE}
)
_HEALTH_WORDS = (
    {fold(w): h for table in (HEALTH_SV, HEALTH_EN) for h, w in table.items()}
    | {fold(h.value): h for h in Health}
    | {
        "gron": Health.ON_TRACK,
        "green": Health.ON_TRACK,
        "gul": Health.AT_RISK,
        "yellow": Health.AT_RISK,
        "rod": Health.OFF_TRACK,
        "red": Health.OFF_TRACK,
        "avvikande": Health.OFF_TRACK,
    }
)
# A principle cell holding only one of these marks the principle without saying how.
MARKS = {"ja", "j", "yes", "y", "x", "1", "sant", "true", "✓", "✔"}


def principle_key(principle: Principle) -> str:
    return f"{PRINCIPLE_PREFIX}{principle.id}"


def principle_headings(principle: Principle) -> set[str]:
    names = {principle.name_sv, principle.name_en, principle.key}
    headings = {fold(n) for n in names}
    for name in names:
        for word in ("ledord", "principle", "princip"):
            headings.add(fold(f"{word} {name}"))
        for word in ("motivering", "motivation"):
            headings.add(fold(f"{name} {word}"))
    return headings


def parse_status(text: str) -> Status | None:
    return _STATUS_WORDS.get(fold(text))


def parse_health(text: str) -> Health | None:
    return _HEALTH_WORDS.get(fold(text))


def parse_date(text: str) -> date | None:
    """2026-03-01; also what an XLSX date cell reads as ("2026-03-01 00:00:00")."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.date() if moment.time() == datetime.min.time() else None


def parse_whole_number(text: str, suffixes: tuple[str, ...] = ()) -> int | None:
    """ "250000", "250 000", "250 000 kr", "250000.0" (an XLSX number) -> 250000; None if not
    a whole number."""
    cleaned = text.strip().lower()
    for suffix in suffixes:
        if cleaned.endswith(suffix):
            cleaned = cleaned[: -len(suffix)].strip()
            break
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", cleaned)
    if re.fullmatch(r"-?\d{1,15}", cleaned):
        return int(cleaned)
    if re.fullmatch(r"-?\d{1,15}[.,]0+", cleaned):
        return int(re.split(r"[.,]", cleaned)[0])
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+", cleaned):  # 250.000 with dots for thousands
        return int(cleaned.replace(".", ""))
    return None


def is_mark(text: str) -> bool:
    return fold(text) in MARKS or text.strip() in MARKS
