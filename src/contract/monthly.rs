//! The contract arithmetic on dated claims, month by month: which claims
//! each option's basis counts, run-in limits, and the cumulative specific
//! reimbursement and counted aggregate retained claims at the end of every
//! paid month (the contract-timing engine).
//!
//! The specific layer of month `t` is [`apply_specific`] on the claims paid
//! by `t`: so the year-end figures are exactly the annual arithmetic on the
//! counted claims, and the months in between are what a carrier has
//! recognised by then.

use super::basis::Basis;
use super::specific::{apply_specific, LargeClaimant, TrialClaims};
use super::terms::{laser_of, Contract, Laser};

/// One claim amount with its dates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DatedClaim {
    /// Index of the member.
    pub member: u32,
    /// Dollars (after the member's severity scale).
    pub amount: f64,
    /// Incurral month (1 to 12 in the policy year; 0 and below: the prior year).
    pub incurred: i32,
    /// Paid month (1 or later).
    pub paid: i32,
    /// Counts toward the specific stop-loss.
    pub specific: bool,
    /// Counts toward the aggregate stop-loss.
    pub aggregate: bool,
}

impl DatedClaim {
    /// Incurred in the policy year (not run-in).
    #[inline]
    pub fn in_policy_year(&self) -> bool {
        (1..=12).contains(&self.incurred)
    }
}

/// A trial's contract figures by month `1..=months` (index `t - 1`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonthlyOutcome {
    /// Months held.
    pub months: usize,
    /// Claims the employer pays, by paid month: every claim of the policy
    /// year, and the run-in claims (prior-year incurrals paid from month 1).
    pub paid: Vec<f64>,
    /// `specific[s][t]`: specific reimbursement earned by the end of month
    /// `t + 1` under specific option `s` (after the ASD).
    pub specific: Vec<Vec<f64>>,
    /// Members over their deductible at the end, per specific option.
    pub claimants: Vec<u32>,
    /// `aggregate[k][t]`: counted aggregate-eligible retained claims by the
    /// end of month `t + 1`, per aggregate column `k`.
    pub aggregate: Vec<Vec<f64>>,
    /// Policy-year claims specific option `s` does not count.
    pub uncovered_specific: Vec<f64>,
    /// Policy-year claims neither specific option `s` nor the aggregate basis
    /// of column `k` counts.
    pub uncovered: Vec<f64>,
}

/// Reusable working space for [`apply_dated`].
#[derive(Debug, Clone, Default)]
pub struct MonthlyWork {
    /// Per aggregate basis: counted aggregate-eligible dollars and their
    /// run-in part, by paid month.
    aggregate: Vec<(Vec<f64>, Vec<f64>)>,
    /// Per large member, per specific option: counted dollars by month,
    /// run-in part; per (option, basis): the same for what both count, and
    /// the aggregate-eligible part of it.
    large: Vec<LargeMember>,
    claims: TrialClaims,
}

#[derive(Debug, Clone, Default)]
struct LargeMember {
    member: u32,
    laser: Option<Laser>,
    /// `[s]`: (counted by month, run-in by month).
    specific: Vec<(Vec<f64>, Vec<f64>)>,
    /// `[s * G + g]`: (counted by both, run-in of it, aggregate-eligible total).
    both: Vec<(Vec<f64>, Vec<f64>, f64)>,
}

/// Running sums of `by_month`, less the run-in over `limit`.
fn cumulate(by_month: &[f64], run_in: &[f64], limit: Option<f64>, out: &mut Vec<f64>) {
    out.clear();
    let (mut total, mut runin) = (0.0, 0.0);
    for (x, r) in by_month.iter().zip(run_in) {
        total += x;
        runin += r;
        let over = limit.map_or(0.0, |l| (runin - l).max(0.0));
        out.push(total - over);
    }
}

