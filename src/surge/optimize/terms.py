"""Sparse sums of variables as linopy expressions, built from flat numpy arrays.

linopy's labelled arithmetic is ideal for aligned arrays; material balances sum terms
from many differently shaped families (operations arriving after their lead time,
shipments between lanes, purchases) into one (node, week) array. :class:`Terms` collects
``(variable label, coefficient, target cell)`` triples with numpy and turns them into one
:class:`linopy.LinearExpression` over the target's dimensions, padding each cell's terms
with label -1 (linopy's "no variable").
"""

from __future__ import annotations

from collections.abc import Sequence

import linopy
import numpy as np
import numpy.typing as npt
import pandas as pd
import xarray as xr
from linopy.constants import TERM_DIM


class Terms:
    """Collects terms for a target array of shape ``[len(c) for c in coords.values()]``."""

    def __init__(self, coords: dict[str, Sequence[object]]) -> None:
        self.coords = {k: pd.Index(list(v), name=k) for k, v in coords.items()}
        self.shape = tuple(len(v) for v in self.coords.values())
        self._labels: list[np.ndarray] = []
        self._coeffs: list[np.ndarray] = []
        self._cells: list[np.ndarray] = []

    def add(self, labels: npt.ArrayLike, coeffs: npt.ArrayLike, *cells: npt.ArrayLike) -> None:
        """Add terms: variable ``labels`` times ``coeffs`` into cells ``cells`` (one index
        array per target dimension). Arrays broadcast; labels of -1 are ignored."""
        labels, coeffs, *arrays = np.broadcast_arrays(labels, coeffs, *cells)
        keep = (labels >= 0) & (coeffs != 0)
        if len(self.shape) == 0:
            flat = np.zeros(int(keep.sum()), dtype=np.int64)
        else:
            flat = np.ravel_multi_index(tuple(c[keep] for c in arrays), self.shape)
        self._labels.append(labels[keep].astype(np.int64))
        self._coeffs.append(coeffs[keep].astype(float))
        self._cells.append(flat.astype(np.int64))

    def expression(self, model: linopy.Model) -> linopy.LinearExpression:
        n_cells = int(np.prod(self.shape)) if self.shape else 1
        labels = np.concatenate(self._labels) if self._labels else np.zeros(0, np.int64)
        coeffs = np.concatenate(self._coeffs) if self._coeffs else np.zeros(0)
        cells = np.concatenate(self._cells) if self._cells else np.zeros(0, np.int64)
        order = np.argsort(cells, kind="stable")
        labels, coeffs, cells = labels[order], coeffs[order], cells[order]
        counts = np.bincount(cells, minlength=n_cells)
        width = max(1, int(counts.max()) if counts.size else 1)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        position = np.arange(cells.size) - starts[cells]
        var_grid = np.full((n_cells, width), -1, dtype=np.int64)
        coef_grid = np.zeros((n_cells, width))
        var_grid[cells, position] = labels
        coef_grid[cells, position] = coeffs
        dims = list(self.coords) + [TERM_DIM]
        shape = self.shape + (width,)
        ds = xr.Dataset(
            {
                "coeffs": (dims, coef_grid.reshape(shape)),
                "vars": (dims, var_grid.reshape(shape)),
            },
            coords=self.coords,
        )
        return linopy.LinearExpression(ds, model)

    def vector(self, size: int) -> np.ndarray:
        """A scalar sum's coefficient of each variable label, as a dense vector."""
        labels = np.concatenate(self._labels) if self._labels else np.zeros(0, np.int64)
        coeffs = np.concatenate(self._coeffs) if self._coeffs else np.zeros(0)
        return np.bincount(labels, weights=coeffs, minlength=size)[:size]

    def array(self, values: npt.ArrayLike, dtype: type = float) -> xr.DataArray:
        """``values`` (broadcast to the target's shape) as a DataArray on its coordinates."""
        data: np.ndarray = np.broadcast_to(np.asarray(values, dtype=dtype), self.shape)
        return xr.DataArray(data, coords=self.coords, dims=list(self.coords))

    def count(self) -> np.ndarray:
        """Number of terms in each target cell (same shape as the target)."""
        n_cells = int(np.prod(self.shape)) if self.shape else 1
        cells = np.concatenate(self._cells) if self._cells else np.zeros(0, np.int64)
        return np.bincount(cells, minlength=n_cells).reshape(self.shape or (1,))
