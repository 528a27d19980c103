"""The JSON Schemas in schemas/ are exported from the models and never drift."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from bundler.case.models import Case, InformationRequest, Resident
from bundler.case.validate import load_valid_case
from bundler.schemas import SCHEMAS, default_schema_dir, render_schema, stale_schemas, write_schemas

from .conftest import SAMPLE


def test_checked_in_schemas_match_the_models() -> None:
    assert stale_schemas(default_schema_dir()) == [], "run `bundler schemas` and commit schemas/"


def test_drift_is_detected(tmp_path: Path) -> None:
    write_schemas(tmp_path)
    assert stale_schemas(tmp_path) == []
    name = sorted(SCHEMAS)[0]
    (tmp_path / name).write_text(render_schema(name).replace('"title"', '"titel"', 1), encoding="utf-8")
    assert stale_schemas(tmp_path) == [name]


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schemas_are_valid_json_schema(name: str) -> None:
    schema = json.loads((default_schema_dir() / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)


def test_sample_round_trips_through_model_and_schema() -> None:
    loaded = load_valid_case(SAMPLE)
    for model, schema_name in [(loaded.case, "case.schema.json")] + [
        (resident, "resident.schema.json") for resident in loaded.residents.values()
    ]:
        data = json.loads(model.model_dump_json(exclude_none=True))
        schema = json.loads((default_schema_dir() / schema_name).read_text(encoding="utf-8"))
        jsonschema.validate(data, schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        again = type(model).model_validate_json(json.dumps(data), strict=True)
        assert again == model


def test_yaml_files_name_their_schema() -> None:
    assert "$schema=../../schemas/case.schema.json" in (SAMPLE / "case.yaml").read_text(encoding="utf-8")
    for path in (SAMPLE / "residents").glob("*.yaml"):
        assert "$schema=../../../schemas/resident.schema.json" in path.read_text(encoding="utf-8")
        assert (path.parent / "../../../schemas/resident.schema.json").resolve().exists()


@given(
    requested=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)),
    offset=st.integers(min_value=-60, max_value=60),
)
def test_due_date_rule_agrees_with_schema_free_validation(requested: dt.date, offset: int) -> None:
    due = requested + dt.timedelta(days=offset)
    data = {
        "requested_date": requested.isoformat(),
        "due_date": due.isoformat(),
        "sent_to": {"name": "A Person"},
        "how_to_respond": "By e-mail.",
        "items": [{"item": "a_organisations", "requested": True, "status": "outstanding"}],
    }
    if offset < 0:
        with pytest.raises(ValidationError, match="is before the request date"):
            InformationRequest.model_validate_json(json.dumps(data), strict=True)
    else:
        request = InformationRequest.model_validate_json(json.dumps(data), strict=True)
        dumped = json.loads(request.model_dump_json(exclude_none=True))
        assert InformationRequest.model_validate_json(json.dumps(dumped), strict=True) == request


def test_models_reject_unknown_keys_in_schema_too() -> None:
    for model in (Case, Resident):
        schema = model.model_json_schema()
        assert schema.get("additionalProperties") is False
