"""The Python package against independent references: the command line's
own outputs (results.json, summary.csv, its error messages) and NumPy's
quantiles of the per-trial arrays."""

import copy
import json
import math
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest

import stoploss

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "configs"
BIN = pathlib.Path(os.environ.get("STOPLOSS_BIN", ROOT / "target" / "release" / "stoploss"))
SHIPPED = ["small-100", "mid-500", "census-5000"]
# The only fields of results.json that vary between identical runs.
TIMING = ("threads", "elapsed_seconds", "member_years_per_second")
# Trials for the reference runs: n p is never a whole number for the reported
# levels (0.5 ... 0.995), so numpy's inverted_cdf needs no rounding tolerance.
TRIALS = 4001
LEVELS = {"p50": 0.5, "p75": 0.75, "p90": 0.9, "p95": 0.95, "p99": 0.99, "p99_5": 0.995}
TVAR_LEVELS = {"p90": 0.9, "p95": 0.95, "p99": 0.99}


def cli(*args, check=True):
    if not BIN.exists():
        pytest.fail(f"{BIN} is missing: build it with cargo build --release (or set STOPLOSS_BIN)")
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, check=check, cwd=ROOT)


def without_timing(d):
    d = copy.deepcopy(d)
    for k in TIMING:
        d["meta"].pop(k)
    return d


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory):
    """The command line's results of every shipped config at TRIALS trials."""
    out = tmp_path_factory.mktemp("cli")
    cli("run", CONFIGS, "--out", out, "--trials", TRIALS, "--quiet")
    return {
        name: {
            "json": json.loads((out / name / "results.json").read_text()),
            "csv": out / name / "summary.csv",
        }
        for name in SHIPPED
    }


@pytest.fixture(scope="module")
def small():
    return stoploss.run(CONFIGS / "small-100.json", trials=TRIALS)


@pytest.mark.parametrize("name", SHIPPED)
def test_same_results_as_the_cli(name, cli_runs):
    r = stoploss.run(str(CONFIGS / f"{name}.json"), trials=TRIALS)
    got, want = r.to_dict(), cli_runs[name]["json"]
    assert got["candidates"] == want["candidates"]
    assert without_timing(got) == without_timing(want)
    assert r.recommendation == want["decision"]["recommended"]


def test_chunked_simulation_is_the_cli_run(tmp_path):
    # The package simulates in chunks of whole blocks (about 8 million
    # member-years: 8 blocks for mid-500's 1,050 members), to check for
    # Ctrl-C between them; 20,000 trials take two chunks and a partial one.
    cli("run", CONFIGS / "mid-500.json", "--out", tmp_path, "--trials", 20_000, "--quiet")
    want = json.loads((tmp_path / "mid-500" / "results.json").read_text())
    got = stoploss.run(CONFIGS / "mid-500.json", trials=20_000, threads=1).to_dict()
    assert without_timing(got) == without_timing(want)


@pytest.mark.parametrize("name", SHIPPED)
def test_candidates_frame_is_summary_csv(name, cli_runs):
    r = stoploss.run(CONFIGS / f"{name}.json", trials=TRIALS)
    want = pd.read_csv(cli_runs[name]["csv"], float_precision="round_trip")
    got = r.candidates
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(r.to_dict()["candidates"])
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_dtype=False)


def welford_mean(xs):
    """The library's running mean (stats::Moments), in the same order."""
    mean, n = 0.0, 0
    for x in xs.tolist():
        n += 1
        mean += (x - mean) / n
    return mean


