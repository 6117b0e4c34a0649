//! The results of a run: one struct, documented field by field, that every
//! exporter serializes. `results.json` is this struct as JSON.

mod alternatives;
mod decision;
mod levels;
mod nullable;
mod parameter_risk;
mod projection;
mod timing;

pub use alternatives::{AlternativeCost, AlternativeRun, SeverityAlternatives};
pub use decision::*;
pub use levels::{
    permille_percent, permille_suffix, Level, PercentileIntervals, Percentiles, Tvar,
    PERCENTILE_LEVELS, TVAR_LEVELS,
};
pub(crate) use nullable::f64_or_nan;
pub use parameter_risk::{
    ParameterRiskCandidate, ParameterRiskComparison, PosteriorSummary, VarianceSplit,
    VarianceSplits,
};
pub use projection::{
    exceedance_grid, increase_key, CandidateProjection, IncreasePoint, LaserFigures, ManualRate,
    ProjectionPath, ProjectionSummary, RiderFigures, INCREASE_LEVELS,
};
use serde::{Deserialize, Serialize};
pub use timing::{CandidateTiming, CashFlow, PeakCashNeed};

/// Version of the `results.json` layout; bumped on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything a run produces.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Results {
    /// Layout version of this document.
    pub schema_version: u32,
    /// The study name from the config.
    pub name: String,
    /// How the run was made. Timing fields live only here.
    pub meta: Meta,
    /// The population simulated.
    pub population: PopulationSummary,
    /// One entry per specific option (including "no specific" when asked).
    pub specific_options: Vec<SpecificOptionSummary>,
    /// One entry per candidate, in config order.
    pub candidates: Vec<CandidateResult>,
    /// Warnings about inputs and estimates (also printed on stderr).
    pub warnings: Vec<String>,
    /// The inputs that are not figures (budget, fully insured premium,
    /// trend, fees, claim model), as reports show them.
    #[serde(default)]
    pub assumptions: Option<Assumptions>,
    /// The efficient frontier, the recommendation under the risk appetite,
    /// and self-funding against the fully insured premium.
    #[serde(default)]
    pub decision: Option<Decision>,
    /// With `parameter_risk`: every candidate with and without it, and the
    /// share of variance it adds (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub parameter_risk: Option<ParameterRiskComparison>,
    /// With `--severity-alternatives`: the study under each acceptable
    /// tail fit, on common random numbers (model risk; absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub severity_alternatives: Option<SeverityAlternatives>,
    /// With a multi-year projection: its inputs and manual rates (absent
    /// otherwise; each candidate carries its own `projection`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub projection: Option<ProjectionSummary>,
}

/// Run metadata.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Meta {
    /// Always "stoploss".
    pub tool: String,
    /// Tool version.
    pub version: String,
    /// How the figures were computed: `simulate`, `exact` or `both`.
    pub method: String,
    /// Master seed.
    pub seed: u64,
    /// Simulated plan years (0 with `--method exact`).
    pub trials: u64,
    /// Trials per block (part of the random stream's definition).
    pub block_trials: u64,
    /// Generator scheme.
    pub rng: String,
    /// Worker threads used (timing-related; does not affect results).
    pub threads: usize,
    /// Wall-clock seconds for simulation and statistics.
    #[serde(deserialize_with = "f64_or_nan")]
    pub elapsed_seconds: f64,
    /// Member-years simulated per second of wall-clock time.
    #[serde(deserialize_with = "f64_or_nan")]
    pub member_years_per_second: f64,
    /// The precision target of `--target-se` and how it was met (null without it).
    pub target_se: Option<TargetSeReport>,
}

/// How a run with a precision target (`stoploss run --target-se`) ended.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TargetSeReport {
    /// The figure whose standard error was targeted: `mean`, `p95`, `p99`,
    /// `tvar99` or `aggregate_reimbursement`.
    pub figure: String,
    /// The target standard error in dollars. For a relative target, the
    /// dollar target of `candidate` (the fraction times its figure).
    #[serde(deserialize_with = "f64_or_nan")]
    pub target: f64,
    /// Whether the target was given relative to the figure (`0.05%`).
    pub relative: bool,
    /// The relative target as a fraction (0.0005 for `0.05%`); null for a dollar target.
    pub relative_target: Option<f64>,
    /// The candidate furthest from the target (largest standard error over
    /// its target): the one that decides when the run stops.
    pub candidate: String,
    /// That candidate's standard error, in dollars.
    #[serde(deserialize_with = "f64_or_nan")]
    pub achieved: f64,
    /// Whether every candidate's standard error is at most its target.
    pub reached: bool,
    /// Final number of trials (= `meta.trials`).
    pub trials: u64,
    /// Most trials the run was allowed.
    pub cap: u64,
}

