//! `stoploss fit` and `stoploss fit-lag` on the command line: the issue's
//! worked case (alpha = 12 / sum ln(x/150k) = 1.611390), the shipped
//! example listing, component.json loading as a config component, and bad
//! listings failing with line-and-column errors and no output files.

use crate::util::{s, stderr_of};
use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const WORKED: [u32; 12] = [162, 171, 185, 198, 214, 236, 259, 288, 331, 402, 517, 846];

fn bin() -> Command {
    Command::cargo_bin("stoploss").unwrap()
}

fn worked_listing(dir: &Path) -> std::path::PathBuf {
    let mut text = String::from("claimant_id,amount\n");
    for (i, k) in WORKED.iter().enumerate() {
        text.push_str(&format!("c{i},{}\n", k * 1000));
    }
    let p = dir.join("worked.csv");
    std::fs::write(&p, text).unwrap();
    p
}

fn read(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn worked_case_gives_alpha_1_611390() {
    let tmp = tempfile::tempdir().unwrap();
    let listing = worked_listing(tmp.path());
    let out = tmp.path().join("fit");
    bin()
        .args([
            "fit",
            s(&listing),
            "--threshold",
            "150000",
            "--out",
            s(&out),
        ])
        .assert()
        .success();
    let fit = read(&out.join("fit.json"));
    assert_eq!(fit["n"], 12);
    let models = fit["models"].as_array().unwrap();
    let families: Vec<&str> = models
        .iter()
        .map(|m| m["family"].as_str().unwrap())
        .collect();
    for f in ["pareto", "gpd", "lognormal", "gamma", "weibull"] {
        assert!(families.contains(&f), "{families:?}");
    }
    let pareto = models.iter().find(|m| m["family"] == "pareto").unwrap();
    let alpha = pareto["parameters"]["alpha"].as_f64().unwrap();
    assert!((alpha - 1.611390).abs() < 5e-7, "{alpha}");
    // Every fit's expected excess over $250k is there, and the acceptable
    // fits price it far apart (the model-risk point).
    let ratio = fit["model_risk"]["by_deductible"]["250000"]["ratio"]
        .as_f64()
        .unwrap();
    assert!(ratio > 1.5, "{ratio}");
    // component.json is a claim component the config loads.
    let component = read(&out.join("component.json"));
    let tail = &component["severity"]["spliced"];
    assert_eq!(tail["tail_alpha"].as_f64().unwrap(), alpha);
    let config = serde_json::json!({
        "name": "fitted", "trials": 2000,
        "population": {"classes": [{"name": "all", "employees": 100, "members": 210, "claims": [component]}]},
        "stop_loss": {"specific": [{"deductible": 250000, "premium_pepm": 20}]}
    });
    crate::util::study(&config.to_string(), tmp.path());
    let html = std::fs::read_to_string(out.join("fit.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("Model risk"));
}

#[test]
fn shipped_example_listing_fits() {
    let tmp = tempfile::tempdir().unwrap();
    let listing = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/claimants-example.csv");
    let out = tmp.path().join("fit");
    bin()
        .args([
            "fit",
            s(&listing),
            "--threshold",
            "100000",
            "--trend",
            "0.07",
            "--to-year",
            "2026",
        ])
        .args([
            "--open-factor",
            "1.15",
            "--members",
            "1050",
            "--buhlmann-k",
            "20000",
            "--out",
            s(&out),
        ])
        .assert()
        .success();
    let fit = read(&out.join("fit.json"));
    assert_eq!(fit["censored"], 1);
    let r = fit["reference_threshold"].as_f64().unwrap();
    assert!((r - 100000.0 * 1.07f64.powi(4)).abs() < 1e-6, "{r}");
    let cred = fit["credibility"].as_array().unwrap();
    assert!(cred
        .iter()
        .all(|c| c["z_limited_fluctuation"].as_f64().unwrap() < 0.2));
    assert!(cred[0]["z_buhlmann"].as_f64().unwrap() > 0.0);
    let component = read(&out.join("component.json"));
    let p = component["severity"]["spliced"]["tail_probability"]
        .as_f64()
        .unwrap();
    assert!(p > 0.0 && p < 0.05, "{p}");
}

#[test]
fn bad_listings_name_line_and_column_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "claimant_id,amount\na,200000\nb,$300000\n",
            "line 3, column 2 (amount)",
        ),
        (
            "claimant_id,amount,status\na,200000,pending\n",
            "line 2, column 3 (status)",
        ),
        (
            "claimant_id,amount,year\na,200000,20x4\n",
            "line 2, column 3 (year)",
        ),
        (
            "claimant_id,amount,censored_at\na,200000,150000\n",
            "line 2, column 2 (amount)",
        ),
        ("claimant_id,amont\n", "line 1, column 2"),
        ("claimant_id,amount\na,200000\nb,300000,7\n", "line 3"),
        ("claimant_id,amount\n", "no claimants"),
        ("claimant_id,amount\na,200000\n", "at least 2 uncensored"),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let listing = tmp.path().join(format!("bad{i}.csv"));
        std::fs::write(&listing, text).unwrap();
        let out = tmp.path().join(format!("out{i}"));
        let o = bin()
            .args([
                "fit",
                s(&listing),
                "--threshold",
                "150000",
                "--out",
                s(&out),
            ])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{text}");
        let err = stderr_of(&o);
        assert!(err.contains(want), "{text}: {err}");
        assert!(!out.exists(), "{text}: an output folder was left");
    }
}

