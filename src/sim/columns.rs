//! The per-trial outcomes a simulation keeps for the evaluation, stored as
//! compactly as their content allows: they are most of a run's memory
//! (at 1,000,000 trials, every byte per trial is a megabyte).

use super::driver::MonthlyColumns;
use super::{simulate_blocks, BLOCK_TRIALS};
use crate::model::Study;

/// How a study's [`TrialColumns`] are stored: decided from the study alone,
/// before any trial is drawn, so every part of a run (blocks, shards, saved
/// states) agrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnLayout {
    /// Specific options.
    pub options: usize,
    /// Aggregate columns stored (`None`: none, each equals its option's
    /// retained claims; see [`AggregateRetained::FromRetained`]).
    pub aggregate_columns: Option<usize>,
    /// Claimant counts need 32 bits (more members than fit in 16).
    pub wide_claimants: bool,
}

impl ColumnLayout {
    /// The layout of `study`'s columns.
    ///
    /// Aggregate-retained claims are `max(0, aggregate-eligible - what the
    /// specific carrier paid on them - dollars kept out of the aggregate)`
    /// ([`crate::contract::apply_specific`]). When every component counts
    /// toward both covers, a member's specific, both and total sums are the
    /// same additions, so the aggregate share is exactly 1 and that is
    /// `max(0, retained)` bit for bit, unless ASD dollars (with an ASD) or
    /// laser gaps (with lasers) are kept out. Contract timing always stores
    /// its columns (they are counted by month and basis).
    pub fn of(study: &Study) -> Self {
        let contract = &study.contract;
        let options = contract.specific.len();
        let all_in_both = study
            .population
            .profiles
            .iter()
            .flat_map(|p| &p.components)
            .all(|c| c.specific && c.aggregate);
        let asd_neutral = contract.counting.asd
            || contract
                .specific
                .iter()
                .all(|o| o.terms.aggregating_deductible == 0.0);
        let laser_neutral = contract.counting.laser_gap || contract.lasers.is_empty();
        let from_retained = study.timing.is_none() && all_in_both && asd_neutral && laser_neutral;
        let aggregate_columns = if from_retained {
            None
        } else if study.timing.is_some() {
            Some(contract.aggregate_columns())
        } else {
            Some(options)
        };
        ColumnLayout {
            options,
            aggregate_columns,
            wide_claimants: study.population.members.len() > usize::from(u16::MAX),
        }
    }

    /// Bytes each trial takes in columns of this layout (without months).
    pub fn bytes_per_trial(&self) -> u64 {
        let claimant = if self.wide_claimants { 4 } else { 2 };
        let aggregate = self.aggregate_columns.unwrap_or(0) as u64;
        8 + (8 + claimant) * self.options as u64 + 8 * aggregate
    }
}

/// The claims of each trial that count toward the aggregate, per aggregate
/// column ([`crate::contract::Contract::aggregate_column`]; `k = s` without
/// contract timing).
#[derive(Debug, Clone, PartialEq)]
pub enum AggregateRetained {
    /// Not stored: column `k` is `max(0, retained[k])` (see
    /// [`ColumnLayout::of`] for when that holds).
    FromRetained,
    /// `[k][i]`: column `k`, trial `i`.
    Columns(Vec<Vec<f64>>),
}

impl Default for AggregateRetained {
    fn default() -> Self {
        AggregateRetained::Columns(Vec::new())
    }
}

/// One aggregate column, stored or derived.
#[derive(Debug, Clone, Copy)]
pub enum AggregateView<'a> {
    /// Derived from this option's retained claims.
    Retained(&'a [f64]),
    /// Stored.
    Column(&'a [f64]),
}

impl AggregateView<'_> {
    /// Trial `i`'s aggregate-retained claims.
    #[inline]
    pub fn get(&self, i: usize) -> f64 {
        match self {
            // The same expression as `apply_specific`'s, on the same value.
            AggregateView::Retained(r) => r[i].max(0.0),
            AggregateView::Column(c) => c[i],
        }
    }

    /// Trials held.
    pub fn len(&self) -> usize {
        match self {
            AggregateView::Retained(c) | AggregateView::Column(c) => c.len(),
        }
    }

    /// Whether no trial is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every trial's value, in trial order.
    pub fn iter(&self) -> impl Iterator<Item = f64> + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }
}

impl<'a> AggregateView<'a> {
    /// The values as a slice: borrowed when stored, computed otherwise.
    pub fn to_cow(self) -> std::borrow::Cow<'a, [f64]> {
        match self {
            AggregateView::Column(c) => std::borrow::Cow::Borrowed(c),
            AggregateView::Retained(r) => {
                std::borrow::Cow::Owned(r.iter().map(|x| x.max(0.0)).collect())
            }
        }
    }
}

