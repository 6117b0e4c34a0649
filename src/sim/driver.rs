//! The parallel driver: fixed trial blocks, reduced in block order.

use super::apply::{apply_specific, AggregateCounting};
use super::kernel::{Kernel, TrialClaims};
use super::seed::block_rng;
use crate::model::Study;
use rayon::prelude::*;

/// Trials per block. Part of the random stream's definition: changing it
/// changes results.
pub const BLOCK_TRIALS: u64 = 1024;

/// Per-trial outcomes, in trial order, for every specific option.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrialColumns {
    /// Gross claims per trial.
    pub gross: Vec<f64>,
    /// `retained[s][i]`: claims kept by the employer after specific option `s`, trial `i`.
    pub retained: Vec<Vec<f64>>,
    /// `aggregate_retained[s][i]`: the part of `retained` that counts toward the aggregate.
    pub aggregate_retained: Vec<Vec<f64>>,
    /// `claimants[s][i]`: members above their specific deductible.
    pub claimants: Vec<Vec<u32>>,
}

impl TrialColumns {
    fn with_capacity(specific_options: usize, trials: usize) -> Self {
        TrialColumns {
            gross: Vec::with_capacity(trials),
            retained: (0..specific_options)
                .map(|_| Vec::with_capacity(trials))
                .collect(),
            aggregate_retained: (0..specific_options)
                .map(|_| Vec::with_capacity(trials))
                .collect(),
            claimants: (0..specific_options)
                .map(|_| Vec::with_capacity(trials))
                .collect(),
        }
    }

    /// Number of trials held.
    pub fn trials(&self) -> usize {
        self.gross.len()
    }

    fn append(&mut self, other: TrialColumns) {
        self.gross.extend_from_slice(&other.gross);
        for (s, col) in other.retained.into_iter().enumerate() {
            self.retained[s].extend_from_slice(&col);
        }
        for (s, col) in other.aggregate_retained.into_iter().enumerate() {
            self.aggregate_retained[s].extend_from_slice(&col);
        }
        for (s, col) in other.claimants.into_iter().enumerate() {
            self.claimants[s].extend_from_slice(&col);
        }
    }
}

/// Simulates `study.trials` plan years and applies every specific option to
/// each. `progress` is called after each block with the trials it completed.
pub fn simulate(study: &Study, progress: &(dyn Fn(u64) + Sync)) -> TrialColumns {
    let trials = study.trials;
    let blocks = trials.div_ceil(BLOCK_TRIALS);
    let specific = &study.contract.specific;
    let threshold = specific
        .iter()
        .map(|o| o.terms.deductible)
        .fold(f64::INFINITY, f64::min);
    let kernel = Kernel::new(&study.population, &study.contract.lasers, threshold);
    let counting = AggregateCounting {
        asd: study.contract.asd_counts_toward_aggregate,
        laser_gap: study.contract.laser_gap_counts_toward_aggregate,
    };
    let parts: Vec<TrialColumns> = (0..blocks)
        .into_par_iter()
        .map(|b| {
            let n = (trials - b * BLOCK_TRIALS).min(BLOCK_TRIALS) as usize;
            let mut rng = block_rng(study.seed, b);
            let mut cols = TrialColumns::with_capacity(specific.len(), n);
            let mut claims = TrialClaims::default();
            for _ in 0..n {
                kernel.simulate_trial(&mut rng, &mut claims);
                cols.gross.push(claims.gross);
                for (s, option) in specific.iter().enumerate() {
                    let out = apply_specific(&option.terms, &claims, counting);
                    cols.retained[s].push(claims.gross - out.reimbursed);
                    cols.aggregate_retained[s].push(out.aggregate_retained);
                    cols.claimants[s].push(out.claimants);
                }
            }
            progress(n as u64);
            cols
        })
        .collect();
    let mut all = TrialColumns::with_capacity(specific.len(), trials as usize);
    for part in parts {
        all.append(part);
    }
    all
}