def test_trial_costs_reproduce_mean_percentiles_and_tvar(small):
    d = small.to_dict()
    n = d["meta"]["trials"]
    for p in LEVELS.values():
        assert abs(n * p - round(n * p)) > 1e-6  # no tie at a whole rank
    for c in d["candidates"]:
        costs = small.trial_costs(c["label"])
        e = c["employer_cost"]
        assert costs.dtype == np.float64 and costs.shape == (n,)
        assert welford_mean(costs) == e["mean"]
        assert math.isclose(costs.mean(), e["mean"], rel_tol=1e-9)
        assert math.isclose(costs.std(ddof=1), e["sd"], rel_tol=1e-9)
        # VaR_p = x(ceil(n p)): numpy's inverted_cdf.
        for key, p in LEVELS.items():
            assert np.quantile(costs, p, method="inverted_cdf") == e["percentiles"][key], (c["label"], key)
        # TVaR_p: the mean of the worst n (1 - p) outcomes, the boundary one counted fractionally.
        x = np.sort(costs)
        for key, p in TVAR_LEVELS.items():
            tail = n * (1 - p)
            whole = math.floor(tail)
            tvar = (x[n - whole:].sum() + (tail - whole) * x[n - whole - 1]) / tail
            assert math.isclose(tvar, e["tvar"][key], rel_tol=1e-9), (c["label"], key)
        assert costs.max() == e["max"]
        if c["prob_exceeds_budget"] is not None:
            assert (costs > d["assumptions"]["budget"]).mean() == c["prob_exceeds_budget"]["mean"]


def test_trial_columns_are_borrowed_and_match_the_results(small):
    d = small.to_dict()
    cols = small.trial_columns()
    gross = cols["gross"]
    assert gross.base is not None and not gross.flags.owndata  # a view of the run's memory
    assert not gross.flags.writeable
    with pytest.raises(ValueError):
        gross[0] = 0.0
    assert np.shares_memory(small.trial_columns()["gross"], gross)
    assert welford_mean(gross) == d["population"]["simulated_gross_claims"]["mean"]
    labels = [o["label"] for o in d["specific_options"]]
    assert list(cols["retained"]) == labels
    for c in d["candidates"]:
        s = c["specific_label"]
        assert math.isclose(cols["specific_reimbursement"][s].mean(), c["specific_reimbursement"]["mean"],
                            rel_tol=1e-9, abs_tol=1e-6)
        assert cols["claimants"][s].dtype == np.uint32
        assert math.isclose(cols["claimants"][s].mean(), c["expected_specific_claimants"]["mean"],
                            rel_tol=1e-9, abs_tol=1e-12)
        assert (cols["aggregate_retained"][s] <= cols["retained"][s] + 1e-9).all()
    with pytest.raises(KeyError, match="no candidate is labelled"):
        small.trial_costs("no such candidate")


def test_dict_and_path_give_identical_results():
    config = json.loads((CONFIGS / "small-100.json").read_text())
    a = stoploss.run(config, trials=2000)
    b = stoploss.run(CONFIGS / "small-100.json", trials=2000)
    assert without_timing(a.to_dict()) == without_timing(b.to_dict())
    # A dict's relative paths are resolved against the current folder.
    census = json.loads((CONFIGS / "census-5000.json").read_text())
    cwd = os.getcwd()
    try:
        os.chdir(CONFIGS)
        c = stoploss.run(census, trials=1500)
    finally:
        os.chdir(cwd)
    d = stoploss.run(CONFIGS / "census-5000.json", trials=1500)
    assert without_timing(c.to_dict()) == without_timing(d.to_dict())


