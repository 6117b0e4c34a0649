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
    // fits price it far apart (the issue's model-risk point).
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
    // The run's own results and report carry the same runs.
    let results = read(&out.join("mid-500/results.json"));
    let typed = &results["severity_alternatives"]["runs"];
    for (i, run) in runs.iter().enumerate() {
        assert_eq!(typed[i]["tail"], run["tail"]);
        assert_eq!(typed[i]["recommended"], run["recommended"]);
        let c = typed[i]["employer_cost"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["label"] == "spec $250k / no aggregate")
            .unwrap();
        assert_eq!(c["cost"]["mean"].as_f64(), Some(top(run)));
    }
    let md = std::fs::read_to_string(out.join("mid-500/summary.md")).unwrap();
    assert!(md.contains("### Model risk: alternative tails"), "{md}");
    assert!(md.contains("Expected cost, gpd tail (se)"), "{md}");
    assert!(
        md.contains("The specific reimbursement moves most for"),
        "{md}"
    );
    bin()
        .args(["report", s(&out.join("mid-500"))])
        .assert()
        .success();
    let html = std::fs::read_to_string(out.join("mid-500/report.html")).unwrap();
    assert!(html.contains("id=\"model-risk\""));
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
                open_factor: 1.0, limit: None, full_listing: false,
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

