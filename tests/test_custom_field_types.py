"""How a custom field's definition types its values, in either API generation's shape,
and which fields the exclusion setting keeps in Lucca."""

from __future__ import annotations

import pytest

from tap_lucca.custom_fields import (
    Exclusions,
    legacy_definition,
    legacy_values,
    new_api_definition,
    typed_value,
)


def legacy_property(kind: int, key: str, **more) -> dict:
    return {"id": "e_x", "name": "X", "category": 3, "type": kind, "format": {"key": key}, **more}


@pytest.mark.parametrize(
    ("kind", "key", "expected"),
    [
        (0, "boolean", "boolean"),
        (1, "integer", "integer"),
        (1, "select", "list"),
        (1, "radio", "list"),
        (2, "decimal", "number"),
        (3, "date", "date"),
        (4, "text", "text"),
        (5, "file", "object"),
    ],
)
def test_a_legacy_type_code_and_format_give_the_field_type(kind, key, expected):
    assert legacy_definition(legacy_property(kind, key))["type"] == expected


def test_a_legacy_property_that_is_no_extension_is_no_custom_field():
    assert legacy_definition({**legacy_property(4, "text"), "category": 0}) is None
    assert legacy_definition({**legacy_property(5, "axisSection"), "category": 4}) is None


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("short-text", "text"),
        ("long-text", "text"),
        ("email", "text"),
        ("int32", "integer"),
        ("decimal", "number"),
        ("legacy-date", "date"),
        ("boolean", "boolean"),
        ("taxonomy-label-reference", "list"),
        ("employee-reference", "object"),
    ],
)
def test_a_new_api_schema_title_gives_the_field_type(title, expected):
    item = {"id": "e_x", "name": "X", "schema": {"title": title}, "multipleValueHandling": None}
    assert new_api_definition(item, None)["type"] == expected


def test_multiple_value_handling_makes_a_new_api_field_multi_valued_with_its_order():
    item = {
        "id": "e_x",
        "name": "X",
        "schema": {"title": "short-text"},
        "multipleValueHandling": {"sorting": "descending", "sortingProperty": None},
    }
    definition = new_api_definition(item, None)
    assert (definition["isMultivalue"], definition["multipleValueSorting"]) == (True, "descending")


LIST = {"type": "list", "entries": [{"id": "84", "name": "Vert"}]}


@pytest.mark.parametrize(
    ("definition", "raw", "column", "expected"),
    [
        ({"type": "date"}, "2016-09-01T00:00:00", "dateValue", "2016-09-01"),
        ({"type": "date"}, "2016-09-01", "dateValue", "2016-09-01"),
        ({"type": "number"}, "2.5", "numberValue", 2.5),
        ({"type": "integer"}, 7, "numberValue", 7.0),
        ({"type": "boolean"}, "true", "booleanValue", True),
        (LIST, 84, "listEntryLabel", "Vert"),
        (LIST, {"id": "84", "type": "taxonomy-label"}, "listEntryLabel", "Vert"),
        (None, "free text", "textValue", "free text"),
        (None, 3, "numberValue", 3.0),
    ],
)
def test_a_value_lands_in_the_column_of_its_type_whichever_shape_lucca_sends(
    definition, raw, column, expected
):
    row = typed_value(definition, raw)
    assert row[column] == expected
    assert [k for k, v in row.items() if v is not None and k != "rawValue"] == [
        *(["listEntryId"] if column == "listEntryLabel" else []),
        column,
    ]


def test_a_value_that_does_not_fit_its_type_is_kept_raw_only():
    row = typed_value({"type": "date"}, "not a date")
    assert row["dateValue"] is None
    assert row["rawValue"] == '"not a date"'


def test_a_legacy_multi_value_gives_one_row_per_value_in_order():
    rows = legacy_values(
        {"e_food": [{"id": 1, "value": "beer"}, {"id": 2, "value": "free beer"}]},
        {"e_food": {"type": "text"}},
    )
    assert [(r["id"], r["position"], r["textValue"]) for r in rows] == [
        ("1", 0, "beer"),
        ("2", 1, "free beer"),
    ]


@pytest.mark.parametrize(
    ("patterns", "field_id", "name", "excluded"),
    [
        (["e_medical*"], "e_medicalVisit", "Visite", True),
        (["*MEDICALE*"], "e_visit", "Visite médicale", True),
        (["*santé*"], "e_health", "Mutuelle Sante", True),
        (["e_sk?lls"], "e_skills", None, True),
        (["e_medical*"], "e_skills", "Compétences", False),
        ([], "e_skills", "Compétences", False),
    ],
)
def test_exclusions_match_the_id_or_the_name_whatever_the_case_and_accents(
    patterns, field_id, name, excluded
):
    assert Exclusions(patterns).excludes(field_id, name) is excluded
