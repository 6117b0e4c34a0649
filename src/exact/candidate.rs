//! One candidate's figures from the exact engine.

use super::lattice::{convolve, map, Rounding};
use super::measures::LatticeDist;
use super::{Bracket, ExactOption};
use crate::contract::aggregate_reimbursement;
use crate::evaluate::CandidateTerms;
use crate::results::{Percentiles, Tvar};

/// Exact figures of one candidate, each bracketed.
#[derive(Debug, Clone)]
pub struct ExactFigures {
    /// Expected employer cost.
    pub mean: Bracket,
    /// Standard deviation of the cost (bracket only indicative).
    pub sd: Bracket,
    /// Percentiles at the reported levels.
    pub percentiles: Percentiles<Bracket>,
    /// TVaR at the reported levels.
    pub tvar: Tvar<Bracket>,
    /// Largest cost with probability above 1e-12 (rounded-up pass).
    pub max: f64,
    /// Claims kept after both covers.
    pub retained_claims: Bracket,
    /// Expected specific reimbursement.
    pub specific_reimbursement: Bracket,
    /// Expected aggregate reimbursement.
    pub aggregate_reimbursement: Bracket,
    /// Probability that the aggregate pays (None without aggregate).
    pub prob_aggregate_attaches: Option<Bracket>,
    /// Expected members above their deductible.
    pub claimants: Bracket,
    /// `P(cost > budget)`.
    pub prob_exceeds_budget: Option<Bracket>,
    /// `P(cost > fully insured premium)`.
    pub prob_exceeds_fully_insured: Option<Bracket>,
    /// `(x, P(cost > x))` at the percentiles of the simulation's grid of levels.
    pub exceedance: Vec<(f64, f64)>,
}

/// The distributions of one candidate's claims, before fixed costs.
#[derive(Debug, Clone)]
pub struct CandidateDist<'a> {
    option: &'a ExactOption,
    attachment: Option<f64>,
    aggregate_max: f64,
    /// Claims kept after both covers, rounded down and up.
    claims: [Vec<f64>; 2],
}

impl<'a> CandidateDist<'a> {
    /// Applies the candidate's aggregate layer to the option's distributions.
    pub fn new(option: &'a ExactOption, terms: &CandidateTerms) -> Self {
        let h = option.step();
        let (attachment, max) = (terms.attachment, terms.aggregate_max);
        let layer = |v: f64| attachment.map_or(0.0, |a| aggregate_reimbursement(v, a, max));
        let claims = [Rounding::Down, Rounding::Up].map(|r| {
            let pass = &option.passes[usize::from(r == Rounding::Up)];
            let kept = map(&pass.aggregate_retained, h, r, |v| v - layer(v));
            convolve(&kept, &pass.outside)
        });
        CandidateDist {
            option,
            attachment,
            aggregate_max: max,
            claims,
        }
    }

    /// Expected aggregate reimbursement.
    pub fn aggregate_reimbursement(&self) -> Bracket {
        let trunc = self.truncated_excess();
        let (a, m) = (self.attachment, self.aggregate_max);
        let layer = |v: f64| a.map_or(0.0, |a| aggregate_reimbursement(v, a, m));
        let b = Bracket::new(self.ra(0).expect(layer), self.ra(1).expect(layer));
        Bracket::new(b.lo, b.hi + trunc)
    }

    fn truncated_excess(&self) -> f64 {
        self.option.passes[0]
            .truncated_excess
            .max(self.option.passes[1].truncated_excess)
    }

    fn ra(&self, i: usize) -> LatticeDist<'_> {
        LatticeDist {
            pmf: &self.option.passes[i].aggregate_retained,
            h: self.option.step(),
            offset: 0.0,
        }
    }

    /// Every figure, with `fixed` (annual premiums plus fees) added to the claims.
    pub fn figures(
        &self,
        fixed: f64,
        budget: Option<f64>,
        fully_insured: Option<f64>,
    ) -> ExactFigures {
        let h = self.option.step();
        let trunc = self.truncated_excess();
        let cost = |i: usize| LatticeDist {
            pmf: &self.claims[i],
            h,
            offset: fixed,
        };
        let both = |f: &dyn Fn(usize) -> f64| Bracket::new(f(0), f(1));
        let widen = |b: Bracket, by: f64| Bracket::new(b.lo, b.hi + by);
        let mean = widen(both(&|i| cost(i).mean()), trunc);
        let exceed = |x: Option<f64>| x.map(|x| both(&|i| cost(i).prob_exceeds(x)));
        ExactFigures {
            mean,
            sd: both(&|i| cost(i).sd()),
            percentiles: Percentiles::from_fn(|l| both(&|i| cost(i).quantile(l.p))),
            tvar: Tvar::from_fn(|l| widen(both(&|i| cost(i).tvar(l.p)), trunc / (1.0 - l.p))),
            max: cost(1).max(),
            retained_claims: Bracket::new(mean.lo - fixed, mean.hi - fixed),
            specific_reimbursement: self.option.specific_reimbursement,
            aggregate_reimbursement: self.aggregate_reimbursement(),
            prob_aggregate_attaches: self
                .attachment
                .map(|a| both(&|i| self.ra(i).prob_exceeds(a))),
            claimants: self.option.claimants,
            prob_exceeds_budget: exceed(budget),
            prob_exceeds_fully_insured: exceed(fully_insured),
            exceedance: crate::stats::EXCEEDANCE_LEVELS
                .iter()
                .map(|&p| {
                    let x = both(&|i| cost(i).quantile(p)).mid();
                    (x, both(&|i| cost(i).prob_exceeds(x)).mid())
                })
                .collect(),
        }
    }
}
