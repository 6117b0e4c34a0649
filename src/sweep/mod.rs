//! Sensitivity sweeps: one config run over a list of values of numeric
//! parameters (`stoploss sweep`), each run with the same seed, and how the
//! recommendation and the key figures move.
//!
//! Every run uses the config's seed, so values that leave the population's
//! structure alone (trend, severity and frequency parameters, premiums,
//! attachments, budget) see the same random draws: common random numbers
//! across values. Changing member counts changes which draws each member
//! gets, so group-size sweeps compare independent samples.

mod export;
mod path;

pub use export::{sweep_csv, sweep_markdown, SWEEP_CSV_COLUMNS};
pub use path::{JsonPath, Step};

use crate::config;
use crate::error::ConfigError;
use crate::model::Study;
use crate::results::{Comparison, Estimate, Results, RiskValue};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A parameter and the values it takes, one per run.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepParam {
    /// Where in the config.
    pub path: JsonPath,
    /// Its values, one per run.
    pub values: Vec<f64>,
}

/// Why a sweep cannot start.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The base config is invalid.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// A parameter path does not lead to a number.
    #[error("{file}: --param {path}: {message}")]
    Path {
        /// The config file.
        file: String,
        /// The path given.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The value lists do not line up.
    #[error("{0}")]
    Values(String),
    /// A value makes the config invalid.
    #[error("with {assignment}: {error}")]
    Invalid {
        /// `path = value, ...`
        assignment: String,
        /// The validation error (naming the path).
        error: ConfigError,
    },
}

/// The studies of a sweep: for each run, the values set and the validated
/// study. Every value is checked before anything runs.
pub fn prepare(
    text: &str,
    file: &str,
    dir: &Path,
    params: &[SweepParam],
) -> Result<Vec<(Vec<f64>, Study)>, SweepError> {
    prepare_with(text, file, dir, params, &config::LoadOptions::default())
}

/// [`prepare`], reading the config with `options` (`--confine`).
pub fn prepare_with(
    text: &str,
    file: &str,
    dir: &Path,
    params: &[SweepParam],
    options: &config::LoadOptions,
) -> Result<Vec<(Vec<f64>, Study)>, SweepError> {
    config::parse_with(text, file, dir, options)?;
    let root: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| SweepError::Values(format!("{file}: {e}")))?;
    let Some(first) = params.first() else {
        return Err(SweepError::Values(
            "give at least one --param with its --values".into(),
        ));
    };
    let runs = first.values.len();
    if runs == 0 {
        return Err(SweepError::Values(format!(
            "--values for {} is empty",
            first.path
        )));
    }
    for p in params {
        p.path.check(&root).map_err(|message| SweepError::Path {
            file: file.to_string(),
            path: p.path.to_string(),
            message: message.to_string(),
        })?;
        if p.values.len() != runs {
            return Err(SweepError::Values(format!(
                "--param {} has {} values but --param {} has {runs}: every --param needs as many --values",
                p.path,
                p.values.len(),
                first.path
            )));
        }
    }
    let mut out = Vec::with_capacity(runs);
    for i in 0..runs {
        let mut v = root.clone();
        let values: Vec<f64> = params.iter().map(|p| p.values[i]).collect();
        let assignment = assignment(params, &values);
        for p in params {
            p.path
                .set(&mut v, p.values[i])
                .map_err(|message| SweepError::Path {
                    file: file.to_string(),
                    path: p.path.to_string(),
                    message: message.to_string(),
                })?;
        }
        let text = serde_json::to_string(&v).expect("a JSON value serializes");
        let study = config::parse_with(&text, file, dir, options).map_err(|mut error| {
            // Line and column would point into the edited copy, not the file.
            if let Some(i) = error.location.find(" (line ") {
                error.location.truncate(i);
            }
            SweepError::Invalid { assignment, error }
        })?;
        out.push((values, study));
    }
    Ok(out)
}

