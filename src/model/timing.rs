//! When claims are incurred and paid: seasonality, payment lags, large-claim
//! episodes, known claims and the funding of the prior year. Present on a
//! study only when the config asks for contract timing; without it every
//! claim is paid in the month it is incurred and counts as the incurred
//! basis counts it.

use crate::dist::{LagModel, LagPmf};

/// Who paid the run-out of the year before the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriorYear {
    /// A fully insured carrier: it pays its own run-out, so no claim
    /// incurred before month 1 reaches this plan.
    FullyInsured,
    /// This plan: the prior year's incurrals paid from month 1 on are the
    /// employer's (the run-in), simulated with the same model deflated by
    /// one year of trend.
    SelfFunded,
}

/// Large claims spread over consecutive months (an episode of care).
#[derive(Debug, Clone, PartialEq)]
pub struct Episodes {
    /// Claims above this amount are episodes.
    pub above: f64,
    /// `months[k]`: probability that an episode lasts `k + 1` months.
    pub months: Vec<f64>,
    /// Cumulative of `months`.
    pub cdf: Vec<f64>,
}

/// A claim known at renewal: an ongoing large claimant.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownClaim {
    /// Index of the member.
    pub member: u32,
    /// Amount in dollars.
    pub amount: f64,
    /// Incurral month (1 to 12).
    pub incurred_month: i32,
    /// A fixed payment lag; `None` draws it from `lag`.
    pub lag_months: Option<u32>,
    /// The lag pmf it is drawn from.
    pub lag: LagModel,
    /// Counts toward the specific stop-loss.
    pub specific: bool,
    /// Counts toward the aggregate stop-loss.
    pub aggregate: bool,
}

/// The timing model of a study.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    /// Incurral weights of months 1 to 12, summing to 1.
    pub seasonality: [f64; 12],
    /// The study's lag pmf (components may have their own).
    pub lag: LagModel,
    /// Who paid the prior year's run-out.
    pub prior_year: PriorYear,
    /// One year of severity trend, to deflate the prior year's claims.
    pub prior_year_deflator: f64,
    /// Whether the plan ends with this policy year.
    pub terminating: bool,
    /// Large-claim episodes, if modelled.
    pub episodes: Option<Episodes>,
    /// Claims known at renewal.
    pub known_claims: Vec<KnownClaim>,
}

impl Timing {
    /// Flat incurral, every claim paid the month it is incurred, prior year
    /// fully insured.
    pub fn immediate() -> Self {
        Timing {
            seasonality: [1.0 / 12.0; 12],
            lag: LagModel::flat(LagPmf::immediate()),
            prior_year: PriorYear::FullyInsured,
            prior_year_deflator: 1.0,
            terminating: false,
            episodes: None,
            known_claims: Vec::new(),
        }
    }

    /// The last month a claim incurred in month 12 can be paid, given the
    /// longest lag of the study's and components' pmfs.
    pub fn last_paid_month(&self, max_lag: u32) -> i32 {
        let episode = self
            .episodes
            .as_ref()
            .map_or(0, |e| e.months.len() as i32 - 1);
        12 + max_lag as i32 + episode.max(0)
    }
}
