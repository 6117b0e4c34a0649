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
}
