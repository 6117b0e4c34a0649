//! Running a validated study end to end: [`run_study`] for a fixed number of
//! trials, [`run_study_to_target`] to extend a run until a precision target
//! is met, [`run_exact`] with the exact engine instead of the simulation,
//! and [`run_both`] to check one against the other.

mod precision;

pub use precision::{
    next_trials, run_study_to_target, run_study_to_target_from, ParseTargetSeError,
    PrecisionTarget, TargetError, TargetFigure, TargetSe, TARGET_GROWTH,
};

use crate::analysis::{analyze, assumptions, Differences, ExactBounds};
use crate::evaluate::{
    evaluate_with, population_summary, specific_option_summaries, CandidateTerms, Evaluation,
    OptionExpectations, PairedColumns,
};
use crate::exact::{comparison, exact_result, ExactOptions, ExactStudy};
use crate::model::Study;
use crate::results::{Estimate, Meta, Results, TargetSeReport, SCHEMA_VERSION};
use crate::sim::{seed::RNG_NAME, simulate, ColumnLayout, TrialColumns, BLOCK_TRIALS};
use rayon::prelude::*;
use std::time::Instant;

/// Simulates `study`, evaluates every candidate and returns the results.
/// `progress` is called (from worker threads) with trials completed per block.
pub fn run_study(study: &Study, progress: &(dyn Fn(u64) + Sync)) -> Results {
    let start = Instant::now();
    let columns = simulate(study, progress);
    decided_results(study, &columns, start, study.trials)
}

/// Adds the decision analysis (frontier, recommendation, fully insured
/// comparison) to `results` under the study's risk appetite, with the
/// differences between candidates from `differences`.
pub fn decide(study: &Study, results: &mut Results, differences: &dyn Differences) {
    results.decision = analyze(results, &study.decision, differences);
    let sane = crate::analysis::sanity::warnings(study, results, false);
    results.warnings.extend(sane);
}

/// As [`run_study`], starting from `columns` that hold the first trials of
/// `study` (none: [`TrialColumns::default`]; or a saved state), extended to
/// `study.trials` trials; returns the columns with the results. The results
/// are bit-identical to [`run_study`]'s (apart from timing in `meta`).
pub fn run_study_from(
    study: &Study,
    mut columns: TrialColumns,
    progress: &(dyn Fn(u64) + Sync),
) -> (Results, TrialColumns) {
    let start = Instant::now();
    let simulated = columns.extend_to(study, study.trials, progress);
    let r = decided_results(study, &columns, start, simulated);
    (r, columns)
}

/// With a multi-year projection: every candidate's projection block and the
/// run's summary, on the projection's own trials (the same seed and trial
/// count: a resumed or extended run gets the same figures).
fn project(study: &Study, r: &mut Results) {
    if study.projection.is_some() {
        let (candidates, summary) = crate::evaluate::projection::project(study, r);
        for (c, p) in r.candidates.iter_mut().zip(candidates) {
            c.projection = Some(p);
        }
        r.projection = Some(summary);
    }
}

/// Evaluates every candidate on `columns` and adds the decision analysis.
fn decided_results(
    study: &Study,
    columns: &TrialColumns,
    start: Instant,
    simulated: u64,
) -> Results {
    let expectations = OptionExpectations::from_columns(study, columns);
    let evaluation = evaluate_with(study, columns, expectations.clone());
    let mut r = results(study, evaluation, start, simulated, None);
    r.parameter_risk = parameter_risk_comparison(study, &r);
    project(study, &mut r);
    decide(
        study,
        &mut r,
        &PairedColumns {
            study,
            columns,
            expectations: &expectations,
        },
    );
    r
}

