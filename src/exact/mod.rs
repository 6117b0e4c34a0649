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
//! **Discretization.** Severities are put on the lattice by local moment
//! matching (mean-preserving: each cell's mass is split between its ends so
//! that its mean is kept), and every non-linear map (the specific layer,
//! the aggregate layer) splits a value between its two neighbouring lattice
//! points the same way. The step is aligned, where the amounts have a
//! common divisor, with the deductibles, lasers, maxima, dollar attachments
//! and the atoms of discrete severities, so that atoms sit exactly on
//! lattice points and a claim exactly at a deductible is not above it
//! (see [`step`]).
//!
//! **Error control.** Every option is computed at two steps, `h` and
//! `h / 2`, and every figure is extrapolated (Richardson: the errors of
//! means are of order `h^2`, those of probabilities of order `h`); the
//! reported error bound is the difference between the two levels (for a
//! mean, three times the estimated error of the finer level), widened by an
//! estimate of the expected claims beyond the end of unbounded member
//! lattices. The step is halved until every mean and probability is within
//! the requested relative tolerance (default 1e-6) or the lattices would
//! exceed `max_points`. Percentiles are lattice values of the finer level,
//! bounded by that step.

mod cache;
mod candidate;
mod fft;
mod lattice;
mod measures;
mod option;
mod report;
mod step;
mod support;
mod timing;
mod tolerance;

pub use candidate::{CandidateDist, ExactFigures};
pub use measures::LatticeDist;
pub use option::OptionPass;
pub use report::{comparison, exact_result};
pub use support::unsupported_reason;
pub use timing::{counted_share, untimed_equivalent};

use crate::evaluate::OptionExpectations;
use crate::model::Study;
use crate::results::Estimate;

/// Tuning of the exact engine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExactOptions {
    /// Most lattice points for a group total (and for a member's amount).
    pub max_points: usize,
    /// A fixed starting lattice step instead of the automatic choice (it
    /// is halved while the tolerance is not met; when every amount is a
    /// multiple of it the figures are exact at once).
    pub step: Option<f64>,
    /// Relative tolerance on every reported mean and probability.
    pub tolerance: f64,
}

/// Most points `--exact-points` may ask for.
pub const MAX_POINTS_LIMIT: usize = 1 << 26;

impl Default for ExactOptions {
    fn default() -> Self {
        ExactOptions {
            max_points: 1 << 20,
            step: None,
            tolerance: 1e-6,
        }
    }
}

