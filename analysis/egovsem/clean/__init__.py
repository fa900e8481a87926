"""Cleaning: from a raw survey export to analysis-ready data, with careless-response screening and audit.

>>> from egovsem.clean import clean, write_outputs                     # doctest: +SKIP
>>> result = clean("raw_export.csv", "instruments/study.yaml", id="id", duration="duration")  # doctest: +SKIP
>>> write_outputs(result, "cleaned/")                                  # doctest: +SKIP
"""
from __future__ import annotations

from .careless import evenodd, indices, irv, longstring, mahad, psychant, psychsyn
from .pipeline import CleanResult, DesignColumnError, clean, write_outputs
from .readers import RawExport, read_export, read_mapping
from .recode import reverse_code, scale_scores
from .rules import DEFAULT_RULES, Rule, parse_rules
from .validate import InvalidDataError

__all__ = [
    "clean", "write_outputs", "CleanResult", "DesignColumnError", "Rule", "DEFAULT_RULES", "parse_rules", "read_export",
    "read_mapping", "RawExport", "InvalidDataError", "reverse_code", "scale_scores", "indices",
    "longstring", "irv", "mahad", "evenodd", "psychsyn", "psychant",
]
