//! Figures of a lattice distribution: the value at index `k` is
//! `offset + k h`. Definitions match the simulation's (see `crate::stats`):
//! `VaR_p` is the smallest value whose CDF reaches `p`; `TVaR_p` is the mean
//! of the worst `1 - p` of probability, the boundary atom counted in part.

/// A distribution on `offset + k h`, `k = 0..pmf.len()`.
#[derive(Debug, Clone, Copy)]
pub struct LatticeDist<'a> {
    /// Probabilities (summing to 1 up to truncation).
    pub pmf: &'a [f64],
    /// Lattice step.
    pub h: f64,
    /// Value of index 0.
    pub offset: f64,
}

impl LatticeDist<'_> {
    fn x(&self, k: usize) -> f64 {
        self.offset + k as f64 * self.h
    }

    /// Total probability held (1 minus truncated mass).
    pub fn mass(&self) -> f64 {
        self.pmf.iter().sum()
    }

    /// Mean.
    pub fn mean(&self) -> f64 {
        self.pmf
            .iter()
            .enumerate()
            .map(|(k, p)| p * self.x(k))
            .sum()
    }

    /// Standard deviation.
    pub fn sd(&self) -> f64 {
        let m = self.mean();
        let v: f64 = self
            .pmf
            .iter()
            .enumerate()
            .map(|(k, p)| p * (self.x(k) - m).powi(2))
            .sum();
        v.max(0.0).sqrt()
    }

    /// Index of `VaR_p`.
    fn var_index(&self, p: f64) -> usize {
        var_index(self.pmf, p)
    }

    /// `VaR_p`.
    pub fn quantile(&self, p: f64) -> f64 {
        self.x(self.var_index(p))
    }

    /// `TVaR_p`.
    pub fn tvar(&self, p: f64) -> f64 {
        let (k, cdf_k) = var_index_cdf(self.pmf, p);
        let (above, above_mass) = tail_sums(self.pmf, k, |k| self.x(k));
        // The tail's mass as held (1 - p up to truncation and rounding), so
        // that a tail inside one atom gives exactly that atom's value.
        let tail = above_mass + (cdf_k - p).max(0.0);
        if 1.0 - p <= 0.0 || tail <= 0.0 {
            return self.max();
        }
        (above + self.x(k) * (cdf_k - p).max(0.0)) / tail
    }

    /// `P(X > x)`.
    pub fn prob_exceeds(&self, x: f64) -> f64 {
        self.pmf
            .iter()
            .enumerate()
            .filter(|(k, _)| self.x(*k) > x + 1e-9 * x.abs().max(1.0))
            .map(|(_, q)| q)
            .sum()
    }

    /// The largest value with probability above 1e-12.
    pub fn max(&self) -> f64 {
        let k = self.pmf.iter().rposition(|&q| q > 1e-12).unwrap_or(0);
        self.x(k)
    }

    /// `E[f(X)]`.
    pub fn expect(&self, f: impl Fn(f64) -> f64) -> f64 {
        self.pmf
            .iter()
            .enumerate()
            .map(|(k, q)| q * f(self.x(k)))
            .sum()
    }
}

/// A distribution on the values `value(k)`, non-decreasing in `k`, with
/// probabilities `pmf[k]`: a lattice distribution seen through a monotone
/// map, so that atoms of the map (the cap of an aggregate layer at an
/// attachment off the lattice) keep their exact value.
pub struct MappedDist<'a, F: Fn(usize) -> f64> {
    /// Probabilities.
    pub pmf: &'a [f64],
    /// The value of index `k`.
    pub value: F,
}

impl<F: Fn(usize) -> f64> MappedDist<'_, F> {
    fn var_index(&self, p: f64) -> usize {
        var_index(self.pmf, p)
    }

    /// `VaR_p`.
    pub fn quantile(&self, p: f64) -> f64 {
        (self.value)(self.var_index(p))
    }

    /// `TVaR_p`, the boundary atom counted in part.
    pub fn tvar(&self, p: f64) -> f64 {
        let (k, cdf_k) = var_index_cdf(self.pmf, p);
        let (above, above_mass) = tail_sums(self.pmf, k, &self.value);
        let tail = above_mass + (cdf_k - p).max(0.0);
        if tail <= 0.0 {
            return (self.value)(k);
        }
        (above + (self.value)(k) * (cdf_k - p).max(0.0)) / tail
    }
}

/// `(sum of pmf[j] value(j), sum of pmf[j])` over `j > k`, in one pass
/// (each sum in index order, as two separate passes would add them).
fn tail_sums(pmf: &[f64], k: usize, value: impl Fn(usize) -> f64) -> (f64, f64) {
    let (mut above, mut mass) = (0.0, 0.0);
    for (j, &q) in pmf.iter().enumerate().skip(k + 1) {
        above += q * value(j);
        mass += q;
    }
    (above, mass)
}

