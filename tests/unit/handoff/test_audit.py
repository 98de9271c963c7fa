"""The console audit log (`hotline.handoff.audit`): erasure keeps what operators did, without
the person."""

from hotline.handoff import audit


def test_forget_keeps_each_entry_without_the_person(redis, rt):
    audit.record(redis, "ana", "login")
    audit.record(redis, "ana", "claim", "c1")
    audit.record(redis, "beto", "read", "c1x")  # another person whose id starts the same
    audit.record(redis, "ana", "reply", "c1", vault=rt.vault, message_id="m-1")
    audit.record(redis, "ana", "transfer", "c2", to="beto")
    others = [e for e in redis.lrange(audit.KEY, 0, -1) if '"c1"' not in e]
    assert audit.forget(redis, "c1") == 2
    entries = audit.recent(redis)
    assert [(e["operator"], e["action"], e["contact_id"]) for e in entries] == [
        ("ana", "transfer", "c2"), ("ana", "reply", None), ("beto", "read", "c1x"),
        ("ana", "claim", None), ("ana", "login", None)]
    assert "sealed" not in entries[1] and entries[0]["to"] == "beto"
    # Entries about anyone else are left byte for byte as they were.
    assert set(others) <= set(redis.lrange(audit.KEY, 0, -1))
    assert audit.forget(redis, "c1") == 0
