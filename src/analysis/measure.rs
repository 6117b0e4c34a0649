//! Risk measures read off a candidate's results.

use crate::model::RiskMeasure;
use crate::results::{CandidateResult, Interval, RiskValue};
use crate::stats::Z95;

/// The standard error implied by a 95% interval: its half-width / 1.96.
fn from_interval(i: &Interval) -> f64 {
    0.5 * (i.hi - i.lo) / Z95
}

/// The value of `measure` for candidate `c`, with its error where the
/// results carry one; `None` for `prob_over_budget` without a budget.
pub fn risk_value(measure: RiskMeasure, c: &CandidateResult) -> Option<RiskValue> {
    let e = &c.employer_cost;
    let (value, se) = match measure {
        RiskMeasure::Var(l) => (
            *e.percentiles.at(l)?,
            Some(from_interval(e.percentiles_ci95.at(l)?)),
        ),
        RiskMeasure::Tvar(l) => (*e.tvar.at(l)?, Some(*e.tvar_se.at(l)?)),
        RiskMeasure::Sd => (e.sd, None),
        RiskMeasure::ProbOverBudget => {
            let p = c.prob_exceeds_budget?;
            (p.mean, Some(p.se))
        }
    };
    Some(RiskValue { value, se })
}
