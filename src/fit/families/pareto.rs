//! Single-parameter Pareto, `S(x) = (location / x)^alpha` for `x >= location`.
//! Above each truncation point `u_i` the conditional law does not depend on
//! the location, so the MLE is closed-form:
//! `alpha = n_uncensored / (sum_uncensored ln(x_i/u_i) + sum_censored ln(c_j/u_j))`,
//! with observed information `n_uncensored / alpha^2`.

use super::Family;
use crate::fit::listing::Observation;

/// Single-parameter Pareto with its scale at `location`.
pub struct Pareto {
    /// The scale (the lowest truncation point).
    pub location: f64,
}

impl Family for Pareto {
    fn name(&self) -> &'static str {
        "pareto"
    }
    fn parameter_names(&self) -> &'static [&'static str] {
        &["alpha"]
    }
    fn ln_pdf(&self, p: &[f64], x: f64) -> f64 {
        let a = p[0];
        a.ln() + a * self.location.ln() - (a + 1.0) * x.ln()
    }
    fn ln_sf(&self, p: &[f64], x: f64) -> f64 {
        if x <= self.location {
            0.0
        } else {
            p[0] * (self.location / x).ln()
        }
    }
    fn unconstrained(&self, p: &[f64]) -> Vec<f64> {
        vec![p[0].ln()]
    }
    fn natural(&self, q: &[f64]) -> Vec<f64> {
        vec![q[0].exp()]
    }
    fn admissible(&self, p: &[f64], _data: &[Observation]) -> bool {
        p[0] > 0.0
    }
    fn starts(&self, data: &[Observation]) -> Vec<Vec<f64>> {
        vec![self.closed_form(data).unwrap_or(vec![2.0])]
    }
    fn closed_form(&self, data: &[Observation]) -> Option<Vec<f64>> {
        let n = data.iter().filter(|o| !o.censored).count() as f64;
        let logs: f64 = data.iter().map(|o| (o.amount / o.truncation).ln()).sum();
        (n > 0.0 && logs > 0.0).then(|| vec![n / logs])
    }
    fn expected_excess(&self, p: &[f64], d: f64, u: f64) -> Option<f64> {
        let a = p[0];
        (a > 1.0).then(|| u.powf(a) * d.powf(1.0 - a) / (a - 1.0))
    }
}
