"""stoploss: Monte Carlo stop-loss attachment studies, the Rust engine in Python.

>>> import stoploss
>>> r = stoploss.run("configs/small-100.json", trials=5000)
>>> r.candidates[["label", "mean_cost", "mean_cost_se", "p95", "tvar_p99"]]
>>> r.recommendation
>>> costs = r.trial_costs(r.recommendation)   # NumPy array, one cost per trial

Every number comes from the same Rust library as the ``stoploss`` command
line: the same config and seed give the same results, bit for bit, whatever
the number of threads.
"""

from __future__ import annotations

import io
import json
import operator
import os
import sys
from typing import Any, Callable, Dict, List, Mapping, Optional, Union

from . import _stoploss
from ._stoploss import ConfigError

__version__ = _stoploss.__version__
__all__ = ["run", "validate", "Results", "ConfigError", "__version__"]

Config = Union[str, "os.PathLike[str]", Mapping[str, Any]]

#: How a dict config is named in error messages.
DICT_FILE = "<dict>"


def _source(config: Config) -> Dict[str, Any]:
    """The keyword arguments naming ``config`` for the extension module."""
    if isinstance(config, (str, os.PathLike)):
        return {"path": os.fspath(config)}
    if isinstance(config, Mapping):
        # NaN and infinities are not JSON: refuse them here, as the command
        # line refuses them in a file.
        try:
            text = json.dumps(config, allow_nan=False)
        except ValueError as e:
            raise ValueError(f"the config holds a number JSON cannot carry: {e}") from None
        return {"text": text, "file": DICT_FILE}
    raise TypeError(f"config must be a path or a dict in the config schema, got {type(config).__name__}")


def _whole(name: str, value: Any) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be a whole number, got {value!r}") from None
    if value < 0 or value >= 2**64:
        raise ValueError(f"{name}: must be between 0 and 2^64 - 1, got {value}")
    return int(value)


def validate(config: Config) -> Dict[str, Any]:
    """Reads and validates ``config`` (a path, or a dict in the config schema)
    without running it.

    Returns what ``stoploss validate`` reports: ``name``, ``members``,
    ``employees``, ``candidates`` (their number), ``trials``, ``seed`` and
    ``warnings``. Raises :class:`ConfigError` with the command line's kind,
    file, place and message for a config that it refuses.
    """
    return _stoploss.validate(**_source(config))


class _Progress:
    """A progress display: tqdm when installed, else one stderr line."""

    def __init__(self, total: int, name: str):
        self.total = total
        self.bar = None
        try:
            from tqdm.auto import tqdm  # type: ignore

            self.bar = tqdm(total=total, unit="trials", desc=name)
        except ImportError:
            self.name = name
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.update(done - self.shown)
        elif total:
            sys.stderr.write(f"\r{self.name}: {done:,}/{total:,} trials ({100 * done / total:.0f}%)")
            sys.stderr.flush()
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.total:
            sys.stderr.write("\n")
            sys.stderr.flush()


def run(
    config: Config,
    *,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    method: str = "simulate",
    progress: Union[bool, Callable[[int, int], None]] = False,
) -> "Results":
    """Runs the study ``config``: a path to a config file (relative paths in
    it resolved against its folder, as the command line does), or a dict in
    the config schema (relative paths resolved against the current folder).

    ``trials`` and ``seed`` override the config's, checked as
    ``stoploss run --trials/--seed`` checks them (``ValueError`` otherwise).
    ``threads`` is the number of worker threads (default: one per core; the
    results do not depend on it). ``method`` is ``"simulate"`` (default),
    ``"exact"`` (the exact engine) or ``"both"``. ``progress=True`` shows a
    progress bar (tqdm if installed, else a line on stderr); a callable is
    called as ``progress(trials_done, trials_total)``.

    The computation runs without the GIL. Ctrl-C (or any KeyboardInterrupt)
    stops a simulation within about a second and raises
    ``KeyboardInterrupt``; nothing is kept of an interrupted run.
    """
    source = _source(config)
    callback = None
    bar = None
    if progress is True:
        try:
            checked = validate(config)
            name, total = checked["name"], _whole("trials", trials) or checked["trials"]
        except ConfigError:
            name, total = "stoploss", 0  # the run below raises the error
        bar = _Progress(0 if method == "exact" else total, name)
        callback = bar
    elif callable(progress):
        callback = progress
    elif progress not in (False, None):
        raise TypeError("progress must be True, False or a callable(done, total)")
    try:
        inner = _stoploss.run(
            **source,
            trials=_whole("trials", trials),
            seed=_whole("seed", seed),
            threads=_whole("threads", threads),
            method=method,
            progress=callback,
        )
    finally:
        if bar is not None:
            bar.close()
    return Results(inner)


