"""Conversations that need a person: the queue, claims and notes (`queue`), what operators did
(`audit`), when the team is on duty (`hours`), and the supervisors' figures (`figures`).

Owns the keys `hl:escalation*` and `hl:console:audit`. May import core only.
"""
