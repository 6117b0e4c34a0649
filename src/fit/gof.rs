//! Goodness of fit on the conditional CDF. Each uncensored claimant `i`
//! gives `F_i = F_{u_i}(x_i) = 1 - S(x_i)/S(u_i)` (its own truncation point;
//! censored claimants are left out of KS and AD, which need exact values),
//! sorted ascending, `n` of them:
//!
//! ```text
//! KS  D   = max_i max(i/n - F_i, F_i - (i-1)/n)
//! AD  A^2 = -n - (1/n) sum_{i=1..n} (2i - 1) [ln F_i + ln(1 - F_{n+1-i})]
//! AIC     = 2k - 2l,   BIC = k ln(n_all) - 2l      (k parameters, l the log-likelihood)
//! ```
//!
//! The parameters are estimated from the same data, so the textbook KS and
//! AD critical values do not apply (they are conservative); on a dozen
//! points none of these statistics has much power. They rank fits.

/// Kolmogorov–Smirnov distance of the sorted conditional CDF values.
pub fn ks(sorted: &[f64]) -> f64 {
    let n = sorted.len() as f64;
    sorted
        .iter()
        .enumerate()
        .map(|(i, &f)| {
            let i = i as f64;
            ((i + 1.0) / n - f).max(f - i / n)
        })
        .fold(0.0, f64::max)
}

/// Anderson–Darling statistic of the sorted conditional CDF values
/// (values are clamped inside (0, 1) so a point on the edge gives a large,
/// finite statistic).
pub fn ad(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    let clamp = |f: f64| f.clamp(1e-300, 1.0 - 1e-16);
    let s: f64 = (0..n)
        .map(|i| {
            let w = (2 * i + 1) as f64;
            w * (clamp(sorted[i]).ln() + (1.0 - clamp(sorted[n - 1 - i])).ln())
        })
        .sum();
    -(n as f64) - s / n as f64
}

/// Akaike's information criterion.
pub fn aic(k: usize, ll: f64) -> f64 {
    2.0 * k as f64 - 2.0 * ll
}

/// The Bayesian information criterion over `n` observations.
pub fn bic(k: usize, n: usize, ll: f64) -> f64 {
    k as f64 * (n as f64).ln() - 2.0 * ll
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_grid_is_close() {
        let f: Vec<f64> = (0..10).map(|i| (i as f64 + 0.5) / 10.0).collect();
        assert!((ks(&f) - 0.05).abs() < 1e-12);
        // AD of the midpoints i/n - 1/(2n) is small and positive.
        let a = ad(&f);
        assert!(a > 0.0 && a < 0.2, "{a}");
    }
}
