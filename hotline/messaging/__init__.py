"""One person's line: reading an address (`channels`), the rules applied to a text (`keywords`,
`language`, `menus`, `sms`), the per-person serial queue (`serial`), the message store
(`messages`), the pipeline that answers (`inbound`) and sends (`outbound`, `routing`,
`delivery`, `twilio_client`), and the client of the assistant (`assistant`).

The rules and stores may import core and `hotline.content`. `inbound` and `outbound` are the use
cases of the pipeline: they may also use the stores of registration, hand-off and erasure,
because every message a person sends passes through them.
"""