/// Members above their specific deductible in each trial, in the narrowest
/// width the population allows (a count never exceeds the members).
#[derive(Debug, Clone, PartialEq)]
pub enum Claimants {
    /// Populations of at most 65,535 members.
    U16(Vec<u16>),
    /// Larger populations.
    U32(Vec<u32>),
}

impl Default for Claimants {
    fn default() -> Self {
        Claimants::U32(Vec::new())
    }
}

impl Claimants {
    /// An empty column with room for `n` trials.
    pub fn with_capacity(n: usize, wide: bool) -> Self {
        if wide {
            Claimants::U32(Vec::with_capacity(n))
        } else {
            Claimants::U16(Vec::with_capacity(n))
        }
    }

    /// `n` zero counts.
    pub fn zeros(n: usize, wide: bool) -> Self {
        if wide {
            Claimants::U32(vec![0; n])
        } else {
            Claimants::U16(vec![0; n])
        }
    }

    /// Trial `i`'s count.
    #[inline]
    pub fn get(&self, i: usize) -> u32 {
        match self {
            Claimants::U16(c) => u32::from(c[i]),
            Claimants::U32(c) => c[i],
        }
    }

    /// Trials held.
    pub fn len(&self) -> usize {
        match self {
            Claimants::U16(c) => c.len(),
            Claimants::U32(c) => c.len(),
        }
    }

    /// Whether no trial is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends a count, widening the column if it does not fit (it cannot
    /// in a column sized by [`ColumnLayout::of`]; widening keeps it correct
    /// anyway).
    pub fn push(&mut self, x: u32) {
        match self {
            Claimants::U16(c) => match u16::try_from(x) {
                Ok(v) => c.push(v),
                Err(_) => {
                    self.widen();
                    self.push(x);
                }
            },
            Claimants::U32(c) => c.push(x),
        }
    }

    /// Appends `other`'s counts.
    pub fn extend_from(&mut self, other: &Claimants) {
        match (&mut *self, other) {
            (Claimants::U16(a), Claimants::U16(b)) => a.extend_from_slice(b),
            (Claimants::U32(a), Claimants::U32(b)) => a.extend_from_slice(b),
            (Claimants::U32(a), Claimants::U16(b)) => a.extend(b.iter().map(|&x| u32::from(x))),
            (Claimants::U16(_), Claimants::U32(b)) => {
                for &x in b {
                    self.push(x);
                }
            }
        }
    }

    /// Keeps the first `n` counts.
    pub fn truncate(&mut self, n: usize) {
        match self {
            Claimants::U16(c) => c.truncate(n),
            Claimants::U32(c) => c.truncate(n),
        }
    }

    /// The counts, in trial order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }

    /// The counts as 32-bit values (borrowed when stored that way).
    pub fn to_u32(&self) -> std::borrow::Cow<'_, [u32]> {
        match self {
            Claimants::U32(c) => std::borrow::Cow::Borrowed(c),
            Claimants::U16(c) => std::borrow::Cow::Owned(c.iter().map(|&x| u32::from(x)).collect()),
        }
    }

    fn widen(&mut self) {
        if let Claimants::U16(c) = self {
            *self = Claimants::U32(c.iter().map(|&x| u32::from(x)).collect());
        }
    }
}

/// A mutable share of one claimant column (one block's trials).
#[derive(Debug)]
pub(super) enum ClaimantSlice<'a> {
    U16(&'a mut [u16]),
    U32(&'a mut [u32]),
}

impl ClaimantSlice<'_> {
    #[inline]
    pub(super) fn set(&mut self, i: usize, x: u32) {
        match self {
            // A count never exceeds the members, which fit in 16 bits here.
            ClaimantSlice::U16(c) => c[i] = x.min(u32::from(u16::MAX)) as u16,
            ClaimantSlice::U32(c) => c[i] = x,
        }
    }
}

impl Claimants {
    /// The column as a mutable slice of its kind.
    pub(super) fn as_slice_mut(&mut self) -> ClaimantSlice<'_> {
        match self {
            Claimants::U16(c) => ClaimantSlice::U16(c),
            Claimants::U32(c) => ClaimantSlice::U32(c),
        }
    }
}

impl<'a> ClaimantSlice<'a> {
    /// Cuts the first `n` counts off.
    pub(super) fn split_off_front(&mut self, n: usize) -> ClaimantSlice<'a> {
        match self {
            ClaimantSlice::U16(c) => {
                let (head, tail) = std::mem::take(c).split_at_mut(n);
                *c = tail;
                ClaimantSlice::U16(head)
            }
            ClaimantSlice::U32(c) => {
                let (head, tail) = std::mem::take(c).split_at_mut(n);
                *c = tail;
                ClaimantSlice::U32(head)
            }
        }
    }
}

