//! `summary.md`: the candidate table and the recommendation in Markdown,
//! for pasting into a memo.

use super::{ExportError, Exporter};
use crate::analysis::text;
use crate::format::dollars;
use crate::model::RiskMeasure;
use crate::results::Results;
use std::fmt::Write;

/// The summary table and the recommendation as GitHub-flavoured Markdown.
#[derive(Debug, Default, Clone, Copy)]
pub struct MarkdownExporter;

/// A table cell: `|` escaped, and as for [`prose`].
pub fn cell(s: &str) -> String {
    prose(s).replace('|', "\\|")
}

/// Text from the inputs (labels, names) inside Markdown: `&`, `<` and `>`
/// as HTML entities, so a label cannot carry raw HTML into a renderer (it
/// displays the same), and line breaks and other control characters
/// removed.
pub fn prose(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A table of `headers` and `rows`, each cell as for [`cell`].
pub fn table<R: AsRef<[String]>>(headers: &[&str], rows: &[R]) -> String {
    let mut s = format!(
        "| {} |\n|{}\n",
        headers.join(" | "),
        "---|".repeat(headers.len())
    );
    for row in rows {
        let cells: Vec<String> = row.as_ref().iter().map(|c| cell(c)).collect();
        let _ = writeln!(s, "| {} |", cells.join(" | "));
    }
    s
}

/// The line that says what a results document is: trials or exact engine,
/// members, employees, seed.
pub fn run_line(results: &Results) -> String {
    let how = if results.meta.method == "exact" {
        "exact engine (se is its error bound)".to_string()
    } else {
        format!(
            "{} simulated plan years",
            crate::format::group(results.meta.trials)
        )
    };
    format!(
        "{how}, {} members, {:.0} employees, seed {}",
        crate::format::group(results.population.members as u64),
        results.population.employees,
        results.meta.seed
    )
}

impl Exporter for MarkdownExporter {
    fn serialize(&self, results: &Results) -> Result<Vec<u8>, ExportError> {
        let mut s = String::new();
        writeln!(s, "## {}: stop-loss candidates\n", cell(&results.name))?;
        let decision = results.decision.as_ref();
        let confidence = decision.map_or(0.95, |d| d.rule.confidence);
        writeln!(
            s,
            "{}. Annual employer cost in dollars; se is the standard error of the estimate beside it; differences from the recommended candidate are paired (their {:.0}% intervals are in the lines below).\n",
            run_line(results),
            100.0 * confidence
        )?;
        let frontier_measure = decision
            .and_then(|d| d.rule.frontier_measure.parse::<RiskMeasure>().ok())
            .unwrap_or(RiskMeasure::TVAR99);
        let rule_measure = decision
            .and_then(|d| d.rule.risk_measure.parse::<RiskMeasure>().ok())
            .filter(|&m| m != frontier_measure);
        let fi = decision.and_then(|d| d.fully_insured.as_ref());
        let mut header = vec![
            "candidate".to_string(),
            "expected cost".into(),
            "se".into(),
            "p95".into(),
            frontier_measure.describe(),
        ];
        if let Some(m) = rule_measure {
            header.push(m.describe());
        }
        if decision.is_some() {
            header.extend(["vs recommended (se)".into(), "frontier".into()]);
        }
        if fi.is_some() {
            header.extend([
                "saving vs fully insured (se)".into(),
                "P(costs more)".into(),
            ]);
        }
        writeln!(s, "| {} |", header.join(" | "))?;
        let align: Vec<&str> = header
            .iter()
            .enumerate()
            .map(|(i, h)| {
                if i == 0 || h == "frontier" {
                    "---"
                } else {
                    "---:"
                }
            })
            .collect();
        writeln!(s, "|{}|", align.join("|"))?;
        for (i, c) in results.candidates.iter().enumerate() {
            let e = &c.employer_cost;
            let point = decision.and_then(|d| d.frontier.get(i));
            let recommended = decision.is_some_and(|d| d.recommended == c.label);
            let runner_up = decision.is_some_and(|d| d.runner_up.as_deref() == Some(&c.label));
            let label = if recommended {
                format!("**{}** (recommended)", cell(&c.label))
            } else if runner_up {
                format!("{} (runner-up)", cell(&c.label))
            } else {
                cell(&c.label)
            };
            let mut row = vec![
                label,
                dollars(e.mean),
                dollars(e.se),
                dollars(e.percentiles.p95),
                point.map_or("-".into(), |p| {
                    text::measure_plain(frontier_measure, p.risk.value)
                }),
            ];
            if let Some(m) = rule_measure {
                row.push(point.map_or("-".into(), |p| text::measure_plain(m, p.rule_risk.value)));
            }
            if let Some(p) = point {
                row.push(match p.vs_recommended {
                    Some(d) if !recommended => {
                        format!("{} ({})", Signed(d.mean_difference), dollars(d.se))
                    }
                    _ => "-".into(),
                });
                row.push(match &p.dominated_by {
                    None => "efficient".into(),
                    Some(by) => format!("dominated by {}", cell(by)),
                });
            }
            if let Some(fi) = fi {
                let f = &fi.candidates[i];
                row.push(format!(
                    "{} ({})",
                    Signed(f.expected_saving.mean),
                    dollars(f.expected_saving.se)
                ));
                row.push(crate::format::percent_small(
                    f.prob_self_funding_costs_more.mean,
                ));
            }
            writeln!(s, "| {} |", row.join(" | "))?;
        }
        if let Some(d) = decision {
            writeln!(s)?;
            for line in &d.summary {
                writeln!(s, "- {}", prose(line))?;
            }
        }
        s.push_str(&super::cash_flow::markdown_section(results));
        s.push_str(&super::parameter_risk::markdown_section(results));
        s.push_str(&super::model_risk::markdown_section(results));
        s.push_str(&super::projection::markdown_section(results));
        Ok(s.into_bytes())
    }
}

/// Dollars with an explicit sign.
struct Signed(f64);

impl std::fmt::Display for Signed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0.0 { "-" } else { "+" };
        write!(f, "{sign}{}", dollars(self.0.abs()))
    }
}
