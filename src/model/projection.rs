//! The multi-year projection: how many plan years, the trend between them,
//! the persistence of high-cost members, the renewal rule, the deductible
//! policy and the rate-cap / no-new-laser rider. Present on a study only
//! when the config has a `projection` block with more than one year.

use crate::contract::renewal::{DeductiblePolicy, RenewalRule, Rider};

/// Most plan years a projection may run.
pub const MAX_PROJECTION_YEARS: u32 = 10;

/// A latent Markov chain over risk tiers of every (member, claim component)
/// it applies to. Tier `k` is the band `bounds[k] .. bounds[k + 1]` of a
/// uniform risk score; the chain starts in and keeps its stationary
/// distribution (the band widths), so each year's score is uniform and the
/// year's claims follow the configured model.
#[derive(Debug, Clone, PartialEq)]
pub struct Persistence {
    /// Band edges from 0 to 1, strictly increasing (`tiers + 1` values).
    pub bounds: Vec<f64>,
    /// `transition[i][j]`: probability of tier `j` next year from tier `i`.
    pub transition: Vec<Vec<f64>>,
    /// Cumulative rows of `transition`, for inversion.
    pub transition_cdf: Vec<Vec<f64>>,
    /// Names of the claim components (in every class) the chain drives;
    /// the others are drawn independently each year.
    pub components: Vec<String>,
}

impl Persistence {
    /// Number of tiers.
    pub fn tiers(&self) -> usize {
        self.bounds.len() - 1
    }

    /// Width of tier `k`: its stationary probability.
    pub fn width(&self, k: usize) -> f64 {
        self.bounds[k + 1] - self.bounds[k]
    }

    /// Whether the chain drives the component named `name`.
    pub fn drives(&self, name: &str) -> bool {
        self.components.iter().any(|c| c == name)
    }
}

/// A validated `projection` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// Plan years simulated per trial (2 to [`MAX_PROJECTION_YEARS`]).
    pub years: u32,
    /// `trend[y]`: severity trend from year `y + 1` to year `y + 2`
    /// (`years - 1` values).
    pub trend: Vec<f64>,
    /// Persistence of high-cost members (none: years are independent).
    pub persistence: Option<Persistence>,
    /// How each renewal is priced.
    pub renewal: RenewalRule,
    /// How the specific deductible moves from year to year.
    pub deductible_policy: DeductiblePolicy,
    /// A rate-cap / no-new-laser rider, bought at inception (every
    /// candidate is then projected with and without it).
    pub rider: Option<Rider>,
    /// Trials of the manual-rate pass (its own random stream).
    pub manual_trials: u64,
}

impl Projection {
    /// The severity multiplier of plan year `y` (1-based) over year 1.
    pub fn trend_factor(&self, y: u32) -> f64 {
        self.trend[..(y - 1) as usize]
            .iter()
            .map(|t| 1.0 + t)
            .product()
    }
}
