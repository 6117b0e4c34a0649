//! Results with and without parameter risk, side by side.

use super::f64_or_nan;
use serde::{Deserialize, Serialize};

/// The run's candidates with parameter risk (the reported figures) beside
/// the same study with its parameters taken as known (the same seed: the
/// same claim stream without the per-trial shocks).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ParameterRiskComparison {
    /// CV of the per-trial frequency multiplier.
    #[serde(deserialize_with = "f64_or_nan")]
    pub frequency_cv: f64,
    /// CV of the per-trial severity multiplier.
    #[serde(deserialize_with = "f64_or_nan")]
    pub severity_cv: f64,
    /// Posterior-predictive tails, when drawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posterior: Option<PosteriorSummary>,
    /// One entry per candidate, in candidate order.
    pub candidates: Vec<ParameterRiskCandidate>,
}

/// One candidate with and without parameter risk.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ParameterRiskCandidate {
    /// Candidate label.
    pub label: String,
    /// Expected employer cost with parameter risk.
    #[serde(deserialize_with = "f64_or_nan")]
    pub mean_with: f64,
    /// Expected employer cost with known parameters.
    #[serde(deserialize_with = "f64_or_nan")]
    pub mean_without: f64,
    /// Standard deviation of the annual cost with parameter risk.
    #[serde(deserialize_with = "f64_or_nan")]
    pub sd_with: f64,
    /// Standard deviation with known parameters: the process part.
    #[serde(deserialize_with = "f64_or_nan")]
    pub sd_without: f64,
    /// TVaR 95% with parameter risk.
    #[serde(deserialize_with = "f64_or_nan")]
    pub tvar95_with: f64,
    /// TVaR 95% with known parameters.
    #[serde(deserialize_with = "f64_or_nan")]
    pub tvar95_without: f64,
    /// The share of the annual cost's variance that parameter risk adds:
    /// `1 - sd_without^2 / sd_with^2` (0 when it adds none). The process
    /// variance is taken as the variance with the parameters known; for a
    /// mean-one frequency shock on Poisson counts that is exact, for a
    /// severity shock it understates the process part by the factor
    /// `1 + severity_cv^2`.
    #[serde(deserialize_with = "f64_or_nan")]
    pub parameter_variance_share: f64,
    /// Specific reimbursement with and without parameter risk.
    pub specific_reimbursement: [f64; 2],
    /// Aggregate reimbursement with and without parameter risk.
    pub aggregate_reimbursement: [f64; 2],
    /// Process and parameter variance of the employer cost and of each
    /// reimbursement.
    pub variance_split: VarianceSplits,
}

/// [`VarianceSplit`] of each reported figure.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VarianceSplits {
    /// The annual employer cost.
    pub employer_cost: VarianceSplit,
    /// The specific reimbursement.
    pub specific_reimbursement: VarianceSplit,
    /// The aggregate reimbursement.
    pub aggregate_reimbursement: VarianceSplit,
}

/// One figure's year-to-year variance split into process and parameter
/// parts: the process part is the variance with the parameters known (the
/// same claim stream without the shocks), the parameter part what the
/// shocks add. A standard deviation is the figure's Monte Carlo se times
/// the square root of the trials.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct VarianceSplit {
    /// Standard deviation with parameter risk (total).
    #[serde(deserialize_with = "f64_or_nan")]
    pub sd_with: f64,
    /// Standard deviation with the parameters known (process).
    #[serde(deserialize_with = "f64_or_nan")]
    pub sd_without: f64,
    /// `1 - sd_without^2 / sd_with^2`, at least 0 (0 when the figure does
    /// not vary).
    #[serde(deserialize_with = "f64_or_nan")]
    pub parameter_share: f64,
}

impl VarianceSplit {
    /// The split of standard deviations `with` and `without`.
    pub fn new(with: f64, without: f64) -> Self {
        VarianceSplit {
            sd_with: with,
            sd_without: without,
            parameter_share: if with > 0.0 {
                (1.0 - (without * without) / (with * with)).max(0.0)
            } else {
                0.0
            },
        }
    }
}

/// The posterior-predictive tails of a run: what was drawn per trial.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PosteriorSummary {
    /// The fit file and family.
    pub source: String,
    /// `pareto` or `gpd`.
    pub family: String,
    /// The estimates (the draws' centre) by parameter name.
    pub estimates: std::collections::BTreeMap<String, f64>,
    /// Their standard errors (observed information).
    pub se: std::collections::BTreeMap<String, f64>,
    /// The components whose tails were drawn.
    pub components: Vec<String>,
    /// Draws with a tail index at or below this were redrawn.
    #[serde(deserialize_with = "f64_or_nan")]
    pub min_alpha: f64,
    /// Share of the normal draws with a tail index at or below `min_alpha`,
    /// redrawn
    /// ([`crate::sim::posterior::Posterior::redrawn_share`]).
    #[serde(deserialize_with = "f64_or_nan")]
    pub redrawn_share: f64,
}
