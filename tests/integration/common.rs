//! Checks shared by the test files that push numbers to their extremes:
//! every number in `results.json` and `summary.csv` is finite, nulls and
//! empty cells appear only where the README says a figure may be absent,
//! and the figures keep the orderings that hold for any sample.

#![allow(dead_code)] // each test file uses a part

use serde_json::Value;

/// Keys of `results.json` whose value may be null (absent figures; the
/// README's output reference says when).
const NULLABLE: [&str; 27] = [
    "runner_up",
    "description",
    "client",
    "budget",
    "fully_insured_premium",
    "fully_insured",
    "trials_needed",
    "dominated_by",
    "meets_cap",
    "max_risk",
    "max_risk_basis",
    "comparison",
    "target_se",
    "relative_target",
    "specific_deductible",
    "aggregate_label",
    "aggregate_attachment",
    "aggregate_attachment_basis",
    "vs_baseline",
    "prob_aggregate_attaches",
    "max_liability",
    "prob_exceeds_budget",
    "prob_exceeds_fully_insured",
    "exact",
    "reason",
    "step",
    "max_abs_z",
];

/// Columns of `summary.csv` that may be empty.
const OPTIONAL_COLUMNS: [&str; 8] = [
    "specific_deductible",
    "aggregate_attachment",
    "prob_aggregate_attaches",
    "max_liability",
    "prob_exceeds_budget",
    "prob_exceeds_fully_insured",
    "mean_difference_vs_baseline",
    "mean_difference_se",
];

/// Walks `v`; every null must sit under a [`NULLABLE`] key. Infinite and
/// undefined numbers are written as null, so this finds them.
fn walk(v: &Value, path: &str, key: &str, problems: &mut Vec<String>) {
    match v {
        Value::Null if !NULLABLE.contains(&key) => problems.push(format!("{path} is null")),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{path}[{i}]"), key, problems);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                walk(item, &format!("{path}.{k}"), k, problems);
            }
        }
        _ => {}
    }
}

fn num(v: &Value, what: &str) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("{what} is not a number: {v}"))
}

/// Checks `results.json`: no null where a number is expected, figures
/// present where their option is, non-negative errors, probabilities in
/// [0, 1], ordered percentiles, TVaR at least VaR, the maximum above all.
pub fn check_results_json(text: &str) -> Value {
    let r: Value = serde_json::from_str(text).expect("results.json is JSON");
    let mut problems = Vec::new();
    walk(&r, "", "", &mut problems);
    assert!(problems.is_empty(), "results.json: {problems:?}");
    let candidates = r["candidates"].as_array().expect("candidates");
    assert!(!candidates.is_empty());
    for c in candidates {
        let label = c["label"].as_str().expect("label");
        let what = |f: &str| format!("{label}: {f}");
        if c["specific_label"] != "no specific" {
            num(&c["specific_deductible"], &what("specific_deductible"));
        }
        if !c["aggregate_label"].is_null() {
            num(&c["aggregate_attachment"], &what("aggregate_attachment"));
            let p = num(
                &c["prob_aggregate_attaches"]["mean"],
                &what("prob_aggregate_attaches"),
            );
            assert!((0.0..=1.0).contains(&p), "{}", what("prob"));
        }
        for key in [
            "gross_claims",
            "retained_claims",
            "specific_reimbursement",
            "aggregate_reimbursement",
            "premium",
            "fees",
            "expected_specific_claimants",
        ] {
            let se = num(&c[key]["se"], &what(key));
            assert!(se >= 0.0, "{} se {se}", what(key));
            num(&c[key]["mean"], &what(key));
        }
        for key in ["prob_exceeds_budget", "prob_exceeds_fully_insured"] {
            if !c[key].is_null() {
                let p = num(&c[key]["mean"], &what(key));
                assert!((0.0..=1.0).contains(&p), "{} = {p}", what(key));
            }
        }
        let e = &c["employer_cost"];
        assert!(num(&e["se"], &what("se")) >= 0.0);
        assert!(num(&e["sd"], &what("sd")) >= 0.0);
        let levels = ["p50", "p75", "p90", "p95", "p99", "p99_5"];
        let q: Vec<f64> = levels
            .iter()
            .map(|l| num(&e["percentiles"][l], &what(l)))
            .collect();
        assert!(
            q.windows(2).all(|w| w[0] <= w[1]),
            "{}: {q:?}",
            what("percentiles")
        );
        let max = num(&e["max"], &what("max"));
        assert!(q[5] <= max, "{}: p99.5 {} > max {max}", label, q[5]);
        for (l, var) in [("p90", q[2]), ("p95", q[3]), ("p99", q[4])] {
            let tvar = num(&e["tvar"][l], &what(l));
            let slack = 1e-9 * var.abs().max(1.0);
            assert!(tvar + slack >= var, "{}: TVaR {tvar} < VaR {var}", what(l));
            assert!(num(&e["tvar_se"][l], &what(l)) >= 0.0);
        }
        for l in levels {
            let ci = &e["percentiles_ci95"][l];
            assert!(num(&ci["lo"], &what(l)) <= num(&ci["hi"], &what(l)));
        }
        for point in c["exceedance_curve"].as_array().expect("curve") {
            let p = num(&point["prob"], &what("exceedance"));
            assert!((0.0..=1.0).contains(&p));
            num(&point["cost"], &what("exceedance"));
        }
    }
    r
}

/// Checks `summary.csv`: every cell but the label is a finite number,
/// empty only in the columns that may be absent.
pub fn check_summary_csv(text: &str) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = 0;
    for record in reader.records() {
        let record = record.expect("a CSV row");
        rows += 1;
        assert_eq!(record.len(), header.len(), "row {record:?}");
        for (cell, column) in record.iter().zip(&header).skip(1) {
            if cell.is_empty() {
                assert!(
                    OPTIONAL_COLUMNS.contains(&column.as_str()),
                    "{column} is empty in {record:?}"
                );
                continue;
            }
            let x: f64 = cell
                .parse()
                .unwrap_or_else(|_| panic!("{column} = `{cell}` is not a number"));
            assert!(x.is_finite(), "{column} = {cell}");
        }
    }
    assert!(rows > 0, "summary.csv has no rows");
}
