//! Decision support from a run's results: the efficient frontier of
//! expected cost against a tail measure, the recommendation under a stated
//! risk appetite, and self-funding against a fully insured premium.
//!
//! Everything here is a function of [`Results`] (so it works alike for the
//! simulation and the exact engine), except the differences between two
//! candidates, whose standard errors need the per-trial costs: the caller
//! supplies them through [`Differences`] ([`crate::evaluate::PairedColumns`]
//! where the trial columns exist, [`ExactBounds`] for the exact engine).

mod frontier;
mod insured;
mod measure;
mod recommend;
pub mod sanity;
pub mod text;

pub use frontier::{dominance, efficient_order};
pub use insured::against_fully_insured;
pub use measure::risk_value;
pub use recommend::{choose, Choice};

use crate::model::{RiskAppetite, RiskCap, RiskMeasure, Study};
use crate::results::{
    Assumptions, ClassAssumption, Comparison, ComponentAssumption, Decision, DecisionRule,
    Difference, FrontierPoint, FullyInsured, Interval, Results, RiskValue,
};
use statrs::distribution::{ContinuousCDF, Normal};

/// Mean cost differences between candidates, with their standard errors.
pub trait Differences {
    /// For every candidate `c` (in candidate order), `E[cost_c - cost_reference]`
    /// and its standard error.
    fn versus(&self, reference: usize) -> Vec<Difference>;
    /// `paired` or `exact` (or `unpaired` when neither is available).
    fn basis(&self) -> &'static str;
    /// Trials behind the differences (0 for the exact engine).
    fn trials(&self) -> u64;
}

/// Differences of the exact engine's means: exact up to the sum of the two
/// candidates' error bounds.
#[derive(Debug, Clone, Copy)]
pub struct ExactBounds<'a>(pub &'a Results);

/// Differences of every candidate's mean cost from candidate `reference`'s,
/// with the standard error `combine(se_c, se_ref)` (zero for the reference).
fn mean_differences(
    results: &Results,
    reference: usize,
    combine: fn(f64, f64) -> f64,
) -> Vec<Difference> {
    let r = &results.candidates[reference].employer_cost;
    results
        .candidates
        .iter()
        .enumerate()
        .map(|(i, c)| Difference {
            mean_difference: c.employer_cost.mean - r.mean,
            se: if i == reference {
                0.0
            } else {
                combine(c.employer_cost.se, r.se)
            },
        })
        .collect()
}

impl Differences for ExactBounds<'_> {
    fn versus(&self, reference: usize) -> Vec<Difference> {
        mean_differences(self.0, reference, |a, b| a + b)
    }
    fn basis(&self) -> &'static str {
        "exact"
    }
    fn trials(&self) -> u64 {
        0
    }
}

/// Differences when the per-trial costs are gone (a report of an older
/// results.json): the standard error as if the candidates were independent,
/// `sqrt(se_c^2 + se_ref^2)`, which overstates it under common random numbers.
#[derive(Debug, Clone, Copy)]
pub struct Unpaired<'a>(pub &'a Results);

impl Differences for Unpaired<'_> {
    fn versus(&self, reference: usize) -> Vec<Difference> {
        mean_differences(self.0, reference, f64::hypot)
    }
    fn basis(&self) -> &'static str {
        "unpaired"
    }
    fn trials(&self) -> u64 {
        self.0.meta.trials
    }
}

/// The inputs a report shows as assumptions.
pub fn assumptions(study: &Study) -> Assumptions {
    Assumptions {
        description: study.description.clone(),
        client: study.client.clone(),
        budget: study.budget,
        fully_insured_premium: study.fully_insured_premium,
        trend_annual: study.trend.annual,
        trend_months: study.trend.months,
        annual_fees: study
            .fees
            .admin_pepm
            .annual_total(&study.population.enrollment),
        classes: study
            .population
            .classes
            .iter()
            .map(|c| ClassAssumption {
                name: c.name.clone(),
                members: c.members,
                employees: c.employees,
                components: c
                    .components
                    .iter()
                    .map(|k| ComponentAssumption {
                        name: k.name.clone(),
                        claims_per_member: k.frequency.mean(),
                        mean_severity: k.severity.mean(),
                        specific: k.specific,
                        aggregate: k.aggregate,
                    })
                    .collect(),
            })
            .collect(),
        lasers: study.contract.lasers.len(),
    }
}

/// The two-sided normal quantile for a confidence level (1.96 for 0.95).
pub fn z_for(confidence: f64) -> f64 {
    Normal::standard().inverse_cdf(0.5 + 0.5 * confidence)
}

