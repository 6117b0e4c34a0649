//! The parallel driver: fixed trial blocks, reduced in block order.

use super::dated::DatedKernel;
use super::kernel::{Kernel, TrialBuffers};
use super::parameter_risk::TrialShock;
use super::seed::block_rng;
use crate::contract::{apply_dated, apply_specific, MonthlyOutcome, MonthlyWork, TrialClaims};
use crate::model::Study;
use rayon::prelude::*;
use std::ops::Range;

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
    /// `aggregate_retained[k][i]`: the part of `retained` that counts toward
    /// the aggregate, per aggregate column `k`
    /// ([`crate::contract::Contract::aggregate_column`]; `k = s` without
    /// contract timing).
    pub aggregate_retained: Vec<Vec<f64>>,
    /// `claimants[s][i]`: members above their specific deductible.
    pub claimants: Vec<Vec<u32>>,
    /// With contract timing: the figures of every trial by month.
    pub monthly: Option<MonthlyColumns>,
}

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
    fn empty(months: usize, options: usize, columns: usize) -> Self {
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

    fn append(&mut self, other: MonthlyColumns) {
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

    fn truncate(&mut self, trials: usize) {
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

impl TrialColumns {
    /// Empty columns for `options` specific options, with room for `trials`
    /// trials (filled by appending, e.g. from saved states).
    pub fn with_capacity(trials: usize, options: usize) -> Self {
        TrialColumns {
            gross: Vec::with_capacity(trials),
            retained: (0..options).map(|_| Vec::with_capacity(trials)).collect(),
            aggregate_retained: (0..options).map(|_| Vec::with_capacity(trials)).collect(),
            claimants: (0..options).map(|_| Vec::with_capacity(trials)).collect(),
            monthly: None,
        }
    }

    /// Number of trials held.
    pub fn trials(&self) -> usize {
        self.gross.len()
    }

    /// Appends `other`'s trials after these (specific options must match;
    /// empty default columns take `other` as it is).
    pub fn append(&mut self, other: TrialColumns) {
        if self.gross.is_empty() && self.retained.is_empty() {
            *self = other;
            return;
        }
        assert_eq!(
            self.retained.len(),
            other.retained.len(),
            "columns of different specific options"
        );
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
        match (&mut self.monthly, other.monthly) {
            (Some(m), Some(o)) => m.append(o),
            (None, None) => {}
            _ => panic!("columns with and without months"),
        }
    }

    /// Keeps the first `trials` trials.
    pub fn truncate(&mut self, trials: usize) {
        self.gross.truncate(trials);
        for col in &mut self.retained {
            col.truncate(trials);
        }
        for col in &mut self.aggregate_retained {
            col.truncate(trials);
        }
        for col in &mut self.claimants {
            col.truncate(trials);
        }
        if let Some(m) = &mut self.monthly {
            m.truncate(trials);
        }
    }

    /// Extends columns holding the first trials of `study` to `trials`
    /// trials in all, bit-identical to [`simulate`] with `study.trials =
    /// trials`. A partial last block is dropped and simulated again in full
    /// (its first trials are the prefix of the whole block). `progress` is
    /// called after each block with the trials it simulated; the trials
    /// simulated in all are returned.
    pub fn extend_to(
        &mut self,
        study: &Study,
        trials: u64,
        progress: &(dyn Fn(u64) + Sync),
    ) -> u64 {
        let held = self.trials() as u64;
        assert!(trials >= held, "cannot extend {held} trials to {trials}");
        if trials == held {
            return 0;
        }
        let first = held / BLOCK_TRIALS;
        self.truncate((first * BLOCK_TRIALS) as usize);
        let more = simulate_blocks(
            study,
            first..trials.div_ceil(BLOCK_TRIALS),
            trials,
            progress,
        );
        let simulated = more.trials() as u64;
        self.append(more);
        simulated
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
    let mut all = TrialColumns {
        gross: vec![0.0; total],
        retained: vec![vec![0.0; total]; options],
        aggregate_retained: vec![vec![0.0; total]; options],
        claimants: vec![vec![0; total]; options],
        monthly: None,
    };
    let mut pieces: Vec<BlockSlices<'_>> = Vec::new();
    {
        let mut gross = all.gross.as_mut_slice();
        let mut retained: Vec<&mut [f64]> =
            all.retained.iter_mut().map(|c| c.as_mut_slice()).collect();
        let mut aggregate: Vec<&mut [f64]> = all
            .aggregate_retained
            .iter_mut()
            .map(|c| c.as_mut_slice())
            .collect();
        let mut claimants: Vec<&mut [u32]> =
            all.claimants.iter_mut().map(|c| c.as_mut_slice()).collect();
        for b in blocks {
            let n = block_len(b);
            let (head, tail) = std::mem::take(&mut gross).split_at_mut(n);
            gross = tail;
            pieces.push(BlockSlices {
                block: b,
                gross: head,
                retained: split_each(&mut retained, n),
                aggregate_retained: split_each(&mut aggregate, n),
                claimants: split_each(&mut claimants, n),
            });
        }
    }
    pieces.into_par_iter().for_each(|mut piece| {
        let mut rng = block_rng(study.seed, piece.block);
        let mut buffers = TrialBuffers::default();
        let mut claims = TrialClaims::default();
        for i in 0..piece.gross.len() {
            // Parameter risk: the trial's shock, from its own stream
            // (seed, block, trial); none drawn without the config block.
            let shock = study.parameter_risk.map_or(TrialShock::NONE, |p| {
                p.shock(study.seed, piece.block, i as u64)
            });
            kernel.simulate_trial_shocked(&mut rng, &mut buffers, &mut claims, &shock);
            piece.gross[i] = claims.gross;
            for (s, option) in specific.iter().enumerate() {
                let out = apply_specific(&option.terms, &claims, counting);
                piece.retained[s][i] = claims.gross - out.reimbursed;
                piece.aggregate_retained[s][i] = out.aggregate_retained;
                piece.claimants[s][i] = out.claimants;
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
    aggregate_retained: Vec<&'a mut [f64]>,
    claimants: Vec<&'a mut [u32]>,
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
            let mut part = TrialColumns::with_capacity(n, options);
            part.aggregate_retained = vec![Vec::with_capacity(n); columns];
            let mut monthly = MonthlyColumns::empty(months, options, columns);
            for i in 0..n {
                let shock = study
                    .parameter_risk
                    .map_or(TrialShock::NONE, |p| p.shock(study.seed, b, i as u64));
                kernel.simulate_trial(&mut rng, &shock, &mut claims);
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
                for k in 0..columns {
                    part.aggregate_retained[k].push(outcome.aggregate[k][months - 1]);
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