/// With `parameter_risk`: the same study with its parameters known (the
/// same seed and trials: the same claim stream without the shocks),
/// simulated and evaluated, beside `with`'s candidates.
fn parameter_risk_comparison(
    study: &Study,
    with: &Results,
) -> Option<crate::results::ParameterRiskComparison> {
    use crate::results::{
        ParameterRiskCandidate, ParameterRiskComparison, PosteriorSummary, VarianceSplit,
        VarianceSplits,
    };
    let risk = study.parameter_risk.as_ref()?;
    let known = Study {
        parameter_risk: None,
        ..study.clone()
    };
    let columns = simulate(&known, &|_| {});
    let without = crate::evaluate::evaluate(&known, &columns);
    // A mean's se is its sd over sqrt(trials).
    let root_n = (study.trials as f64).sqrt();
    let candidates = with
        .candidates
        .iter()
        .zip(&without.candidates)
        .map(|(w, k)| {
            let cost = VarianceSplit::new(w.employer_cost.sd, k.employer_cost.sd);
            ParameterRiskCandidate {
                label: w.label.clone(),
                mean_with: w.employer_cost.mean,
                mean_without: k.employer_cost.mean,
                sd_with: cost.sd_with,
                sd_without: cost.sd_without,
                tvar95_with: w.employer_cost.tvar.p95,
                tvar95_without: k.employer_cost.tvar.p95,
                parameter_variance_share: cost.parameter_share,
                specific_reimbursement: [
                    w.specific_reimbursement.mean,
                    k.specific_reimbursement.mean,
                ],
                aggregate_reimbursement: [
                    w.aggregate_reimbursement.mean,
                    k.aggregate_reimbursement.mean,
                ],
                variance_split: VarianceSplits {
                    employer_cost: cost,
                    specific_reimbursement: VarianceSplit::new(
                        w.specific_reimbursement.se * root_n,
                        k.specific_reimbursement.se * root_n,
                    ),
                    aggregate_reimbursement: VarianceSplit::new(
                        w.aggregate_reimbursement.se * root_n,
                        k.aggregate_reimbursement.se * root_n,
                    ),
                },
            }
        })
        .collect();
    let posterior = risk.posterior.as_ref().map(|p| {
        let names = p.family.parameter_names();
        let by_name = |v: &[f64]| {
            names
                .iter()
                .zip(v)
                .map(|(n, x)| (n.to_string(), *x))
                .collect()
        };
        PosteriorSummary {
            source: p.source.clone(),
            family: p.family.name().into(),
            estimates: by_name(&p.mean),
            se: by_name(&p.se),
            components: p.components.clone(),
            min_alpha: p.min_alpha,
            redrawn_share: p.redrawn_share(),
        }
    });
    Some(ParameterRiskComparison {
        frequency_cv: risk.frequency_cv,
        severity_cv: risk.severity_cv,
        posterior,
        candidates,
    })
}

/// Bytes a simulation of `study` holds at its peak: the per-trial columns
/// ([`ColumnLayout::bytes_per_trial`]: 8 bytes of gross claims, and per
/// specific option 8 of retained claims, 8 of aggregate-eligible claims
/// unless they equal the retained ones, and 2 or 4 of claimants), the baseline candidate's
/// costs (8), and per worker thread a candidate's claims and sorted costs
/// (16). Memory grows linearly in trials and in specific options; members
/// cost nothing per trial, and aggregate options only time.
/// With contract timing, each trial also keeps its figures by month (8
/// bytes per month of paid claims, and per specific option and per aggregate
/// column), each aggregate column's year-end figures (16), and per worker
/// a candidate's cumulative cash by month (8 per month), and 16 per
/// specific option for the blocks' join.
/// With a multi-year projection, each trial keeps per candidate path (with
/// and without a rider) its cost in every year and in all (8 each), and per
/// specific option its reimbursement in every year (8), counted twice for
/// the blocks' join.
pub fn memory_estimate(study: &Study, threads: usize) -> u64 {
    let options = study.contract.specific.len() as u64;
    let mut per_trial = ColumnLayout::of(study).bytes_per_trial() + 8 + 16 * threads as u64;
    if study.timing.is_some() {
        let months = crate::sim::dated::DatedKernel::new(study)
            .last_paid_month()
            .max(12) as u64;
        let columns = study.contract.aggregate_columns() as u64;
        per_trial += 8 * months * (1 + options + columns) + 8 * columns + 16 * options;
        per_trial += 8 * (months + 14) * threads as u64;
    }
    if let Some(p) = &study.projection {
        let years = u64::from(p.years);
        let paths = study.contract.candidates.len() as u64 * if p.rider.is_some() { 2 } else { 1 };
        per_trial += 2 * 8 * (paths * (years + 1) + options * years);
    }
    study.trials * per_trial + 64 * 1024 * 1024
}

