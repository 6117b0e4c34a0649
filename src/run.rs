//! Running a validated study end to end: [`run_study`] for a fixed number of
//! trials, [`run_study_to_target`] to extend a run until a precision target
//! is met.

mod precision;

pub use precision::{
    next_trials, run_study_to_target, PrecisionTarget, TargetFigure, TargetSe, TARGET_GROWTH,
};

use crate::evaluate::{evaluate, Evaluation};
use crate::model::Study;
use crate::report::{Meta, Results, TargetSeReport, SCHEMA_VERSION};
use crate::sim::{seed::RNG_NAME, simulate, BLOCK_TRIALS};
use std::time::Instant;

/// Simulates `study`, evaluates every candidate and returns the results.
/// `progress` is called (from worker threads) with trials completed per block.
pub fn run_study(study: &Study, progress: &(dyn Fn(u64) + Sync)) -> Results {
    let start = Instant::now();
    let columns = simulate(study, progress);
    let evaluation = evaluate(study, &columns);
    results(study, evaluation, start, study.trials, None)
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
    }
}
