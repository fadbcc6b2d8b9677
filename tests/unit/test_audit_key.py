"""The audit key and the anchor file live outside the database."""
def test_the_audit_key_file_is_made_once_private_and_kept(tmp_path, monkeypatch):
    """`make run` without a configured key: one is generated under instance/ and reused."""
    from engine.persistence import audit_key
    monkeypatch.delenv("HABEAS_AUDIT_KEY", raising=False)
    monkeypatch.delenv("HABEAS_AUDIT_KEY_FILE", raising=False)
    monkeypatch.chdir(tmp_path)
    first = audit_key.current()
    path = tmp_path / audit_key.DEFAULT_FILE
    assert path.stat().st_mode & 0o777 == 0o600 and len(first) >= 32
    monkeypatch.setenv("HABEAS_AUDIT_KEY_FILE", str(path))  # another configuration, same file
    assert audit_key.current() == first
    assert [p.name for p in path.parent.iterdir()] == ["audit.key"]


def test_a_short_key_is_refused_with_a_clear_error(monkeypatch):
    import pytest
    from engine.persistence import audit_key
    monkeypatch.setenv("HABEAS_AUDIT_KEY", "short")
    with pytest.raises(audit_key.AuditKeyError, match="at least 16"):
        audit_key.current()


def test_only_the_anchor_files_tail_is_read_and_a_garbled_line_is_reported(tmp_path):
    from datetime import datetime, timezone
    from engine.persistence import anchor
    path = tmp_path / "anchor.jsonl"
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for seq in range(1, 2001):
        anchor.record(path, seq, f"{seq:064x}", at)
    heads = anchor.read(path, tail_bytes=4096)
    assert max(heads) == 2000 and heads[2000] == f"{2000:064x}" and 1 not in heads and -1 not in heads
    with open(path, "a") as out:
        out.write("not json\n")
    assert -1 in anchor.read(path)
    assert any("unreadable line" in p for p in anchor.problems(anchor.read(path), {2000: f"{2000:064x}"}, 2000))
