//! Frequency and severity samplers against independent theory: closed forms
//! computed here, `statrs` pmfs, cdfs and special functions, and small cases
//! worked by hand. Constructor validation and block seeding are covered too.
//!
//! Tolerances. Sample means are compared within `K = 5` standard errors,
//! with the standard error computed from the *theoretical* variance (not the
//! sample's). Sample variances and second moments use the standard error of
//! the sample moment computed from the theoretical fourth moment. Empirical
//! CDF values use the binomial standard error `sqrt(F (1 - F) / n)`. Pmf
//! shapes use Pearson's chi-square at significance 1e-6. Every generator is
//! seeded, so the results are deterministic; a correct sampler would fail a
//! single 5-SE check with a fresh seed with probability below 1e-6.

use crate::util::{assert_rel, assert_within};

use statrs::distribution::{
    ChiSquared, Continuous, ContinuousCDF, Discrete, Gamma as RefGamma, LogNormal as RefLogNormal,
    NegativeBinomial as RefNegBin, Normal, Poisson as RefPoisson,
};
use statrs::function::gamma::gamma as gamma_fn;
use stoploss::dist::{uniform, Frequency, ParamError, Severity, SimRng, TailSpec};
use stoploss::sim::seed::block_rng;

/// Master seed of this file; each test uses its own block (stream).
const SEED: u64 = 0x5EED_2025;
/// Tolerance of the statistical checks, in standard errors.
const K: f64 = 5.0;

fn rng(block: u64) -> SimRng {
    block_rng(SEED, block)
}

// ---------------------------------------------------------------------------
// Frequency helpers
// ---------------------------------------------------------------------------

/// Histogram of `n` draws: `hist[k]` = number of draws equal to `k`.
fn draw_counts(f: &Frequency, n: usize, block: u64) -> Vec<u64> {
    let mut r = rng(block);
    let mut hist = Vec::new();
    for _ in 0..n {
        let k = f.sample(&mut r) as usize;
        if k >= hist.len() {
            hist.resize(k + 1, 0);
        }
        hist[k] += 1;
    }
    hist
}

/// Sample mean and unbiased variance of a histogram.
fn hist_mean_var(hist: &[u64]) -> (f64, f64) {
    let n: u64 = hist.iter().sum();
    let n = n as f64;
    let mean = hist
        .iter()
        .enumerate()
        .map(|(k, &c)| k as f64 * c as f64)
        .sum::<f64>()
        / n;
    let ss = hist
        .iter()
        .enumerate()
        .map(|(k, &c)| (k as f64 - mean).powi(2) * c as f64)
        .sum::<f64>();
    (mean, ss / (n - 1.0))
}

/// Mean, variance and fourth central moment of a reference pmf, summed
/// until the mass left is negligible (`mean_hint` keeps the loop going past
/// the mode).
fn pmf_moments(pmf: &dyn Fn(u64) -> f64, mean_hint: f64) -> (f64, f64, f64) {
    let mut probs = Vec::new();
    for k in 0u64..1_000_000 {
        let p = pmf(k);
        probs.push(p);
        if k as f64 > 2.0 * mean_hint + 20.0 && p < 1e-18 {
            break;
        }
    }
    let m: f64 = probs.iter().enumerate().map(|(k, p)| k as f64 * p).sum();
    let c = |j: i32| -> f64 {
        probs
            .iter()
            .enumerate()
            .map(|(k, p)| (k as f64 - m).powi(j) * p)
            .sum()
    };
    (m, c(2), c(4))
}

/// Sample mean within K SE (from the theoretical variance) and sample
/// variance within K SE (from the theoretical fourth central moment:
/// `Var(s^2) ~ (mu4 - sigma^4) / n`).
fn check_count_moments(what: &str, hist: &[u64], mean: f64, var: f64, mu4: f64) {
    let n = hist.iter().sum::<u64>() as f64;
    let (m, v) = hist_mean_var(hist);
    assert_within(&format!("{what}: mean"), m, mean, K * (var / n).sqrt());
    assert_within(
        &format!("{what}: variance"),
        v,
        var,
        K * ((mu4 - var * var) / n).sqrt(),
    );
}

/// Pearson chi-square goodness of fit of a histogram against a reference
/// pmf. Cells are merged from k = 0 upwards until each expects at least 5
/// draws; the remainder, including the reference mass beyond the table, is
/// pooled into the last cell. Fails at significance 1e-6.
fn check_pmf(what: &str, hist: &[u64], pmf: &dyn Fn(u64) -> f64, mean_hint: f64) {
    let n = hist.iter().sum::<u64>() as f64;
    let mut cells: Vec<(f64, f64)> = Vec::new(); // (expected, observed)
    let (mut e_acc, mut o_acc, mut total_p) = (0.0, 0.0, 0.0);
    let mut k = 0u64;
    loop {
        let p = pmf(k);
        total_p += p;
        e_acc += n * p;
        o_acc += hist.get(k as usize).copied().unwrap_or(0) as f64;
        if e_acc >= 5.0 {
            cells.push((e_acc, o_acc));
            e_acc = 0.0;
            o_acc = 0.0;
        }
        k += 1;
        if k as usize >= hist.len() && k as f64 > 2.0 * mean_hint + 20.0 && p < 1e-18 {
            break;
        }
    }
    e_acc += n * (1.0 - total_p).max(0.0);
    let last = cells.last_mut().expect("at least one cell");
    last.0 += e_acc;
    last.1 += o_acc;
    assert!(cells.len() >= 2, "{what}: too few chi-square cells");
    let chi2: f64 = cells.iter().map(|(e, o)| (o - e).powi(2) / e).sum();
    let df = (cells.len() - 1) as f64;
    let critical = ChiSquared::new(df).unwrap().inverse_cdf(1.0 - 1e-6);
    assert!(
        chi2 < critical,
        "{what}: chi-square {chi2:.2} on {df} df exceeds the 1e-6 critical value {critical:.2}"
    );
}

fn poisson_pmf(mean: f64) -> impl Fn(u64) -> f64 {
    let d = RefPoisson::new(mean).unwrap();
    move |k| d.pmf(k)
}

/// statrs' negative binomial counts failures before the `r`-th success with
/// success probability `p`: mean `r (1 - p) / p`, variance `mean / p`. So
/// `p = mean / variance` and `r = mean^2 / (variance - mean)`.
fn negbin_pmf(mean: f64, variance: f64) -> impl Fn(u64) -> f64 {
    let p = mean / variance;
    let r = mean * mean / (variance - mean);
    let d = RefNegBin::new(r, p).unwrap();
    move |k| d.pmf(k)
}

// ---------------------------------------------------------------------------
// Frequency tests
// ---------------------------------------------------------------------------

