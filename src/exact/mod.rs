//! The exact engine: the employer-cost distribution of every candidate by
//! discretization and FFT, beside the simulation.
//!
//! Members are independent, so the group's aggregate-eligible retained
//! claims are a sum of independent per-member amounts: each member's
//! components are discretized on a lattice of step `h`, compounded by FFT,
//! mapped through the specific contract, and the group total is a product of
//! transforms (a power per group of identical members). Claims outside both
//! covers are summed the same way and convolved in at the end, after the
//! aggregate layer is applied.
//!
//! **Error bound.** Every computation runs twice: once with every claim
//! amount rounded down to the lattice and once rounded up. Rounding down
//! (up) makes every claim smaller (larger), and the employer's cost, the
//! reimbursements, the probability that the aggregate attaches, every
//! percentile and every TVaR are non-decreasing in each claim, so the two
//! runs bracket the true figure (the standard deviation excepted, for which
//! the gap is only indicative). Reported figures are the midpoint and their
//! standard error is the half-width of the bracket, widened by an estimate
//! of the expected claims beyond the end of unbounded member lattices.
//! The step `h` is chosen from the model: a coarse first pass finds where
//! the group total lives, and the final lattice spans that range with at
//! most `max_points` points.

mod candidate;
mod lattice;
mod measures;
mod option;
mod report;
mod support;

pub use candidate::{CandidateDist, ExactFigures};
pub use lattice::Rounding;
pub use measures::LatticeDist;
pub use option::OptionPass;
pub use report::{comparison, exact_result};
pub use support::unsupported_reason;

use crate::evaluate::OptionExpectations;
use crate::model::Study;
use crate::results::Estimate;

/// Tuning of the exact engine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExactOptions {
    /// Most lattice points for a group total (and for a member's amount).
    pub max_points: usize,
    /// A fixed lattice step instead of the automatic choice (useful when
    /// every amount is a multiple of it: then the bracket has zero width).
    pub step: Option<f64>,
}

impl Default for ExactOptions {
    fn default() -> Self {
        ExactOptions {
            max_points: 1 << 20,
            step: None,
        }
    }
}

/// A pair of bounds on a figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bracket {
    /// Lower bound (claims rounded down).
    pub lo: f64,
    /// Upper bound (claims rounded up).
    pub hi: f64,
}

impl Bracket {
    /// A bracket from two values in either order.
    pub fn new(a: f64, b: f64) -> Self {
        Bracket {
            lo: a.min(b),
            hi: a.max(b),
        }
    }

    /// The reported value: the midpoint.
    pub fn mid(&self) -> f64 {
        0.5 * (self.lo + self.hi)
    }

    /// The error bound: the half-width.
    pub fn half_width(&self) -> f64 {
        0.5 * (self.hi - self.lo)
    }

    /// As an estimate whose `se` is the error bound.
    pub fn estimate(&self) -> Estimate {
        Estimate {
            mean: self.mid(),
            se: self.half_width(),
        }
    }
}

/// The exact engine's results for one specific option.
#[derive(Debug, Clone)]
pub struct ExactOption {
    /// The rounded-down and rounded-up passes.
    pub passes: [OptionPass; 2],
    /// Expected aggregate-eligible retained claims.
    pub aggregate_retained: Bracket,
    /// Expected specific reimbursement.
    pub specific_reimbursement: Bracket,
    /// Expected members above their deductible.
    pub claimants: Bracket,
}

impl ExactOption {
    /// Lattice step.
    pub fn step(&self) -> f64 {
        self.passes[0].h
    }
}

/// The exact engine run over every specific option of a study.
#[derive(Debug, Clone)]
pub struct ExactStudy {
    /// Per specific option: the results, or why the engine cannot represent it.
    pub options: Vec<Result<ExactOption, String>>,
}

impl ExactStudy {
    /// Runs the exact engine on every specific option of `study`.
    pub fn compute(study: &Study, opts: &ExactOptions) -> Self {
        use rayon::prelude::*;
        let options = (0..study.contract.specific.len())
            .into_par_iter()
            .map(|s| match unsupported_reason(study, s) {
                Some(reason) => Err(reason),
                None => compute_option(study, s, opts),
            })
            .collect();
        ExactStudy { options }
    }

    /// Expectations in the form the candidate terms use (attachments from
    /// factors, priced premiums); unsupported options get zeros.
    pub fn expectations(&self, study: &Study) -> OptionExpectations {
        let zero = Estimate { mean: 0.0, se: 0.0 };
        let mut aggregate_retained = Vec::new();
        let mut specific_reimbursement = Vec::new();
        let mut specific_premium = Vec::new();
        for (s, o) in self.options.iter().enumerate() {
            let (ra, reimb) = match o {
                Ok(o) => (
                    o.aggregate_retained.estimate(),
                    o.specific_reimbursement.estimate(),
                ),
                Err(_) => (zero, zero),
            };
            aggregate_retained.push(ra);
            specific_reimbursement.push(reimb);
            specific_premium.push(crate::evaluate::annual_premium(
                &study.contract.specific[s].premium,
                study,
                reimb,
            ));
        }
        OptionExpectations {
            aggregate_retained,
            specific_reimbursement,
            specific_premium,
            source: "exact engine, se = error bound",
        }
    }
}

