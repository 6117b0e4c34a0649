//! Statistics: the moment accumulator against two-pass formulas, quantile /
//! TVaR / exceedance on hand-computed samples, and the Monte Carlo error
//! estimates (quantile interval coverage, TVaR standard error) against
//! exact finite-sample theory over repeated simulated samples.

use crate::util::assert_rel;

use statrs::distribution::{Binomial, DiscreteCDF};
use stoploss::dist::{uniform, SimRng};
use stoploss::sim::seed::block_rng;
use stoploss::stats::{
    exceedance_curve, prob_exceeds, quantile, quantile_interval, tvar, tvar_se, Moments, Z95,
};

const SEED: u64 = 0x57A7_2025;
/// Tolerance of the statistical checks, in standard errors.
const K: f64 = 5.0;

fn rng(block: u64) -> SimRng {
    block_rng(SEED, block)
}

fn assert_within(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        got.is_finite() && (got - want).abs() <= tol,
        "{what}: got {got}, expected {want} +/- {tol}"
    );
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_unstable_by(f64::total_cmp);
    v
}

fn one_to(n: usize) -> Vec<f64> {
    (1..=n).map(|i| i as f64).collect()
}

/// Two-pass mean and unbiased variance.
fn two_pass(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let ss = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>();
    (mean, ss / (n - 1.0))
}

/// Skewed data on a large offset (stresses cancellation in naive formulas).
fn test_data(n: usize, block: u64) -> Vec<f64> {
    let mut r = rng(block);
    (0..n)
        .map(|_| 1e6 + (-(1.0 - uniform(&mut r)).ln()).powi(2) * 100.0)
        .collect()
}

// ---------------------------------------------------------------------------
// Moments
// ---------------------------------------------------------------------------

#[test]
fn moments_hand_case() {
    // 2 4 4 4 5 5 7 9: mean 5, squared deviations sum to 32.
    let m: Moments = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
        .into_iter()
        .collect();
    assert_eq!(m.count(), 8);
    assert_within("mean", m.mean(), 5.0, 1e-12);
    assert_within("variance", m.variance(), 32.0 / 7.0, 1e-12);
    assert_within("sd", m.sd(), (32.0f64 / 7.0).sqrt(), 1e-12);
    assert_within("se", m.se(), (32.0f64 / 7.0 / 8.0).sqrt(), 1e-12);

    let empty = Moments::new();
    assert_eq!(empty.count(), 0);
    assert_eq!(
        (empty.mean(), empty.variance(), empty.se()),
        (0.0, 0.0, 0.0)
    );
    let mut one = Moments::new();
    one.push(3.5);
    assert_eq!((one.mean(), one.variance(), one.se()), (3.5, 0.0, 0.0));
}

#[test]
fn moments_push_matches_two_pass() {
    let xs = test_data(20_000, 1);
    let (mean, var) = two_pass(&xs);
    let mut m = Moments::new();
    for &x in &xs {
        m.push(x);
    }
    assert_eq!(m.count(), xs.len() as u64);
    assert_rel("mean", m.mean(), mean, 1e-12);
    assert_rel("variance", m.variance(), var, 1e-9);
    assert_rel("se", m.se(), (var / xs.len() as f64).sqrt(), 1e-9);
}

#[test]
fn moments_merge_equals_pushing_all() {
    let xs = test_data(20_000, 2);
    let all: Moments = xs.iter().copied().collect();

    // Two unequal halves.
    let (a, b) = xs.split_at(7_001);
    let mut left: Moments = a.iter().copied().collect();
    let right: Moments = b.iter().copied().collect();
    left.merge(&right);
    assert_eq!(left.count(), all.count());
    assert_rel("merged mean", left.mean(), all.mean(), 1e-9);
    assert_rel("merged variance", left.variance(), all.variance(), 1e-9);

    // Many blocks of different sizes merged in order.
    let mut merged = Moments::new();
    let mut start = 0;
    for size in [1, 2, 997, 5000, 3, 4000, 9997] {
        let block: Moments = xs[start..start + size].iter().copied().collect();
        merged.merge(&block);
        start += size;
    }
    assert_eq!(start, xs.len());
    assert_eq!(merged.count(), all.count());
    assert_rel("block-merged mean", merged.mean(), all.mean(), 1e-9);
    assert_rel(
        "block-merged variance",
        merged.variance(),
        all.variance(),
        1e-9,
    );

    // Merging with an empty accumulator is the identity, either way round.
    let mut e = Moments::new();
    e.merge(&all);
    assert_eq!(e, all);
    let mut same = all;
    same.merge(&Moments::new());
    assert_eq!(same, all);
}

// ---------------------------------------------------------------------------
// Quantile, TVaR, exceedance
// ---------------------------------------------------------------------------