/// Poisson at small means (inversion table), at the switch point 40, and
/// above it (rand_distr's sampler): moments, pmf shape, P(N = 0).
#[test]
fn poisson_matches_theory() {
    let cases = [
        (0.3, 400_000),
        (3.0, 400_000),
        (40.0, 300_000),
        (40.5, 300_000),
        (150.0, 300_000),
    ];
    for (i, &(lambda, n)) in cases.iter().enumerate() {
        let f = Frequency::poisson(lambda).unwrap();
        let what = format!("Poisson({lambda})");
        assert_eq!(f.mean(), lambda, "{what}: mean()");
        assert_eq!(f.variance(), lambda, "{what}: variance()");
        assert_rel(
            &format!("{what}: prob_zero()"),
            f.prob_zero(),
            (-lambda).exp(),
            1e-12,
        );

        let pmf = poisson_pmf(lambda);
        let (m, v, mu4) = pmf_moments(&pmf, lambda);
        // The reference itself: Poisson mean = variance = lambda,
        // mu4 = lambda (1 + 3 lambda).
        assert_rel(&format!("{what}: reference mean"), m, lambda, 1e-9);
        assert_rel(&format!("{what}: reference variance"), v, lambda, 1e-9);
        assert_rel(
            &format!("{what}: reference mu4"),
            mu4,
            lambda * (1.0 + 3.0 * lambda),
            1e-8,
        );

        let hist = draw_counts(&f, n, 100 + i as u64);
        check_count_moments(&what, &hist, lambda, lambda, mu4);
        check_pmf(&what, &hist, &pmf, lambda);
        let p0 = (-lambda).exp();
        let got0 = hist[0] as f64 / n as f64;
        let tol = K * (p0 * (1.0 - p0) / n as f64).sqrt() + 1.0 / n as f64;
        assert_within(&format!("{what}: P(N = 0)"), got0, p0, tol);
    }
}

#[test]
fn poisson_zero_mean_never_claims() {
    let f = Frequency::poisson(0.0).unwrap();
    assert_eq!(f.prob_zero(), 1.0);
    let mut r = rng(110);
    assert!((0..10_000).all(|_| f.sample(&mut r) == 0));
}

/// Negative binomial: a geometric (r = 1), a very overdispersed one
/// (r = 1/18, mixing gamma with shape < 1) and a large mean whose Poisson
/// stage mostly uses rand_distr's sampler (lambda > 40).
#[test]
fn negative_binomial_matches_theory() {
    let cases = [(2.0, 6.0), (0.5, 5.0), (60.0, 200.0)];
    for (i, &(mean, var)) in cases.iter().enumerate() {
        let f = Frequency::negative_binomial(mean, var).unwrap();
        let what = format!("NB(mean {mean}, variance {var})");
        assert_eq!(f.mean(), mean, "{what}: mean()");
        assert_eq!(f.variance(), var, "{what}: variance()");
        // P(N = 0) = p^r with p = mean / variance, r = mean^2 / (variance - mean).
        let p = mean / var;
        let r = mean * mean / (var - mean);
        let p0 = p.powf(r);
        assert_rel(&format!("{what}: prob_zero()"), f.prob_zero(), p0, 1e-12);

        let pmf = negbin_pmf(mean, var);
        assert_rel(&format!("{what}: reference P(0)"), pmf(0), p0, 1e-9);
        let (m, v, mu4) = pmf_moments(&pmf, mean);
        assert_rel(&format!("{what}: reference mean"), m, mean, 1e-9);
        assert_rel(&format!("{what}: reference variance"), v, var, 1e-9);
        // Excess kurtosis of the negative binomial: 6 / r + p^2 / (r (1 - p)).
        let mu4_closed = var * var * (3.0 + 6.0 / r + p * p / (r * (1.0 - p)));
        assert_rel(&format!("{what}: reference mu4"), mu4, mu4_closed, 1e-7);

        let n = 400_000;
        let hist = draw_counts(&f, n, 120 + i as u64);
        check_count_moments(&what, &hist, mean, var, mu4);
        check_pmf(&what, &hist, &pmf, mean);
        let got0 = hist[0] as f64 / n as f64;
        let tol = K * (p0 * (1.0 - p0) / n as f64).sqrt();
        assert_within(&format!("{what}: P(N = 0)"), got0, p0, tol);
    }
}

#[test]
fn bernoulli_matches_theory() {
    for (i, &p) in [0.15, 0.8].iter().enumerate() {
        let f = Frequency::bernoulli(p).unwrap();
        let what = format!("Bernoulli({p})");
        assert_eq!(f.mean(), p);
        assert_rel(
            &format!("{what}: variance()"),
            f.variance(),
            p * (1.0 - p),
            1e-12,
        );
        assert_rel(
            &format!("{what}: prob_zero()"),
            f.prob_zero(),
            1.0 - p,
            1e-12,
        );
        let hist = draw_counts(&f, 400_000, 130 + i as u64);
        assert!(hist.len() <= 2, "{what}: drew a count above 1");
        let var = p * (1.0 - p);
        // Central fourth moment p (1 - p) (1 - 3 p + 3 p^2).
        let mu4 = var * (1.0 - 3.0 * p + 3.0 * p * p);
        check_count_moments(&what, &hist, p, var, mu4);
    }
    let mut r = rng(133);
    let never = Frequency::bernoulli(0.0).unwrap();
    let always = Frequency::bernoulli(1.0).unwrap();
    for _ in 0..10_000 {
        assert_eq!(never.sample(&mut r), 0);
        assert_eq!(always.sample(&mut r), 1);
    }
}

/// Half a year of exposure halves the mean. For the negative binomial the
/// mixing gamma keeps its shape r and its scale s halves, so the variance is
/// `e m + e^2 (v - m)` with `e = 0.5`.
#[test]
fn exposure_scales_the_mean() {
    let n = 400_000;
    let e = 0.5;

    let pois = Frequency::poisson(3.0).unwrap().with_exposure(e);
    assert_rel("Poisson exposure: mean()", pois.mean(), 1.5, 1e-12);
    let hist = draw_counts(&pois, n, 140);
    check_count_moments("Poisson(3) x 0.5", &hist, 1.5, 1.5, 1.5 * (1.0 + 4.5));
    check_pmf("Poisson(3) x 0.5", &hist, &poisson_pmf(1.5), 1.5);

    // Crossing the inversion / PTRS boundary: 80 -> 40.
    let big = Frequency::poisson(80.0).unwrap().with_exposure(e);
    assert_rel("Poisson(80) exposure: mean()", big.mean(), 40.0, 1e-12);
    let hist = draw_counts(&big, 200_000, 141);
    check_count_moments("Poisson(80) x 0.5", &hist, 40.0, 40.0, 40.0 * 121.0);

    let (m, v) = (2.0, 6.0);
    let nb = Frequency::negative_binomial(m, v).unwrap().with_exposure(e);
    let (m_e, v_e) = (e * m, e * m + e * e * (v - m));
    assert_rel("NB exposure: mean()", nb.mean(), m_e, 1e-12);
    assert_rel("NB exposure: variance()", nb.variance(), v_e, 1e-12);
    let pmf = negbin_pmf(m_e, v_e);
    assert_rel("NB exposure: prob_zero()", nb.prob_zero(), pmf(0), 1e-9);
    let (_, _, mu4) = pmf_moments(&pmf, m_e);
    let hist = draw_counts(&nb, n, 142);
    check_count_moments("NB(2, 6) x 0.5", &hist, m_e, v_e, mu4);
    check_pmf("NB(2, 6) x 0.5", &hist, &pmf, m_e);

    let b = Frequency::bernoulli(0.3).unwrap().with_exposure(e);
    assert_rel("Bernoulli exposure: mean()", b.mean(), 0.15, 1e-12);
    let hist = draw_counts(&b, n, 143);
    let var = 0.15 * 0.85;
    check_count_moments(
        "Bernoulli(0.3) x 0.5",
        &hist,
        0.15,
        var,
        var * (1.0 - 0.45 + 3.0 * 0.0225),
    );
}

