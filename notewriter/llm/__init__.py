"""Optional LLM pass: rewrite template sections through an OpenAI-compatible endpoint, keep only checked text.

The pass never decides what is true. The model gets the facts and the template
draft and returns the sections as JSON; every section it writes goes through the
injected `check`; a failing section gets one repair round and then falls back to
the template text. Endpoint trouble (down, slow, rate limited, malformed answers)
never raises: the affected sections keep their template text and the run record
says why.

Secrets stay secret: every message, warning, log record and cache entry of the
pass goes through `notewriter.redact`, so the API key and any credentials in the
base URL never come out, even when the endpoint echoes them; an answer that holds
one is not used (the sections keep their template text, the reason says why).

The pass logic (`steps._steps`) is a generator that yields requests and receives
replies, so the synchronous and the asynchronous drivers share it and only the
I/O differs (`session._send` / `session._asend`).

Modules: `prompts` (prompt files, data block, answer schema), `parse` (judging an
answer), `steps` (the pass without I/O and its drivers), `session` (one endpoint:
formats, retries, failures, usage), `cache` (answers on disk), `run` (entry points).
"""

from __future__ import annotations

from notewriter.config import LLMSettings

from .prompts import PROMPT_FILES
from .run import LLMResult, arun_llm_pass, note_hook, run_llm_pass

__all__ = [
    "LLMSettings",
    "LLMResult",
    "run_llm_pass",
    "arun_llm_pass",
    "note_hook",
    "PROMPT_FILES",
]
