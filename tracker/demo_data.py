"""The content of the demo municipality: its organisation and forty hand-written initiatives.

Kept apart from ``demo.py``, which loads it, so that the loading code stays short to read.
"""

from __future__ import annotations

from typing import NamedTuple

from .models import Health, Status

IDEA, PLANNED, IN_PROGRESS = Status.IDEA, Status.PLANNED, Status.IN_PROGRESS
PAUSED, DONE, CANCELLED = Status.PAUSED, Status.DONE, Status.CANCELLED
ON_TRACK, AT_RISK, OFF_TRACK = Health.ON_TRACK, Health.AT_RISK, Health.OFF_TRACK


class Arc(NamedTuple):
    """Where an initiative's history ends: the latest status, health and progress, how many
    status updates led there, and how many days ago the latest one was posted."""

    status: Status
    health: Health
    progress: int
    updates: int
    days_ago: int


class Plan(NamedTuple):
    """One initiative of the demo, with the arc its status history follows."""

    title: str
    department: str
    purpose: str
    benefit: str
    target_group: str
    funding: str
    cost: int | None
    risks: str
    months: int  # from start date to target date
    arc: Arc
    links: tuple[tuple[str, str], ...]  # (principle key, motivation)
    latest: str = ""  # what happened, in the latest update
    support: str = ""  # support needed, in the latest update
    co_owners: tuple[str, ...] = ()  # e-mail addresses


COMMITTEES = (
    ("KS", "Kommunstyrelsen"),
    ("BUN", "Barn- och utbildningsnämnden"),
    ("SN", "Socialnämnden"),
    ("SBN", "Samhällsbyggnadsnämnden"),
    ("KFN", "Kultur- och fritidsnämnden"),
)

# (code, name, committee, parent department); a parent comes before its children.
DEPARTMENTS = (
    ("KLK", "Kommunledningskontoret", "KS", None),
    ("HR", "HR-avdelningen", "KS", "KLK"),
    ("EKO", "Ekonomiavdelningen", "KS", "KLK"),
    ("IT", "IT- och digitaliseringsenheten", "KS", "KLK"),
    ("BUK", "Barn- och utbildningskontoret", "BUN", None),
    ("FSK", "Förskoleverksamheten", "BUN", "BUK"),
    ("GRS", "Grundskoleverksamheten", "BUN", "BUK"),
    ("SOC", "Socialkontoret", "SN", None),
    ("AO", "Äldreomsorgen", "SN", "SOC"),
    ("SBK", "Samhällsbyggnadskontoret", "SBN", None),
    ("KFK", "Kultur- och fritidskontoret", "KFN", None),
)

# (key, name_sv, name_en, description_sv, description_en)
PRINCIPLES = (
    (
        "tillganglighet",
        "Tillgänglighet",
        "Accessibility",
        "Kommunens tjänster ska vara lätta att hitta, förstå och använda för alla invånare, "
        "oavsett funktionsförmåga, språk eller tid på dygnet.",
        "The municipality's services should be easy to find, understand and use for every "
        "resident, whatever their abilities, language or the time of day.",
    ),
    (
        "trygghet",
        "Trygghet",
        "Security and trust",
        "Invånare och medarbetare ska kunna lita på att information hanteras säkert och "
        "rättssäkert, och att de digitala tjänsterna fungerar när de behövs.",
        "Residents and staff should be able to trust that information is handled securely and "
        "lawfully, and that digital services work when they are needed.",
    ),
    (
        "effektivitet",
        "Effektivitet",
        "Efficiency",
        "Digitaliseringen ska flytta tid och pengar från administration till kärnverksamheten, "
        "så att skattepengarna gör så stor nytta som möjligt.",
        "Digitalisation should move time and money from administration to core services, so "
        "that tax money does as much good as possible.",
    ),
)

# (e-mail, role, name, department); the first four are the demo accounts of DESIGN.md.
ACCOUNTS = (
    ("admin@nykvarn.example", "admin", "Maria Lindqvist", "IT"),
    ("ledning@nykvarn.example", "management", "Anders Holmberg", "KLK"),
    ("namnd@nykvarn.example", "committee", "Eva Sjöberg", None),
    ("chef@nykvarn.example", "manager", "Sara Lindberg", "KFK"),
    ("chef.klk@nykvarn.example", "manager", "Jonas Bergström", "KLK"),
    ("chef.hr@nykvarn.example", "manager", "Karin Lundgren", "HR"),
    ("chef.eko@nykvarn.example", "manager", "Peter Åberg", "EKO"),
    ("chef.it@nykvarn.example", "manager", "Fredrik Ström", "IT"),
    ("chef.buk@nykvarn.example", "manager", "Annika Berg", "BUK"),
    ("chef.fsk@nykvarn.example", "manager", "Lina Karlsson", "FSK"),
    ("chef.grs@nykvarn.example", "manager", "Mikael Sandberg", "GRS"),
    ("chef.soc@nykvarn.example", "manager", "Helena Forsberg", "SOC"),
    ("chef.ao@nykvarn.example", "manager", "Birgitta Holm", "AO"),
    ("chef.sbk@nykvarn.example", "manager", "Erik Wallin", "SBK"),
)
DEMO_ACCOUNTS: list[tuple[str, str, str]] = [(e, r, n) for e, r, n, _ in ACCOUNTS]
MANAGER_OF = {code: email for email, role, _, code in ACCOUNTS if role == "manager"}

# Units that name the variants of the scaled demo, e.g. "Digital signering – Förskolan Ängen 37".
UNITS = {
    "KLK": ("Kommunhuset", "Kontaktcenter", "Kansliet"),
    "HR": ("Löneenheten", "Rekryteringsenheten", "Arbetsmiljöenheten"),
    "EKO": ("Redovisningen", "Upphandlingsenheten", "Controllergruppen"),
    "IT": ("Servicedesk", "Infrastrukturgruppen", "Systemförvaltningen"),
    "BUK": ("Elevhälsan", "Kulturskolan", "Modersmålsenheten"),
    "FSK": ("Förskolan Ängen", "Förskolan Solgläntan", "Förskolan Skogsbrynet", "Förskolan Lärkan"),
    "GRS": ("Centralskolan", "Furuborgsskolan", "Lillskogsskolan", "Runstensskolan"),
    "SOC": ("Försörjningsstöd", "Barn och familj", "Vuxenenheten", "LSS-verksamheten"),
    "AO": ("Hemtjänsten norr", "Hemtjänsten söder", "Äldreboendet Ekhagen", "Hemsjukvården"),
    "SBK": ("Bygglovsenheten", "Miljöenheten", "Gata och park", "VA-enheten"),
    "KFK": ("Biblioteket", "Fritidsgården", "Sporthallen", "Simhallen"),
}

