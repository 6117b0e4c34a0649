//! The manual rate: each specific option's expected reimbursement, claimant
//! count and aggregate-eligible retained claims in every projected year, at
//! that year's deductible and without renewal lasers. Estimated once per run
//! on the manual pass's own stream ([`crate::sim::projection::manual_rng`]),
//! so it is a fixed input to every trial's renewals, as a carrier's manual
//! rate is.

use super::YearTerms;
use crate::contract::apply_specific;
use crate::model::Study;
use crate::sim::parameter_risk::TrialShock;
use crate::sim::projection::{manual_rng, manual_shock_seed, ProjectedTrial, ProjectionKernel};
use crate::sim::BLOCK_TRIALS;
use crate::stats::Moments;
use rayon::prelude::*;

/// Expected figures per (specific option, year).
#[derive(Debug, Clone, PartialEq)]
pub struct Manual {
    /// `reimbursement[s][y]`: the manual pure premium.
    pub reimbursement: Vec<Vec<f64>>,
    /// `claimants[s][y]`: expected specific claimants.
    pub claimants: Vec<Vec<f64>>,
    /// `aggregate_retained[s][y]`: expected aggregate-eligible retained claims.
    pub aggregate_retained: Vec<Vec<f64>>,
}

/// Runs the manual pass of `study`'s projection with `kernel`, each
/// option's year under `year_terms`.
pub fn manual(study: &Study, kernel: &ProjectionKernel, year_terms: &YearTerms) -> Manual {
    let projection = study.projection.as_ref().expect("a projected study");
    let (years, options) = (projection.years as usize, study.contract.specific.len());
    let trials = projection.manual_trials;
    let blocks: Vec<u64> = (0..trials.div_ceil(BLOCK_TRIALS)).collect();
    let parts: Vec<Vec<[Moments; 3]>> = blocks
        .into_par_iter()
        .map(|b| {
            let n = (trials - b * BLOCK_TRIALS).min(BLOCK_TRIALS);
            let mut rng = manual_rng(study.seed, b);
            let mut acc = vec![[Moments::new(), Moments::new(), Moments::new()]; options * years];
            let (mut trial, mut tiers) = (ProjectedTrial::default(), Vec::new());
            for i in 0..n {
                let shock = study.parameter_risk.as_ref().map_or(TrialShock::NONE, |p| {
                    p.shock(manual_shock_seed(study.seed), b, i)
                });
                kernel.simulate_trial(&mut rng, &shock, &mut tiers, &mut trial);
                for (y, claims) in trial.years.iter().enumerate() {
                    for s in 0..options {
                        let out =
                            apply_specific(&year_terms[s][y], claims, study.contract.counting);
                        let a = &mut acc[s * years + y];
                        a[0].push(out.reimbursed);
                        a[1].push(f64::from(out.claimants));
                        a[2].push(out.aggregate_retained);
                    }
                }
            }
            acc
        })
        .collect();
    let mut total = vec![[Moments::new(), Moments::new(), Moments::new()]; options * years];
    for part in &parts {
        for (t, p) in total.iter_mut().zip(part) {
            for k in 0..3 {
                t[k].merge(&p[k]);
            }
        }
    }
    let figure = |k: usize| -> Vec<Vec<f64>> {
        (0..options)
            .map(|s| (0..years).map(|y| total[s * years + y][k].mean()).collect())
            .collect()
    };
    Manual {
        reimbursement: figure(0),
        claimants: figure(1),
        aggregate_retained: figure(2),
    }
}
