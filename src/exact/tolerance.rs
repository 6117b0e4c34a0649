//! Which reported means and probabilities miss the requested relative
//! tolerance: the engine's stopping rule, and the warning a candidate
//! carries when its bounds stay wider than asked.

use super::candidate::{CandidateDist, ExactFigures};
use super::{Bracket, ExactOption};
use crate::evaluate::{CandidateTerms, OptionExpectations};
use crate::model::Study;
use crate::results::Estimate;

/// How a figure is held to the tolerance.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Relative tolerance.
    pub tol: f64,
    /// Dollar figures below this are held to the tolerance of this amount
    /// (0.1% of the expected gross claims): a tiny layer need not be known
    /// to a relative 1e-6 of itself.
    pub dollars: f64,
    /// The same floor for probabilities and counts.
    pub prob: f64,
    /// The part of a dollar bound that is truncation of heavy tails, left
    /// out of the test (the step cannot shrink it), or 0 to test it all.
    pub excluded_truncation: f64,
}

impl Rule {
    /// The rule for `study` at tolerance `tol`, truncation included.
    pub fn new(study: &Study, tol: f64) -> Self {
        Rule {
            tol,
            dollars: 1e-3 * study.population.expected_gross_claims().max(1e-9),
            prob: 1e-3,
            excluded_truncation: 0.0,
        }
    }

    /// The same rule with `trunc` of every dollar bound left out.
    pub fn without_truncation(self, trunc: f64) -> Self {
        Rule {
            excluded_truncation: trunc,
            ..self
        }
    }

    fn dollars(&self, name: &str, b: &Bracket, share: f64, out: &mut Vec<Miss>) {
        let ratio = b.excess(self.tol, self.dollars, self.excluded_truncation * share);
        if ratio > 1.0 {
            out.push(Miss::new(name, ratio));
        }
    }

    fn prob(&self, name: &str, b: &Bracket, out: &mut Vec<Miss>) {
        let ratio = b.excess(self.tol, self.prob, 0.0);
        if ratio > 1.0 {
            out.push(Miss::new(name, ratio));
        }
    }
}

/// A figure whose bound exceeds the tolerance.
#[derive(Debug, Clone, PartialEq)]
pub struct Miss {
    /// The figure, as `results.json` names it.
    pub name: String,
    /// Its bound over what the tolerance allows (above 1).
    pub ratio: f64,
}

impl Miss {
    fn new(name: &str, ratio: f64) -> Self {
        Miss {
            name: name.to_string(),
            ratio,
        }
    }
}

/// The option's own figures that miss `rule`.
pub fn option_misses(o: &ExactOption, rule: &Rule) -> Vec<Miss> {
    let mut out = Vec::new();
    rule.dollars(
        "aggregate-eligible retained claims",
        &o.aggregate_retained,
        1.0,
        &mut out,
    );
    rule.dollars(
        "specific_reimbursement",
        &o.specific_reimbursement,
        1.0,
        &mut out,
    );
    rule.prob("expected_specific_claimants", &o.claimants, &mut out);
    out
}

/// The candidate's means and probabilities that miss `rule`.
pub fn candidate_misses(f: &ExactFigures, rule: &Rule) -> Vec<Miss> {
    let mut out = Vec::new();
    rule.dollars("employer_cost.mean", &f.mean, f.truncation_share, &mut out);
    rule.dollars(
        "aggregate_reimbursement",
        &f.aggregate_reimbursement,
        1.0,
        &mut out,
    );
    for (l, b) in f.tvar.iter() {
        // A TVaR holds the truncated excess over 1 - p of probability.
        let name = format!("employer_cost.tvar.{}", l.key);
        rule.dollars(&name, b, f.truncation_share / (1.0 - l.p), &mut out);
    }
    for (name, b) in [
        ("prob_aggregate_attaches", &f.prob_aggregate_attaches),
        ("prob_exceeds_budget", &f.prob_exceeds_budget),
        ("prob_exceeds_fully_insured", &f.prob_exceeds_fully_insured),
    ] {
        if let Some(b) = b {
            rule.prob(name, b, &mut out);
        }
    }
    out
}

/// The stopping rule's figures ([`CandidateDist::rule_figures`]) of every
/// candidate of option `s`, with attachments and priced premiums from this
/// option's own expectations. They do not depend on the rule, so one
/// evaluation serves every rule a level is checked against.
pub fn candidate_figures(study: &Study, s: usize, o: &ExactOption) -> Vec<ExactFigures> {
    let n = study.contract.specific.len();
    let zero = Estimate { mean: 0.0, se: 0.0 };
    let mut exp = OptionExpectations {
        aggregate_retained: vec![zero; n],
        specific_reimbursement: vec![zero; n],
        specific_premium: vec![zero; n],
        source: "exact engine",
    };
    exp.aggregate_retained[s] = o.aggregate_retained.estimate();
    exp.specific_reimbursement[s] = o.specific_reimbursement.estimate();
    exp.specific_premium[s] = crate::evaluate::annual_premium(
        &study.contract.specific[s].premium,
        study,
        exp.specific_reimbursement[s],
    );
    study
        .contract
        .candidates
        .iter()
        .filter(|c| c.specific == s)
        .map(|c| {
            let terms = CandidateTerms::new(study, &exp, c);
            let dist = CandidateDist::new(o, &terms);
            // The fixed costs move the budget and fully insured thresholds
            // against the claims, so they are those of the report.
            let aggregate_premium =
                terms.aggregate_premium(study, dist.aggregate_reimbursement().estimate());
            let fixed = terms.specific_premium.mean + aggregate_premium.mean + terms.fees;
            dist.rule_figures(fixed, study.budget, study.fully_insured_premium)
        })
        .collect()
}

/// Every figure of option `o` and of its candidates' `figures` (from
/// [`candidate_figures`]) that misses `rule`.
pub fn misses_of(o: &ExactOption, figures: &[ExactFigures], rule: &Rule) -> Vec<Miss> {
    let mut out = option_misses(o, rule);
    for f in figures {
        out.extend(candidate_misses(f, rule));
    }
    out
}

/// The warning a candidate carries when some of its error bounds exceed
/// the tolerance, naming them.
pub fn warning(missed: &[Miss], tol: f64, step: f64) -> Option<String> {
    if missed.is_empty() {
        return None;
    }
    let names: Vec<&str> = missed.iter().map(|m| m.name.as_str()).collect();
    let worst = missed.iter().map(|m| m.ratio).fold(1.0, f64::max);
    Some(format!(
        "exact engine: the error bound of {} exceeds the tolerance of {tol:e} relative (up to {worst:.1} times it; finest step ${step:.4}); the lattice budget (--exact-points) or the truncation of a heavy tail stopped it; see each figure's se",
        names.join(", ")
    ))
}
