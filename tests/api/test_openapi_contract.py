"""The OpenAPI spec is the contract: every operation is named, every error it answers with is described,
and the bodies the API really sends validate against what the spec says."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from flask.testing import FlaskClient

from hirewise.api.spec import ERROR_STATUSES, operation_id
from hirewise.auth.models import Role
from hirewise.auth.services import create_api_token
from tests.factories import CandidateFactory, OpeningFactory, UserFactory

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def spec(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


@pytest.fixture
def token(client: FlaskClient) -> dict[str, str]:
    _, raw = create_api_token(UserFactory(role=Role.RECRUITER), "contract", "read,write")
    return {"Authorization": f"Bearer {raw}"}


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def validate_error(spec: dict[str, Any], body: Any) -> None:
    """Validate an error body against the spec's ``Error`` schema, references resolved in the spec."""
    schema = {"$ref": "#/components/schemas/Error", "components": spec["components"]}
    jsonschema.validate(body, schema)


def test_every_operation_has_a_unique_stable_name(spec: dict[str, Any]) -> None:
    names = [operation.get("operationId") for _, _, operation in operations(spec)]
    assert len(names) >= 80
    assert all(name and re.fullmatch(r"[a-z]+(_[a-z]+)+", name) for name in names), names
    assert len(set(names)) == len(names)
    by_name = {operation["operationId"]: (method, path) for method, path, operation in operations(spec)}
    assert by_name["openings_list"] == ("get", "/api/v1/openings")
    assert by_name["applications_move"] == ("post", "/api/v1/applications/{application_id}/move")
    assert by_name["assessment_attempts_answers_save"][0] == "put"


def test_operation_names_follow_the_rule() -> None:
    assert operation_id("/api/v1/openings/{opening_id}", "get") == "openings_get"
    assert operation_id("/api/v1/openings/{opening_id}/skills", "post") == "openings_skills_create"
    assert (
        operation_id("/api/v1/openings/{opening_id}/skills/{skill_id}", "patch") == "openings_skills_update"
    )
    assert operation_id("/api/v1/applications/bulk-reject", "post") == "applications_bulk_reject"
    assert operation_id("/api/v1/questions/{question_id}/versions", "get") == "questions_versions_list"


def test_every_error_status_is_documented_with_the_error_body(spec: dict[str, Any]) -> None:
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    body = spec["components"]["schemas"]["ErrorBody"]
    assert set(body["properties"]) == {"status", "code", "message", "details"}
    assert set(body["required"]) == {"status", "code", "message"}
    for name in ERROR_STATUSES.values():
        response = spec["components"]["responses"][name]
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    for method, path, operation in operations(spec):
        statuses = set(operation["responses"])
        assert {"400", "422", "429"} <= statuses, (method, path)
        if operation.get("security") != []:
            assert {"401", "403"} <= statuses, (method, path)
        if "{" in path:
            assert "404" in statuses, (method, path)
        if method in {"post", "put", "patch"}:
            assert {"409", "413"} <= statuses, (method, path)


def test_real_error_bodies_validate_against_the_spec(
    client: FlaskClient, spec: dict[str, Any], token: dict[str, str]
) -> None:
    opening = OpeningFactory()
    candidate = CandidateFactory()
    unauthenticated = client.get("/api/v1/openings")
    missing = client.get("/api/v1/openings/999999", headers=token)
    invalid = client.post("/api/v1/openings", json={"title": ""}, headers=token)
    bad_status = client.get("/api/v1/openings?status=AAA", headers=token)
    no_body = client.patch(f"/api/v1/openings/{opening.id}", headers=token)
    no_candidate_body = client.patch(f"/api/v1/candidates/{candidate.id}", headers=token)
    not_json = client.post(
        "/api/v1/openings", data="{not json", content_type="application/json", headers=token
    )

    assert [
        response.status_code
        for response in (unauthenticated, missing, invalid, bad_status, no_body, no_candidate_body, not_json)
    ] == [401, 404, 422, 422, 422, 422, 400]
    for response in (unauthenticated, missing, invalid, bad_status, no_body, no_candidate_body, not_json):
        validate_error(spec, response.get_json())
    assert no_body.get_json()["error"]["message"] == "This operation needs a JSON body."
    assert "Must be one of" in str(bad_status.get_json()["error"]["details"])
    # A schema's refusal names the field in its message, as a service's does.
    assert bad_status.get_json()["error"]["message"] == "status: Must be one of: draft, open, closed."
    assert invalid.get_json()["error"]["message"].startswith("title: ")


def test_an_empty_patch_object_is_still_a_valid_no_op(client: FlaskClient, token: dict[str, str]) -> None:
    opening = OpeningFactory(title="Unchanged")
    response = client.patch(f"/api/v1/openings/{opening.id}", json={}, headers=token)
    assert response.status_code == 200
    assert response.get_json()["title"] == "Unchanged"


def test_the_kit_document_in_the_spec_states_the_limits_imports_are_checked_with(
    spec: dict[str, Any],
) -> None:
    """The spec's KitDocument mirrors kits/kit-format.schema.json (what imports are validated against)."""
    import json
    from pathlib import Path

    import hirewise.kits

    kit_format = json.loads((Path(hirewise.kits.__file__).parent / "kit-format.schema.json").read_text())
    definitions = kit_format["$defs"]
    components = spec["components"]["schemas"]
    limits = ("maxLength", "minLength", "maxItems", "minItems", "minimum", "maximum", "enum")
    for definition, component in (
        ("kit", "KitDocumentBody"),
        ("skill", "KitDocumentSkill"),
        ("question", "KitDocumentQuestion"),
        ("keyPoint", "KitDocumentKeyPoint"),
    ):
        expected, documented = definitions[definition], components[component]
        assert set(documented["required"]) == set(expected["required"]), component
        for name, rules in expected["properties"].items():
            stated = documented["properties"][name]
            for limit in limits:
                assert stated.get(limit) == rules.get(limit), (component, name, limit)
            if rules.get("$ref") == "#/$defs/nonBlankText":
                assert stated["pattern"] == definitions["nonBlankText"]["pattern"], (component, name)
            elif "pattern" in rules:
                assert stated["pattern"] == rules["pattern"], (component, name)
