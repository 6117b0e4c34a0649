//! The manual rate against the group's experience, per specific deductible
//! (`stoploss fit --manual`): the manual cost below the specific and the
//! manual specific pure premium ([`crate::model::manual`]), the listing's
//! experience in each layer, each layer's credibility, the blend
//! `Z x + (1 - Z) m`, and the aggregate attachment it implies.
//!
//! - Specific layer: experience `sum (x_i - d)+ / years` over the listing
//!   (complete only for `d >= u*`); Z from the listing's excess claimants
//!   ([`super::credibility::specific_layers`]): Bühlmann when a K is
//!   given, else limited fluctuation.
//! - Below the specific: experience `sum min(x_i, d) / years` over every
//!   claimant, which needs a full listing (`--full-listing`); Z by limited
//!   fluctuation on all claimants with the CV of `min(x, d)` (Bühlmann when
//!   a K is given). Without a full listing Z is 0 and the blend is the
//!   manual.
//! - The implied aggregate attachment is `corridor x` the blended expected
//!   claims below the specific.

use super::credibility::{self, LayerCredibility};
use crate::model::manual::ManualRate;
use serde::{Deserialize, Serialize};

/// The manual rate and its blend with the experience, as fit.json's
/// `manual` reports them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManualReport {
    /// The manual-rate file's description (the source of its factors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `severity` or `frequency`: how the age/sex factors act.
    pub scaling: String,
    /// Members rated.
    pub members: usize,
    /// Their member-months.
    pub member_months: f64,
    /// `sum_m AS_m months_m / 12`.
    pub factor_years: f64,
    /// `(1 + trend)^trend_years`.
    pub trend_factor: f64,
    /// Manual annual cost below the specific.
    pub annual_below_specific: f64,
    /// The same per member-month.
    pub pmpm: f64,
    /// The aggregate corridor used for the implied attachment.
    pub corridor: f64,
    /// One entry per candidate deductible.
    pub layers: Vec<ManualLayer>,
}

/// One deductible's manual, experience, credibility and blend.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManualLayer {
    /// The specific deductible.
    pub deductible: f64,
    /// Manual specific pure premium (annual, the group).
    pub manual_specific: f64,
    /// Experience excess over `d` a year; `null` below u* (the listing is
    /// not complete there).
    pub experience_specific: Option<f64>,
    /// The specific layer's credibility.
    pub z_specific: f64,
    /// `Z x + (1 - Z) m` in the specific layer (the manual when there is no
    /// experience).
    pub blended_specific: f64,
    /// Experience below the specific a year (full listing only).
    pub experience_below: Option<f64>,
    /// Credibility of that experience (0 without it).
    pub z_below: f64,
    /// Blended expected claims below the specific.
    pub blended_below: f64,
    /// `corridor x blended_below`.
    pub implied_aggregate_attachment: f64,
    /// `limited_fluctuation` or `buhlmann`.
    pub credibility_method: String,
}

/// The experience the manual rate is weighed against.
pub struct Experience<'a> {
    /// Every claimant's amount in projection dollars when the listing is
    /// full; only those above the threshold otherwise.
    pub amounts: &'a [f64],
    /// Whether `amounts` holds every claimant.
    pub full: bool,
    /// The reference threshold u*.
    pub reference: f64,
    /// Experience years.
    pub years: f64,
    /// The specific layers' credibility, one per deductible.
    pub specific: &'a [LayerCredibility],
    /// The limited-fluctuation standard's `p` and `k`.
    pub p: f64,
    /// See `p`.
    pub k: f64,
    /// `(K, exposure)` for Bühlmann.
    pub buhlmann: Option<(f64, f64)>,
}

/// The manual rate blended with `exp` at each of its deductibles.
pub fn report(manual: &ManualRate, exp: &Experience) -> ManualReport {
    let annual = manual.annual_cost();
    let layers = exp
        .specific
        .iter()
        .map(|c| layer(manual, exp, c, annual))
        .collect();
    ManualReport {
        description: manual.description.clone(),
        scaling: manual.scaling.name().into(),
        members: manual.members.len(),
        member_months: manual.member_months(),
        factor_years: manual.factor_years(),
        trend_factor: manual.trend_factor(),
        annual_below_specific: annual,
        pmpm: annual / manual.member_months(),
        corridor: manual.corridor,
        layers,
    }
}

fn layer(manual: &ManualRate, exp: &Experience, c: &LayerCredibility, annual: f64) -> ManualLayer {
    let d = c.deductible;
    let manual_specific = manual.specific_pure_premium(d);
    let experience_specific = (d >= exp.reference)
        .then(|| exp.amounts.iter().map(|x| (x - d).max(0.0)).sum::<f64>() / exp.years);
    let z_specific = if experience_specific.is_some() {
        c.z_buhlmann.unwrap_or(c.z_limited_fluctuation)
    } else {
        0.0
    };
    let blended_specific = credibility::blend(
        z_specific,
        experience_specific.unwrap_or(0.0),
        manual_specific,
    );
    let capped: Vec<f64> = exp.amounts.iter().map(|x| x.min(d)).collect();
    let experience_below = exp.full.then(|| capped.iter().sum::<f64>() / exp.years);
    let z_below = match (experience_below, exp.buhlmann) {
        (None, _) => 0.0,
        (Some(_), Some((k, e))) => e / (e + k),
        (Some(_), None) => {
            let cv = credibility::coefficient_of_variation(&capped)
                .filter(|c| c.is_finite())
                .unwrap_or(0.0);
            let full = credibility::full_standard(exp.p, exp.k, cv);
            credibility::limited_fluctuation(capped.len() as f64, full)
        }
    };
    let blended_below = credibility::blend(z_below, experience_below.unwrap_or(0.0), annual);
    ManualLayer {
        deductible: d,
        manual_specific,
        experience_specific,
        z_specific,
        blended_specific,
        experience_below,
        z_below,
        blended_below,
        implied_aggregate_attachment: manual.corridor * blended_below,
        credibility_method: if exp.buhlmann.is_some() {
            "buhlmann"
        } else {
            "limited_fluctuation"
        }
        .into(),
    }
}