/// A run refused before it starts because it would not fit in memory.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{trials} trials of {options} specific options need about {need_mib} MiB, more than the {available_mib} MiB this machine has available; run fewer trials (memory grows with trials x specific options)")]
pub struct MemoryError {
    /// Trials asked for.
    pub trials: u64,
    /// Specific options of the study.
    pub options: usize,
    /// The [`memory_estimate`], MiB.
    pub need_mib: u64,
    /// The [`available_memory`], MiB.
    pub available_mib: u64,
}

/// Refuses, before it starts, a simulation of `study` with `trials` trials
/// whose [`memory_estimate`] exceeds 90% of the [`available_memory`], with
/// a message giving both.
pub fn check_memory(study: &Study, trials: u64) -> Result<(), MemoryError> {
    let sized = Study {
        trials,
        ..study.clone()
    };
    let need = memory_estimate(&sized, rayon::current_num_threads());
    match available_memory() {
        Some(available) if need > available / 10 * 9 => Err(MemoryError {
            trials,
            options: study.contract.specific.len(),
            need_mib: need >> 20,
            available_mib: available >> 20,
        }),
        _ => Ok(()),
    }
}

/// Memory the system can give a new run, from `/proc/meminfo`
/// (`MemAvailable`); `None` where that cannot be read.
pub fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// How `stoploss run` computes the figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Monte Carlo simulation (the default).
    Simulate,
    /// The exact engine only.
    Exact,
    /// Both, with the z-score of each difference.
    Both,
}

impl Method {
    /// The name written to `meta.method`.
    pub fn name(self) -> &'static str {
        match self {
            Method::Simulate => "simulate",
            Method::Exact => "exact",
            Method::Both => "both",
        }
    }
}

/// The study computed by the exact engine alone: every figure's `se` is the
/// engine's error bound. Fails, naming the feature, when the engine cannot
/// represent a candidate.
pub fn run_exact(study: &Study, opts: &ExactOptions) -> Result<Results, ExactError> {
    let start = Instant::now();
    let computed = crate::exact::untimed_equivalent(study)
        .map_err(|reasons| ExactError::Unsupported { reasons })?;
    let exact = ExactStudy::compute(&computed, opts);
    let mut reasons: Vec<String> = Vec::new();
    for (s, o) in exact.options.iter().enumerate() {
        if let Err(reason) = o {
            reasons.push(format!("{}: {reason}", study.contract.specific[s].label));
        }
    }
    if !reasons.is_empty() {
        return Err(ExactError::Unsupported {
            reasons: reasons.join("; "),
        });
    }
    let expectations = exact.expectations(study);
    let candidates = study
        .contract
        .candidates
        .par_iter()
        .map(|c| {
            exact_result(
                &computed,
                &exact,
                c,
                &CandidateTerms::new(study, &expectations, c),
            )
        })
        .collect::<Result<Vec<_>, String>>()
        .map_err(|reasons| ExactError::Unsupported { reasons })?;
    let expected_gross = study.population.expected_gross_claims();
    let evaluation = Evaluation {
        population: population_summary(
            study,
            Estimate {
                mean: expected_gross,
                se: 0.0,
            },
        ),
        specific_options: specific_option_summaries(study, &expectations),
        candidates,
        warnings: study.warnings.clone(),
    };
    let mut r = results(study, evaluation, start, 0, None);
    r.meta.method = Method::Exact.name().into();
    r.meta.trials = 0;
    r.decision = analyze(&r, &study.decision, &ExactBounds(&r));
    let sane = crate::analysis::sanity::warnings(study, &r, false);
    r.warnings.extend(sane);
    Ok(r)
}

