"""Running and developing the hotline: the development stack (`stack`), the command line
(`cli`), the pretend phone (`chat`), training (`training`), evaluation (`evaluation`) and the
content report (`content_report`).

May import every other package; nothing outside `ops`, the tests and the benchmarks imports it.
"""