PLANS = (
    Plan(
        "Digitala nämndhandlingar",
        "KLK",
        "Ersätta pappersutskick av kallelser och handlingar till förtroendevalda med en app där "
        "handlingarna publiceras, kommenteras och arkiveras digitalt.",
        "Invånarna hittar nämndernas handlingar och protokoll på webbplatsen samma dag som de "
        "publiceras.",
        "Förtroendevalda, nämndsekreterare och invånare",
        "Ordinarie budget",
        180_000,
        "Ovana förtroendevalda kan behöva mer stöd än planerat; alla nämnder måste byta samtidigt.",
        12,
        Arc(IN_PROGRESS, ON_TRACK, 70, 8, 9),
        (
            (
                "tillganglighet",
                "Handlingarna kan läsas med skärmläsare och förstoring, vilket gör den politiska "
                "processen tillgängligare för både ledamöter och invånare.",
            ),
            (
                "effektivitet",
                "Kopiering, kuvertering och bud av pärmar försvinner, vilket sparar "
                "nämndsekreterarna flera arbetsdagar i månaden.",
            ),
        ),
        "Alla nämnder utom Socialnämnden använder nu appen. Utbildning för ersättare är "
        "genomförd i två omgångar.",
    ),
    Plan(
        "Nytt ärendehanteringssystem",
        "KLK",
        "Byta ut det gamla diariet mot ett gemensamt ärende- och dokumenthanteringssystem för "
        "alla förvaltningar, med koppling till e-arkivet.",
        "Den som begär ut allmänna handlingar får svar snabbare när allt går att söka fram i ett "
        "system.",
        "Registratorer, handläggare och chefer i hela kommunen",
        "Ordinarie budget",
        1_450_000,
        "Migreringen av äldre ärenden är större än beräknat; leverantören delar sina resurser "
        "med flera kommuner.",
        18,
        Arc(IN_PROGRESS, AT_RISK, 45, 9, 6),
        (
            (
                "effektivitet",
                "Ett gemensamt system ersätter tre separata diarier och dubbelregistreringen "
                "mellan dem.",
            ),
            (
                "trygghet",
                "Behörighetsstyrning och loggning gör att känsliga handlingar bara läses av dem "
                "som behöver, och att allmänna handlingar diarieförs rättssäkert.",
            ),
        ),
        "Testmigreringen av ärenden från 2015–2020 visade fel i var femte akt. Leverantören tar "
        "fram en rättning, men driftstarten i maj är hotad.",
        "Beslut från ledningsgruppen om driftstarten ska flyttas till hösten eller om vi ska ta "
        "in extra konsultstöd för migreringen (cirka 200 000 kr).",
    ),
    Plan(
        "E-arkiv enligt FGS",
        "KLK",
        "Införa ett e-arkiv som tar emot handlingar enligt Riksarkivets förvaltningsgemensamma "
        "specifikationer, så att digitala handlingar bevaras utan att skrivas ut.",
        "Invånare och forskare kan ta del av arkiverade handlingar digitalt, och handlingarna "
        "bevaras säkert för framtiden.",
        "Kommunarkivet, registratorer och systemförvaltare",
        "Ordinarie budget",
        950_000,
        "Verksamhetssystemen saknar ofta färdiga FGS-exporter; arkivkompetensen finns hos en "
        "enda person.",
        24,
        Arc(IN_PROGRESS, OFF_TRACK, 30, 8, 11),
        (
            (
                "trygghet",
                "Handlingar bevaras oförändrade och spårbara enligt arkivlagen, så att invånarnas "
                "ärenden inte går förlorade.",
            ),
            (
                "effektivitet",
                "Utskrift och pappersarkivering av digitala handlingar kan upphöra, vilket frigör "
                "både arbetstid och arkivlokaler.",
            ),
        ),
        "Första leveransen från ekonomisystemet underkändes i valideringen. Arkivarien är "
        "föräldraledig och ersättare saknas.",
        "Beslut om att köpa in en arkivkonsult under sex månader, och hjälp att prioritera "
        "e-arkivet i IT-enhetens planering.",
    ),
    Plan(
        "Chattbot på kommunens webbplats",
        "KLK",
        "Pröva en chattbot som svarar på vanliga frågor om till exempel sophämtning, "
        "förskoleplats och bygglov, och lämnar över till kontaktcenter vid behov.",
        "Invånare får svar på enkla frågor även på kvällar och helger, utan att ringa.",
        "Invånare och företagare som söker information",
        "Omställningsfonden",
        120_000,
        "Felaktiga svar kan skada förtroendet; webbplatsens innehåll måste hållas aktuellt.",
        9,
        Arc(PLANNED, ON_TRACK, 10, 3, 55),
        (
            (
                "tillganglighet",
                "Chattboten svarar dygnet runt och på enkel svenska, så att kommunens service når "
                "invånarna även utanför telefontiden.",
            ),
            (
                "effektivitet",
                "Kontaktcenter avlastas från de vanligaste frågorna och får mer tid för ärenden "
                "som kräver en människa.",
            ),
        ),
        "Kravspecifikationen är klar. Vi väntar på att Addas upphandling av AI-tjänster ska "
        "bli klar.",
    ),
    Plan(
        "Publicering av öppna data",
        "KLK",
        "Publicera data om till exempel lekplatser, badplatser, sophämtning och nämndbeslut som "
        "öppna data enligt lagen om den offentliga sektorns tillhandahållande av data.",
        "Företag, forskare och invånare kan bygga tjänster och granska kommunen med data som är "
        "fritt tillgängliga.",
        "Invånare, företag, journalister och forskare",
        "Statsbidrag",
        90_000,
        "Personuppgifter får inte följa med av misstag; dataset som inte uppdateras tappar värde.",
        12,
        Arc(IN_PROGRESS, ON_TRACK, 40, 6, 14),
        (
            (
                "tillganglighet",
                "Data publiceras i öppna, maskinläsbara format som vem som helst kan använda utan "
                "att begära ut dem.",
            ),
            (
                "trygghet",
                "Öppen insyn i kommunens verksamhet stärker förtroendet för hur skattepengarna "
                "används.",
            ),
        ),
        "Sju dataset är publicerade på dataportal.se, bland annat badplatser och lekplatser. "
        "Rutinen för granskning av personuppgifter är fastställd.",
    ),
    Plan(
        "Tillgänglighetsanpassning av webbplatsen",
        "KLK",
        "Åtgärda bristerna från tillgänglighetsgranskningen så att webbplatsen uppfyller lagen "
        "om tillgänglighet till digital offentlig service (WCAG 2.1 AA).",
        "Invånare med funktionsnedsättning kan använda webbplatsen och e-tjänsterna på samma "
        "villkor som andra.",
        "Alla invånare, särskilt personer med funktionsnedsättning",
        "Ordinarie budget",
        250_000,
        "Nya brister kan uppstå när redaktörer publicerar innehåll utan stöd.",
        8,
        Arc(DONE, ON_TRACK, 100, 7, 35),
        (
            (
                "tillganglighet",
                "Webbplatsen går att använda med skärmläsare, tangentbord och förstoring, och "
                "PDF-filer ersätts med tillgängliga webbsidor.",
            ),
        ),
        "Återgranskningen visade inga allvarliga brister. Tillgänglighetsredogörelsen är "
        "uppdaterad och redaktörerna har fått utbildning.",
    ),
    Plan(
        "Digital introduktion för nyanställda",
        "HR",
        "Samla introduktionen i en portal med checklistor, filmer och webbutbildningar som den "
        "nyanställde kan börja med redan före första arbetsdagen.",
        "Medarbetare i välfärden kommer snabbare in i arbetet, vilket ger invånarna en tryggare "
        "och jämnare service.",
        "Nyanställda och chefer",
        "Omställningsfonden",
        140_000,
        "Varje förvaltning måste hålla sitt innehåll aktuellt; medarbetare utan egen dator når "
        "inte portalen.",
        10,
        Arc(IN_PROGRESS, ON_TRACK, 60, 7, 8),
        (
            (
                "effektivitet",
                "Chefer slipper upprepa samma information vid varje anställning, och checklistan "
                "gör att inget moment glöms bort.",
            ),
            (
                "trygghet",
                "Alla nyanställda får samma information om informationssäkerhet, arbetsmiljö och "
                "rutiner från första dagen.",
            ),
        ),
        "Portalen är i drift för kommunledningskontoret och socialkontoret. Filmerna om "
        "informationssäkerhet och arbetsmiljö är inspelade.",
    ),
    Plan(
        "Informationssäkerhetsutbildning för alla medarbetare",
        "HR",
        "Ge alla cirka 900 medarbetare en obligatorisk webbutbildning i informationssäkerhet och "
        "dataskydd, med årlig repetition.",
        "Invånarnas personuppgifter hanteras säkrare när alla medarbetare känner igen nätfiske "
        "och vet hur incidenter rapporteras.",
        "Alla medarbetare och förtroendevalda",
        "Ordinarie budget",
        60_000,
        "Låg genomförandegrad i verksamheter där medarbetarna sällan sitter vid en dator.",
        12,
        Arc(IN_PROGRESS, AT_RISK, 50, 8, 5),
        (
            (
                "trygghet",
                "Utbildningen minskar risken för dataintrång och för felaktig hantering av "
                "känsliga uppgifter om invånare.",
            ),
            (
                "tillganglighet",
                "Utbildningen är textad, har uppläst text och kan genomföras i mobilen under "
                "arbetstid.",
            ),
        ),
        "52 procent av medarbetarna har genomfört utbildningen. Hemtjänsten och förskolan ligger "
        "under 30 procent.",
        co_owners=("chef.it@nykvarn.example",),
    ),
    Plan(
        "Digital signering av anställningsavtal",
        "HR",
        "Skicka anställningsavtal för underskrift med e-legitimation i stället för att skriva "
        "ut, posta och skanna dem.",
        "Vikarier i förskola och äldreomsorg kan börja arbeta snabbare, vilket minskar luckorna "
        "i bemanningen.",
        "Chefer, löneadministratörer och nyanställda",
        "Ordinarie budget",
        45_000,
        "Personer utan e-legitimation behöver fortfarande en pappersrutin.",
        6,
        Arc(DONE, ON_TRACK, 100, 6, 48),
        (
            (
                "effektivitet",
                "Tiden från rekryteringsbeslut till underskrivet avtal har kortats från över en "
                "vecka till en dag.",
            ),
            (
                "trygghet",
                "Avtalen lagras direkt i personalakten med spårbar underskrift i stället för att "
                "skickas med internposten.",
            ),
        ),
        "Införandet är klart i alla förvaltningar. 94 procent av avtalen signeras nu digitalt.",
    ),
    Plan(
        "RPA för leverantörsfakturor",
        "EKO",
        "Låta en mjukvarurobot kontera och matcha återkommande leverantörsfakturor mot avtal och "
        "beställningar, så att ekonomerna bara hanterar avvikelserna.",
        "Skattepengar går till verksamheten i stället för till manuell administration.",
        "Ekonomiavdelningen och attestanter",
        "Omställningsfonden",
        320_000,
        "Robotens regler slutar fungera när leverantörerna ändrar fakturaformat; vi är beroende "
        "av en extern konsult.",
        12,
        Arc(IN_PROGRESS, OFF_TRACK, 35, 8, 4),
        (
            (
                "effektivitet",
                "Roboten ska hantera cirka 60 procent av de 25 000 fakturorna per år, vilket "
                "motsvarar ungefär en halv tjänst.",
            ),
            (
                "trygghet",
                "Automatisk kontroll mot avtal upptäcker felaktiga och dubbla fakturor som annars "
                "kan slinka igenom.",
            ),
        ),
        "Roboten stoppar på en tredjedel av fakturorna efter uppgraderingen av ekonomisystemet. "
        "Konsulten har inte kunnat rätta felen på tre veckor.",
        "Stöd i dialogen med leverantören av ekonomisystemet, och besked om budgeten räcker till "
        "fler konsulttimmar.",
    ),
    Plan(
        "E-faktura via Peppol från alla leverantörer",
        "EKO",
        "Kräva och ta emot e-fakturor via Peppol från alla leverantörer och fasa ut pappers- och "
        "PDF-fakturor.",
        "Kortare hanteringstid och färre fel ger lägre administrativa kostnader.",
        "Leverantörer och ekonomiavdelningen",
        "Ordinarie budget",
        30_000,
        "Små lokala leverantörer kan sakna möjlighet att skicka e-faktura.",
        9,
        Arc(IN_PROGRESS, ON_TRACK, 80, 9, 10),
        (
            (
                "effektivitet",
                "E-fakturor läses in automatiskt utan skanning och tolkning, vilket minskar både "
                "arbetstid och felregistreringar.",
            ),
        ),
        "87 procent av fakturorna kommer nu som e-faktura. De lokala leverantörer som återstår "
        "har fått information om fakturaportalen.",
    ),
    Plan(
        "Digital budgetuppföljning med beslutsstöd",
        "EKO",
        "Ersätta Excelfiler för månadsuppföljningen med ett beslutsstöd där chefer ser utfall, "
        "prognos och personalkostnader för sin enhet.",
        "Bättre koll på ekonomin gör att pengarna används där invånarna behöver dem mest.",
        "Chefer med budgetansvar och ledningsgruppen",
        "Ordinarie budget",
        400_000,
        "Datakvaliteten i källsystemen är ojämn; chefer kan uppleva det som ännu ett system.",
        14,
        Arc(PLANNED, ON_TRACK, 5, 2, 18),
        (
            (
                "effektivitet",
                "Cheferna slipper sammanställa egna kalkylblad, och prognosarbetet går från en "
                "vecka till en dag.",
            ),
            (
                "trygghet",
                "Gemensamma siffror från samma källa minskar risken för felaktiga beslutsunderlag "
                "till nämnderna.",
            ),
        ),
        "Förstudien är klar och presenterad för ledningsgruppen. Upphandlingen planeras till "
        "efter sommaren.",
    ),
    Plan(
        "Digitala attestflöden för inköp",
        "EKO",
        "Undersöka om beställningar och attester av inköp kan göras i e-handelssystemet i "
        "stället för via e-post och papperslistor.",
        "Bättre avtalstrohet ger lägre priser och mer pengar till kärnverksamheten.",
        "Beställare och attestanter",
        "Ej beslutad",
        None,
        "Alla avtal måste läggas in i e-handelssystemet.",
        12,
        Arc(IDEA, ON_TRACK, 0, 0, 0),
        (
            (
                "effektivitet",
                "Ett digitalt flöde kortar tiden från beställning till betalning och visar att "
                "rätt avtal används.",
            ),
        ),
    ),
    Plan(
        "Införande av Microsoft 365",
        "IT",
        "Flytta e-post, filer och samarbete till Microsoft 365 efter en risk- och "
        "sårbarhetsanalys, med tydliga regler för vilken information som får lagras var.",
        "Medarbetare kan samarbeta och arbeta mobilt, vilket ger snabbare svar till invånarna.",
        "Alla medarbetare",
        "Ordinarie budget",
        850_000,
        "Rättsläget kring amerikanska molntjänster är osäkert; sekretessuppgifter får inte hamna "
        "i molnet.",
        18,
        Arc(IN_PROGRESS, AT_RISK, 65, 10, 3),
        (
            (
                "effektivitet",
                "Gemensamma dokument och digitala möten ersätter e-postbilagor och resor mellan "
                "kommunens lokaler.",
            ),
            (
                "trygghet",
                "Informationsklassning och tekniska skydd gör att sekretessuppgifter stannar i "
                "kommunens egna system.",
            ),
        ),
        "Teams är infört i hela organisationen. Flytten av filservrarna är försenad eftersom "
        "informationsklassningen inte är klar för socialkontoret.",
    ),
    Plan(
        "Flerfaktorsinloggning för alla konton",
        "IT",
        "Kräva flerfaktorsinloggning för alla medarbetarkonton och för alla system som nås "
        "utanför kommunens nät.",
        "Invånarnas uppgifter skyddas bättre mot intrång och bedrägerier.",
        "Alla medarbetare",
        "Ordinarie budget",
        75_000,
        "Medarbetare utan tjänstetelefon behöver hårdvarunycklar.",
        6,
        Arc(IN_PROGRESS, ON_TRACK, 85, 7, 12),
        (
            (
                "trygghet",
                "Flerfaktorsinloggning stoppar de flesta intrång som börjar med stulna lösenord "
                "och skyddar därmed invånarnas uppgifter.",
            ),
        ),
        "Alla förvaltningar utom äldreomsorgen är klara. Hårdvarunycklar till hemtjänsten är "
        "beställda.",
    ),
    Plan(
        "Gemensam e-tjänsteplattform och Mina sidor",
        "IT",
        "Samla kommunens e-tjänster på en plattform med inloggning med e-legitimation och en "
        "Mina sidor där invånaren kan följa sina ärenden.",
        "Invånare kan söka, följa och komplettera sina ärenden dygnet runt på ett ställe.",
        "Invånare, företagare och föreningar",
        "Omställningsfonden",
        600_000,
        "Integrationerna med verksamhetssystemen tar tid; förvaltningarna måste själva ta fram "
        "sina e-tjänster.",
        18,
        Arc(IN_PROGRESS, ON_TRACK, 45, 8, 7),
        (
            (
                "tillganglighet",
                "Alla e-tjänster får samma tillgängliga utformning och fungerar i mobilen dygnet "
                "runt.",
            ),
            (
                "effektivitet",
                "Ansökningar kommer in kompletta och strukturerade direkt till handläggaren i "
                "stället för som pappersblanketter.",
            ),
            (
                "trygghet",
                "Inloggning med e-legitimation och krypterade meddelanden gör det säkert att "
                "skicka in personliga uppgifter.",
            ),
        ),
        "Plattformen är i drift med tolv e-tjänster. Mina sidor visar nu status för "
        "bygglovsärenden och lokalbokningar.",
        co_owners=("chef@nykvarn.example",),
    ),
    Plan(
        "Säkerhetskopiering och kontinuitetsplan för IT",
        "IT",
        "Införa säkerhetskopior som angripare inte kan radera eller kryptera, och öva "
        "återställning av de viktigaste systemen.",
        "Viktiga tjänster som hemtjänstens planering och skolans system kan startas igen snabbt "
        "efter ett angrepp.",
        "IT-enheten och systemförvaltare",
        "Statsbidrag",
        500_000,
        "Utan övning vet vi inte om återställningen fungerar; arbetet konkurrerar med Microsoft "
        "365-projektet om samma tekniker.",
        12,
        Arc(PAUSED, AT_RISK, 20, 4, 70),
        (
            (
                "trygghet",
                "Skyddade säkerhetskopior och övad återställning gör att kommunen kan fortsätta "
                "ge service till invånarna även efter ett cyberangrepp.",
            ),
        ),
        "Arbetet är pausat eftersom teknikerna behövs i flytten till Microsoft 365. Lösningen "
        "för oföränderliga säkerhetskopior är vald.",
    ),
    Plan(
        "Ny skolplattform",
        "BUK",
        "Byta till en gemensam skolplattform för schema, närvaro, bedömning och kontakt med "
        "vårdnadshavare i förskola och grundskola.",
        "Vårdnadshavare och elever hittar all information om skolgången på ett ställe, i en app "
        "som är enkel att använda.",
        "Elever, vårdnadshavare och pedagoger",
        "Ordinarie budget",
        700_000,
        "Den förra plattformen fick hård kritik för dålig användbarhet; bytet måste ske under "
        "ett sommarlov.",
        15,
        Arc(IN_PROGRESS, AT_RISK, 55, 9, 9),
        (
            (
                "tillganglighet",
                "Plattformen är granskad mot WCAG och finns på flera språk, så att alla "
                "vårdnadshavare kan följa sitt barns skolgång.",
            ),
            (
                "effektivitet",
                "Lärarna slipper dubbeldokumentera närvaro och omdömen i flera system.",
            ),
        ),
        "Piloten med två skolor är genomförd. Vårdnadshavarnas app fick bra omdömen, men "
        "kopplingen till elevregistret fungerar ännu inte.",
    ),
    Plan(
        "E-tjänst för skolval och skolskjuts",
        "BUK",
        "Låta vårdnadshavare välja skola och ansöka om skolskjuts i en e-tjänst med automatisk "
        "kontroll av avståndet.",
        "Vårdnadshavare får beslut om skolskjuts snabbare och kan ansöka när det passar dem.",
        "Vårdnadshavare till elever i förskoleklass och grundskola",
        "Omställningsfonden",
        110_000,
        "Vårdnadshavare utan e-legitimation behöver en annan väg in.",
        8,
        Arc(DONE, ON_TRACK, 100, 6, 40),
        (
            (
                "tillganglighet",
                "Ansökan kan göras dygnet runt i mobilen och finns även på engelska och arabiska.",
            ),
            (
                "effektivitet",
                "Avståndet kontrolleras automatiskt i stället för manuellt i kartan för varje "
                "ansökan.",
            ),
        ),
        "Skolvalet genomfördes helt digitalt i år; 96 procent av vårdnadshavarna ansökte via "
        "e-tjänsten.",
    ),
    Plan(
        "Digital elevhälsojournal",
        "BUK",
        "Ersätta elevhälsans pappersjournaler med en digital journal som uppfyller "
        "patientdatalagen.",
        "Eleverna får en säkrare och mer sammanhållen elevhälsa när skolsköterska, kurator och "
        "psykolog har tillgång till rätt uppgifter.",
        "Elevhälsans personal och elever",
        "Ordinarie budget",
        260_000,
        "Höga krav på loggning och behörigheter; äldre pappersjournaler måste föras över.",
        12,
        Arc(PLANNED, ON_TRACK, 10, 3, 21),
        (
            (
                "trygghet",
                "Journalen har behörighetsstyrning och loggning, så att känsliga uppgifter om "
                "barn bara läses av den som har rätt till dem.",
            ),
            (
                "effektivitet",
                "Skolsköterskorna slipper leta i pappersjournaler när elever byter skola inom "
                "kommunen.",
            ),
        ),
        "Behovsanalysen är klar tillsammans med skolsköterskorna. Avropet från ramavtalet har "
        "påbörjats.",
    ),
    Plan(
        "Digital närvaroregistrering i förskolan",
        "FSK",
        "Registrera barnens närvaro och vistelsetider i en app i stället för på papperslistor, "
        "kopplat till schemat i skolplattformen.",
        "Vårdnadshavare lämnar schema och frånvaro i mobilen, och pedagogerna vet alltid vilka "
        "barn som är på plats.",
        "Förskolans personal och vårdnadshavare",
        "Ordinarie budget",
        80_000,
        "Dålig wifi-täckning på två förskolor.",
        9,
        Arc(IN_PROGRESS, ON_TRACK, 60, 7, 13),
        (
            (
                "trygghet",
                "Pedagogerna har alltid en aktuell lista över vilka barn som är på förskolan, även "
                "vid utflykter och brandövningar.",
            ),
            (
                "effektivitet",
                "Bemanningen kan planeras efter barnens faktiska schema.",
            ),
        ),
        "Fem av sju förskolor använder appen. Nya accesspunkter är monterade på Förskolan Ängen.",
    ),
    Plan(
        "Digitala lärverktyg och programmering i förskolan",
        "FSK",
        "Ge alla avdelningar lärplattor och enkla programmerbara robotar, och utbilda "
        "pedagogerna i att använda dem i undervisningen enligt läroplanen.",
        "Barnen får digital kompetens från början, oavsett hur det ser ut hemma.",
        "Barn i förskolan och pedagoger",
        "Statsbidrag",
        150_000,
        "Det är svårt att frigöra tid för kompetensutveckling; utrustningen behöver förvaltas.",
        12,
        Arc(IN_PROGRESS, AT_RISK, 35, 5, 45),
        (
            (
                "tillganglighet",
                "Alla barn får tillgång till digitala verktyg i förskolan, vilket jämnar ut "
                "skillnaderna mellan hemmen.",
            ),
            (
                "trygghet",
                "Pedagogerna lär sig välja appar som inte samlar in barnens personuppgifter.",
            ),
        ),
        "Lärplattorna är utdelade, men utbildningen av pedagogerna har skjutits upp på grund av "
        "hög sjukfrånvaro.",
    ),
    Plan(
        "E-tjänst för ansökan om förskoleplats",
        "FSK",
        "Ta fram en e-tjänst där vårdnadshavare ansöker om, tackar ja till och säger upp "
        "förskoleplats, med automatisk köhantering.",
        "Vårdnadshavare ser sin plats i kön och får erbjudandet direkt i mobilen.",
        "Vårdnadshavare",
        "Ej beslutad",
        None,
        "Kräver att e-tjänsteplattformen kan kopplas till barnomsorgssystemet.",
        10,
        Arc(IDEA, ON_TRACK, 0, 0, 0),
        (
            (
                "tillganglighet",
                "Ansökan och kö kan skötas dygnet runt, och vårdnadshavare slipper ringa för att "
                "fråga om sin köplats.",
            ),
            (
                "effektivitet",
                "Placeringshandläggarna slipper skriva in pappersansökningar för hand.",
            ),
        ),
    ),
    Plan(
        "En-till-en: egen dator för elever i årskurs 4–9",
        "GRS",
        "Ge varje elev i årskurs 4–9 en egen dator med central hantering, och utbilda lärarna i "
        "digitala arbetssätt.",
        "Alla elever får samma förutsättningar att lära sig digitalt, oavsett familjens ekonomi.",
        "Elever i årskurs 4–9 och lärare",
        "Ordinarie budget",
        1_200_000,
        "Kostnader för skadade och borttappade datorer; rutinen för återlämning måste vara tydlig.",
        12,
        Arc(IN_PROGRESS, ON_TRACK, 75, 8, 16),
        (
            (
                "tillganglighet",
                "Eleverna får talsyntes, rättstavning och inläst material, vilket stöder elever "
                "med läs- och skrivsvårigheter.",
            ),
            (
                "effektivitet",
                "Med central hantering kan IT-enheten installera och uppdatera datorerna utan att "
                "samla in dem.",
            ),
        ),
        "Alla elever i årskurs 4–9 har fått sin dator. Lärarnas fortbildning i digitala "
        "arbetssätt pågår under vårterminen.",
    ),
    Plan(
        "Digitala nationella prov",
        "GRS",
        "Förbereda skolorna för att genomföra de nationella proven digitalt enligt Skolverkets "
        "krav på nätverk, utrustning och säker inloggning.",
        "Eleverna skriver proven med de digitala hjälpmedel de är vana vid.",
        "Elever i årskurs 6 och 9, lärare och skolledning",
        "Statsbidrag",
        230_000,
        "Skolverket har skjutit upp tidplanen flera gånger; nätverket på Lillskogsskolan klarar "
        "inte full belastning.",
        10,
        Arc(IN_PROGRESS, AT_RISK, 40, 6, 19),
        (
            (
                "trygghet",
                "Säker inloggning och stabil uppkoppling gör provresultaten rättssäkra och ser "
                "till att inga svar går förlorade.",
            ),
            (
                "tillganglighet",
                "Digitala prov gör det lättare att ge anpassningar som uppläst text och "
                "förstoring.",
            ),
        ),
        "Provkörningen på Furuborgsskolan fungerade. Nätverket på Lillskogsskolan måste "
        "förstärkas före nästa provperiod.",
    ),
    Plan(
        "Frånvaroanmälan i app",
        "GRS",
        "Låta vårdnadshavare anmäla frånvaro i en app och få sms samma dag vid ogiltig frånvaro.",
        "Vårdnadshavare får snabbt veta om deras barn inte har kommit till skolan.",
        "Vårdnadshavare, mentorer och elevhälsa",
        "Ordinarie budget",
        40_000,
        "Dubbel rapportering under övergången till den nya skolplattformen.",
        6,
        Arc(IN_PROGRESS, ON_TRACK, 50, 5, 95),
        (
            (
                "trygghet",
                "Vårdnadshavare får besked samma dag om ogiltig frånvaro, så att skola och hem "
                "kan agera tidigt vid problematisk frånvaro.",
            ),
            (
                "effektivitet",
                "Mentorerna slipper ringa runt till vårdnadshavare varje morgon.",
            ),
        ),
        "Funktionen används på Centralskolan. Fortsatt införande väntar på beslutet om den nya "
        "skolplattformen.",
    ),
    Plan(
        "E-ansökan om ekonomiskt bistånd",
        "SOC",
        "Låta den som söker ekonomiskt bistånd ansöka och skicka underlag digitalt med "
        "e-legitimation, och få beslutet i samma tjänst.",
        "Den som söker bistånd får besked snabbare och slipper besöka socialkontoret med papper.",
        "Personer som söker ekonomiskt bistånd",
        "Omställningsfonden",
        180_000,
        "Alla sökande har inte e-legitimation; uppgifterna omfattas av sekretess och kräver hög "
        "säkerhet.",
        12,
        Arc(IN_PROGRESS, ON_TRACK, 75, 9, 6),
        (
            (
                "tillganglighet",
                "Ansökan görs i mobilen på lätt svenska, och det går fortfarande att söka på "
                "papper eller med stöd på plats.",
            ),
            (
                "trygghet",
                "Inloggning med e-legitimation och krypterad överföring skyddar de känsliga "
                "uppgifterna.",
            ),
            (
                "effektivitet",
                "Kompletta ansökningar ger färre kompletteringar och frigör tid för stödjande "
                "samtal.",
            ),
        ),
        "63 procent av ansökningarna kommer nu digitalt. Handläggningstiden har minskat från tolv "
        "till sju dagar.",
    ),
    Plan(
        "Automatiserad handläggning av ekonomiskt bistånd",
        "SOC",
        "Pröva att automatisera återansökningar om ekonomiskt bistånd: en robot gör beräkningen "
        "och en handläggare fattar beslutet.",
        "Handläggarna får mer tid att stötta människor mot arbete och egen försörjning.",
        "Handläggare av ekonomiskt bistånd och sökande",
        "Omställningsfonden",
        300_000,
        "Rättssäkerheten måste säkras; medarbetarna är oroliga för förändringen.",
        12,
        Arc(PLANNED, AT_RISK, 10, 3, 12),
        (
            (
                "effektivitet",
                "Roboten hämtar uppgifter och gör beräkningen, vilket kan halvera "
                "handläggningstiden för enkla återansökningar.",
            ),
            (
                "trygghet",
                "Varje beslut fattas av en handläggare och varje beräkning loggas, så att den "
                "sökande kan få beslutet förklarat.",
            ),
        ),
        "Studiebesöket i Trelleborg är genomfört. Samverkan med facket har börjat, men "
        "medarbetarnas oro gör att tidplanen behöver ses över.",
    ),
    Plan(
        "Videomöten inom individ- och familjeomsorgen",
        "SOC",
        "Erbjuda säkra videomöten för uppföljningssamtal och nätverksmöten inom individ- och "
        "familjeomsorgen.",
        "Klienter och anhöriga kan delta i möten utan att resa, vilket särskilt hjälper den som "
        "bor långt från kommunhuset.",
        "Klienter, anhöriga och socialsekreterare",
        "Ordinarie budget",
        35_000,
        "Alla klienter har inte utrustning eller en lugn plats för samtal.",
        6,
        Arc(DONE, ON_TRACK, 100, 5, 60),
        (
            (
                "tillganglighet",
                "Den som har svårt att ta sig till socialkontoret kan delta i möten hemifrån.",
            ),
            (
                "trygghet",
                "Videotjänsten är godkänd för sekretessuppgifter och kräver inloggning med "
                "e-legitimation.",
            ),
        ),
        "Videomöten är nu en del av det ordinarie arbetssättet. Rutin och checklista finns i "
        "ledningssystemet.",
    ),
    Plan(
        "Nytt verksamhetssystem för socialtjänsten",
        "SOC",
        "Upphandla och införa ett nytt verksamhetssystem för socialtjänsten som klarar digitala "
        "ansökningar, automatisering och e-arkiv.",
        "Snabbare och säkrare handläggning i ärenden som rör invånare i utsatta situationer.",
        "Socialtjänstens medarbetare",
        "Ordinarie budget",
        2_500_000,
        "Upphandlingen kan överprövas; införandet kräver mycket tid av handläggare som redan har "
        "hög arbetsbelastning.",
        24,
        Arc(PAUSED, OFF_TRACK, 25, 7, 110),
        (
            (
                "effektivitet",
                "Ett modernt system med färdiga integrationer minskar dubbelregistrering och "
                "manuella utskick.",
            ),
            (
                "trygghet",
                "Bättre behörighetsstyrning och loggning skyddar uppgifterna om utsatta personer.",
            ),
        ),
        "Upphandlingen har överprövats i förvaltningsrätten. Arbetet är pausat i väntan på dom.",
    ),
    Plan(
        "Digital tillsyn nattetid",
        "AO",
        "Erbjuda tillsyn nattetid med kamera i stället för fysiska besök för de brukare som "
        "vill det.",
        "Brukarna får sova ostört utan att väckas av nattbesök och är ändå trygga.",
        "Brukare med nattillsyn i hemtjänsten och deras anhöriga",
        "Statsbidrag",
        260_000,
        "Kräver samtycke och individuell bedömning; tekniska avbrott kräver en reservrutin.",
        12,
        Arc(IN_PROGRESS, ON_TRACK, 80, 9, 7),
        (
            (
                "trygghet",
                "Tillsynen sker på bestämda tider utan att brukaren väcks, och nattpatrullen "
                "åker direkt ut om något ser fel ut.",
            ),
            (
                "effektivitet",
                "Nattpatrullen lägger tiden på brukare som behöver fysiska insatser i stället för "
                "på bilresor.",
            ),
        ),
        "22 brukare har nu digital tillsyn. Inga avvikelser har rapporterats den senaste månaden.",
    ),
    Plan(
        "Läkemedelsrobotar i hemtjänsten",
        "AO",
        "Ge de brukare som klarar det en läkemedelsrobot som påminner och delar ut rätt dos vid "
        "rätt tid.",
        "Brukarna blir mer självständiga och får sina läkemedel i tid, även när hemtjänsten är "
        "försenad.",
        "Brukare i hemtjänsten som får hjälp med läkemedel",
        "Omställningsfonden",
        420_000,
        "Beroende av regionens dosdispensering; brukare kan känna sig otrygga med ny teknik.",
        12,
        Arc(IN_PROGRESS, OFF_TRACK, 40, 8, 5),
        (
            (
                "trygghet",
                "Roboten larmar hemtjänsten om en dos inte tas ut, vilket minskar risken för "
                "felmedicinering.",
            ),
            (
                "effektivitet",
                "Varje robot kan ersätta flera dagliga besök som bara gäller läkemedel.",
            ),
        ),
        "Bara sex av de planerade 30 robotarna är i drift. Regionens apotek kan inte leverera "
        "dosrullar i rätt format förrän tidigast i höst.",
        "Stöd från kommundirektören i dialogen med regionen om dosdispenseringen.",
    ),
    Plan(
        "Wifi i äldreboenden",
        "AO",
        "Bygga ut trådlöst nätverk för boende, besökare och personal på kommunens särskilda "
        "boenden.",
        "De boende kan videoringa anhöriga och använda välfärdsteknik i sitt eget rum.",
        "Boende, anhöriga och personal på särskilda boenden",
        "Statsbidrag",
        190_000,
        "Gamla byggnader med tjocka väggar kräver fler accesspunkter än planerat.",
        6,
        Arc(DONE, ON_TRACK, 100, 6, 30),
        (
            (
                "tillganglighet",
                "Boende och anhöriga får fri uppkoppling, så att de kan hålla kontakten digitalt.",
            ),
            (
                "trygghet",
                "Ett eget nät för personal och välfärdsteknik gör att larm och journaler inte "
                "påverkas av besökarnas trafik.",
            ),
        ),
        "Alla rum och gemensamma utrymmen har täckning. Projektet är avslutat och överlämnat "
        "till IT-enheten.",
    ),
    Plan(
        "Digitala signeringslistor i hemtjänsten",
        "AO",
        "Ersätta papperslistor för signering av delegerade insatser med digital signering i "
        "mobilen.",
        "Brukarna får säkrare insatser eftersom missade moment syns direkt.",
        "Hemtjänstpersonal, sjuksköterskor och brukare",
        "Ordinarie budget",
        95_000,
        "Dålig mobiltäckning i delar av kommunen; personal med svenska som andraspråk behöver "
        "stöd.",
        9,
        Arc(IN_PROGRESS, AT_RISK, 45, 6, 62),
        (
            (
                "trygghet",
                "Sjuksköterskan ser direkt om en insats inte har signerats och kan följa upp "
                "samma dag.",
            ),
            (
                "effektivitet",
                "Papperslistor behöver inte längre samlas in, kontrolleras och arkiveras varje "
                "månad.",
            ),
        ),
        "Piloten i hemtjänsten norr är klar. Införandet i övriga områden har stannat av "
        "eftersom mobiltelefonerna behöver bytas.",
    ),
    Plan(
        "Digital bygglovsprocess",
        "SBK",
        "Göra hela bygglovsprocessen digital, från e-ansökan med ritningar till digitalt beslut "
        "och arkivering.",
        "Den som söker bygglov får snabbare besked och kan följa sitt ärende på Mina sidor.",
        "Invånare, företag och byggnadsinspektörer",
        "Ordinarie budget",
        380_000,
        "Handläggarna har hög arbetsbelastning; kopplingen till e-arkivet är inte klar.",
        15,
        Arc(IN_PROGRESS, AT_RISK, 50, 9, 8),
        (
            (
                "effektivitet",
                "Digitala ritningar och automatisk kontroll av att ansökan är komplett kortar "
                "handläggningstiden.",
            ),
            (
                "tillganglighet",
                "Sökande kan lämna in och komplettera sin ansökan dygnet runt och se var i "
                "processen ärendet är.",
            ),
        ),
        "E-ansökan och digitala beslut är i drift. Den digitala arkiveringen är försenad "
        "eftersom e-arkivet ännu inte kan ta emot handlingarna.",
    ),
    Plan(
        "Felanmälan med karta och foto",
        "SBK",
        "Låta invånare felanmäla till exempel trasig gatubelysning och potthål med foto och "
        "position i mobilen.",
        "Invånare ser vad andra redan har anmält och får besked när felet är åtgärdat.",
        "Invånare",
        "Ordinarie budget",
        70_000,
        "Tjänsten måste kopplas till gatuentreprenörens system.",
        6,
        Arc(CANCELLED, OFF_TRACK, 30, 5, 75),
        (
            (
                "tillganglighet",
                "Felanmälan kan göras på plats i mobilen utan att leta upp rätt telefonnummer.",
            ),
            (
                "effektivitet",
                "Anmälningarna hamnar direkt hos rätt utförare, med position och foto.",
            ),
        ),
        "Avbrutet. Den nya gatuentreprenören har ett eget system för felanmälan som kommunen "
        "ansluter till i stället.",
    ),
    Plan(
        "Digitala detaljplaner",
        "SBK",
        "Ta fram nya detaljplaner som digitala, maskinläsbara planer enligt Boverkets "
        "föreskrifter.",
        "Invånare och byggherrar ser direkt i kartan vad som gäller för en fastighet.",
        "Planarkitekter, invånare och byggherrar",
        "Statsbidrag",
        200_000,
        "Kompetensen finns hos få personer; Lantmäteriets krav kan ändras.",
        18,
        Arc(PLANNED, ON_TRACK, 5, 2, 26),
        (
            (
                "tillganglighet",
                "Detaljplanerna kan läsas i en webbkarta i stället för som inskannade PDF-filer.",
            ),
            (
                "effektivitet",
                "Bygglovshandläggarna kan kontrollera ansökningar mot planbestämmelserna "
                "automatiskt.",
            ),
        ),
        "Planarkitekterna har gått Boverkets utbildning. Den första digitala planen startar "
        "efter sommaren.",
    ),
    Plan(
        "Bokningssystem för lokaler och anläggningar",
        "KFK",
        "Införa ett bokningssystem där föreningar och invånare ser lediga tider och bokar och "
        "betalar sporthallar, samlingslokaler och skolornas lokaler på webben.",
        "Föreningar och invånare kan boka och betala en lokal dygnet runt utan att ringa eller "
        "mejla.",
        "Föreningar, invånare och företag",
        "Ordinarie budget",
        220_000,
        "Skolornas lokaler har egna rutiner för nycklar och larm; föreningarna måste ställa om "
        "från fasta säsongstider.",
        12,
        Arc(IN_PROGRESS, AT_RISK, 60, 8, 4),
        (
            (
                "tillganglighet",
                "Lediga tider syns öppet på webben och kan bokas i mobilen dygnet runt.",
            ),
            (
                "effektivitet",
                "Bokning, fakturering och nyckelhantering hänger ihop, vilket sparar mycket "
                "manuellt arbete på fritidskontoret.",
            ),
        ),
        "Sporthallarna och Folkets hus bokas nu i systemet. Kopplingen till skolornas "
        "passersystem fungerar inte, så skolornas lokaler kan ännu inte bokas.",
        "Hjälp från IT-enheten och barn- och utbildningskontoret att lösa passersystemet för "
        "skolornas lokaler.",
    ),
    Plan(
        "Bibliotekets e-tjänster och meröppet bibliotek",
        "KFK",
        "Utöka bibliotekets digitala tjänster med e-böcker, digitalt lånekort och meröppet, där "
        "låntagare kommer in med lånekort och kod när biblioteket är obemannat.",
        "Invånare kan låna och lämna böcker på kvällar och helger och låna e-böcker hemifrån.",
        "Låntagare i alla åldrar",
        "Statsbidrag",
        160_000,
        "Tryggheten i obemannade lokaler måste säkras; alla låntagare har inte digital vana.",
        12,
        Arc(IN_PROGRESS, ON_TRACK, 70, 7, 10),
        (
            (
                "tillganglighet",
                "Biblioteket är öppet 7–22 alla dagar i stället för 30 timmar i veckan, och "
                "e-böcker kan lånas hemifrån.",
            ),
            (
                "trygghet",
                "Kamerabevakning och inpassering med personligt lånekort gör de obemannade "
                "timmarna trygga för besökarna.",
            ),
        ),
        "Meröppet är i drift sedan februari med 340 registrerade användare. Digitalt lånekort "
        "lanseras i appen nästa månad.",
    ),
    Plan(
        "Digital ansökan om föreningsbidrag",
        "KFK",
        "Ersätta pappersblanketterna för föreningsbidrag med en e-tjänst där föreningen fyller "
        "i medlemmar och aktiviteter och bifogar sin verksamhetsberättelse.",
        "Ideella ledare lägger mindre tid på administration och mer på verksamhet för barn och "
        "unga.",
        "Föreningar",
        "Ej beslutad",
        None,
        "Föreningarnas firmatecknare byts ofta, vilket försvårar inloggning med e-legitimation.",
        9,
        Arc(IDEA, ON_TRACK, 0, 0, 0),
        (
            (
                "effektivitet",
                "Uppgifterna kommer in strukturerat och bidraget kan beräknas automatiskt.",
            ),
            (
                "tillganglighet",
                "Föreningarna kan söka när det passar dem, även på kvällar då de flesta ideella "
                "ledare har tid.",
            ),
        ),
    ),
)

