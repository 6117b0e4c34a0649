//! Distributions on the lattice `0, h, 2h, ...`: mean-preserving
//! discretized severities, compound distributions and sums by FFT, and
//! mean-preserving maps.
//!
//! Every FFT uses exponential tilting (Grübel and Hermesmeier): the pmf is
//! multiplied by `exp(-theta k)` before the transform and by `exp(theta k)`
//! after, so mass that would wrap around the end of the grid is damped by
//! `exp(-theta M)` instead of landing at small values.

use super::fft;
use crate::dist::{Frequency, Severity};
use rustfft::num_complex::Complex;

/// Tilting strength (`theta * grid length`) for member compounds, whose
/// grid is four times the part kept, so untilting amplifies rounding noise
/// by at most `exp(TILT / 4)` there.
const TILT: f64 = 20.0;
/// Tilting strength for group sums, whose window already holds all but
/// 1e-12 of the probability: enough to damp what is left, small enough that
/// untilting (up to `exp(SUM_TILT)`) keeps the far tail's rounding noise low.
const SUM_TILT: f64 = 8.0;

/// The lattice index `j` and weight `theta` with `x / h = j + theta`,
/// `0 <= theta < 1`; amounts within a relative 1e-9 of a lattice point are
/// that point (so aligned amounts land exactly on the lattice).
pub fn split(x: f64, h: f64) -> (usize, f64) {
    let q = (x / h).max(0.0);
    let r = q.round();
    if (q - r).abs() <= 1e-9 * r.max(1.0) {
        return (r as usize, 0.0);
    }
    let j = q.floor();
    (j as usize, q - j)
}

/// The pmf of `scale * X` on the lattice `0, h, 2h, ...` by local moment
/// matching (the mean-preserving discretization of Gerber, also called the
/// method of local moments of order one): the mass of each cell
/// `[kh, (k+1)h)` is split between its two ends so that the cell's mean is
/// kept. Then `E[min(X_h, jh)] = E[min(X, jh)]` at every lattice point, an
/// atom of `X` on a lattice point stays on it, and an atom between two
/// points is split between them. Indices `0..=cap`; mass at or above the cap
/// is lumped at the cap (keeping `E[min(X, cap h)]`).
pub fn discretize(sev: &Severity, scale: f64, h: f64, cap: usize) -> Vec<f64> {
    let mut p = vec![0.0; cap + 1];
    if let Severity::Empirical { values } = sev {
        // Atoms: each value split between its two neighbours.
        let w = 1.0 / values.len() as f64;
        for &v in values.iter() {
            let (j, theta) = split(v * scale, h);
            if j >= cap {
                p[cap] += w;
            } else {
                p[j] += w * (1.0 - theta);
                p[j + 1] += w * theta;
            }
        }
        return p;
    }
    let mean = sev.mean() * scale;
    // E[min(scale X, x)] and P(scale X >= x).
    let lev = |x: f64| mean - scale * sev.expected_excess(x / scale);
    let surv = |x: f64| sev.survival(x / scale, true);
    // Three-point Gauss-Legendre nodes and weights on [0, 1].
    let r = 0.5 * (0.6f64).sqrt();
    let nodes = [
        (0.5 - r, 5.0 / 18.0),
        (0.5, 8.0 / 18.0),
        (0.5 + r, 5.0 / 18.0),
    ];
    let mut surv_a = 1.0;
    for k in 0..cap {
        let a = k as f64 * h;
        let b = a + h;
        let surv_b = surv(b);
        let mass = (surv_a - surv_b).max(0.0);
        // E[(X - a) 1{a <= X < b}] / h = (1/h) integral over the cell of
        // S(x) - S(b) goes to k + 1, the rest to k. The first cell (where a
        // density may be unbounded) uses limited expected values; the others
        // integrate survival differences, which keep their precision far in
        // the tail where differences of limited expected values do not.
        let up = if k == 0 {
            lev(b) / h - surv_b
        } else {
            nodes
                .iter()
                .map(|(x, w)| w * (surv(a + x * h) - surv_b))
                .sum::<f64>()
        };
        let up = up.clamp(0.0, mass);
        p[k] += mass - up;
        p[k + 1] += up;
        surv_a = surv_b;
    }
    p[cap] += surv_a.max(0.0);
    p
}

/// The first `m / 2 + 1` bins of the transform of `pmf` tilted by `theta`
/// (mass beyond `m` wraps around, damped by the tilt).
fn tilted_transform(pmf: &[f64], m: usize, theta: f64) -> Vec<Complex<f64>> {
    let mut buf = vec![0.0; m];
    for (k, &p) in pmf.iter().enumerate() {
        if p != 0.0 {
            buf[k % m] += p * (-theta * k as f64).exp();
        }
    }
    fft::forward(&mut buf)
}

/// Rounding noise of an inverse FFT of length `m`, per value, relative to
/// the root-mean-square size of the values (`eps log2 m`, with a margin).
fn fft_noise(m: f64) -> f64 {
    4.0 * f64::EPSILON * m.log2().max(1.0)
}

