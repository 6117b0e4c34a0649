//! The multi-year projection of every candidate: each trial's plan years
//! drawn once ([`crate::sim::projection`]) and every candidate bought over
//! them, with and without the rider (common random numbers), renewed year
//! by year on the trial's own experience ([`path`]); then the figures of
//! [`crate::results::CandidateProjection`].

mod figures;
mod manual;
mod path;

pub use manual::{manual, Manual};
pub use path::{run_path, OptionTerms, PathOutcome, PathScratch, PathTerms, PathYear};

use crate::contract::renewal::DeductiblePolicy;
use crate::contract::{apply_specific, SpecificTerms};
use crate::model::Study;
use crate::results::{CandidateProjection, ManualRate, ProjectionSummary, Results};
use crate::sim::parameter_risk::TrialShock;
use crate::sim::projection::{projection_rng, ProjectedTrial, ProjectionKernel};
use crate::sim::BLOCK_TRIALS;
use figures::{BlockFigures, PathFigures};
use rayon::prelude::*;

/// `[s][y]`: specific option `s`'s terms in plan year `y + 1` under the
/// deductible policy, resolved once per run.
pub type YearTerms = Vec<Vec<SpecificTerms>>;

fn year_terms(study: &Study) -> YearTerms {
    let projection = study.projection.as_ref().expect("a projected study");
    study
        .contract
        .specific
        .iter()
        .map(|o| {
            (1..=projection.years)
                .map(|y| SpecificTerms {
                    deductible: projection
                        .deductible_policy
                        .deductible(o.terms.deductible, projection.trend_factor(y)),
                    ..o.terms
                })
                .collect()
        })
        .collect()
}

/// The lowest specific-eligible claims of a member that any year's
/// contract, renewal experience or laser trigger can look at.
fn threshold(study: &Study, year_terms: &YearTerms) -> f64 {
    let projection = study.projection.as_ref().expect("a projected study");
    let trigger = projection.renewal.laser.map_or(1.0, |l| l.trigger.min(1.0));
    let top_trend = projection.trend.iter().fold(0.0f64, |a, t| a.max(*t));
    year_terms
        .iter()
        .flatten()
        .map(|t| t.deductible)
        .fold(f64::INFINITY, f64::min)
        * trigger.min(1.0 / (1.0 + top_trend))
}