/// The simulated population.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PopulationSummary {
    /// Members simulated per trial.
    pub members: usize,
    /// Average employees enrolled (the PEPM basis).
    #[serde(deserialize_with = "f64_or_nan")]
    pub employees: f64,
    /// Employee-months per coverage tier.
    pub employee_months_by_tier: std::collections::BTreeMap<String, f64>,
    /// Expected gross claims in closed form (frequency mean x severity mean).
    #[serde(deserialize_with = "f64_or_nan")]
    pub expected_gross_claims: f64,
    /// The simulated mean of gross claims, to compare with the closed form.
    pub simulated_gross_claims: Estimate,
    /// Severity trend factor applied to every claim amount.
    #[serde(deserialize_with = "f64_or_nan")]
    pub trend_factor: f64,
}

/// Per specific option: the expectations the aggregate attachments and
/// priced premiums are computed from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SpecificOptionSummary {
    /// Option label.
    pub label: String,
    /// Specific deductible (null for no specific cover).
    pub specific_deductible: Option<f64>,
    /// Expected retained claims that count toward the aggregate: the
    /// Monte Carlo mean over this run's trials. Factor attachments multiply it.
    pub expected_aggregate_retained: Estimate,
    /// Expected specific reimbursement.
    pub expected_specific_reimbursement: Estimate,
    /// Annual specific premium.
    #[serde(deserialize_with = "f64_or_nan")]
    pub annual_premium: f64,
    /// "quoted", "priced" (expected reimbursement / target loss ratio) or "none".
    pub premium_basis: String,
}

/// A Monte Carlo estimate of a mean (or, for probabilities, of the mean of an
/// indicator) with its standard error.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct Estimate {
    /// The estimate.
    #[serde(deserialize_with = "f64_or_nan")]
    pub mean: f64,
    /// Its Monte Carlo standard error.
    #[serde(deserialize_with = "f64_or_nan")]
    pub se: f64,
}

/// A 95% confidence interval.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct Interval {
    /// Lower bound.
    #[serde(deserialize_with = "f64_or_nan")]
    pub lo: f64,
    /// Upper bound.
    #[serde(deserialize_with = "f64_or_nan")]
    pub hi: f64,
}

/// The distribution of the employer's total annual cost.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CostDistribution {
    /// Expected annual cost.
    #[serde(deserialize_with = "f64_or_nan")]
    pub mean: f64,
    /// Monte Carlo standard error of `mean`.
    #[serde(deserialize_with = "f64_or_nan")]
    pub se: f64,
    /// Standard deviation of the annual cost (year-to-year variability).
    #[serde(deserialize_with = "f64_or_nan")]
    pub sd: f64,
    /// Percentiles.
    pub percentiles: Percentiles,
    /// 95% confidence intervals of the percentiles.
    pub percentiles_ci95: PercentileIntervals,
    /// TVaR.
    pub tvar: Tvar,
    /// Standard errors of the TVaRs.
    pub tvar_se: Tvar<f64>,
    /// Largest simulated annual cost.
    #[serde(deserialize_with = "f64_or_nan")]
    pub max: f64,
}

/// One point of the exceedance curve.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct ExceedancePoint {
    /// Annual employer cost.
    #[serde(deserialize_with = "f64_or_nan")]
    pub cost: f64,
    /// Simulated probability that the annual cost exceeds `cost`.
    #[serde(deserialize_with = "f64_or_nan")]
    pub prob: f64,
}

/// How each premium was set.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PremiumBasis {
    /// "quoted", "priced" or "none".
    pub specific: String,
    /// "quoted", "priced" or "none".
    pub aggregate: String,
}

/// The paired difference of a candidate's employer cost from the baseline
/// candidate's, measured on the same trials (common random numbers).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PairedDifference {
    /// Label of the baseline candidate.
    pub baseline: String,
    /// `E[cost - baseline cost]`: this candidate's mean cost less the baseline's
    /// (equal to the mean of the per-trial differences).
    #[serde(deserialize_with = "f64_or_nan")]
    pub mean_difference: f64,
    /// Its standard error: the sd of the per-trial differences over sqrt(n),
    /// each cost counting the estimation error of priced premiums as in
    /// [`CostDistribution::se`]. Zero for the baseline itself.
    #[serde(deserialize_with = "f64_or_nan")]
    pub se: f64,
}