/// A pair of bounds on a figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bracket {
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
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

    /// `value +- bound`.
    pub fn around(value: f64, bound: f64) -> Self {
        Bracket {
            lo: value - bound,
            hi: value + bound,
        }
    }

    /// The extrapolation of a figure computed at steps `h` (`coarse`) and
    /// `h / 2` (`fine`) whose error is of order `h^order`. The bound is the
    /// difference of the two levels (plus rounding noise): `2^order - 1`
    /// times the estimated error of the finer level, which the extrapolated
    /// value improves on.
    pub fn richardson(coarse: f64, fine: f64, order: i32) -> Self {
        let diff = fine - coarse;
        let value = fine + diff / (2f64.powi(order) - 1.0);
        Bracket::around(value, diff.abs() + 1e-12 * value.abs())
    }

    /// The extrapolation of a figure computed at steps `2h` (`coarser`),
    /// `h` (`coarse`) and `h / 2` (`fine`) whose error is of order
    /// `h^order`: the value of [`Bracket::richardson`] from the two finer
    /// levels, bounded by how far it moved from the extrapolation of the two
    /// coarser ones (Romberg's estimate). Where the leading `h^order` term
    /// dominates, the difference of two levels mostly measures that term,
    /// which the extrapolation removes, so it overstates the error of the
    /// extrapolated value many times (a narrow total of many small claims,
    /// small-100's claims outside the covers, makes that term large); the
    /// change between extrapolations measures what is left. It is used only
    /// when the two differences shrink as `h^order` does (their ratio within
    /// `2^(order +- 1/2)`, so the leading term is what they measure), and the
    /// bound is twice that change: it holds while what is left shrinks by
    /// at least 1.5 per halving (a term of order `h^(order + 1)` shrinks
    /// by 8 where order is 2; the margin covers the part of a split atom
    /// that varies with where the threshold falls between lattice points).
    /// Never wider than the two-level bound; that bound where the
    /// differences do not shrink as they should.
    pub fn richardson3(coarser: f64, coarse: f64, fine: f64, order: i32) -> Self {
        let two = Bracket::richardson(coarse, fine, order);
        let (d_coarse, d_fine) = (coarse - coarser, fine - coarse);
        let ratio = d_coarse / d_fine;
        let (lo, hi) = (2f64.powf(order as f64 - 0.5), 2f64.powf(order as f64 + 0.5));
        if !(ratio.is_finite() && (lo..=hi).contains(&ratio)) {
            return two;
        }
        let previous = coarse + d_coarse / (2f64.powi(order) - 1.0);
        let value = two.mid();
        let bound = 2.0 * (value - previous).abs() + 1e-12 * value.abs();
        Bracket::around(value, bound.min(two.half_width()))
    }

    /// Widened upwards by `by`.
    pub fn widen(&self, by: f64) -> Self {
        Bracket {
            lo: self.lo,
            hi: self.hi + by,
        }
    }

    /// Whether the bound, less `fixed` (a part that does not shrink with the
    /// step, such as the truncation of heavy tails), is within `tol` of
    /// `max(|value|, floor)`.
    pub fn within(&self, tol: f64, floor: f64, fixed: f64) -> bool {
        self.excess(tol, floor, fixed) <= 1.0
    }

    /// The bound (less `fixed`, as in [`Bracket::within`]) over what the
    /// tolerance allows: at most 1 when within it.
    pub fn excess(&self, tol: f64, floor: f64, fixed: f64) -> f64 {
        let allowed = tol * self.mid().abs().max(floor);
        (self.half_width() - 0.5 * fixed).max(0.0) / allowed.max(f64::MIN_POSITIVE)
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
    /// The passes at steps `h` and `h / 2`.
    pub passes: [OptionPass; 2],
    /// The pass at step `2 h` where the step was halved to get here (the
    /// previous level, kept): the third level of the bounds of
    /// [`Bracket::richardson3`] for the probabilities read at thresholds.
    pub coarser: Option<OptionPass>,
    /// Whether the step is aligned with every amount and atom of the model.
    pub aligned: bool,
    /// Whether every checked figure met the tolerance.
    pub converged: bool,
    /// Whether every checked figure met the tolerance with the truncation
    /// of heavy tails left out of the bounds (what halving the step can
    /// reach); kept so that the retries on the truncation need not evaluate
    /// the candidates again.
    pub step_ok: bool,
    /// Expected aggregate-eligible retained claims.
    pub aggregate_retained: Bracket,
    /// Expected specific reimbursement.
    pub specific_reimbursement: Bracket,
    /// Expected members above their deductible.
    pub claimants: Bracket,
}

impl ExactOption {
    /// Lattice step (of the finer level).
    pub fn step(&self) -> f64 {
        self.passes[1].h
    }
}

/// The exact engine run over every specific option of a study.
#[derive(Debug, Clone)]
pub struct ExactStudy {
    /// Per specific option: the results, or why the engine cannot represent it.
    pub options: Vec<Result<ExactOption, String>>,
    /// The relative tolerance asked for (candidates whose bounds exceed it
    /// say so).
    pub tolerance: f64,
}

impl ExactStudy {
    /// Runs the exact engine on every specific option of `study`.
    pub fn compute(study: &Study, opts: &ExactOptions) -> Self {
        use rayon::prelude::*;
        let cache = cache::CompoundCache::default();
        let options = (0..study.contract.specific.len())
            .into_par_iter()
            .map(|s| match unsupported_reason(study, s) {
                Some(reason) => Err(reason),
                None => compute_option(study, s, opts, &cache),
            })
            .collect();
        ExactStudy {
            options,
            tolerance: opts.tolerance,
        }
    }

