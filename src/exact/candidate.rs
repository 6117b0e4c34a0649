//! One candidate's figures from the exact engine.

use super::lattice::{convolve, map, split};
use super::measures::{LatticeDist, MappedDist, Tails, TailsNear};
use super::option::survival_at;
use super::{Bracket, ExactOption, OptionPass};
use crate::contract::aggregate_reimbursement;
use crate::evaluate::CandidateTerms;
use crate::results::{Percentiles, Tvar};

/// Exact figures of one candidate, each as `value +- bound`.
#[derive(Debug, Clone)]
pub struct ExactFigures {
    /// Expected employer cost.
    pub mean: Bracket,
    /// Standard deviation of the cost.
    pub sd: Bracket,
    /// Percentiles at the reported levels.
    pub percentiles: Percentiles<Bracket>,
    /// TVaR at the reported levels.
    pub tvar: Tvar<Bracket>,
    /// Largest cost with probability above 1e-12 (finer level).
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
    /// The share of the option's truncated excess in the bounds of the
    /// mean cost (and, over `1 - p`, of the TVaRs): 1, or less where the
    /// aggregate layer makes part of the truncation unable to reach the
    /// kept claims (see the stopping rule, which leaves that part out of
    /// its test of what halving the step can reach).
    pub truncation_share: f64,
}

/// The distributions of one candidate's claims, before fixed costs.
#[derive(Debug, Clone)]
pub struct CandidateDist<'a> {
    option: &'a ExactOption,
    attachment: Option<f64>,
    aggregate_max: f64,
    /// Claims kept after both covers, at steps `h` and `h / 2`.
    claims: [Vec<f64>; 2],
    /// The same at step `2 h`, where the option kept that level: the third
    /// level of the threshold probabilities' bounds.
    coarser_claims: Option<Vec<f64>>,
}

impl<'a> CandidateDist<'a> {
    /// Applies the candidate's aggregate layer to the option's distributions.
    pub fn new(option: &'a ExactOption, terms: &CandidateTerms) -> Self {
        let (attachment, max) = (terms.attachment, terms.aggregate_max);
        let layer = |v: f64| attachment.map_or(0.0, |a| aggregate_reimbursement(v, a, max));
        let claims_of = |pass: &OptionPass| {
            let kept = if attachment.is_some() {
                map(&pass.aggregate_retained, pass.h, |v| v - layer(v))
            } else {
                pass.aggregate_retained.clone()
            };
            convolve(&kept, &pass.outside)
        };
        let claims = [0, 1].map(|i| claims_of(&option.passes[i]));
        CandidateDist {
            option,
            attachment,
            aggregate_max: max,
            claims,
            coarser_claims: option.coarser.as_ref().map(claims_of),
        }
    }

    /// Expected aggregate reimbursement.
    pub fn aggregate_reimbursement(&self) -> Bracket {
        let (a, m) = (self.attachment, self.aggregate_max);
        if a.is_none() {
            return Bracket::around(0.0, 0.0);
        }
        let layer = |v: f64| a.map_or(0.0, |a| aggregate_reimbursement(v, a, m));
        Bracket::richardson(self.ra(0).expect(layer), self.ra(1).expect(layer), 2)
            .widen(self.truncated_excess())
    }

    /// The part of the truncated excess that can reach the claims kept
    /// after the aggregate: all of it, except, under an aggregate with no
    /// maximum, the member lattices cut at or above the attachment (where
    /// one of them is cut the group total is above the attachment, and the
    /// kept claims are the attachment, truncated or not).
    fn kept_truncation(&self) -> f64 {
        let of = |p: &OptionPass| match self.attachment {
            Some(a) if self.aggregate_max == f64::INFINITY => {
                let eligible: f64 = p.truncated_parts.iter().map(|&(_, e)| e).sum();
                let reaching: f64 = p
                    .truncated_parts
                    .iter()
                    .filter(|&&(cap, _)| cap < a)
                    .map(|&(_, e)| e)
                    .sum();
                (p.truncated_excess - eligible).max(0.0) + reaching
            }
            _ => p.truncated_excess,
        };
        of(&self.option.passes[0]).max(of(&self.option.passes[1]))
    }

    fn truncated_excess(&self) -> f64 {
        self.option.passes[0]
            .truncated_excess
            .max(self.option.passes[1].truncated_excess)
    }

    fn ra(&self, i: usize) -> LatticeDist<'_> {
        LatticeDist {
            pmf: &self.option.passes[i].aggregate_retained,
            h: self.option.passes[i].h,
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
        self.figures_with(fixed, budget, fully_insured, true)
    }

    /// The figures the stopping rule reads (means, TVaRs, probabilities),
    /// as [`CandidateDist::figures`]; the percentiles, the standard
    /// deviation and the exceedance curve, which it does not read, are NaN.
    /// Those take most of a candidate's scans of its lattices, and the rule
    /// evaluates every candidate at every halving.
    pub fn rule_figures(
        &self,
        fixed: f64,
        budget: Option<f64>,
        fully_insured: Option<f64>,
    ) -> ExactFigures {
        self.figures_with(fixed, budget, fully_insured, false)
    }

