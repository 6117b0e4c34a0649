//! Quantiles, TVaR and exceedance probabilities of a sorted sample.
//!
//! Definitions (n sorted outcomes `x(1) <= ... <= x(n)`):
//! - `VaR_p = x(k)` with `k = ceil(n p)` (clamped to `1..=n`): the smallest
//!   outcome whose empirical distribution function reaches `p`.
//! - `TVaR_p` = the mean of the worst `n (1 - p)` outcomes, counting the
//!   boundary outcome fractionally (Acerbi and Tasche's expected shortfall of
//!   the empirical distribution): `TVaR_p >= VaR_p` always.

use super::OrderStatistics;

/// The two-sided 95% normal quantile.
pub const Z95: f64 = 1.959_963_984_540_054;

/// `VaR_p` of a sorted, non-empty sample.
pub fn quantile<S: OrderStatistics + ?Sized>(sorted: &S, p: f64) -> f64 {
    sorted.at(rank(sorted.len(), p) - 1)
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
pub fn quantile_interval<S: OrderStatistics + ?Sized>(sorted: &S, p: f64, z: f64) -> (f64, f64) {
    let (lo, hi) = interval_ranks(sorted.len(), p, z);
    (sorted.at(lo - 1), sorted.at(hi - 1))
}

/// The 1-based ranks of [`quantile_interval`]'s bounds in a sample of `n`.
fn interval_ranks(n: usize, p: f64, z: f64) -> (usize, usize) {
    let nf = n as f64;
    let half = z * (nf * p * (1.0 - p)).sqrt();
    let lo = ((nf * p - half).floor() as i64).clamp(1, n as i64) as usize;
    let hi = ((nf * p + half).ceil() as i64 + 1).clamp(1, n as i64) as usize;
    (lo, hi)
}

/// What [`quantile`] at `quantiles`, [`quantile_interval`] at `intervals`
/// (with `z`), [`tvar`] and [`tvar_se`] at `tvars`, [`exceedance_curve`]
/// and the maximum read of a sample of `n` (at least one): the 0-based
/// positions of the ascending order, and how many of the largest elements
/// in order (a [`super::Ranked`] built from them answers all of these).
pub fn needed_positions(
    n: usize,
    quantiles: &[f64],
    intervals: &[f64],
    z: f64,
    tvars: &[f64],
) -> (Vec<usize>, usize) {
    let mut at = vec![n - 1];
    at.extend(quantiles.iter().map(|&p| rank(n, p) - 1));
    for &p in intervals {
        let (lo, hi) = interval_ranks(n, p, z);
        at.extend([lo - 1, hi - 1]);
    }
    at.extend(EXCEEDANCE_LEVELS.iter().map(|&p| rank(n, p) - 1));
    let mut tail = 1;
    for &p in tvars {
        at.push(rank(n, p) - 1);
        let whole = ((n as f64 * (1.0 - p)).max(0.0).floor() as usize).min(n);
        let k = (ceil_tolerant(n as f64 * (1.0 - p)) as usize).min(n);
        tail = tail.max((whole + 1).min(n)).max(k);
    }
    (at, tail)
}

/// `TVaR_p` of a sorted, non-empty sample.
pub fn tvar<S: OrderStatistics + ?Sized>(sorted: &S, p: f64) -> f64 {
    let n = sorted.len();
    let tail = (n as f64 * (1.0 - p)).max(0.0);
    if tail <= 0.0 {
        return sorted.at(n - 1);
    }
    let whole = (tail.floor() as usize).min(n);
    let frac = tail - whole as f64;
    // Ascending, as a full sort orders them: the sum's bits depend on it.
    let mut sum: f64 = sorted.top(whole).iter().sum();
    if whole < n {
        sum += frac * sorted.at(n - whole - 1);
    }
    sum / tail
}

/// Standard error of [`tvar`]: the asymptotic variance of the empirical
/// expected shortfall, `(Var(X | X > VaR) + p (TVaR - VaR)^2) / (n (1 - p))`
/// (Manistre and Hancock, 2005), with the conditional variance taken from
/// the tail outcomes. Zero when the tail holds fewer than two outcomes.
pub fn tvar_se<S: OrderStatistics + ?Sized>(sorted: &S, p: f64) -> f64 {
    let n = sorted.len();
    let k = (ceil_tolerant(n as f64 * (1.0 - p)) as usize).min(n);
    if k < 2 {
        return 0.0;
    }
    let tail = sorted.top(k);
    let m: super::Moments = tail.iter().copied().collect();
    let var = quantile(sorted, p);
    let t = tvar(sorted, p);
    ((m.variance() + p * (t - var).powi(2)) / (n as f64 * (1.0 - p))).sqrt()
}

/// Share of a sorted sample strictly above `x`.
pub fn prob_exceeds<S: OrderStatistics + ?Sized>(sorted: &S, x: f64) -> f64 {
    let at_or_below = sorted.count_at_most(x);
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
pub fn exceedance_curve<S: OrderStatistics + ?Sized>(sorted: &S) -> Vec<(f64, f64)> {
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