#[test]
fn quantile_hand_cases() {
    let xs = one_to(100);
    // VaR_p = x(ceil(n p)), clamped to 1..=n.
    for (p, want) in [
        (0.95, 95.0),
        (0.5, 50.0),
        (0.01, 1.0),
        (0.0, 1.0),
        (0.001, 1.0),
        (0.955, 96.0),
        (0.999, 100.0),
        (1.0, 100.0),
    ] {
        assert_eq!(quantile(&xs, p), want, "VaR_{p} of 1..=100");
    }
    let ten = one_to(10);
    assert_eq!(quantile(&ten, 0.75), 8.0); // ceil(7.5) = 8
    assert_eq!(quantile(&[42.0], 0.3), 42.0);
}

#[test]
fn tvar_hand_cases() {
    let xs = one_to(100);
    // Worst 5 of 1..=100: mean of 96..=100.
    assert_within("TVaR_0.95", tvar(&xs, 0.95), 98.0, 1e-9);
    // n (1 - p) = 4.5: 97 + 98 + 99 + 100 plus half of 96, over 4.5.
    assert_within("TVaR_0.955", tvar(&xs, 0.955), (394.0 + 48.0) / 4.5, 1e-9);
    // n (1 - p) = 0.1: a tenth of the maximum over 0.1.
    assert_within("TVaR_0.999", tvar(&xs, 0.999), 100.0, 1e-9);
    assert_within("TVaR_0 is the mean", tvar(&xs, 0.0), 50.5, 1e-9);
    assert_within("TVaR_1 is the maximum", tvar(&xs, 1.0), 100.0, 1e-9);
    // 1..=10 at p = 0.75: n (1 - p) = 2.5 -> (10 + 9 + 0.5 * 8) / 2.5.
    assert_within("TVaR_0.75 of 1..=10", tvar(&one_to(10), 0.75), 9.2, 1e-9);
    // Lumpy sample: p = 0.85, tail 1.5 -> (100 + 0.5 * 20) / 1.5, VaR x(9) = 20.
    let lumpy = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 10.0, 20.0, 100.0];
    assert_within("lumpy TVaR_0.85", tvar(&lumpy, 0.85), 110.0 / 1.5, 1e-9);
    assert_eq!(quantile(&lumpy, 0.85), 20.0);

    // TVaR >= VaR, and TVaR increases with p, on a random sample.
    let mut r = rng(10);
    let s = sorted((0..5000).map(|_| uniform(&mut r).powi(3)).collect());
    let mut last = f64::NEG_INFINITY;
    for p in [0.0, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 0.9999] {
        let (v, t) = (quantile(&s, p), tvar(&s, p));
        assert!(t >= v - 1e-12, "TVaR_{p} {t} < VaR {v}");
        assert!(t >= last - 1e-12, "TVaR_{p} decreased");
        last = t;
    }
}

#[test]
fn tvar_se_hand_case() {
    // 1..=100, p = 0.9: tail 91..=100 (sample variance 10 * 11 / 12), VaR 90,
    // TVaR 95.5: sqrt((110/12 + 0.9 * 5.5^2) / (100 * 0.1)).
    let want = ((110.0 / 12.0 + 0.9 * 5.5f64.powi(2)) / 10.0).sqrt();
    assert_within(
        "tvar_se 1..=100 at 0.9",
        tvar_se(&one_to(100), 0.9),
        want,
        1e-9,
    );
    // Fewer than two outcomes in the tail: no estimate.
    assert_eq!(tvar_se(&one_to(10), 0.95), 0.0);
}

#[test]
fn prob_exceeds_hand_cases() {
    let xs = [1.0, 2.0, 2.0, 3.0, 5.0];
    for (x, want) in [
        (0.0, 1.0),
        (1.0, 0.8),
        (1.5, 0.8),
        (2.0, 0.4),
        (2.5, 0.4),
        (4.9, 0.2),
        (5.0, 0.0),
        (9.0, 0.0),
    ] {
        assert_within(&format!("P(X > {x})"), prob_exceeds(&xs, x), want, 1e-15);
    }
}

#[test]
fn exceedance_curve_hand_case() {
    let xs = one_to(100);
    let curve = exceedance_curve(&xs);
    // Levels 0.01 ..= 0.99 keep at least one outcome in the tail of 100
    // (26 levels); 0.995 and above are left out.
    assert_eq!(curve.len(), 26, "{curve:?}");
    assert_eq!(curve[0], (1.0, 0.99));
    assert_eq!(*curve.last().unwrap(), (99.0, 0.01));
    for w in curve.windows(2) {
        assert!(w[1].0 > w[0].0 && w[1].1 < w[0].1, "not monotone: {w:?}");
    }
    for &(x, p) in &curve {
        assert_within(&format!("P(X > {x})"), p, (100.0 - x) / 100.0, 1e-12);
    }
    // Ties collapse to one point.
    let flat = exceedance_curve(&[7.0; 50]);
    assert_eq!(flat, vec![(7.0, 0.0)]);
}

