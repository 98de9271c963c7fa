"""Operator accounts: names, passwords and roles are checked; passwords are never stored."""

from __future__ import annotations

import pytest

from hotline.access import operators

PASSWORD = "correct horse battery"


def test_operator_accounts_are_checked(redis):
    with pytest.raises(ValueError):
        operators.create(redis, "Bad Name!", PASSWORD)
    with pytest.raises(ValueError):
        operators.create(redis, "ana", "short")
    with pytest.raises(ValueError):
        operators.create(redis, "ana", PASSWORD, role="admin")
    record = operators.create(redis, "ana", PASSWORD)
    assert PASSWORD not in str(redis.hgetall(operators.KEY)) and record["role"] == "operator"
    assert operators.verify(redis, "ana", PASSWORD) and not operators.verify(redis, "ana", "x")
    assert operators.verify(redis, "nobody", PASSWORD) is None
