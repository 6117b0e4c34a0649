//! Claim-count distributions.

use super::count_table::CountTable;
use super::{check_positive, check_probability, uniform, ParamError};
use rand::Rng;
use rand_distr::Distribution;

/// Means up to this use inversion against a precomputed (or running) CDF;
/// larger means use `rand_distr`'s PTRS sampler.
const INVERSION_MAX_MEAN: f64 = 40.0;

/// A claim-count distribution for one member-year (before exposure scaling).
#[derive(Debug, Clone)]
pub enum Frequency {
    /// Poisson with the given mean.
    Poisson(PoissonTable),
    /// Negative binomial with mean `mean` and variance `variance > mean`,
    /// sampled by inversion against its CDF ([`CountTable`]); under a
    /// parameter-risk shock, as a Poisson whose mean is gamma distributed.
    NegativeBinomial {
        /// Expected count.
        mean: f64,
        /// Variance of the count.
        variance: f64,
        /// The mixing gamma for the Poisson mean.
        mixing: rand_distr::Gamma<f64>,
        /// Its CDF, built once.
        table: Box<CountTable>,
    },
    /// One claim with probability `p`, else none (a claimant model).
    Bernoulli {
        /// Probability of a claim.
        p: f64,
    },
}

impl Frequency {
    /// Poisson with mean `mean >= 0`.
    pub fn poisson(mean: f64) -> Result<Self, ParamError> {
        if !(mean.is_finite() && mean >= 0.0) {
            return Err(ParamError::new(
                "mean",
                format!("must be a finite number at least 0, got {mean}"),
            ));
        }
        if mean > 1e6 {
            return Err(ParamError::new(
                "mean",
                format!("must be at most 1000000 claims per member-year, got {mean}"),
            ));
        }
        Ok(Frequency::Poisson(PoissonTable::new(mean)))
    }

    /// Negative binomial given its mean and variance (`variance > mean`).
    pub fn negative_binomial(mean: f64, variance: f64) -> Result<Self, ParamError> {
        check_positive("mean", mean)?;
        check_positive("variance", variance)?;
        if mean > 1e6 {
            return Err(ParamError::new(
                "mean",
                format!("must be at most 1000000 claims per member-year, got {mean}"),
            ));
        }
        if variance <= mean * (1.0 + 1e-12) {
            return Err(ParamError::new(
                "variance",
                format!(
                    "must exceed the mean ({mean}) for a negative binomial; use poisson when they are equal, got {variance}"
                ),
            ));
        }
        let scale = (variance - mean) / mean;
        let shape = mean / scale;
        let mixing = rand_distr::Gamma::new(shape, scale).map_err(|e| {
            ParamError::new("variance", format!("gives no valid gamma mixing ({e})"))
        })?;
        Ok(Frequency::NegativeBinomial {
            mean,
            variance,
            mixing,
            table: Box::new(CountTable::negative_binomial(shape, scale)),
        })
    }

    /// Bernoulli: one claim with probability `p`.
    pub fn bernoulli(p: f64) -> Result<Self, ParamError> {
        Ok(Frequency::Bernoulli {
            p: check_probability("p", p)?,
        })
    }

    /// The same distribution for a fraction `exposure` (in `(0, 1]`) of a year:
    /// Poisson and negative binomial means scale (the gamma mixing keeps its
    /// shape), the Bernoulli probability scales.
    pub fn with_exposure(&self, exposure: f64) -> Self {
        if exposure == 1.0 {
            return self.clone();
        }
        match self {
            Frequency::Poisson(t) => Frequency::Poisson(PoissonTable::new(t.mean * exposure)),
            Frequency::NegativeBinomial { mean, variance, .. } => {
                let scale = (variance - mean) / mean * exposure;
                let m = mean * exposure;
                let shape = m / scale;
                Frequency::NegativeBinomial {
                    mean: m,
                    variance: m + shape * scale * scale,
                    mixing: rand_distr::Gamma::new(shape, scale).expect("validated parameters"),
                    table: Box::new(CountTable::negative_binomial(shape, scale)),
                }
            }
            Frequency::Bernoulli { p } => Frequency::Bernoulli { p: p * exposure },
        }
    }

    /// Expected number of claims.
    pub fn mean(&self) -> f64 {
        match self {
            Frequency::Poisson(t) => t.mean,
            Frequency::NegativeBinomial { mean, .. } => *mean,
            Frequency::Bernoulli { p } => *p,
        }
    }

