"""Plugins loaded by the Rasa server itself: the encrypted tracker store (`tracker_store`); and
the model's NLU in our own process, for evaluation (`nlu`).

The only package that imports `rasa`; `keys` (the tracker's Redis key) imports nothing of Rasa,
so erasure can use it from any process.
"""
