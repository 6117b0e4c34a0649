//! Real-input FFTs on lengths of the form `2^a` or `3 * 2^a`, with plans
//! shared by every compound, option and worker thread.
//!
//! Every sequence the engine transforms is real (a pmf, possibly tilted),
//! and every product it forms of transforms (powers, probability generating
//! functions with real coefficients) keeps their conjugate symmetry, so
//! half the spectrum determines the rest: a real-input FFT does half the
//! work and holds half the memory of a complex one of the same length.

use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use rustfft::num_complex::Complex;
use std::sync::{Arc, Mutex, OnceLock};

/// Shortest transform used: below this, planning costs more than it saves.
const MIN_LEN: usize = 64;

/// The smallest length `2^a` or `3 * 2^a` (and at least [`MIN_LEN`]) that
/// holds `n` points. Allowing `3 * 2^a` keeps the padding under a third
/// instead of up to a half, and rustfft's mixed-radix kernels are about as
/// fast per point on those lengths.
pub fn len_for(n: usize) -> usize {
    let n = n.max(MIN_LEN);
    let pow2 = n.next_power_of_two();
    let three = 3 * (pow2 / 4);
    if three >= n {
        three
    } else {
        pow2
    }
}

fn planner() -> &'static Mutex<RealFftPlanner<f64>> {
    static PLANNER: OnceLock<Mutex<RealFftPlanner<f64>>> = OnceLock::new();
    // One planner for the process: it keeps each length's plan (and its
    // twiddle factors) once, where one per thread held a copy per worker.
    PLANNER.get_or_init(|| Mutex::new(RealFftPlanner::new()))
}

fn forward_plan(m: usize) -> Arc<dyn RealToComplex<f64>> {
    let mut p = planner().lock().unwrap_or_else(|e| e.into_inner());
    p.plan_fft_forward(m)
}

fn inverse_plan(m: usize) -> Arc<dyn ComplexToReal<f64>> {
    let mut p = planner().lock().unwrap_or_else(|e| e.into_inner());
    p.plan_fft_inverse(m)
}

/// The first `m / 2 + 1` bins of the DFT of `input` (of length `m`, which it
/// uses as scratch).
pub fn forward(input: &mut [f64]) -> Vec<Complex<f64>> {
    let m = input.len();
    let plan = forward_plan(m);
    let mut out = plan.make_output_vec();
    // Lengths match the plan by construction, so this cannot fail.
    let _ = plan.process(input, &mut out);
    out
}

/// The real sequence of length `m` whose DFT's first `m / 2 + 1` bins are
/// `spectrum` (consumed as scratch), not divided by `m`.
pub fn inverse(spectrum: &mut [Complex<f64>], m: usize) -> Vec<f64> {
    let plan = inverse_plan(m);
    // The zero (and, for even m, the Nyquist) bin of a real sequence is
    // real; products of transforms leave rounding noise in their
    // imaginary parts, which the inverse would reject.
    if let Some(first) = spectrum.first_mut() {
        first.im = 0.0;
    }
    if m % 2 == 0 {
        if let Some(last) = spectrum.last_mut() {
            last.im = 0.0;
        }
    }
    let mut out = plan.make_output_vec();
    // Lengths match the plan by construction, and the bins that must be
    // real were made so: this cannot fail.
    let _ = plan.process(spectrum, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_the_smallest_of_both_forms() {
        assert_eq!(len_for(1), 64);
        assert_eq!(len_for(65), 96);
        assert_eq!(len_for(96), 96);
        assert_eq!(len_for(97), 128);
        assert_eq!(len_for(129), 192);
        assert_eq!(len_for(1 << 20), 1 << 20);
        assert_eq!(len_for((1 << 20) + 1), 3 << 19);
    }

    #[test]
    fn round_trip_and_a_known_transform() {
        for m in [64usize, 96, 192, 384] {
            let x: Vec<f64> = (0..m).map(|k| ((k * 7) % 13) as f64 - 6.0).collect();
            let mut buf = x.clone();
            let mut s = forward(&mut buf);
            // Bin 1 by the definition of the DFT.
            let direct: Complex<f64> = x
                .iter()
                .enumerate()
                .map(|(k, v)| {
                    let a = -2.0 * std::f64::consts::PI * k as f64 / m as f64;
                    Complex::new(a.cos(), a.sin()) * v
                })
                .sum();
            assert!((s[1] - direct).norm() < 1e-9, "m = {m}");
            let back = inverse(&mut s, m);
            for (a, b) in back.iter().zip(&x) {
                assert!((a / m as f64 - b).abs() < 1e-12);
            }
        }
    }
}