// ---------------------------------------------------------------------------
// Severity helpers
// ---------------------------------------------------------------------------

/// `n` sorted draws.
fn draw(sev: &Severity, n: usize, block: u64) -> Vec<f64> {
    let mut r = rng(block);
    let mut xs: Vec<f64> = (0..n).map(|_| sev.sample(&mut r)).collect();
    xs.sort_unstable_by(f64::total_cmp);
    xs
}

/// Sample mean within K SE, the SE computed from the theoretical second
/// moment `m2`.
fn check_mean(what: &str, xs: &[f64], mean: f64, m2: f64) {
    let n = xs.len() as f64;
    let got = xs.iter().sum::<f64>() / n;
    let se = ((m2 - mean * mean) / n).sqrt();
    assert_within(&format!("{what}: sample mean"), got, mean, K * se);
}

/// Sample second moment within K SE, the SE from the theoretical fourth
/// moment `m4`. Only used where the fourth moment is finite and moderate
/// relative to `n`, so the normal approximation holds.
fn check_m2(what: &str, xs: &[f64], m2: f64, m4: f64) {
    let n = xs.len() as f64;
    let got = xs.iter().map(|x| x * x).sum::<f64>() / n;
    let se = ((m4 - m2 * m2) / n).sqrt();
    assert_within(&format!("{what}: sample E[X^2]"), got, m2, K * se);
}

/// Share of a sorted sample at or below `x`.
fn ecdf(sorted: &[f64], x: f64) -> f64 {
    sorted.partition_point(|&v| v <= x) as f64 / sorted.len() as f64
}

/// Empirical CDF at each `x` against the reference `cdf`, within K binomial
/// standard errors; also the crate's own `cdf` against the reference.
fn check_cdf(what: &str, sev: &Severity, sorted: &[f64], xs: &[f64], cdf: &dyn Fn(f64) -> f64) {
    let n = sorted.len() as f64;
    for &x in xs {
        let f = cdf(x);
        assert!(
            f > 1e-4 && f < 1.0 - 1e-5,
            "{what}: test point {x} too far in a tail"
        );
        let tol = K * (f * (1.0 - f) / n).sqrt();
        assert_within(
            &format!("{what}: empirical cdf({x})"),
            ecdf(sorted, x),
            f,
            tol,
        );
        assert_within(&format!("{what}: cdf({x})"), sev.cdf(x), f, 1e-9);
    }
}

/// Simpson's rule on `[a, b]` with `m` (even) intervals.
fn simpson(f: &dyn Fn(f64) -> f64, a: f64, b: f64, m: usize) -> f64 {
    let h = (b - a) / m as f64;
    let mut s = f(a) + f(b);
    for i in 1..m {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        s += w * f(a + i as f64 * h);
    }
    s * h / 3.0
}

fn std_normal_cdf(z: f64) -> f64 {
    Normal::standard().cdf(z)
}

// ---------------------------------------------------------------------------
// Severity tests
// ---------------------------------------------------------------------------

/// Lognormal raw moment `E[X^k] = exp(k mu + k^2 sigma^2 / 2)`.
fn lognormal_moment(mu: f64, sigma: f64, k: f64) -> f64 {
    (k * mu + k * k * sigma * sigma / 2.0).exp()
}

#[test]
fn lognormal_matches_theory() {
    let (mu, sigma) = (1.0, 0.8);
    let sev = Severity::lognormal(mu, sigma).unwrap();
    let what = "lognormal(1, 0.8)";
    let mean = (mu + sigma * sigma / 2.0).exp();
    let m2 = lognormal_moment(mu, sigma, 2.0);
    let m4 = lognormal_moment(mu, sigma, 4.0);
    assert_rel(&format!("{what}: mean()"), sev.mean(), mean, 1e-12);
    assert_rel(
        &format!("{what}: second_moment()"),
        sev.second_moment().unwrap(),
        m2,
        1e-12,
    );

    let xs = draw(&sev, 500_000, 200);
    check_mean(what, &xs, mean, m2);
    check_m2(what, &xs, m2, m4);
    let reference = RefLogNormal::new(mu, sigma).unwrap();
    check_cdf(what, &sev, &xs, &[0.5, 1.5, 2.5, 5.0, 12.0, 30.0], &|x| {
        reference.cdf(x)
    });
    // The crate's quantile inverts the reference cdf.
    for p in [0.01, 0.3, 0.5, 0.9, 0.999] {
        let q = sev.quantile(p).unwrap();
        assert_within(
            &format!("{what}: cdf(quantile({p}))"),
            reference.cdf(q),
            p,
            1e-9,
        );
    }
}

/// Mean/cv parametrisation: sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2.
#[test]
fn lognormal_mean_cv_gives_requested_mean_and_cv() {
    for (i, &(mean, cv)) in [(1000.0, 0.5), (7000.0, 3.0)].iter().enumerate() {
        let what = format!("lognormal_mean_cv({mean}, {cv})");
        let sev = Severity::lognormal_mean_cv(mean, cv).unwrap();
        let s2 = (1.0 + cv * cv).ln();
        let (mu_want, sigma_want) = (mean.ln() - s2 / 2.0, s2.sqrt());
        match sev {
            Severity::LogNormal { mu, sigma } => {
                assert_within(&format!("{what}: mu"), mu, mu_want, 1e-12);
                assert_within(&format!("{what}: sigma"), sigma, sigma_want, 1e-12);
            }
            ref other => panic!("{what}: not a lognormal: {other:?}"),
        }
        assert_rel(&format!("{what}: mean()"), sev.mean(), mean, 1e-12);
        let m2 = mean * mean * (1.0 + cv * cv);
        assert_rel(
            &format!("{what}: second_moment()"),
            sev.second_moment().unwrap(),
            m2,
            1e-12,
        );

        let xs = draw(&sev, 1_000_000, 210 + i as u64);
        check_mean(&what, &xs, mean, m2);
        if cv <= 1.0 {
            // E[X^4] / E[X^2]^2 = (1 + cv^2)^4 is moderate only for small cv.
            let m4 = lognormal_moment(mu_want, sigma_want, 4.0);
            check_m2(&what, &xs, m2, m4);
        }
        let reference = RefLogNormal::new(mu_want, sigma_want).unwrap();
        let pts: Vec<f64> = [0.05, 0.5, 0.9, 0.99]
            .iter()
            .map(|&p| reference.inverse_cdf(p))
            .collect();
        check_cdf(&what, &sev, &xs, &pts, &|x| reference.cdf(x));
    }
}