/// Index of `VaR_p` of `pmf`: the first index whose cumulative probability
/// reaches `p` (within a relative 1e-12, so rounding does not skip it).
fn var_index(pmf: &[f64], p: f64) -> usize {
    var_index_cdf(pmf, p).0
}

/// [`var_index`] and the cumulative probability up to it (summed in the
/// same pass, in index order).
fn var_index_cdf(pmf: &[f64], p: f64) -> (usize, f64) {
    let mut c = 0.0;
    for (k, q) in pmf.iter().enumerate() {
        c += q;
        if c >= p * (1.0 - 1e-12) {
            return (k, c);
        }
    }
    (pmf.len().saturating_sub(1), c)
}

/// Suffix sums of a pmf: `P(X >= k)` for every lattice index, summed from
/// the far end so that small tail probabilities keep their relative
/// precision (`1 - cdf` would lose them to cancellation), and looked up in
/// constant time for every attachment, deductible, budget and exceedance
/// point read from the same distribution.
#[derive(Debug, Clone, Default)]
pub struct Tails(Vec<f64>);

impl Tails {
    /// The suffix sums of `pmf`.
    pub fn new(pmf: &[f64]) -> Self {
        let mut t = vec![0.0; pmf.len() + 1];
        for k in (0..pmf.len()).rev() {
            t[k] = t[k + 1] + pmf[k];
        }
        Tails(t)
    }

    /// `P(X > k h)`: the mass strictly above index `k` (so an atom at a
    /// lattice point is never above it).
    pub fn above(&self, k: usize) -> f64 {
        self.0.get(k + 1).copied().unwrap_or(0.0)
    }

    /// The probability at index `k`.
    pub fn at(&self, k: usize) -> f64 {
        match (self.0.get(k), self.0.get(k + 1)) {
            (Some(a), Some(b)) => a - b,
            _ => 0.0,
        }
    }
}

/// Lookups of `P(X > k h)` and `P(X = k h)` by lattice index, from suffix
/// sums.
pub trait TailLookup {
    /// `P(X > k h)`.
    fn above(&self, k: usize) -> f64;
    /// The probability at index `k`.
    fn at(&self, k: usize) -> f64;
}

impl TailLookup for Tails {
    fn above(&self, k: usize) -> f64 {
        Tails::above(self, k)
    }
    fn at(&self, k: usize) -> f64 {
        Tails::at(self, k)
    }
}

/// The suffix sums of a pmf at indices `j`, `j + 1` and `j + 2` only,
/// summed from the far end in the same order as [`Tails::new`] (so the
/// same values, bit for bit), without storing the others: a probability
/// read at one point (an aggregate attachment) needs no lattice-long array
/// per candidate and level.
#[derive(Debug, Clone, Copy)]
pub struct TailsNear {
    j: usize,
    t: [f64; 3],
}

impl TailsNear {
    /// The suffix sums of `pmf` around index `j`.
    pub fn new(pmf: &[f64], j: usize) -> Self {
        let mut t = [0.0; 3];
        let mut acc = 0.0;
        for k in (j..pmf.len()).rev() {
            acc += pmf[k];
            if k <= j + 2 {
                t[k - j] = acc;
            }
        }
        TailsNear { j, t }
    }

    fn t(&self, k: usize) -> f64 {
        assert!(
            (self.j..self.j + 3).contains(&k),
            "suffix sum at {k} not held (held from {})",
            self.j
        );
        self.t[k - self.j]
    }
}

impl TailLookup for TailsNear {
    /// `P(X > k h)`, for `k` in `j..=j + 1`.
    fn above(&self, k: usize) -> f64 {
        self.t(k + 1)
    }
    /// The probability at index `k`, for `k` in `j..=j + 1`.
    fn at(&self, k: usize) -> f64 {
        self.t(k) - self.t(k + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::{TailLookup, Tails, TailsNear};

    #[test]
    fn tails_near_an_index_are_the_full_suffix_sums() {
        let pmf = [0.1, 0.2, 0.3, 1e-20, 0.4 - 1e-20];
        let full = Tails::new(&pmf);
        for j in 0..pmf.len() + 2 {
            let near = TailsNear::new(&pmf, j);
            for k in j..j + 2 {
                assert_eq!(TailLookup::above(&near, k), full.above(k), "above {k}");
                assert_eq!(TailLookup::at(&near, k), full.at(k), "at {k}");
            }
        }
    }

    #[test]
    fn tails_are_strictly_above_and_keep_small_masses() {
        let pmf = [0.5, 0.25, 0.25 - 1e-20, 1e-20];
        let t = Tails::new(&pmf);
        assert_eq!(t.above(0), 0.5);
        assert_eq!(t.above(2), 1e-20);
        assert_eq!(t.above(3), 0.0);
        assert_eq!(t.above(10), 0.0);
        assert_eq!(t.at(1), 0.25);
        assert_eq!(t.at(7), 0.0);
    }
}