/// `--full-listing` on the shipped full listing (configs/make_full_listing.py:
/// 1,200 claimants, lognormal(8.6, 1.6) below $150,000, a Pareto above):
/// the body's lognormal recovers the generator within 4 standard errors,
/// the tail probability is the share above the threshold (16 of 1,200), the
/// frequency is claimants per member, and component.json splices the two.
#[test]
fn full_listing_splices_the_fitted_body_onto_the_tail() {
    let tmp = tempfile::tempdir().unwrap();
    let listing = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/claimants-full-example.csv");
    let out = tmp.path().join("fit");
    bin()
        .args([
            "fit",
            s(&listing),
            "--threshold",
            "150000",
            "--full-listing",
        ])
        .args(["--members", "1500", "--out", s(&out)])
        .assert()
        .success();
    let fit = read(&out.join("fit.json"));
    let body = &fit["body"];
    assert_eq!(body["n"], 1184);
    assert_eq!(body["tail_probability"].as_f64().unwrap(), 16.0 / 1200.0);
    let ln = body["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["family"] == "lognormal")
        .unwrap();
    for (k, want) in [("mu", 8.6), ("sigma", 1.6)] {
        let got = ln["parameters"][k].as_f64().unwrap();
        let se = ln["se"][k].as_f64().unwrap();
        assert!((got - want).abs() < 4.0 * se, "{k} {got} se {se}");
    }
    let c = read(&out.join("component.json"));
    let spliced = &c["severity"]["spliced"];
    assert_eq!(spliced["body"]["lognormal"]["mu"], ln["parameters"]["mu"]);
    assert_eq!(spliced["tail_probability"], body["tail_probability"]);
    assert_eq!(c["frequency"]["bernoulli"]["p"].as_f64().unwrap(), 0.8);
    let html = std::fs::read_to_string(out.join("fit.html")).unwrap();
    assert!(html.contains("Body below the threshold"));

    // With the shipped manual rate: the layer below the specific has
    // experience (every claimant's amount capped at d) and a limited-
    // fluctuation Z on all 1,200 claimants with the CV of min(x, d).
    let out3 = tmp.path().join("fit3");
    let manual =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/manual/manual-rate-example.json");
    bin()
        .args([
            "fit",
            s(&listing),
            "--threshold",
            "150000",
            "--full-listing",
        ])
        .args([
            "--members",
            "1500",
            "--deductibles",
            "250000",
            "--manual",
            s(&manual),
        ])
        .args(["--out", s(&out3)])
        .assert()
        .success();
    let m = read(&out3.join("fit.json"))["manual"].clone();
    assert_eq!(m["members"], 1500);
    let l = &m["layers"][0];
    let text = std::fs::read_to_string(&listing).unwrap();
    let capped: Vec<f64> = text
        .lines()
        .skip(1)
        .map(|r| {
            r.split(',')
                .nth(1)
                .unwrap()
                .parse::<f64>()
                .unwrap()
                .min(250_000.0)
        })
        .collect();
    let n = capped.len() as f64;
    let below = capped.iter().sum::<f64>();
    let mean = below / n;
    let var = capped.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let z = (n / ((1.6448536269514722f64 / 0.05).powi(2) * (1.0 + var / (mean * mean)))).sqrt();
    assert!((l["experience_below"].as_f64().unwrap() / below - 1.0).abs() < 1e-12);
    assert!((l["z_below"].as_f64().unwrap() - z).abs() < 1e-9, "{l}");
    let manual_below = m["annual_below_specific"].as_f64().unwrap();
    let blended = z * below + (1.0 - z) * manual_below;
    assert!((l["blended_below"].as_f64().unwrap() / blended - 1.0).abs() < 1e-12);

    // The body is fitted, so it cannot also be given.
    let out2 = tmp.path().join("fit2");
    bin()
        .args([
            "fit",
            s(&listing),
            "--threshold",
            "150000",
            "--full-listing",
        ])
        .args([
            "--body",
            r#"{"lognormal": {"mu": 7, "sigma": 1}}"#,
            "--out",
            s(&out2),
        ])
        .assert()
        .failure()
        .stderr(predicates::str::contains("--body"));
    assert!(!out2.exists());
}

/// The domain notes' manual-rate example as a `--manual` file: four members
/// (M 45 at 1.10, F 43 at 1.15, a child of 10 at 0.45, F 30 at 0.95), $600
/// PMPM, area 1.05, plan 0.92, 7% trend over 1.5 years: $28,098.18 a year.
/// The specific pure premium against the closed form of an exponential
/// claim, `E[(X - d)+] = theta e^{-d/theta}`, under both scalings; the
/// specific layer's experience, limited-fluctuation Z and blend against
/// the worked listing, recomputed here.
#[test]
fn manual_rate_file_prices_and_blends_each_layer() {
    let tmp = tempfile::tempdir().unwrap();
    let listing = worked_listing(tmp.path());
    let manual = |scaling: &str| {
        format!(
            r#"{{"base_pmpm": 600,
            "factors": [
              {{"sex": "M", "age_from": 40, "age_to": 49, "factor": 1.10}},
              {{"sex": "F", "age_from": 40, "age_to": 49, "factor": 1.15}},
              {{"sex": "M", "age_from": 0, "age_to": 17, "factor": 0.45}},
              {{"sex": "F", "age_from": 0, "age_to": 17, "factor": 0.45}},
              {{"sex": "F", "age_from": 30, "age_to": 39, "factor": 0.95}}],
            "area": 1.05, "plan": 0.92, "trend": 0.07, "trend_years": 1.5,
            "members": [{{"age": 45, "sex": "M"}}, {{"age": 43, "sex": "F"}},
                        {{"age": 10, "sex": "M"}}, {{"age": 30, "sex": "F"}}],
            "claim_distribution": {{"probability": 0.5, "severity": {{"exponential": {{"mean": 30000}}}}}},
            "scaling": "{scaling}"}}"#
        )
    };
    let theta = 30_000.0;
    let t = 1.07f64.powf(1.5);
    let factors = [1.10, 1.15, 0.45, 0.95];
    let worked = [
        162.0, 171.0, 185.0, 198.0, 214.0, 236.0, 259.0, 288.0, 331.0, 402.0, 517.0, 846.0,
    ];
    for scaling in ["severity", "frequency"] {
        let file = tmp.path().join(format!("manual-{scaling}.json"));
        std::fs::write(&file, manual(scaling)).unwrap();
        let out = tmp.path().join(format!("fit-{scaling}"));
        bin()
            .args([
                "fit",
                s(&listing),
                "--threshold",
                "150000",
                "--deductibles",
                "250000",
            ])
            .args(["--manual", s(&file), "--out", s(&out)])
            .assert()
            .success();
        let m = read(&out.join("fit.json"))["manual"].clone();
        let annual = m["annual_below_specific"].as_f64().unwrap();
        assert!((annual - 28_098.18).abs() < 0.005, "{annual}");
        assert_eq!(m["scaling"], scaling);
        let l = &m["layers"][0];
        let d = 250_000.0;
        let want: f64 = factors
            .iter()
            .map(|&r| {
                let scale = if scaling == "severity" { r * t } else { t };
                0.5 * r * t * theta * (-d / (scale * theta)).exp()
            })
            .sum();
        let got = l["manual_specific"].as_f64().unwrap();
        assert!(
            (got / want - 1.0).abs() < 1e-9,
            "{scaling}: {got} vs {want}"
        );
        // Experience: the worked claimants' excess over $250k in one year.
        let over: Vec<f64> = worked
            .iter()
            .map(|k| k * 1000.0 - d)
            .filter(|x| *x > 0.0)
            .collect();
        let exp = over.iter().sum::<f64>();
        assert!((l["experience_specific"].as_f64().unwrap() - exp).abs() < 1e-6);
        let mean = exp / over.len() as f64;
        let var = over.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (over.len() as f64 - 1.0);
        let full = (1.6448536269514722f64 / 0.05).powi(2) * (1.0 + var / (mean * mean));
        let z = (over.len() as f64 / full).sqrt();
        assert!((l["z_specific"].as_f64().unwrap() - z).abs() < 1e-6, "{l}");
        let blended = z * exp + (1.0 - z) * want;
        assert!((l["blended_specific"].as_f64().unwrap() / blended - 1.0).abs() < 1e-6);
        // No full listing: nothing below the specific to weigh.
        assert_eq!(l["z_below"], 0.0);
        assert!((l["implied_aggregate_attachment"].as_f64().unwrap() - 1.25 * annual).abs() < 1e-6);
        let html = std::fs::read_to_string(out.join("fit.html")).unwrap();
        assert!(html.contains("Manual rate and credibility"));
    }
}

