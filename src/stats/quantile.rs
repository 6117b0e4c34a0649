//! Quantiles, TVaR and exceedance probabilities of a sorted sample.
//!
//! Definitions (n sorted outcomes `x(1) <= ... <= x(n)`):
//! - `VaR_p = x(k)` with `k = ceil(n p)` (clamped to `1..=n`): the smallest
//!   outcome whose empirical distribution function reaches `p`.
//! - `TVaR_p` = the mean of the worst `n (1 - p)` outcomes, counting the
//!   boundary outcome fractionally (Acerbi and Tasche's expected shortfall of
//!   the empirical distribution): `TVaR_p >= VaR_p` always.

/// The two-sided 95% normal quantile.
pub const Z95: f64 = 1.959_963_984_540_054;

/// `VaR_p` of a sorted, non-empty sample.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    sorted[rank(sorted.len(), p) - 1]
}

/// `ceil(n p)`, treating an `n p` within rounding error of a whole number as
/// that number (so that `p = 0.55`, stored slightly above 0.55, gives rank 55 of 100).
fn rank(n: usize, p: f64) -> usize {
    (ceil_tolerant(n as f64 * p) as usize).clamp(1, n)
}

fn ceil_tolerant(x: f64) -> f64 {
    let r = x.round();
    if (x - r).abs() <= 1e-9 * r.abs().max(1.0) {
        r
    } else {
        x.ceil()
    }
}

/// A distribution-free confidence interval for `VaR_p` from order statistics:
/// the ranks `n p -/+ z sqrt(n p (1 - p))` (normal approximation to the
/// binomial count of outcomes below the true quantile), clamped to the sample.
pub fn quantile_interval(sorted: &[f64], p: f64, z: f64) -> (f64, f64) {
    let n = sorted.len() as f64;
    let half = z * (n * p * (1.0 - p)).sqrt();
    let lo = ((n * p - half).floor() as i64).clamp(1, sorted.len() as i64) as usize;
    let hi = ((n * p + half).ceil() as i64 + 1).clamp(1, sorted.len() as i64) as usize;
    (sorted[lo - 1], sorted[hi - 1])
}

/// `TVaR_p` of a sorted, non-empty sample.
pub fn tvar(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let tail = (n as f64 * (1.0 - p)).max(0.0);
    if tail <= 0.0 {
        return sorted[n - 1];
    }
    let whole = (tail.floor() as usize).min(n);
    let frac = tail - whole as f64;
    let mut sum: f64 = sorted[n - whole..].iter().sum();
    if whole < n {
        sum += frac * sorted[n - whole - 1];
    }
    sum / tail
}

/// Standard error of [`tvar`]: the asymptotic variance of the empirical
/// expected shortfall, `(Var(X | X > VaR) + p (TVaR - VaR)^2) / (n (1 - p))`
/// (Manistre and Hancock, 2005), with the conditional variance taken from
/// the tail outcomes. Zero when the tail holds fewer than two outcomes.
pub fn tvar_se(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let k = (ceil_tolerant(n as f64 * (1.0 - p)) as usize).min(n);
    if k < 2 {
        return 0.0;
    }
    let tail = &sorted[n - k..];
    let m: super::Moments = tail.iter().copied().collect();
    let var = quantile(sorted, p);
    let t = tvar(sorted, p);
    ((m.variance() + p * (t - var).powi(2)) / (n as f64 * (1.0 - p))).sqrt()
}

/// Share of a sorted sample strictly above `x`.
pub fn prob_exceeds(sorted: &[f64], x: f64) -> f64 {
    let at_or_below = sorted.partition_point(|&v| v <= x);
    (sorted.len() - at_or_below) as f64 / sorted.len() as f64
}

/// Levels `p` at whose `VaR_p` the exceedance curve is drawn: a fixed grid
/// that thickens in the tail.
pub const EXCEEDANCE_LEVELS: [f64; 31] = [
    0.01, 0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70, 0.75,
    0.80, 0.85, 0.90, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995,
    0.9999,
];

/// Points `(x, P(X > x))` of the empirical exceedance curve, at the
/// quantiles of a fixed grid of levels that thickens in the tail; levels
/// whose tail holds less than one outcome are left out.
pub fn exceedance_curve(sorted: &[f64]) -> Vec<(f64, f64)> {
    let n = sorted.len() as f64;
    let mut points: Vec<(f64, f64)> = Vec::new();
    for p in EXCEEDANCE_LEVELS {
        if n * (1.0 - p) < 1.0 {
            break;
        }
        let x = quantile(sorted, p);
        if points.last().is_some_and(|&(last, _)| last == x) {
            continue;
        }
        points.push((x, prob_exceeds(sorted, x)));
    }
    points
}
