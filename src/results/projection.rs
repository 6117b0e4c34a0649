//! The multi-year projection's figures: per candidate
//! ([`CandidateProjection`], the `projection` block of each candidate in
//! `results.json`) and for the run ([`ProjectionSummary`]).

use super::{f64_or_nan, CostDistribution, Estimate, Percentiles};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Renewal increases whose probabilities are reported (keys `"0.2"`, ...).
pub const INCREASE_LEVELS: [f64; 3] = [0.2, 0.3, 0.5];

/// Increases at which `renewal_increase_exceedance` is given: 0% to 100%
/// by 5%.
pub fn exceedance_grid() -> impl Iterator<Item = f64> {
    (0..=20).map(|k| f64::from(k) * 0.05)
}

/// One point of the distribution of a renewal increase.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct IncreasePoint {
    /// The increase (0.25 = 25%).
    #[serde(deserialize_with = "f64_or_nan")]
    pub increase: f64,
    /// Probability the renewal raises the specific premium by more.
    #[serde(deserialize_with = "f64_or_nan")]
    pub prob: f64,
}

/// The key of an increase level in `prob_renewal_increase_over`.
pub fn increase_key(x: f64) -> String {
    format!("{x}")
}

/// Lasers set at renewals over the projection.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct LaserFigures {
    /// Expected number of lasers set over all renewals.
    #[serde(deserialize_with = "f64_or_nan")]
    pub mean: f64,
    /// Its standard error.
    #[serde(deserialize_with = "f64_or_nan")]
    pub se: f64,
    /// Expected claims the lasers move to the employer over the projection
    /// (specific reimbursement without renewal lasers less with them).
    pub amount: Estimate,
}

/// One way of buying a candidate (with or without the rider) over the years.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProjectionPath {
    /// With a re-chosen deductible: per year, the share of trials holding
    /// each specific option (by label).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub specific_option_share: Option<Vec<BTreeMap<String, f64>>>,
    /// Expected employer cost of each plan year.
    pub annual_cost: Vec<Estimate>,
    /// Expected specific reimbursement of each plan year.
    pub annual_specific_reimbursement: Vec<Estimate>,
    /// Expected claims the employer keeps each year (after the specific and
    /// aggregate covers).
    pub annual_retained_claims: Vec<Estimate>,
    /// Expected specific premium of each year (rider surcharge included).
    pub annual_specific_premium: Vec<Estimate>,
    /// Percentiles of each year's employer cost.
    pub annual_cost_percentiles: Vec<Percentiles>,
    /// The employer's cost summed over all years.
    pub cumulative_cost: CostDistribution,
    /// Expected increase of the specific premium at each renewal (year
    /// `r + 1` to `r + 2`), surcharge excluded.
    pub renewal_increase: Vec<Estimate>,
    /// Probability that at least one renewal raises the specific premium by
    /// more than the key (`"0.2"` = 20%).
    pub prob_renewal_increase_over: BTreeMap<String, Estimate>,
    /// The same per renewal.
    pub prob_renewal_increase_over_by_renewal: Vec<BTreeMap<String, Estimate>>,
    /// Per renewal, `P(increase > x)` for `x` from 0% to 100% by 5%.
    pub renewal_increase_exceedance: Vec<Vec<IncreasePoint>>,
    /// Lasers set at renewal.
    pub expected_lasers: LaserFigures,
}

/// The rider's figures for one candidate.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RiderFigures {
    /// Expected cumulative cost without the rider less with it (positive:
    /// the rider saves), paired on common random numbers.
    pub value: Estimate,
    /// Probability that the rider lapses at some renewal.
    pub prob_lapse: Estimate,
    /// The candidate bought without the rider (the reported path above is
    /// with it).
    pub without: ProjectionPath,
}

/// A candidate over the projection's years.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CandidateProjection {
    /// Plan years projected.
    pub years: u32,
    /// The group specific deductible of each year (null for no specific).
    pub deductible: Vec<Option<f64>>,
    /// The candidate's path (with the rider when one is configured).
    #[serde(flatten)]
    pub path: ProjectionPath,
    /// Growth of the expected specific reimbursement from each year to the
    /// next without renewal lasers (the leveraged trend), null for no
    /// specific cover.
    pub leveraged_trend: Vec<Option<Estimate>>,
    /// With a rider in the config: its value and the path without it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rider: Option<RiderFigures>,
}

/// The manual rate of one specific option by year.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManualRate {
    /// The specific option's label.
    pub specific_label: String,
    /// Expected specific reimbursement of each year at that year's
    /// deductible without renewal lasers (the manual pure premium).
    pub pure_premium: Vec<f64>,
    /// Expected specific claimants of each year.
    pub expected_claimants: Vec<f64>,
    /// The credibility `Z` of each year's experience.
    pub credibility: Vec<f64>,
    /// The target loss ratio the renewals are priced at (null for no
    /// specific premium).
    pub target_loss_ratio: Option<f64>,
}

/// The projection's inputs and manual rates, for the run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProjectionSummary {
    /// Plan years per trial.
    pub years: u32,
    /// Severity trend at each renewal.
    pub trend: Vec<f64>,
    /// `"fixed"` or `"indexed"`.
    pub deductible_policy: String,
    /// Share of the top persistence tier that stays there the next year
    /// (null: independent years).
    pub top_tier_stays: Option<f64>,
    /// Trials of the manual-rate pass (its own stream).
    pub manual_trials: u64,
    /// Manual rates per specific option.
    pub manual: Vec<ManualRate>,
}