/// Per-trial outcomes, in trial order, for every specific option.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrialColumns {
    /// Gross claims per trial.
    pub gross: Vec<f64>,
    /// `retained[s][i]`: claims kept by the employer after specific option `s`, trial `i`.
    pub retained: Vec<Vec<f64>>,
    /// The part of `retained` that counts toward the aggregate, per
    /// aggregate column; read it with [`TrialColumns::aggregate`].
    pub aggregate_retained: AggregateRetained,
    /// `claimants[s]`: members above their specific deductible, per trial.
    pub claimants: Vec<Claimants>,
    /// With contract timing: the figures of every trial by month.
    pub monthly: Option<MonthlyColumns>,
}

impl TrialColumns {
    /// Empty columns of `layout`, with room for `trials` trials (filled by
    /// appending, e.g. from saved states).
    pub fn with_capacity(trials: usize, layout: &ColumnLayout) -> Self {
        let options = layout.options;
        TrialColumns {
            gross: Vec::with_capacity(trials),
            retained: (0..options).map(|_| Vec::with_capacity(trials)).collect(),
            aggregate_retained: match layout.aggregate_columns {
                None => AggregateRetained::FromRetained,
                Some(k) => {
                    AggregateRetained::Columns((0..k).map(|_| Vec::with_capacity(trials)).collect())
                }
            },
            claimants: (0..options)
                .map(|_| Claimants::with_capacity(trials, layout.wide_claimants))
                .collect(),
            monthly: None,
        }
    }

    /// Number of trials held.
    pub fn trials(&self) -> usize {
        self.gross.len()
    }

    /// Aggregate columns (stored or derived).
    pub fn aggregate_columns(&self) -> usize {
        match &self.aggregate_retained {
            AggregateRetained::FromRetained => self.retained.len(),
            AggregateRetained::Columns(c) => c.len(),
        }
    }

    /// Aggregate column `k` (panics when there is none such, as indexing).
    pub fn aggregate(&self, k: usize) -> AggregateView<'_> {
        match &self.aggregate_retained {
            AggregateRetained::FromRetained => AggregateView::Retained(&self.retained[k]),
            AggregateRetained::Columns(c) => AggregateView::Column(&c[k]),
        }
    }

    /// Every aggregate column, in order.
    pub fn aggregates(&self) -> impl Iterator<Item = AggregateView<'_>> + '_ {
        (0..self.aggregate_columns()).map(move |k| self.aggregate(k))
    }

    /// Appends `other`'s trials after these (specific options must match;
    /// empty columns take `other` as it is).
    pub fn append(&mut self, other: TrialColumns) {
        if self.gross.is_empty() && self.retained.iter().all(|c| c.capacity() == 0) {
            *self = other;
            return;
        }
        assert_eq!(
            self.retained.len(),
            other.retained.len(),
            "columns of different specific options"
        );
        // Other's aggregate columns, stored or derived, before its retained
        // columns are moved out.
        match &mut self.aggregate_retained {
            AggregateRetained::FromRetained => {}
            AggregateRetained::Columns(mine) => match other.aggregate_retained {
                AggregateRetained::Columns(theirs) => {
                    for (a, b) in mine.iter_mut().zip(theirs) {
                        a.extend_from_slice(&b);
                    }
                }
                AggregateRetained::FromRetained => {
                    for (a, r) in mine.iter_mut().zip(&other.retained) {
                        a.extend(r.iter().map(|x| x.max(0.0)));
                    }
                }
            },
        }
        self.gross.extend_from_slice(&other.gross);
        for (s, col) in other.retained.into_iter().enumerate() {
            self.retained[s].extend_from_slice(&col);
        }
        for (mine, theirs) in self.claimants.iter_mut().zip(&other.claimants) {
            mine.extend_from(theirs);
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
        if let AggregateRetained::Columns(cols) = &mut self.aggregate_retained {
            for col in cols {
                col.truncate(trials);
            }
        }
        for col in &mut self.claimants {
            col.truncate(trials);
        }
        if let Some(m) = &mut self.monthly {
            m.truncate(trials);
        }
    }

    /// Extends columns holding the first trials of `study` to `trials`
    /// trials in all, bit-identical to [`super::simulate`] with
    /// `study.trials = trials`. A partial last block is dropped and
    /// simulated again in full (its first trials are the prefix of the
    /// whole block). `progress` is called after each block with the trials
    /// it simulated; the trials simulated in all are returned.
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
