//! Gamma truncated at each claimant's point: `ln f = (k-1) ln x - x/theta -
//! ln Gamma(k) - k ln theta`, `S = Q(k, x/theta)`. Above a high threshold
//! the fit often drives the shape towards 0 (an exponential-like tail with
//! a power factor); the shape is bounded below at 1e-4 and a fit there is
//! reported as at a bound.

use super::{log_moments, Family};
use crate::fit::listing::Observation;
use crate::fit::special::ln_gamma_q;
use statrs::function::gamma::ln_gamma;

/// Smallest shape searched.
pub const SHAPE_MIN: f64 = 1e-4;

/// The truncated gamma (shape `k`, scale `theta`).
pub struct Gamma;

impl Family for Gamma {
    fn name(&self) -> &'static str {
        "gamma"
    }
    fn parameter_names(&self) -> &'static [&'static str] {
        &["shape", "scale"]
    }
    fn ln_pdf(&self, p: &[f64], x: f64) -> f64 {
        let (k, t) = (p[0], p[1]);
        (k - 1.0) * x.ln() - x / t - ln_gamma(k) - k * t.ln()
    }
    fn ln_sf(&self, p: &[f64], x: f64) -> f64 {
        ln_gamma_q(p[0], x / p[1])
    }
    fn ln_cdf(&self, p: &[f64], x: f64) -> f64 {
        // P(k, x) directly: 1 - Q loses it when Q rounds to 1.
        statrs::function::gamma::gamma_lr(p[0], x / p[1]).ln()
    }
    fn unconstrained(&self, p: &[f64]) -> Vec<f64> {
        vec![p[0].ln(), p[1].ln()]
    }
    fn natural(&self, q: &[f64]) -> Vec<f64> {
        vec![q[0].exp(), q[1].exp()]
    }
    fn admissible(&self, p: &[f64], _data: &[Observation]) -> bool {
        p[0] >= SHAPE_MIN && p[0] <= 1e6 && p[1] > 0.0 && p[1] < 1e15
    }
    fn starts(&self, data: &[Observation]) -> Vec<Vec<f64>> {
        let n = data.len().max(1) as f64;
        let mean = data.iter().map(|o| o.amount).sum::<f64>() / n;
        let (_, s) = log_moments(data);
        let k = (1.0 / (s * s)).clamp(0.01, 1e3);
        let u = data
            .iter()
            .map(|o| o.truncation)
            .fold(f64::INFINITY, f64::min);
        vec![
            vec![k, mean / k],
            vec![1.0, (mean - u).max(1.0)],
            vec![0.1, mean * 3.0],
        ]
    }
    fn expected_excess(&self, p: &[f64], d: f64, u: f64) -> Option<f64> {
        let (k, t) = (p[0], p[1]);
        let ln_su = ln_gamma_q(k, u / t);
        let top = k * t * (ln_gamma_q(k + 1.0, d / t) - ln_su).exp();
        let bottom = d * (ln_gamma_q(k, d / t) - ln_su).exp();
        Some((top - bottom).max(0.0))
    }
    fn at_bound(&self, p: &[f64]) -> Option<String> {
        (p[0] <= SHAPE_MIN * (1.0 + 1e-3)).then(|| {
            format!("shape is at its lower bound {SHAPE_MIN}: the data want an exponential-like tail the gamma can only approach")
        })
    }
}
