"""The audit key lives outside the database: configured, or generated once under instance/."""
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
