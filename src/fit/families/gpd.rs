//! Generalized Pareto on the excess over `location`:
//! `S(x) = (1 + xi (x - location) / sigma)^(-1/xi)` (exponential at xi = 0).
//!
//! Maximized in two dimensions (censoring and claimant-specific truncation
//! points break Grimshaw's one-dimensional profile), started from
//! Grimshaw's profile maximum when the data are a plain uncensored sample
//! above the location, and from a few fixed shapes otherwise. **Guard:**
//! for xi < -1 the likelihood is unbounded as the upper end point
//! `location - sigma/xi` approaches the largest amount, so the search is
//! confined to xi >= -1 (and to the support containing every amount); a
//! fit on that edge is reported as at a bound.

use super::Family;
use crate::fit::listing::Observation;

/// Shapes below this are outside the searched region (the guard).
pub const XI_MIN: f64 = -1.0;

/// Generalized Pareto above `location`.
pub struct Gpd {
    /// The threshold (the lowest truncation point).
    pub location: f64,
}

impl Gpd {
    /// `ln(1 + xi y / sigma) / xi`, continuous at xi = 0.
    fn log_term(xi: f64, sigma: f64, y: f64) -> f64 {
        let t = xi * y / sigma;
        if xi.abs() < 1e-12 {
            y / sigma
        } else {
            t.ln_1p() / xi
        }
    }
}

impl Family for Gpd {
    fn name(&self) -> &'static str {
        "gpd"
    }
    fn parameter_names(&self) -> &'static [&'static str] {
        &["xi", "sigma"]
    }
    fn ln_pdf(&self, p: &[f64], x: f64) -> f64 {
        let (xi, sigma) = (p[0], p[1]);
        let y = x - self.location;
        -sigma.ln() - (1.0 + xi) * Self::log_term(xi, sigma, y)
    }
    fn ln_sf(&self, p: &[f64], x: f64) -> f64 {
        let y = (x - self.location).max(0.0);
        -Self::log_term(p[0], p[1], y)
    }
    fn unconstrained(&self, p: &[f64]) -> Vec<f64> {
        vec![p[0], p[1].ln()]
    }
    fn natural(&self, q: &[f64]) -> Vec<f64> {
        vec![q[0], q[1].exp()]
    }
    fn admissible(&self, p: &[f64], data: &[Observation]) -> bool {
        let (xi, sigma) = (p[0], p[1]);
        if xi < XI_MIN || sigma <= 0.0 {
            return false;
        }
        let top = data.iter().map(|o| o.amount).fold(0.0, f64::max) - self.location;
        1.0 + xi * top / sigma > 0.0
    }
    fn starts(&self, data: &[Observation]) -> Vec<Vec<f64>> {
        let ys: Vec<f64> = data.iter().map(|o| o.amount - self.location).collect();
        let mean = ys.iter().sum::<f64>() / ys.len().max(1) as f64;
        let mut starts: Vec<Vec<f64>> = [-0.5, -0.2, 0.0, 0.2, 0.5, 0.8]
            .iter()
            .map(|&xi| vec![xi, (mean * (1.0 - xi)).max(1.0)])
            .collect();
        let plain = data
            .iter()
            .all(|o| !o.censored && o.truncation == self.location);
        if plain {
            if let Some(g) = grimshaw(&ys) {
                starts.insert(0, g);
            }
        }
        starts
    }
    fn expected_excess(&self, p: &[f64], d: f64, u: f64) -> Option<f64> {
        let (xi, sigma) = (p[0], p[1]);
        if xi >= 1.0 {
            return None;
        }
        let s_d = (self.ln_sf(p, d) - self.ln_sf(p, u)).exp();
        let y = d - self.location;
        let left = sigma + xi * y;
        Some(if left <= 0.0 {
            0.0
        } else {
            s_d * left / (1.0 - xi)
        })
    }
    fn at_bound(&self, p: &[f64]) -> Option<String> {
        (p[0] <= XI_MIN + 1e-4).then(|| {
            "xi is at -1, the edge of the region searched (below it the likelihood is unbounded)"
                .to_string()
        })
    }
}

/// Grimshaw's profile maximum for an uncensored excess sample `ys`:
/// with `theta = xi/sigma`, `xi(theta) = mean ln(1 + theta y)` and
/// `l*(theta) = -n ln(xi/theta) - n xi - n` (`-n ln(mean y) - n` at
/// theta = 0). Scans `theta` over `(-1/y_max, ...)` on a grid fine near
/// zero and refines the best cell by golden section; returns `(xi, sigma)`.
pub fn grimshaw(ys: &[f64]) -> Option<Vec<f64>> {
    let n = ys.len() as f64;
    let ymax = ys.iter().copied().fold(0.0, f64::max);
    let mean = ys.iter().sum::<f64>() / n;
    if n < 2.0 || ymax <= 0.0 || mean <= 0.0 {
        return None;
    }
    let profile = |theta: f64| -> f64 {
        if theta.abs() < 1e-14 / ymax {
            return -n * mean.ln() - n;
        }
        if 1.0 + theta * ymax <= 0.0 {
            return f64::NEG_INFINITY;
        }
        let xi = ys.iter().map(|y| (theta * y).ln_1p()).sum::<f64>() / n;
        if xi / theta <= 0.0 {
            return f64::NEG_INFINITY;
        }
        -n * (xi / theta).ln() - n * xi - n
    };
    // theta = t / ymax, t in (-1, 1e4): symmetric log-spaced grid.
    let mut grid = vec![0.0];
    for k in 0..400 {
        let t = 10f64.powf(-8.0 + 12.0 * k as f64 / 399.0);
        grid.push(t / ymax);
        if t < 1.0 {
            grid.push(-t / ymax);
        }
    }
    grid.push(-(1.0 - 1e-9) / ymax);
    grid.sort_by(f64::total_cmp);
    let (mut bi, mut bv) = (0, f64::NEG_INFINITY);
    for (i, &t) in grid.iter().enumerate() {
        let v = profile(t);
        if v > bv {
            bi = i;
            bv = v;
        }
    }
    let (mut a, mut b) = (
        grid[bi.saturating_sub(1)],
        grid[(bi + 1).min(grid.len() - 1)],
    );
    let g = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..200 {
        let c = b - g * (b - a);
        let d = a + g * (b - a);
        if profile(c) >= profile(d) {
            b = d;
        } else {
            a = c;
        }
    }
    let theta = 0.5 * (a + b);
    if theta.abs() < 1e-14 / ymax {
        return Some(vec![0.0, mean]);
    }
    let xi = ys.iter().map(|y| (theta * y).ln_1p()).sum::<f64>() / n;
    Some(vec![xi.max(XI_MIN), xi / theta])
}
