//! Lognormal truncated at each claimant's point: `ln f = -ln x - ln sigma -
//! ln(2 pi)/2 - z^2/2`, `S = 1 - Phi(z)`, `z = (ln x - mu)/sigma`. When every
//! amount lies far above the mode the likelihood has a flat ridge in
//! (mu, sigma); the search is bounded (|mu| <= 50, sigma <= 10, the config's
//! own limits) and a fit on a bound is reported.

use super::{log_moments, Family};
use crate::fit::listing::Observation;
use crate::fit::special::ln_norm_sf;

/// Largest sigma searched (the config's limit for a lognormal).
pub const SIGMA_MAX: f64 = 10.0;
/// Largest |mu| searched (the config's limit).
pub const MU_MAX: f64 = 50.0;

/// The truncated lognormal.
pub struct LogNormal;

impl Family for LogNormal {
    fn name(&self) -> &'static str {
        "lognormal"
    }
    fn parameter_names(&self) -> &'static [&'static str] {
        &["mu", "sigma"]
    }
    fn ln_pdf(&self, p: &[f64], x: f64) -> f64 {
        let z = (x.ln() - p[0]) / p[1];
        -x.ln() - p[1].ln() - 0.5 * (2.0 * std::f64::consts::PI).ln() - 0.5 * z * z
    }
    fn ln_sf(&self, p: &[f64], x: f64) -> f64 {
        if x <= 0.0 {
            return 0.0;
        }
        ln_norm_sf((x.ln() - p[0]) / p[1])
    }
    fn ln_cdf(&self, p: &[f64], x: f64) -> f64 {
        if x <= 0.0 {
            return f64::NEG_INFINITY;
        }
        // Phi(z) = P(Z > -z): accurate far below the median too.
        ln_norm_sf(-(x.ln() - p[0]) / p[1])
    }
    fn unconstrained(&self, p: &[f64]) -> Vec<f64> {
        vec![p[0], p[1].ln()]
    }
    fn natural(&self, q: &[f64]) -> Vec<f64> {
        vec![q[0], q[1].exp()]
    }
    fn admissible(&self, p: &[f64], _data: &[Observation]) -> bool {
        p[0].abs() <= MU_MAX && p[1] > 0.0 && p[1] <= SIGMA_MAX
    }
    fn starts(&self, data: &[Observation]) -> Vec<Vec<f64>> {
        let (m, s) = log_moments(data);
        vec![
            vec![m, s],
            vec![m - 2.0 * s, 2.0 * s],
            vec![m - 5.0 * s, 3.0 * s],
        ]
    }
    fn expected_excess(&self, p: &[f64], d: f64, u: f64) -> Option<f64> {
        let (mu, s) = (p[0], p[1]);
        let zd = (d.ln() - mu) / s;
        let ln_su = ln_norm_sf((u.ln() - mu) / s);
        let top = (mu + s * s / 2.0 + ln_norm_sf(zd - s) - ln_su).exp();
        let bottom = d * (ln_norm_sf(zd) - ln_su).exp();
        Some((top - bottom).max(0.0))
    }
    fn at_bound(&self, p: &[f64]) -> Option<String> {
        if p[1] >= SIGMA_MAX * (1.0 - 1e-6) {
            Some(format!("sigma is at its bound {SIGMA_MAX}: the likelihood has a flat ridge in (mu, sigma); the parameters are not identified by these data"))
        } else if p[0].abs() >= MU_MAX * (1.0 - 1e-6) {
            Some(format!(
                "mu is at its bound +-{MU_MAX}: the likelihood has a flat ridge in (mu, sigma)"
            ))
        } else {
            None
        }
    }
}
