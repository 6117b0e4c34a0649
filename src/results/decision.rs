//! The decision-support part of the results: the inputs a report shows as
//! assumptions, the efficient frontier, the recommendation under the stated
//! risk appetite, and self-funding against the fully insured premium.

use super::nullable::f64_or_nan;
use super::{Estimate, Interval};
use serde::{Deserialize, Serialize};

/// Inputs that are not figures, as a report shows them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Assumptions {
    /// The config's description.
    pub description: Option<String>,
    /// Whom the report is prepared for (`report.client`, or `--client`).
    #[serde(default)]
    pub client: Option<String>,
    /// Annual budget (null when not given).
    pub budget: Option<f64>,
    /// Annual fully insured premium (null when not given).
    pub fully_insured_premium: Option<f64>,
    /// Annual severity trend rate (0.07 for 7%).
    #[serde(deserialize_with = "f64_or_nan")]
    pub trend_annual: f64,
    /// Months of trend.
    #[serde(deserialize_with = "f64_or_nan")]
    pub trend_months: f64,
    /// Annual administration fees.
    #[serde(deserialize_with = "f64_or_nan")]
    pub annual_fees: f64,
    /// The claim model per class.
    pub classes: Vec<ClassAssumption>,
    /// Members with a laser (a higher deductible or no specific cover).
    pub lasers: usize,
}

/// One class of members and its claim components.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClassAssumption {
    /// Class name.
    pub name: String,
    /// Members simulated.
    pub members: u64,
    /// Employees (the PEPM basis), averaged over the year.
    #[serde(deserialize_with = "f64_or_nan")]
    pub employees: f64,
    /// Claim components.
    pub components: Vec<ComponentAssumption>,
}

/// One claim component of a class.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ComponentAssumption {
    /// Component name.
    pub name: String,
    /// Expected claims per member-year at full-year exposure.
    #[serde(deserialize_with = "f64_or_nan")]
    pub claims_per_member: f64,
    /// Expected amount per claim, before trend and risk factors.
    #[serde(deserialize_with = "f64_or_nan")]
    pub mean_severity: f64,
    /// Counts toward the specific stop-loss.
    pub specific: bool,
    /// Counts toward the aggregate stop-loss.
    pub aggregate: bool,
}

/// A risk figure with its error where the results carry one.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct RiskValue {
    /// The measure's value: dollars, or a probability for `prob_over_budget`.
    #[serde(deserialize_with = "f64_or_nan")]
    pub value: f64,
    /// Its Monte Carlo standard error (exact engine: error bound); null for
    /// the standard deviation, whose error is not estimated.
    pub se: Option<f64>,
}

/// The rule a recommendation was made under.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DecisionRule {
    /// Tail measure of the frontier (`tvar99`, ...).
    pub frontier_measure: String,
    /// Measure the cap and the penalty apply to.
    pub risk_measure: String,
    /// The cap on `risk_measure` in its units (null: no cap).
    pub max_risk: Option<f64>,
    /// How the cap was set: `"1.1 x budget"`, `"given"`; null without a cap.
    pub max_risk_basis: Option<String>,
    /// Weight of `risk_measure` in the objective `mean + lambda x risk`.
    #[serde(deserialize_with = "f64_or_nan")]
    pub lambda: f64,
    /// Confidence level of the intervals on differences.
    #[serde(deserialize_with = "f64_or_nan")]
    pub confidence: f64,
    /// The rule in words.
    pub text: String,
}

/// A paired difference of mean cost from the recommended candidate.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct Difference {
    /// `E[cost_c - cost_recommended]`.
    #[serde(deserialize_with = "f64_or_nan")]
    pub mean_difference: f64,
    /// Its standard error (`paired`: sd of the per-trial differences /
    /// sqrt(n); `exact`: the sum of both error bounds).
    #[serde(deserialize_with = "f64_or_nan")]
    pub se: f64,
}

