//! Distributions on the lattice `0, h, 2h, ...`: discretized severities,
//! compound distributions and sums by FFT, and monotone maps.
//!
//! Every FFT uses exponential tilting (Grübel and Hermesmeier): the pmf is
//! multiplied by `exp(-theta k)` before the transform and by `exp(theta k)`
//! after, so mass that would wrap around the end of the grid is damped by
//! `exp(-theta M)` instead of landing at small values.

use crate::dist::{Frequency, Severity};
use rustfft::num_complex::Complex;
use rustfft::FftPlanner;

/// Tilting strength (`theta * grid length`) for member compounds, whose
/// grid is four times the part kept, so untilting amplifies rounding noise
/// by at most `exp(TILT / 4)` there.
const TILT: f64 = 20.0;
/// Tilting strength for group sums, whose window already holds all but
/// 1e-12 of the probability: enough to damp what is left, small enough that
/// untilting (up to `exp(SUM_TILT)`) keeps the far tail's rounding noise low.
const SUM_TILT: f64 = 8.0;

/// Which way amounts are rounded to the lattice. Rounding every amount down
/// (up) gives a distribution that is stochastically smaller (larger) than the
/// true one, so the two bracket every figure that is monotone in the claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// `h * floor(x / h)`.
    Down,
    /// `h * ceil(x / h)`.
    Up,
}

impl Rounding {
    /// The lattice index of amount `x` (with a relative tolerance for
    /// amounts that are lattice points up to rounding).
    pub fn index(self, x: f64, h: f64) -> usize {
        let q = x / h;
        let r = q.round();
        if (q - r).abs() <= 1e-9 * r.max(1.0) {
            return r.max(0.0) as usize;
        }
        match self {
            Rounding::Down => q.floor().max(0.0) as usize,
            Rounding::Up => q.ceil().max(0.0) as usize,
        }
    }
}

/// The pmf of `scale * X` rounded to the lattice, on indices `0..=cap`
/// with all mass at or above the cap lumped at the cap.
pub fn discretize(sev: &Severity, scale: f64, h: f64, cap: usize, rounding: Rounding) -> Vec<f64> {
    let mut p = vec![0.0; cap + 1];
    // Survival at lattice point k: P(scale X >= k h) for rounding down
    // (X in [kh, (k+1)h) goes to k), P(scale X > k h) for rounding up
    // (X in ((k-1)h, kh] goes to k).
    let inclusive = rounding == Rounding::Down;
    let surv = |k: usize| sev.survival(k as f64 * h / scale, inclusive);
    let mut prev = surv(match rounding {
        Rounding::Down => 0,
        Rounding::Up => 0,
    });
    match rounding {
        Rounding::Down => {
            // p[k] = S(k) - S(k + 1)
            for (k, slot) in p.iter_mut().enumerate().take(cap) {
                let next = surv(k + 1);
                *slot = (prev - next).max(0.0);
                prev = next;
            }
            p[cap] = prev.max(0.0);
        }
        Rounding::Up => {
            // p[0] = P(X <= 0) = 1 - S(0); p[k] = S(k - 1) - S(k)
            p[0] = (1.0 - prev).max(0.0);
            for (k, slot) in p.iter_mut().enumerate().take(cap).skip(1) {
                let next = surv(k);
                *slot = (prev - next).max(0.0);
                prev = next;
            }
            if cap > 0 {
                p[cap] = prev.max(0.0);
            }
        }
    }
    p
}

thread_local! {
    /// One planner per worker thread: it caches plans (and their twiddle
    /// factors) by size, which would otherwise dominate the engine's time.
    static PLANNER: std::cell::RefCell<FftPlanner<f64>> = std::cell::RefCell::new(FftPlanner::new());
}

fn fft(buf: &mut [Complex<f64>], inverse: bool) {
    let plan = PLANNER.with(|p| {
        let mut planner = p.borrow_mut();
        if inverse {
            planner.plan_fft_inverse(buf.len())
        } else {
            planner.plan_fft_forward(buf.len())
        }
    });
    plan.process(buf);
}

fn tilted_transform(pmf: &[f64], m: usize, theta: f64) -> Vec<Complex<f64>> {
    let mut buf = vec![Complex::new(0.0, 0.0); m];
    for (k, &p) in pmf.iter().enumerate() {
        if p != 0.0 {
            buf[k % m] += Complex::new(p * (-theta * k as f64).exp(), 0.0);
        }
    }
    fft(&mut buf, false);
    buf
}

/// Rounding noise of an inverse FFT, relative to the largest tilted value.
const FFT_NOISE: f64 = 1e-14;

