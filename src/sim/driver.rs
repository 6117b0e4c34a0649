//! The parallel driver: fixed trial blocks, reduced in block order.

use super::columns::{AggregateRetained, ClaimantSlice, Claimants, ColumnLayout, TrialColumns};
use super::dated::DatedKernel;
use super::kernel::{Kernel, TrialBuffers};
use super::parameter_risk::TrialShock;
use super::posterior::PosteriorModel;
use super::seed::block_rng;
use crate::contract::{apply_dated, apply_specific, MonthlyOutcome, MonthlyWork, TrialClaims};
use crate::model::Study;
use rayon::prelude::*;
use std::ops::Range;

/// Trials per block. Part of the random stream's definition: changing it
/// changes results.
pub const BLOCK_TRIALS: u64 = 1024;

/// Per-trial figures by month, trial-major: trial `i`'s months are
/// `i * months .. (i + 1) * months` of each column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonthlyColumns {
    /// Months per trial.
    pub months: usize,
    /// Claims the employer pays, by month ([`MonthlyOutcome::paid`]).
    pub paid: Vec<f64>,
    /// `[s]`: cumulative specific reimbursement earned by each month's end.
    pub specific: Vec<Vec<f64>>,
    /// `[k]`: cumulative counted aggregate retained claims by each month's end.
    pub aggregate: Vec<Vec<f64>>,
    /// `[s][i]`: policy-year claims specific option `s` does not count.
    pub uncovered_specific: Vec<Vec<f64>>,
    /// `[k][i]`: policy-year claims neither the specific nor the aggregate of
    /// column `k` counts.
    pub uncovered: Vec<Vec<f64>>,
}

impl MonthlyColumns {
    pub(super) fn empty(months: usize, options: usize, columns: usize) -> Self {
        MonthlyColumns {
            months,
            paid: Vec::new(),
            specific: vec![Vec::new(); options],
            aggregate: vec![Vec::new(); columns],
            uncovered_specific: vec![Vec::new(); options],
            uncovered: vec![Vec::new(); columns],
        }
    }

    fn push(&mut self, o: &MonthlyOutcome) {
        self.paid.extend_from_slice(&o.paid);
        for (col, x) in self.specific.iter_mut().zip(&o.specific) {
            col.extend_from_slice(x);
        }
        for (col, x) in self.aggregate.iter_mut().zip(&o.aggregate) {
            col.extend_from_slice(x);
        }
        for (col, x) in self
            .uncovered_specific
            .iter_mut()
            .zip(&o.uncovered_specific)
        {
            col.push(*x);
        }
        for (col, x) in self.uncovered.iter_mut().zip(&o.uncovered) {
            col.push(*x);
        }
    }

    pub(super) fn append(&mut self, other: MonthlyColumns) {
        self.paid.extend(other.paid);
        let join = |a: &mut Vec<Vec<f64>>, b: Vec<Vec<f64>>| {
            for (x, y) in a.iter_mut().zip(b) {
                x.extend(y);
            }
        };
        join(&mut self.specific, other.specific);
        join(&mut self.aggregate, other.aggregate);
        join(&mut self.uncovered_specific, other.uncovered_specific);
        join(&mut self.uncovered, other.uncovered);
    }

    pub(super) fn truncate(&mut self, trials: usize) {
        let m = trials * self.months;
        self.paid.truncate(m);
        for c in self.specific.iter_mut().chain(&mut self.aggregate) {
            c.truncate(m);
        }
        for c in self
            .uncovered_specific
            .iter_mut()
            .chain(&mut self.uncovered)
        {
            c.truncate(trials);
        }
    }
}

/// Simulates `study.trials` plan years and applies every specific option to
/// each. `progress` is called after each block with the trials it completed.
pub fn simulate(study: &Study, progress: &(dyn Fn(u64) + Sync)) -> TrialColumns {
    let trials = study.trials;
    simulate_blocks(study, 0..trials.div_ceil(BLOCK_TRIALS), trials, progress)
}

