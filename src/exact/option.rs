//! The distribution of a group's retained claims under one specific option.

use super::lattice::{compound, convolve, discretize, map, sum_independent};
use super::measures::{LatticeDist, TailLookup, Tails};
use crate::contract::{Laser, SpecificTerms};
use crate::model::{ClaimComponent, Study};
use std::collections::BTreeMap;

/// Expected number of claims beyond a member's lattice first accepted as
/// truncation (the expected claims beyond it are added to the bounds); it
/// is lowered where that truncation alone keeps a figure from the
/// tolerance.
pub const MEMBER_TAIL: f64 = 1e-7;

/// What one lattice step gives for a specific option.
#[derive(Debug, Clone)]
pub struct OptionPass {
    /// Lattice step.
    pub h: f64,
    /// pmf of aggregate-eligible retained claims of the group.
    pub aggregate_retained: Vec<f64>,
    /// pmf of claims outside both covers (components counting toward neither).
    pub outside: Vec<f64>,
    /// Expected retained claims of the specific-eligible components, summed.
    pub expected_specific_retained: f64,
    /// Expected members above their deductible.
    pub claimants: f64,
    /// Probability mass lost off the end of the group lattices.
    pub lost_mass: f64,
    /// An estimate of the expected claims above the caps of unbounded member
    /// lattices (lumped at the caps): `E[N] E[(scale X - cap)+]` summed.
    pub truncated_excess: f64,
    /// The aggregate-eligible part of it, lattice by lattice: `(cap,
    /// excess)`, the amount at which a member's aggregate-eligible lattice
    /// is cut and the expected claims beyond it, summed over the members
    /// sharing it. A cut at or above an aggregate attachment with no
    /// maximum leaves the claims kept after the aggregate unchanged (the
    /// group total is then above the attachment on the lattice and off it
    /// alike); the rest of `truncated_excess` is the outside claims'.
    pub truncated_parts: Vec<(f64, f64)>,
    /// Most points of a member lattice.
    pub member_points: usize,
    /// Whether the members' amounts above their deductibles have no atoms
    /// (no discrete severity): claimants are then of order `h^2`.
    pub claims_continuous: bool,
    /// An upper bound on the mass of the atoms above zero of the
    /// aggregate-eligible total, and of the outside total.
    pub atoms: [f64; 2],
    /// Whether any member has a finite deductible. Without one the
    /// specific reimbursement is exactly zero: the difference of the
    /// expected claims and the lattice's retained claims is then only the
    /// truncation of the lattice, not a reimbursement to bound.
    pub specific_applies: bool,
}

/// Members with identical claim distributions and deductibles.
#[derive(Debug, Clone, Copy, PartialEq)]
struct MemberType {
    profile: u32,
    scale: f64,
    laser: Option<Laser>,
}

fn member_types(study: &Study) -> Vec<(MemberType, u64)> {
    let mut lasers = study.contract.lasers.iter().peekable();
    let mut counts: BTreeMap<(u32, u64, u8, u64), (MemberType, u64)> = BTreeMap::new();
    for (i, m) in study.population.members.iter().enumerate() {
        let mut laser = None;
        while let Some((idx, l)) = lasers.peek() {
            if (*idx as usize) < i {
                lasers.next();
            } else {
                if *idx as usize == i {
                    laser = Some(*l);
                }
                break;
            }
        }
        let (kind, bits) = match laser {
            None => (0, 0),
            Some(Laser::Deductible(d)) => (1, d.to_bits()),
            Some(Laser::Excluded) => (2, 0),
        };
        let key = (m.profile, m.severity_scale.to_bits(), kind, bits);
        counts
            .entry(key)
            .or_insert((
                MemberType {
                    profile: m.profile,
                    scale: m.severity_scale,
                    laser,
                },
                0,
            ))
            .1 += 1;
    }
    counts.into_values().collect()
}

