"""The start pages with a to-do of every kind are valid HTML (the Nu HTML checker; the matrix-driven validator sees
them only with nothing to do)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.health.test_todos import populate
from tests.test_html_validator import require_java, vnu_errors

pytestmark = pytest.mark.django_db


def test_start_pages_full_of_to_dos_have_no_html_errors(client, world, manager_x, tmp_path):
    java = require_java()
    populate(world.network_x, 3, manager_x)
    client.force_login(manager_x)
    files = {}
    for n, url in enumerate([reverse("manage:index"), reverse("manage:network_home", args=["netz-x"])]):
        response = client.get(url)
        assert response.status_code == 200
        assert response.text.count('class="todo-group"') == 14  # every kind has something to do
        path = tmp_path / f"start-{n}.html"
        path.write_bytes(response.content)
        files[path] = url
    errors = vnu_errors(java, files)
    assert not errors, "\n".join(errors)