fn untilt(mut spectrum: Vec<Complex<f64>>, m: usize, theta: f64, keep: usize) -> Vec<f64> {
    let buf = fft::inverse(&mut spectrum, m);
    drop(spectrum);
    let mf = m as f64;
    let rms = (buf.iter().map(|v| (v / mf).powi(2)).sum::<f64>() / mf).sqrt();
    // Untilting multiplies the transform's rounding noise by exp(theta k):
    // values below the noise floor are noise, not mass. (A floor relative
    // to the largest value, as this was, removed real tail mass that
    // shrinks with the step: 1e-6 of a far stop-loss premium at fine steps.)
    let floor = fft_noise(mf) * rms;
    let mut out = buf;
    out.truncate(keep);
    for (k, v) in out.iter_mut().enumerate() {
        let x = *v / mf;
        *v = if x <= floor {
            0.0
        } else {
            x * (theta * k as f64).exp()
        };
    }
    out
}

/// `P(N = 0)`.
pub fn prob_zero(freq: &Frequency) -> f64 {
    pgf(freq, Complex::new(0.0, 0.0)).re.clamp(0.0, 1.0)
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
    let m = fft::len_for(4 * (cap + 1));
    let theta = TILT / m as f64;
    let mut total = vec![Complex::new(1.0, 0.0); m / 2 + 1];
    for (freq, sev) in parts {
        let t = tilted_transform(sev, m, theta);
        for (acc, z) in total.iter_mut().zip(t) {
            *acc *= pgf(freq, z);
        }
    }
    lump(untilt(total, m, theta, cap + 1), cap)
}

/// Puts `1 - sum(pmf[..cap])` at `cap`, so the pmf sums to 1 and the cap
/// holds everything at or above it.
pub fn lump(mut pmf: Vec<f64>, cap: usize) -> Vec<f64> {
    pmf.resize(cap + 1, 0.0);
    let below: f64 = pmf[..cap].iter().sum();
    pmf[cap] = (1.0 - below).max(0.0);
    pmf
}

/// The pmf of `f(X)` on the lattice, each value `f(kh)` split between its
/// two neighbouring lattice points so that the mean is kept (values on the
/// lattice stay where they are).
pub fn map(pmf: &[f64], h: f64, f: impl Fn(f64) -> f64) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::new();
    for (k, &p) in pmf.iter().enumerate() {
        if p == 0.0 {
            continue;
        }
        let (j, theta) = split(f(k as f64 * h), h);
        if j + 1 >= out.len() {
            out.resize(j + 2, 0.0);
        }
        out[j] += p * (1.0 - theta);
        out[j + 1] += p * theta;
    }
    while out.len() > 1 && out.last() == Some(&0.0) {
        out.pop();
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
    let m = fft::len_for(len);
    let theta = tilt / m as f64;
    let mut total = vec![Complex::new(1.0, 0.0); m / 2 + 1];
    for (pmf, count) in parts {
        if *count == 0 {
            continue;
        }
        let t = tilted_transform(pmf, m, theta);
        for (acc, z) in total.iter_mut().zip(t) {
            *acc *= powi(z, *count);
        }
    }
    untilt(total, m, theta, len)
}

/// `z^n` by repeated squaring (a few multiplications instead of a
/// logarithm, a power and a sine and cosine per point).
fn powi(mut z: Complex<f64>, mut n: u64) -> Complex<f64> {
    let mut acc = Complex::new(1.0, 0.0);
    while n > 0 {
        if n & 1 == 1 {
            acc *= z;
        }
        n >>= 1;
        if n > 0 {
            z *= z;
        }
    }
    acc
}

/// Below this length the shorter factor of a convolution is applied
/// directly (fewer operations than a transform of the longer one).
const DIRECT_CONVOLUTION: usize = 32;

/// The convolution of two pmfs, on `0..a.len() + b.len() - 1`.
///
/// A short factor (the claims outside both covers are often a small
/// fraction of the group total) is applied block by block (overlap-add)
/// with transforms a few times its length, instead of one transform of the
/// whole result: the work is nearly the same and no buffer much longer than
/// the result is allocated.
pub fn convolve(a: &[f64], b: &[f64]) -> Vec<f64> {
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    let len = long.len() + short.len() - 1;
    if short.len() <= DIRECT_CONVOLUTION {
        let mut out = vec![0.0; len];
        for (j, &q) in short.iter().enumerate() {
            if q != 0.0 {
                for (o, &p) in out[j..].iter_mut().zip(long) {
                    *o += p * q;
                }
            }
        }
        return out;
    }
    // The support fits each block's transform, so nothing wraps: no tilting.
    let m = fft::len_for((4 * short.len()).max(4096)).min(fft::len_for(len));
    let block = m + 1 - short.len();
    let mut buf = vec![0.0; m];
    buf[..short.len()].copy_from_slice(short);
    let kernel = fft::forward(&mut buf);
    let mut out = vec![0.0; len];
    for (i, chunk) in long.chunks(block).enumerate() {
        buf.iter_mut().for_each(|v| *v = 0.0);
        buf[..chunk.len()].copy_from_slice(chunk);
        let mut spectrum = fft::forward(&mut buf);
        for (z, k) in spectrum.iter_mut().zip(&kernel) {
            *z *= k;
        }
        let piece = fft::inverse(&mut spectrum, m);
        let start = i * block;
        let n = (chunk.len() + short.len() - 1).min(len - start);
        for (o, v) in out[start..start + n].iter_mut().zip(&piece) {
            *o += v / m as f64;
        }
    }
    // FFT rounding leaves tiny negative values where the true ones are 0.
    out.iter_mut().for_each(|v| *v = v.max(0.0));
    out
}
