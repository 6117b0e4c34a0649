//! Credibility of the group's experience against a manual rate, and the
//! manual rate itself.
//!
//! **Limited fluctuation** (AAA credibility practice note, 2008): the full
//! standard for claim counts is `n_F = (z_{(1+p)/2} / k)^2 (1 + CV^2)`, CV
//! the coefficient of variation of severity; with p = 90% and k = 5% and
//! CV 0 it is (1.644854 / 0.05)^2 = 1,082 claims. `Z = min(1, sqrt(n/n_F))`.
//!
//! **Bühlmann**: `Z = n / (n + K)`, `K = EPV / VHM`. For Poisson counts with
//! a Gamma(shape a, rate b per exposure unit) prior on the rate, `K = b`
//! and `Z = e / (e + b)` for exposure `e`: the blend is the posterior mean
//! `(a + N) / (b + e)`.
//!
//! Applied per layer: the specific layer counts excess claimants (few) with
//! a high severity CV, so its Z stays small; the layer below the specific
//! deductible counts all claims and earns far more.
//!
//! **Manual rate**: `c = 12 B sum_m AS_m x Area x Plan x (1 + trend)^dt` a
//! year for a base PMPM `B` and each member's age/sex factor `AS_m` (a
//! user table: none is shipped as authoritative). The census's
//! `risk_factor` scales *severity* (`X_m = r_m X`): at a deductible `d` the
//! excess is `r_m E[(X - d/r_m)+]`, leveraged like trend, not
//! `r_m E[(X - d)+]` as frequency scaling would give.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

/// The usual limited-fluctuation standard: probability 90% ...
pub const DEFAULT_P: f64 = 0.90;
/// ... of being within 5% of the expected claims.
pub const DEFAULT_K: f64 = 0.05;

/// The limited-fluctuation full standard (claims) for severity CV `cv`.
pub fn full_standard(p: f64, k: f64, cv: f64) -> f64 {
    let z = Normal::standard().inverse_cdf((1.0 + p) / 2.0);
    (z / k).powi(2) * (1.0 + cv * cv)
}

/// Limited-fluctuation credibility of `n` claims against `full`.
pub fn limited_fluctuation(n: f64, full: f64) -> f64 {
    (n / full).sqrt().min(1.0)
}

/// Bühlmann credibility of `n` exposure units with `K = epv / vhm`.
pub fn buhlmann(n: f64, epv: f64, vhm: f64) -> f64 {
    if vhm <= 0.0 {
        return 0.0;
    }
    n / (n + epv / vhm)
}

/// Bühlmann for Poisson counts under a Gamma(shape `a`, rate `b`) prior:
/// `(Z, posterior mean rate)` after `claims` over `exposure` units.
pub fn poisson_gamma(a: f64, b: f64, claims: f64, exposure: f64) -> (f64, f64) {
    (exposure / (exposure + b), (a + claims) / (b + exposure))
}

/// The credibility-weighted rate `Z x + (1 - Z) m`.
pub fn blend(z: f64, experience: f64, manual: f64) -> f64 {
    z * experience + (1.0 - z) * manual
}

/// Annual manual below-specific cost of a group: `12 B (sum of member
/// factors) area plan (1 + trend)^years`.
pub fn manual_annual_cost(
    base_pmpm: f64,
    member_factors: &[f64],
    area: f64,
    plan: f64,
    trend: f64,
    years: f64,
) -> f64 {
    12.0 * base_pmpm * member_factors.iter().sum::<f64>() * area * plan * (1.0 + trend).powf(years)
}

/// The sample coefficient of variation (n - 1 in the variance); `None`
/// with fewer than two values.
pub fn coefficient_of_variation(x: &[f64]) -> Option<f64> {
    let n = x.len();
    (n >= 2).then(|| {
        let m = x.iter().sum::<f64>() / n as f64;
        let v = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n as f64 - 1.0);
        v.sqrt() / m
    })
}

/// The credibility of the listing's experience in one specific layer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LayerCredibility {
    /// The specific deductible.
    pub deductible: f64,
    /// Claimants in the listing above it.
    pub claims: usize,
    /// Coefficient of variation of their excess amounts (from the listing;
    /// `null` with fewer than two).
    pub severity_cv: Option<f64>,
    /// The limited-fluctuation full standard (claims), `(1 + CV^2)` adjusted
    /// (CV 0 when unknown: the standard is then a lower bound and Z an
    /// upper bound).
    pub full_standard: f64,
    /// Limited-fluctuation Z.
    pub z_limited_fluctuation: f64,
    /// Bühlmann Z when a prior on the claimant rate is given (Poisson-gamma:
    /// K is the prior's rate parameter in member-years).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub z_buhlmann: Option<f64>,
}

/// Credibility of the excess experience over each deductible: `amounts`
/// are the listing's amounts (projection dollars); `buhlmann_k` is
/// `(K, exposure)`, the Bühlmann K in member-years (a Poisson-gamma prior's
/// rate) and the listing's member-years, when given.
pub fn specific_layers(
    amounts: &[f64],
    deductibles: &[f64],
    p: f64,
    k: f64,
    buhlmann_k: Option<(f64, f64)>,
) -> Vec<LayerCredibility> {
    deductibles
        .iter()
        .map(|&d| {
            let over: Vec<f64> = amounts.iter().filter(|&&x| x > d).map(|x| x - d).collect();
            let n = over.len();
            let cv = coefficient_of_variation(&over);
            let full = full_standard(p, k, cv.unwrap_or(0.0));
            LayerCredibility {
                deductible: d,
                claims: n,
                severity_cv: cv,
                full_standard: full,
                z_limited_fluctuation: limited_fluctuation(n as f64, full),
                z_buhlmann: buhlmann_k.map(|(kk, exposure)| exposure / (exposure + kk)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_standard_is_1082_claims() {
        let n = full_standard(0.9, 0.05, 0.0);
        assert!((n - 1082.217).abs() < 0.01, "{n}");
        assert!((full_standard(0.9, 0.05, 2.0) / n - 5.0).abs() < 1e-12);
        assert_eq!(limited_fluctuation(2000.0, n), 1.0);
        assert!((limited_fluctuation(270.55, n) - 0.5).abs() < 1e-3);
    }

    #[test]
    fn poisson_gamma_blend_is_the_posterior_mean() {
        let (a, b, n, e) = (3.0, 1500.0, 7.0, 1000.0);
        let (z, post) = poisson_gamma(a, b, n, e);
        assert!((blend(z, n / e, a / b) - post).abs() < 1e-15);
        assert!((buhlmann(e, 1.0, 1.0 / b) - z).abs() < 1e-15);
    }

    #[test]
    fn manual_rate_worked_example() {
        // Domain note: 12 x 600 x 3.65 x 1.05 x 0.92 x 1.07^1.5 = 28,098.18.
        let c = manual_annual_cost(600.0, &[1.10, 1.15, 0.45, 0.95], 1.05, 0.92, 0.07, 1.5);
        assert!((c - 28_098.18).abs() < 0.005, "{c}");
    }
}
