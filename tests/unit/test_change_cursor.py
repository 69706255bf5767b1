"""Change-feed cursors: what the feed hands out parses back to the same position; nothing else parses."""

import pytest

from babelwire.changes import START, Cursor, InvalidCursor


@pytest.mark.parametrize("cursor", [START, Cursor(1, 1), Cursor(29160, 327), Cursor(2**63 - 1, 2**63 - 1)])
def test_a_cursor_round_trips(cursor: Cursor) -> None:
    assert Cursor.parse(str(cursor)) == cursor


def test_cursors_order_by_transaction_then_id() -> None:
    assert Cursor(5, 900) < Cursor(6, 1) < Cursor(6, 2)


@pytest.mark.parametrize("text", ["", "12", "1-", "-1", "a-1", "1-2-3", " 1-2", "1-2 ", "١-٢", "+1-2", "9223372036854775808-1"])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(InvalidCursor):
        Cursor.parse(text)
