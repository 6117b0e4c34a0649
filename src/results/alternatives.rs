//! Model risk: the study rerun under each acceptable tail fit
//! (`stoploss run --severity-alternatives fit.json`), on common random
//! numbers.

use super::Estimate;
use serde::{Deserialize, Serialize};

/// The runs under each tail, the configured one first.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SeverityAlternatives {
    /// The fit.json the tails come from.
    pub fit: String,
    /// One entry per tail: `as configured`, then each acceptable fit.
    pub runs: Vec<AlternativeRun>,
    /// Acceptable fits the simulator's spliced (Pareto) tail cannot carry.
    pub skipped: Vec<String>,
}

/// The study under one tail.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AlternativeRun {
    /// `as configured`, `pareto` or `gpd`.
    pub tail: String,
    /// The tail's index (`None`: as configured).
    #[serde(default)]
    pub tail_alpha: Option<f64>,
    /// The tail's Lomax scale (`None`: single-parameter or as configured).
    #[serde(default)]
    pub tail_theta: Option<f64>,
    /// The recommended candidate under this tail.
    pub recommended: Option<String>,
    /// Every candidate's expected employer cost, in candidate order.
    pub employer_cost: Vec<AlternativeCost>,
}

/// A candidate's expected cost under one tail.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AlternativeCost {
    /// Candidate label.
    pub label: String,
    /// Expected employer cost and its Monte Carlo se.
    pub cost: Estimate,
    /// Expected specific reimbursement and its se.
    pub specific_reimbursement: Estimate,
}
