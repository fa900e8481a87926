"""The one source of egovsem's version (pyproject.toml reads it: ``[tool.setuptools.dynamic]``)."""

__version__ = "0.2.0.dev0"