# Status update texts for the updates before the latest, and for the generated variants. The
# in-progress texts run from early to late, and are picked near the initiative's progress.
HAPPENED = {
    PLANNED: (
        "Projektplan och tidplan är framtagna och förankrade i ledningsgruppen.",
        "Behovsinventering genomförd i en workshop med berörda medarbetare.",
        "Vi har pratat med två kommuner som har infört liknande lösningar.",
        "Projektgruppen är tillsatt och har haft sitt första möte.",
        "Risk- och sårbarhetsanalysen är påbörjad med informationssäkerhetssamordnaren.",
    ),
    IN_PROGRESS: (
        "Personuppgiftsbiträdesavtal är tecknat med leverantören.",
        "Leverantören har levererat en testmiljö och de första testerna är gjorda.",
        "Integrationen mot verksamhetssystemet är testad och godkänd.",
        "Superanvändarna har fått sin utbildning.",
        "Piloten har startat med ett arbetslag; de första erfarenheterna är positiva.",
        "Rutiner och lathundar är framtagna och publicerade på intranätet.",
        "Uppföljningsmöte med verksamheten; användarna har lämnat förbättringsförslag.",
        "Information till invånarna via webbplatsen och sociala medier.",
        "Införandet har utökats till fler enheter enligt plan.",
    ),
    PAUSED: (
        "Arbetet är pausat eftersom nyckelpersonerna behövs i andra prioriterade uppdrag.",
        "Pausat i väntan på beslut om finansiering för nästa år.",
    ),
    DONE: (
        "Införandet är klart och lösningen är överlämnad till ordinarie förvaltning.",
        "Slututvärderingen är genomförd och målen är uppnådda.",
    ),
    CANCELLED: (
        "Avbrutet efter beslut i ledningsgruppen; nyttan bedöms inte motivera kostnaden.",
        "Avbrutet eftersom en regional lösning ska införas i stället.",
    ),
}
PROBLEMS = (
    "Leverantören är försenad med sin leverans.",
    "En nyckelperson har varit sjukskriven under perioden.",
    "Kostnaderna riskerar att överskrida budgeten.",
    "Verksamheten har svårt att frigöra tid för tester och utbildning.",
    "Integrationen med befintliga system är mer komplicerad än beräknat.",
    "Den juridiska bedömningen av personuppgiftsbehandlingen dröjer.",
)
NEXT_STEPS = {
    PLANNED: (
        "Ta fram kravspecifikation och förbereda avrop.",
        "Förankra planen med de fackliga företrädarna.",
        "Boka uppstartsmöte med leverantören.",
    ),
    IN_PROGRESS: (
        "Genomföra acceptanstest tillsammans med verksamheten.",
        "Starta en pilot med ett arbetslag.",
        "Utvärdera piloten och besluta om breddinförande.",
        "Utbilda resterande medarbetare.",
        "Informera invånarna om den nya tjänsten.",
        "Följa upp användningen och justera rutinerna.",
    ),
    PAUSED: ("Ny bedömning vid nästa ledningsgruppsmöte; återuppta när resurser finns.",),
    DONE: ("Följa upp effekterna om sex månader och rapportera till nämnden.",),
    CANCELLED: ("Dokumentera lärdomarna och avsluta avtalen.",),
}
SUPPORT = (
    "Beslut från ledningsgruppen om prioriteringen mot andra initiativ.",
    "Stöd från IT-enheten med integrationen.",
    "Besked om finansieringen för nästa budgetår.",
    "Hjälp från upphandlingsfunktionen att tolka avtalet.",
)

