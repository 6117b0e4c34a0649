//! The readable table printed after a run.

use super::{Exporter, Results};
use std::fmt::Write;

/// A fixed-width text table of the headline figures per candidate.
#[derive(Debug, Default, Clone, Copy)]
pub struct TableExporter;

/// Dollars with thousands separators, rounded to the dollar.
pub fn dollars(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let neg = x < 0.0;
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if neg {
        format!("-{out}")
    } else {
        out
    }
}

impl Exporter for TableExporter {
    fn serialize(&self, results: &Results) -> anyhow::Result<Vec<u8>> {
        let mut s = String::new();
        writeln!(
            s,
            "{}: {} trials, {} members, {:.0} employees, seed {}",
            results.name,
            results.meta.trials,
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
        writeln!(
            s,
            "{:<width$}  {:>13}  {:>11}  {:>13}  {:>13}  {:>13}  {:>7}",
            "candidate", "mean cost", "(se)", "p95", "TVaR 99%", "max liability", "P(agg)"
        )?;
        for c in &results.candidates {
            let e = &c.employer_cost;
            writeln!(
                s,
                "{:<width$}  {:>13}  {:>11}  {:>13}  {:>13}  {:>13}  {:>7}",
                c.label,
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
        }
        writeln!(
            s,
            "{:.2} s, {:.1} million member-years/s on {} thread(s)",
            results.meta.elapsed_seconds,
            results.meta.member_years_per_second / 1e6,
            results.meta.threads
        )?;
        Ok(s.into_bytes())
    }
}
