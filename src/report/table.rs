//! The readable table printed after a run.

use super::{ExportError, Exporter};
use crate::analysis::text;
use crate::format::{dollars, percent_small};
use crate::model::RiskMeasure;
use crate::results::Results;
use std::fmt::Write;

/// `s` for a terminal: control characters (escape sequences that clear the
/// screen or set the title) shown as `\u{1b}` instead of acting.
fn printable(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_unicode().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// A fixed-width text table of the headline figures per candidate.
#[derive(Debug, Default, Clone, Copy)]
pub struct TableExporter;

impl Exporter for TableExporter {
    fn serialize(&self, results: &Results) -> Result<Vec<u8>, ExportError> {
        let mut s = String::new();
        let exact_only = results.meta.method == "exact";
        let how = if exact_only {
            "exact engine".to_string()
        } else {
            format!("{} trials", results.meta.trials)
        };
        writeln!(
            s,
            "{}: {how}, {} members, {:.0} employees, seed {}",
            results.name,
            results.population.members,
            results.population.employees,
            results.meta.seed
        )?;
        let width = results
            .candidates
            .iter()
            .map(|c| c.label.len())
            .max()
            .unwrap_or(9)
            .max(9);
        let se_header = if results.meta.method == "exact" {
            "(bound)"
        } else {
            "(se)"
        };
        let with_exact = results.candidates.iter().any(|c| c.exact.is_some());
        // The rule's measure (TVaR 99% without a decision), and the
        // frontier's when it differs; p95 is always there (the 1-in-20 year).
        let d = results.decision.as_ref();
        let parse = |m: &str| m.parse::<RiskMeasure>().ok();
        let rule = d
            .and_then(|d| parse(&d.rule.risk_measure))
            .unwrap_or(RiskMeasure::TVAR99);
        let frontier = d
            .and_then(|d| parse(&d.rule.frontier_measure))
            .filter(|&m| m != rule);
        let measures: Vec<(RiskMeasure, bool)> = std::iter::once((rule, true))
            .chain(frontier.map(|m| (m, false)))
            .filter(|(m, _)| *m != RiskMeasure::Var(950))
            .collect();
        write!(
            s,
            "{:<width$}  {:>13}  {:>11}  {:>13}",
            "candidate", "mean cost", se_header, "p95"
        )?;
        for (m, _) in &measures {
            write!(s, "  {:>13}", m.describe())?;
        }
        write!(
            s,
            "  {:>13}  {:>16}  {:>7}",
            "max liability", "max liab.(market)", "P(agg)"
        )?;
        if with_exact {
            write!(s, "  {:>14}", "max |z| vs exact")?;
        }
        writeln!(s)?;
        for (i, c) in results.candidates.iter().enumerate() {
            let e = &c.employer_cost;
            write!(
                s,
                "{:<width$}  {:>13}  {:>11}  {:>13}",
                printable(&c.label),
                dollars(e.mean),
                format!("({})", dollars(e.se)),
                dollars(e.percentiles.p95),
            )?;
            let point = d.and_then(|d| d.frontier.get(i));
            for (m, is_rule) in &measures {
                let v = match point {
                    Some(p) if *is_rule => text::measure_plain(*m, p.rule_risk.value),
                    Some(p) => text::measure_plain(*m, p.risk.value),
                    None => dollars(e.tvar.p99),
                };
                write!(s, "  {v:>13}")?;
            }
            write!(
                s,
                "  {:>13}  {:>16}  {:>7}",
                c.max_liability
                    .map(dollars)
                    .unwrap_or_else(|| "unbounded".into()),
                c.market_max_liability()
                    .map(dollars)
                    .unwrap_or_else(|| "-".into()),
                c.prob_aggregate_attaches
                    .map(|p| percent_small(p.mean))
                    .unwrap_or_else(|| "-".into()),
            )?;
            if let Some(x) = &c.exact {
                match x.max_abs_z {
                    Some(z) => write!(s, "  {z:>16.2}")?,
                    None => write!(s, "  {:>16}", "not exact")?,
                }
            }
            if let Some(d) = &results.decision {
                if d.recommended == c.label {
                    write!(s, "  << recommended")?;
                } else if d.runner_up.as_deref() == Some(c.label.as_str()) {
                    write!(s, "  < runner-up")?;
                }
            }
            writeln!(s)?;
        }
        if let Some(d) = &results.decision {
            for line in &d.summary {
                writeln!(s, "{}", printable(line))?;
            }
        }
        if exact_only {
            writeln!(
                s,
                "{:.2} s on {} thread(s); (bound) is the exact engine's error bound",
                results.meta.elapsed_seconds, results.meta.threads
            )?;
        } else {
            writeln!(
                s,
                "{:.2} s, {:.1} million member-years/s on {} thread(s)",
                results.meta.elapsed_seconds,
                results.meta.member_years_per_second / 1e6,
                results.meta.threads
            )?;
        }
        Ok(s.into_bytes())
    }
}
