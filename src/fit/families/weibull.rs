//! Weibull truncated at each claimant's point: `S = exp(-(x/lambda)^k)`,
//! `ln f = ln k - ln lambda + (k-1) ln(x/lambda) - (x/lambda)^k`.

use super::{log_moments, Family};
use crate::fit::listing::Observation;
use crate::fit::special::ln_gamma_q;
use statrs::function::gamma::ln_gamma;

/// Smallest shape searched (the config's Weibull limit).
pub const SHAPE_MIN: f64 = 0.05;

/// The truncated Weibull (shape `k`, scale `lambda`).
pub struct Weibull;

impl Family for Weibull {
    fn name(&self) -> &'static str {
        "weibull"
    }
    fn parameter_names(&self) -> &'static [&'static str] {
        &["shape", "scale"]
    }
    fn ln_pdf(&self, p: &[f64], x: f64) -> f64 {
        let (k, l) = (p[0], p[1]);
        let r = x / l;
        k.ln() - l.ln() + (k - 1.0) * r.ln() - r.powf(k)
    }
    fn ln_sf(&self, p: &[f64], x: f64) -> f64 {
        -(x / p[1]).powf(p[0])
    }
    fn unconstrained(&self, p: &[f64]) -> Vec<f64> {
        vec![p[0].ln(), p[1].ln()]
    }
    fn natural(&self, q: &[f64]) -> Vec<f64> {
        vec![q[0].exp(), q[1].exp()]
    }
    fn admissible(&self, p: &[f64], _data: &[Observation]) -> bool {
        p[0] >= SHAPE_MIN && p[0] <= 1e3 && p[1] > 0.0 && p[1] < 1e15
    }
    fn starts(&self, data: &[Observation]) -> Vec<Vec<f64>> {
        let (m, s) = log_moments(data);
        let k = (1.28 / s).clamp(0.1, 50.0);
        vec![
            vec![k, (m + 0.5772 / k).exp()],
            vec![0.5, m.exp() * 0.1],
            vec![0.2, m.exp() * 0.001],
        ]
    }
    fn expected_excess(&self, p: &[f64], d: f64, u: f64) -> Option<f64> {
        // int_d^inf S = lambda Gamma(1 + 1/k) Q(1/k, (d/lambda)^k).
        let (k, l) = (p[0], p[1]);
        let ln_int = l.ln() + ln_gamma(1.0 + 1.0 / k) + ln_gamma_q(1.0 / k, (d / l).powf(k));
        Some((ln_int - self.ln_sf(p, u)).exp())
    }
    fn at_bound(&self, p: &[f64]) -> Option<String> {
        (p[0] <= SHAPE_MIN * (1.0 + 1e-3))
            .then(|| format!("shape is at its lower bound {SHAPE_MIN}"))
    }
}
