//! Precision targets (`stoploss run --target-se`): after the initial trials,
//! whole trial blocks are added until the standard error of a chosen figure
//! is at most the target for every candidate, or a trial cap is reached.
//!
//! Blocks are seeded from `(seed, block)`, so a run extended to `n` trials
//! holds exactly the trials of a plain run of `n` trials, and its results are
//! bit-identical to that run's (apart from `meta`).

use super::results;
use crate::config::MAX_TRIALS;
use crate::evaluate::{evaluate, OptionExpectations, PairedColumns};
use crate::model::Study;
use crate::results::{CandidateResult, Results, TargetSeReport};
use crate::sim::{TrialColumns, BLOCK_TRIALS};
use crate::stats::Z95;
use std::fmt;
use std::str::FromStr;
use std::time::Instant;

/// Safety margin on the trial count predicted from `se ~ 1 / sqrt(n)`.
pub const TARGET_GROWTH: f64 = 1.1;

/// Default cap: this many times the initial trials (at most [`MAX_TRIALS`]).
const DEFAULT_CAP_FACTOR: u64 = 10;

/// The figure whose Monte Carlo standard error a precision target bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetFigure {
    /// `employer_cost.mean`, with `employer_cost.se`.
    Mean,
    /// `employer_cost.percentiles.p95`; its se is half the width of the 95%
    /// order-statistic interval over 1.96.
    P95,
    /// `employer_cost.percentiles.p99`, likewise.
    P99,
    /// `employer_cost.tvar.p99`, with `tvar_se.p99`.
    Tvar99,
    /// `aggregate_reimbursement.mean`, with its se; candidates without an
    /// aggregate are left out.
    AggregateReimbursement,
}

impl TargetFigure {
    /// The name used on the command line and in `meta.target_se.figure`.
    pub fn name(self) -> &'static str {
        match self {
            TargetFigure::Mean => "mean",
            TargetFigure::P95 => "p95",
            TargetFigure::P99 => "p99",
            TargetFigure::Tvar99 => "tvar99",
            TargetFigure::AggregateReimbursement => "aggregate_reimbursement",
        }
    }

    /// The figure's value and standard error for candidate `c`; `None` when
    /// the figure does not apply to it (aggregate reimbursement without an
    /// aggregate).
    pub fn estimate(self, c: &CandidateResult) -> Option<(f64, f64)> {
        let e = &c.employer_cost;
        let from_interval = |lo: f64, hi: f64| 0.5 * (hi - lo) / Z95;
        Some(match self {
            TargetFigure::Mean => (e.mean, e.se),
            TargetFigure::P95 => (
                e.percentiles.p95,
                from_interval(e.percentiles_ci95.p95.lo, e.percentiles_ci95.p95.hi),
            ),
            TargetFigure::P99 => (
                e.percentiles.p99,
                from_interval(e.percentiles_ci95.p99.lo, e.percentiles_ci95.p99.hi),
            ),
            TargetFigure::Tvar99 => (e.tvar.p99, e.tvar_se.p99),
            TargetFigure::AggregateReimbursement => {
                c.aggregate_label.as_ref()?;
                (c.aggregate_reimbursement.mean, c.aggregate_reimbursement.se)
            }
        })
    }
}

impl fmt::Display for TargetFigure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A target standard error: dollars, or a fraction of the figure's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TargetSe {
    /// Dollars (`2500`).
    Dollars(f64),
    /// A fraction of the figure (`0.05%` is `Relative(0.0005)`).
    Relative(f64),
}

impl TargetSe {
    /// The target in dollars for a figure of `value`.
    pub fn dollars_for(self, value: f64) -> f64 {
        match self {
            TargetSe::Dollars(d) => d,
            TargetSe::Relative(r) => r * value.abs(),
        }
    }
}

/// A `--target-se` that is neither a positive dollar amount nor a positive
/// percentage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a positive number of dollars (e.g. 2500) or a positive percentage of the figure (e.g. 0.05%), got `{given}`")]
pub struct ParseTargetSeError {
    /// The text given.
    pub given: String,
}

impl FromStr for TargetSe {
    type Err = ParseTargetSeError;

    /// `2500` (dollars) or `0.05%` (percent of the figure); positive and finite.
    fn from_str(s: &str) -> Result<Self, ParseTargetSeError> {
        let text = s.trim();
        let (number, relative) = match text.strip_suffix('%') {
            Some(n) => (n.trim_end(), true),
            None => (text, false),
        };
        let bad = || ParseTargetSeError {
            given: s.to_string(),
        };
        let x: f64 = number.parse().map_err(|_| bad())?;
        if !(x.is_finite() && x > 0.0) {
            return Err(bad());
        }
        Ok(if relative {
            TargetSe::Relative(x / 100.0)
        } else {
            TargetSe::Dollars(x)
        })
    }
}

