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
    let (p, ci) = (&e.percentiles, &e.percentiles_ci95);
    let (value, se) = match measure {
        RiskMeasure::Var(500) => (p.p50, Some(from_interval(&ci.p50))),
        RiskMeasure::Var(750) => (p.p75, Some(from_interval(&ci.p75))),
        RiskMeasure::Var(900) => (p.p90, Some(from_interval(&ci.p90))),
        RiskMeasure::Var(950) => (p.p95, Some(from_interval(&ci.p95))),
        RiskMeasure::Var(990) => (p.p99, Some(from_interval(&ci.p99))),
        RiskMeasure::Var(_) => (p.p99_5, Some(from_interval(&ci.p99_5))),
        RiskMeasure::Tvar(900) => (e.tvar.p90, Some(e.tvar_se.p90)),
        RiskMeasure::Tvar(950) => (e.tvar.p95, Some(e.tvar_se.p95)),
        RiskMeasure::Tvar(_) => (e.tvar.p99, Some(e.tvar_se.p99)),
        RiskMeasure::Sd => (e.sd, None),
        RiskMeasure::ProbOverBudget => {
            let p = c.prob_exceeds_budget?;
            (p.mean, Some(p.se))
        }
    };
    Some(RiskValue { value, se })
}
