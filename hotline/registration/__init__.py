"""Registration by text: the answer readers (`answers`, `reading`), the encrypted store
(`store`), the question a person is asked (`form_mark`), the summary they confirm (`summary`),
and status notifications and reminders (`notify`).

Owns the keys `hl:reg:*` and `hl:form:*`. The readers are pure (no Redis); `notify` sends
through `hotline.messaging.outbound`. May import core, `hotline.content` and, for `notify`,
`hotline.messaging`.
"""