/// Why `--method exact` cannot run a study.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExactError {
    /// The engine cannot represent some specific options (each named with why).
    #[error("the exact engine cannot represent {reasons}; run with --method simulate, or --method both to compare the candidates it can represent")]
    Unsupported {
        /// `<option label>: <why>`, joined by `; `.
        reasons: String,
    },
}

/// The simulation with the exact engine beside it: where the engine can
/// represent a specific option, its exact expectations set the factor
/// attachments and priced premiums of both (so the two compare the same
/// contract), and every candidate carries an `exact` comparison.
pub fn run_both(study: &Study, opts: &ExactOptions, progress: &(dyn Fn(u64) + Sync)) -> Results {
    let start = Instant::now();
    // With contract timing the engine computes the untimed study it
    // reduces to, or says for every option why it cannot.
    let computed = crate::exact::untimed_equivalent(study);
    let exact = match &computed {
        Ok(equivalent) => ExactStudy::compute(equivalent, opts),
        Err(reason) => ExactStudy::unsupported(study, reason),
    };
    let computed = computed.as_ref().unwrap_or(study);
    let columns = simulate(study, progress);
    let mut expectations = OptionExpectations::from_columns(study, &columns);
    let from_exact = exact.expectations(study);
    for (s, o) in exact.options.iter().enumerate() {
        if o.is_ok() {
            expectations.aggregate_retained[s] = from_exact.aggregate_retained[s];
            expectations.specific_reimbursement[s] = from_exact.specific_reimbursement[s];
            expectations.specific_premium[s] = from_exact.specific_premium[s];
        }
    }
    if exact.options.iter().all(|o| o.is_ok()) {
        expectations.source = from_exact.source;
    } else {
        expectations.source = "exact engine where it applies, else Monte Carlo mean of this run";
    }
    let mut evaluation = evaluate_with(study, &columns, expectations.clone());
    study
        .contract
        .candidates
        .par_iter()
        .zip(&mut evaluation.candidates)
        .for_each(|(c, result)| {
            let terms = CandidateTerms::new(study, &expectations, c);
            result.exact = Some(comparison(
                computed,
                &exact,
                c,
                &terms,
                result,
                study.trials,
            ));
        });
    let mut r = results(study, evaluation, start, study.trials, None);
    r.meta.method = Method::Both.name().into();
    decide(
        study,
        &mut r,
        &PairedColumns {
            study,
            columns: &columns,
            expectations: &expectations,
        },
    );
    r
}

/// The results of `study` (whose `trials` is the final trial count) from
/// its evaluation. `simulated` counts every trial simulated on the way
/// (the speed in `meta`).
fn results(
    study: &Study,
    evaluation: Evaluation,
    start: Instant,
    simulated: u64,
    target_se: Option<TargetSeReport>,
) -> Results {
    let elapsed = start.elapsed().as_secs_f64();
    let member_years = simulated as f64 * study.population.member_count() as f64;
    Results {
        schema_version: SCHEMA_VERSION,
        name: study.name.clone(),
        meta: Meta {
            tool: "stoploss".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            method: Method::Simulate.name().into(),
            seed: study.seed,
            trials: study.trials,
            block_trials: BLOCK_TRIALS,
            rng: RNG_NAME.into(),
            threads: rayon::current_num_threads(),
            elapsed_seconds: elapsed,
            member_years_per_second: if elapsed > 0.0 {
                member_years / elapsed
            } else {
                0.0
            },
            target_se,
        },
        population: evaluation.population,
        specific_options: evaluation.specific_options,
        candidates: evaluation.candidates,
        warnings: evaluation.warnings,
        assumptions: Some(assumptions(study)),
        decision: None,
        parameter_risk: None,
        severity_alternatives: None,
        projection: None,
    }
}