/// Projects every candidate of `study` (which must have a projection) whose
/// one-year results are `year_one`: the candidates' projection blocks, in
/// candidate order, and the run's summary.
pub fn project(study: &Study, year_one: &Results) -> (Vec<CandidateProjection>, ProjectionSummary) {
    let projection = study.projection.as_ref().expect("a projected study");
    let year_terms = year_terms(study);
    let kernel = ProjectionKernel::new(study, threshold(study, &year_terms));
    let manual = manual(study, &kernel, &year_terms);
    let contract = &study.contract;
    let tlr: Vec<Option<f64>> = year_one
        .specific_options
        .iter()
        .enumerate()
        .map(|(s, o)| {
            let premium = o.annual_premium;
            if premium > 0.0 && manual.reimbursement[s][0] > 0.0 {
                Some(
                    projection
                        .renewal
                        .target_loss_ratio
                        .unwrap_or(manual.reimbursement[s][0] / premium),
                )
            } else {
                None
            }
        })
        .collect();
    let variants = if projection.rider.is_some() { 2 } else { 1 };
    // Year 1's premiums and aggregate terms of specific option `s` with
    // aggregate choice `a`, from the candidate that buys them.
    let option_terms = |s: usize, a: Option<usize>| {
        contract
            .candidates
            .iter()
            .zip(&year_one.candidates)
            .find(|(c, _)| c.specific == s && c.aggregate == a)
            .map_or(
                OptionTerms {
                    premium: 0.0,
                    target_loss_ratio: None,
                    aggregate: None,
                },
                |(_, r)| OptionTerms {
                    premium: r.specific_premium.mean,
                    target_loss_ratio: tlr[s],
                    aggregate: a.map(|a| {
                        (
                            a,
                            r.aggregate_attachment.unwrap_or(f64::INFINITY),
                            r.aggregate_premium.mean,
                        )
                    }),
                },
            )
    };
    let rechoose = projection.deductible_policy == DeductiblePolicy::Rechosen;
    let terms: Vec<PathTerms> = contract
        .candidates
        .iter()
        .zip(&year_one.candidates)
        .flat_map(|(c, r)| {
            let options: Vec<OptionTerms> = (0..contract.specific.len())
                .map(|s| option_terms(s, c.aggregate))
                .collect();
            let (manual, year_terms) = (&manual, &year_terms);
            (0..variants).map(move |v| PathTerms {
                study,
                specific: c.specific,
                options: options.clone(),
                rechoose,
                fees: r.fees.mean,
                manual,
                year_terms,
                rider: projection.rider.as_ref().filter(|_| v == 0),
            })
        })
        .collect();
    let trials = study.trials;
    let blocks: Vec<u64> = (0..trials.div_ceil(BLOCK_TRIALS)).collect();
    let options = contract.specific.len();
    let years = projection.years as usize;
    let parts: Vec<BlockFigures> = blocks
        .into_par_iter()
        .map(|b| {
            let n = (trials - b * BLOCK_TRIALS).min(BLOCK_TRIALS) as usize;
            let mut rng = projection_rng(study.seed, b);
            let mut block = BlockFigures::new(terms.len(), options, years, n);
            let (mut trial, mut tiers) = (ProjectedTrial::default(), Vec::new());
            let (mut scratch, mut outcome) = (PathScratch::default(), PathOutcome::default());
            let mut unlasered = vec![vec![0.0; years]; options];
            for i in 0..n {
                let shock = study
                    .parameter_risk
                    .as_ref()
                    .map_or(TrialShock::NONE, |p| p.shock(study.seed, b, i as u64));
                kernel.simulate_trial(&mut rng, &shock, &mut tiers, &mut trial);
                for (s, u) in unlasered.iter_mut().enumerate() {
                    for (y, claims) in trial.years.iter().enumerate() {
                        let out = apply_specific(&year_terms[s][y], claims, contract.counting);
                        u[y] = out.reimbursed;
                    }
                }
                block.push_unlasered(&unlasered);
                for (k, t) in terms.iter().enumerate() {
                    run_path(t, &trial, &unlasered, &mut scratch, &mut outcome);
                    block.push(k, &outcome);
                }
            }
            block
        })
        .collect();
    let mut all = BlockFigures::join(parts);
    let candidates = (0..contract.candidates.len())
        .map(|c| {
            let s = contract.candidates[c].specific;
            let deductible = (0..years)
                .map(|y| Some(year_terms[s][y].deductible).filter(|d| d.is_finite()))
                .collect();
            let labels: Vec<&str> = contract.specific.iter().map(|o| o.label.as_str()).collect();
            let held = rechoose.then_some(labels.as_slice());
            let with = PathFigures::of(&mut all, c * variants, held);
            let without =
                (variants == 2).then(|| PathFigures::of(&mut all, c * variants + 1, held));
            figures::candidate(
                projection,
                deductible,
                with,
                without,
                all.leveraged_trend(s),
            )
        })
        .collect();
    let summary = ProjectionSummary {
        years: projection.years,
        trend: projection.trend.clone(),
        deductible_policy: projection.deductible_policy.name().into(),
        top_tier_stays: projection.persistence.as_ref().map(|p| {
            let top = p.tiers() - 1;
            p.transition[top][top]
        }),
        manual_trials: projection.manual_trials,
        manual: contract
            .specific
            .iter()
            .enumerate()
            .map(|(s, o)| ManualRate {
                specific_label: o.label.clone(),
                pure_premium: manual.reimbursement[s].clone(),
                expected_claimants: manual.claimants[s].clone(),
                credibility: manual.claimants[s]
                    .iter()
                    .map(|n| projection.renewal.credibility.z(*n))
                    .collect(),
                target_loss_ratio: tlr[s],
            })
            .collect(),
    };
    (candidates, summary)
}