/// Simulates the trial blocks `blocks` of a run of `trials` plan years (the
/// last block of the run may be partial) and applies every specific option
/// to each trial. The output holds those blocks' trials in trial order, the
/// same values as the matching part of [`simulate`]'s output for a run of
/// `trials` trials: block `b` always draws from `(study.seed, b)`.
/// `progress` is called after each block with the trials it completed.
pub fn simulate_blocks(
    study: &Study,
    blocks: Range<u64>,
    trials: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> TrialColumns {
    assert!(
        blocks.end <= trials.div_ceil(BLOCK_TRIALS),
        "blocks {blocks:?} lie beyond {trials} trials"
    );
    if study.timing.is_some() {
        return simulate_dated_blocks(study, blocks, trials, progress);
    }
    let specific = &study.contract.specific;
    let threshold = specific
        .iter()
        .map(|o| o.terms.deductible)
        .fold(f64::INFINITY, f64::min);
    let kernel = Kernel::new(&study.population, &study.contract.lasers, threshold);
    let counting = study.contract.counting;
    let block_len = |b: u64| (trials - b * BLOCK_TRIALS).min(BLOCK_TRIALS) as usize;
    let total: usize = blocks.clone().map(block_len).sum();
    let options = specific.len();
    // Every column is allocated once at full length and cut into one slice
    // per block, which the block fills in place: no per-block copies, so the
    // peak memory is the columns themselves.
    let layout = ColumnLayout::of(study);
    let mut all = TrialColumns {
        gross: vec![0.0; total],
        retained: vec![vec![0.0; total]; options],
        aggregate_retained: match layout.aggregate_columns {
            None => AggregateRetained::FromRetained,
            Some(k) => AggregateRetained::Columns(vec![vec![0.0; total]; k]),
        },
        claimants: (0..options)
            .map(|_| Claimants::zeros(total, layout.wide_claimants))
            .collect(),
        monthly: None,
    };
    let mut pieces: Vec<BlockSlices<'_>> = Vec::new();
    {
        let mut gross = all.gross.as_mut_slice();
        let mut retained: Vec<&mut [f64]> =
            all.retained.iter_mut().map(|c| c.as_mut_slice()).collect();
        let mut aggregate: Option<Vec<&mut [f64]>> = match &mut all.aggregate_retained {
            AggregateRetained::FromRetained => None,
            AggregateRetained::Columns(c) => Some(c.iter_mut().map(|c| c.as_mut_slice()).collect()),
        };
        let mut claimants: Vec<ClaimantSlice<'_>> =
            all.claimants.iter_mut().map(|c| c.as_slice_mut()).collect();
        for b in blocks {
            let n = block_len(b);
            let (head, tail) = std::mem::take(&mut gross).split_at_mut(n);
            gross = tail;
            pieces.push(BlockSlices {
                block: b,
                gross: head,
                retained: split_each(&mut retained, n),
                aggregate_retained: aggregate.as_mut().map(|a| split_each(a, n)),
                claimants: claimants.iter_mut().map(|c| c.split_off_front(n)).collect(),
            });
        }
    }
    pieces.into_par_iter().for_each(|mut piece| {
        let mut rng = block_rng(study.seed, piece.block);
        let mut buffers = TrialBuffers::default();
        let mut claims = TrialClaims::default();
        // Posterior-predictive tails: this worker's copy of the claim model,
        // its tails rewritten per trial.
        let mut posterior = PosteriorModel::of_study(study);
        for i in 0..piece.gross.len() {
            // Parameter risk: the trial's shock, from its own stream
            // (seed, block, trial); none drawn without the config block.
            let shock = study.parameter_risk.as_ref().map_or(TrialShock::NONE, |p| {
                p.shock(study.seed, piece.block, i as u64)
            });
            match (&mut posterior, shock.tail) {
                (Some(model), Some(tail)) => {
                    model.set(tail);
                    kernel.simulate_trial_in(
                        model.view(),
                        &mut rng,
                        &mut buffers,
                        &mut claims,
                        &shock,
                    );
                }
                _ => kernel.simulate_trial_shocked(&mut rng, &mut buffers, &mut claims, &shock),
            }
            piece.gross[i] = claims.gross;
            for (s, option) in specific.iter().enumerate() {
                let out = apply_specific(&option.terms, &claims, counting);
                piece.retained[s][i] = claims.gross - out.reimbursed;
                if let Some(a) = &mut piece.aggregate_retained {
                    a[s][i] = out.aggregate_retained;
                }
                piece.claimants[s].set(i, out.claimants);
            }
        }
        progress(piece.gross.len() as u64);
    });
    all
}

/// One block's share of every column.
struct BlockSlices<'a> {
    block: u64,
    gross: &'a mut [f64],
    retained: Vec<&'a mut [f64]>,
    /// `None`: not stored ([`AggregateRetained::FromRetained`]).
    aggregate_retained: Option<Vec<&'a mut [f64]>>,
    claimants: Vec<ClaimantSlice<'a>>,
}

