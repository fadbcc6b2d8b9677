"""What may enter a case: plain, bounded JSON that SpiffWorkflow's serializer always loads back."""
import pytest

from engine.domain import payload
from engine.domain.errors import InvalidData


def nested(levels: int) -> list:
    """A list inside a list ... ``levels`` deep, built without recursion."""
    value: list = []
    for _ in range(levels - 1):
        value = [value]
    return value


@pytest.mark.parametrize("data", [
    {"name": "A", "n": 3, "x": 1.5, "ok": True, "none": None, "list": [1, "two", {"three": [3]}]},
    {"deep": nested(15)},
    {"big": 2 ** 63 - 1, "text": "é" * 1000},
])
def test_plain_bounded_json_passes(data):
    payload.check(data)


@pytest.mark.parametrize("data, path, words", [
    ({"meta": {"typename": "datetime"}}, "data.meta.typename", "reserved"),
    ({"a": [{"b": {"typename": 1}}]}, "data.a[0].b.typename", "reserved"),
    ({"deep": nested(100_000)}, "data.deep", "deeper"),
    ({"s": "a\x00b"}, "data.s", "NUL"),
    ({"a\x00": 1}, "data", "NUL"),
    ({"b": b"bytes"}, "data.b", "bytes is not a plain JSON value"),
    ({"e": ValueError("x")}, "data.e", "ValueError"),
    ({"s": {1, 2}}, "data.s", "set"),
    ({"n": float("nan")}, "data.n", "finite"),
    ({"n": 2 ** 64}, "data.n", "64 bits"),
    ({"t": "x" * (payload.MAX_TEXT + 1)}, "data.t", "longer"),
    ({1: "non-text key"}, "data", "not text"),
])
def test_what_the_engine_could_not_load_back_is_named_by_its_path(data, path, words):
    with pytest.raises(payload.PayloadError) as refused:
        payload.check(data)
    found = [p for p in refused.value.problems if p.startswith(path)]
    assert found and words in " ".join(refused.value.problems[found[0]])


def test_size_is_bounded_over_the_whole_payload():
    with pytest.raises(payload.PayloadError, match="values"):
        payload.check({"many": list(range(payload.MAX_ITEMS + 1))})
    with pytest.raises(payload.PayloadError, match="characters of text"):
        payload.check({f"k{i}": "x" * 90_000 for i in range(7)})


def test_require_plain_answers_invalid_data_with_the_fields():
    with pytest.raises(InvalidData) as refused:
        payload.require_plain({"meta": {"typename": "x"}}, "the case data")
    assert refused.value.fields == {"data.meta.typename": ["'typename' is a reserved name; use another key"]}
