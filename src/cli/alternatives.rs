//! `stoploss run ... --severity-alternatives fit.json`: the study rerun
//! under each acceptable fit of `stoploss fit`, on the same seed (common
//! random numbers: the spliced tail is drawn by inversion of the same
//! uniforms), to show how the recommendation moves with a choice of tail the
//! listing cannot make. Writes `alternatives.json` into the run's folder.
//!
//! Every spliced severity of the config gets the fit's tail at its own
//! threshold: the Pareto's `tail_alpha` (single-parameter Pareto above the
//! threshold, whatever the threshold), or a GPD with 0 < xi < 1 as
//! `tail_alpha = 1/xi`, `tail_theta = sigma/xi` (exact when the threshold is
//! the fit's reference threshold, the Lomax's shape kept otherwise).
//! Lognormal, gamma and Weibull tails are listed as skipped: the
//! simulator's spliced tail is a Pareto.
//!
//! The runs also go into the base run's `results.json`
//! (`severity_alternatives`), and its summary.md (and report.html, when
//! the run wrote one) are rewritten with a model-risk section, all files
//! together or none.

use super::output;
use super::plan::RunPlan;
use anyhow::{Context, Result};
use serde_json::{json, Value};
use std::path::Path;
use stoploss::config;
use stoploss::fit::FitReport;
use stoploss::report::{Exporter, HtmlExporter, JsonExporter, MarkdownExporter};
use stoploss::results::{AlternativeCost, AlternativeRun, Results, SeverityAlternatives};

/// Reruns the config at `config_path` under each acceptable fit in
/// `fit_path`, writes `dir/alternatives.json` and adds the runs to the
/// base run's results.json, summary.md and report.html; returns lines to
/// print.
pub fn run(
    config_path: &Path,
    fit_path: &Path,
    base: &Results,
    dir: &Path,
    plan: &RunPlan,
) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(fit_path)
        .with_context(|| format!("cannot read {}", fit_path.display()))?;
    let fit: FitReport = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a fit.json of `stoploss fit`", fit_path.display()))?;
    let raw = std::fs::read_to_string(config_path)
        .with_context(|| format!("cannot read {}", config_path.display()))?;
    let raw: Value = serde_json::from_str(&raw)?;
    let config_dir = config_path.parent().unwrap_or(Path::new("."));
    let mut runs = vec![typed("as configured", None, base)];
    let mut lines = Vec::new();
    let mut skipped = Vec::new();
    for m in fit.models.iter().filter(|m| m.acceptable) {
        let Some(tail) = stoploss::fit::component::tail(m) else {
            skipped.push(m.family.clone());
            continue;
        };
        let mut cfg = raw.clone();
        let swapped = swap_tails(&mut cfg, tail);
        if swapped == 0 {
            anyhow::bail!(
                "{} has no spliced severity whose tail the alternatives could replace",
                config_path.display()
            );
        }
        let study = config::parse_with(
            &cfg.to_string(),
            &config_path.display().to_string(),
            config_dir,
            &plan.load,
        )
        .with_context(|| format!("the {} tail does not load", m.family))?;
        let study = plan.study(&study).map_err(anyhow::Error::msg)?;
        let results = stoploss::run::run_study(&study, &|_| {});
        let run = typed(&m.family, Some(tail), &results);
        lines.push(format!(
            "under the {} tail: recommended {}",
            m.family,
            run.recommended.as_deref().unwrap_or("-")
        ));
        runs.push(run);
    }
    let entries: Vec<Value> = runs.iter().map(summary).collect();
    let out = json!({
        "fit": fit_path.display().to_string(),
        "seed": base.meta.seed,
        "runs": entries,
        "skipped": skipped,
        "note": "each run has the config's seed (common random numbers); lognormal, gamma and Weibull tails cannot be expressed by the simulator's spliced (Pareto) tail and are skipped",
    });
    let mut bytes = serde_json::to_vec_pretty(&out)?;
    bytes.push(b'\n');
    let mut with = base.clone();
    with.severity_alternatives = Some(SeverityAlternatives {
        fit: fit_path.display().to_string(),
        runs,
        skipped,
    });
    let mut files = vec![
        ("alternatives.json", bytes),
        ("results.json", JsonExporter.serialize(&with)?),
        ("summary.md", MarkdownExporter.serialize(&with)?),
    ];
    if dir.join("report.html").exists() {
        files.push(("report.html", HtmlExporter.serialize(&with)?));
    }
    output::write_files_atomically(dir, &files)?;
    lines.push(format!("wrote {}", dir.join("alternatives.json").display()));
    Ok(lines)
}

/// Sets `tail_alpha` (and `tail_theta`, or removes it) of every spliced
/// severity in the config; returns how many were set.
fn swap_tails(v: &mut Value, (alpha, theta): (f64, Option<f64>)) -> usize {
    match v {
        Value::Object(map) => {
            let mut n = 0;
            if let Some(Value::Object(s)) = map.get_mut("spliced") {
                s.insert("tail_alpha".into(), json!(alpha));
                match theta {
                    Some(t) => s.insert("tail_theta".into(), json!(t)),
                    None => s.remove("tail_theta"),
                };
                n += 1;
            }
            n + map
                .iter_mut()
                .filter(|(k, _)| k.as_str() != "spliced")
                .map(|(_, v)| swap_tails(v, (alpha, theta)))
                .sum::<usize>()
        }
        Value::Array(a) => a.iter_mut().map(|v| swap_tails(v, (alpha, theta))).sum(),
        _ => 0,
    }
}

/// The run under one tail, as results.json carries it.
fn typed(family: &str, tail: Option<(f64, Option<f64>)>, r: &Results) -> AlternativeRun {
    AlternativeRun {
        tail: family.into(),
        tail_alpha: tail.map(|t| t.0),
        tail_theta: tail.and_then(|t| t.1),
        recommended: r.decision.as_ref().map(|d| d.recommended.clone()),
        employer_cost: r
            .candidates
            .iter()
            .map(|c| AlternativeCost {
                label: c.label.clone(),
                cost: stoploss::results::Estimate {
                    mean: c.employer_cost.mean,
                    se: c.employer_cost.se,
                },
                specific_reimbursement: c.specific_reimbursement,
            })
            .collect(),
    }
}

/// A run as alternatives.json spells it (costs keyed by label).
fn summary(run: &AlternativeRun) -> Value {
    let costs: serde_json::Map<String, Value> = run
        .employer_cost
        .iter()
        .map(|c| {
            (
                c.label.clone(),
                json!({"mean": c.cost.mean, "se": c.cost.se}),
            )
        })
        .collect();
    json!({
        "tail": run.tail,
        "tail_alpha": run.tail_alpha,
        "tail_theta": run.tail_theta,
        "recommended": run.recommended,
        "employer_cost": costs,
    })
}