/// Gamma with shape < 1 and > 1 (rand_distr uses different algorithms),
/// against statrs' gamma cdf (statrs takes a rate, 1 / scale).
#[test]
fn gamma_matches_theory() {
    for (i, &(shape, scale)) in [(0.4, 2500.0), (2.5, 800.0)].iter().enumerate() {
        let what = format!("gamma({shape}, {scale})");
        let sev = Severity::gamma(shape, scale).unwrap();
        // E[X^k] = scale^k shape (shape + 1) ... (shape + k - 1).
        let raw = |k: i32| (0..k).map(|j| shape + j as f64).product::<f64>() * scale.powi(k);
        assert_rel(&format!("{what}: mean()"), sev.mean(), raw(1), 1e-12);
        assert_rel(
            &format!("{what}: second_moment()"),
            sev.second_moment().unwrap(),
            raw(2),
            1e-12,
        );
        assert!(
            sev.quantile(0.5).is_none(),
            "{what}: gamma has no closed-form quantile"
        );

        let xs = draw(&sev, 500_000, 220 + i as u64);
        check_mean(&what, &xs, raw(1), raw(2));
        check_m2(&what, &xs, raw(2), raw(4));
        let reference = RefGamma::new(shape, 1.0 / scale).unwrap();
        let pts: Vec<f64> = [0.05, 0.25, 0.5, 0.75, 0.95, 0.995]
            .iter()
            .map(|&p| reference.inverse_cdf(p))
            .collect();
        check_cdf(&what, &sev, &xs, &pts, &|x| reference.cdf(x));
    }
}

/// `sample_sum` of `n` gamma amounts draws one Gamma(n shape, scale): its
/// moments and cdf must be those of the sum (statrs' gamma cdf).
#[test]
fn gamma_sums_match_the_gamma_of_the_summed_shape() {
    let (shape, scale) = (0.4, 2500.0);
    let sev = Severity::gamma(shape, scale).unwrap();
    for (i, n) in [1u32, 2, 7].into_iter().enumerate() {
        let what = format!("sum of {n} gamma({shape}, {scale})");
        let a = shape * f64::from(n);
        let raw = |k: i32| (0..k).map(|j| a + j as f64).product::<f64>() * scale.powi(k);
        let mut r = rng(230 + i as u64);
        let mut xs: Vec<f64> = (0..300_000).map(|_| sev.sample_sum(n, &mut r)).collect();
        xs.sort_unstable_by(f64::total_cmp);
        check_mean(&what, &xs, raw(1), raw(2));
        check_m2(&what, &xs, raw(2), raw(4));
        let reference = RefGamma::new(a, 1.0 / scale).unwrap();
        for p in [0.05, 0.25, 0.5, 0.75, 0.95, 0.995] {
            let x = reference.inverse_cdf(p);
            let tol = K * (p * (1.0 - p) / xs.len() as f64).sqrt();
            assert_within(&format!("{what}: empirical cdf({x})"), ecdf(&xs, x), p, tol);
        }
    }
}

/// Gamma from mean and cv: shape = 1 / cv^2, scale = mean cv^2.
#[test]
fn gamma_mean_cv_gives_requested_mean_and_cv() {
    let (mean, cv) = (5000.0, 1.5);
    let sev = Severity::gamma_mean_cv(mean, cv).unwrap();
    match sev {
        Severity::Gamma { shape, scale, .. } => {
            assert_rel("gamma_mean_cv: shape", shape, 1.0 / (cv * cv), 1e-12);
            assert_rel("gamma_mean_cv: scale", scale, mean * cv * cv, 1e-12);
        }
        ref other => panic!("gamma_mean_cv: not a gamma: {other:?}"),
    }
    let m2 = mean * mean * (1.0 + cv * cv);
    assert_rel("gamma_mean_cv: mean()", sev.mean(), mean, 1e-12);
    assert_rel(
        "gamma_mean_cv: second_moment()",
        sev.second_moment().unwrap(),
        m2,
        1e-12,
    );
    let xs = draw(&sev, 500_000, 230);
    check_mean("gamma_mean_cv", &xs, mean, m2);
    // Fourth raw moment of gamma(k, s): s^4 k (k+1) (k+2) (k+3).
    let (k, s) = (1.0 / (cv * cv), mean * cv * cv);
    let m4 = s.powi(4) * k * (k + 1.0) * (k + 2.0) * (k + 3.0);
    check_m2("gamma_mean_cv", &xs, m2, m4);
}

#[test]
fn exponential_matches_theory() {
    let mean = 2500.0;
    let sev = Severity::exponential(mean).unwrap();
    let what = "exponential(2500)";
    assert_eq!(sev.mean(), mean);
    assert_rel(
        &format!("{what}: second_moment()"),
        sev.second_moment().unwrap(),
        2.0 * mean * mean,
        1e-12,
    );
    let xs = draw(&sev, 500_000, 240);
    assert!(xs[0] >= 0.0);
    check_mean(what, &xs, mean, 2.0 * mean * mean);
    check_m2(what, &xs, 2.0 * mean * mean, 24.0 * mean.powi(4));
    let cdf = |x: f64| 1.0 - (-x / mean).exp();
    check_cdf(
        what,
        &sev,
        &xs,
        &[100.0, 1000.0, 1733.0, 5000.0, 12000.0],
        &cdf,
    );
    for p in [0.01, 0.5, 0.99] {
        assert_within(
            &format!("{what}: quantile({p})"),
            sev.quantile(p).unwrap(),
            -mean * (1.0 - p).ln(),
            1e-9 * mean,
        );
    }
}

