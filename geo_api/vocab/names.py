"""Names as they are compared: one station written ``（一号店）`` or ``(一号店)`` is one name.

NFKC folds full-width letters, digits and brackets into half-width ones; the other brackets
Chinese text uses (【】〔〕「」《》 ...) become round ones, middle dots become one, and case
and white space do not count. Nothing else is removed: ``骑手之家（春熙路店）`` and
``骑手之家（太古里店）`` stay two names, and ``（合成）`` stays part of one.
``warmmap_name_key()`` (migration 0006) is the same in SQL; a test keeps them in step.
"""

import unicodedata
from typing import Final

import pandas as pd

BRACKETS: Final = str.maketrans("[]{}【】〔〕〖〗「」『』〈〉《》・•‧∙", "()()()()()()()()()····")


def name_key(name: str) -> str:
    """Return ``name`` in the form names are compared in."""
    folded = unicodedata.normalize("NFKC", name).translate(BRACKETS).lower()
    return "".join(folded.split())


def name_keys(names: pd.Series) -> pd.Series:
    """Return names (or addresses) in the form they are compared in; None stays None."""
    keys = (
        names.astype("string")
        .str.normalize("NFKC")
        .str.translate(BRACKETS)
        .str.lower()
        .str.replace(r"\s+", "", regex=True)
    )
    return keys.astype(object).where(keys.notna(), None)