/// Where an unbounded compound amount is first cut: far enough that the
/// expected number of claims beyond it is below `member_tail` (at least
/// four times its mean and ten standard deviations above it).
fn unbounded_cap_amount(parts: &[&ClaimComponent], scale: f64, member_tail: f64) -> f64 {
    let claims: f64 = parts.iter().map(|c| c.frequency.mean()).sum();
    let mean: f64 = parts
        .iter()
        .map(|c| c.frequency.mean() * c.severity.mean() * scale)
        .sum();
    let largest_claim = parts
        .iter()
        .map(|c| c.severity.mean() * scale)
        .fold(0.0, f64::max);
    // Spread of the compound where the severity has a finite second moment
    // (the frequency's own tail, e.g. a geometric count, needs it).
    let variance: f64 = parts
        .iter()
        .map(|c| {
            let m = c.severity.mean() * scale;
            let m2 = c.severity.second_moment().unwrap_or(f64::INFINITY) * scale * scale;
            let from_severity = if m2.is_finite() {
                c.frequency.mean() * m2
            } else {
                0.0
            };
            from_severity + (c.frequency.variance() - c.frequency.mean()).max(0.0) * m * m
        })
        .sum();
    // A start; it doubles while the tail holds too much (and the compound
    // lengthens itself while too much lands on its cap).
    let sd = if variance.is_finite() {
        variance.sqrt()
    } else {
        0.0
    };
    let mut x = (4.0 * mean)
        .max(2.0 * largest_claim)
        .max(mean + 10.0 * sd)
        .max(1e-9);
    let tail = |x: f64| -> f64 {
        parts
            .iter()
            .map(|c| c.frequency.mean() * c.severity.survival(x / scale, false))
            .sum::<f64>()
    };
    for _ in 0..200 {
        if claims <= 0.0 || tail(x) <= member_tail {
            break;
        }
        x *= 2.0;
    }
    x
}

/// [`unbounded_cap_amount`] as a lattice index, within `budget` points.
fn unbounded_cap(
    parts: &[&ClaimComponent],
    scale: f64,
    h: f64,
    budget: usize,
    member_tail: f64,
) -> usize {
    let x = unbounded_cap_amount(parts, scale, member_tail);
    ((x / h).ceil() as usize).clamp(1, budget)
}

/// The largest amount a member lattice must reach under specific option
/// `s`: the member's deductible where retained claims are bounded by it,
/// else the cap of the unbounded amounts.
pub fn member_reach(study: &Study, s: usize, member_tail: f64) -> f64 {
    let terms = study.contract.specific[s].terms;
    let mut reach: f64 = 0.0;
    for (t, _) in member_types(study) {
        let profile = &study.population.profiles[t.profile as usize];
        let pick = |spec: bool, agg: bool| covering(&profile.components, spec, agg);
        let d = terms.member_deductible(t.laser);
        let x = pick(true, true);
        let bounded = retention_bounded(&terms, d, &x, t.scale, member_tail);
        reach = reach.max(if bounded {
            d
        } else {
            unbounded_cap_amount(&x, t.scale, member_tail)
        });
        for parts in [pick(false, true), pick(false, false)] {
            if !parts.is_empty() {
                reach = reach.max(unbounded_cap_amount(&parts, t.scale, member_tail));
            }
        }
    }
    reach
}

/// Whether a member's lattice stops at the deductible `d` (retention capped
/// at `d`): only when the claims reach it. A deductible beyond where the
/// claims' own lattice is cut (a $1B specific on $10k of claims) would
/// stretch the lattice to `d` for nothing; the claims are then treated as
/// unbounded and their cut-off excess goes into the bound as usual.
fn retention_bounded(
    terms: &SpecificTerms,
    d: f64,
    parts: &[&ClaimComponent],
    scale: f64,
    member_tail: f64,
) -> bool {
    terms.retention_is_capped_at(d)
        && (parts.is_empty() || d <= unbounded_cap_amount(parts, scale, member_tail))
}