/// Everything reported for one candidate.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CandidateResult {
    /// `<specific label> / <aggregate label>`.
    pub label: String,
    /// Label of the specific option.
    pub specific_label: String,
    /// Label of the aggregate option (null for no aggregate).
    pub aggregate_label: Option<String>,
    /// Specific deductible in dollars (null for no specific cover).
    pub specific_deductible: Option<f64>,
    /// Aggregate attachment in dollars (null for no aggregate).
    pub aggregate_attachment: Option<f64>,
    /// How the attachment was computed.
    pub aggregate_attachment_basis: Option<String>,
    /// Total annual cost to the employer: retained claims + premiums + fees.
    pub employer_cost: CostDistribution,
    /// Mean cost difference from the baseline candidate, with its paired
    /// standard error. The baseline itself carries a zero difference.
    pub vs_baseline: Option<PairedDifference>,
    /// Gross claims (all components).
    pub gross_claims: Estimate,
    /// Claims the employer pays after specific and aggregate reimbursement.
    pub retained_claims: Estimate,
    /// Paid by the specific carrier.
    pub specific_reimbursement: Estimate,
    /// Paid by the aggregate carrier.
    pub aggregate_reimbursement: Estimate,
    /// Specific plus aggregate premium (se > 0 only for priced premiums).
    pub premium: Estimate,
    /// Specific premium.
    pub specific_premium: Estimate,
    /// Aggregate premium.
    pub aggregate_premium: Estimate,
    /// How each premium was set.
    pub premium_basis: PremiumBasis,
    /// Administration fees.
    pub fees: Estimate,
    /// Probability that the aggregate pays anything (null for no aggregate).
    pub prob_aggregate_attaches: Option<Estimate>,
    /// Expected members whose specific-eligible claims exceed their deductible.
    pub expected_specific_claimants: Estimate,
    /// The employer's largest possible annual cost, where the contract bounds it.
    pub max_liability: Option<f64>,
    /// Probability the annual cost exceeds the budget (when one is given).
    pub prob_exceeds_budget: Option<Estimate>,
    /// Probability the annual cost exceeds the fully insured premium (when given).
    pub prob_exceeds_fully_insured: Option<Estimate>,
    /// Points `(cost, P(annual cost > cost))` of the cost distribution.
    pub exceedance_curve: Vec<ExceedancePoint>,
    /// Warnings specific to this candidate (regulatory floors, ...).
    pub warnings: Vec<String>,
    /// With `--method both`: the exact engine's figures beside the
    /// simulation's, with z-scores (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub exact: Option<ExactComparison>,
    /// With contract timing: bases, monthly cash flow, settlement, peak cash
    /// need, uncovered claims (absent otherwise).
    #[serde(flatten, default)]
    pub timing: Option<CandidateTiming>,
    /// With a multi-year projection: the candidate year by year (absent
    /// otherwise).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub projection: Option<CandidateProjection>,
}

/// One figure from the simulation and the exact engine.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct ExactFigure {
    /// The exact engine's value (midpoint of its bracket).
    #[serde(deserialize_with = "f64_or_nan")]
    pub exact: f64,
    /// The exact engine's error bound (half-width of its bracket).
    #[serde(deserialize_with = "f64_or_nan")]
    pub error_bound: f64,
    /// The simulation's estimate.
    #[serde(deserialize_with = "f64_or_nan")]
    pub simulated: f64,
    /// Its standard error (for a percentile: the 95% interval half-width / 1.96).
    #[serde(deserialize_with = "f64_or_nan")]
    pub simulated_se: f64,
    /// `(simulated - exact) / sqrt(simulated_se^2 + error_bound^2)`.
    #[serde(deserialize_with = "f64_or_nan")]
    pub z: f64,
}

/// A candidate's simulation checked against the exact engine (`--method both`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExactComparison {
    /// Whether the exact engine can represent this candidate.
    pub supported: bool,
    /// Why not, when it cannot.
    pub reason: Option<String>,
    /// The lattice step of the exact engine, in dollars.
    pub step: Option<f64>,
    /// Figures by name (`employer_cost.mean`, `employer_cost.p95`,
    /// `employer_cost.tvar.p99`, `aggregate_reimbursement`, ...).
    pub figures: std::collections::BTreeMap<String, ExactFigure>,
    /// The largest `|z|` over the figures (null when unsupported).
    pub max_abs_z: Option<f64>,
}

impl ExactComparison {
    /// A candidate the exact engine cannot represent.
    pub fn unsupported(reason: String) -> Self {
        ExactComparison {
            supported: false,
            reason: Some(reason),
            step: None,
            figures: Default::default(),
            max_abs_z: None,
        }
    }

    /// A compared candidate.
    pub fn supported(step: f64, figures: std::collections::BTreeMap<String, ExactFigure>) -> Self {
        let max_abs_z = figures.values().map(|f| f.z.abs()).fold(0.0, f64::max);
        ExactComparison {
            supported: true,
            reason: None,
            step: Some(step),
            figures,
            max_abs_z: Some(max_abs_z),
        }
    }
}

impl CandidateResult {
    /// The costs that do not depend on claims: stop-loss premiums and fees.
    pub fn fixed_costs(&self) -> f64 {
        self.specific_premium.mean + self.aggregate_premium.mean + self.fees.mean
    }

    /// Maximum liability in the market's convention: fixed costs plus the
    /// aggregate attachment (null without an aggregate). Unlike the strict
    /// [`CandidateResult::max_liability`], it leaves out what the aggregate
    /// does not cover (claims outside it, claims beyond its maximum, ASD
    /// and laser-gap dollars it does not count), which reports name beside it.
    pub fn market_max_liability(&self) -> Option<f64> {
        self.aggregate_attachment.map(|a| a + self.fixed_costs())
    }
}

impl PopulationSummary {
    /// Employee-months of the plan year: the PEPM basis.
    pub fn employee_months(&self) -> f64 {
        let by_tier: f64 = self.employee_months_by_tier.values().sum();
        if by_tier > 0.0 {
            by_tier
        } else {
            12.0 * self.employees
        }
    }

    /// Member-months of the plan year (members x 12): the PMPM basis.
    pub fn member_months(&self) -> f64 {
        12.0 * self.members as f64
    }
}
