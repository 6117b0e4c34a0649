//! Validation: raw config -> immutable [`Study`]. Every error names its JSON
//! path and what is allowed. One file per config section ([`claims`],
//! [`decision`], [`population`], [`stop_loss`]) over the shared number checks
//! ([`numbers`]); the sections see this module's imports (the raw types, the
//! model and the contract) through `use super::*`.

use super::limits::{self, text_problem, MAX_DESCRIPTION_CHARS, MAX_LABEL_CHARS, MAX_NAME_CHARS};
use super::raw::*;
use crate::contract::*;
use crate::dist::ParamError;
use crate::error::snippet;
use crate::error::{ConfigError, ErrorKind};
use crate::model::*;
use std::cell::RefCell;
use std::path::{Component, Path, PathBuf};

mod claims;
mod decision;
mod manual;
mod numbers;
mod parameter_risk;
mod population;
mod projection;
mod sanity;
mod stop_loss;
mod timing;

use claims::*;
use decision::*;
pub(crate) use manual::manual_rate;
use numbers::*;
use parameter_risk::parameter_risk;
use population::*;
use projection::projection;
pub use projection::{DEFAULT_MANUAL_TRIALS, DEFAULT_TIERS};
use stop_loss::*;
use timing::*;

/// Default number of trials when the config gives none.
pub const DEFAULT_TRIALS: u64 = 10_000;
/// Default master seed when the config gives none.
pub const DEFAULT_SEED: u64 = 1;
/// Most trials a config may ask for.
pub const MAX_TRIALS: u64 = 100_000_000;

/// Checks a number of trials (config, `--trials`, `--max-trials`):
/// 1 to [`MAX_TRIALS`]; the error says what is allowed.
pub fn check_trial_count(trials: u64) -> Result<u64, String> {
    if trials == 0 || trials > MAX_TRIALS {
        Err(format!("must be between 1 and {MAX_TRIALS}, got {trials}"))
    } else {
        Ok(trials)
    }
}
/// Most members a population may hold.
pub const MAX_MEMBERS: u64 = 10_000_000;
/// Largest empirical severity file read (bytes).
pub const MAX_DATA_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// Largest dollar amount a config may give (deductibles, attachments,
/// maxima, budgets): ten trillion dollars.
pub const MAX_DOLLARS: f64 = 1e13;
/// Largest mean claim amount of a severity, in dollars. With every
/// parameter bounded this way, the largest claim a sampler can draw, summed
/// over claims, members and trials, and squared for a variance, stays far
/// below the largest finite float.
pub const MAX_MEAN_CLAIM: f64 = 1e12;
/// Largest rate per employee per month (premiums, fees, monthly aggregate
/// factors), in dollars.
pub const MAX_RATE: f64 = 1e9;
/// Largest ratio of a negative binomial's variance to its mean: beyond it a
/// single member-year can draw tens of millions of claims.
pub const MAX_DISPERSION: f64 = 1e6;
/// Most claims a plan year of the whole population may expect: a trial
/// costs time in proportion to its claims.
pub const MAX_CLAIMS_PER_YEAR: f64 = 1e9;
/// Smallest target loss ratio.
pub const MIN_LOSS_RATIO: f64 = 0.01;
/// Tier of employees given as a plain count.
pub const COMPOSITE_TIER: &str = "composite";

pub(crate) struct Ctx<'a> {
    pub file: &'a str,
    pub dir: &'a Path,
    /// `--confine`: data files must lie under `dir`.
    pub confine: bool,
    /// Warnings found while reading data files, added to the study's.
    pub warnings: RefCell<Vec<String>>,
}

impl Ctx<'_> {
    /// The data file `given` (at JSON path `path`), resolved against the
    /// config's folder. With `--confine` it must stay under that folder:
    /// no absolute path, no `..`, no link that leads out of it.
    fn data_path(&self, path: &str, given: &str) -> Result<PathBuf, ConfigError> {
        let full = self.dir.join(given);
        if !self.confine {
            return Ok(full);
        }
        let leaves = Path::new(given)
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
        if leaves {
            return Err(self.err(
                path,
                format!(
                    "`{}` leaves the config's folder: with --confine, data files are given relative to it, without `..`",
                    snippet(given)
                ),
            ));
        }
        if let (Ok(root), Ok(real)) = (self.dir.canonicalize(), full.canonicalize()) {
            if !real.starts_with(&root) {
                return Err(self.err(
                    path,
                    format!(
                        "`{}` is a link that leads out of the config's folder, which --confine does not allow",
                        snippet(given)
                    ),
                ));
            }
        }
        Ok(full)
    }

    fn err(&self, path: impl Into<String>, msg: impl Into<String>) -> ConfigError {
        ConfigError::new(ErrorKind::Invalid, self.file, path, msg)
    }
    fn param(&self, path: &str, e: ParamError) -> ConfigError {
        self.err(format!("{path}.{}", e.field), e.message)
    }
}