class Results:
    """The results of one run.

    ``to_dict()`` is ``results.json``; ``candidates`` is ``summary.csv`` as a
    DataFrame; ``trial_costs(label)`` and ``trial_columns()`` give the
    per-trial outcomes (method ``"simulate"``) as NumPy arrays.
    """

    def __init__(self, inner: Any):
        self._inner = inner
        self._dict: Optional[Dict[str, Any]] = None
        self._candidates = None

    def to_dict(self) -> Dict[str, Any]:
        """The content of ``results.json`` (a fresh copy each call)."""
        if self._dict is None:
            self._text = self._inner.json()
            self._dict = json.loads(self._text)
        return json.loads(self._text)

    def _data(self) -> Dict[str, Any]:
        if self._dict is None:
            self.to_dict()
        return self._dict  # type: ignore[return-value]

    @property
    def name(self) -> str:
        """The study's name."""
        return self._data()["name"]

    @property
    def candidates(self):
        """One row per candidate, in candidate order, with the columns of
        ``summary.csv`` (absent values as NaN; labels as given, without the
        spreadsheet guard ``summary.csv`` adds to labels that start like a
        formula)."""
        if self._candidates is None:
            import pandas as pd

            df = pd.read_csv(io.StringIO(self._inner.csv()), float_precision="round_trip",
                             dtype={"label": str}, keep_default_na=False, na_values=[""])
            df["label"] = self._inner.labels()
            self._candidates = df
        return self._candidates.copy()

    @property
    def recommendation(self) -> Optional[str]:
        """The recommended candidate's label (``decision.recommended``)."""
        decision = self._data().get("decision")
        return decision["recommended"] if decision else None

    @property
    def decision(self) -> Optional[Dict[str, Any]]:
        """The decision analysis (``decision`` in ``results.json``)."""
        return self.to_dict().get("decision")

    @property
    def warnings(self) -> List[str]:
        """Study-level warnings, then each candidate's as ``label: warning``."""
        d = self._data()
        out = list(d["warnings"])
        for c in d["candidates"]:
            out.extend(f"{c['label']}: {w}" for w in c["warnings"])
        return out

    @property
    def labels(self) -> List[str]:
        """Candidate labels, in candidate order."""
        return self._inner.labels()

    def trial_costs(self, label: str):
        """The employer's annual cost of candidate ``label`` in every
        simulated trial, in trial order (a new float64 array): the outcomes
        behind its ``employer_cost`` (their mean, percentiles and TVaRs).
        ``KeyError`` for an unknown label; ``ValueError`` for a run without
        trials (method ``"exact"`` or ``"both"``)."""
        return self._inner.trial_costs(label)

    def trial_columns(self) -> Dict[str, Any]:
        """The simulated trials, in trial order, as read-only NumPy arrays
        over the run's own memory (no copy): ``gross`` (gross claims), and
        per specific option label (``to_dict()["specific_options"]``),
        ``retained`` (claims kept after the specific cover),
        ``specific_reimbursement`` (``gross - retained``, a new array),
        ``aggregate_retained`` (the part of ``retained`` that counts toward
        the aggregate) and ``claimants`` (members above their deductible)."""
        inner = self._inner
        gross = inner.gross()
        out: Dict[str, Any] = {"gross": gross, "retained": {}, "specific_reimbursement": {},
                               "aggregate_retained": {}, "claimants": {}}
        for s, label in enumerate(inner.specific_labels()):
            retained = inner.option_column("retained", s)
            out["retained"][label] = retained
            out["specific_reimbursement"][label] = gross - retained
            out["aggregate_retained"][label] = inner.option_column("aggregate_retained", s)
            out["claimants"][label] = inner.claimants(s)
        return out

    def __repr__(self) -> str:
        d = self._data()
        return (f"<stoploss.Results {d['name']!r}: {d['meta']['method']}, {d['meta']['trials']} trials, "
                f"{len(d['candidates'])} candidates, recommended {self.recommendation!r}>")
