"""Broadcasts: one message to many people, each in their language, once, and accounted for.

`spec` (what a broadcast says, validated), `audience` (who receives it), `runner` (its life
cycle and chunks), `sender` (one recipient's send), `report` (what became of it); `store` and
`receipts` own its Redis keys, `ratelimit` the shared send rate.
"""