/// Validates a parsed config. `file` is used in messages; relative paths
/// (census, empirical files) are resolved against `dir`.
pub(crate) fn validate(raw: RawConfig, ctx: &Ctx) -> Result<Study, ConfigError> {
    let name = raw.name.trim().to_string();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        || name.starts_with('.')
    {
        return Err(ctx.err(
            "name",
            format!("`{}` is not allowed: use letters, digits, '-', '_' and '.' (it names the output folder)", snippet(&raw.name)),
        ));
    }
    if name.len() > MAX_NAME_CHARS {
        return Err(ctx.err(
            "name",
            format!(
                "has {} characters; at most {MAX_NAME_CHARS} are allowed (it names the output folder, and file names are limited to 255 bytes)",
                name.len()
            ),
        ));
    }
    if let Some(d) = &raw.description {
        if let Some(problem) = text_problem(d, MAX_DESCRIPTION_CHARS, true) {
            return Err(ctx.err("description", problem));
        }
    }
    let timed = needs_timing(&raw);
    let client = raw.report.as_ref().and_then(|r| r.client.clone());
    if let Some(c) = &client {
        if let Some(problem) = text_problem(c, MAX_LABEL_CHARS, false) {
            return Err(ctx.err("report.client", problem));
        }
    }
    let trials = raw.trials.unwrap_or(DEFAULT_TRIALS);
    check_trial_count(trials).map_err(|message| ctx.err("trials", message))?;
    let trend = match raw.trend {
        None => Trend::NONE,
        Some(t) => {
            if !(t.annual.is_finite() && t.annual > -0.5 && t.annual <= 1.0) {
                return Err(ctx.err(
                    "trend.annual",
                    format!(
                        "must be a rate between -0.5 and 1 (0.07 for 7%), got {}",
                        t.annual
                    ),
                ));
            }
            if !(t.months.is_finite() && (0.0..=120.0).contains(&t.months)) {
                return Err(ctx.err(
                    "trend.months",
                    format!("must be between 0 and 120, got {}", t.months),
                ));
            }
            Trend {
                annual: t.annual,
                months: t.months,
            }
        }
    };
    let mut warnings = Vec::new();
    let population = population(&raw.population, ctx, trend, &mut warnings)?;
    let terminating = raw
        .timing
        .as_ref()
        .and_then(|t| t.terminating)
        .unwrap_or(false);
    let contract = contract(&raw.stop_loss, ctx, &population, terminating)?;
    let timing = if timed {
        let mut t = timing(ctx, raw.timing.as_ref(), trend)?;
        t.known_claims = known_claims(ctx, &raw.population, &population, &t.lag)?;
        Some(t)
    } else {
        None
    };
    let admin = match raw.fees.and_then(|f| f.admin_pepm) {
        None => Rate::Composite(0.0),
        Some(r) => rate(ctx, "fees.admin_pepm", &r, &population.enrollment)?,
    };
    let budget = raw
        .budget
        .map(|b| dollar_amount(ctx, "budget", b))
        .transpose()?;
    let fully_insured_premium = raw
        .fully_insured_premium
        .map(|b| dollar_amount(ctx, "fully_insured_premium", b))
        .transpose()?;
    let decision = decision(raw.decision.as_ref(), ctx, budget)?;
    let parameter_risk = parameter_risk(
        ctx,
        raw.parameter_risk.as_ref(),
        &population,
        raw.projection.is_some(),
    )?;
    let projection = projection(ctx, raw.projection.as_ref(), trend, &population, timed)?;
    warnings.extend(ctx.warnings.borrow_mut().drain(..));
    let mut study = Study {
        name,
        seed: raw.seed.unwrap_or(DEFAULT_SEED),
        trials,
        trend,
        population,
        contract,
        fees: Fees { admin_pepm: admin },
        budget,
        fully_insured_premium,
        description: raw.description,
        client,
        decision,
        warnings,
        timing,
        parameter_risk,
        projection,
    };
    limits::check_workload(&study).map_err(|e| ctx.err(e.field, e.message))?;
    let sane = sanity::warnings(&study);
    study.warnings.extend(sane);
    Ok(study)
}

/// Whether the config asks for contract timing anywhere: a `timing` block,
/// a basis, a component lag, known claims or a timed contract term.
fn needs_timing(raw: &RawConfig) -> bool {
    let stop_loss = &raw.stop_loss;
    raw.timing.is_some()
        || stop_loss.basis.is_some()
        || !raw.population.known_claims.is_empty()
        || raw
            .population
            .classes
            .iter()
            .any(|c| c.claims.iter().any(|k| k.lag.is_some()))
        || stop_loss.specific.iter().any(|o| {
            o.basis.is_some()
                || o.run_in_limit.is_some()
                || o.reimbursement_lag_months.is_some()
                || o.advance_funding.is_some()
        })
        || stop_loss.aggregate.iter().any(|o| {
            o.basis.is_some()
                || o.run_in_limit.is_some()
                || o.terminal_liability.is_some()
                || o.accommodation.is_some()
        })
}
