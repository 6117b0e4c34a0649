//! The distribution of a group's retained claims under one specific option.

use super::lattice::{compound, convolve, discretize, map, sum_independent, Rounding};
use super::measures::LatticeDist;
use crate::contract::Laser;
use crate::model::{ClaimComponent, Study};
use std::collections::BTreeMap;

/// Mass beyond a member's lattice that is accepted as truncation.
const MEMBER_TAIL: f64 = 1e-12;

/// What one rounding direction gives for a specific option.
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

/// Where an unbounded compound amount is cut: far enough that the expected
/// number of claims beyond it is below [`MEMBER_TAIL`] (at least ten times
/// its mean).
fn unbounded_cap_amount(parts: &[&ClaimComponent], scale: f64) -> f64 {
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
    let mut x = (10.0 * mean)
        .max(4.0 * largest_claim)
        .max(mean + 40.0 * variance.sqrt())
        .max(1e-9);
    let tail = |x: f64| -> f64 {
        parts
            .iter()
            .map(|c| c.frequency.mean() * c.severity.survival(x / scale, false))
            .sum::<f64>()
    };
    for _ in 0..200 {
        if claims <= 0.0 || tail(x) <= MEMBER_TAIL {
            break;
        }
        x *= 2.0;
    }
    x
}

/// [`unbounded_cap_amount`] as a lattice index, within `budget` points.
fn unbounded_cap(parts: &[&ClaimComponent], scale: f64, h: f64, budget: usize) -> usize {
    let x = unbounded_cap_amount(parts, scale);
    ((x / h).ceil() as usize).clamp(1, budget)
}

/// The largest amount a member lattice must reach under specific option
/// `s`: the member's deductible where retained claims are bounded by it,
/// else the cap of the unbounded amounts.
pub fn member_reach(study: &Study, s: usize) -> f64 {
    let terms = study.contract.specific[s].terms;
    let mut reach: f64 = 0.0;
    for (t, _) in member_types(study) {
        let profile = &study.population.profiles[t.profile as usize];
        let pick = |spec: bool, agg: bool| covering(&profile.components, spec, agg);
        let d = terms.member_deductible(t.laser);
        let bounded = terms.retention_is_capped_at(d);
        let x = pick(true, true);
        reach = reach.max(if bounded {
            d
        } else {
            unbounded_cap_amount(&x, t.scale)
        });
        for parts in [pick(false, true), pick(false, false)] {
            if !parts.is_empty() {
                reach = reach.max(unbounded_cap_amount(&parts, t.scale));
            }
        }
    }
    reach
}

/// A pmf on step `h / fine` moved to step `h`, each index rounded in the
/// pass's direction.
fn rebin(pmf: &[f64], fine: usize, r: Rounding) -> Vec<f64> {
    if fine == 1 {
        return pmf.to_vec();
    }
    let mut out = vec![0.0; pmf.len() / fine + 2];
    for (k, &p) in pmf.iter().enumerate() {
        let j = match r {
            Rounding::Down => k / fine,
            Rounding::Up => k.div_ceil(fine),
        };
        out[j] += p;
    }
    while out.len() > 1 && out.last() == Some(&0.0) {
        out.pop();
    }
    out
}

/// The components whose flags (toward the specific, toward the aggregate)
/// are `(spec, agg)`.
fn covering(components: &[ClaimComponent], spec: bool, agg: bool) -> Vec<&ClaimComponent> {
    components
        .iter()
        .filter(|c| c.specific == spec && c.aggregate == agg)
        .collect()
}

fn excess_beyond(parts: &[&ClaimComponent], scale: f64, cap: f64) -> f64 {
    parts
        .iter()
        .map(|c| c.frequency.mean() * scale * c.severity.expected_excess(cap / scale))
        .sum()
}

/// [`compound_of`] for an unbounded amount: the cap doubles (within the
/// budget) while more than [`MEMBER_TAIL`] of probability lands on it.
fn compound_unbounded(
    parts: &[&ClaimComponent],
    scale: f64,
    h: f64,
    budget: usize,
    r: Rounding,
) -> (Vec<f64>, usize) {
    let mut cap = unbounded_cap(parts, scale, h, budget);
    loop {
        let pmf = compound_of(parts, scale, h, cap, r);
        if pmf[cap] <= MEMBER_TAIL || cap >= budget {
            return (pmf, cap);
        }
        cap = (2 * cap).min(budget);
    }
}

