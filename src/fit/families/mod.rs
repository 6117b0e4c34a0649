//! Severity families fitted above a threshold: each gives its log-density,
//! log-survival function, a parameter transform for the optimizer, starting
//! points and the conditional expected excess `E[(X - d)+ | X > u]`. The
//! truncated and censored log-likelihood is the same for every family
//! ([`log_likelihood`]):
//!
//! ```text
//! l(theta) = sum_{i uncensored} ln f(x_i) + sum_{j censored} ln S(c_j) - sum_{all} ln S(u_i)
//! ```
//!
//! with `u_i` each claimant's truncation point (the threshold, trended with
//! the claimant's amount) and `c_j` the cap at which a claim was censored.

pub mod gamma;
pub mod gpd;
pub mod lognormal;
pub mod pareto;
pub mod weibull;

use super::listing::Observation;

/// A parametric severity family.
pub trait Family: Sync {
    /// The family's name in fit.json (`pareto`, `gpd`, ...).
    fn name(&self) -> &'static str;
    /// Parameter names, in the order of the parameter vectors.
    fn parameter_names(&self) -> &'static [&'static str];
    /// `ln f(x)`.
    fn ln_pdf(&self, p: &[f64], x: f64) -> f64;
    /// `ln S(x) = ln P(X > x)`.
    fn ln_sf(&self, p: &[f64], x: f64) -> f64;
    /// `ln F(x) = ln P(X <= x)`, for the body's right truncation; families
    /// whose `S` rounds to 1 far below the mean override it.
    fn ln_cdf(&self, p: &[f64], x: f64) -> f64 {
        (-self.ln_sf(p, x).exp_m1()).ln()
    }
    /// Natural parameters to the optimizer's unconstrained coordinates.
    fn unconstrained(&self, p: &[f64]) -> Vec<f64>;
    /// The optimizer's coordinates to natural parameters.
    fn natural(&self, q: &[f64]) -> Vec<f64>;
    /// Whether `p` is in the region searched; outside it the objective is
    /// infinite (the GPD's guard against its unbounded likelihood).
    fn admissible(&self, p: &[f64], data: &[Observation]) -> bool;
    /// Starting points for the optimizer (several: the best fit wins).
    fn starts(&self, data: &[Observation]) -> Vec<Vec<f64>>;
    /// A closed-form maximum, where there is one.
    fn closed_form(&self, _data: &[Observation]) -> Option<Vec<f64>> {
        None
    }
    /// `E[(X - d)+ | X > u]` for `d >= u`; `None` when infinite.
    fn expected_excess(&self, p: &[f64], d: f64, u: f64) -> Option<f64>;
    /// Parameters at a bound of the searched region, named, for the report.
    fn at_bound(&self, _p: &[f64]) -> Option<String> {
        None
    }
}

/// The truncated and censored log-likelihood of `data` under `p`
/// (`-inf` outside the admissible region).
pub fn log_likelihood(family: &dyn Family, p: &[f64], data: &[Observation]) -> f64 {
    if !p.iter().all(|v| v.is_finite()) || !family.admissible(p, data) {
        return f64::NEG_INFINITY;
    }
    let mut l = 0.0;
    for o in data {
        l += if o.censored {
            family.ln_sf(p, o.amount)
        } else {
            family.ln_pdf(p, o.amount)
        };
        l -= family.ln_sf(p, o.truncation);
    }
    if l.is_nan() {
        f64::NEG_INFINITY
    } else {
        l
    }
}

/// The conditional CDF `F_u(x) = 1 - S(x)/S(u)` used by the goodness-of-fit
/// statistics.
pub fn conditional_cdf(family: &dyn Family, p: &[f64], x: f64, u: f64) -> f64 {
    -(family.ln_sf(p, x) - family.ln_sf(p, u)).exp_m1()
}

/// The five families, located at the lowest truncation point `location`
/// (the Pareto's scale and the GPD's threshold).
pub fn all(location: f64) -> Vec<Box<dyn Family>> {
    vec![
        Box::new(pareto::Pareto { location }),
        Box::new(gpd::Gpd { location }),
        Box::new(lognormal::LogNormal),
        Box::new(gamma::Gamma),
        Box::new(weibull::Weibull),
    ]
}

/// Mean and standard deviation of `ln x` over the uncensored amounts (the
/// starting points of the two-parameter families).
pub(crate) fn log_moments(data: &[Observation]) -> (f64, f64) {
    let logs: Vec<f64> = data.iter().map(|o| o.amount.ln()).collect();
    let n = logs.len().max(1) as f64;
    let m = logs.iter().sum::<f64>() / n;
    let v = logs.iter().map(|l| (l - m).powi(2)).sum::<f64>() / n;
    (m, v.sqrt().max(1e-3))
}
