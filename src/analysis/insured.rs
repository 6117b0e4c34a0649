//! Self-funding against a fully insured premium.

use crate::results::{CandidateResult, Estimate, InsuredCandidate, Interval, WorstYear};

/// Candidate `c` against the annual fully insured `premium`: the expected
/// saving (premium less mean cost, with the mean's se), the probability
/// that self-funding costs more, and the 1-in-20 and 1-in-100 years (VaR
/// 95% and 99%) less the premium, with their 95% intervals.
pub fn against_fully_insured(c: &CandidateResult, premium: f64) -> InsuredCandidate {
    let e = &c.employer_cost;
    let worst = |cost: f64, ci: &Interval| WorstYear {
        cost,
        over_fully_insured: cost - premium,
        ci95: Interval {
            lo: ci.lo - premium,
            hi: ci.hi - premium,
        },
    };
    InsuredCandidate {
        label: c.label.clone(),
        expected_saving: Estimate {
            mean: premium - e.mean,
            se: e.se,
        },
        prob_self_funding_costs_more: c.prob_exceeds_fully_insured.unwrap_or(Estimate {
            mean: f64::NAN,
            se: f64::NAN,
        }),
        worst_1_in_20: worst(e.percentiles.p95, &e.percentiles_ci95.p95),
        worst_1_in_100: worst(e.percentiles.p99, &e.percentiles_ci95.p99),
    }
}
