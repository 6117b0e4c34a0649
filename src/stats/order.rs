//! Order statistics of a sample, from a sorted slice or from a sample in
//! which only the needed ranks have been put in place ([`Ranked`]).
//!
//! A candidate's figures read a few dozen ranks and the sorted worst tail
//! (TVaRs) of its per-trial costs; selecting those instead of sorting every
//! trial gives the same values, bit for bit: under `f64::total_cmp` equal
//! elements have equal bits, so the element selected at a rank is the one a
//! full sort puts there, and the tail is sorted as a full sort orders it.

/// Read access to the order statistics of a sample.
pub trait OrderStatistics {
    /// Sample size.
    fn len(&self) -> usize;
    /// Whether the sample is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The element at 0-based position `i` of the ascending order.
    fn at(&self, i: usize) -> f64;
    /// The `k` largest elements, ascending.
    fn top(&self, k: usize) -> &[f64];
    /// How many elements are `<= x`.
    fn count_at_most(&self, x: f64) -> usize;
}

impl OrderStatistics for [f64] {
    fn len(&self) -> usize {
        <[f64]>::len(self)
    }
    fn at(&self, i: usize) -> f64 {
        self[i]
    }
    fn top(&self, k: usize) -> &[f64] {
        &self[self.len() - k..]
    }
    fn count_at_most(&self, x: f64) -> usize {
        self.partition_point(|&v| v <= x)
    }
}

impl OrderStatistics for Vec<f64> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }
    fn at(&self, i: usize) -> f64 {
        self[i]
    }
    fn top(&self, k: usize) -> &[f64] {
        self.as_slice().top(k)
    }
    fn count_at_most(&self, x: f64) -> usize {
        self.as_slice().count_at_most(x)
    }
}

impl<const N: usize> OrderStatistics for [f64; N] {
    fn len(&self) -> usize {
        N
    }
    fn at(&self, i: usize) -> f64 {
        self[i]
    }
    fn top(&self, k: usize) -> &[f64] {
        self.as_slice().top(k)
    }
    fn count_at_most(&self, x: f64) -> usize {
        self.as_slice().count_at_most(x)
    }
}

/// A sample with the ascending-order positions it was built for put in
/// place and its largest `tail` elements sorted; the rest is only
/// partitioned between those positions.
#[derive(Debug, Clone)]
pub struct Ranked {
    values: Vec<f64>,
    /// Positions below `tail_start` in place, ascending.
    placed: Vec<usize>,
    /// `values[tail_start..]` is sorted (0 when everything is).
    tail_start: usize,
}

/// Below this many elements a full sort is as cheap as selecting.
const SORT_BELOW: usize = 4096;

impl Ranked {
    /// Puts positions `positions` (0-based, of the ascending order; any
    /// order, repeats allowed, each below `values.len()`) in place, and
    /// sorts the largest `tail` elements. A sample holding a NaN is sorted
    /// whole: `<=` and `total_cmp` disagree on it, and [`Self::count_at_most`]
    /// relies on their agreement.
    pub fn new(mut values: Vec<f64>, positions: &[usize], tail: usize) -> Self {
        let n = values.len();
        let tail = tail.min(n);
        if n < SORT_BELOW || values.iter().any(|v| v.is_nan()) {
            values.sort_unstable_by(f64::total_cmp);
            return Ranked {
                values,
                placed: Vec::new(),
                tail_start: 0,
            };
        }
        let tail_start = n - tail;
        if tail_start > 0 {
            values.select_nth_unstable_by(tail_start, f64::total_cmp);
        }
        values[tail_start..].sort_unstable_by(f64::total_cmp);
        let mut placed: Vec<usize> = positions
            .iter()
            .copied()
            .filter(|&i| i < tail_start)
            .collect();
        placed.sort_unstable();
        placed.dedup();
        select_all(&mut values[..tail_start], &placed, 0);
        Ranked {
            values,
            placed,
            tail_start,
        }
    }
}

/// Puts each position of `positions` (ascending, relative to `offset`'s
/// start of `v`) in place: the middle one first, then each side within its
/// partition, so the work is about `n log(positions)`.
fn select_all(v: &mut [f64], positions: &[usize], offset: usize) {
    if positions.is_empty() {
        return;
    }
    let mid = positions.len() / 2;
    let at = positions[mid] - offset;
    let (left, _, right) = v.select_nth_unstable_by(at, f64::total_cmp);
    select_all(left, &positions[..mid], offset);
    select_all(right, &positions[mid + 1..], offset + at + 1);
}

impl OrderStatistics for Ranked {
    fn len(&self) -> usize {
        self.values.len()
    }

