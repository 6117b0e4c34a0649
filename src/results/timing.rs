//! Contract-timing figures of a candidate: its bases, the monthly cash
//! flow, the year-end aggregate settlement, the peak cash need and the
//! claims no contract of the candidate counts. Present only for studies
//! with contract timing.

use super::{f64_or_nan, Estimate, Percentiles};
use serde::{Deserialize, Serialize};

/// A candidate's contract-timing figures (flattened into its entry of
/// `results.json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CandidateTiming {
    /// The specific option's basis (`12/15`, or its windows).
    pub specific_basis: String,
    /// The aggregate option's basis (null without aggregate).
    pub aggregate_basis: Option<String>,
    /// Mean cash flows by month.
    pub cash_flow: CashFlow,
    /// What the aggregate carrier pays at settlement: the annual aggregate
    /// reimbursement less the advances of monthly accommodation (negative:
    /// the employer refunds advances). Paid the month after the aggregate's
    /// paid window closes.
    pub year_end_aggregate_settlement: Estimate,
    /// The largest cumulative net cash out over the months, less budgeted
    /// equal monthly funding (the expected annual cost in twelve equal
    /// parts over months 1 to 12), per trial.
    pub peak_cash_need: PeakCashNeed,
    /// Claims incurred in the policy year that neither the specific nor the
    /// aggregate basis counts (paid after the windows close): run-out left
    /// with the employer.
    pub uncovered_claims: Estimate,
}

/// Means over trials of the money moving each month, month 1 being the
/// first policy month. `net_cash = paid_claims + fixed_costs -
/// specific_reimbursement - aggregate_advance - aggregate_settlement`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CashFlow {
    /// Months from the policy start: 1 to 12, then the run-out months the
    /// bases and lags reach.
    pub months: Vec<i32>,
    /// Claims the employer pays.
    pub paid_claims: Vec<f64>,
    /// Premiums and fees, spread over months 1 to 12 by enrollment.
    pub fixed_costs: Vec<f64>,
    /// Specific reimbursements received (after the reimbursement lag).
    pub specific_reimbursement: Vec<f64>,
    /// Aggregate accommodation advances received.
    pub aggregate_advance: Vec<f64>,
    /// The year-end aggregate settlement received.
    pub aggregate_settlement: Vec<f64>,
    /// Net cash out of the employer.
    pub net_cash: Vec<f64>,
    /// Mean cumulative net cash out by each month's end.
    pub cumulative_net_cash: Vec<f64>,
    /// Percentiles of the cumulative net cash out by each month's end, for
    /// the fan chart: `[month][level]` at the levels of `fan_levels`.
    pub cumulative_net_cash_fan: Vec<Vec<f64>>,
    /// Probability levels of `cumulative_net_cash_fan`.
    pub fan_levels: Vec<f64>,
    /// The cumulative monthly aggregate attachment (null without aggregate).
    pub cumulative_attachment: Option<Vec<f64>>,
}

/// The distribution of the peak cash need.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PeakCashNeed {
    /// Mean over trials.
    #[serde(deserialize_with = "f64_or_nan")]
    pub mean: f64,
    /// Its Monte Carlo standard error.
    #[serde(deserialize_with = "f64_or_nan")]
    pub se: f64,
    /// Percentiles over trials (the definition of [`crate::stats::quantile`]).
    pub percentiles: Percentiles,
}
