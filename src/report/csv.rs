//! `summary.csv`: one row per candidate.

use super::{Exporter, Results};

/// Column names of `summary.csv`, in order.
pub const CSV_COLUMNS: [&str; 29] = [
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

/// The summary table as CSV (empty cells for absent values).
#[derive(Debug, Default, Clone, Copy)]
pub struct CsvExporter;

/// A text cell as a spreadsheet may safely open it: a cell starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
/// LibreOffice and Google Sheets (`=cmd|' /C calc'!A0`), so it gets a
/// leading `'` (the OWASP rule), which they display as text.
pub fn text_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn opt(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

impl Exporter for CsvExporter {
    fn serialize(&self, results: &Results) -> anyhow::Result<Vec<u8>> {
        let mut w = ::csv::Writer::from_writer(Vec::new());
        w.write_record(CSV_COLUMNS)?;
        for c in &results.candidates {
            let e = &c.employer_cost;
            let row: [String; 29] = [
                text_cell(&c.label),
                opt(c.specific_deductible),
                opt(c.aggregate_attachment),
                e.mean.to_string(),
                e.se.to_string(),
                e.sd.to_string(),
                e.percentiles.p50.to_string(),
                e.percentiles.p75.to_string(),
                e.percentiles.p90.to_string(),
                e.percentiles.p95.to_string(),
                e.percentiles.p99.to_string(),
                e.percentiles.p99_5.to_string(),
                e.tvar.p90.to_string(),
                e.tvar.p95.to_string(),
                e.tvar.p99.to_string(),
                e.max.to_string(),
                c.retained_claims.mean.to_string(),
                c.specific_reimbursement.mean.to_string(),
                c.aggregate_reimbursement.mean.to_string(),
                c.premium.mean.to_string(),
                c.fees.mean.to_string(),
                opt(c.prob_aggregate_attaches.map(|p| p.mean)),
                c.expected_specific_claimants.mean.to_string(),
                opt(c.max_liability),
                opt(c.prob_exceeds_budget.map(|p| p.mean)),
                opt(c.prob_exceeds_fully_insured.map(|p| p.mean)),
                c.gross_claims.mean.to_string(),
                opt(c.vs_baseline.as_ref().map(|d| d.mean_difference)),
                opt(c.vs_baseline.as_ref().map(|d| d.se)),
            ];
            w.write_record(&row)?;
        }
        Ok(w.into_inner()?)
    }
}