/// A bad manual-rate file names the JSON path, or the members CSV's line
/// and column, exits non-zero and writes nothing.
#[test]
fn bad_manual_rate_files_name_the_field() {
    let tmp = tempfile::tempdir().unwrap();
    let listing = worked_listing(tmp.path());
    let base =
        r#""base_pmpm": 600, "claim_distribution": {"severity": {"exponential": {"mean": 1000}}}"#;
    let table = r#""factors": [{"sex": "F", "age_from": 0, "age_to": 120, "factor": 1}]"#;
    let cases = [
        (
            format!(
                r#"{{{base}, "factors": [{{"sex": "X", "age_from": 0, "age_to": 9, "factor": 1}}], "members": []}}"#
            ),
            "factors[0].sex",
        ),
        (
            format!(
                r#"{{{base}, {table}, "members": [{{"age": 40, "sex": "F"}}, {{"age": 40, "sex": "M"}}]}}"#
            ),
            "members[1]",
        ),
        (
            format!(r#"{{{base}, {table}, "members": [{{"age": 40, "sex": "F", "months": 13}}]}}"#),
            "members[0].months",
        ),
        (
            format!(
                r#"{{{base}, {table}, "members": [{{"age": 40, "sex": "F"}}], "scaling": "both"}}"#
            ),
            "scaling",
        ),
        (
            format!(r#"{{{base}, {table}, "members": [{{"age": 40, "sex": "F"}}], "area": 0}}"#),
            "area",
        ),
        (
            format!(r#"{{{base}, {table}, "members_csv": "m.csv"}}"#),
            "line 3, column 2 (age)",
        ),
        (
            format!(r#"{{{base}, {table}, "members": [{{"age": 40, "sex": "F"}}], "colour": 1}}"#),
            "colour",
        ),
    ];
    std::fs::write(tmp.path().join("m.csv"), "sex,age\nF,40\nF,forty\n").unwrap();
    for (i, (text, field)) in cases.iter().enumerate() {
        let file = tmp.path().join(format!("bad{i}.json"));
        std::fs::write(&file, text).unwrap();
        let out = tmp.path().join(format!("out{i}"));
        let a = bin()
            .args(["fit", s(&listing), "--threshold", "150000"])
            .args(["--manual", s(&file), "--out", s(&out)])
            .assert()
            .failure();
        let err = stderr_of(a.get_output());
        assert!(err.contains(field), "case {i}: {err}");
        assert!(!out.exists(), "case {i} wrote output");
    }
}