/// The components whose flags (toward the specific, toward the aggregate)
/// are `(spec, agg)`.
fn covering(components: &[ClaimComponent], spec: bool, agg: bool) -> Vec<&ClaimComponent> {
    components
        .iter()
        .filter(|c| c.specific == spec && c.aggregate == agg)
        .collect()
}

/// The largest mean excess `E[X - c | X > c]` of the parts' claims at `c`.
fn mean_excess(parts: &[&ClaimComponent], scale: f64, c: f64) -> f64 {
    parts
        .iter()
        .map(|p| {
            let s = p.severity.survival(c / scale, false);
            if s > 0.0 {
                scale * p.severity.expected_excess(c / scale) / s
            } else {
                scale * p.severity.mean()
            }
        })
        .fold(0.0, f64::max)
}

/// An estimate of `E[(S - cap)+]` for a compound cut at `cap` with `lumped`
/// of probability at or above it: the claims beyond the cap (one large
/// claim) plus the lumped probability times the largest mean excess (many
/// claims adding up past it).
fn excess_beyond(parts: &[&ClaimComponent], scale: f64, cap: f64, lumped: f64) -> f64 {
    let single: f64 = parts
        .iter()
        .map(|c| c.frequency.mean() * scale * c.severity.expected_excess(cap / scale))
        .sum();
    single + lumped * mean_excess(parts, scale, cap)
}

/// [`compound_of`] for an unbounded amount: the cap doubles (within the
/// budget) while the probability lumped on it, or its expected excess, is
/// not negligible.
fn compound_unbounded(
    parts: &[&ClaimComponent],
    scale: f64,
    h: f64,
    budget: usize,
    member_tail: f64,
) -> (Vec<f64>, usize) {
    let mut cap = unbounded_cap(parts, scale, h, budget, member_tail);
    let mut previous = f64::INFINITY;
    loop {
        let pmf = compound_of(parts, scale, h, cap);
        // Light tails are cut where (almost) nothing is left; heavy ones,
        // whose lumped mass halving the cap hardly shrinks, where less than
        // member_tail is (the expected excess of the lumped mass is in the
        // bounds).
        let lumped = pmf[cap];
        let heavy = lumped <= member_tail && lumped > 1e-2 * previous;
        if lumped <= 1e-13 || heavy || cap >= budget {
            return (pmf, cap);
        }
        previous = lumped;
        cap = (2 * cap).min(budget);
    }
}

fn compound_of(parts: &[&ClaimComponent], scale: f64, h: f64, cap: usize) -> Vec<f64> {
    if parts.is_empty() {
        return vec![1.0];
    }
    let pieces: Vec<_> = parts
        .iter()
        .map(|c| (&c.frequency, discretize(&c.severity, scale, h, cap)))
        .collect();
    compound(&pieces, cap)
}

/// Below this mass of atoms a distribution is treated as continuous.
pub const ATOMLESS: f64 = 1e-10;

/// `P(X > x)` for a pmf (given by its [`Tails`]) on the lattice of step
/// `h`, linear between lattice points. Where `X` may have atoms
/// (`continuous` false) a lattice point's mass is not above it, so an atom
/// at `x` is counted on the right side (error of order `h` elsewhere); for
/// an atomless `X` half of it is (the midpoint rule: error of order `h^2`).
pub fn survival_at(tails: &impl TailLookup, h: f64, x: f64, continuous: bool) -> f64 {
    let (j, theta) = super::lattice::split(x, h);
    let half = if continuous { 0.5 } else { 0.0 };
    let above = |j: usize| -> f64 { tails.above(j) + half * tails.at(j) };
    if theta == 0.0 {
        above(j)
    } else {
        (1.0 - theta) * above(j) + theta * above(j + 1)
    }
}

/// Mean and variance of a pmf on the lattice of step `h`.
fn moments(pmf: &[f64], h: f64) -> (f64, f64) {
    let (mut m, mut m2) = (0.0, 0.0);
    for (k, &p) in pmf.iter().enumerate() {
        let x = k as f64 * h;
        m += p * x;
        m2 += p * x * x;
    }
    (m, (m2 - m * m).max(0.0))
}