/// Weibull: `E[X^k] = scale^k Gamma(1 + k / shape)` with statrs' gamma
/// function; `F(x) = 1 - exp(-(x / scale)^shape)`.
#[test]
fn weibull_matches_theory() {
    for (i, &(shape, scale)) in [(0.5, 1000.0), (2.0, 5000.0)].iter().enumerate() {
        let what = format!("weibull({shape}, {scale})");
        let sev = Severity::weibull(shape, scale).unwrap();
        let raw = |k: f64| scale.powf(k) * gamma_fn(1.0 + k / shape);
        assert_rel(&format!("{what}: mean()"), sev.mean(), raw(1.0), 1e-9);
        assert_rel(
            &format!("{what}: second_moment()"),
            sev.second_moment().unwrap(),
            raw(2.0),
            1e-9,
        );
        let xs = draw(&sev, 500_000, 250 + i as u64);
        check_mean(&what, &xs, raw(1.0), raw(2.0));
        if shape >= 1.0 {
            check_m2(&what, &xs, raw(2.0), raw(4.0));
        }
        let cdf = |x: f64| 1.0 - (-(x / scale).powf(shape)).exp();
        let pts: Vec<f64> = [0.05, 0.3, 0.6, 0.9, 0.99]
            .iter()
            .map(|&p| scale * (-(1.0f64 - p).ln()).powf(1.0 / shape))
            .collect();
        check_cdf(&what, &sev, &xs, &pts, &cdf);
        for p in [0.05, 0.6, 0.99] {
            let q = sev.quantile(p).unwrap();
            assert_within(&format!("{what}: cdf(quantile({p}))"), cdf(q), p, 1e-12);
        }
    }
}

/// Lomax: `F(x) = 1 - (theta / (x + theta))^alpha`, mean `theta / (alpha - 1)`,
/// `E[X^k] = theta^k k! / ((alpha - 1) ... (alpha - k))` for `alpha > k`.
#[test]
fn lomax_matches_theory() {
    for (i, &(alpha, theta)) in [(3.0, 20_000.0), (4.0, 50_000.0), (6.0, 10_000.0)]
        .iter()
        .enumerate()
    {
        let what = format!("lomax({alpha}, {theta})");
        let sev = Severity::lomax(alpha, theta).unwrap();
        let raw = |k: i32| -> f64 {
            let mut v = theta.powi(k);
            for j in 1..=k {
                v *= j as f64 / (alpha - j as f64);
            }
            v
        };
        assert_rel(
            &format!("{what}: mean()"),
            sev.mean(),
            theta / (alpha - 1.0),
            1e-12,
        );
        assert_rel(
            &format!("{what}: second_moment()"),
            sev.second_moment().unwrap(),
            raw(2),
            1e-12,
        );
        let xs = draw(&sev, 1_000_000, 260 + i as u64);
        check_mean(&what, &xs, raw(1), raw(2));
        if alpha > 4.0 {
            check_m2(&what, &xs, raw(2), raw(4));
        }
        let cdf = |x: f64| 1.0 - (theta / (x + theta)).powf(alpha);
        let pts: Vec<f64> = [0.1, 0.5, 0.9, 0.99, 0.999]
            .iter()
            .map(|&p| theta * ((1.0f64 - p).powf(-1.0 / alpha) - 1.0))
            .collect();
        check_cdf(&what, &sev, &xs, &pts, &cdf);
    }
    assert_eq!(
        Severity::lomax(2.0, 1.0).unwrap().second_moment(),
        Some(f64::INFINITY),
        "alpha <= 2 has an infinite second moment"
    );
}

/// Resampling with equal weights: each distinct value with its share.
#[test]
fn empirical_resamples_with_equal_weights() {
    let values = vec![0.0, 10.0, 20.0, 20.0, 50.0];
    let sev = Severity::empirical(values).unwrap();
    assert_rel("empirical: mean()", sev.mean(), 20.0, 1e-12);
    // (0 + 100 + 400 + 400 + 2500) / 5
    assert_rel(
        "empirical: second_moment()",
        sev.second_moment().unwrap(),
        680.0,
        1e-12,
    );
    assert_within("empirical: cdf(15)", sev.cdf(15.0), 0.4, 1e-12);
    assert_within("empirical: cdf(20)", sev.cdf(20.0), 0.8, 1e-12);
    assert_within("empirical: cdf(60)", sev.cdf(60.0), 1.0, 1e-12);
    assert!(sev.quantile(0.5).is_none());

    let n = 500_000;
    let xs = draw(&sev, n, 270);
    for (v, share) in [(0.0, 0.2), (10.0, 0.2), (20.0, 0.4), (50.0, 0.2)] {
        let count = xs.iter().filter(|&&x| x == v).count() as f64;
        let tol = K * (share * (1.0 - share) / n as f64).sqrt();
        assert_within(
            &format!("empirical: share of {v}"),
            count / n as f64,
            share,
            tol,
        );
    }
    assert!(xs.iter().all(|x| [0.0, 10.0, 20.0, 50.0].contains(x)));
    check_mean("empirical", &xs, 20.0, 680.0);
}

/// `cdf` is `P(X <= x)`: with zero amounts in the data, `P(X <= 0)` is their
/// share, not 0.
#[test]
fn empirical_cdf_counts_zero_amounts() {
    let sev = Severity::empirical(vec![0.0, 0.0, 5.0, 10.0]).unwrap();
    assert_within("empirical: cdf(0)", sev.cdf(0.0), 0.5, 1e-12);
}

// ---------------------------------------------------------------------------
// Spliced severities
// ---------------------------------------------------------------------------

/// The independent description of a spliced severity for the checks.
struct SpliceRef<'a> {
    threshold: f64,
    tail_prob: f64,
    alpha: f64,
    theta: f64,
    /// Body cdf (unconditional).
    body_cdf: &'a dyn Fn(f64) -> f64,
    /// `E[X | X < threshold]` of the body.
    body_mean: f64,
    /// `E[X^2 | X < threshold]` of the body.
    body_m2: f64,
    /// Points below the threshold for the conditional body cdf.
    body_points: &'a [f64],
    /// Points above the threshold for the tail survival.
    tail_points: &'a [f64],
}

