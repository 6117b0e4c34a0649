//! Negative binomial counts by inversion against a CDF table built once per
//! (component, exposure), instead of a gamma-mixed Poisson per draw (a gamma
//! draw, an `exp` and a running CDF: about ten times the cost).

use super::frequency::{guide_table, GUIDE};
use super::uniform;
use rand::Rng;

/// Entries a table holds at most; a uniform beyond its last entry walks on
/// from there with the same recurrence (exact inversion either way).
const MAX_ENTRIES: usize = 4096;

/// Steps a walk beyond the table takes at most: a guard against a CDF that
/// rounding keeps below the uniform (mass below 2^-53 per step).
const MAX_WALK: u32 = 10_000_000;

/// Inversion table of the negative binomial with shape `r` and success
/// ratio `q = scale / (1 + scale)`: `P(N = 0) = (1 - q)^r`,
/// `P(N = k + 1) = P(N = k) (r + k) q / (k + 1)`.
#[derive(Debug, Clone)]
pub struct CountTable {
    /// `cdf[k] = P(N <= k)`; the last entry is 1 when the table holds all
    /// the mass a 53-bit uniform can see.
    cdf: Vec<f64>,
    /// `guide[j]`: the first `k` with `cdf[k] > j / GUIDE`.
    guide: Vec<u32>,
    shape: f64,
    q: f64,
    /// `P(N = cdf.len() - 1)`, where a walk beyond the table starts.
    last_pmf: f64,
}

impl CountTable {
    /// The table of a negative binomial with gamma-mixing `shape` and
    /// `scale` (mean `shape * scale`, variance `mean (1 + scale)`).
    pub fn negative_binomial(shape: f64, scale: f64) -> Self {
        let q = scale / (1.0 + scale);
        // (1 + scale)^-shape through ln_1p: accurate when scale is small.
        let mut p = (-shape * scale.ln_1p()).exp();
        let mut c = p;
        let mut cdf = vec![c];
        let mut complete = false;
        while cdf.len() < MAX_ENTRIES {
            if 1.0 - c <= 2.3e-16 {
                complete = true;
                break;
            }
            let k = (cdf.len() - 1) as f64;
            p *= (shape + k) * q / (k + 1.0);
            let next = c + p;
            if next <= c {
                complete = true;
                break;
            }
            c = next;
            cdf.push(c);
        }
        if complete {
            *cdf.last_mut().expect("at least P(N = 0)") = 1.0;
        }
        let guide = guide_table(&cdf);
        CountTable {
            cdf,
            guide,
            shape,
            q,
            last_pmf: p,
        }
    }

    /// Draws a count: the smallest `k` with `u < P(N <= k)` for one uniform.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        let u = uniform(rng);
        let mut k = self.guide[(u * GUIDE as f64) as usize] as usize;
        while k < self.cdf.len() && u >= self.cdf[k] {
            k += 1;
        }
        if k < self.cdf.len() {
            return k as u32;
        }
        self.walk(u)
    }

    /// Inversion beyond the table's last entry.
    #[cold]
    fn walk(&self, u: f64) -> u32 {
        let mut k = self.cdf.len() - 1;
        let mut p = self.last_pmf;
        let mut c = self.cdf[k];
        for _ in 0..MAX_WALK {
            p *= (self.shape + k as f64) * self.q / (k as f64 + 1.0);
            k += 1;
            let next = c + p;
            if u < next || next <= c {
                break;
            }
            c = next;
        }
        k.min(u32::MAX as usize) as u32
    }

    /// Entries held (for tests of the table's size).
    pub fn len(&self) -> usize {
        self.cdf.len()
    }

    /// Whether the table is empty (never: it holds at least `P(N = 0)`).
    pub fn is_empty(&self) -> bool {
        self.cdf.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::seed::block_rng;
    use statrs::distribution::{DiscreteCDF, NegativeBinomial};

    /// statrs counts failures before the `r`-th success with success
    /// probability `p = 1 / (1 + scale)`: the same law.
    fn reference(shape: f64, scale: f64) -> NegativeBinomial {
        NegativeBinomial::new(shape, 1.0 / (1.0 + scale)).unwrap()
    }

    #[test]
    fn table_is_the_negative_binomial_cdf() {
        // Within 1e-10: statrs takes the CDF from an incomplete beta function.
        // mid-500's pharmacy (mean 6, variance 30), a near-Poisson one and
        // a heavy one that fills the table.
        for (shape, scale) in [(1.5, 4.0), (400.0, 0.005), (0.002, 999.0)] {
            let t = CountTable::negative_binomial(shape, scale);
            let r = reference(shape, scale);
            let complete = t.cdf.last() == Some(&1.0);
            let checked = if complete { t.len() - 1 } else { t.len() };
            for k in 0..checked {
                let want = r.cdf(k as u64);
                assert!(
                    (t.cdf[k] - want).abs() <= 1e-10,
                    "shape {shape} scale {scale}: P(N <= {k}) {} vs {want}",
                    t.cdf[k]
                );
            }
            assert!(t.cdf.windows(2).all(|w| w[0] <= w[1]));
        }
    }

    #[test]
    fn draws_beyond_the_table_keep_the_mean() {
        // Mean 2, variance 2,000: the table stops at its cap with mass left
        // beyond it, which the walk draws.
        let (shape, scale) = (0.002, 999.0);
        let t = CountTable::negative_binomial(shape, scale);
        assert_eq!(t.len(), MAX_ENTRIES);
        let mut rng = block_rng(5, 0);
        let n = 400_000;
        let draws: Vec<u32> = (0..n).map(|_| t.sample(&mut rng)).collect();
        let mean = draws.iter().map(|&k| f64::from(k)).sum::<f64>() / n as f64;
        let se = (shape * scale * (1.0 + scale) / n as f64).sqrt();
        assert!(((mean - 2.0) / se).abs() < 4.0, "mean {mean}, se {se}");
        let zeros = draws.iter().filter(|&&k| k == 0).count() as f64 / n as f64;
        let p0 = (1.0 + scale).powf(-shape);
        let se0 = (p0 * (1.0 - p0) / n as f64).sqrt();
        assert!(((zeros - p0) / se0).abs() < 4.0, "P(0) {zeros} vs {p0}");
        assert!(draws.iter().any(|&k| k as usize >= MAX_ENTRIES));
    }
}
