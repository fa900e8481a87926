"""The SEM engine: lavaan syntax -> parameter table -> matrices -> estimates, fit, standardised solution."""
from .model import Model, cfa, sem
from .partable import build_partable, specify
from .results import Results
from .simulate import simulate_data
from .syntax import parse_syntax

__all__ = ["Model", "Results", "sem", "cfa", "simulate_data", "parse_syntax", "build_partable", "specify"]
