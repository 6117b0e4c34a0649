//! `summary.csv`: one row per candidate.

use super::{ExportError, Exporter};
use crate::results::{Results, PERCENTILE_LEVELS, TVAR_LEVELS};

/// Columns of `summary.csv` before the percentiles.
const LEADING: [&str; 6] = [
    "label",
    "specific_deductible",
    "aggregate_attachment",
    "mean_cost",
    "mean_cost_se",
    "sd_cost",
];

/// Columns of `summary.csv` after the percentiles and TVaRs.
const TRAILING: [&str; 14] = [
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

/// Column names of `summary.csv`, in order: a column per reported
/// percentile (`p95`) and TVaR level (`tvar_p99`) between the fixed ones.
pub fn csv_columns() -> Vec<String> {
    let percentiles = PERCENTILE_LEVELS.iter().map(|l| l.key.to_string());
    let tvars = TVAR_LEVELS.iter().map(|l| format!("tvar_{}", l.key));
    LEADING
        .iter()
        .map(|c| c.to_string())
        .chain(percentiles)
        .chain(tvars)
        .chain(TRAILING.iter().map(|c| c.to_string()))
        .collect()
}

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
    fn serialize(&self, results: &Results) -> Result<Vec<u8>, ExportError> {
        let mut w = ::csv::Writer::from_writer(Vec::new());
        w.write_record(csv_columns())?;
        for c in &results.candidates {
            let e = &c.employer_cost;
            let mut row: Vec<String> = vec![
                text_cell(&c.label),
                opt(c.specific_deductible),
                opt(c.aggregate_attachment),
                e.mean.to_string(),
                e.se.to_string(),
                e.sd.to_string(),
            ];
            row.extend(e.percentiles.iter().map(|(_, v)| v.to_string()));
            row.extend(e.tvar.iter().map(|(_, v)| v.to_string()));
            row.extend([
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
            ]);
            w.write_record(&row)?;
        }
        Ok(w.into_inner()?)
    }
}