    fn figures_with(
        &self,
        fixed: f64,
        budget: Option<f64>,
        fully_insured: Option<f64>,
        full: bool,
    ) -> ExactFigures {
        let trunc = self.kept_truncation();
        let all_trunc = self.truncated_excess();
        // Suffix sums of the claims for the exceedance curve's many points,
        // in the full figures only.
        let claims_tails = full.then(|| [0, 1].map(|i| Tails::new(&self.claims[i])));
        let cost = |i: usize| LatticeDist {
            pmf: &self.claims[i],
            h: self.option.passes[i].h,
            offset: fixed,
        };
        let h = self.option.step();
        let order = |k: i32, f: &dyn Fn(usize) -> f64| Bracket::richardson(f(0), f(1), k);
        // Without claims outside both covers the cost is a monotone map of
        // the aggregate-eligible total, whose lattice it keeps: the cap of
        // the aggregate layer then keeps its exact value for percentiles
        // and TVaR.
        let direct = self.option.passes.iter().all(|p| p.outside.len() == 1);
        let (a, m) = (self.attachment, self.aggregate_max);
        let mapped = |i: usize| {
            let hi = self.option.passes[i].h;
            MappedDist {
                pmf: &self.option.passes[i].aggregate_retained,
                // Kept claims, with the cap exactly at the attachment (so
                // that percentiles inside it are equal, not a rounding apart).
                value: move |k: usize| {
                    let v = k as f64 * hi;
                    fixed
                        + match a {
                            Some(a) if v > a => {
                                if v - a < m {
                                    a
                                } else {
                                    v - m
                                }
                            }
                            _ => v,
                        }
                },
            }
        };
        let q_at = |i: usize, p: f64| {
            if direct {
                mapped(i).quantile(p)
            } else {
                cost(i).quantile(p)
            }
        };
        let tvar_at = |i: usize, p: f64| {
            if direct {
                mapped(i).tvar(p)
            } else {
                cost(i).tvar(p)
            }
        };
        // A percentile is a value of the finer level, within a step (and
        // the change from the coarser level) of the true one.
        let quantile = |p: f64| {
            let (c, f) = (q_at(0, p), q_at(1, p));
            Bracket::around(f, (f - c).abs().max(h))
        };
        let mean = order(2, &|i| cost(i).mean()).widen(trunc);
        // Atoms of the cost: those of the group totals, and the cap of the
        // aggregate layer.
        let fine = &self.option.passes[1];
        let ra_continuous = fine.atoms[0] <= super::option::ATOMLESS;
        let kept_atoms = if self.attachment.is_some() {
            1.0
        } else {
            fine.atoms[0]
        };
        let cost_continuous = kept_atoms * fine.atoms[1] <= super::option::ATOMLESS;
        let p_order = |c: bool| if c { 2 } else { 1 };
        // P(X > x) of a level's pmf: from its suffix sums where they were
        // built, else from those at the threshold only (the rule reads two
        // thresholds: they are enough).
        let read =
            |pmf: &[f64], h: f64, x: f64, continuous: bool, tails: Option<&Tails>| match tails {
                Some(t) => survival_at(t, h, x, continuous),
                None => survival_at(&TailsNear::new(pmf, split(x, h).0), h, x, continuous),
            };
        // A probability from its levels `h` and `h / 2` and, where the
        // option kept it, `2 h`: three levels bound it where it converges
        // at order h^2 (no atoms: the midpoint rule; see
        // Bracket::richardson3), two otherwise.
        let probability = |continuous: bool, level: &dyn Fn(usize) -> f64, coarser: Option<f64>| {
            let k = p_order(continuous);
            let (c, f) = (level(0), level(1));
            let b = match coarser {
                Some(cc) if continuous => Bracket::richardson3(cc, c, f, k),
                _ => Bracket::richardson(c, f, k),
            };
            Bracket::new(b.lo.max(0.0), b.hi.min(1.0))
        };
        let exceed = |x: Option<f64>| {
            x.map(|x| {
                let x = x - fixed;
                let level = |i: usize| {
                    let tails = claims_tails.as_ref().map(|t| &t[i]);
                    read(&self.claims[i], cost(i).h, x, cost_continuous, tails)
                };
                let coarser = self
                    .coarser_claims
                    .as_ref()
                    .zip(self.option.coarser.as_ref())
                    .map(|(claims, pass)| read(claims, pass.h, x, cost_continuous, None));
                probability(cost_continuous, &level, coarser)
            })
        };
        let unread = Bracket::around(f64::NAN, f64::NAN);
        ExactFigures {
            mean,
            sd: if full {
                order(2, &|i| cost(i).sd())
            } else {
                unread
            },
            percentiles: Percentiles::from_fn(|l| if full { quantile(l.p) } else { unread }),
            tvar: Tvar::from_fn(|l| order(2, &|i| tvar_at(i, l.p)).widen(trunc / (1.0 - l.p))),
            max: cost(1).max(),
            retained_claims: Bracket::new(mean.lo - fixed, mean.hi - fixed),
            specific_reimbursement: self.option.specific_reimbursement,
            aggregate_reimbursement: self.aggregate_reimbursement(),
            prob_aggregate_attaches: self.attachment.map(|a| {
                // Read at the attachment only: the suffix sums there, not a
                // lattice-long array per candidate.
                let at = |p: &OptionPass| read(&p.aggregate_retained, p.h, a, ra_continuous, None);
                let level = |i: usize| at(&self.option.passes[i]);
                probability(ra_continuous, &level, self.option.coarser.as_ref().map(at))
            }),
            claimants: self.option.claimants,
            prob_exceeds_budget: exceed(budget),
            prob_exceeds_fully_insured: exceed(fully_insured),
            exceedance: crate::stats::EXCEEDANCE_LEVELS
                .iter()
                .filter(|_| full)
                .map(|&p| {
                    let x = q_at(1, p);
                    let t = claims_tails.as_ref().map(|t| &t[1]);
                    (
                        x,
                        t.map_or(f64::NAN, |t| survival_at(t, h, x - fixed, false)),
                    )
                })
                .collect(),
            truncation_share: if all_trunc > 0.0 {
                trunc / all_trunc
            } else {
                1.0
            },
        }
    }
}