fn compound_of(parts: &[&ClaimComponent], scale: f64, h: f64, cap: usize, r: Rounding) -> Vec<f64> {
    if parts.is_empty() {
        return vec![1.0];
    }
    let pieces: Vec<_> = parts
        .iter()
        .map(|c| (&c.frequency, discretize(&c.severity, scale, h, cap, r)))
        .collect();
    compound(&pieces, cap)
}

/// The group's distributions under specific option `s`, with lattice step
/// `h`, aggregate-eligible total on `0..len_aggregate` and outside total on
/// `0..len_outside`; member lattices have at most `budget` points.
///
/// Members' amounts are computed on a finer lattice of step `h / fine` and
/// rounded once to `h` (in the pass's direction), so a member with many
/// small claims contributes one rounding to the bracket, not one per claim.
#[allow(clippy::too_many_arguments)]
pub fn option_pass(
    study: &Study,
    s: usize,
    h: f64,
    fine: usize,
    len_aggregate: usize,
    len_outside: usize,
    budget: usize,
    r: Rounding,
) -> OptionPass {
    let coarse_h = h;
    let h = coarse_h / fine as f64;
    let terms = study.contract.specific[s].terms;
    let mut aggregate_parts: Vec<(Vec<f64>, u64)> = Vec::new();
    let mut outside_parts: Vec<(Vec<f64>, u64)> = Vec::new();
    let mut expected_specific_retained = 0.0;
    let mut claimants = 0.0;
    let mut lost = 0.0;
    let mut truncated_excess = 0.0;
    for (t, count) in member_types(study) {
        let profile = &study.population.profiles[t.profile as usize];
        let n = count as f64;
        let pick = |spec: bool, agg: bool| covering(&profile.components, spec, agg);
        let (x_parts, y_parts, z_parts) = (pick(true, true), pick(false, true), pick(false, false));
        let d = terms.member_deductible(t.laser);
        let bounded = terms.retention_is_capped_at(d);
        let (x, cap_x) = if bounded {
            let cap = (r.index(d, h) + 1).min(budget.max(2));
            (compound_of(&x_parts, t.scale, h, cap, r), cap)
        } else if x_parts.is_empty() {
            (vec![1.0], 0)
        } else {
            compound_unbounded(&x_parts, t.scale, h, budget, r)
        };
        if !bounded {
            truncated_excess += n * excess_beyond(&x_parts, t.scale, cap_x as f64 * h);
        }
        let retained_of = |v: f64| -> f64 {
            if d.is_finite() {
                v - terms.member_reimbursement(v, d)
            } else {
                v
            }
        };
        let retained = map(&x, h, r, retained_of);
        let dist = LatticeDist {
            pmf: &retained,
            h,
            offset: 0.0,
        };
        expected_specific_retained += n * dist.mean();
        if d.is_finite() {
            let above: f64 = x
                .iter()
                .enumerate()
                .filter(|(k, _)| *k as f64 * h > d * (1.0 + 1e-12))
                .map(|(_, p)| p)
                .sum();
            claimants += n * above;
        }
        let y = if y_parts.is_empty() {
            vec![1.0]
        } else {
            let (y, cap) = compound_unbounded(&y_parts, t.scale, h, budget, r);
            truncated_excess += n * excess_beyond(&y_parts, t.scale, cap as f64 * h);
            y
        };
        aggregate_parts.push((
            convolve(&rebin(&retained, fine, r), &rebin(&y, fine, r)),
            count,
        ));
        if !z_parts.is_empty() {
            let (z, cap) = compound_unbounded(&z_parts, t.scale, h, budget, r);
            truncated_excess += n * excess_beyond(&z_parts, t.scale, cap as f64 * h);
            outside_parts.push((rebin(&z, fine, r), count));
        }
    }
    let refs: Vec<(&[f64], u64)> = aggregate_parts
        .iter()
        .map(|(p, c)| (p.as_slice(), *c))
        .collect();
    let aggregate_retained = sum_independent(&refs, len_aggregate);
    let outside = if outside_parts.is_empty() {
        vec![1.0]
    } else {
        let refs: Vec<(&[f64], u64)> = outside_parts
            .iter()
            .map(|(p, c)| (p.as_slice(), *c))
            .collect();
        sum_independent(&refs, len_outside)
    };
    lost += (1.0 - aggregate_retained.iter().sum::<f64>()).max(0.0);
    lost += (1.0 - outside.iter().sum::<f64>()).max(0.0);
    OptionPass {
        h: coarse_h,
        aggregate_retained,
        outside,
        expected_specific_retained,
        claimants,
        lost_mass: lost,
        truncated_excess,
    }
}
