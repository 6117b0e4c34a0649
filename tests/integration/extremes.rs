//! Numeric extremes through the command line: very heavy tails, claims and
//! rates at the largest values a config may give, probabilities too small
//! to ever fire, one member, a million members, one trial. Every number in
//! `results.json` and `summary.csv` must be finite (no NaN, infinity or
//! null where a figure is expected), the figures must keep the orderings
//! any sample has, and where an estimate is unreliable the run must say so.

use crate::common;

use assert_cmd::Command;
use serde_json::{json, Value};
use std::fs;
use std::time::Instant;
use tempfile::TempDir;

/// Runs `stoploss run` on `config` with `args`, checks exit 0, no panic,
/// and both output files with [`common`]; returns results.json and stderr.
fn run(config: &Value, args: &[&str]) -> (Value, String) {
    let tmp = TempDir::new().unwrap();
    let path = tmp.path().join("study.json");
    fs::write(&path, serde_json::to_string_pretty(config).unwrap()).unwrap();
    let out = tmp.path().join("out");
    let output = Command::cargo_bin("stoploss")
        .unwrap()
        .args([
            "run",
            path.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .args(args)
        .env_remove("RAYON_NUM_THREADS")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let name = config["name"].as_str().unwrap();
    let dir = out.join(name);
    let results =
        common::check_results_json(&fs::read_to_string(dir.join("results.json")).unwrap());
    common::check_summary_csv(&fs::read_to_string(dir.join("summary.csv")).unwrap());
    (results, stderr)
}

/// A one-class study of `members` members with these claim components,
/// two specific options and two aggregates (a factor and a capped amount).
fn study(name: &str, members: u64, trials: u64, claims: Value) -> Value {
    json!({
        "name": name,
        "seed": 11,
        "trials": trials,
        "population": {"classes": [{"name": "all", "employees": members, "claims": claims}]},
        "stop_loss": {
            "specific": [
                {"deductible": 50000, "premium_pepm": 100},
                {"deductible": 1000000, "premium_pepm": 20}
            ],
            "aggregate": [
                {"attachment_factor": 1.25, "premium_pepm": 5},
                {"attachment_amount": 5000000, "max_reimbursement": 1000000, "premium_pepm": 5}
            ]
        },
        "fees": {"admin_pepm": 30},
        "budget": 10000000,
        "fully_insured_premium": 10000000
    })
}

fn warned(results: &Value, stderr: &str, fragment: &str) -> bool {
    let in_json = results["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .chain(
            results["candidates"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|c| c["warnings"].as_array().unwrap()),
        )
        .any(|w| w.as_str().unwrap().contains(fragment));
    in_json && stderr.contains(fragment)
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Pareto tails with alpha just above 1 (a finite mean, an infinite
/// variance): finite figures, and a warning that the standard errors are
/// themselves unreliable.
#[test]
fn heavy_tails_just_above_alpha_one() {
    let claims = json!([
        {"name": "lomax", "frequency": {"poisson": {"mean": 2}},
         "severity": {"pareto": {"alpha": 1.0001, "theta": 10}}},
        {"name": "spliced", "frequency": {"poisson": {"mean": 1}},
         "severity": {"spliced": {"body": {"lognormal": {"mean": 3000, "cv": 2}},
                                  "threshold": 100000, "tail_probability": 0.01, "tail_alpha": 1.01}}}
    ]);
    let (r, stderr) = run(&study("heavy", 200, 4000, claims), &[]);
    assert!(warned(
        &r,
        &stderr,
        "Pareto tail index <= 2 (infinite variance)"
    ));
    assert!(warned(&r, &stderr, "standard errors are themselves noisy"));
    // Per member: 2 Lomax claims of mean theta / (alpha - 1) = 100,000; one
    // spliced claim of mean 0.99 E[body | body < 100k] + 0.01 (100k + 100k
    // / 0.01), the body's conditional mean lying between 2,800 and 3,000.
    let expected = f(&r["population"]["expected_gross_claims"]);
    let per_member = |body: f64| 2.0 * 1e5 + 0.99 * body + 0.01 * (1e5 + 1e7);
    assert!(
        expected > 200.0 * per_member(2800.0) && expected < 200.0 * per_member(3000.0),
        "{expected}"
    );
}

/// Claims, deductibles, rates and fees at the largest values a config may
/// give (mean claim 1e12, deductible 1e13, 1e9 per employee per month, a
/// 1% loss ratio): every figure finite.
#[test]
fn billion_dollar_claims_and_largest_allowed_values() {
    let mut c = study(
        "billion",
        1000,
        2000,
        json!([{"name": "m", "frequency": {"poisson": {"mean": 2}},
                "severity": {"exponential": {"mean": 1e12}}}]),
    );
    c["stop_loss"] = json!({
        "specific": [
            {"deductible": 1e9, "target_loss_ratio": 0.01, "aggregating_deductible": 1e13},
            {"deductible": 1e13, "premium_pepm": 1e9, "max_reimbursement": 1e13}
        ],
        "aggregate": [
            {"attachment_factor": 10, "target_loss_ratio": 0.01},
            {"attachment_amount": 1e13, "min_attachment": 1e13, "max_reimbursement": 1e13, "premium_pepm": 1e9}
        ]
    });
    c["fees"] = json!({"admin_pepm": 1e9});
    c["budget"] = json!(1e13);
    c["fully_insured_premium"] = json!(1e13);
    let (r, _) = run(&c, &[]);
    // 1,000 members x 2 claims x 1e12.
    let expected = f(&r["population"]["expected_gross_claims"]);
    assert!((expected / 2e15 - 1.0).abs() < 1e-9, "{expected}");
    let sim = &r["population"]["simulated_gross_claims"];
    assert!((f(&sim["mean"]) - expected).abs() < 5.0 * f(&sim["se"]));
}

/// A lognormal with sigma 10 (the largest), a Weibull with shape 0.05 (the
/// smallest), an overdispersed claim count and a spliced tail at alpha
/// 1.001, in one member class.
#[test]
fn most_extreme_severity_shapes() {
    let claims = json!([
        {"name": "ln", "frequency": {"poisson": {"mean": 2}},
         "severity": {"lognormal": {"mu": -23, "sigma": 10}}},
        {"name": "wb", "frequency": {"negative_binomial": {"mean": 1, "variance": 1000000}},
         "severity": {"weibull": {"shape": 0.05, "scale": 4e-7}}},
        {"name": "sp", "frequency": {"poisson": {"mean": 1}},
         "severity": {"spliced": {"body": {"gamma": {"mean": 1000, "cv": 100}},
                                  "threshold": 100000, "tail_probability": 0.5, "tail_alpha": 1.001}}}
    ]);
    let (r, stderr) = run(&study("shapes", 50, 2000, claims), &[]);
    assert!(warned(&r, &stderr, "infinite variance"));
}

/// A claim probability of 1e-12: no trial sees a claim. Every figure is
/// finite (zero), and the run warns that the reimbursements rest on no
/// event at all.
#[test]
fn tiny_probabilities() {
    let claims = json!([{"name": "m", "frequency": {"bernoulli": {"p": 1e-12}},
                         "severity": {"lognormal": {"mean": 1e6, "cv": 2}}}]);
    let (r, stderr) = run(&study("tiny", 100, 2000, claims), &[]);
    for c in r["candidates"].as_array().unwrap() {
        assert_eq!(f(&c["gross_claims"]["mean"]), 0.0);
        assert_eq!(f(&c["specific_reimbursement"]["se"]), 0.0);
    }
    assert!(warned(
        &r,
        &stderr,
        "only 0 member-year(s) over the specific deductible in 2000 trials"
    ));
    assert!(warned(
        &r,
        &stderr,
        "the aggregate attached in 0 of 2000 trials"
    ));
    assert!(warned(&r, &stderr, "below 1.50e-3 at 95% confidence"));
}

/// One member, one trial: finite figures, every percentile and TVaR the
/// single outcome, se 0, and warnings that say so.
#[test]
fn one_member_one_trial() {
    let claims = json!([{"name": "m", "frequency": {"poisson": {"mean": 3}},
                         "severity": {"lognormal": {"mean": 20000, "cv": 3}}}]);
    let (r, stderr) = run(&study("one", 1, 1, claims), &[]);
    assert_eq!(r["population"]["members"], 1);
    assert_eq!(r["meta"]["trials"], 1);
    assert!(warned(
        &r,
        &stderr,
        "only 1 trial: no standard error can be estimated"
    ));
    for c in r["candidates"].as_array().unwrap() {
        let e = &c["employer_cost"];
        let max = f(&e["max"]);
        assert_eq!(f(&e["mean"]), max);
        assert_eq!(f(&e["se"]), 0.0);
        for p in ["p50", "p75", "p90", "p95", "p99", "p99_5"] {
            assert_eq!(f(&e["percentiles"][p]), max, "{p}");
        }
        // TVaR divides the outcome's fraction by that fraction: an ulp off.
        for p in ["p90", "p95", "p99"] {
            let tvar = f(&e["tvar"][p]);
            assert!((tvar - max).abs() <= 1e-12 * max, "{p}: {tvar} vs {max}");
        }
    }
}

/// One member over many trials: the simulated gross claims agree with the
/// closed form.
#[test]
fn one_member() {
    let claims = json!([{"name": "m", "frequency": {"poisson": {"mean": 3}},
                         "severity": {"gamma": {"mean": 20000, "cv": 2}}}]);
    let (r, _) = run(&study("single", 1, 20000, claims), &[]);
    let expected = f(&r["population"]["expected_gross_claims"]);
    assert!((expected - 60000.0).abs() < 1e-6);
    let sim = &r["population"]["simulated_gross_claims"];
    assert!(
        (f(&sim["mean"]) - expected).abs() < 5.0 * f(&sim["se"]),
        "{sim}"
    );
}

/// A million members, a few trials (about a second): finite figures, the
/// simulated gross claims within a few se of the closed form, and the
/// warning that few trials cannot support tail figures.
#[test]
fn a_million_members() {
    let claims = json!([{"name": "m", "frequency": {"poisson": {"mean": 1.5}},
                         "severity": {"lognormal": {"mean": 5000, "cv": 3}}}]);
    let mut c = study("million", 1_000_000, 20, claims);
    c["budget"] = json!(1e10);
    c["fully_insured_premium"] = json!(1e10);
    let start = Instant::now();
    let (r, stderr) = run(&c, &[]);
    eprintln!("1,000,000 members x 20 trials: {:?}", start.elapsed());
    assert_eq!(r["population"]["members"], 1_000_000);
    let expected = f(&r["population"]["expected_gross_claims"]);
    assert!((expected / 7.5e9 - 1.0).abs() < 1e-9, "{expected}");
    let sim = &r["population"]["simulated_gross_claims"];
    assert!(
        (f(&sim["mean"]) - expected).abs() < 5.0 * f(&sim["se"]),
        "{sim}"
    );
    assert!(warned(
        &r,
        &stderr,
        "the 99.5th percentile rests on 0 trial(s)"
    ));
}

/// The exact engine on a tail with alpha just above 1: finite figures.
#[test]
fn exact_engine_on_a_heavy_tail() {
    let claims = json!([{"name": "lomax", "frequency": {"poisson": {"mean": 2}},
                         "severity": {"pareto": {"alpha": 1.0001, "theta": 10}}}]);
    let (r, _) = run(
        &study("heavy-exact", 50, 2000, claims),
        &["--method", "exact"],
    );
    assert_eq!(r["meta"]["method"], "exact");
}

/// A quarter of a million members read from a census (every fourth
/// employee enrolled half the year, risk factors spread around 1): loads,
/// runs a few trials, finite figures. (A million-member census loads too,
/// in about 4 s of CPU; the simulation at a million members is
/// [`a_million_members`].)
#[test]
fn a_large_census() {
    let tmp = TempDir::new().unwrap();
    let mut csv = String::with_capacity(10_000_000);
    csv.push_str("member_id,employee_id,class,tier,risk_factor,months\n");
    for i in 0..250_000u32 {
        let employee = i / 2;
        let tier = if employee % 3 == 0 { "family" } else { "ee" };
        let months = if employee % 4 == 0 { 6 } else { 12 };
        let risk = 0.5 + f64::from(i % 100) / 100.0;
        csv.push_str(&format!("M{i},E{employee},all,{tier},{risk},{months}\n"));
    }
    fs::write(tmp.path().join("census.csv"), csv).unwrap();
    let config = json!({
        "name": "census-large",
        "seed": 5,
        "trials": 5,
        "population": {"census": "census.csv", "classes": [{"name": "all", "claims": [
            {"name": "m", "frequency": {"poisson": {"mean": 1.5}},
             "severity": {"lognormal": {"mean": 5000, "cv": 3}}}]}]},
        "stop_loss": {"specific": [{"deductible": 250000, "premium_pepm": {"ee": 40, "family": 100}}],
                      "aggregate": [{"attachment_factor": 1.25, "premium_pepm": 5}]}
    });
    let path = tmp.path().join("study.json");
    fs::write(&path, config.to_string()).unwrap();
    let out = tmp.path().join("out");
    let start = Instant::now();
    let output = Command::cargo_bin("stoploss")
        .unwrap()
        .args([
            "run",
            path.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .output()
        .unwrap();
    eprintln!("250,000-member census x 5 trials: {:?}", start.elapsed());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let dir = out.join("census-large");
    let r = common::check_results_json(&fs::read_to_string(dir.join("results.json")).unwrap());
    common::check_summary_csv(&fs::read_to_string(dir.join("summary.csv")).unwrap());
    assert_eq!(r["population"]["members"], 250_000);
    // 125,000 employees, a quarter of them half the year.
    let employees = f(&r["population"]["employees"]);
    assert!((employees - 109_375.0).abs() < 1e-6, "{employees}");
}