// ---------------------------------------------------------------------------
// Monte Carlo error estimates over repeated samples
// ---------------------------------------------------------------------------

/// The interval from order statistics covers the true quantile of U(0, 1)
/// about 95% of the time. The ranks `l`, `u` it uses depend only on `n` and
/// `p`; with `B ~ Binomial(n, p)` outcomes below the true quantile, it
/// covers exactly when `l <= B <= u - 1`, so the exact coverage comes from
/// statrs' binomial cdf and the simulated coverage must match it within K
/// binomial standard errors (and lie in [0.90, 0.99]).
#[test]
fn quantile_interval_coverage() {
    let (n, reps) = (1000usize, 1000usize);
    let ps = [0.5, 0.9, 0.99];
    let mut r = rng(20);
    let mut covered = [0usize; 3];
    let mut ranks = [(0usize, 0usize); 3];
    for rep in 0..reps {
        let s = sorted((0..n).map(|_| uniform(&mut r)).collect());
        for (i, &p) in ps.iter().enumerate() {
            let (lo, hi) = quantile_interval(&s, p, Z95);
            assert!(lo <= quantile(&s, p) && quantile(&s, p) <= hi);
            if lo <= p && p <= hi {
                covered[i] += 1;
            }
            // 1-based ranks of the bounds (the uniforms are distinct).
            let l = s.partition_point(|&v| v < lo) + 1;
            let u = s.partition_point(|&v| v < hi) + 1;
            if rep == 0 {
                ranks[i] = (l, u);
            } else {
                assert_eq!(ranks[i], (l, u), "ranks depend on the sample");
            }
        }
    }
    for (i, &p) in ps.iter().enumerate() {
        let (l, u) = ranks[i];
        let b = Binomial::new(p, n as u64).unwrap();
        // P(l <= B <= u - 1).
        let exact = b.cdf(u as u64 - 1) - b.cdf(l as u64 - 1);
        assert!(
            (0.94..0.99).contains(&exact),
            "p = {p}: ranks ({l}, {u}) give exact coverage {exact}"
        );
        let got = covered[i] as f64 / reps as f64;
        let tol = K * (exact * (1.0 - exact) / reps as f64).sqrt();
        assert_within(&format!("coverage at p = {p}"), got, exact, tol);
        assert!((0.90..=0.99).contains(&got), "coverage at p = {p}: {got}");
    }
}

/// TVaR of Exp(1) samples: the standard error estimate against the spread
/// of TVaR over repeated samples and against the asymptotic closed form
/// `sqrt((Var(X | X > VaR) + p (TVaR - VaR)^2) / (n (1 - p)))
/// = sqrt((1 + p) / (n (1 - p)))`; the average estimates against the exact
/// expectations of exponential order statistics,
/// `E[X(n - j + 1)] = H(n) - H(j - 1)` (H the harmonic numbers), so that
/// `E[VaR] = H(n) - H(k)` and `E[mean of the top k] = 1 + H(n) - H(k)`.
#[test]
fn tvar_se_matches_repeated_samples() {
    let (n, reps, p) = (2000usize, 500usize, 0.95);
    let k = 100; // n (1 - p)
    let mut r = rng(30);
    let mut tvars = Moments::new();
    let mut vars = Moments::new();
    let mut ses = Moments::new();
    for _ in 0..reps {
        let s = sorted((0..n).map(|_| -(1.0 - uniform(&mut r)).ln()).collect());
        tvars.push(tvar(&s, p));
        vars.push(quantile(&s, p));
        ses.push(tvar_se(&s, p));
    }
    let harmonic = |m: usize| (1..=m).map(|i| 1.0 / i as f64).sum::<f64>();
    let e_var = harmonic(n) - harmonic(k);
    let e_tvar = 1.0 + e_var;

    let sd = tvars.sd();
    assert_within(
        "mean TVaR",
        tvars.mean(),
        e_tvar,
        K * sd / (reps as f64).sqrt(),
    );
    assert_within(
        "mean VaR",
        vars.mean(),
        e_var,
        K * vars.sd() / (reps as f64).sqrt(),
    );

    let asymptotic = ((1.0 + p) / (n as f64 * (1.0 - p))).sqrt();
    let ratio = ses.mean() / sd;
    assert!(
        (0.7..=1.4).contains(&ratio),
        "tvar_se averages {} but TVaR varies with sd {sd} (ratio {ratio})",
        ses.mean()
    );
    // The average estimate is precise (each has ~7% relative noise, averaged
    // over 500 samples); 10% allows for the finite-sample bias.
    assert_rel("mean tvar_se vs asymptotic", ses.mean(), asymptotic, 0.10);
    // The empirical sd itself has ~3% relative error over 500 samples.
    assert_rel("sd of TVaR vs asymptotic", sd, asymptotic, 0.20);
}
