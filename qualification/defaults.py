"""The default company check shipped with the portal (our own wording), in two depths.

Topic areas of good work in SMEs; every statement is rated 0 (does not apply) to
4 (fully applies). Networks copy a template and edit their copy; answers keep
pointing to the version they were given for.
"""

AREAS = [
    (
        "fuehrung",
        "Führung und Zusammenarbeit",
        ["Führung für Meister:innen und Teamleitungen", "Mitarbeitergespräche führen"],
        [
            ("Führungskräfte führen regelmäßig Gespräche mit ihren Mitarbeitenden über Aufgaben und Entwicklung.", True),
            ("Ziele und Entscheidungen werden im Team nachvollziehbar erklärt.", True),
            ("Führungskräfte werden für ihre Führungsaufgabe qualifiziert.", True),
            ("Rückmeldungen der Beschäftigten werden eingeholt und aufgegriffen.", False),
            ("Es gibt klare Vertretungsregeln für Schlüsselpositionen.", False),
            ("Konflikte werden früh angesprochen und gemeinsam gelöst.", False),
        ],
    ),
    (
        "personalentwicklung",
        "Personalentwicklung und Kompetenz",
        ["Qualifizierungsbedarf systematisch ermitteln", "Digitale Kompetenzen"],
        [
            ("Der Qualifizierungsbedarf wird mindestens einmal im Jahr ermittelt.", True),
            ("Für Weiterbildung gibt es ein Budget und feste Zeiten.", True),
            ("Es ist bekannt, welche Kompetenzen in den nächsten Jahren gebraucht werden.", True),
            ("Weiterbildungen werden ausgewertet und das Gelernte wird im Betrieb angewendet.", False),
            ("Beschäftigte aller Altersgruppen nehmen an Weiterbildung teil.", False),
            ("Eine Person kümmert sich verantwortlich um Personalentwicklung.", False),
        ],
    ),
    (
        "gesundheit",
        "Gesundheit",
        ["Betriebliches Gesundheitsmanagement", "Arbeiten im Alter"],
        [
            ("Belastungen am Arbeitsplatz werden regelmäßig beurteilt, auch psychische.", True),
            ("Es gibt Angebote zur Gesundheitsförderung, die genutzt werden.", True),
            ("Nach längerer Krankheit gibt es ein Eingliederungsmanagement.", True),
            ("Arbeitszeiten und Schichtpläne berücksichtigen Erholung.", False),
            ("Arbeitsplätze werden ergonomisch gestaltet und angepasst.", False),
            ("Ältere Beschäftigte können ihre Arbeit an veränderte Möglichkeiten anpassen.", False),
        ],
    ),
    (
        "vielfalt",
        "Vielfalt und Chancengleichheit",
        ["Vereinbarkeit von Beruf und Familie", "Vielfalt im Team"],
        [
            ("Frauen und Männer haben die gleichen Chancen auf Aufstieg und Weiterbildung.", True),
            ("Es gibt Möglichkeiten, Beruf und Familie oder Pflege zu vereinbaren.", True),
            ("Beschäftigte mit unterschiedlicher Herkunft werden gezielt eingebunden.", True),
            ("Teilzeitkräfte haben Zugang zu denselben Entwicklungsmöglichkeiten.", False),
            ("Stellenanzeigen sprechen unterschiedliche Gruppen an.", False),
            ("Diskriminierung wird nicht geduldet; es gibt Ansprechpersonen.", False),
        ],
    ),
    (
        "wissenstransfer",
        "Wissen und Erfahrung weitergeben",
        ["Wissenstransfer zwischen Generationen", "Einarbeitung neuer Beschäftigter"],
        [
            ("Wissen ausscheidender Beschäftigter wird rechtzeitig gesichert.", True),
            ("Neue Beschäftigte werden nach einem festen Plan eingearbeitet.", True),
            ("Erfahrene und junge Beschäftigte arbeiten gezielt zusammen (Tandems, Patenschaften).", True),
            ("Wichtige Abläufe sind dokumentiert und zugänglich.", False),
            ("Beschäftigte tauschen sich über Abteilungen hinweg aus.", False),
            ("Das Unternehmen lernt mit anderen Unternehmen, z. B. im Verbund.", False),
        ],
    ),
    (
        "attraktivitaet",
        "Arbeitgeberattraktivität und Fachkräftegewinnung",
        ["Azubimarketing", "Arbeitgebermarke"],
        [
            ("Das Unternehmen weiß, was es als Arbeitgeber auszeichnet, und sagt es.", True),
            ("Offene Stellen werden in der Regel innerhalb von drei Monaten besetzt.", True),
            ("Das Unternehmen bildet aus und hält Kontakt zu Schulen.", True),
            ("Beschäftigte empfehlen das Unternehmen als Arbeitgeber weiter.", False),
            ("Die Bezahlung ist nachvollziehbar und wird als fair erlebt.", False),
            ("Das Unternehmen ist auf Messen, Jobbörsen oder im Netz als Arbeitgeber sichtbar.", False),
        ],
    ),
]

TEMPLATES = [
    ("unternehmens-check-basis", "basis", "Unternehmens-Check: Basis", "Ein erster Überblick in etwa 20 Minuten: drei Aussagen je Handlungsfeld."),
    (
        "unternehmens-check-intensiv",
        "intensiv",
        "Unternehmens-Check: Intensiv",
        "Die vertiefte Analyse, gut gemeinsam mit der Beratung: sechs Aussagen je Handlungsfeld.",
    ),
]


def install(CheckTemplate, CheckArea, CheckQuestion) -> None:
    """Create the default templates (version 1) once; models come from the migration's app registry."""
    for key, depth, title, description in TEMPLATES:
        template, created = CheckTemplate.objects.get_or_create(
            network=None, key=key, version=1, defaults={"depth": depth, "title": title, "description": description, "is_current": True}
        )
        if not created:
            continue
        for area_position, (area_key, area_title, topics, questions) in enumerate(AREAS, start=1):
            area = CheckArea.objects.create(template=template, key=area_key, title=area_title, position=area_position, suggested_topics=topics)
            chosen = [text for text, basic in questions if basic or depth == "intensiv"]
            for position, text in enumerate(chosen, start=1):
                CheckQuestion.objects.create(area=area, text=text, position=position)
