//! End-to-end tests of the `stoploss` command line: `run`, `validate` and
//! `init`, their outputs, exit codes and error messages.
//!
//! Every test keeps trials small (2,000 or fewer) so the file runs in a few
//! seconds in release mode.

use crate::util::{configs_dir, s, stderr_of, stdout_of};

use assert_cmd::Command;
use serde_json::{json, Value};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// The shipped example configs.
const SHIPPED: [&str; 5] = [
    "small-100",
    "mid-500",
    "census-5000",
    "timing-400",
    "renewal-200",
];

/// Columns of `summary.csv`, in order.
const CSV_COLUMNS: [&str; 29] = [
    "label",
    "specific_deductible",
    "aggregate_attachment",
    "mean_cost",
    "mean_cost_se",
    "sd_cost",
    "p50",
    "p75",
    "p90",
    "p95",
    "p99",
    "p99_5",
    "tvar_p90",
    "tvar_p95",
    "tvar_p99",
    "max_cost",
    "retained_claims",
    "specific_reimbursement",
    "aggregate_reimbursement",
    "premium",
    "fees",
    "prob_aggregate_attaches",
    "expected_specific_claimants",
    "max_liability",
    "prob_exceeds_budget",
    "prob_exceeds_fully_insured",
    "gross_claims",
    "mean_difference_vs_baseline",
    "mean_difference_se",
];

fn stoploss() -> Command {
    Command::cargo_bin("stoploss").expect("the stoploss binary is built")
}

/// Runs `stoploss ARGS` in `cwd` (when given) with extra environment
/// variables, checks that nothing panicked and that the exit code is `code`.
fn exec_in(cwd: Option<&Path>, env: &[(&str, &str)], args: &[&str], code: i32) -> Output {
    let mut cmd = stoploss();
    cmd.args(args).env_remove("RAYON_NUM_THREADS");
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("stoploss runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stdout.contains("panicked"),
        "stoploss {args:?} panicked:\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    assert_eq!(
        out.status.code(),
        Some(code),
        "stoploss {args:?}: unexpected exit status\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    out
}

fn exec(args: &[&str], code: i32) -> Output {
    exec_in(None, &[], args, code)
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, contents).expect("write test file");
    path
}

fn write_json(dir: &Path, name: &str, config: &Value) -> PathBuf {
    write(
        dir,
        name,
        serde_json::to_string_pretty(config).expect("serialize config"),
    )
}