#[test]
fn fit_lag_writes_the_timing_spelling() {
    let tmp = tempfile::tempdir().unwrap();
    let tri = tmp.path().join("t.csv");
    std::fs::write(
        &tri,
        "month,0,1,2\n2025-01,60,30,10\n2025-02,70,35,\n2025-03,80,,\n",
    )
    .unwrap();
    let out = tmp.path().join("lag");
    bin()
        .args(["fit-lag", s(&tri), "--out", s(&out)])
        .assert()
        .success();
    let lag = read(&out.join("lag.json"));
    let pmf: Vec<f64> = lag["lag"]["pmf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(lag.as_object().unwrap().len(), 1);
    assert!(
        (pmf[0] - 0.6).abs() < 1e-12 && (pmf[1] - 0.3).abs() < 1e-12,
        "{pmf:?}"
    );
    let report = read(&out.join("lag-report.json"));
    assert!(
        (report["total_ibnr"].as_f64().unwrap() - (105.0 / 0.9 - 105.0 + 80.0 / 0.6 - 80.0)).abs()
            < 1e-9
    );
    std::fs::write(&tri, "month,0,1,2\na,1,,3\n").unwrap();
    let o = bin()
        .args(["fit-lag", s(&tri), "--out", s(&tmp.path().join("bad"))])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr_of(&o).contains("line 2, column 4"),
        "{}",
        stderr_of(&o)
    );
}

#[test]
fn severity_alternatives_rerun_on_the_same_seed() {
    let tmp = tempfile::tempdir().unwrap();
    let listing = worked_listing(tmp.path());
    let fit = tmp.path().join("fit");
    bin()
        .args([
            "fit",
            s(&listing),
            "--threshold",
            "150000",
            "--out",
            s(&fit),
        ])
        .assert()
        .success();
    let out = tmp.path().join("runs");
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/mid-500.json");
    bin()
        .args([
            "run",
            s(&config),
            "--trials",
            "2000",
            "--quiet",
            "--out",
            s(&out),
        ])
        .args(["--severity-alternatives", s(&fit.join("fit.json"))])
        .assert()
        .success();
    let alt = read(&out.join("mid-500/alternatives.json"));
    let runs = alt["runs"].as_array().unwrap();
    let tails: Vec<&str> = runs.iter().map(|r| r["tail"].as_str().unwrap()).collect();
    assert_eq!(tails, ["as configured", "pareto", "gpd"]);
    assert_eq!(alt["skipped"].as_array().unwrap().len(), 3);
    // Common random numbers: a candidate whose cost does not depend on the
    // tail above its deductible (spec $100k, no aggregate: the employer
    // keeps min(S, 100k) per member) costs the same under every tail.
    let cost = |r: &Value| {
        r["employer_cost"]["spec $100k / no aggregate"]["mean"]
            .as_f64()
            .unwrap()
    };
    // Equal up to rounding: retained claims are gross less reimbursement,
    // and the gross holds the tail's amounts.
    let same = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs();
    assert!(
        same(cost(&runs[0]), cost(&runs[1])),
        "{} {}",
        cost(&runs[0]),
        cost(&runs[1])
    );
    assert!(
        same(cost(&runs[0]), cost(&runs[2])),
        "{} {}",
        cost(&runs[0]),
        cost(&runs[2])
    );
    // The tail moves the $250k specific's cost.
    let top = |r: &Value| {
        r["employer_cost"]["spec $250k / no aggregate"]["mean"]
            .as_f64()
            .unwrap()
    };
    assert_ne!(top(&runs[1]), top(&runs[2]));
}

