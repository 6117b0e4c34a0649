//! `stoploss fit` and `stoploss fit-lag`: read, fit, and write every output
//! file in one atomic step after everything has succeeded (a bad listing
//! leaves no partial outputs).

use super::fit_args::{FitArgs, FitLagArgs};
use super::{output, EXIT_FAILED, EXIT_OK};
use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::path::Path;
use stoploss::fit::{self, component, credibility, lag, listing};
use stoploss::format::money;

/// `stoploss fit`.
pub fn fit(args: &FitArgs) -> u8 {
    report_outcome(run_fit(args))
}

/// `stoploss fit-lag`.
pub fn fit_lag(args: &FitLagArgs) -> u8 {
    report_outcome(run_fit_lag(args))
}

fn report_outcome(r: Result<Vec<String>>) -> u8 {
    match r {
        Ok(lines) => {
            for l in lines {
                println!("{l}");
            }
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            EXIT_FAILED
        }
    }
}

fn run_fit(args: &FitArgs) -> Result<Vec<String>> {
    let file = args.listing.display().to_string();
    let rows = listing::read_listing(&args.listing)?;
    let prep = listing::Preparation {
        threshold: args.threshold,
        trend: args.trend,
        // A month is its year's trend plus the months from 1 July.
        to_year: args.to_year.or(args.to_month.map(|(y, _)| y)),
        months: args.trend_months + args.to_month.map_or(0.0, |(_, m)| f64::from(m) - 7.0),
        open_factor: args.open_factor,
        limit: args.limit,
        full_listing: args.full_listing,
    };
    if let Some(l) = args.limit {
        if l <= args.threshold {
            bail!("--limit {l} must be above --threshold {}", args.threshold);
        }
    }
    let prepared = listing::prepare(&rows, &prep, &file)?;
    let reference = prepared
        .observations
        .iter()
        .map(|o| o.truncation)
        .fold(0.0, f64::max);
    let deductibles: Vec<f64> = if args.deductibles.is_empty() {
        let mut d: Vec<f64> = fit::STANDARD_DEDUCTIBLES
            .iter()
            .copied()
            .filter(|&d| d >= reference)
            .collect();
        if d.is_empty() {
            d.push(reference);
        }
        d
    } else {
        let mut d = args.deductibles.clone();
        d.sort_by(f64::total_cmp);
        d.dedup();
        d
    };
    let mut report = fit::fit_all(&prepared, &prep, &deductibles, args.seed);
    let amounts: Vec<f64> = prepared.observations.iter().map(|o| o.amount).collect();
    let exposure = args.members.map(|m| m * prepared.years as f64);
    report.credibility = credibility::specific_layers(
        &amounts,
        &deductibles,
        args.credibility_p,
        args.credibility_k,
        args.buhlmann_k.zip(exposure),
    );
    if let Some(path) = &args.manual {
        let manual = stoploss::config::load_manual(path)?;
        let mut all = amounts.clone();
        if args.full_listing {
            all.extend(prepared.body.iter().map(|o| o.amount));
        }
        report.manual = Some(fit::manual::report(
            &manual,
            &fit::manual::Experience {
                amounts: &all,
                full: args.full_listing,
                reference,
                years: prepared.years as f64,
                specific: &report.credibility,
                p: args.credibility_p,
                k: args.credibility_k,
                buhlmann: args.buhlmann_k.zip(exposure),
            },
        ));
    }
    let body = body(args, &report)?;
    let chosen = component::choose(&report.models);
    let component = chosen.and_then(|m| component::component(m, reference, &body));
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("fit.json", pretty_of(&report)?),
        (
            "fit.html",
            stoploss::report::fit_html(&report, &prepared.observations).into_bytes(),
        ),
    ];
    let mut lines = Vec::new();
    match &component {
        Some(c) => {
            component::check_loads(c)
                .map_err(|e| anyhow::anyhow!("the fitted component does not load: {e}"))?;
            files.push(("component.json", pretty(c)?));
        }
        None => lines.push("warning: neither the Pareto nor the GPD gives a finite-mean tail the config can express: no component.json".to_string()),
    }
    write_into(&args.out, &files)?;
    for m in &report.models {
        let params: Vec<String> = m
            .parameters
            .iter()
            .map(|(k, v)| format!("{k} {v:.6}"))
            .collect();
        lines.push(format!(
            "{:<9} {:<40} logL {:>10.4}  AIC {:>9.3}{}",
            m.family,
            params.join(", "),
            m.log_likelihood,
            m.aic,
            if m.acceptable { "  acceptable" } else { "" }
        ));
    }
    lines.push(report.model_risk.statement.clone());
    if let Some(m) = &report.manual {
        lines.push(format!(
            "manual rate: {} a year below the specific ({} PMPM; the factors scale {})",
            money(m.annual_below_specific),
            money(m.pmpm),
            m.scaling
        ));
        for l in &m.layers {
            lines.push(format!(
                "  at {}: specific manual {}, blended {} (Z {:.3}); below the specific blended {} (Z {:.3}), implied aggregate attachment {}",
                money(l.deductible),
                money(l.manual_specific),
                money(l.blended_specific),
                l.z_specific,
                money(l.blended_below),
                l.z_below,
                money(l.implied_aggregate_attachment)
            ));
        }
    }
    lines.extend(
        files
            .iter()
            .map(|(n, _)| format!("wrote {}", args.out.join(n).display())),
    );
    Ok(lines)
}