fn read_json(path: &Path) -> Value {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// results.json without its `meta` object, as text.
fn without_meta(path: &Path) -> String {
    let mut v = read_json(path);
    v.as_object_mut()
        .expect("results.json is an object")
        .remove("meta")
        .expect("results.json has meta");
    serde_json::to_string(&v).expect("serialize")
}

/// Entries of `dir` whose names start with '.' (staging leftovers).
fn hidden_entries(dir: &Path) -> Vec<String> {
    match fs::read_dir(dir) {
        Err(_) => Vec::new(),
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect(),
    }
}

fn assert_no_hidden(dir: &Path) {
    let hidden = hidden_entries(dir);
    assert!(
        hidden.is_empty(),
        "staging leftovers in {}: {hidden:?}",
        dir.display()
    );
}

/// A small valid config without a census: two tiers, one specific and one
/// aggregate option (so two candidates).
fn base(name: &str) -> Value {
    json!({
        "name": name,
        "seed": 7,
        "trials": 2000,
        "population": {
            "classes": [
                {"name": "employees", "employees": {"single": 6, "family": 4}, "members": 10,
                 "claims": [
                    {"name": "medical",
                     "frequency": {"poisson": {"mean": 1.0}},
                     "severity": {"lognormal": {"mean": 6000, "cv": 3.0}}}]},
                {"name": "dependents", "employees": 0, "members": 8,
                 "claims": [
                    {"name": "medical",
                     "frequency": {"poisson": {"mean": 0.8}},
                     "severity": {"gamma": {"mean": 3000, "cv": 2.0}}}]}
            ]
        },
        "stop_loss": {
            "specific": [
                {"deductible": 50000, "premium_pepm": {"single": 60, "family": 140}}
            ],
            "aggregate": [
                {"attachment_factor": 1.25, "premium_pepm": 5}
            ]
        }
    })
}

/// Runs `config` with `--trials 2000` into `out` and returns the parsed
/// results.json.
fn run_config(config: &Path, out: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["run", s(config), "--out", s(out), "--trials", "2000"];
    args.extend_from_slice(extra);
    exec(&args, 0);
    let name = read_json(config)["name"].as_str().unwrap().to_string();
    read_json(&out.join(name).join("results.json"))
}

// ---------------------------------------------------------------------------
// Shipped configs
// ---------------------------------------------------------------------------

fn check_shipped_run(name: &str) {
    let tmp = TempDir::new().unwrap();
    let out_dir = tmp.path().join("out");
    let config = format!("{name}.json");
    // Run in place so relative census paths resolve beside the config.
    let out = exec_in(
        Some(&configs_dir()),
        &[],
        &["run", &config, "--out", s(&out_dir), "--trials", "2000"],
        0,
    );
    let stdout = stdout_of(&out);
    assert!(
        stdout.contains(name),
        "stdout does not show the study name:\n{stdout}"
    );
    let dir = out_dir.join(name);
    let results = read_json(&dir.join("results.json"));
    assert_eq!(results["name"], name);
    assert_eq!(results["meta"]["trials"], 2000);
    let candidates = results["candidates"].as_array().unwrap();
    assert!(!candidates.is_empty());
    for c in candidates {
        let label = c["label"].as_str().unwrap();
        assert!(
            stdout.contains(label),
            "the table lacks candidate `{label}`:\n{stdout}"
        );
        let mean = c["employer_cost"]["mean"].as_f64().unwrap();
        assert!(mean.is_finite() && mean > 0.0, "{label}: mean cost {mean}");
    }
    let csv = fs::read_to_string(dir.join("summary.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + candidates.len());
    assert_no_hidden(&out_dir);
}

#[test]
fn runs_shipped_small_config() {
    check_shipped_run("small-100");
}

#[test]
fn runs_shipped_mid_config() {
    check_shipped_run("mid-500");
}

#[test]
fn runs_shipped_census_config_in_place() {
    check_shipped_run("census-5000");
    // The census population comes from the CSV beside the config.
    let tmp = TempDir::new().unwrap();
    let out_dir = tmp.path().join("out");
    let results = run_config(
        &configs_dir().join("census-5000.json"),
        &out_dir,
        &["--quiet"],
    );
    assert_eq!(results["population"]["members"], 5000);
}

#[test]
fn validates_the_shipped_configs_folder() {
    let out = exec(&["validate", s(&configs_dir())], 0);
    let stdout = stdout_of(&out);
    for name in SHIPPED {
        assert!(
            stdout.contains(&format!("({name})")) && stdout.contains("ok: "),
            "validate did not report `{name}` ok:\n{stdout}"
        );
    }
    assert_eq!(stdout.matches("ok: ").count(), SHIPPED.len());
}

// ---------------------------------------------------------------------------
// results.json and summary.csv
// ---------------------------------------------------------------------------

fn assert_keys(v: &Value, what: &str, keys: &[&str]) {
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("{what} is not an object: {v}"));
    for k in keys {
        assert!(obj.contains_key(*k), "{what} lacks `{k}`: {v}");
    }
}

fn assert_estimate(v: &Value, what: &str) {
    assert_keys(v, what, &["mean", "se"]);
    assert!(v["mean"].is_number(), "{what}.mean: {v}");
    let se = v["se"].as_f64().unwrap_or_else(|| panic!("{what}.se: {v}"));
    assert!(se >= 0.0, "{what}.se is negative: {v}");
}

#[test]
fn results_json_has_the_documented_fields() {
    let tmp = TempDir::new().unwrap();
    let results = run_config(
        &configs_dir().join("small-100.json"),
        &tmp.path().join("out"),
        &["--quiet"],
    );

    assert_keys(
        &results,
        "results.json",
        &[
            "schema_version",
            "name",
            "meta",
            "population",
            "specific_options",
            "candidates",
            "warnings",
        ],
    );
    assert_eq!(results["schema_version"], 1);
    assert_eq!(results["name"], "small-100");
    assert!(results["warnings"].is_array());
    assert!(!results["specific_options"].as_array().unwrap().is_empty());
    assert!(results["population"].is_object());

    let meta = &results["meta"];
    assert_keys(
        meta,
        "meta",
        &[
            "seed",
            "trials",
            "version",
            "threads",
            "elapsed_seconds",
            "member_years_per_second",
            "rng",
            "block_trials",
            "target_se",
        ],
    );
    assert!(meta["target_se"].is_null(), "no --target-se: {meta}");
    assert_eq!(meta["seed"], 20250101);
    assert_eq!(meta["trials"], 2000);
    assert_eq!(meta["version"], env!("CARGO_PKG_VERSION"));
    assert!(meta["threads"].as_u64().unwrap() >= 1);
    assert!(meta["rng"].is_string());
    assert!(meta["block_trials"].as_u64().unwrap() >= 1);
    assert!(meta["elapsed_seconds"].as_f64().unwrap() >= 0.0);

    let candidates = results["candidates"].as_array().unwrap();
    // 4 specific options x (no aggregate + 2 aggregate options).
    assert_eq!(candidates.len(), 12);
    let mut with_agg = 0;
    for c in candidates {
        let label = c["label"].as_str().expect("label is a string").to_string();
        assert_keys(
            c,
            &label,
            &[
                "specific_deductible",
                "aggregate_attachment",
                "label",
                "employer_cost",
                "gross_claims",
                "retained_claims",
                "specific_reimbursement",
                "aggregate_reimbursement",
                "premium",
                "fees",
                "prob_aggregate_attaches",
                "expected_specific_claimants",
                "max_liability",
                "prob_exceeds_budget",
                "prob_exceeds_fully_insured",
                "exceedance_curve",
                "vs_baseline",
            ],
        );
        assert!(c["specific_deductible"].as_f64().unwrap() > 0.0);
        let d = &c["vs_baseline"];
        assert_keys(d, "vs_baseline", &["baseline", "mean_difference", "se"]);
        // The baseline defaults to the first candidate.
        assert_eq!(d["baseline"], candidates[0]["label"]);
        let diff = c["employer_cost"]["mean"].as_f64().unwrap()
            - candidates[0]["employer_cost"]["mean"].as_f64().unwrap();
        assert!(
            (d["mean_difference"].as_f64().unwrap() - diff).abs() <= 1e-6,
            "{label}: vs_baseline {d} vs the difference of means {diff}"
        );
        if label == candidates[0]["label"] {
            assert_eq!(d["mean_difference"], 0.0);
            assert_eq!(d["se"], 0.0);
        } else {
            assert!(d["se"].as_f64().unwrap() > 0.0, "{label}: {d}");
        }

        let cost = &c["employer_cost"];
        assert_keys(
            cost,
            "employer_cost",
            &[
                "mean",
                "se",
                "sd",
                "percentiles",
                "percentiles_ci95",
                "tvar",
                "tvar_se",
                "max",
            ],
        );
        let levels = ["p50", "p75", "p90", "p95", "p99", "p99_5"];
        assert_keys(&cost["percentiles"], "percentiles", &levels);
        assert_keys(&cost["percentiles_ci95"], "percentiles_ci95", &levels);
        assert_keys(&cost["tvar"], "tvar", &["p90", "p95", "p99"]);
        assert_keys(&cost["tvar_se"], "tvar_se", &["p90", "p95", "p99"]);
        let mut prev = f64::NEG_INFINITY;
        for l in levels {
            let q = cost["percentiles"][l].as_f64().unwrap();
            assert!(q >= prev, "{label}: percentiles not increasing at {l}");
            prev = q;
        }
        assert!(cost["max"].as_f64().unwrap() >= prev);
        assert!(cost["se"].as_f64().unwrap() > 0.0);
        assert!(cost["sd"].as_f64().unwrap() > 0.0);

        for k in [
            "gross_claims",
            "retained_claims",
            "specific_reimbursement",
            "aggregate_reimbursement",
            "premium",
            "fees",
            "expected_specific_claimants",
        ] {
            assert_estimate(&c[k], &format!("{label}: {k}"));
        }
        // small-100 gives a budget and a fully insured premium.
        assert_estimate(&c["prob_exceeds_budget"], "prob_exceeds_budget");
        assert_estimate(
            &c["prob_exceeds_fully_insured"],
            "prob_exceeds_fully_insured",
        );

        if c["aggregate_attachment"].is_null() {
            assert!(
                c["prob_aggregate_attaches"].is_null(),
                "{label}: no aggregate but prob_aggregate_attaches is set"
            );
        } else {
            with_agg += 1;
            assert!(c["aggregate_attachment"].as_f64().unwrap() > 0.0);
            assert_estimate(&c["prob_aggregate_attaches"], "prob_aggregate_attaches");
        }

        let curve = c["exceedance_curve"].as_array().unwrap();
        assert!(!curve.is_empty(), "{label}: empty exceedance curve");
        for p in curve {
            assert_keys(p, "exceedance point", &["cost", "prob"]);
            let prob = p["prob"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&prob));
        }
    }
    assert_eq!(with_agg, 8);
}

#[test]
fn results_without_budget_have_null_probabilities() {
    let tmp = TempDir::new().unwrap();
    let cfg = write_json(tmp.path(), "b.json", &base("nobudget"));
    let results = run_config(&cfg, &tmp.path().join("out"), &["--quiet"]);
    for c in results["candidates"].as_array().unwrap() {
        assert!(c["prob_exceeds_budget"].is_null());
        assert!(c["prob_exceeds_fully_insured"].is_null());
    }
}

#[test]
fn summary_csv_has_header_and_one_row_per_candidate() {
    let tmp = TempDir::new().unwrap();
    let out_dir = tmp.path().join("out");
    let results = run_config(&configs_dir().join("mid-500.json"), &out_dir, &["--quiet"]);
    let labels: Vec<&str> = results["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels.len(), 12);

    let mut reader = csv::Reader::from_path(out_dir.join("mid-500").join("summary.csv")).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header, CSV_COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), labels.len());
    for (row, (label, c)) in rows
        .iter()
        .zip(labels.iter().zip(results["candidates"].as_array().unwrap()))
    {
        assert_eq!(row.len(), CSV_COLUMNS.len());
        assert_eq!(&row[0], *label);
        let mean: f64 = row[3].parse().unwrap();
        let json_mean = c["employer_cost"]["mean"].as_f64().unwrap();
        assert!(
            (mean - json_mean).abs() <= 1e-9 * json_mean.abs().max(1.0),
            "{label}: csv mean {mean} vs json {json_mean}"
        );
        // Absent values are empty cells.
        assert_eq!(
            row[2].is_empty(),
            c["aggregate_attachment"].is_null(),
            "{label}: aggregate_attachment cell"
        );
        // The paired difference from the baseline, last (the JSON reader
        // may be a unit in the last place off).
        for (column, key) in [
            ("mean_difference_vs_baseline", "mean_difference"),
            ("mean_difference_se", "se"),
        ] {
            let i = CSV_COLUMNS.iter().position(|c| *c == column).unwrap();
            let cell: f64 = row[i].parse().unwrap();
            let json = c["vs_baseline"][key].as_f64().unwrap();
            assert!(
                (cell - json).abs() <= 1e-9 * json.abs().max(1.0),
                "{label}: csv {column} {cell} vs json {json}"
            );
        }
    }
}

