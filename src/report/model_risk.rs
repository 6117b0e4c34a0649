//! The "model risk" section of `summary.md` and `report.html`: the study
//! under each acceptable tail fit (`--severity-alternatives`), empty
//! without one.

use super::html::escape;
use crate::format::dollars;
use crate::results::{Results, SeverityAlternatives};

fn explained(a: &SeverityAlternatives) -> String {
    let recommended: Vec<String> = a
        .runs
        .iter()
        .map(|r| {
            format!(
                "{}: {}",
                r.tail,
                r.recommended.as_deref().unwrap_or("no recommendation")
            )
        })
        .collect();
    let mut text = format!(
        "Model risk: the same simulated years (same seed, common random numbers) under each tail fit of {} that the listing cannot reject (within the acceptable AIC distance). Fits that are statistically indistinguishable can price the specific layer far apart. Recommended under each tail: {}.",
        a.fit,
        recommended.join("; ")
    );
    if let Some((label, lo, hi)) = widest_specific(a) {
        text.push_str(&format!(
            " The specific reimbursement moves most for {label}: from ${} to ${} a year across the tails.",
            dollars(lo),
            dollars(hi)
        ));
    }
    if !a.skipped.is_empty() {
        text.push_str(&format!(
            " Not run (the simulator's spliced tail is a Pareto): {}.",
            a.skipped.join(", ")
        ));
    }
    text
}

/// The candidate whose expected specific reimbursement differs most
/// (relatively) across the tails, with its lowest and highest.
fn widest_specific(a: &SeverityAlternatives) -> Option<(String, f64, f64)> {
    let first = a.runs.first()?;
    (0..first.employer_cost.len())
        .filter_map(|i| {
            let values: Vec<f64> = a
                .runs
                .iter()
                .filter_map(|r| r.employer_cost.get(i))
                .map(|c| c.specific_reimbursement.mean)
                .collect();
            let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (lo > 0.0 && hi.is_finite()).then(|| (first.employer_cost[i].label.clone(), lo, hi))
        })
        .max_by(|a, b| (a.2 / a.1).total_cmp(&(b.2 / b.1)))
}

fn table(a: &SeverityAlternatives) -> (Vec<String>, Vec<Vec<String>>) {
    let mut headers = vec!["Candidate".to_string()];
    headers.extend(
        a.runs
            .iter()
            .map(|r| format!("Expected cost, {} tail (se)", r.tail)),
    );
    let rows = a.runs.first().map_or_else(Vec::new, |first| {
        (0..first.employer_cost.len())
            .map(|i| {
                let mut row = vec![first.employer_cost[i].label.clone()];
                row.extend(a.runs.iter().map(|r| {
                    r.employer_cost.get(i).map_or_else(
                        || "-".to_string(),
                        |c| format!("{} ({})", dollars(c.cost.mean), dollars(c.cost.se)),
                    )
                }));
                row
            })
            .collect()
    });
    (headers, rows)
}

/// The section of `summary.md`.
pub fn markdown_section(results: &Results) -> String {
    let Some(a) = &results.severity_alternatives else {
        return String::new();
    };
    let (headers, rows) = table(a);
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    format!(
        "\n### Model risk: alternative tails\n\n{}\n\n{}",
        explained(a),
        super::markdown::table(&headers, &rows)
    )
}

/// The section of `report.html`.
pub fn html_section(results: &Results) -> String {
    let Some(a) = &results.severity_alternatives else {
        return String::new();
    };
    let (headers, rows) = table(a);
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    format!(
        "<h2 id=\"model-risk\">Model risk: alternative tails</h2><p>{}</p>{}",
        escape(&explained(a)),
        super::html::table(&headers, &rows, 1)
    )
}
