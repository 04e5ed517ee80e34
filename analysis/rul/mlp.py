"""A small fully connected regression network in numpy: ReLU layers, Adam, cosine learning rate.

Enough for tabular health features (a few hundred inputs, tens of thousands of rows) on two
CPU cores in seconds; weights are plain arrays, so a trained net is saved as data.
"""

from __future__ import annotations

import itertools
from typing import cast

import numpy as np


class SmallMlp:
    def __init__(self, sizes: tuple[int, ...], seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.weights = [rng.normal(0.0, np.sqrt(2.0 / a), (a, b)) for a, b in itertools.pairwise(sizes)]
        self.biases = [np.zeros(b) for b in sizes[1:]]

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.weights[0].shape[0], *(w.shape[1] for w in self.weights))

    def _forward(self, x: np.ndarray) -> list[np.ndarray]:
        acts = [x]
        h = x
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = h @ w + b
            if i < last:
                h = np.maximum(h, 0.0)
            acts.append(h)
        return acts

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self._forward(np.asarray(x, dtype=float))[-1][:, 0]

    def fit(self, x: np.ndarray, y: np.ndarray, *, epochs: int = 60, batch: int = 256, lr: float = 1e-3,
            weight_decay: float = 1e-4, rows_per_epoch: int | None = None, seed: int = 0) -> SmallMlp:
        """Minimise mean squared error; ``rows_per_epoch`` caps the rows seen per epoch (large sets)."""
        rng = np.random.default_rng(seed)
        params = self.weights + self.biases
        m = [np.zeros_like(p) for p in params]
        v = [np.zeros_like(p) for p in params]
        b1, b2, eps = 0.9, 0.999, 1e-8
        step = 0
        n = len(x)
        per_epoch = n if rows_per_epoch is None else min(n, rows_per_epoch)
        layers = len(self.weights)
        for epoch in range(epochs):
            rate = lr * 0.5 * (1.0 + np.cos(np.pi * epoch / epochs))
            order = rng.permutation(n)[:per_epoch]
            for start in range(0, per_epoch, batch):
                j = order[start:start + batch]
                acts = self._forward(x[j])
                grad = (2.0 * (acts[-1][:, 0] - y[j]) / len(j))[:, None]
                # every slot is set by the loop below
                g_w, g_b = cast(list[np.ndarray], [None] * layers), cast(list[np.ndarray], [None] * layers)
                for i in range(layers - 1, -1, -1):
                    g_w[i] = acts[i].T @ grad + weight_decay * self.weights[i]
                    g_b[i] = grad.sum(0)
                    if i > 0:
                        grad = (grad @ self.weights[i].T) * (acts[i] > 0.0)
                step += 1
                c1, c2 = 1.0 - b1 ** step, 1.0 - b2 ** step
                for k, (p, g) in enumerate(zip(params, g_w + g_b, strict=True)):
                    m[k] = b1 * m[k] + (1.0 - b1) * g
                    v[k] = b2 * v[k] + (1.0 - b2) * g * g
                    p -= rate * (m[k] / c1) / (np.sqrt(v[k] / c2) + eps)
        return self

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        out = {}
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            out[f"{prefix}w{i}"], out[f"{prefix}b{i}"] = w, b
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> SmallMlp:
        net = cls.__new__(cls)
        net.weights, net.biases = [], []
        i = 0
        while f"{prefix}w{i}" in arrays:
            net.weights.append(np.asarray(arrays[f"{prefix}w{i}"], dtype=float))
            net.biases.append(np.asarray(arrays[f"{prefix}b{i}"], dtype=float))
            i += 1
        return net