# How the generated variants are spread over statuses.
VARIANT_STATUSES = (IDEA, PLANNED, IN_PROGRESS, PAUSED, DONE, CANCELLED)
VARIANT_WEIGHTS = (5, 10, 60, 7, 12, 6)

# --- Digital maturity (DiMiOS) ---------------------------------------------------------------
# Two measurement rounds, before the leadership programme and a year later: every question rose,
# as in Nykvarn. The category keys are those of tracker.maturity.structure; the questions and
# figures are invented for the demo.

# (category key, question code, capability sv, capability en, question sv, question en)
MATURITY_QUESTIONS = (
    ("strategi", "STR1", "Styrning", "Governance",
     "Det finns en beslutad strategi för digitalisering som är känd i verksamheten.",
     "There is an adopted digitalisation strategy that is known in the organisation."),
    ("strategi", "STR2", "Styrning", "Governance",
     "Digitaliseringsinitiativ prioriteras och följs upp på ledningsnivå.",
     "Digitalisation initiatives are prioritised and followed up by management."),
    ("strategi", "STR3", "Ledarskap", "Leadership",
     "Chefer leder förändringsarbete där digitala lösningar ingår.",
     "Managers lead change in which digital solutions play a part."),
    ("kompetens", "KOM1", "Digital kompetens", "Digital skills",
     "Medarbetarna har den digitala kompetens som deras arbete kräver.",
     "Staff have the digital skills their work requires."),
    ("kompetens", "KOM2", "Lärande", "Learning",
     "Det finns tid och stöd för att lära sig nya digitala arbetssätt.",
     "There is time and support for learning new digital ways of working."),
    ("kompetens", "KOM3", "Förändringskultur", "Culture of change",
     "Vi prövar gärna nya sätt att arbeta.",
     "We are willing to try new ways of working."),
    ("innovation", "INN1", "Invånarfokus", "Focus on residents",
     "Tjänster utvecklas utifrån invånarnas behov och tillsammans med dem.",
     "Services are developed from residents' needs and together with them."),
    ("innovation", "INN2", "Experiment", "Experimentation",
     "Det finns utrymme att testa idéer i liten skala innan de införs.",
     "There is room to test ideas on a small scale before they are introduced."),
    ("innovation", "INN3", "Samverkan", "Collaboration",
     "Vi samverkar med andra kommuner och aktörer om digitala tjänster.",
     "We work with other municipalities and partners on digital services."),
    ("information", "INF1", "Informationsstruktur", "Information structure",
     "Verksamhetens information är beskriven och klassificerad.",
     "The organisation's information is described and classified."),
    ("information", "INF2", "Informationssäkerhet", "Information security",
     "Informationssäkerhet hanteras systematiskt i alla verksamheter.",
     "Information security is managed systematically in every service."),
    ("information", "INF3", "Datadelning", "Data sharing",
     "Information kan återanvändas mellan system och verksamheter.",
     "Information can be reused between systems and services."),
    ("teknik", "TEK1", "Infrastruktur", "Infrastructure",
     "Den tekniska infrastrukturen är stabil och tillräcklig.",
     "The technical infrastructure is stable and sufficient."),
    ("teknik", "TEK2", "Systemlandskap", "Systems",
     "Verksamhetssystemen kan integreras med varandra.",
     "The business systems can be integrated with each other."),
    ("teknik", "TEK3", "Arbetsverktyg", "Tools",
     "Medarbetarna har ändamålsenliga digitala arbetsverktyg.",
     "Staff have digital tools that are fit for purpose."),
    ("processer", "PRO1", "Processorientering", "Process orientation",
     "Våra arbetsprocesser är kartlagda och kända.",
     "Our work processes are mapped and known."),
    ("processer", "PRO2", "Automatisering", "Automation",
     "Regelstyrda och återkommande moment automatiseras.",
     "Rule-based and recurring tasks are automated."),
    ("processer", "PRO3", "Uppföljning", "Follow-up",
     "Processerna följs upp med mätbara mål.",
     "Processes are followed up against measurable goals."),
)  # fmt: skip