    /// Variance of the number of claims.
    pub fn variance(&self) -> f64 {
        match self {
            Frequency::Poisson(t) => t.mean,
            Frequency::NegativeBinomial { variance, .. } => *variance,
            Frequency::Bernoulli { p } => p * (1.0 - p),
        }
    }

    /// Probability of no claim.
    pub fn prob_zero(&self) -> f64 {
        match self {
            Frequency::Poisson(t) => (-t.mean).exp(),
            Frequency::NegativeBinomial { mean, variance, .. } => {
                let scale = (variance - mean) / mean;
                (1.0 + scale).powf(-mean / scale)
            }
            Frequency::Bernoulli { p } => 1.0 - p,
        }
    }

    /// A count whose expected value is `scale` times the distribution's
    /// (parameter risk's frequency shock): a Poisson or negative binomial
    /// mean times `scale` (the mixing gamma's draw scaled), a Bernoulli `p`
    /// times `scale` capped at 1. `scale == 1` is exactly [`Self::sample`].
    #[inline]
    pub fn sample_scaled<R: Rng + ?Sized>(&self, rng: &mut R, scale: f64) -> u32 {
        if scale == 1.0 {
            return self.sample(rng);
        }
        match self {
            Frequency::Poisson(t) => poisson_running(t.mean * scale, rng),
            Frequency::NegativeBinomial { mixing, .. } => {
                let lambda = mixing.sample(rng) * scale;
                poisson_running(lambda, rng)
            }
            Frequency::Bernoulli { p } => u32::from(uniform(rng) < (p * scale).min(1.0)),
        }
    }

    /// Draws a claim count.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        match self {
            Frequency::Poisson(t) => t.sample(rng),
            Frequency::NegativeBinomial { table, .. } => table.sample(rng),
            Frequency::Bernoulli { p } => u32::from(uniform(rng) < *p),
        }
    }
}

/// Poisson sampling by inversion against a CDF table built once.
#[derive(Debug, Clone)]
pub struct PoissonTable {
    mean: f64,
    /// `cdf[k] = P(N <= k)`, the last entry forced to 1. Empty above
    /// [`INVERSION_MAX_MEAN`].
    cdf: Vec<f64>,
    /// `guide[j]`: the first `k` with `cdf[k] > j / GUIDE`, where the search
    /// for a uniform in `[j / GUIDE, (j + 1) / GUIDE)` can start (Chen and
    /// Asau's guide table: the same draws in fewer comparisons).
    guide: Vec<u32>,
    /// `cdf[..HEAD]`, padded with infinity: the count is the number of
    /// these a uniform reaches, when below [`HEAD`] (see
    /// [`PoissonTable::sample`]).
    head: [f64; HEAD],
    large: Option<rand_distr::Poisson<f64>>,
}

/// Cumulative probabilities compared with the uniform at once, in vector
/// lanes. Poisson(3) counts stay below it 98.8% of the time.
const HEAD: usize = 8;

/// Buckets of the Poisson guide table. With 1,024, a bucket rarely holds a
/// step of the CDF, so the search after the lookup almost never runs and
/// the branch is almost always predicted.
pub(super) const GUIDE: usize = 1024;

/// The guide table of a cumulative table `cdf`: entry `j` is the first `k`
/// with `cdf[k] > j / GUIDE`, where an inversion search for a uniform in
/// `[j / GUIDE, (j + 1) / GUIDE)` can start.
pub(super) fn guide_table(cdf: &[f64]) -> Vec<u32> {
    (0..GUIDE)
        .map(|j| {
            let lo = j as f64 / GUIDE as f64;
            cdf.iter().position(|&c| c > lo).unwrap_or(cdf.len() - 1) as u32
        })
        .collect()
}