/// Trials that make the interval's half-width `z se` equal `|diff|`, from
/// `se ~ 1/sqrt(n)`: `n (z se / |diff|)^2`, rounded up; `None` when the
/// difference is 0 or not finite.
pub fn trials_needed(n: u64, z: f64, se: f64, diff: f64) -> Option<u64> {
    let ratio = z * se / diff.abs();
    let need = (n as f64 * ratio * ratio).ceil();
    (need.is_finite() && diff != 0.0).then_some(need as u64)
}

/// The decision analysis of `results` under `appetite`. Budget and fully
/// insured premium come from `results.assumptions`. `None` when there are
/// no candidates or a measure needs a budget the results lack.
pub fn analyze(
    results: &Results,
    appetite: &RiskAppetite,
    differences: &dyn Differences,
) -> Option<Decision> {
    let budget = results.assumptions.as_ref().and_then(|a| a.budget);
    let fully_insured = results
        .assumptions
        .as_ref()
        .and_then(|a| a.fully_insured_premium);
    let cands = &results.candidates;
    let risks = |m: RiskMeasure| -> Option<Vec<RiskValue>> {
        cands.iter().map(|c| risk_value(m, c)).collect()
    };
    let frontier_risk = risks(appetite.frontier_measure)?;
    let rule_risk = risks(appetite.risk_measure)?;
    let means: Vec<f64> = cands.iter().map(|c| c.employer_cost.mean).collect();
    let cap = appetite.cap_value(budget);
    let rule_values: Vec<f64> = rule_risk.iter().map(|r| r.value).collect();
    let choice = choose(&means, &rule_values, appetite.lambda, cap)?;

    let points: Vec<(f64, f64)> = means
        .iter()
        .zip(&frontier_risk)
        .map(|(&m, r)| (m, r.value))
        .collect();
    let dominated = dominance(&points);
    let efficient = efficient_order(&points, &dominated);
    let vs = differences.versus(choice.recommended);
    let frontier = cands
        .iter()
        .enumerate()
        .map(|(i, c)| FrontierPoint {
            label: c.label.clone(),
            mean: crate::results::Estimate {
                mean: c.employer_cost.mean,
                se: c.employer_cost.se,
            },
            risk: frontier_risk[i],
            rule_risk: rule_risk[i],
            objective: means[i] + appetite.lambda * rule_risk[i].value,
            meets_cap: cap.map(|x| rule_risk[i].value <= x),
            efficient: dominated[i].is_none(),
            dominated_by: dominated[i].map(|j| cands[j].label.clone()),
            vs_recommended: vs.get(i).copied(),
        })
        .collect();

    let z = z_for(appetite.confidence);
    let comparison = choice.runner_up.map(|r| {
        let d = vs[r];
        let half = z * d.se;
        let within_noise = d.mean_difference.abs() <= half;
        let n = differences.trials();
        Comparison {
            recommended: cands[choice.recommended].label.clone(),
            runner_up: cands[r].label.clone(),
            mean_difference: d.mean_difference,
            se: d.se,
            ci: Interval {
                lo: d.mean_difference - half,
                hi: d.mean_difference + half,
            },
            risk_difference: rule_risk[r].value - rule_risk[choice.recommended].value,
            basis: differences.basis().into(),
            within_noise,
            trials_needed: if n > 0 && within_noise {
                trials_needed(n, z, d.se, d.mean_difference)
            } else {
                None
            },
            trials: n,
        }
    });
    let fully_insured = fully_insured.map(|premium| FullyInsured {
        premium,
        candidates: cands
            .iter()
            .map(|c| against_fully_insured(c, premium))
            .collect(),
    });
    let rule = DecisionRule {
        frontier_measure: appetite.frontier_measure.name(),
        risk_measure: appetite.risk_measure.name(),
        max_risk: cap,
        max_risk_basis: appetite.cap.map(|c| match c {
            RiskCap::Value(_) => "given".to_string(),
            RiskCap::BudgetFactor(f) => format!("{f} x budget"),
        }),
        lambda: appetite.lambda,
        confidence: appetite.confidence,
        text: text::rule(appetite, cap),
    };
    let mut decision = Decision {
        rule,
        frontier,
        efficient: efficient.iter().map(|&i| cands[i].label.clone()).collect(),
        recommended: cands[choice.recommended].label.clone(),
        meets_cap: choice.meets_cap,
        runner_up: choice.runner_up.map(|r| cands[r].label.clone()),
        comparison,
        fully_insured,
        summary: Vec::new(),
    };
    decision.summary = text::summary(&decision, appetite);
    Some(decision)
}
