//! The validated study: population, claim components, fees, the risk
//! appetite, and the contract terms and candidates of [`crate::contract`]. Everything here is immutable once built by [`crate::config`].

mod decision;
pub mod manual;
mod overrides;
mod population;
mod projection;
mod rates;
mod timing;

pub use decision::{
    risk_measure_names, AppetiteError, RiskAppetite, RiskCap, RiskMeasure, UnknownMeasure,
};
pub use overrides::{AppetiteOverrides, OverrideError, Overrides};
pub use population::{ClaimComponent, ClassInfo, Member, Population, Profile};
pub use projection::{Persistence, Projection, MAX_PROJECTION_YEARS};
pub use rates::{Enrollment, Rate};
pub use timing::{Episodes, KnownClaim, PriorYear, Timing};

/// An annual severity trend from the experience period to the plan period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trend {
    /// Annual rate (0.07 for 7%).
    pub annual: f64,
    /// Months of trend.
    pub months: f64,
}

impl Trend {
    /// No trend.
    pub const NONE: Trend = Trend {
        annual: 0.0,
        months: 0.0,
    };

    /// The severity multiplier `(1 + annual)^(months / 12)`.
    pub fn factor(&self) -> f64 {
        (1.0 + self.annual).powf(self.months / 12.0)
    }
}

/// Per-employee fees, charged on employee-months.
#[derive(Debug, Clone, PartialEq)]
pub struct Fees {
    /// ASO / TPA administration fee, PEPM.
    pub admin_pepm: Rate,
}

/// A validated attachment study: what `stoploss run` simulates.
#[derive(Debug, Clone)]
pub struct Study {
    /// Name, used for the output folder.
    pub name: String,
    /// Master seed.
    pub seed: u64,
    /// Number of simulated plan years.
    pub trials: u64,
    /// Severity trend (already folded into each member's severity scale).
    pub trend: Trend,
    /// Who is covered and how they claim.
    pub population: Population,
    /// The stop-loss options and the candidates built from them.
    pub contract: crate::contract::Contract,
    /// Fees.
    pub fees: Fees,
    /// Optional annual budget for the employer's total cost.
    pub budget: Option<f64>,
    /// Optional fully insured annual premium to compare against.
    pub fully_insured_premium: Option<f64>,
    /// The config's free-text description.
    pub description: Option<String>,
    /// Whom the report is prepared for (`report.client`).
    pub client: Option<String>,
    /// The risk appetite the recommendation is made under.
    pub decision: RiskAppetite,
    /// Things worth saying about the inputs that are not errors.
    pub warnings: Vec<String>,
    /// When claims are incurred and paid (`None`: every claim counts as
    /// incurred and paid in the plan year, the untimed engine).
    pub timing: Option<Timing>,
    /// Per-trial shocks to frequency and severity (`parameter_risk`);
    /// `None`: parameters are known, and no shock stream is drawn.
    pub parameter_risk: Option<crate::sim::parameter_risk::ParameterRisk>,
    /// The multi-year projection (none: a one-year study).
    pub projection: Option<Projection>,
}