/// Expected claims of components counting toward both covers.
fn expected_specific_eligible(study: &Study) -> f64 {
    study
        .population
        .members
        .iter()
        .map(|m| {
            let p = &study.population.profiles[m.profile as usize];
            m.severity_scale
                * p.components
                    .iter()
                    .filter(|c| c.specific && c.aggregate)
                    .map(|c| c.frequency.mean() * c.severity.mean())
                    .sum::<f64>()
        })
        .sum()
}

/// Where a distribution computed on a coarse lattice effectively ends: the
/// last point holding more than 1e-14 of probability. (Rounding noise of the
/// transforms stays below that; a cumulative criterion would add it up.)
fn upper_end(pmf: &[f64], h: f64) -> f64 {
    let last = pmf.iter().rposition(|&p| p > 1e-14).unwrap_or(0);
    (last as f64 * h).max(h)
}

/// Mass that the passes may lose off the end of a group lattice before the
/// lattice is lengthened.
const LOST_MASS_LIMIT: f64 = 1e-9;

/// Most times finer than the group lattice that member lattices are.
const FINE: usize = 16;
/// Most points a finer member lattice may have (a coarser one may need more
/// to reach the member's deductible).
const FINE_POINTS: usize = 1 << 16;

fn compute_option(study: &Study, s: usize, opts: &ExactOptions) -> Result<ExactOption, String> {
    let budget = opts.max_points.max(1 << 10);
    // Member lattices must reach each member's deductible (or the cap of
    // an unbounded amount) within the budget.
    let reach = option::member_reach(study, s);
    let member_floor = reach / (budget as f64 - 4.0);
    // Pass 1: a coarse lattice, widened until little mass falls off its end.
    let gross = study.population.expected_gross_claims().max(1.0);
    let coarse_len = 1usize << 18;
    let coarse_budget = 1usize << 14;
    let mut h1 = (4.0 * gross / (coarse_len as f64 / 2.0))
        .max(reach / (coarse_budget as f64 - 4.0))
        .max(1e-9);
    let coarse_pass = |h1: f64| {
        option::option_pass(
            study,
            s,
            h1,
            1,
            coarse_len,
            coarse_len,
            coarse_budget,
            Rounding::Up,
        )
    };
    let mut coarse = coarse_pass(h1);
    for _ in 0..10 {
        if coarse.lost_mass <= 1e-9 {
            break;
        }
        h1 *= 4.0;
        coarse = coarse_pass(h1);
    }
    let end_aggregate = 1.25 * upper_end(&coarse.aggregate_retained, h1) + 16.0 * h1;
    let end_outside = if coarse.outside.len() > 1 {
        1.25 * upper_end(&coarse.outside, h1) + 16.0 * h1
    } else {
        0.0
    };
    let h = match opts.step {
        Some(step) => {
            if !(step.is_finite() && step > 0.0) {
                return Err(format!("the lattice step must be positive, got {step}"));
            }
            if end_aggregate / step > (1u64 << 26) as f64
                || end_outside / step > (1u64 << 26) as f64
            {
                return Err(format!(
                    "a step of {step} needs more than {} lattice points to span the group total (up to {end_aggregate:.0}); use a larger step",
                    1u64 << 26
                ));
            }
            step
        }
        None => (end_aggregate / budget as f64)
            .max(end_outside / budget as f64)
            .max(member_floor)
            .max(1e-9),
    };
    let mut len_aggregate = ((end_aggregate / h).ceil() as usize + 2).max(2);
    let mut len_outside = ((end_outside / h).ceil() as usize + 2).max(1);
    // Members on a lattice up to FINE times finer, within the member budget.
    let fine = ((FINE_POINTS as f64 / (reach / h).max(1.0)).floor() as usize).clamp(1, FINE);
    let member_budget = budget.max(((reach * fine as f64 / h).ceil() as usize + 4).min(1 << 26));
    let pass = |r: Rounding, la: usize, lo: usize| {
        option::option_pass(study, s, h, fine, la, lo, member_budget, r)
    };
    // The rounded-up pass reaches furthest: lengthen the group lattices
    // until it loses (almost) nothing off their ends.
    let mut up = pass(Rounding::Up, len_aggregate, len_outside);
    for _ in 0..4 {
        if up.lost_mass <= LOST_MASS_LIMIT {
            break;
        }
        len_aggregate *= 2;
        len_outside = (len_outside * 2).max(2);
        up = pass(Rounding::Up, len_aggregate, len_outside);
    }
    if up.lost_mass > LOST_MASS_LIMIT {
        return Err(format!(
            "the group total did not fit the lattice ({:.1e} of probability beyond it); try a larger --exact-step",
            up.lost_mass
        ));
    }
    let down = pass(Rounding::Down, len_aggregate, len_outside);
    let expected_x = expected_specific_eligible(study);
    let ra = |p: &OptionPass| {
        LatticeDist {
            pmf: &p.aggregate_retained,
            h,
            offset: 0.0,
        }
        .mean()
    };
    let trunc = down.truncated_excess.max(up.truncated_excess);
    let aggregate_retained = Bracket::new(ra(&down), ra(&up) + trunc);
    let specific_reimbursement = Bracket::new(
        (expected_x - up.expected_specific_retained - trunc).max(0.0),
        (expected_x - down.expected_specific_retained).max(0.0),
    );
    let claimants = Bracket::new(down.claimants, up.claimants);
    Ok(ExactOption {
        passes: [down, up],
        aggregate_retained,
        specific_reimbursement,
        claimants,
    })
}