def test_overrides_and_threads():
    path = CONFIGS / "small-100.json"
    base = stoploss.run(path, trials=2000, seed=11, threads=1)
    meta = base.to_dict()["meta"]
    assert (meta["trials"], meta["seed"], meta["threads"]) == (2000, 11, 1)
    two = stoploss.run(path, trials=2000, seed=11, threads=2)
    assert two.to_dict()["meta"]["threads"] == 2
    assert without_timing(two.to_dict()) == without_timing(base.to_dict())
    other = stoploss.run(path, trials=2000, seed=12)
    assert other.to_dict()["candidates"][0]["employer_cost"]["mean"] != base.to_dict()["candidates"][0]["employer_cost"]["mean"]
    # A config's own trials and seed when not overridden.
    config = json.loads(path.read_text())
    config["trials"], config["seed"] = 1500, 3
    meta = stoploss.run(config).to_dict()["meta"]
    assert (meta["trials"], meta["seed"]) == (1500, 3)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"trials": 0}, ValueError, "trials: must be between 1 and 100000000, got 0"),
    ({"trials": 10**9}, ValueError, "trials: must be between 1 and 100000000"),
    ({"trials": -5}, ValueError, "trials"),
    ({"trials": 2.5}, TypeError, "trials must be a whole number"),
    ({"seed": -1}, ValueError, "seed"),
    ({"seed": "7"}, TypeError, "seed must be a whole number"),
    ({"threads": 0}, ValueError, "threads: must be between 1"),
    ({"threads": 10**6}, ValueError, "per core"),
    ({"method": "monte-carlo"}, ValueError, "method must be"),
])
def test_bad_overrides_raise(kwargs, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        stoploss.run(CONFIGS / "small-100.json", **kwargs)


def test_override_matches_the_cli_message():
    # The CLI says `--trials must be ...`; the library's words after the field are the same.
    done = cli("run", CONFIGS / "small-100.json", "--trials", "0", "--quiet", check=False)
    assert done.returncode == 1
    with pytest.raises(ValueError) as e:
        stoploss.run(CONFIGS / "small-100.json", trials=0)
    assert str(e.value).split(":", 1)[1].strip() in done.stderr


def bad_configs():
    base = json.loads((CONFIGS / "small-100.json").read_text())
    unknown = copy.deepcopy(base)
    unknown["trails"] = 5
    alpha = copy.deepcopy(base)
    alpha["population"]["classes"][0]["claims"][0]["severity"] = {"pareto": {"alpha": 0.8, "theta": 1000}}
    negative = copy.deepcopy(base)
    negative["stop_loss"]["specific"][0]["deductible"] = -1
    wrong_type = copy.deepcopy(base)
    wrong_type["population"]["classes"] = {"name": "x"}
    census = copy.deepcopy(base)
    census["population"] = {"census": "missing.csv", "classes": base["population"]["classes"]}
    return {
        "unknown-field": json.dumps(unknown, indent=2),
        "alpha": json.dumps(alpha, indent=2),
        "negative": json.dumps(negative, indent=2),
        "wrong-type": json.dumps(wrong_type, indent=2),
        "missing-census": json.dumps(census, indent=2),
        "malformed": json.dumps(base, indent=2)[:-3] + ",}",
    }


@pytest.mark.parametrize("case", list(bad_configs()))
def test_validate_errors_match_the_cli(case, tmp_path):
    path = tmp_path / f"{case}.json"
    path.write_text(bad_configs()[case])
    done = cli("validate", path, check=False)
    assert done.returncode == 1
    with pytest.raises(stoploss.ConfigError) as caught:
        stoploss.validate(path)
    e = caught.value
    assert isinstance(e, ValueError)
    assert done.stderr.strip() == f"error: {e}"
    # The parts, each as the CLI prints them: "file: kind at location: message".
    where = f" at {e.location}" if e.location else ""
    assert done.stderr.strip() == f"error: {e.file}: {e.kind_text}{where}: {e.message}"
    assert e.kind in {"Io", "Syntax", "Schema", "Invalid", "Census", "DataFile", "TooLarge"}
    if case == "malformed":
        assert e.kind == "Syntax" and e.location.startswith("line ")
    if case == "unknown-field":
        assert e.kind == "Schema" and e.location.startswith("trails") and "did you mean `trials`" in e.message
    if case in ("alpha", "negative"):
        assert e.kind == "Invalid"
    # run raises the same error.
    with pytest.raises(stoploss.ConfigError) as again:
        stoploss.run(path)
    assert str(again.value) == str(e)


def test_dict_errors_name_the_dict():
    config = json.loads((CONFIGS / "small-100.json").read_text())
    config["stop_loss"]["specific"][1]["deductible"] = 0
    with pytest.raises(stoploss.ConfigError) as e:
        stoploss.validate(config)
    assert e.value.file == "<dict>"
    assert e.value.location == "stop_loss.specific[1].deductible"
    assert e.value.kind == "Invalid"
    with pytest.raises(ValueError, match="JSON cannot carry"):
        stoploss.validate({**config, "budget": float("nan")})
    with pytest.raises(TypeError):
        stoploss.run(42)


def test_validate_summary():
    v = stoploss.validate(CONFIGS / "census-5000.json")
    done = cli("validate", CONFIGS / "census-5000.json")
    assert f"({v['name']}): {v['members']} members" in done.stdout
    assert f"{v['candidates']} candidates, {v['trials']} trials" in done.stdout


# A small study the exact engine computes in well under a second (the
# shipped ones take it tens of seconds).
TINY = {
    "name": "tiny", "seed": 7, "trials": 2000,
    "population": {"classes": [{"name": "staff", "employees": 50, "members": 110,
                                "claims": [{"name": "medical", "frequency": {"poisson": {"mean": 3}},
                                            "severity": {"lognormal": {"mean": 2500, "cv": 3}}}]}]},
    "stop_loss": {"specific": [{"deductible": 50000, "premium_pepm": 120},
                               {"deductible": 100000, "premium_pepm": 60}],
                  "aggregate": [{"attachment_factor": 1.25, "premium_pepm": 10}]},
}


def test_exact_and_both_methods(tmp_path):
    config = tmp_path / "tiny.json"
    config.write_text(json.dumps(TINY))
    for method in ("exact", "both"):
        cli("run", config, "--method", method, "--out", tmp_path / method, "--quiet")
        want = json.loads((tmp_path / method / "tiny" / "results.json").read_text())
        r = stoploss.run(TINY, method=method)
        assert without_timing(r.to_dict()) == without_timing(want)
        with pytest.raises(ValueError, match="method=\"simulate\" only"):
            r.trial_costs(r.labels[0])
    assert all(c["exact"] is not None for c in r.to_dict()["candidates"])


def test_warnings_and_repr():
    r = stoploss.run(CONFIGS / "small-100.json", trials=300)
    assert any("only 300 trials" in w for w in r.warnings)
    assert "small-100" in repr(r) and "300 trials" in repr(r)


def test_progress_callback_and_bar(capsys):
    seen = []
    stoploss.run(CONFIGS / "mid-500.json", trials=20_000, progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (20_000, 20_000)
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:]))
    stoploss.run(CONFIGS / "small-100.json", trials=3000, progress=True)
    err = capsys.readouterr().err
    assert "3,000" in err or "3000" in err


def test_interrupt_from_the_progress_callback_stops_promptly():
    calls = []

    def stop(done, total):
        calls.append(done)
        if done > 0:
            raise KeyboardInterrupt

    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        # About a billion member-years: minutes, were it not stopped.
        stoploss.run(CONFIGS / "mid-500.json", trials=1_000_000, progress=stop)
    assert time.monotonic() - start < 15
    # The package still works afterwards.
    assert stoploss.run(CONFIGS / "small-100.json", trials=500).to_dict()["meta"]["trials"] == 500


def test_ctrl_c_raises_keyboard_interrupt():
    script = textwrap.dedent(f"""
        import sys, time, stoploss
        print("started", flush=True)
        start = time.monotonic()
        try:
            stoploss.run({str(CONFIGS / "mid-500.json")!r}, trials=1_000_000)
        except KeyboardInterrupt:
            print(f"interrupted after {{time.monotonic() - start:.1f}} s", flush=True)
            sys.exit(42)
        sys.exit(0)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "started"
    time.sleep(1.5)
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    out, _ = child.communicate(timeout=30)
    assert child.returncode == 42, out
    assert "interrupted after" in out
    assert time.monotonic() - sent < 10
