"""Who may use the hotline's tools: operators' console accounts (`operators`) and the
organizations' API tokens (`api_tokens`).

Owns the keys `hl:operator*` and `hl:api:*`. May import core only.
"""
