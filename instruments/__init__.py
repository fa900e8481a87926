"""The study questionnaire(s) as YAML, shipped as package data (egovsem.study_instruments).

Read them with ``egovsem.instruments.load_instrument()``.
"""