impl PoissonTable {
    fn new(mean: f64) -> Self {
        if mean > INVERSION_MAX_MEAN {
            return PoissonTable {
                mean,
                cdf: Vec::new(),
                guide: Vec::new(),
                head: [f64::INFINITY; HEAD],
                large: Some(rand_distr::Poisson::new(mean).expect("validated mean")),
            };
        }
        let mut cdf = Vec::new();
        let mut p = (-mean).exp();
        let mut c = p;
        let mut k = 0u32;
        // Stop once the remaining tail is below the resolution of a 53-bit
        // uniform, or once rounding stops the running total from growing
        // (it can stall a few ulps below 1); the last entry is then 1.
        while 1.0 - c > 2.3e-16 && k < 10_000 {
            cdf.push(c);
            k += 1;
            p *= mean / f64::from(k);
            let next = c + p;
            if next <= c {
                break;
            }
            c = next;
        }
        cdf.push(1.0);
        let guide = guide_table(&cdf);
        let mut head = [f64::INFINITY; HEAD];
        for (h, &c) in head.iter_mut().zip(&cdf) {
            *h = c;
        }
        PoissonTable {
            mean,
            cdf,
            guide,
            head,
            large: None,
        }
    }

    #[inline(always)]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        if let Some(large) = &self.large {
            return large.sample(rng) as u32;
        }
        self.invert(uniform(rng))
    }

    /// The count of uniform `u`: the smallest `k` with `u < cdf[k]`.
    #[inline(always)]
    fn invert(&self, u: f64) -> u32 {
        // The smallest k with u < cdf[k] is the number of entries at or
        // below u (the table is nondecreasing and ends at 1 > u): counted
        // over the head with compares and no branch, which a search whose
        // length is the random count would mispredict.
        let below = self.head.iter().map(|&c| u32::from(u >= c)).sum::<u32>();
        if below < HEAD as u32 {
            return below;
        }
        self.search(u)
    }

    /// The inversion search from the guide table: the same count the head
    /// gives, for counts of [`HEAD`] or more.
    #[inline(never)]
    fn search(&self, u: f64) -> u32 {
        let mut k = self.guide[(u * GUIDE as f64) as usize] as usize;
        while u >= self.cdf[k] {
            k += 1;
        }
        k as u32
    }
}

/// A Poisson count of mean `mean` drawn without a precomputed table:
/// inversion with a running CDF for means up to 40, `rand_distr`'s PTRS
/// sampler above. For a mean used once per trial (the simulation kernel's
/// pooled components, whose mean is a sum over members), where building a
/// table would cost more than the draws it saves.
#[inline]
pub fn poisson_count<R: Rng + ?Sized>(mean: f64, rng: &mut R) -> u32 {
    poisson_running(mean, rng)
}

/// Poisson sampling for a mean that changes every draw (the negative
/// binomial's gamma-mixed mean): inversion with a running CDF.
#[inline]
fn poisson_running<R: Rng + ?Sized>(lambda: f64, rng: &mut R) -> u32 {
    if lambda > INVERSION_MAX_MEAN {
        return rand_distr::Poisson::new(lambda)
            .map(|d| d.sample(rng) as u32)
            .unwrap_or(0);
    }
    let u = uniform(rng);
    let mut p = (-lambda).exp();
    let mut c = p;
    let mut k = 0u32;
    while u >= c && k < 10_000 {
        k += 1;
        p *= lambda / f64::from(k);
        c += p;
        if p == 0.0 && c < u {
            // Rounding left the CDF short of u: the remaining mass is
            // below 2^-53, so stop here.
            break;
        }
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_compares_give_the_guide_search_counts() {
        for mean in [0.0, 0.05, 1.0, 3.0, 7.5, 12.0, 40.0] {
            let t = PoissonTable::new(mean);
            let mut us: Vec<f64> = (0..200_000).map(|i| i as f64 / 200_000.0).collect();
            // The steps themselves and their neighbours.
            for &c in &t.cdf {
                us.extend([
                    c,
                    f64::from_bits(c.to_bits() - 1),
                    f64::from_bits(c.to_bits() + 1),
                ]);
            }
            for u in us.into_iter().filter(|u| (0.0..1.0).contains(u)) {
                assert_eq!(t.invert(u), t.search(u), "mean {mean}, u {u}");
            }
        }
    }

    #[test]
    fn poisson_tables_stay_short_and_end_at_one() {
        // Means whose running CDF stalls a few ulps below 1 used to run the
        // table to its 10,000-entry cap.
        for mean in [0.1, 0.061, 0.128, 0.4, 0.5, 2.75, 3.0, 40.0] {
            let t = PoissonTable::new(mean);
            assert!(t.cdf.len() < 120, "mean {mean}: {} entries", t.cdf.len());
            assert_eq!(*t.cdf.last().unwrap(), 1.0);
            assert!(t.cdf.windows(2).all(|w| w[0] <= w[1]));
        }
    }
}