impl SpliceRef<'_> {
    /// `E[t + Y]` and `E[(t + Y)^2]` with `Y` Lomax(alpha, theta).
    fn tail_moments(&self) -> (f64, f64) {
        let (t, a, th) = (self.threshold, self.alpha, self.theta);
        let ey = th / (a - 1.0);
        let ey2 = 2.0 * th * th / ((a - 1.0) * (a - 2.0));
        (t + ey, t * t + 2.0 * t * ey + ey2)
    }

    fn mean(&self) -> f64 {
        let q = self.tail_prob;
        (1.0 - q) * self.body_mean + q * self.tail_moments().0
    }

    fn m2(&self) -> f64 {
        let q = self.tail_prob;
        (1.0 - q) * self.body_m2 + q * self.tail_moments().1
    }

    fn survival(&self, x: f64) -> f64 {
        let y = x - self.threshold;
        self.tail_prob * (self.theta / (y + self.theta)).powf(self.alpha)
    }

    fn cdf(&self, x: f64) -> f64 {
        if x < self.threshold {
            (1.0 - self.tail_prob) * (self.body_cdf)(x) / (self.body_cdf)(self.threshold)
        } else {
            1.0 - self.survival(x)
        }
    }

    /// Runs every check on `n` draws of `sev`.
    fn check(&self, what: &str, sev: &Severity, n: usize, block: u64) {
        let t = self.threshold;
        let q = self.tail_prob;
        assert_rel(&format!("{what}: mean()"), sev.mean(), self.mean(), 1e-9);
        for &x in self.body_points.iter().chain(self.tail_points) {
            assert_within(&format!("{what}: cdf({x})"), sev.cdf(x), self.cdf(x), 1e-9);
        }

        let xs = draw(sev, n, block);
        let nf = n as f64;

        // P(X > t) = q.
        let above = xs.iter().filter(|&&x| x > t).count() as f64 / nf;
        assert_within(
            &format!("{what}: P(X > threshold)"),
            above,
            q,
            K * (q * (1.0 - q) / nf).sqrt(),
        );

        // Tail survival q (theta / (x - t + theta))^alpha.
        for &x in self.tail_points {
            assert!(x > t);
            let s = self.survival(x);
            let got = 1.0 - ecdf(&xs, x);
            let tol = K * (s * (1.0 - s) / nf).sqrt();
            assert_within(&format!("{what}: P(X > {x})"), got, s, tol);
        }

        // Body below t: the body cdf truncated at t.
        let body: Vec<f64> = xs.iter().copied().filter(|&x| x < t).collect();
        let nb = body.len() as f64;
        let mass = (self.body_cdf)(t);
        for &x in self.body_points {
            assert!(x < t);
            let f = (self.body_cdf)(x) / mass;
            let tol = K * (f * (1.0 - f) / nb).sqrt();
            assert_within(
                &format!("{what}: P(X <= {x} | X < t)"),
                ecdf(&body, x),
                f,
                tol,
            );
        }
        let body_avg = body.iter().sum::<f64>() / nb;
        let body_se = ((self.body_m2 - self.body_mean.powi(2)) / nb).sqrt();
        assert_within(
            &format!("{what}: E[X | X < t]"),
            body_avg,
            self.body_mean,
            K * body_se,
        );

        check_mean(what, &xs, self.mean(), self.m2());
    }
}

/// Lognormal body with the single-parameter Pareto tail (theta = threshold).
/// Truncated lognormal moments: `E[X^k 1{X < t}] = exp(k mu + k^2 s^2 / 2)
/// Phi((ln t - mu - k s^2) / s)`.
#[test]
fn spliced_lognormal_body() {
    let (mu, sigma) = (8.0, 1.5);
    let t = 100_000.0;
    let body = Severity::lognormal(mu, sigma).unwrap();
    let tail = TailSpec {
        alpha: 3.0,
        theta: t,
    };
    let sev = Severity::spliced(body, t, 0.02, tail).unwrap();
    let body_cdf = |x: f64| std_normal_cdf((x.ln() - mu) / sigma);
    let mass = body_cdf(t);
    let partial = |k: f64| {
        lognormal_moment(mu, sigma, k) * std_normal_cdf((t.ln() - mu - k * sigma * sigma) / sigma)
    };
    let r = SpliceRef {
        threshold: t,
        tail_prob: 0.02,
        alpha: 3.0,
        theta: t,
        body_cdf: &body_cdf,
        body_mean: partial(1.0) / mass,
        body_m2: partial(2.0) / mass,
        body_points: &[300.0, 1500.0, 3000.0, 10_000.0, 40_000.0],
        tail_points: &[125_000.0, 150_000.0, 200_000.0, 400_000.0],
    };
    // With theta = t the tail is P(X > x) = q (t / x)^alpha.
    assert_rel(
        "single-parameter Pareto",
        r.survival(200_000.0),
        0.02 * 0.125,
        1e-12,
    );
    r.check("spliced lognormal", &sev, 1_000_000, 300);
}

/// The calibrated default member model of the domain notes (lognormal
/// mu 7.43 sigma 1.97 up to $100k, alpha 2 Pareto tail with P(> $100k) 1%):
/// the mean by the truncated-lognormal formula.
#[test]
fn spliced_default_member_model_mean() {
    let (mu, sigma, t, q, alpha) = (7.43, 1.97, 100_000.0, 0.01, 2.0);
    let body = Severity::lognormal(mu, sigma).unwrap();
    let sev = Severity::spliced(body, t, q, TailSpec { alpha, theta: t }).unwrap();
    let mass = std_normal_cdf((t.ln() - mu) / sigma);
    let body_mean = (mu + sigma * sigma / 2.0).exp()
        * std_normal_cdf((t.ln() - mu - sigma * sigma) / sigma)
        / mass;
    let want = (1.0 - q) * body_mean + q * (t + t / (alpha - 1.0));
    assert_rel("default model mean()", sev.mean(), want, 1e-9);
    assert_eq!(sev.tail_index(), Some(2.0));
}

/// Gamma body: no closed-form quantile, so the body is sampled by rejection.
/// Body moments by Simpson integration of the statrs gamma density.
#[test]
fn spliced_gamma_body_rejection_path() {
    let (shape, scale, t) = (2.0, 6000.0, 30_000.0);
    let body = Severity::gamma(shape, scale).unwrap();
    let (alpha, theta) = (4.0, 20_000.0);
    let sev = Severity::spliced(body, t, 0.03, TailSpec { alpha, theta }).unwrap();
    let reference = RefGamma::new(shape, 1.0 / scale).unwrap();
    let body_cdf = |x: f64| reference.cdf(x);
    let mass = body_cdf(t);
    let body_mean = simpson(&|x| x * reference.pdf(x), 0.0, t, 4000) / mass;
    let body_m2 = simpson(&|x| x * x * reference.pdf(x), 0.0, t, 4000) / mass;
    // Cross-check the quadrature with the closed form
    // E[X 1{X < t}] = shape scale P(shape + 1, t / scale).
    let closed = shape * scale * RefGamma::new(shape + 1.0, 1.0 / scale).unwrap().cdf(t) / mass;
    assert_rel("gamma body mean quadrature", body_mean, closed, 1e-9);
    let r = SpliceRef {
        threshold: t,
        tail_prob: 0.03,
        alpha,
        theta,
        body_cdf: &body_cdf,
        body_mean,
        body_m2,
        body_points: &[2000.0, 6000.0, 10_000.0, 20_000.0, 27_000.0],
        tail_points: &[35_000.0, 50_000.0, 80_000.0],
    };
    r.check("spliced gamma", &sev, 600_000, 310);
}

/// Exponential body: sampled through its closed-form quantile. Truncated
/// exponential: `E[X | X < t] = m - t e^{-t/m} / (1 - e^{-t/m})`.
#[test]
fn spliced_exponential_body_quantile_path() {
    let (m, t, q) = (10_000.0, 25_000.0, 0.1);
    let (alpha, theta) = (3.0, 15_000.0);
    let body = Severity::exponential(m).unwrap();
    let sev = Severity::spliced(body, t, q, TailSpec { alpha, theta }).unwrap();
    let body_cdf = |x: f64| 1.0 - (-x / m).exp();
    let e = (-t / m).exp();
    let mass = 1.0 - e;
    let body_mean = (m - (t + m) * e) / mass;
    // E[X^2 1{X < t}] = 2 m^2 - e^{-t/m} (t^2 + 2 t m + 2 m^2).
    let body_m2 = (2.0 * m * m - e * (t * t + 2.0 * t * m + 2.0 * m * m)) / mass;
    assert_rel(
        "truncated exponential mean",
        body_mean,
        m - t * e / mass,
        1e-12,
    );
    let r = SpliceRef {
        threshold: t,
        tail_prob: q,
        alpha,
        theta,
        body_cdf: &body_cdf,
        body_mean,
        body_m2,
        body_points: &[500.0, 3000.0, 8000.0, 15_000.0, 24_000.0],
        tail_points: &[26_000.0, 40_000.0, 100_000.0],
    };
    r.check("spliced exponential", &sev, 1_000_000, 320);
}

