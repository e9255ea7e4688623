"""A page's ids read with the standard library's html.parser: each id once, each <label for> pointing at an element.

Two forms on one page with fields of the same name used to give two elements the same id, so that a label named
the other form's field (the Nu HTML checker's "duplicate ID" errors).
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()
        self.label_targets: list[str] = []
        self.referenced: list[tuple[str, str]] = []  # (attribute, id) from aria-labelledby / aria-describedby / aria-controls
        self._template_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "template":  # a template's content is not in the document (htmx out-of-band rows)
            self._template_depth += 1
        if self._template_depth:
            return
        values = dict(attrs)
        if values.get("id"):
            self.ids[str(values["id"])] += 1
        if tag == "label" and values.get("for"):
            self.label_targets.append(str(values["for"]))
        for name in ("aria-labelledby", "aria-describedby", "aria-controls"):
            for ref in (values.get(name) or "").split():
                self.referenced.append((name, ref))

    def handle_endtag(self, tag: str) -> None:
        if tag == "template" and self._template_depth:
            self._template_depth -= 1


def id_problems(html: str) -> list[str]:
    """Duplicate ids, labels whose `for` names no element, ARIA references to missing ids; empty when all is well."""
    parser = _Ids()
    parser.feed(html)
    problems = [f"id {name!r} {n}× on the page" for name, n in parser.ids.items() if n > 1]
    problems += [f"<label for={target!r}> names no element" for target in parser.label_targets if target not in parser.ids]
    problems += [f"{attr}={ref!r} names no element" for attr, ref in parser.referenced if ref not in parser.ids]
    return problems
