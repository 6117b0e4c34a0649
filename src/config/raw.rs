//! The config file as written: serde types that mirror the JSON exactly.
//! Nothing here is validated beyond JSON types; see [`super::validate`]. Internal:
//! the rest of the program sees only the model.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// The whole config file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub name: String,
    pub seed: Option<u64>,
    pub trials: Option<u64>,
    pub trend: Option<RawTrend>,
    pub population: RawPopulation,
    pub stop_loss: RawStopLoss,
    pub fees: Option<RawFees>,
    pub budget: Option<f64>,
    pub fully_insured_premium: Option<f64>,
    pub description: Option<String>,
    pub decision: Option<RawDecision>,
    pub timing: Option<RawTiming>,
    pub report: Option<RawReport>,
    pub parameter_risk: Option<RawParameterRisk>,
    pub projection: Option<RawProjection>,
}

/// The `projection` block: several plan years per trial.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProjection {
    pub years: u32,
    /// A number (every year) or a list of `years - 1` numbers.
    pub trend: Option<serde_json::Value>,
    pub persistence: Option<RawPersistence>,
    pub renewal: Option<RawRenewal>,
    pub deductible_policy: Option<String>,
    pub rider: Option<RawRider>,
    pub manual_trials: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPersistence {
    pub top_stays: Option<f64>,
    pub tiers: Option<Vec<f64>>,
    pub transition: Option<Vec<Vec<f64>>>,
    pub components: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRenewal {
    pub target_loss_ratio: Option<f64>,
    /// A number (a fixed Z) or `{"full_standard_claimants": n}`.
    pub credibility: Option<serde_json::Value>,
    pub floor_of_manual: Option<f64>,
    pub pool_cap: Option<f64>,
    pub laser: Option<RawRenewalLaser>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRenewalLaser {
    pub trigger: Option<f64>,
    pub trigger_tier: Option<usize>,
    /// Dollars, `{"multiple_of_paid": k}` or `"exclude"`.
    pub amount: serde_json::Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRider {
    pub cap: Option<f64>,
    pub surcharge: f64,
    pub no_new_lasers: Option<bool>,
    pub lapse_over: Option<f64>,
    pub lapse_probability: Option<f64>,
}

/// The `timing` block: when claims are incurred and paid.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTiming {
    pub seasonality: Option<Vec<f64>>,
    pub lag: Option<RawLag>,
    pub prior_year: Option<String>,
    pub terminating: Option<bool>,
    pub episodes: Option<RawEpisodes>,
}

/// A payment lag pmf, optionally by claim size.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLag {
    pub pmf: Vec<f64>,
    #[serde(default)]
    pub above: Vec<RawLagBand>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLagBand {
    pub amount: f64,
    pub pmf: Vec<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEpisodes {
    pub above: f64,
    pub duration: RawDuration,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDuration {
    pub pmf: Vec<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKnownClaim {
    pub member_id: String,
    pub amount: f64,
    pub incurred_month: i64,
    pub lag_months: Option<i64>,
    pub component: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTerminalLiability {
    pub months: i64,
    pub surcharge_pct: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBySpecific {
    pub attachment_factor: Option<f64>,
    pub attachment_amount: Option<f64>,
    pub attachment_monthly: Option<RawRate>,
    pub premium_pepm: Option<RawRate>,
    pub target_loss_ratio: Option<f64>,
}

/// What the report says about whom it is for.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReport {
    pub client: Option<String>,
}

/// Per-trial shocks to the claim model (parameter risk).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawParameterRisk {
    pub frequency_cv: Option<f64>,
    pub severity_cv: Option<f64>,
    pub posterior: Option<RawPosterior>,
}

/// Posterior-predictive tails from a `stoploss fit` fit.json.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPosterior {
    /// Path of fit.json, relative to the config's folder.
    pub fit: String,
    /// `pareto` or `gpd` (default: the family fit.json's component carries).
    pub family: Option<String>,
    /// Spliced components whose tails are drawn (default: every spliced
    /// component in the specific).
    pub components: Option<Vec<String>>,
    /// Draws with a tail index at or below this are redrawn (default 1).
    pub min_alpha: Option<f64>,
}

/// The risk appetite of the recommendation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDecision {
    pub frontier_measure: Option<String>,
    pub risk_measure: Option<String>,
    pub max_risk: Option<f64>,
    pub max_risk_budget_factor: Option<f64>,
    pub lambda: Option<f64>,
    pub confidence: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTrend {
    pub annual: f64,
    pub months: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPopulation {
    pub classes: Vec<RawClass>,
    pub census: Option<String>,
    #[serde(default)]
    pub known_claims: Vec<RawKnownClaim>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClass {
    pub name: String,
    pub employees: Option<RawRate>,
    pub members: Option<f64>,
    pub tier: Option<String>,
    pub claims: Vec<RawComponent>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawComponent {
    pub name: String,
    pub frequency: RawFrequency,
    pub severity: RawSeverity,
    pub specific: Option<bool>,
    pub aggregate: Option<bool>,
    pub lag: Option<RawLag>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RawFrequency {
    Poisson { mean: f64 },
    NegativeBinomial { mean: f64, variance: f64 },
    Bernoulli { p: f64 },
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RawSeverity {
    Lognormal(RawTwoWay),
    Gamma(RawTwoWay),
    Exponential {
        mean: f64,
    },
    Weibull {
        shape: f64,
        scale: f64,
    },
    #[serde(alias = "lomax")]
    Pareto {
        alpha: f64,
        theta: f64,
    },
    Spliced(Box<RawSpliced>),
    Empirical(RawEmpirical),
}

/// Lognormal or gamma parameters: the natural pair, or mean and cv.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTwoWay {
    pub mu: Option<f64>,
    pub sigma: Option<f64>,
    pub shape: Option<f64>,
    pub scale: Option<f64>,
    pub mean: Option<f64>,
    pub cv: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpliced {
    pub body: RawSeverity,
    pub threshold: f64,
    pub tail_probability: f64,
    pub tail_alpha: f64,
    pub tail_theta: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEmpirical {
    pub values: Option<Vec<f64>>,
    pub file: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStopLoss {
    #[serde(default)]
    pub specific: Vec<RawSpecific>,
    #[serde(default)]
    pub aggregate: Vec<RawAggregate>,
    pub include_no_specific: Option<bool>,
    pub include_no_aggregate: Option<bool>,
    pub target_loss_ratio: Option<f64>,
    #[serde(default)]
    pub lasers: Vec<RawLaser>,
    pub asd_counts_toward_aggregate: Option<bool>,
    pub laser_gap_counts_toward_aggregate: Option<bool>,
    pub candidates: Option<Vec<RawCandidate>>,
    pub baseline: Option<String>,
    pub basis: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpecific {
    pub label: Option<String>,
    pub deductible: f64,
    pub premium_pepm: Option<RawRate>,
    pub target_loss_ratio: Option<f64>,
    pub max_reimbursement: Option<f64>,
    pub reimbursement_pct: Option<f64>,
    pub aggregating_deductible: Option<f64>,
    pub basis: Option<serde_json::Value>,
    pub run_in_limit: Option<serde_json::Value>,
    pub reimbursement_lag_months: Option<i64>,
    pub advance_funding: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAggregate {
    pub label: Option<String>,
    pub attachment_factor: Option<f64>,
    pub attachment_amount: Option<f64>,
    pub attachment_monthly: Option<RawRate>,
    pub min_attachment: Option<f64>,
    pub min_attachment_pct: Option<f64>,
    pub max_reimbursement: Option<f64>,
    pub premium_pepm: Option<RawRate>,
    pub target_loss_ratio: Option<f64>,
    pub min_attachment_first_month_pct: Option<f64>,
    pub max_layer_top: Option<f64>,
    pub basis: Option<serde_json::Value>,
    pub run_in_limit: Option<serde_json::Value>,
    pub terminal_liability: Option<RawTerminalLiability>,
    pub accommodation: Option<bool>,
    pub by_specific: Option<BTreeMap<String, RawBySpecific>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLaser {
    pub member_id: String,
    pub deductible: Option<f64>,
    pub excluded: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCandidate {
    pub specific: Option<String>,
    pub aggregate: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFees {
    pub admin_pepm: Option<RawRate>,
}

/// A number, or an object of numbers keyed by coverage tier.
#[derive(Debug, Clone, PartialEq)]
pub enum RawRate {
    Composite(f64),
    ByTier(BTreeMap<String, f64>),
}

impl<'de> Deserialize<'de> for RawRate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct RateVisitor;
        impl<'de> Visitor<'de> for RateVisitor {
            type Value = RawRate;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number (composite) or an object of numbers by tier, like {\"single\": 80, \"family\": 200}")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawRate, E> {
                Ok(RawRate::Composite(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawRate, E> {
                Ok(RawRate::Composite(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawRate, E> {
                Ok(RawRate::Composite(v as f64))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawRate, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((k, v)) = map.next_entry::<String, f64>()? {
                    if out.insert(k.clone(), v).is_some() {
                        return Err(de::Error::custom(format!("tier `{k}` is given twice")));
                    }
                }
                Ok(RawRate::ByTier(out))
            }
        }
        d.deserialize_any(RateVisitor)
    }
}

/// A manual-rate file (`stoploss fit --manual`), as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawManualRate {
    pub description: Option<String>,
    pub base_pmpm: f64,
    pub factors: Vec<RawAgeSexFactor>,
    pub area: Option<f64>,
    pub plan: Option<f64>,
    pub industry: Option<f64>,
    pub trend: Option<f64>,
    pub trend_years: Option<f64>,
    pub members: Option<Vec<RawManualMember>>,
    pub members_csv: Option<String>,
    pub claim_distribution: RawClaimDistribution,
    pub scaling: Option<String>,
    pub corridor: Option<f64>,
}

/// One row of the age/sex table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAgeSexFactor {
    pub sex: String,
    pub age_from: u32,
    pub age_to: u32,
    pub factor: f64,
}

/// One rated member.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawManualMember {
    pub age: u32,
    pub sex: String,
    pub months: Option<f64>,
}

/// A member's annual claims at factor 1.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClaimDistribution {
    pub probability: Option<f64>,
    pub severity: RawSeverity,
}
