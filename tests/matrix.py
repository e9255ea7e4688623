"""Building blocks of the URL × persona matrix (tests/test_url_persona_matrix.py).

Apps with many URLs keep their part of the matrix in their own test package
(e.g. tests/members/matrix_io.py) and the main test merges it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from tests.conftest import PERSONAS, World

MEMBERS = ("member_a_x", "member_b_x", "member_c_y")
MANAGERS = ("manager_x", "manager_y", "manager_xy")


def statuses(default: int, **overrides: int) -> dict[str, int]:
    table = dict.fromkeys(PERSONAS, default)
    for key, value in overrides.items():
        for persona in _expand(key):
            table[persona] = value
    return table


def _expand(key: str) -> tuple[str, ...]:
    return {"members": MEMBERS, "managers": MANAGERS}.get(key, (key,))


@dataclass
class Target:
    url: Callable[[World], str]
    expected: dict[str, int]
    htmx: bool = True  # also requested with HX-Request: the same status is expected
    method: str = "get"  # "post" for write endpoints
    data: Callable[[World], dict] | None = None  # POST body; build it so a successful request changes little


@dataclass
class Case:
    targets: list[Target] = field(default_factory=list)


def rev(name: str, **kwargs: str) -> Callable[[World], str]:
    return lambda world: reverse(name, kwargs=kwargs or None)