# (name, measured on (ISO), respondents, response rate %, {question code: percent})
MATURITY_ROUNDS = (
    ("Mätning 2020", "2020-10-15", 212, 61.0, {
        "STR1": 48, "STR2": 52, "STR3": 55, "KOM1": 46, "KOM2": 38, "KOM3": 51,
        "INN1": 34, "INN2": 29, "INN3": 41, "INF1": 36, "INF2": 47, "INF3": 31,
        "TEK1": 58, "TEK2": 39, "TEK3": 54, "PRO1": 40, "PRO2": 27, "PRO3": 35,
    }),
    ("Mätning 2021", "2021-10-14", 236, 68.5, {
        "STR1": 63, "STR2": 61, "STR3": 64, "KOM1": 55, "KOM2": 49, "KOM3": 59,
        "INN1": 42, "INN2": 36, "INN3": 47, "INF1": 44, "INF2": 58, "INF3": 38,
        "TEK1": 66, "TEK2": 45, "TEK3": 63, "PRO1": 49, "PRO2": 38, "PRO3": 43,
    }),
)  # fmt: skip

# Departments with their own results: points above or below the organisation, per category in
# the order strategi, kompetens, innovation, information, teknik, processer.
MATURITY_DEPARTMENTS = {
    "KLK": (8, 4, 5, 6, 3, 2),
    "BUK": (-3, 2, -4, -6, 5, -5),
    "SOC": (-6, -5, -7, 2, -8, -3),
    "SBK": (1, -2, 3, -3, -1, 6),
}

# Initiatives (by title) and the maturity categories they strengthen. Nothing is tagged with
# innovation, one of the weakest areas: the maturity page says so plainly.
MATURITY_TAGS = {
    "Digitala nämndhandlingar": ("processer",),
    "Nytt ärendehanteringssystem": ("information", "processer"),
    "E-arkiv enligt FGS": ("information",),
    "Publicering av öppna data": ("information",),
    "Digital introduktion för nyanställda": ("kompetens",),
    "Informationssäkerhetsutbildning för alla medarbetare": ("kompetens", "information"),
    "RPA för leverantörsfakturor": ("processer",),
    "Digitala attestflöden för inköp": ("processer",),
    "Digital budgetuppföljning med beslutsstöd": ("strategi",),
    "Flerfaktorsinloggning för alla konton": ("teknik",),
    "Införande av Microsoft 365": ("teknik", "kompetens"),
    "Säkerhetskopiering och kontinuitetsplan för IT": ("teknik",),
}