/// Why a run to a precision target cannot start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TargetError {
    /// The trial cap is below the initial trials.
    #[error("--max-trials {cap} is below the {trials} trials of the initial run")]
    CapBelowTrials {
        /// The cap.
        cap: u64,
        /// The initial trials.
        trials: u64,
    },
    /// No candidate has the figure (an aggregate figure without aggregates).
    #[error("--target-figure {figure} applies to no candidate (no candidate has an aggregate)")]
    NoCandidate {
        /// The figure.
        figure: TargetFigure,
    },
}

/// What `--target-se`, `--target-figure` and `--max-trials` ask for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrecisionTarget {
    /// The target standard error.
    pub se: TargetSe,
    /// The figure it applies to.
    pub figure: TargetFigure,
    /// Most trials to run; default [`PrecisionTarget::cap`].
    pub max_trials: Option<u64>,
}

impl PrecisionTarget {
    /// The trial cap for a run that starts with `trials` trials: `max_trials`
    /// when given, else 10 times `trials`, at most [`MAX_TRIALS`] (and never
    /// below `trials`).
    pub fn cap(&self, trials: u64) -> u64 {
        self.max_trials.unwrap_or_else(|| {
            trials
                .saturating_mul(DEFAULT_CAP_FACTOR)
                .min(MAX_TRIALS)
                .max(trials)
        })
    }
}

/// The candidate furthest from the target in a set of results.
#[derive(Debug, Clone, PartialEq)]
struct Worst {
    label: String,
    /// Its standard error.
    se: f64,
    /// Its target in dollars.
    target: f64,
    /// `se / target`.
    ratio: f64,
    /// Whether every candidate's se is at most its target.
    reached: bool,
}

fn worst(candidates: &[CandidateResult], target: &PrecisionTarget) -> Result<Worst, TargetError> {
    let mut worst: Option<Worst> = None;
    let mut reached = true;
    for c in candidates {
        let Some((value, se)) = target.figure.estimate(c) else {
            continue;
        };
        let dollars = target.se.dollars_for(value);
        reached &= se <= dollars;
        let ratio = if se <= 0.0 {
            0.0
        } else if dollars > 0.0 {
            se / dollars
        } else {
            f64::INFINITY
        };
        if worst.as_ref().is_none_or(|w| ratio > w.ratio) {
            worst = Some(Worst {
                label: c.label.clone(),
                se,
                target: dollars,
                ratio,
                reached: true,
            });
        }
    }
    match worst {
        Some(w) => Ok(Worst { reached, ..w }),
        None => Err(TargetError::NoCandidate {
            figure: target.figure,
        }),
    }
}

/// The next trial count after `trials` when the worst standard error is
/// `ratio` times its target: `ceil(trials ratio^2 TARGET_GROWTH)` (from
/// `se ~ 1 / sqrt(n)`), rounded up to whole blocks, at least the next block
/// boundary above `trials`, at most `cap`.
pub fn next_trials(trials: u64, ratio: f64, cap: u64) -> u64 {
    let want = (trials as f64 * ratio * ratio * TARGET_GROWTH).ceil();
    let want = if want.is_finite() && want < cap as f64 {
        want as u64
    } else {
        cap
    };
    let at_least = (trials / BLOCK_TRIALS + 1) * BLOCK_TRIALS;
    want.max(at_least)
        .div_ceil(BLOCK_TRIALS)
        .saturating_mul(BLOCK_TRIALS)
        .min(cap)
}

/// Simulates `study`'s trials, then adds trial blocks until the standard
/// error of `target.figure` is at most the target for every candidate or the
/// cap is reached. The results are those of a plain run with the final trial
/// count (`meta.trials`), with `meta.target_se` telling how the target was met.
///
/// `progress` is called (from worker threads) with the trials each block
/// completed; `more` is called before each extension with the number of
/// trials it will simulate (a partial last block is simulated again in full).
///
/// Fails when the cap is below `study.trials` or when the figure applies to
/// no candidate.
pub fn run_study_to_target(
    study: &Study,
    target: &PrecisionTarget,
    progress: &(dyn Fn(u64) + Sync),
    more: &dyn Fn(u64),
) -> Result<Results, TargetError> {
    run_study_to_target_from(study, TrialColumns::default(), target, progress, more)
        .map(|(results, _)| results)
}