#[test]
fn quiet_prints_nothing_on_stdout() {
    let tmp = TempDir::new().unwrap();
    let cfg = write_json(tmp.path(), "q.json", &base("quiet"));
    let out = exec(
        &[
            "run",
            s(&cfg),
            "--out",
            s(&tmp.path().join("out")),
            "--quiet",
        ],
        0,
    );
    assert!(out.stdout.is_empty(), "stdout: {}", stdout_of(&out));
    assert!(tmp.path().join("out/quiet/results.json").is_file());
    assert!(tmp.path().join("out/quiet/summary.csv").is_file());
}

// ---------------------------------------------------------------------------
// Determinism and seeds
// ---------------------------------------------------------------------------

fn run_with(config: &Path, out: &Path, env: &[(&str, &str)], extra: &[&str]) {
    let mut args = vec![
        "run",
        s(config),
        "--out",
        s(out),
        "--trials",
        "2000",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    exec_in(None, env, &args, 0);
}

fn assert_same_results(a: &Path, b: &Path) {
    assert_eq!(
        without_meta(&a.join("results.json")),
        without_meta(&b.join("results.json")),
        "results.json differs (meta removed) between {} and {}",
        a.display(),
        b.display()
    );
    assert_eq!(
        fs::read(a.join("summary.csv")).unwrap(),
        fs::read(b.join("summary.csv")).unwrap(),
        "summary.csv differs between {} and {}",
        a.display(),
        b.display()
    );
}

#[test]
fn results_do_not_depend_on_rayon_num_threads() {
    let tmp = TempDir::new().unwrap();
    let cfg = configs_dir().join("small-100.json");
    let one = tmp.path().join("one");
    let two = tmp.path().join("two");
    run_with(&cfg, &one, &[("RAYON_NUM_THREADS", "1")], &[]);
    run_with(&cfg, &two, &[("RAYON_NUM_THREADS", "2")], &[]);
    assert_same_results(&one.join("small-100"), &two.join("small-100"));
    assert_eq!(
        read_json(&one.join("small-100/results.json"))["meta"]["threads"],
        1
    );
    assert_eq!(
        read_json(&two.join("small-100/results.json"))["meta"]["threads"],
        2
    );
}

#[test]
fn results_do_not_depend_on_threads_flag() {
    let tmp = TempDir::new().unwrap();
    // The census config exercises lasers, tiers and an ASD.
    let cfg = configs_dir().join("census-5000.json");
    let one = tmp.path().join("one");
    let many = tmp.path().join("many");
    run_with(&cfg, &one, &[], &["--threads", "1"]);
    run_with(&cfg, &many, &[], &["--threads", "3"]);
    assert_same_results(&one.join("census-5000"), &many.join("census-5000"));
    assert_eq!(
        read_json(&one.join("census-5000/results.json"))["meta"]["threads"],
        1
    );
    assert_eq!(
        read_json(&many.join("census-5000/results.json"))["meta"]["threads"],
        3
    );
}

#[test]
fn same_seed_repeats_and_seed_flag_changes_results() {
    let tmp = TempDir::new().unwrap();
    let cfg = write_json(tmp.path(), "seed.json", &base("seedy"));
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    let c = tmp.path().join("c");
    run_with(&cfg, &a, &[], &["--seed", "11"]);
    run_with(&cfg, &b, &[], &["--seed", "11"]);
    run_with(&cfg, &c, &[], &["--seed", "12"]);
    assert_same_results(&a.join("seedy"), &b.join("seedy"));

    let ra = read_json(&a.join("seedy/results.json"));
    let rc = read_json(&c.join("seedy/results.json"));
    assert_eq!(ra["meta"]["seed"], 11);
    assert_eq!(rc["meta"]["seed"], 12);
    assert_eq!(ra["meta"]["trials"], 2000);
    assert_ne!(
        ra["candidates"][0]["employer_cost"]["mean"], rc["candidates"][0]["employer_cost"]["mean"],
        "--seed did not change the simulated costs"
    );
    assert_ne!(
        fs::read(a.join("seedy/summary.csv")).unwrap(),
        fs::read(c.join("seedy/summary.csv")).unwrap()
    );
}

// ---------------------------------------------------------------------------
// Baselines and precision targets
// ---------------------------------------------------------------------------

#[test]
fn baseline_flag_and_config_choose_the_baseline() {
    let tmp = TempDir::new().unwrap();
    let mut config = base("based");
    config["stop_loss"]["baseline"] = json!("spec $50k / agg 125%");
    let cfg = write_json(tmp.path(), "b.json", &config);
    // From the config.
    let r = run_config(&cfg, &tmp.path().join("a"), &["--quiet"]);
    let c = r["candidates"].as_array().unwrap();
    assert_eq!(c.len(), 2);
    for x in c {
        assert_eq!(x["vs_baseline"]["baseline"], "spec $50k / agg 125%");
    }
    assert_eq!(c[1]["vs_baseline"]["se"], 0.0);
    let flipped = c[0]["vs_baseline"].clone();
    // The flag wins over the config.
    let r = run_config(
        &cfg,
        &tmp.path().join("b"),
        &["--quiet", "--baseline", "spec $50k / no aggregate"],
    );
    let c = r["candidates"].as_array().unwrap();
    assert_eq!(c[0]["vs_baseline"]["se"], 0.0);
    assert_eq!(c[1]["vs_baseline"]["baseline"], "spec $50k / no aggregate");
    assert_eq!(c[1]["vs_baseline"]["se"], flipped["se"]);
    let there = c[1]["vs_baseline"]["mean_difference"].as_f64().unwrap();
    let back = flipped["mean_difference"].as_f64().unwrap();
    assert!((there + back).abs() <= 1e-6, "{there} vs {back}");
    assert!(there.abs() > 0.0);
}

#[test]
fn unknown_baseline_flag_exits_1_and_lists_the_labels() {
    let tmp = TempDir::new().unwrap();
    let cfg = write_json(tmp.path(), "b.json", &base("nobase"));
    let out_dir = tmp.path().join("out");
    let out = exec(
        &[
            "run",
            s(&cfg),
            "--out",
            s(&out_dir),
            "--baseline",
            "spec $75k / no aggregate",
        ],
        1,
    );
    let err = stderr_of(&out);
    for f in [
        "b.json",
        "--baseline",
        "no candidate is labelled `spec $75k / no aggregate`",
        "`spec $50k / no aggregate`, `spec $50k / agg 125%`",
    ] {
        assert!(err.contains(f), "stderr lacks `{f}`:\n{err}");
    }
    assert!(!out_dir.join("nobase").exists());
}

/// Runs `config` with `extra` flags into `out` (quiet) and returns
/// results.json and stderr.
fn run_target(config: &Path, out: &Path, extra: &[&str]) -> (Value, String) {
    let mut args = vec!["run", s(config), "--out", s(out), "--quiet"];
    args.extend_from_slice(extra);
    let output = exec(&args, 0);
    let name = read_json(config)["name"].as_str().unwrap().to_string();
    (
        read_json(&out.join(name).join("results.json")),
        stderr_of(&output),
    )
}

#[test]
fn target_se_run_equals_a_plain_run_with_its_final_trials() {
    let tmp = TempDir::new().unwrap();
    let cfg = write_json(tmp.path(), "t.json", &base("target"));
    // The mean-cost se of 1,500 trials, halved.
    let (plain, _) = run_target(&cfg, &tmp.path().join("p"), &["--trials", "1500"]);
    let worst = plain["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["employer_cost"]["se"].as_f64().unwrap())
        .fold(0.0, f64::max);
    let goal = format!("{:.0}", worst / 2.0);
    let (r, err) = run_target(
        &cfg,
        &tmp.path().join("t"),
        &["--trials", "1500", "--target-se", &goal, "--threads", "3"],
    );
    let t = &r["meta"]["target_se"];
    assert_eq!(t["figure"], "mean");
    assert_eq!(t["relative"], false);
    assert_eq!(t["reached"], true, "{t}");
    assert_eq!(t["cap"], 15_000);
    let n = r["meta"]["trials"].as_u64().unwrap();
    assert_eq!(t["trials"], n);
    assert!(n > 4 * 1500 && n % 1024 == 0, "final trials {n}");
    let achieved = t["achieved"].as_f64().unwrap();
    assert!(achieved <= goal.parse::<f64>().unwrap(), "{t}");
    assert!(
        err.contains(&format!("target: target se reached after {n} trials")),
        "stderr: {err}"
    );
    // Identical to a plain run of n trials on another thread count.
    let n_text = n.to_string();
    run_target(
        &cfg,
        &tmp.path().join("n"),
        &["--trials", &n_text, "--threads", "1"],
    );
    assert_same_results(&tmp.path().join("t/target"), &tmp.path().join("n/target"));
}

#[test]
fn unreachable_target_se_stops_at_the_cap_and_says_so() {
    let tmp = TempDir::new().unwrap();
    let cfg = write_json(tmp.path(), "t.json", &base("capped"));
    let (r, err) = run_target(
        &cfg,
        &tmp.path().join("t"),
        &[
            "--trials",
            "1000",
            "--target-se",
            "0.001%",
            "--target-figure",
            "p95",
            "--max-trials",
            "3000",
        ],
    );
    let t = &r["meta"]["target_se"];
    assert_eq!(t["reached"], false);
    assert_eq!(t["relative"], true);
    assert_eq!(t["figure"], "p95");
    assert_eq!(t["trials"], 3000);
    assert_eq!(r["meta"]["trials"], 3000);
    assert!(t["achieved"].as_f64().unwrap() > t["target"].as_f64().unwrap());
    assert!(
        err.contains("capped: target se not reached at the cap of 3000 trials"),
        "stderr: {err}"
    );
    // The figure must apply to some candidate.
    let mut no_agg = base("noagg");
    no_agg["stop_loss"]["aggregate"] = json!([]);
    let cfg = write_json(tmp.path(), "n.json", &no_agg);
    let out = exec(
        &[
            "run",
            s(&cfg),
            "--out",
            s(&tmp.path().join("n")),
            "--target-se",
            "100",
            "--target-figure",
            "aggregate_reimbursement",
        ],
        1,
    );
    assert!(
        stderr_of(&out).contains("no candidate has an aggregate"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn bad_target_se_flags() {
    let cfg = configs_dir().join("small-100.json");
    let cfg = s(&cfg);
    for bad in ["abc", "-5", "0", "0%", "-1%", "inf", ""] {
        let out = exec(&["run", cfg, "--target-se", bad], 2);
        let err = stderr_of(&out);
        assert!(
            err.contains("--target-se") && err.contains("positive number of dollars"),
            "--target-se {bad:?}: {err}"
        );
    }
    let out = exec(
        &["run", cfg, "--target-se", "100", "--target-figure", "p90"],
        2,
    );
    let err = stderr_of(&out);
    assert!(
        err.contains("p95") && err.contains("tvar99") && err.contains("aggregate_reimbursement"),
        "{err}"
    );
    // --target-figure and --max-trials need --target-se.
    exec(&["run", cfg, "--target-figure", "p95"], 2);
    exec(&["run", cfg, "--max-trials", "5000"], 2);
    // Out of range or below the initial trials: exit 1, nothing run.
    let tmp = TempDir::new().unwrap();
    let out_dir = tmp.path().join("out");
    let out_s = s(&out_dir);
    let out = exec(
        &[
            "run",
            cfg,
            "--out",
            out_s,
            "--target-se",
            "100",
            "--max-trials",
            "0",
        ],
        1,
    );
    assert!(stderr_of(&out).contains("--max-trials must be between 1 and 100000000"));
    let out = exec(
        &[
            "run",
            cfg,
            "--out",
            out_s,
            "--trials",
            "2000",
            "--target-se",
            "100",
            "--max-trials",
            "1000",
        ],
        1,
    );
    assert!(stderr_of(&out).contains("--max-trials 1000 is below --trials 2000"));
    assert!(!out_dir.exists());
}

// ---------------------------------------------------------------------------
// Batches, folders, --force
// ---------------------------------------------------------------------------

#[test]
fn batch_with_one_invalid_config_runs_the_valid_one() {
    let tmp = TempDir::new().unwrap();
    let good = write_json(tmp.path(), "good.json", &base("good"));
    let mut bad_cfg = base("bad");
    bad_cfg["stop_loss"]["specific"][0]["deductible"] = json!(-1);
    let bad = write_json(tmp.path(), "bad.json", &bad_cfg);
    let out_dir = tmp.path().join("out");

    let out = exec(
        &[
            "run",
            s(&bad),
            s(&good),
            "--out",
            s(&out_dir),
            "--trials",
            "2000",
        ],
        1,
    );
    let stderr = stderr_of(&out);
    assert!(stderr.contains("bad.json"), "{stderr}");
    assert!(
        stderr.contains("stop_loss.specific[0].deductible"),
        "{stderr}"
    );
    assert!(!stderr.contains("good.json"), "{stderr}");
    assert!(out_dir.join("good/results.json").is_file());
    assert!(out_dir.join("good/summary.csv").is_file());
    assert!(!out_dir.join("bad").exists());
    assert_no_hidden(&out_dir);
    assert!(stdout_of(&out).contains("good"));
}

#[test]
fn batch_with_duplicate_names_fails_the_second() {
    let tmp = TempDir::new().unwrap();
    let first = write_json(tmp.path(), "first.json", &base("twin"));
    let second = write_json(tmp.path(), "second.json", &base("twin"));
    let out_dir = tmp.path().join("out");
    let out = exec(
        &[
            "run",
            s(&first),
            s(&second),
            "--out",
            s(&out_dir),
            "--quiet",
        ],
        1,
    );
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains("second.json") && stderr.contains("twin"),
        "{stderr}"
    );
    assert!(out_dir.join("twin/results.json").is_file());
    assert_no_hidden(&out_dir);
}

#[test]
fn folder_argument_runs_every_json_inside() {
    let tmp = TempDir::new().unwrap();
    let folder = tmp.path().join("studies");
    fs::create_dir(&folder).unwrap();
    write_json(&folder, "alpha.json", &base("alpha"));
    write_json(&folder, "beta.json", &base("beta"));
    write(&folder, "notes.txt", "not a config");
    let out_dir = tmp.path().join("out");

    exec(
        &[
            "run",
            s(&folder),
            "--out",
            s(&out_dir),
            "--trials",
            "2000",
            "--quiet",
        ],
        0,
    );
    for name in ["alpha", "beta"] {
        assert!(out_dir.join(name).join("results.json").is_file());
        assert!(out_dir.join(name).join("summary.csv").is_file());
    }
    let entries: Vec<_> = fs::read_dir(&out_dir).unwrap().collect();
    assert_eq!(entries.len(), 2);

    let out = exec(&["validate", s(&folder)], 0);
    assert_eq!(stdout_of(&out).matches("ok: ").count(), 2);
}

#[test]
fn folder_without_configs_is_an_error() {
    let tmp = TempDir::new().unwrap();
    let folder = tmp.path().join("empty");
    fs::create_dir(&folder).unwrap();
    let out = exec(&["run", s(&folder), "--out", s(&tmp.path().join("out"))], 1);
    assert!(stderr_of(&out).contains("no .json"), "{}", stderr_of(&out));
    exec(&["validate", s(&folder)], 1);
}

#[test]
fn missing_config_file_is_reported() {
    let tmp = TempDir::new().unwrap();
    let missing = tmp.path().join("nope.json");
    let out = exec(&["validate", s(&missing)], 1);
    assert!(stderr_of(&out).contains("nope.json"));
    let out_dir = tmp.path().join("out");
    exec(&["run", s(&missing), "--out", s(&out_dir)], 1);
    assert!(!out_dir.join("nope").exists());
}

#[test]
fn existing_output_needs_force() {
    let tmp = TempDir::new().unwrap();
    let cfg = write_json(tmp.path(), "f.json", &base("forced"));
    let out_dir = tmp.path().join("out");
    let target = out_dir.join("forced");
    let run = |extra: &[&str], code: i32| {
        let mut args = vec!["run", s(&cfg), "--out", s(&out_dir), "--quiet"];
        args.extend_from_slice(extra);
        exec(&args, code)
    };

    run(&["--seed", "1"], 0);
    let before = fs::read(target.join("results.json")).unwrap();
    let marker = write(&target, "marker.txt", "keep me");

    // Without --force: refused, old files untouched.
    let out = run(&["--seed", "2"], 1);
    let stderr = stderr_of(&out);
    assert!(stderr.contains("already exists"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(fs::read(target.join("results.json")).unwrap(), before);
    assert!(marker.is_file());
    assert_no_hidden(&out_dir);

    // An invalid config never touches the existing folder, even with --force.
    let mut bad = base("forced");
    bad["trials"] = json!(0);
    let bad_cfg = write_json(tmp.path(), "bad.json", &bad);
    exec(
        &[
            "run",
            s(&bad_cfg),
            "--out",
            s(&out_dir),
            "--force",
            "--quiet",
        ],
        1,
    );
    assert_eq!(fs::read(target.join("results.json")).unwrap(), before);
    assert!(marker.is_file());

    // With --force: replaced as a whole.
    run(&["--seed", "2", "--force"], 0);
    let after = read_json(&target.join("results.json"));
    assert_eq!(after["meta"]["seed"], 2);
    assert!(!marker.exists(), "--force kept a file of the old folder");
    assert!(target.join("summary.csv").is_file());
    assert_no_hidden(&out_dir);
    let entries: Vec<_> = fs::read_dir(&out_dir).unwrap().collect();
    assert_eq!(entries.len(), 1);
}

// ---------------------------------------------------------------------------
// validate
// ---------------------------------------------------------------------------

#[test]
fn validate_reports_ok_without_writing() {
    let tmp = TempDir::new().unwrap();
    // Priced aggregate: the base's flat $5 PEPM implies a loss ratio far
    // above 100% for this toy group, which validate rightly warns about.
    let mut config = base("valid-one");
    config["stop_loss"]["aggregate"][0] =
        json!({"attachment_factor": 1.25, "target_loss_ratio": 0.8});
    let cfg = write_json(tmp.path(), "v.json", &config);
    let out = exec_in(Some(tmp.path()), &[], &["validate", "v.json"], 0);
    let stdout = stdout_of(&out);
    assert!(stdout.starts_with("ok: "), "{stdout}");
    assert!(stdout.contains("valid-one"), "{stdout}");
    assert!(stderr_of(&out).is_empty(), "{}", stderr_of(&out));
    // Nothing but the config is in the folder.
    let entries: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(entries.len(), 1);
    assert!(cfg.is_file());
}

#[test]
fn validate_with_one_failing_config_exits_1() {
    let tmp = TempDir::new().unwrap();
    let good = write_json(tmp.path(), "good.json", &base("good"));
    let mut b = base("bad");
    b["trials"] = json!(0);
    let bad = write_json(tmp.path(), "bad.json", &b);
    let out = exec(&["validate", s(&good), s(&bad)], 1);
    let stdout = stdout_of(&out);
    let stderr = stderr_of(&out);
    assert!(
        stdout.contains("ok: ") && stdout.contains("good.json"),
        "{stdout}"
    );
    assert!(!stdout.contains("bad.json"), "{stdout}");
    assert!(
        stderr.contains("bad.json") && stderr.contains("trials"),
        "{stderr}"
    );
}

// ---------------------------------------------------------------------------
// init
// ---------------------------------------------------------------------------

fn check_init(example: &str, files: &[&str]) {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("new").join("study");
    let out = exec(&["init", s(&dir), "--example", example], 0);
    let stdout = stdout_of(&out);
    for f in files {
        let written = dir.join(f);
        assert!(written.is_file(), "init did not write {f}");
        assert_eq!(
            fs::read(&written).unwrap(),
            fs::read(configs_dir().join(f)).unwrap(),
            "{f} differs from the shipped file"
        );
        assert!(stdout.contains(f), "{stdout}");
    }
    let config = dir.join(files[0]);

    // The init'd config validates and runs where it was written.
    let out = exec(&["validate", s(&config)], 0);
    assert!(stdout_of(&out).contains("ok: "));
    let out_dir = tmp.path().join("out");
    exec(
        &[
            "run",
            s(&config),
            "--out",
            s(&out_dir),
            "--trials",
            "300",
            "--quiet",
        ],
        0,
    );

    // A second init refuses to overwrite and leaves the files alone.
    fs::write(&config, "{\"edited\": true}").unwrap();
    let out = exec(&["init", s(&dir), "--example", example], 1);
    assert!(
        stderr_of(&out).contains("already exists"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(fs::read_to_string(&config).unwrap(), "{\"edited\": true}");
}

#[test]
fn init_small_example() {
    check_init("small", &["small-100.json"]);
}

#[test]
fn init_mid_example() {
    check_init("mid", &["mid-500.json"]);
}

#[test]
fn init_census_example() {
    check_init("census", &["census-5000.json", "census-5000.csv"]);
}

#[test]
fn init_defaults_to_small_and_refuses_partial_overwrite() {
    let tmp = TempDir::new().unwrap();
    exec(&["init", s(tmp.path())], 0);
    assert!(tmp.path().join("small-100.json").is_file());

    // Only the census CSV exists: init refuses and writes nothing.
    let other = tmp.path().join("other");
    fs::create_dir(&other).unwrap();
    write(&other, "census-5000.csv", "mine");
    exec(&["init", s(&other), "--example", "census"], 1);
    assert!(!other.join("census-5000.json").exists());
    assert_eq!(
        fs::read_to_string(other.join("census-5000.csv")).unwrap(),
        "mine"
    );
}

// ---------------------------------------------------------------------------
// Usage errors (clap): exit code 2
// ---------------------------------------------------------------------------

#[test]
fn bad_flags_exit_2() {
    let cfg = configs_dir().join("small-100.json");
    let cfg = s(&cfg);
    exec(&["run"], 2);
    exec(&["run", cfg, "--threads", "many"], 2);
    exec(&["run", cfg, "--trials", "-5"], 2);
    exec(&["run", cfg, "--no-such-flag"], 2);
    exec(&["validate"], 2);
    exec(&["init", "somewhere", "--example", "huge"], 2);
    exec(&["frobnicate"], 2);
    exec(&[], 2);
}

#[test]
fn trials_flag_out_of_range_exits_1() {
    let tmp = TempDir::new().unwrap();
    let out_dir = tmp.path().join("out");
    let out = exec(
        &[
            "run",
            s(&configs_dir().join("small-100.json")),
            "--out",
            s(&out_dir),
            "--trials",
            "0",
        ],
        1,
    );
    assert!(stderr_of(&out).contains("--trials"));
    assert!(!out_dir.join("small-100").exists());
}

// ---------------------------------------------------------------------------
// Empirical severities from a file
// ---------------------------------------------------------------------------

/// A config whose only class claims once a year (Bernoulli p = 1) an amount
/// drawn from `amounts.txt` beside the config.
fn empirical_file_config() -> Value {
    let mut c = base("emp");
    c["population"]["classes"] = json!([
        {"name": "all", "employees": 10,
         "claims": [{"name": "medical",
                     "frequency": {"bernoulli": {"p": 1.0}},
                     "severity": {"empirical": {"file": "amounts.txt"}}}]}
    ]);
    c["stop_loss"] = json!({"specific": [{"deductible": 50000, "premium_pepm": 10}]});
    c
}

#[test]
fn empirical_severity_reads_a_file_with_header_and_comments() {
    let tmp = TempDir::new().unwrap();
    write(
        tmp.path(),
        "amounts.txt",
        "amount\r\n# observed 2024 claims\r\n1000\r\n\r\n2000\r\n3000\r\n",
    );
    let cfg = write_json(tmp.path(), "emp.json", &empirical_file_config());
    let r = run_config(&cfg, &tmp.path().join("out"), &[]);
    // 10 members, each one claim of 1000, 2000 or 3000 with equal weights:
    // E = 20,000 a year, sd = 10 * sqrt(2/3 * 1000^2 / 10) per year.
    let g = &r["population"]["expected_gross_claims"];
    assert!((g.as_f64().unwrap() - 20_000.0).abs() < 1e-6, "{g}");
    let sim = &r["population"]["simulated_gross_claims"];
    let (mean, se) = (sim["mean"].as_f64().unwrap(), sim["se"].as_f64().unwrap());
    let exact_se = (10.0 * 2.0 / 3.0 * 1e6_f64).sqrt() / 2000_f64.sqrt();
    assert!((mean - 20_000.0).abs() < 5.0 * exact_se, "mean {mean}");
    assert!((se / exact_se - 1.0).abs() < 0.1, "se {se} vs {exact_se}");
}

// ---------------------------------------------------------------------------
// --method exact and --method both
// ---------------------------------------------------------------------------

#[test]
fn method_exact_fills_results_json_with_error_bounds() {
    let tmp = TempDir::new().unwrap();
    let cfg = write_json(tmp.path(), "study.json", &base("ex"));
    let out = tmp.path().join("out");
    let stdout = stdout_of(&exec(
        &["run", s(&cfg), "--out", s(&out), "--method", "exact"],
        0,
    ));
    assert!(
        stdout.contains("exact engine") && stdout.contains("(bound)"),
        "{stdout}"
    );
    let r = read_json(&out.join("ex").join("results.json"));
    assert_eq!(r["meta"]["method"], "exact");
    assert_eq!(r["meta"]["trials"], 0);
    for c in r["candidates"].as_array().unwrap() {
        let e = &c["employer_cost"];
        let (mean, bound) = (e["mean"].as_f64().unwrap(), e["se"].as_f64().unwrap());
        assert!(mean > 0.0 && bound >= 0.0 && bound < 0.01 * mean, "{e}");
        let ci = &e["percentiles_ci95"]["p95"];
        let p95 = e["percentiles"]["p95"].as_f64().unwrap();
        assert!(ci["lo"].as_f64().unwrap() <= p95 && p95 <= ci["hi"].as_f64().unwrap());
        assert!(c.get("exact").is_none());
    }
}

#[test]
fn method_both_reports_z_scores_and_unsupported_candidates() {
    let tmp = TempDir::new().unwrap();
    let mut cfg = base("both");
    cfg["stop_loss"]["specific"] = json!([
        {"deductible": 50000, "premium_pepm": 60},
        {"deductible": 50000, "aggregating_deductible": 20000, "premium_pepm": 50}
    ]);
    let path = write_json(tmp.path(), "study.json", &cfg);
    let out = tmp.path().join("out");
    let stdout = stdout_of(&exec(
        &[
            "run",
            s(&path),
            "--out",
            s(&out),
            "--method",
            "both",
            "--trials",
            "4000",
        ],
        0,
    ));
    assert!(
        stdout.contains("max |z| vs exact") && stdout.contains("not exact"),
        "{stdout}"
    );
    let r = read_json(&out.join("both").join("results.json"));
    assert_eq!(r["meta"]["method"], "both");
    let mut supported = 0;
    for c in r["candidates"].as_array().unwrap() {
        let x = &c["exact"];
        if x["supported"].as_bool().unwrap() {
            supported += 1;
            let z = x["figures"]["employer_cost.mean"]["z"].as_f64().unwrap();
            assert!(z.abs() <= 4.0, "{x}");
            assert!(x["max_abs_z"].as_f64().unwrap() <= 4.0, "{x}");
        } else {
            assert!(x["reason"]
                .as_str()
                .unwrap()
                .contains("aggregating specific deductible"));
            assert!(c["label"].as_str().unwrap().contains("ASD"));
        }
    }
    assert_eq!(supported, 2);
}

#[test]
fn method_exact_refuses_what_it_cannot_represent() {
    let tmp = TempDir::new().unwrap();
    let mut cfg = base("asd");
    cfg["stop_loss"]["specific"][0]["aggregating_deductible"] = json!(20000);
    let path = write_json(tmp.path(), "study.json", &cfg);
    let out = tmp.path().join("out");
    let err = stderr_of(&exec(
        &["run", s(&path), "--out", s(&out), "--method", "exact"],
        1,
    ));
    assert!(
        err.contains("cannot represent") && err.contains("couples members"),
        "{err}"
    );
    assert!(!out.join("asd").exists());
    let err = stderr_of(&exec(
        &[
            "run",
            s(&path),
            "--out",
            s(&out),
            "--method",
            "exact",
            "--target-se",
            "100",
        ],
        1,
    ));
    assert!(
        err.contains("--target-se applies to the simulation"),
        "{err}"
    );
}