mod never_panics {
    use proptest::prelude::*;
    use stoploss::fit::{self, lag, listing};

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// Arbitrary bytes are a listing or an error, never a panic.
        #[test]
        fn listing_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut text = b"claimant_id,amount,year,status,censored_at\n".to_vec();
            text.extend(bytes);
            let _ = listing::parse_listing(&text, "fuzz.csv");
            let _ = lag::parse_triangle(&text, "fuzz.csv");
        }
    }

    proptest! {
        // Each case fits five families and bootstraps the GPD (200 refits).
        #![proptest_config(ProptestConfig { cases: 25, ..ProptestConfig::default() })]

        /// Any positive amounts above the threshold fit without a panic, and
        /// every reported statistic is finite.
        #[test]
        fn any_amounts_fit(
            amounts in proptest::collection::vec(1.0001f64..1e4, 2..30),
            capped in proptest::collection::vec(any::<bool>(), 30),
        ) {
            let mut text = String::from("claimant_id,amount,censored_at\n");
            for (i, a) in amounts.iter().enumerate() {
                let x = 100_000.0 * a;
                let cap = if capped[i] && i > 1 { format!("{x}") } else { String::new() };
                text.push_str(&format!("c{i},{x},{cap}\n"));
            }
            let rows = listing::parse_listing(text.as_bytes(), "f.csv").unwrap();
            let prep = listing::Preparation {
                threshold: 100_000.0, trend: 0.0, to_year: None, months: 0.0,
                open_factor: 1.0, limit: None,
            };
            if let Ok(p) = listing::prepare(&rows, &prep, "f.csv") {
                let r = fit::fit_all(&p, &prep, &[150_000.0, 1e6], 1);
                for m in &r.models {
                    prop_assert!(m.log_likelihood.is_finite(), "{}", m.family);
                    prop_assert!(m.ks.is_finite() && m.ad.is_finite(), "{}", m.family);
                }
                let _ = stoploss::report::fit_html(&r, &p.observations);
            }
        }
    }
}

#[test]
fn to_month_trends_from_each_years_midpoint() {
    // --to-month 2027-01 is six months past --to-year 2026 (1 July 2026):
    // the lognormal's mu moves by exactly 0.5 ln(1.07) and the threshold
    // carries (1.07)^0.5 more trend; a month that is not YYYY-MM is refused.
    let tmp = tempfile::tempdir().unwrap();
    let listing = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/claimants-example.csv");
    let fit = |when: &[&str], name: &str| {
        let out = tmp.path().join(name);
        bin()
            .args([
                "fit",
                s(&listing),
                "--threshold",
                "100000",
                "--trend",
                "0.07",
            ])
            .args(when)
            .args(["--out", s(&out)])
            .assert()
            .success();
        read(&out.join("fit.json"))
    };
    let year = fit(&["--to-year", "2026"], "year");
    let month = fit(&["--to-month", "2027-01"], "month");
    let mu = |f: &Value| {
        f["models"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["family"] == "lognormal")
            .unwrap()["parameters"]["mu"]
            .as_f64()
            .unwrap()
    };
    assert!((mu(&month) - mu(&year) - 0.5 * 1.07f64.ln()).abs() < 1e-6);
    let r = |f: &Value| f["reference_threshold"].as_f64().unwrap();
    assert!((r(&month) / r(&year) - 1.07f64.sqrt()).abs() < 1e-12);
    let bad = bin()
        .args([
            "fit",
            s(&listing),
            "--threshold",
            "100000",
            "--to-month",
            "2026-13",
        ])
        .args(["--out", s(&tmp.path().join("bad"))])
        .assert()
        .failure();
    assert!(stderr_of(bad.get_output()).contains("YYYY-MM"));
}