/// Empirical body: the values at or above the threshold are dropped and the
/// rest resampled with weight (1 - q) / count each.
#[test]
fn spliced_empirical_body() {
    let body = Severity::empirical(vec![100.0, 200.0, 200.0, 400.0, 5000.0, 7000.0]).unwrap();
    let (t, q) = (1000.0, 0.25);
    let sev = Severity::spliced(
        body,
        t,
        q,
        TailSpec {
            alpha: 3.0,
            theta: 1000.0,
        },
    )
    .unwrap();
    // Body {100, 200, 200, 400}: mean 225; tail mean 1000 + 1000 / 2.
    let want_mean = 0.75 * 225.0 + 0.25 * 1500.0;
    assert_rel("spliced empirical: mean()", sev.mean(), want_mean, 1e-12);
    assert_within(
        "spliced empirical: cdf(150)",
        sev.cdf(150.0),
        0.75 * 0.25,
        1e-12,
    );
    assert_within("spliced empirical: cdf(999)", sev.cdf(999.0), 0.75, 1e-12);

    let n = 400_000;
    let xs = draw(&sev, n, 330);
    for (v, share) in [(100.0, 0.1875), (200.0, 0.375), (400.0, 0.1875)] {
        let c = xs.iter().filter(|&&x| x == v).count() as f64 / n as f64;
        assert_within(
            &format!("spliced empirical: share of {v}"),
            c,
            share,
            K * (share * (1.0 - share) / n as f64).sqrt(),
        );
    }
    let above = xs.iter().filter(|&&x| x >= t).count() as f64 / n as f64;
    assert_within(
        "spliced empirical: P(X >= t)",
        above,
        q,
        K * (q * (1.0 - q) / n as f64).sqrt(),
    );
    assert!(
        xs.iter()
            .all(|&x| x >= t || [100.0, 200.0, 400.0].contains(&x)),
        "a body draw outside {{100, 200, 400}}"
    );
}

/// Tail probability 0: never above the threshold; 1: always above.
#[test]
fn spliced_extreme_tail_probabilities() {
    let t = 50_000.0;
    let tail = TailSpec {
        alpha: 2.5,
        theta: t,
    };
    let none = Severity::spliced(Severity::exponential(10_000.0).unwrap(), t, 0.0, tail).unwrap();
    let all = Severity::spliced(Severity::exponential(10_000.0).unwrap(), t, 1.0, tail).unwrap();
    let mut r = rng(340);
    for _ in 0..50_000 {
        assert!(none.sample(&mut r) <= t);
        assert!(all.sample(&mut r) >= t);
    }
    let e = (-t / 10_000.0f64).exp();
    assert_rel(
        "q = 0: mean()",
        none.mean(),
        (10_000.0 - (t + 10_000.0) * e) / (1.0 - e),
        1e-12,
    );
    assert_rel("q = 1: mean()", all.mean(), t + t / 1.5, 1e-12);
}

/// With tail probability 1 the body is never drawn, so the constructor
/// accepts a body with no mass below the threshold; the mean and the cdf are
/// then those of the tail alone and must stay finite.
#[test]
fn spliced_pure_tail_with_massless_body() {
    let body = Severity::lognormal(40.0, 0.1).unwrap(); // P(body < 1) = Phi(-400) = 0
    let sev = Severity::spliced(
        body,
        1.0,
        1.0,
        TailSpec {
            alpha: 3.0,
            theta: 1.0,
        },
    )
    .unwrap();
    assert_within("pure tail: mean()", sev.mean(), 1.5, 1e-12);
    assert_within("pure tail: cdf(0.5)", sev.cdf(0.5), 0.0, 1e-12);
    assert_within(
        "pure tail: cdf(2)",
        sev.cdf(2.0),
        1.0 - 0.5f64.powi(3),
        1e-12,
    );
}

// ---------------------------------------------------------------------------
// Constructor validation
// ---------------------------------------------------------------------------

fn rejects<T: std::fmt::Debug>(what: &str, r: Result<T, ParamError>, field: &str) {
    match r {
        Ok(v) => panic!("{what}: accepted, gave {v:?}"),
        Err(e) => {
            assert_eq!(e.field, field, "{what}: wrong field ({e})");
            assert!(!e.message.is_empty(), "{what}: empty message");
            assert!(e.to_string().starts_with(field), "{what}: display {e}");
        }
    }
}

#[test]
fn frequency_constructors_validate() {
    let nan = f64::NAN;
    let inf = f64::INFINITY;
    for m in [-1.0, -1e-9, nan, inf, 2e6] {
        rejects(&format!("poisson({m})"), Frequency::poisson(m), "mean");
    }
    assert!(Frequency::poisson(0.0).is_ok());
    assert!(Frequency::poisson(1e6).is_ok());

    for (m, v, field) in [
        (0.0, 1.0, "mean"),
        (-1.0, 2.0, "mean"),
        (nan, 2.0, "mean"),
        (inf, 2.0, "mean"),
        (2e6, 3e6, "mean"),
        (1.0, 0.0, "variance"),
        (1.0, -2.0, "variance"),
        (1.0, nan, "variance"),
        (1.0, inf, "variance"),
        (2.0, 2.0, "variance"),
        (2.0, 1.5, "variance"),
    ] {
        rejects(
            &format!("negative_binomial({m}, {v})"),
            Frequency::negative_binomial(m, v),
            field,
        );
    }
    assert!(Frequency::negative_binomial(2.0, 2.01).is_ok());

    for p in [-0.1, 1.0001, nan, inf, -inf] {
        rejects(&format!("bernoulli({p})"), Frequency::bernoulli(p), "p");
    }
    assert!(Frequency::bernoulli(0.0).is_ok());
    assert!(Frequency::bernoulli(1.0).is_ok());
}

