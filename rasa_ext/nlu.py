"""The trained model's NLU loaded in this process, for `./hotline.sh eval`
(`hotline.ops.evaluation`): Rasa's Agent, asked for the intent of one text at a time and how
sure it is.

Imports Rasa only when a Parser is made, so importing this module costs nothing.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path


class Parser:
    """The model's NLU, loaded in this process."""

    def __init__(self, model: Path):
        import structlog
        from rasa.core.agent import Agent

        logging.getLogger("rasa").setLevel(logging.ERROR)
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

        self.loop = asyncio.new_event_loop()
        self.agent = Agent.load(str(model))

    def read(self, text: str) -> tuple[str, float]:
        """The intent and the model's confidence in it (nlu_fallback: the clarifying menu)."""
        result = self.loop.run_until_complete(self.agent.parse_message(text))
        return result["intent"]["name"], float(result["intent"].get("confidence") or 0.0)
