"""TEMPORARY: the old ZooEntry keyword form, adapted to the task protocol while families migrate."""

from __future__ import annotations

import dataclasses
from typing import Any

from . import _registry
from ._registry import register as register
from .tasks.base import NoTargetError, ZooTask


class _LegacyTask(ZooTask):
    def __init__(self, make, evaluate, metrics, fit, finetune_task, inputs):
        self._make, self._evaluate, self.metrics = make, evaluate, metrics
        self._fit, self._finetune, self._inputs = fit, finetune_task, inputs
        self.trained = fit is not None

    def evaluate(self, model, fast=False):
        return self._evaluate(model, fast)

    def make(self):
        return self._make()

    def fit(self, seed=None, steps=None, run_dir=None, progress=True):
        return self._fit(seed=seed, steps=steps, run_dir=run_dir, progress=progress)

    def target(self, spec):
        if self._finetune is None:
            raise NoTargetError("this model has no fine-tuning target type")
        return self._finetune(spec)

    def inputs(self, text, hold):
        return None if self._inputs is None else self._inputs(text, hold)


def ZooEntry(*, family=None, make=None, evaluate=None, metrics=None, fit=None, finetune_task=None, inputs=None, **card: Any):
    return _registry.ZooEntry(task=_LegacyTask(make, evaluate, metrics, fit, finetune_task, inputs), **card)


def register_builder(name, fn):
    _registry.register_builder(name)(fn)


def replace(entry, **kw):
    return dataclasses.replace(entry, **kw)