/// As [`run_study_to_target`], starting from `columns` that hold the first
/// trials of `study` (a saved state), first extended to `study.trials`;
/// returns the final columns with the results. The trial counts it goes
/// through, and so its results, are those of [`run_study_to_target`].
pub fn run_study_to_target_from(
    study: &Study,
    mut columns: TrialColumns,
    target: &PrecisionTarget,
    progress: &(dyn Fn(u64) + Sync),
    more: &dyn Fn(u64),
) -> Result<(Results, TrialColumns), TargetError> {
    let cap = target.cap(study.trials);
    if cap < study.trials {
        return Err(TargetError::CapBelowTrials {
            cap,
            trials: study.trials,
        });
    }
    if target.figure == TargetFigure::AggregateReimbursement
        && study
            .contract
            .candidates
            .iter()
            .all(|c| c.aggregate.is_none())
    {
        return Err(TargetError::NoCandidate {
            figure: target.figure,
        });
    }
    let start = Instant::now();
    let mut study = study.clone();
    let mut simulated = columns.extend_to(&study, study.trials, progress);
    loop {
        let evaluation = evaluate(&study, &columns);
        let w = worst(&evaluation.candidates, target)?;
        if w.reached || study.trials >= cap {
            let report = TargetSeReport {
                figure: target.figure.name().into(),
                target: w.target,
                relative: matches!(target.se, TargetSe::Relative(_)),
                relative_target: match target.se {
                    TargetSe::Relative(r) => Some(r),
                    TargetSe::Dollars(_) => None,
                },
                candidate: w.label,
                achieved: w.se,
                reached: w.reached,
                trials: study.trials,
                cap,
            };
            let mut r = results(&study, evaluation, start, simulated, Some(report));
            super::project(&study, &mut r);
            let expectations = OptionExpectations::from_columns(&study, &columns);
            super::decide(
                &study,
                &mut r,
                &PairedColumns {
                    study: &study,
                    columns: &columns,
                    expectations: &expectations,
                },
            );
            return Ok((r, columns));
        }
        drop(evaluation);
        let next = next_trials(study.trials, w.ratio, cap);
        more(next - study.trials / BLOCK_TRIALS * BLOCK_TRIALS);
        simulated += columns.extend_to(&study, next, progress);
        study.trials = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dollars_and_percentages() {
        assert_eq!("2500".parse(), Ok(TargetSe::Dollars(2500.0)));
        assert_eq!(" 12.5 ".parse(), Ok(TargetSe::Dollars(12.5)));
        assert_eq!("0.05%".parse(), Ok(TargetSe::Relative(0.0005)));
        assert_eq!("1 %".parse(), Ok(TargetSe::Relative(0.01)));
        for bad in [
            "abc", "-5", "0", "0%", "-1%", "%", "", "inf", "NaN", "5%%", "$100",
        ] {
            let e = bad.parse::<TargetSe>().unwrap_err();
            assert!(e.to_string().contains(&format!("`{bad}`")), "{bad}: {e}");
        }
    }

    #[test]
    fn relative_targets_scale_with_the_figure() {
        assert_eq!(TargetSe::Relative(0.01).dollars_for(-2_000.0), 20.0);
        assert_eq!(TargetSe::Dollars(7.0).dollars_for(1e9), 7.0);
    }

    #[test]
    fn next_trials_grows_by_whole_blocks_within_the_cap() {
        let b = BLOCK_TRIALS;
        // se twice the target: 4 x 1.1 x 2048 = 9011.2 -> 9 blocks.
        assert_eq!(next_trials(2 * b, 2.0, 100 * b), 9 * b);
        // Nearly there: still one more block.
        assert_eq!(next_trials(2 * b, 1.0001, 100 * b), 3 * b);
        // A partial block counts as the next block boundary.
        assert_eq!(next_trials(1500, 1.0, 100 * b), 2 * b);
        // The cap wins, even when it is not a whole number of blocks.
        assert_eq!(next_trials(2 * b, 50.0, 5000), 5000);
        assert_eq!(next_trials(2 * b, f64::INFINITY, 5000), 5000);
    }

    #[test]
    fn default_cap_is_ten_times_the_trials_within_the_limit() {
        let t = PrecisionTarget {
            se: TargetSe::Dollars(1.0),
            figure: TargetFigure::Mean,
            max_trials: None,
        };
        assert_eq!(t.cap(2_000), 20_000);
        assert_eq!(t.cap(50_000_000), MAX_TRIALS);
        assert_eq!(t.cap(MAX_TRIALS), MAX_TRIALS);
        let t = PrecisionTarget {
            max_trials: Some(3_000),
            ..t
        };
        assert_eq!(t.cap(2_000), 3_000);
    }
}