/// The body, frequency and tail probability of component.json: from the
/// flags, or from the body's fit of a full listing.
fn body(args: &FitArgs, report: &fit::FitReport) -> Result<component::Body> {
    let claimants_per_year = report.claimants_per_year;
    let mut b = component::Body {
        name: args.name.clone(),
        ..component::Body::default()
    };
    if let Some(s) = &args.body {
        b.severity = serde_json::from_str(s).context("--body is not JSON")?;
    }
    if let Some(s) = &args.frequency {
        b.frequency = serde_json::from_str(s).context("--frequency is not JSON")?;
    }
    if args.full_listing {
        let fitted = report.body.as_ref().context(
            "--full-listing needs at least 2 claimants below the threshold to fit the body",
        )?;
        let chosen = fitted
            .component_family
            .as_ref()
            .and_then(|f| fitted.models.iter().find(|m| &m.family == f))
            .context("no body fit is off its parameter bounds: give --body instead")?;
        b.severity =
            fit::body::severity(chosen).context("the body's family has no config spelling")?;
        b.tail_probability = fitted.tail_probability;
        if let (None, Some(m)) = (&args.frequency, args.members) {
            // Each row is a claimant's year: the share of members who claim.
            let p = (report.n + fitted.n) as f64 / (report.years as f64 * m);
            if !(p > 0.0 && p <= 1.0) {
                bail!("{} claimants a year among {m} members is more than one per member: with --full-listing each row is one claimant's year", (report.n + fitted.n) as f64 / report.years as f64);
            }
            b.frequency = json!({"bernoulli": {"p": p}});
        }
        return Ok(b);
    }
    b.tail_probability = match (args.tail_probability, args.members) {
        (Some(p), _) => p,
        (None, Some(m)) => {
            let claims = frequency_mean(&b.frequency).context(
                "--members needs a frequency with a mean (bernoulli p, poisson or negative_binomial mean)",
            )?;
            let p = claimants_per_year / (m * claims);
            if !(p > 0.0 && p < 1.0) {
                bail!("{claimants_per_year} claimants a year among {m} members with {claims} claims each gives a tail probability {p}, not between 0 and 1");
            }
            p
        }
        (None, None) => b.tail_probability,
    };
    Ok(b)
}

fn frequency_mean(f: &Value) -> Option<f64> {
    f.get("bernoulli")
        .and_then(|b| b.get("p"))
        .or_else(|| f.get("poisson").and_then(|p| p.get("mean")))
        .or_else(|| f.get("negative_binomial").and_then(|p| p.get("mean")))
        .and_then(Value::as_f64)
}

fn run_fit_lag(args: &FitLagArgs) -> Result<Vec<String>> {
    let file = args.triangle.display().to_string();
    let rows = lag::read_triangle(&args.triangle)?;
    let fit = lag::fit_lag(&rows, args.tail_factor, &file)?;
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("lag.json", pretty(&json!({"lag": {"pmf": fit.pmf}}))?),
        ("lag-report.json", pretty_of(&fit)?),
    ];
    write_into(&args.out, &files)?;
    let mut lines = vec![format!(
        "completion factors {}; total IBNR {:.2}",
        fit.completion_factors
            .iter()
            .map(|c| format!("{c:.4}"))
            .collect::<Vec<_>>()
            .join(", "),
        fit.total_ibnr
    )];
    lines.extend(
        files
            .iter()
            .map(|(n, _)| format!("wrote {}", args.out.join(n).display())),
    );
    Ok(lines)
}

fn pretty(v: &Value) -> Result<Vec<u8>> {
    let mut b = serde_json::to_vec_pretty(v)?;
    b.push(b'\n');
    Ok(b)
}

/// Creates `dir` if missing and writes `files` into it, all or none.
fn write_into(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    output::write_files_atomically(dir, files)
}

/// Pretty JSON of a report in its fields' declared order.
fn pretty_of<T: serde::Serialize>(v: &T) -> Result<Vec<u8>> {
    let mut b = serde_json::to_vec_pretty(v)?;
    b.push(b'\n');
    Ok(b)
}
