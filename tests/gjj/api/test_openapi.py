"""The OpenAPI document, the docs page, and schemathesis over the schema: no server error, and
every answer matches the schema it documents."""

from __future__ import annotations

import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.gjj.api.conftest import YANG_LEI, bearer

EXPECTED = {
    ("get", "/api/v1/me"),
    ("get", "/api/v1/account"),
    ("get", "/api/v1/declaration"),
    ("get", "/api/v1/reasons"),
    ("post", "/api/v1/houses/lookup"),
    ("post", "/api/v1/cards/check"),
    ("get", "/api/v1/applications"),
    ("post", "/api/v1/applications"),
    ("get", "/api/v1/applications/{application_id}"),
    ("patch", "/api/v1/applications/{application_id}"),
    ("post", "/api/v1/applications/{application_id}/submit"),
    ("post", "/api/v1/applications/{application_id}/materials/{kind}"),
    ("delete", "/api/v1/applications/{application_id}/materials/{kind}"),
    ("post", "/api/v1/applications/{application_id}/final-submit"),
    ("post", "/api/v1/applications/{application_id}/cancel"),
}


def test_the_openapi_document_is_valid_and_lists_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    operations = {(method, path) for path, item in document["paths"].items() for method in item}
    assert operations == EXPECTED
    assert any(s.get("scheme") == "bearer" for s in document["components"]["securitySchemes"].values())
    # schemathesis parses and validates it as an OpenAPI document.
    schema = schemathesis.openapi.from_dict(document)
    assert len(list(schema.get_all_operations())) == len(EXPECTED)


def test_the_docs_load_nothing_from_a_third_party(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    external = [u for u in re.findall(r'(?:src|href)="([^"]+)"', html) if u.startswith(("http", "//"))]
    assert external == []
    assert "cdn" not in html.lower()


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def token_headers(loaded):
    """Yang Lei's validated token; the WSGI app keeps the test's database connection open (as
    Django's test client does) so every request sees the test transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    headers = bearer(YANG_LEI)
    yield {"Authorization": headers["HTTP_AUTHORIZATION"]}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_server_error_over_the_schema(case, token_headers):
    response = case.call(headers=token_headers)
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
    # What the app's developers read in the document is what they get back.
    case.validate_response(response, checks=[response_schema_conformance])