/// Mass that may fall off the end of a group lattice.
pub const LOST_MASS_LIMIT: f64 = 1e-11;

/// The sum of independent parts (pmf, multiplicity) on a window sized from
/// their moments and lengthened until less than [`LOST_MASS_LIMIT`] falls
/// off its end, within `budget` points. Returns the pmf and the lost mass.
fn group_sum(parts: &[(Vec<f64>, u64)], h: f64, budget: usize) -> (Vec<f64>, f64) {
    if parts.iter().all(|(p, c)| p.len() <= 1 || *c == 0) {
        return (vec![1.0], 0.0);
    }
    let (mut mean, mut var, mut support, mut longest) = (0.0, 0.0, 1usize, 1usize);
    for (p, c) in parts {
        let (m, v) = moments(p, h);
        mean += *c as f64 * m;
        var += *c as f64 * v;
        support = support.saturating_add((p.len() - 1).saturating_mul(*c as usize));
        longest = longest.max(p.len());
    }
    let guess = ((mean + 12.0 * var.sqrt()) / h).ceil() as usize + 2 * longest + 64;
    let mut len = guess.min(support).min(budget).max(2);
    let refs: Vec<(&[f64], u64)> = parts.iter().map(|(p, c)| (p.as_slice(), *c)).collect();
    loop {
        let pmf = sum_independent(&refs, len);
        let lost = (1.0 - pmf.iter().sum::<f64>()).max(0.0);
        if lost <= LOST_MASS_LIMIT || len >= support || len >= budget {
            let mut pmf = pmf;
            while pmf.len() > 1 && *pmf.last().unwrap() <= 0.0 {
                pmf.pop();
            }
            return (pmf, lost);
        }
        len = (2 * len).min(support).min(budget);
    }
}