/// One candidate on the frontier chart.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FrontierPoint {
    /// Candidate label.
    pub label: String,
    /// Expected annual cost.
    pub mean: Estimate,
    /// The frontier's tail measure.
    pub risk: RiskValue,
    /// The rule's risk measure (the same as `risk` when the measures agree).
    pub rule_risk: RiskValue,
    /// `mean + lambda x rule_risk`.
    #[serde(deserialize_with = "f64_or_nan")]
    pub objective: f64,
    /// Whether `rule_risk` is at most the cap (null without a cap).
    pub meets_cap: Option<bool>,
    /// No candidate is at least as cheap on average and as safe, and better in one.
    pub efficient: bool,
    /// A candidate that dominates this one (the cheapest such), if any.
    pub dominated_by: Option<String>,
    /// The mean cost difference from the recommended candidate.
    pub vs_recommended: Option<Difference>,
}

/// The recommended candidate against the runner-up.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Comparison {
    /// The recommended candidate.
    pub recommended: String,
    /// The runner-up.
    pub runner_up: String,
    /// `E[cost_runner_up - cost_recommended]`: positive when the
    /// recommendation is cheaper on average.
    #[serde(deserialize_with = "f64_or_nan")]
    pub mean_difference: f64,
    /// Its standard error.
    #[serde(deserialize_with = "f64_or_nan")]
    pub se: f64,
    /// The interval at `decision.rule.confidence`.
    pub ci: Interval,
    /// The runner-up's rule risk less the recommendation's.
    #[serde(deserialize_with = "f64_or_nan")]
    pub risk_difference: f64,
    /// `paired` (per-trial differences on the same simulated years) or
    /// `exact` (exact engine: exact up to its error bound).
    pub basis: String,
    /// Whether the interval includes 0 (the order is within Monte Carlo
    /// noise, or within the exact engine's error bound).
    pub within_noise: bool,
    /// When the interval includes 0, the trials in all that would make its
    /// half-width equal the difference: `n (z se / |diff|)^2` (null when the
    /// interval excludes 0, for the exact engine, or when the difference is 0).
    pub trials_needed: Option<u64>,
    /// Trials behind the difference (0 for the exact engine).
    pub trials: u64,
}

/// The worst year at a return period, against the fully insured premium.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct WorstYear {
    /// The annual cost exceeded with this probability (VaR).
    #[serde(deserialize_with = "f64_or_nan")]
    pub cost: f64,
    /// `cost` less the fully insured premium: what self-funding costs beyond
    /// it in such a year (negative: still a saving).
    #[serde(deserialize_with = "f64_or_nan")]
    pub over_fully_insured: f64,
    /// 95% interval of `over_fully_insured`.
    pub ci95: Interval,
}

/// One candidate against the fully insured premium.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InsuredCandidate {
    /// Candidate label.
    pub label: String,
    /// Fully insured premium less the expected self-funded cost.
    pub expected_saving: Estimate,
    /// Probability that self-funding costs more than the premium.
    pub prob_self_funding_costs_more: Estimate,
    /// The 1-in-20 year (VaR 95%).
    pub worst_1_in_20: WorstYear,
    /// The 1-in-100 year (VaR 99%).
    pub worst_1_in_100: WorstYear,
}

/// Self-funding against a fully insured premium.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FullyInsured {
    /// The annual fully insured premium.
    #[serde(deserialize_with = "f64_or_nan")]
    pub premium: f64,
    /// One entry per candidate, in candidate order.
    pub candidates: Vec<InsuredCandidate>,
}

/// The decision analysis of a run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Decision {
    /// The rule.
    pub rule: DecisionRule,
    /// One point per candidate, in candidate order.
    pub frontier: Vec<FrontierPoint>,
    /// Labels of the efficient candidates, by increasing tail risk.
    pub efficient: Vec<String>,
    /// The recommended candidate.
    pub recommended: String,
    /// Whether it meets the cap (always true without one; false when no
    /// candidate does and the least risky one is shown instead).
    pub meets_cap: bool,
    /// The runner-up under the same rule (null with a single eligible candidate).
    pub runner_up: Option<String>,
    /// The recommendation against the runner-up.
    pub comparison: Option<Comparison>,
    /// Self-funding against the fully insured premium (null without one).
    pub fully_insured: Option<FullyInsured>,
    /// What the analysis says, sentence by sentence (also printed after the table).
    pub summary: Vec<String>,
}