    fn at(&self, i: usize) -> f64 {
        assert!(
            i >= self.tail_start || self.placed.binary_search(&i).is_ok(),
            "order statistic {i} was not selected"
        );
        self.values[i]
    }

    fn top(&self, k: usize) -> &[f64] {
        let n = self.values.len();
        assert!(k <= n - self.tail_start, "the top {k} were not sorted");
        &self.values[n - k..]
    }

    /// Elements left of a placed position are `<=` it and elements right of
    /// it `>=` it (`total_cmp`, which `<=` agrees with on non-NaN values up
    /// to the sign of zero, which does not change a count against `x`), so
    /// only the stretch between the last placed position `<= x` and the
    /// next one needs looking at.
    fn count_at_most(&self, x: f64) -> usize {
        let v = &self.values;
        let n = v.len();
        if self.tail_start < n && v[self.tail_start] <= x {
            return self.tail_start + v[self.tail_start..].partition_point(|&y| y <= x);
        }
        let k = self.placed.partition_point(|&i| v[i] <= x);
        let from = if k == 0 { 0 } else { self.placed[k - 1] + 1 };
        let to = self.placed.get(k).copied().unwrap_or(self.tail_start);
        from + v[from..to].iter().filter(|&&y| y <= x).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{
        exceedance_curve, needed_positions, prob_exceeds, quantile, quantile_interval, tvar,
        tvar_se, Z95,
    };

    /// Samples with ties, signed zeros and infinities, from a fixed
    /// xorshift stream.
    fn sample(n: usize, seed: u64) -> Vec<f64> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                match x % 50 {
                    0 => 0.0,
                    1 => -0.0,
                    2 => f64::INFINITY,
                    3..=12 => 1_000.0 * (x % 7) as f64,
                    _ => (x >> 11) as f64 / (1u64 << 53) as f64 * 1e6 - 1e5,
                }
            })
            .collect()
    }

    #[test]
    fn selected_figures_are_the_sorted_figures_bit_for_bit() {
        let levels = [0.5, 0.75, 0.9, 0.95, 0.99, 0.995];
        let tvars = [0.9, 0.95, 0.99];
        for (n, seed) in [(4096, 1), (5000, 2), (20_000, 3), (77_777, 4)] {
            let values = sample(n, seed);
            let mut sorted = values.clone();
            sorted.sort_unstable_by(f64::total_cmp);
            let (positions, tail) = needed_positions(n, &levels, &levels, Z95, &tvars);
            let ranked = Ranked::new(values, &positions, tail);
            assert!(
                tail < n / 5,
                "a tail of {tail} of {n}: nothing left to select"
            );
            let bits = |x: f64| x.to_bits();
            let s = sorted.as_slice();
            for &p in &levels {
                assert_eq!(bits(quantile(&ranked, p)), bits(quantile(s, p)), "{n} q{p}");
                let (a, b) = quantile_interval(&ranked, p, Z95);
                let (c, d) = quantile_interval(s, p, Z95);
                assert_eq!((bits(a), bits(b)), (bits(c), bits(d)), "{n} ci{p}");
            }
            for &p in &tvars {
                assert_eq!(bits(tvar(&ranked, p)), bits(tvar(s, p)), "{n} tvar{p}");
                assert_eq!(bits(tvar_se(&ranked, p)), bits(tvar_se(s, p)), "{n} se{p}");
            }
            assert_eq!(ranked.at(n - 1).to_bits(), s[n - 1].to_bits());
            let curve = |c: Vec<(f64, f64)>| {
                c.into_iter()
                    .map(|(x, p)| (bits(x), bits(p)))
                    .collect::<Vec<_>>()
            };
            assert_eq!(curve(exceedance_curve(&ranked)), curve(exceedance_curve(s)));
            // Thresholds anywhere: between, at and beyond the elements.
            for i in (0..n).step_by(97) {
                for x in [s[i], s[i] + 0.5, -s[i], 0.0, -0.0, f64::INFINITY, -1e9] {
                    assert_eq!(
                        bits(prob_exceeds(&ranked, x)),
                        bits(prob_exceeds(s, x)),
                        "{n} P(X > {x})"
                    );
                }
            }
        }
    }

    #[test]
    fn a_sample_with_nan_is_sorted_whole() {
        let mut values = sample(10_000, 9);
        values[17] = f64::NAN;
        let mut sorted = values.clone();
        sorted.sort_unstable_by(f64::total_cmp);
        let ranked = Ranked::new(values, &[5_000], 10);
        for i in [0, 1_234, 9_998] {
            assert_eq!(ranked.at(i).to_bits(), sorted[i].to_bits());
        }
        assert_eq!(
            ranked.count_at_most(0.0),
            sorted.as_slice().count_at_most(0.0)
        );
    }
}
