//! The manual rate: a rate from population tables, not from the group's
//! claims (`stoploss fit --manual`). Read and validated by
//! [`crate::config::load_manual`]; what it prices is in
//! [`crate::fit::manual`].
//!
//! ```text
//! c = 12 B sum_m AS_m (months_m / 12) Area Plan Industry (1 + tau)^dt   a year, below the specific
//! specific pure premium at d, member factor r_m, trend T = (1 + tau)^dt, q = P(member claims):
//!   severity scaling  (X_m = r_m T X):   q r_m T E[(X - d / (r_m T))+]
//!   frequency scaling (q_m = r_m q):     q r_m T E[(X - d / T)+]
//! ```
//!
//! The two scalings agree at a zero deductible and part at high ones:
//! severity scaling leverages the factor like trend.

use crate::dist::Severity;

/// How a member's age/sex factor acts on the claim distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scaling {
    /// The factor multiplies the member's amounts (the census's
    /// `risk_factor` acts this way).
    Severity,
    /// The factor multiplies the member's chance of a claim.
    Frequency,
}

impl Scaling {
    /// The spelling in the manual file and in fit.json.
    pub fn name(self) -> &'static str {
        match self {
            Scaling::Severity => "severity",
            Scaling::Frequency => "frequency",
        }
    }
}

/// `F` or `M`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    /// Female.
    F,
    /// Male.
    M,
}

/// One row of the user's age/sex factor table.
#[derive(Debug, Clone, PartialEq)]
pub struct AgeSexFactor {
    /// Sex the row applies to.
    pub sex: Sex,
    /// First age of the band (whole years).
    pub age_from: u32,
    /// Last age of the band, inclusive.
    pub age_to: u32,
    /// The factor.
    pub factor: f64,
}

/// A member of the rated group.
#[derive(Debug, Clone, PartialEq)]
pub struct ManualMember {
    /// Age in whole years at the rating period.
    pub age: u32,
    /// Sex.
    pub sex: Sex,
    /// Months covered in the rating year (0 to 12).
    pub months: f64,
    /// The member's factor from the table (resolved when validated).
    pub factor: f64,
}

/// A validated manual rate.
#[derive(Debug, Clone)]
pub struct ManualRate {
    /// The file's own words about itself (the source of its factors).
    pub description: Option<String>,
    /// Base cost per member per month below the specific deductible.
    pub base_pmpm: f64,
    /// The user's age/sex table (no table is shipped as authoritative).
    pub factors: Vec<AgeSexFactor>,
    /// Area factor.
    pub area: f64,
    /// Plan (benefit) factor.
    pub plan: f64,
    /// Industry factor.
    pub industry: f64,
    /// Annual trend.
    pub trend: f64,
    /// Years of trend, base-period midpoint to rating-period midpoint.
    pub trend_years: f64,
    /// The rated members, each with its factor.
    pub members: Vec<ManualMember>,
    /// `P(a member at factor 1 has claims in the year)`.
    pub claim_probability: f64,
    /// A claiming member's annual amount at factor 1 in base-period dollars.
    pub severity: Severity,
    /// How the factors act.
    pub scaling: Scaling,
    /// Aggregate corridor: the implied attachment is this times the
    /// blended expected claims below the specific.
    pub corridor: f64,
}

impl ManualRate {
    /// The trend factor `(1 + tau)^dt`.
    pub fn trend_factor(&self) -> f64 {
        (1.0 + self.trend).powf(self.trend_years)
    }

    /// Member-months rated.
    pub fn member_months(&self) -> f64 {
        self.members.iter().map(|m| m.months).sum()
    }

    /// `sum_m AS_m months_m / 12`: the group's factor in member-years.
    pub fn factor_years(&self) -> f64 {
        self.members
            .iter()
            .map(|m| m.factor * m.months / 12.0)
            .sum()
    }

    /// The manual annual cost below the specific deductible.
    pub fn annual_cost(&self) -> f64 {
        12.0 * self.base_pmpm
            * self.factor_years()
            * self.area
            * self.plan
            * self.industry
            * self.trend_factor()
    }

    /// The manual specific pure premium at deductible `d`: the group's
    /// expected annual excess of members' claims over `d`.
    pub fn specific_pure_premium(&self, d: f64) -> f64 {
        let t = self.trend_factor();
        self.members
            .iter()
            .map(|m| {
                let r = m.factor;
                let excess = match self.scaling {
                    Scaling::Severity => r * t * self.severity.expected_excess(d / (r * t)),
                    Scaling::Frequency => r * t * self.severity.expected_excess(d / t),
                };
                self.claim_probability * excess * m.months / 12.0
            })
            .sum()
    }
}

/// The factor of `age`/`sex` in `table`, `None` when no row covers it.
pub fn factor_of(table: &[AgeSexFactor], age: u32, sex: Sex) -> Option<f64> {
    table
        .iter()
        .find(|r| r.sex == sex && (r.age_from..=r.age_to).contains(&age))
        .map(|r| r.factor)
}