#[test]
fn severity_constructors_validate() {
    let nan = f64::NAN;
    let inf = f64::INFINITY;
    for (mu, s, field) in [
        (nan, 1.0, "mu"),
        (inf, 1.0, "mu"),
        (60.0, 1.0, "mu"),
        (-60.0, 1.0, "mu"),
        (0.0, 0.0, "sigma"),
        (0.0, -1.0, "sigma"),
        (0.0, nan, "sigma"),
        (0.0, inf, "sigma"),
        (0.0, 11.0, "sigma"),
    ] {
        rejects(
            &format!("lognormal({mu}, {s})"),
            Severity::lognormal(mu, s),
            field,
        );
    }
    for (m, cv, field) in [
        (0.0, 1.0, "mean"),
        (-5.0, 1.0, "mean"),
        (nan, 1.0, "mean"),
        (1.0, 0.0, "cv"),
        (1.0, -1.0, "cv"),
        (1.0, nan, "cv"),
        (1.0, inf, "cv"),
    ] {
        rejects(
            &format!("lognormal_mean_cv({m}, {cv})"),
            Severity::lognormal_mean_cv(m, cv),
            field,
        );
        rejects(
            &format!("gamma_mean_cv({m}, {cv})"),
            Severity::gamma_mean_cv(m, cv),
            field,
        );
    }
    for (k, s, field) in [
        (0.0, 1.0, "shape"),
        (-1.0, 1.0, "shape"),
        (nan, 1.0, "shape"),
        (inf, 1.0, "shape"),
        (1.0, 0.0, "scale"),
        (1.0, -3.0, "scale"),
        (1.0, nan, "scale"),
        (1.0, inf, "scale"),
    ] {
        rejects(&format!("gamma({k}, {s})"), Severity::gamma(k, s), field);
        rejects(
            &format!("weibull({k}, {s})"),
            Severity::weibull(k, s),
            field,
        );
    }
    rejects("weibull(0.01, 1)", Severity::weibull(0.01, 1.0), "shape");
    for m in [0.0, -1.0, nan, inf] {
        rejects(
            &format!("exponential({m})"),
            Severity::exponential(m),
            "mean",
        );
    }
    for (a, th, field) in [
        (1.0, 1.0, "alpha"),
        (0.5, 1.0, "alpha"),
        (-2.0, 1.0, "alpha"),
        (nan, 1.0, "alpha"),
        (inf, 1.0, "alpha"),
        (2.0, 0.0, "theta"),
        (2.0, -1.0, "theta"),
        (2.0, nan, "theta"),
    ] {
        rejects(&format!("lomax({a}, {th})"), Severity::lomax(a, th), field);
    }
    assert!(Severity::lomax(1.0001, 1.0).is_ok());

    rejects("empirical([])", Severity::empirical(vec![]), "values");
    for bad in [-1.0, nan, inf] {
        rejects(
            &format!("empirical([1, {bad}])"),
            Severity::empirical(vec![1.0, bad]),
            "values",
        );
    }
}

#[test]
fn spliced_constructor_validates() {
    let body = || Severity::lognormal(8.0, 1.5).unwrap();
    let tail = TailSpec {
        alpha: 2.5,
        theta: 100_000.0,
    };
    let t = 100_000.0;
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        rejects(
            &format!("threshold {bad}"),
            Severity::spliced(body(), bad, 0.01, tail),
            "threshold",
        );
    }
    for bad in [-0.1, 1.5, f64::NAN] {
        rejects(
            &format!("tail_prob {bad}"),
            Severity::spliced(body(), t, bad, tail),
            "tail_probability",
        );
    }
    for bad in [1.0, 0.9, f64::NAN] {
        let tail = TailSpec { alpha: bad, ..tail };
        rejects(
            &format!("tail alpha {bad}"),
            Severity::spliced(body(), t, 0.01, tail),
            "tail_alpha",
        );
    }
    for bad in [0.0, -5.0, f64::NAN] {
        let tail = TailSpec { theta: bad, ..tail };
        rejects(
            &format!("tail theta {bad}"),
            Severity::spliced(body(), t, 0.01, tail),
            "tail_theta",
        );
    }
    let inner = Severity::spliced(body(), t, 0.01, tail).unwrap();
    rejects(
        "spliced body",
        Severity::spliced(inner, 2.0 * t, 0.01, tail),
        "body",
    );
    let above = Severity::empirical(vec![200_000.0, 300_000.0]).unwrap();
    rejects(
        "empirical body above threshold",
        Severity::spliced(above, t, 0.01, tail),
        "body",
    );
    // Body with essentially no mass below the threshold (P = Phi(-46)).
    let far = Severity::lognormal(30.0, 0.4).unwrap();
    rejects(
        "massless body",
        Severity::spliced(far, t, 0.01, tail),
        "threshold",
    );
    // A gamma body (rejection sampling) needs at least 1% mass below.
    let gamma = Severity::gamma(2.0, 100_000.0).unwrap(); // P(X < 1000) ~ 5e-5
    rejects(
        "gamma body, little mass",
        Severity::spliced(gamma, 1000.0, 0.01, tail),
        "threshold",
    );
}

// ---------------------------------------------------------------------------
// Seeding
// ---------------------------------------------------------------------------

fn first_words(seed: u64, block: u64, n: usize) -> Vec<u64> {
    use rand::Rng;
    let mut r = block_rng(seed, block);
    (0..n).map(|_| r.next_u64()).collect()
}

#[test]
fn block_rng_is_deterministic_and_streams_differ() {
    assert_eq!(first_words(5, 1, 1000), first_words(5, 1, 1000));
    assert_eq!(first_words(0, 0, 10), first_words(0, 0, 10));

    // Distinct (seed, block) pairs, including pairs with the same
    // seed + block, share no 64-bit word in their first 1000 outputs (not
    // even shifted copies of one stream).
    let pairs = [
        (5, 0),
        (5, 1),
        (6, 0),
        (4, 2),
        (5, 2),
        (6, 1),
        (0, 0),
        (0, 1),
    ];
    let words: Vec<Vec<u64>> = pairs
        .iter()
        .map(|&(s, b)| first_words(s, b, 1000))
        .collect();
    for i in 0..pairs.len() {
        for j in i + 1..pairs.len() {
            let shared = words[i].iter().filter(|w| words[j].contains(w)).count();
            assert_eq!(
                shared, 0,
                "{:?} and {:?} share {shared} words",
                pairs[i], pairs[j]
            );
        }
    }

    // Uniforms from one stream are uniform on [0, 1) and those of two
    // blocks uncorrelated: E[U] = 1/2 (sd 1/sqrt(12)), E[U V] = 1/4
    // (sd sqrt(1/9 - 1/16)).
    let n = 200_000;
    let (mut a, mut b) = (block_rng(5, 0), block_rng(5, 1));
    let (mut su, mut suv) = (0.0, 0.0);
    for _ in 0..n {
        let (u, v) = (uniform(&mut a), uniform(&mut b));
        assert!((0.0..1.0).contains(&u));
        su += u;
        suv += u * v;
    }
    let nf = n as f64;
    assert_within("E[U]", su / nf, 0.5, K * (1.0f64 / 12.0 / nf).sqrt());
    assert_within(
        "E[UV]",
        suv / nf,
        0.25,
        K * ((1.0f64 / 9.0 - 1.0 / 16.0) / nf).sqrt(),
    );
}
