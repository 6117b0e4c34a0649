//! `sweep.csv` and `sweep.md`.

use super::SweepResults;
use crate::analysis::text;
use crate::format::dollars;
use crate::model::RiskMeasure;
use crate::report::{cell, text_cell, ExportError};
use std::fmt::Write;

/// Columns of `sweep.csv` after one column per swept parameter.
pub const SWEEP_CSV_COLUMNS: [&str; 16] = [
    "candidate",
    "mean_cost",
    "mean_cost_se",
    "frontier_measure",
    "risk",
    "risk_se",
    "rule_measure",
    "rule_risk",
    "p95",
    "tvar_p99",
    "efficient",
    "recommended",
    "runner_up",
    "expected_saving_vs_fully_insured",
    "expected_saving_se",
    "prob_self_funding_costs_more",
];

fn opt(x: Option<f64>) -> String {
    x.filter(|v| v.is_finite())
        .map(|v| v.to_string())
        .unwrap_or_default()
}

/// One row per run and candidate: the swept values, then [`SWEEP_CSV_COLUMNS`].
pub fn sweep_csv(s: &SweepResults) -> Result<Vec<u8>, ExportError> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = s.params.iter().map(|p| text_cell(p)).collect();
    header.extend(SWEEP_CSV_COLUMNS.iter().map(|c| c.to_string()));
    w.write_record(&header)?;
    for p in &s.points {
        for c in &p.candidates {
            let mut row: Vec<String> = p.values.iter().map(|v| v.to_string()).collect();
            row.extend([
                text_cell(&c.label),
                c.mean.mean.to_string(),
                c.mean.se.to_string(),
                s.frontier_measure.clone(),
                opt(Some(c.risk.value)),
                opt(c.risk.se),
                s.risk_measure.clone(),
                opt(Some(c.rule_risk.value)),
                c.p95.to_string(),
                c.tvar99.to_string(),
                c.efficient.to_string(),
                (p.recommended == c.label).to_string(),
                (p.runner_up.as_deref() == Some(c.label.as_str())).to_string(),
                opt(c.expected_saving.map(|e| e.mean)),
                opt(c.expected_saving.map(|e| e.se)),
                opt(c.prob_self_funding_costs_more.map(|e| e.mean)),
            ]);
            w.write_record(&row)?;
        }
    }
    Ok(w.into_inner()?)
}

/// One row per run: the values, the recommendation and its figures, the
/// runner-up and the paired difference, and against the fully insured premium.
pub fn sweep_markdown(s: &SweepResults) -> String {
    let mut out = String::new();
    let rm: RiskMeasure = s.risk_measure.parse().unwrap_or(RiskMeasure::TVAR99);
    let how = if s.method == "exact" {
        "exact engine".to_string()
    } else {
        format!("{} trials per run", crate::format::group(s.trials))
    };
    let _ = writeln!(
        out,
        "## {}: sweep over {}\n",
        cell(&s.name),
        cell(&s.params.join(", "))
    );
    let _ = writeln!(
        out,
        "{how}, seed {} for every run. Rule: {}. Annual dollars; (se) is the standard error, and the runner-up's difference shows its 95% interval.\n",
        s.seed,
        cell(&s.rule)
    );
    let with_fi = s
        .points
        .iter()
        .any(|p| p.candidates.iter().any(|c| c.expected_saving.is_some()));
    let mut header: Vec<String> = s.params.iter().map(|p| cell(p)).collect();
    header.extend([
        "recommended".to_string(),
        "expected cost".into(),
        rm.describe(),
        "runner-up".into(),
        "runner-up costs more by (95% CI)".into(),
        "separated?".into(),
    ]);
    if with_fi {
        header.extend([
            "saving vs fully insured".into(),
            "P(self-funding costs more)".into(),
        ]);
    }
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(out, "|{}|", vec!["---"; header.len()].join("|"));
    for p in &s.points {
        let rec = p.candidates.iter().find(|c| c.label == p.recommended);
        let mut row: Vec<String> = p.values.iter().map(|v| v.to_string()).collect();
        let mark = if p.meets_cap {
            ""
        } else {
            " (no candidate meets the cap)"
        };
        row.push(format!("{}{mark}", cell(&p.recommended)));
        row.push(rec.map_or("-".into(), |c| {
            format!("{} (se {})", dollars(c.mean.mean), dollars(c.mean.se))
        }));
        row.push(rec.map_or("-".into(), |c| text::measure_plain(rm, c.rule_risk.value)));
        match &p.comparison {
            Some(c) => {
                row.push(cell(&c.runner_up));
                row.push(format!(
                    "{} ({} to {})",
                    dollars(c.mean_difference),
                    dollars(c.ci.lo),
                    dollars(c.ci.hi)
                ));
                row.push(match (c.within_noise, c.trials_needed) {
                    (false, _) => "yes".into(),
                    (true, Some(n)) => format!("no: ~{} trials needed", crate::format::group(n)),
                    (true, None) => "no".into(),
                });
            }
            None => row.extend(["-".to_string(), "-".into(), "-".into()]),
        }
        if with_fi {
            row.push(rec.and_then(|c| c.expected_saving).map_or("-".into(), |e| {
                format!("{} (se {})", dollars(e.mean), dollars(e.se))
            }));
            row.push(
                rec.and_then(|c| c.prob_self_funding_costs_more)
                    .map_or("-".into(), |e| crate::format::percent(e.mean)),
            );
        }
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    out
}
