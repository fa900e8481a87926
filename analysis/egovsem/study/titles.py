"""The study's own model names (the three hypothesis models of ../shared/design/study.md), in en and zh-CN."""
from __future__ import annotations

__all__ = ["MODEL_NAMES", "model_title"]

MODEL_NAMES = {
    "value_net": ("Value-net model", "价值网络模型"),
    "strategic_triangle": ("Strategic-triangle model", "战略三角模型"),
    "integrated": ("Integrated model", "整合模型"),
}


def model_title(name: str) -> tuple[str, str]:
    """(English, Chinese) title of a model of the study; other names are shown as they are."""
    return MODEL_NAMES.get(name, (name, name))
