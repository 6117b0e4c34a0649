//! The readable table printed after a run.

use super::{ExportError, Exporter};
use crate::format::dollars;
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
        write!(
            s,
            "{:<width$}  {:>13}  {:>11}  {:>13}  {:>13}  {:>13}  {:>7}",
            "candidate", "mean cost", se_header, "p95", "TVaR 99%", "max liability", "P(agg)"
        )?;
        if with_exact {
            write!(s, "  {:>14}", "max |z| vs exact")?;
        }
        writeln!(s)?;
        for c in &results.candidates {
            let e = &c.employer_cost;
            write!(
                s,
                "{:<width$}  {:>13}  {:>11}  {:>13}  {:>13}  {:>13}  {:>7}",
                printable(&c.label),
                dollars(e.mean),
                format!("({})", dollars(e.se)),
                dollars(e.percentiles.p95),
                dollars(e.tvar.p99),
                c.max_liability
                    .map(dollars)
                    .unwrap_or_else(|| "unbounded".into()),
                c.prob_aggregate_attaches
                    .map(|p| format!("{:.1}%", 100.0 * p.mean))
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