fn untilt(mut buf: Vec<Complex<f64>>, theta: f64, keep: usize) -> Vec<f64> {
    fft(&mut buf, true);
    let m = buf.len() as f64;
    let peak = buf.iter().map(|c| c.re / m).fold(0.0, f64::max);
    // Untilting multiplies the transform's rounding noise by exp(theta k):
    // values below that amplified noise floor are noise, not mass.
    buf.iter()
        .take(keep)
        .enumerate()
        .map(|(k, c)| {
            let v = c.re / m;
            if v <= FFT_NOISE * peak {
                0.0
            } else {
                v * (theta * k as f64).exp()
            }
        })
        .collect()
}

/// The frequency's probability generating function at `z`.
fn pgf(freq: &Frequency, z: Complex<f64>) -> Complex<f64> {
    let one = Complex::new(1.0, 0.0);
    match freq {
        Frequency::Poisson(_) => ((z - one) * freq.mean()).exp(),
        Frequency::NegativeBinomial { mean, variance, .. } => {
            let beta = (variance - mean) / mean;
            let r = mean / beta;
            (-(one - (z - one) * beta).ln() * r).exp()
        }
        Frequency::Bernoulli { p } => one * (1.0 - p) + z * *p,
    }
}

/// The distribution of the sum of independent compound distributions
/// (each a frequency and a discretized severity pmf on `0..=cap`), on
/// `0..=cap` with mass at or above the cap lumped at the cap.
pub fn compound(parts: &[(&Frequency, Vec<f64>)], cap: usize) -> Vec<f64> {
    let m = (4 * (cap + 1)).next_power_of_two().max(64);
    let theta = TILT / m as f64;
    let mut total = vec![Complex::new(1.0, 0.0); m];
    for (freq, sev) in parts {
        let t = tilted_transform(sev, m, theta);
        for (acc, z) in total.iter_mut().zip(t) {
            *acc *= pgf(freq, z);
        }
    }
    lump(untilt(total, theta, cap + 1), cap)
}

/// Puts `1 - sum(pmf[..cap])` at `cap`, so the pmf sums to 1 and the cap
/// holds everything at or above it.
pub fn lump(mut pmf: Vec<f64>, cap: usize) -> Vec<f64> {
    pmf.resize(cap + 1, 0.0);
    let below: f64 = pmf[..cap].iter().sum();
    pmf[cap] = (1.0 - below).max(0.0);
    pmf
}

/// The pmf of `f(X)` for a non-decreasing `f`, with `f(x)` rounded to the
/// lattice in the given direction.
pub fn map(pmf: &[f64], h: f64, rounding: Rounding, f: impl Fn(f64) -> f64) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::new();
    for (k, &p) in pmf.iter().enumerate() {
        if p == 0.0 {
            continue;
        }
        let j = rounding.index(f(k as f64 * h), h);
        if j >= out.len() {
            out.resize(j + 1, 0.0);
        }
        out[j] += p;
    }
    if out.is_empty() {
        out.push(1.0);
    }
    out
}

/// The pmf of the sum of independent variables given as (pmf, multiplicity),
/// on `0..len`; mass at or beyond `len` is lost (damped aliasing) and is
/// reported as `1 - sum`.
pub fn sum_independent(parts: &[(&[f64], u64)], len: usize) -> Vec<f64> {
    sum_with_tilt(parts, len, SUM_TILT)
}

fn sum_with_tilt(parts: &[(&[f64], u64)], len: usize, tilt: f64) -> Vec<f64> {
    let m = len.next_power_of_two().max(64);
    let theta = tilt / m as f64;
    let mut total = vec![Complex::new(1.0, 0.0); m];
    for (pmf, count) in parts {
        if *count == 0 {
            continue;
        }
        let t = tilted_transform(pmf, m, theta);
        let n = *count as f64;
        for (acc, z) in total.iter_mut().zip(t) {
            let norm = z.norm();
            if norm == 0.0 {
                *acc = Complex::new(0.0, 0.0);
            } else {
                *acc *= Complex::from_polar(norm.powf(n), z.arg() * n);
            }
        }
    }
    untilt(total, theta, len)
}

/// The convolution of two pmfs, on `0..a.len() + b.len() - 1`.
pub fn convolve(a: &[f64], b: &[f64]) -> Vec<f64> {
    if a.len() == 1 {
        return b.iter().map(|x| x * a[0]).collect();
    }
    if b.len() == 1 {
        return a.iter().map(|x| x * b[0]).collect();
    }
    // The support fits the grid, so nothing wraps: no tilting needed.
    let len = a.len() + b.len() - 1;
    sum_with_tilt(&[(a, 1), (b, 1)], len, 0.0)
}