/// `path = value, ...` for messages.
pub fn assignment(params: &[SweepParam], values: &[f64]) -> String {
    params
        .iter()
        .zip(values)
        .map(|(p, v)| format!("{} = {v}", p.path))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One candidate in one run of a sweep.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SweepCandidate {
    /// Candidate label.
    pub label: String,
    /// Expected annual cost.
    pub mean: Estimate,
    /// The frontier's tail measure.
    pub risk: RiskValue,
    /// The rule's risk measure.
    pub rule_risk: RiskValue,
    /// 95th percentile of the annual cost.
    pub p95: f64,
    /// TVaR 99%.
    pub tvar99: f64,
    /// On the efficient frontier.
    pub efficient: bool,
    /// Fully insured premium less the expected cost (null without a premium).
    pub expected_saving: Option<Estimate>,
    /// Probability that self-funding costs more (null without a premium).
    pub prob_self_funding_costs_more: Option<Estimate>,
}

/// One run of a sweep.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SweepPoint {
    /// The value of each parameter, in `--param` order.
    pub values: Vec<f64>,
    /// Members simulated.
    pub members: usize,
    /// Employees (PEPM basis).
    pub employees: f64,
    /// Expected gross claims (closed form).
    pub expected_gross_claims: f64,
    /// Simulated mean gross claims.
    pub simulated_gross_claims: Estimate,
    /// The recommended candidate.
    pub recommended: String,
    /// Whether it meets the cap.
    pub meets_cap: bool,
    /// The runner-up.
    pub runner_up: Option<String>,
    /// The recommendation against the runner-up.
    pub comparison: Option<Comparison>,
    /// Every candidate's key figures.
    pub candidates: Vec<SweepCandidate>,
    /// The decision analysis in words.
    pub summary: Vec<String>,
}

/// `sweep.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SweepResults {
    /// Study name.
    pub name: String,
    /// The swept paths, in `--param` order.
    pub params: Vec<String>,
    /// Seed shared by every run.
    pub seed: u64,
    /// Trials per run (0 for the exact engine).
    pub trials: u64,
    /// `simulate`, `exact` or `both`.
    pub method: String,
    /// The recommendation rule in words.
    pub rule: String,
    /// The frontier's measure.
    pub frontier_measure: String,
    /// The rule's risk measure.
    pub risk_measure: String,
    /// One entry per value.
    pub points: Vec<SweepPoint>,
}

/// The key figures of one run.
pub fn point(values: Vec<f64>, r: &Results) -> SweepPoint {
    let d = r.decision.as_ref();
    let candidates = r
        .candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let f = d.and_then(|d| d.frontier.get(i));
            let fi = d
                .and_then(|d| d.fully_insured.as_ref())
                .map(|fi| &fi.candidates[i]);
            let nan = RiskValue {
                value: f64::NAN,
                se: None,
            };
            SweepCandidate {
                label: c.label.clone(),
                mean: Estimate {
                    mean: c.employer_cost.mean,
                    se: c.employer_cost.se,
                },
                risk: f.map_or(nan, |f| f.risk),
                rule_risk: f.map_or(nan, |f| f.rule_risk),
                p95: c.employer_cost.percentiles.p95,
                tvar99: c.employer_cost.tvar.p99,
                efficient: f.is_some_and(|f| f.efficient),
                expected_saving: fi.map(|f| f.expected_saving),
                prob_self_funding_costs_more: fi.map(|f| f.prob_self_funding_costs_more),
            }
        })
        .collect();
    SweepPoint {
        values,
        members: r.population.members,
        employees: r.population.employees,
        expected_gross_claims: r.population.expected_gross_claims,
        simulated_gross_claims: r.population.simulated_gross_claims,
        recommended: d.map(|d| d.recommended.clone()).unwrap_or_default(),
        meets_cap: d.is_some_and(|d| d.meets_cap),
        runner_up: d.and_then(|d| d.runner_up.clone()),
        comparison: d.and_then(|d| d.comparison.clone()),
        candidates,
        summary: d.map(|d| d.summary.clone()).unwrap_or_default(),
    }
}
