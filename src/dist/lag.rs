//! Claim payment lags: how many months after its incurral month a claim is
//! paid, as a discrete pmf over 0, 1, 2, ... months, optionally by claim
//! size (large claims are paid more slowly).

use super::{uniform, ParamError, SimRng};

/// Longest lag a pmf may give, in months.
pub const MAX_LAG_MONTHS: usize = 36;

/// A pmf over lags of 0 to `len - 1` months, sampled by inversion.
#[derive(Debug, Clone, PartialEq)]
pub struct LagPmf {
    pmf: Vec<f64>,
    /// `cdf[k] = P(lag <= k)`; the last entry is exactly 1.
    cdf: Vec<f64>,
}

impl LagPmf {
    /// A pmf from its probabilities for lags 0, 1, 2, ... months: at most
    /// [`MAX_LAG_MONTHS`] + 1 entries, none negative, summing to 1 within
    /// 1e-6 (they are rescaled to sum to 1 exactly).
    pub fn new(pmf: Vec<f64>) -> Result<Self, ParamError> {
        if pmf.is_empty() {
            return Err(ParamError::new(
                "pmf",
                "must give at least one probability (lag 0)",
            ));
        }
        if pmf.len() > MAX_LAG_MONTHS + 1 {
            return Err(ParamError::new(
                "pmf",
                format!(
                    "gives lags up to {} months; at most {MAX_LAG_MONTHS} months are allowed ({} entries)",
                    pmf.len() - 1,
                    MAX_LAG_MONTHS + 1
                ),
            ));
        }
        if let Some(k) = pmf.iter().position(|p| !(p.is_finite() && *p >= 0.0)) {
            return Err(ParamError::new(
                "pmf",
                format!(
                    "entry {k} is {}: probabilities must be numbers of 0 or more",
                    pmf[k]
                ),
            ));
        }
        let total: f64 = pmf.iter().sum();
        if (total - 1.0).abs() > 1e-6 {
            return Err(ParamError::new(
                "pmf",
                format!("the probabilities sum to {total}; they must sum to 1"),
            ));
        }
        let pmf: Vec<f64> = pmf.iter().map(|p| p / total).collect();
        let mut cdf = Vec::with_capacity(pmf.len());
        let mut acc = 0.0;
        for p in &pmf {
            acc += p;
            cdf.push(acc);
        }
        *cdf.last_mut().expect("not empty") = 1.0;
        Ok(LagPmf { pmf, cdf })
    }

    /// Every claim paid in its incurral month.
    pub fn immediate() -> Self {
        LagPmf {
            pmf: vec![1.0],
            cdf: vec![1.0],
        }
    }

    /// The probabilities for lags 0, 1, 2, ... months.
    pub fn pmf(&self) -> &[f64] {
        &self.pmf
    }

    /// `P(lag <= k)` (1 beyond the longest lag, 0 below 0).
    pub fn cdf(&self, k: i64) -> f64 {
        if k < 0 {
            0.0
        } else {
            self.cdf.get(k as usize).copied().unwrap_or(1.0)
        }
    }

    /// The longest lag with positive probability, in months.
    pub fn max_lag(&self) -> u32 {
        self.pmf.iter().rposition(|p| *p > 0.0).unwrap_or(0) as u32
    }

    /// Mean lag in months.
    pub fn mean(&self) -> f64 {
        self.pmf.iter().enumerate().map(|(k, p)| k as f64 * p).sum()
    }

    /// Draws a lag: one uniform, inverted through the cdf.
    #[inline]
    pub fn sample(&self, rng: &mut SimRng) -> u32 {
        if self.cdf.len() == 1 {
            return 0;
        }
        let u = uniform(rng);
        self.cdf
            .iter()
            .position(|c| u < *c)
            .unwrap_or(self.cdf.len() - 1) as u32
    }
}

/// A lag pmf that may depend on claim size: `base` for claims up to the
/// first band's amount, each band's pmf for claims above its amount.
#[derive(Debug, Clone, PartialEq)]
pub struct LagModel {
    /// The pmf of claims at or below every band's amount.
    pub base: LagPmf,
    /// `(amount, pmf)` in increasing amount: claims above `amount` lag by
    /// `pmf` (the highest band they exceed).
    pub above: Vec<(f64, LagPmf)>,
}

impl LagModel {
    /// The same pmf for every claim size.
    pub fn flat(base: LagPmf) -> Self {
        LagModel {
            base,
            above: Vec::new(),
        }
    }

    /// The pmf of a claim of `amount` dollars.
    #[inline]
    pub fn for_amount(&self, amount: f64) -> &LagPmf {
        self.above
            .iter()
            .rev()
            .find(|(a, _)| amount > *a)
            .map_or(&self.base, |(_, p)| p)
    }

    /// The longest lag of any band.
    pub fn max_lag(&self) -> u32 {
        self.above
            .iter()
            .map(|(_, p)| p.max_lag())
            .fold(self.base.max_lag(), u32::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn rejects_bad_pmfs() {
        assert!(LagPmf::new(vec![]).is_err());
        assert!(LagPmf::new(vec![0.5, 0.6]).is_err());
        assert!(LagPmf::new(vec![1.1, -0.1]).is_err());
        assert!(LagPmf::new(vec![0.0; 38]).is_err());
        assert!(LagPmf::new(vec![0.3, 0.7]).is_ok());
    }

    #[test]
    fn samples_follow_the_pmf() {
        let pmf = LagPmf::new(vec![0.3, 0.4, 0.2, 0.1]).unwrap();
        let mut rng = SimRng::seed_from_u64(7);
        let n = 200_000;
        let mut counts = [0u32; 4];
        for _ in 0..n {
            counts[pmf.sample(&mut rng) as usize] += 1;
        }
        for (k, &c) in counts.iter().enumerate() {
            let p = pmf.pmf()[k];
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!((c as f64 / n as f64 - p).abs() < 5.0 * se, "lag {k}: {c}");
        }
        assert!((pmf.cdf(1) - 0.7).abs() < 1e-15);
        assert_eq!(pmf.cdf(9), 1.0);
        assert_eq!(pmf.max_lag(), 3);
    }

    #[test]
    fn bands_pick_the_highest_exceeded() {
        let model = LagModel {
            base: LagPmf::immediate(),
            above: vec![
                (1000.0, LagPmf::new(vec![0.0, 1.0]).unwrap()),
                (5000.0, LagPmf::new(vec![0.0, 0.0, 1.0]).unwrap()),
            ],
        };
        assert_eq!(model.for_amount(1000.0).max_lag(), 0);
        assert_eq!(model.for_amount(1000.5).max_lag(), 1);
        assert_eq!(model.for_amount(9e9).max_lag(), 2);
        assert_eq!(model.max_lag(), 2);
    }
}