/// The group's distributions under specific option `s` on the lattice of
/// step `h`, every lattice within `budget` points, unbounded member
/// lattices cut where `member_tail` claims are expected beyond them.
pub fn option_pass(
    study: &Study,
    s: usize,
    h: f64,
    budget: usize,
    member_tail: f64,
    cache: &super::cache::CompoundCache,
) -> OptionPass {
    let terms = study.contract.specific[s].terms;
    let mut aggregate_parts: Vec<(Vec<f64>, u64)> = Vec::new();
    let mut outside_parts: Vec<(Vec<f64>, u64)> = Vec::new();
    let mut expected_specific_retained = 0.0;
    let mut claimants = 0.0;
    let mut truncated_excess = 0.0;
    let mut truncated_parts = Vec::new();
    let mut member_points = 1;
    let mut claims_continuous = true;
    let mut specific_applies = false;
    let (mut log_atoms_a, mut log_atoms_o) = (0.0f64, 0.0f64);
    let (mut log_zero_a, mut log_zero_o) = (0.0f64, 0.0f64);
    for (t, count) in member_types(study) {
        let profile = &study.population.profiles[t.profile as usize];
        let n = count as f64;
        let pick = |spec: bool, agg: bool| covering(&profile.components, spec, agg);
        let (x_parts, y_parts, z_parts) = (pick(true, true), pick(false, true), pick(false, false));
        let d = terms.member_deductible(t.laser);
        specific_applies |= d.is_finite() && !x_parts.is_empty();
        let bounded = retention_bounded(&terms, d, &x_parts, t.scale, member_tail);
        let (x, cap_x) = if bounded {
            let (j, _) = super::lattice::split(d, h);
            // One point above the deductible holds everything above it.
            let cap = (j + 1).clamp(1, budget.max(2));
            (compound_of(&x_parts, t.scale, h, cap), cap)
        } else if x_parts.is_empty() {
            (vec![1.0], 0)
        } else {
            // The same for every option: shared.
            let c = cache.get((t.profile, t.scale, h, member_tail, 2), || {
                compound_unbounded(&x_parts, t.scale, h, budget, member_tail)
            });
            (c.0.clone(), c.1)
        };
        member_points = member_points.max(x.len());
        if !bounded {
            let excess = n * excess_beyond(&x_parts, t.scale, cap_x as f64 * h, x[cap_x]);
            truncated_excess += excess;
            truncated_parts.push((cap_x as f64 * h, excess));
        }
        let retained_of = |v: f64| -> f64 {
            if d.is_finite() {
                v - terms.member_reimbursement(v, d)
            } else {
                v
            }
        };
        let retained = map(&x, h, retained_of);
        let dist = LatticeDist {
            pmf: &retained,
            h,
            offset: 0.0,
        };
        expected_specific_retained += n * dist.mean();
        let discrete = |parts: &[&ClaimComponent]| {
            parts
                .iter()
                .any(|c| matches!(c.severity, crate::dist::Severity::Empirical { .. }))
        };
        let none = |parts: &[&ClaimComponent]| -> f64 {
            parts
                .iter()
                .map(|c| super::lattice::prob_zero(&c.frequency))
                .product()
        };
        claims_continuous &= !discrete(&x_parts);
        if d.is_finite() {
            claimants += n * survival_at(&Tails::new(&x), h, d, !discrete(&x_parts));
        }
        // Atoms of the member's aggregate-eligible amount: no claims, or
        // retained claims capped (at most the mass of the top point).
        let capped = if bounded {
            x.last().copied().unwrap_or(0.0)
        } else {
            0.0
        };
        let zero_a = none(&x_parts) * none(&y_parts);
        let atoms_a = if discrete(&x_parts) || discrete(&y_parts) {
            1.0
        } else {
            ((none(&x_parts) + capped) * none(&y_parts)).min(1.0)
        };
        let zero_o = none(&z_parts);
        let atoms_o = if discrete(&z_parts) { 1.0 } else { zero_o };
        log_atoms_a += n * atoms_a.max(1e-300).ln();
        log_atoms_o += n * atoms_o.max(1e-300).ln();
        log_zero_a += n * zero_a.max(1e-300).ln();
        log_zero_o += n * zero_o.max(1e-300).ln();
        let y = if y_parts.is_empty() {
            vec![1.0]
        } else {
            let c = cache.get((t.profile, t.scale, h, member_tail, 0), || {
                compound_unbounded(&y_parts, t.scale, h, budget, member_tail)
            });
            let (y, cap) = (&c.0, c.1);
            let excess = n * excess_beyond(&y_parts, t.scale, cap as f64 * h, y[cap]);
            truncated_excess += excess;
            truncated_parts.push((cap as f64 * h, excess));
            member_points = member_points.max(y.len());
            y.clone()
        };
        aggregate_parts.push((convolve(&retained, &y), count));
        if !z_parts.is_empty() {
            let c = cache.get((t.profile, t.scale, h, member_tail, 1), || {
                compound_unbounded(&z_parts, t.scale, h, budget, member_tail)
            });
            let (z, cap) = (&c.0, c.1);
            truncated_excess += n * excess_beyond(&z_parts, t.scale, cap as f64 * h, z[cap]);
            member_points = member_points.max(z.len());
            outside_parts.push((z.clone(), count));
        }
    }
    let (aggregate_retained, lost_a) = group_sum(&aggregate_parts, h, budget);
    let (outside, lost_o) = group_sum(&outside_parts, h, budget);
    OptionPass {
        h,
        aggregate_retained,
        outside,
        expected_specific_retained,
        claimants,
        lost_mass: lost_a + lost_o,
        truncated_excess,
        truncated_parts,
        member_points,
        claims_continuous,
        // The atom at zero (no claims at all) is never where a
        // probability is read.
        atoms: [
            (log_atoms_a.exp() - log_zero_a.exp()).max(0.0),
            (log_atoms_o.exp() - log_zero_o.exp()).max(0.0),
        ],
        specific_applies,
    }
}