/// Applies every option of `contract` to one trial's dated `claims` (sorted
/// by member), month by month over `months` months, into `out`.
/// `threshold`: members whose specific-eligible claims are at most this can
/// reach no deductible. `lasers` sorted by member.
pub fn apply_dated(
    contract: &Contract,
    claims: &[DatedClaim],
    months: usize,
    threshold: f64,
    work: &mut MonthlyWork,
    out: &mut MonthlyOutcome,
) {
    let specific = &contract.specific;
    let bases = &contract.aggregate_bases;
    let (s_n, g_n) = (specific.len(), bases.len());
    let zeros = |v: &mut Vec<f64>| {
        v.clear();
        v.resize(months, 0.0);
    };
    out.months = months;
    zeros(&mut out.paid);
    out.specific.resize(s_n, Vec::new());
    out.aggregate.resize(s_n * g_n, Vec::new());
    out.claimants.clear();
    out.claimants.resize(s_n, 0);
    out.uncovered_specific.clear();
    out.uncovered_specific.resize(s_n, 0.0);
    out.uncovered.clear();
    out.uncovered.resize(s_n * g_n, 0.0);
    work.aggregate.resize(g_n, Default::default());
    for (a, r) in &mut work.aggregate {
        zeros(a);
        zeros(r);
    }
    let counts_s = |s: usize, c: &DatedClaim| {
        c.specific
            && specific[s].terms.deductible.is_finite()
            && specific[s].timing.basis.counts(c.incurred, c.paid)
    };
    let counts_g = |g: usize, c: &DatedClaim| c.aggregate && bases[g].counts(c.incurred, c.paid);
    let month = |c: &DatedClaim| (c.paid as usize - 1).min(months - 1);
    for c in claims {
        let t = month(c);
        out.paid[t] += c.amount;
        for (g, (a, r)) in work.aggregate.iter_mut().enumerate() {
            if counts_g(g, c) {
                a[t] += c.amount;
                if c.incurred < 1 {
                    r[t] += c.amount;
                }
            }
        }
        if c.in_policy_year() {
            for s in 0..s_n {
                let by_s = counts_s(s, c);
                if !by_s {
                    out.uncovered_specific[s] += c.amount;
                }
                for g in 0..g_n {
                    if !by_s && !counts_g(g, c) {
                        out.uncovered[s * g_n + g] += c.amount;
                    }
                }
            }
        }
    }
    // Members who may reach a deductible.
    let mut used = 0;
    let mut start = 0;
    while start < claims.len() {
        let member = claims[start].member;
        let end = start
            + claims[start..]
                .iter()
                .take_while(|c| c.member == member)
                .count();
        let mine = &claims[start..end];
        start = end;
        let total: f64 = mine.iter().filter(|c| c.specific).map(|c| c.amount).sum();
        if total <= threshold {
            continue;
        }
        if work.large.len() == used {
            work.large.push(LargeMember::default());
        }
        let m = &mut work.large[used];
        used += 1;
        m.member = member;
        m.laser = laser_of(&contract.lasers, member);
        m.specific.resize(s_n, Default::default());
        m.both.resize(s_n * g_n, Default::default());
        for (x, r) in &mut m.specific {
            zeros(x);
            zeros(r);
        }
        for (x, r, share) in &mut m.both {
            zeros(x);
            zeros(r);
            *share = 0.0;
        }
        for c in mine {
            let t = month(c);
            for s in 0..s_n {
                if !counts_s(s, c) {
                    continue;
                }
                let (x, r) = &mut m.specific[s];
                x[t] += c.amount;
                if c.incurred < 1 {
                    r[t] += c.amount;
                }
                for (g, basis) in bases.iter().enumerate() {
                    if basis.counts(c.incurred, c.paid) {
                        let (x, r, share) = &mut m.both[s * g_n + g];
                        x[t] += c.amount;
                        if c.incurred < 1 {
                            r[t] += c.amount;
                        }
                        if c.aggregate {
                            *share += c.amount;
                        }
                    }
                }
            }
        }
    }
    let large = &work.large[..used];
    let mut spec_cum: Vec<Vec<f64>> = vec![Vec::new(); used];
    let mut both_cum: Vec<Vec<f64>> = vec![Vec::new(); used];
    let mut agg_cum = Vec::new();
    for (s, option) in specific.iter().enumerate() {
        let limit = option.timing.run_in_limit;
        for (m, cum) in large.iter().zip(&mut spec_cum) {
            cumulate(&m.specific[s].0, &m.specific[s].1, limit, cum);
        }
        for g in 0..g_n {
            let k = s * g_n + g;
            let agg_limit = contract.aggregate_run_in_limits[g];
            let (a, r) = &work.aggregate[g];
            cumulate(a, r, agg_limit, &mut agg_cum);
            for (m, cum) in large.iter().zip(&mut both_cum) {
                cumulate(&m.both[k].0, &m.both[k].1, limit, cum);
            }
            let spec_out = &mut out.specific[s];
            let agg_out = &mut out.aggregate[k];
            if g == 0 {
                zeros(spec_out);
            }
            zeros(agg_out);
            for t in 0..months {
                work.claims.aggregate_eligible = agg_cum[t];
                work.claims.large.clear();
                for (i, m) in large.iter().enumerate() {
                    let both = both_cum[i][t];
                    let total = m.both[k].2;
                    let final_both = *both_cum[i].last().unwrap_or(&0.0);
                    work.claims.large.push(LargeClaimant {
                        member: m.member,
                        specific: spec_cum[i][t],
                        both,
                        aggregate_share: if final_both > 0.0 {
                            (total / final_both).min(1.0)
                        } else {
                            0.0
                        },
                        laser: m.laser,
                    });
                }
                let o = apply_specific(&option.terms, &work.claims, contract.counting);
                if g == 0 {
                    spec_out[t] = o.reimbursed;
                    if t + 1 == months {
                        out.claimants[s] = o.claimants;
                    }
                }
                agg_out[t] = o.aggregate_retained;
            }
        }
    }
}

/// The aggregate basis of column `k` (for labels and checks).
pub fn column_basis(contract: &Contract, k: usize) -> &Basis {
    &contract.aggregate_bases[k % contract.aggregate_bases.len()]
}
