"""The BCa acceleration (Efron 1987), one function for the CB-SEM and the PLS bootstrap."""
from __future__ import annotations

import numpy as np

__all__ = ["acceleration"]


def acceleration(jack: np.ndarray) -> np.ndarray:
    """BCa acceleration of each column from its leave-one-out jackknife values.

    ``a = sum L^3 / (6 (sum L^2)^1.5)`` with ``L = mean(jack) - jack`` (Efron 1987, eq. 6.6; boot's
    ``empinf(type = "jack")`` up to the constant ``n - 1``, which cancels). Non-finite values (a jackknife fit
    that failed) are left out column by column; a column without spread has acceleration 0.

    Parameters
    ----------
    jack : ndarray (n, k)
        Row ``i``: the statistics estimated without observation ``i``.

    Returns
    -------
    ndarray (k,)

    Examples
    --------
    >>> import numpy as np
    >>> round(float(acceleration(np.array([[0.0], [0.0], [3.0]]))[0]), 4)
    -0.068
    """
    J = np.where(np.isfinite(jack), jack, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        L = np.nanmean(J, axis=0) - J
        num = np.nansum(L ** 3, axis=0)
        den = 6.0 * np.nansum(L ** 2, axis=0) ** 1.5
        return np.where(den > 0, num / den, 0.0)