    /// Every specific option of `study` unsupported, for `reason`.
    pub fn unsupported(study: &Study, reason: &str) -> Self {
        ExactStudy {
            options: study
                .contract
                .specific
                .iter()
                .map(|_| Err(reason.to_string()))
                .collect(),
            tolerance: ExactOptions::default().tolerance,
        }
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

/// Most halvings of the step.
const MAX_LEVELS: usize = 14;

/// The option's own figures from its two levels.
fn from_passes(
    study: &Study,
    coarser: Option<OptionPass>,
    coarse: OptionPass,
    fine: OptionPass,
    aligned: bool,
) -> ExactOption {
    let expected_x = expected_specific_eligible(study);
    let ra = |p: &OptionPass| {
        LatticeDist {
            pmf: &p.aggregate_retained,
            h: p.h,
            offset: 0.0,
        }
        .mean()
    };
    let trunc = coarse.truncated_excess.max(fine.truncated_excess);
    let aggregate_retained = Bracket::richardson(ra(&coarse), ra(&fine), 2).widen(trunc);
    let retained = Bracket::richardson(
        coarse.expected_specific_retained,
        fine.expected_specific_retained,
        2,
    );
    let specific_reimbursement = if fine.specific_applies {
        Bracket::new(
            (expected_x - retained.hi - trunc).max(0.0),
            (expected_x - retained.lo).max(0.0),
        )
    } else {
        // No deductible: nothing is reimbursed, exactly (the bracket
        // above would be the truncation of the lattice).
        Bracket::around(0.0, 0.0)
    };
    let order = if fine.claims_continuous { 2 } else { 1 };
    let claimants = Bracket::richardson(coarse.claimants, fine.claimants, order);
    let claimants = Bracket::new(claimants.lo.max(0.0), claimants.hi);
    ExactOption {
        passes: [coarse, fine],
        coarser,
        aligned,
        converged: false,
        step_ok: false,
        aggregate_retained,
        specific_reimbursement,
        claimants,
    }
}

/// Most times the member lattices are cut further out (each time where a
/// thousandth as many claims are expected beyond them) when the truncation
/// of heavy tails is all that keeps a figure from the tolerance.
const TAIL_RETRIES: usize = 2;

fn compute_option(
    study: &Study,
    s: usize,
    opts: &ExactOptions,
    cache: &cache::CompoundCache,
) -> Result<ExactOption, String> {
    let budget = opts.max_points.clamp(1 << 10, MAX_POINTS_LIMIT);
    let (h, aligned) = match opts.step {
        Some(step) => {
            if !(step.is_finite() && step > 0.0) {
                return Err(format!("the lattice step must be positive, got {step}"));
            }
            (step, false)
        }
        None => step::initial_step(study, s, budget),
    };
    let rule = tolerance::Rule::new(study, opts.tolerance);
    let mut member_tail = option::MEMBER_TAIL;
    let mut best = levels(study, s, h, aligned, opts, member_tail, &rule, cache)?;
    for _ in 0..TAIL_RETRIES {
        let step_ok = |o: &ExactOption| o.step_ok;
        if best.converged || !step_ok(&best) {
            break;
        }
        member_tail *= 1e-3;
        match levels(
            study,
            s,
            best.passes[0].h,
            aligned,
            opts,
            member_tail,
            &rule,
            cache,
        ) {
            Ok(o) if step_ok(&o) => best = o,
            _ => break,
        }
    }
    Ok(best)
}

/// The step halved from `h` until every figure of option `s` meets the
/// tolerance, truncation left aside (halving cannot shrink it), or the
/// lattices would exceed the budget. `converged` says whether the whole
/// bound, truncation included, met it.
#[allow(clippy::too_many_arguments)]
fn levels(
    study: &Study,
    s: usize,
    mut h: f64,
    aligned: bool,
    opts: &ExactOptions,
    member_tail: f64,
    rule: &tolerance::Rule,
    cache: &cache::CompoundCache,
) -> Result<ExactOption, String> {
    let budget = opts.max_points.clamp(1 << 10, MAX_POINTS_LIMIT);
    // Member lattices must reach each member's deductible (or the cap of
    // an unbounded amount) within the budget.
    let reach = option::member_reach(study, s, member_tail);
    if opts.step.is_none() && reach / h > budget as f64 / 4.0 {
        h = reach / (budget as f64 / 4.0);
    }
    let pass = |h: f64| option::option_pass(study, s, h, budget, member_tail, cache);
    // Heavy-tailed members lumped at the end of their lattices may leave a
    // little mass beyond the group lattice; their expected excess is in the
    // bounds.
    let fits = |p: &OptionPass| p.lost_mass <= 1e-8;
    // The first pair of levels must fit the budget: coarsen until it does.
    let mut attempts = 0;
    let mut coarse = loop {
        let c = pass(h);
        let fine_fits = fits(&c)
            && 2 * c.aggregate_retained.len().max(c.outside.len()) <= budget
            && 2 * c.member_points <= budget;
        if fine_fits || attempts >= 6 {
            break c;
        }
        attempts += 1;
        h *= 4.0;
    };
    if !fits(&coarse) {
        return Err(format!(
            "the group total did not fit {budget} lattice points at a step of {h} ({:.1e} of probability beyond them); try a larger --exact-step or more --exact-points",
            coarse.lost_mass
        ));
    }
    let mut best: Option<ExactOption> = None;
    let mut coarser: Option<OptionPass> = None;
    for _ in 0..MAX_LEVELS {
        let fine = pass(h / 2.0);
        if !fits(&fine) {
            break;
        }
        let mut o = from_passes(study, coarser.take(), coarse, fine, aligned);
        let trunc = o.passes[0]
            .truncated_excess
            .max(o.passes[1].truncated_excess);
        let relaxed = rule.without_truncation(trunc);
        // The candidates' figures are the costly part of a check (a
        // convolution and scans of each candidate's lattices): evaluated
        // once for both rules, and not at all while the option's own
        // figures miss.
        let own_ok = tolerance::option_misses(&o, &relaxed).is_empty();
        let figures = if own_ok {
            tolerance::candidate_figures(study, s, &o)
        } else {
            Vec::new()
        };
        let step_ok = own_ok && tolerance::misses_of(&o, &figures, &relaxed).is_empty();
        o.step_ok = step_ok;
        o.converged = step_ok && tolerance::misses_of(&o, &figures, rule).is_empty();
        // Halving on while the lattices allow, even where a figure looks
        // out of reach (stopping on a forecast of the halvings needed left
        // more figures warned on small-100 and saved no time).
        let f = &o.passes[1];
        let next_too_big = 2 * f.aggregate_retained.len().max(f.outside.len()) > budget
            || 2 * f.member_points > budget;
        if step_ok || next_too_big {
            best = Some(o);
            break;
        }
        coarse = o.passes[1].clone();
        coarser = Some(o.passes[0].clone());
        best = Some(o);
        h /= 2.0;
    }
    best.ok_or_else(|| {
        format!(
            "the group total did not fit {budget} lattice points at a step of {} ; try a larger --exact-step or more --exact-points",
            h / 2.0
        )
    })
}

#[cfg(test)]
mod tests {
    use super::Bracket;

    /// `F(h) = a + c h^2 + d h^3`: the three-level bound contains `a`, is
    /// far narrower than the two-level one (which mostly measures `c h^2`),
    /// and the two-level bound is kept where the levels do not converge at
    /// the stated order.
    #[test]
    fn three_levels_bound_the_extrapolation_by_its_change() {
        let (a, c, d) = (0.005, 8e-9, 3e-11);
        let f = |h: f64| a + c * h * h + d * h * h * h;
        let (h2, h1, h0) = (f(12.0), f(6.0), f(3.0));
        let two = Bracket::richardson(h1, h0, 2);
        let three = Bracket::richardson3(h2, h1, h0, 2);
        assert_eq!(three.mid(), two.mid());
        assert!(three.lo <= a && a <= three.hi, "{three:?} vs {a}");
        assert!(two.lo <= a && a <= two.hi);
        assert!(
            three.half_width() < 0.1 * two.half_width(),
            "{three:?} {two:?}"
        );
        // Differences that do not shrink fourfold (order 1 here): the
        // two-level bound.
        let g = |h: f64| a + 1e-9 * h;
        let (g2, g1, g0) = (g(12.0), g(6.0), g(3.0));
        assert_eq!(
            Bracket::richardson3(g2, g1, g0, 2),
            Bracket::richardson(g1, g0, 2)
        );
        // Exact levels (no change): the rounding margin only.
        let e = Bracket::richardson3(a, a, a, 2);
        assert_eq!(e, Bracket::richardson(a, a, 2));
    }
}