/// Cuts the first `n` elements off each slice.
fn split_each<'a, T>(slices: &mut [&'a mut [T]], n: usize) -> Vec<&'a mut [T]> {
    slices
        .iter_mut()
        .map(|slice| {
            let (head, tail) = std::mem::take(slice).split_at_mut(n);
            *slice = tail;
            head
        })
        .collect()
}

/// [`simulate_blocks`] for a study with contract timing: dated claims, every
/// option applied month by month ([`apply_dated`]).
fn simulate_dated_blocks(
    study: &Study,
    blocks: Range<u64>,
    trials: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> TrialColumns {
    let contract = &study.contract;
    let kernel = DatedKernel::new(study);
    let months = kernel.last_paid_month().max(12) as usize;
    let threshold = contract
        .specific
        .iter()
        .map(|o| o.terms.deductible)
        .fold(f64::INFINITY, f64::min);
    let (options, columns) = (contract.specific.len(), contract.aggregate_columns());
    let layout = ColumnLayout::of(study);
    let block_len = |b: u64| (trials - b * BLOCK_TRIALS).min(BLOCK_TRIALS) as usize;
    let parts: Vec<TrialColumns> = blocks
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|b| {
            let n = block_len(b);
            let mut rng = block_rng(study.seed, b);
            let mut claims = Vec::new();
            let mut work = MonthlyWork::default();
            let mut outcome = MonthlyOutcome::default();
            let mut part = TrialColumns::with_capacity(n, &layout);
            let mut monthly = MonthlyColumns::empty(months, options, columns);
            let mut posterior = PosteriorModel::of_study(study);
            for i in 0..n {
                let shock = study
                    .parameter_risk
                    .as_ref()
                    .map_or(TrialShock::NONE, |p| p.shock(study.seed, b, i as u64));
                match (&mut posterior, shock.tail) {
                    (Some(model), Some(tail)) => {
                        model.set(tail);
                        kernel.simulate_trial_in(model.profiles(), &mut rng, &shock, &mut claims);
                    }
                    _ => kernel.simulate_trial(&mut rng, &shock, &mut claims),
                }
                apply_dated(
                    contract,
                    &claims,
                    months,
                    threshold,
                    &mut work,
                    &mut outcome,
                );
                let gross: f64 = outcome.paid.iter().sum();
                part.gross.push(gross);
                for s in 0..options {
                    part.retained[s].push(gross - outcome.specific[s][months - 1]);
                    part.claimants[s].push(outcome.claimants[s]);
                }
                if let AggregateRetained::Columns(agg) = &mut part.aggregate_retained {
                    for (col, by_month) in agg.iter_mut().zip(&outcome.aggregate) {
                        col.push(by_month[months - 1]);
                    }
                }
                monthly.push(&outcome);
            }
            part.monthly = Some(monthly);
            progress(n as u64);
            part
        })
        .collect();
    let mut all = TrialColumns::default();
    for part in parts {
        all.append(part);
    }
    all
}
