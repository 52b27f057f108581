"""Notes: short messages that say why an answer is empty, far or counted the way it is.

Every answer that carries ``notes`` gives each as ``{code, message, message_zh, ...}``: a stable
``code`` for programs to branch on, the message in English and in Chinese (there is no ``lang``
parameter: both are always there), and the numbers the message quotes, under their own names,
for an app that words things itself.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Note(BaseModel):
    """A short message saying why an answer is empty, far or counted as it is.

    Fields beyond these carry the numbers the message quotes, each under its own name
    (``distance_m``, ``walk_min``, ``uncovered_riders`` ...), which differ from code to code.
    """

    model_config = ConfigDict(extra="allow")

    code: str = Field(description="Stable: programs branch on it.")
    message: str = Field(description="In English.")
    message_zh: str = Field(description="In Chinese.")


def note(code: str, message: str, message_zh: str, **values: Any) -> dict[str, Any]:
    """Return one note: its code, the two messages and the numbers they quote."""
    return {"code": code, "message": message, "message_zh": message_zh, **values}
