//! Claim-amount (severity) distributions.

use super::{check_positive, check_probability, uniform, uniform_open0, ParamError};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use statrs::distribution::{ContinuousCDF, Normal};
use statrs::function::gamma::{gamma, gamma_lr, gamma_ur};
use std::sync::Arc;

/// Body mass below the threshold from which a spliced body is sampled by
/// rejection rather than by its quantile function.
pub(crate) const REJECTION_MIN_MASS: f64 = 0.5;

/// The Pareto tail of a spliced severity: above the threshold `t` the amount
/// is `t + Y` with `Y` Lomax(`alpha`, `theta`); `theta = t` (the default) makes
/// it a single-parameter Pareto with `P(X > x) = q (t / x)^alpha`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TailSpec {
    /// Pareto index.
    pub alpha: f64,
    /// Lomax scale of the excess over the threshold.
    pub theta: f64,
}

impl TailSpec {
    /// The tail amount above `threshold` at uniform `v` (inversion).
    #[inline]
    pub(crate) fn above(&self, threshold: f64, v: f64) -> f64 {
        threshold + lomax_from_uniform(self.alpha, self.theta, v)
    }
}

/// The spliced tail (`tail_alpha`, `tail_theta`) of a fitted tail family,
/// when the simulator can carry it with a finite mean: a single-parameter
/// Pareto's `alpha > 1` (`tail_theta` left to the threshold, `None`), or a
/// GPD with `0 < xi < 1` and `sigma > 0` as `u` + Lomax(`1/xi`,
/// `sigma/xi`). `parameter` gives the fit's parameters by name
/// (`alpha`; `xi`, `sigma`); other families have no such tail.
pub fn spliced_tail_of(
    family: &str,
    parameter: impl Fn(&str) -> Option<f64>,
) -> Option<(f64, Option<f64>)> {
    match family {
        "pareto" => parameter("alpha")
            .filter(|a| a.is_finite() && *a > 1.0)
            .map(|a| (a, None)),
        "gpd" => {
            let (xi, sigma) = (parameter("xi")?, parameter("sigma")?);
            (xi > 0.0 && xi < 1.0 && sigma > 0.0 && sigma.is_finite())
                .then_some((1.0 / xi, Some(sigma / xi)))
        }
        _ => None,
    }
}

/// A claim-amount distribution. All amounts are in dollars and non-negative.
#[derive(Debug, Clone)]
pub enum Severity {
    /// `exp(mu + sigma Z)` with `Z` standard normal.
    LogNormal {
        /// Mean of the log.
        mu: f64,
        /// Standard deviation of the log.
        sigma: f64,
    },
    /// Gamma with shape and scale.
    Gamma {
        /// Shape `k`.
        shape: f64,
        /// Scale `theta` (mean is `k theta`).
        scale: f64,
        /// The sampler.
        sampler: rand_distr::Gamma<f64>,
    },
    /// Exponential with the given mean.
    Exponential {
        /// Mean amount.
        mean: f64,
    },
    /// Weibull with `P(X > x) = exp(-(x / scale)^shape)`.
    Weibull {
        /// Shape `k`.
        shape: f64,
        /// Scale `lambda`.
        scale: f64,
    },
    /// Pareto II (Lomax): `F(x) = 1 - (theta / (x + theta))^alpha`.
    Lomax {
        /// Pareto index (`> 1`: a finite mean is required).
        alpha: f64,
        /// Scale.
        theta: f64,
    },
    /// A body distribution below `threshold` and a Pareto tail above it with
    /// probability `tail_prob`.
    Spliced {
        /// The body, conditioned on being below the threshold.
        body: Box<Severity>,
        /// Where the tail starts.
        threshold: f64,
        /// `P(X > threshold)`.
        tail_prob: f64,
        /// The tail.
        tail: TailSpec,
        /// `P(body < threshold)`, precomputed.
        body_mass: f64,
    },
    /// Resampling with equal weights from observed amounts.
    Empirical {
        /// The observed amounts (non-negative, at least one).
        values: Arc<[f64]>,
    },
}

impl Severity {
    /// Lognormal from the parameters of the log.
    pub fn lognormal(mu: f64, sigma: f64) -> Result<Self, ParamError> {
        if !mu.is_finite() || mu.abs() > 50.0 {
            return Err(ParamError::new(
                "mu",
                format!("must be a finite number between -50 and 50, got {mu}"),
            ));
        }
        check_positive("sigma", sigma)?;
        if sigma > 10.0 {
            return Err(ParamError::new(
                "sigma",
                format!("must be at most 10 (larger values have no meaningful mean), got {sigma}"),
            ));
        }
        Ok(Severity::LogNormal { mu, sigma })
    }

    /// Lognormal from its mean and coefficient of variation.
    pub fn lognormal_mean_cv(mean: f64, cv: f64) -> Result<Self, ParamError> {
        check_positive("mean", mean)?;
        check_positive("cv", cv)?;
        let s2 = (1.0 + cv * cv).ln();
        Self::lognormal(mean.ln() - s2 / 2.0, s2.sqrt()).map_err(|e| {
            let field = if e.field == "mu" { "mean" } else { "cv" };
            ParamError::new(
                field,
                format!(
                    "mean {mean} with cv {cv} gives a lognormal whose {} {}",
                    e.field, e.message
                ),
            )
        })
    }

    /// Gamma from shape and scale.
    pub fn gamma(shape: f64, scale: f64) -> Result<Self, ParamError> {
        check_positive("shape", shape)?;
        check_positive("scale", scale)?;
        let sampler = rand_distr::Gamma::new(shape, scale)
            .map_err(|e| ParamError::new("shape", format!("not a valid gamma ({e})")))?;
        Ok(Severity::Gamma {
            shape,
            scale,
            sampler,
        })
    }

    /// Gamma from its mean and coefficient of variation.
    pub fn gamma_mean_cv(mean: f64, cv: f64) -> Result<Self, ParamError> {
        check_positive("mean", mean)?;
        check_positive("cv", cv)?;
        Self::gamma(1.0 / (cv * cv), mean * cv * cv).map_err(|e| {
            ParamError::new(
                "cv",
                format!(
                    "mean {mean} with cv {cv} gives a gamma whose {} {}",
                    e.field, e.message
                ),
            )
        })
    }

    /// Exponential with the given mean.
    pub fn exponential(mean: f64) -> Result<Self, ParamError> {
        Ok(Severity::Exponential {
            mean: check_positive("mean", mean)?,
        })
    }

    /// Weibull from shape and scale.
    pub fn weibull(shape: f64, scale: f64) -> Result<Self, ParamError> {
        check_positive("shape", shape)?;
        check_positive("scale", scale)?;
        if shape < 0.05 {
            return Err(ParamError::new(
                "shape",
                format!("must be at least 0.05 (smaller shapes overflow), got {shape}"),
            ));
        }
        Ok(Severity::Weibull { shape, scale })
    }

    /// Pareto II / Lomax. `alpha <= 1` has an infinite mean and is refused.
    pub fn lomax(alpha: f64, theta: f64) -> Result<Self, ParamError> {
        check_alpha(alpha)?;
        check_positive("theta", theta)?;
        Ok(Severity::Lomax { alpha, theta })
    }

    /// A body below `threshold`, spliced to a Pareto tail with `P(X > threshold) = tail_prob`.
    pub fn spliced(
        body: Severity,
        threshold: f64,
        tail_prob: f64,
        tail: TailSpec,
    ) -> Result<Self, ParamError> {
        check_positive("threshold", threshold)?;
        check_probability("tail_probability", tail_prob)?;
        check_alpha(tail.alpha).map_err(|e| ParamError::new("tail_alpha", e.message))?;
        check_positive("tail_theta", tail.theta)?;
        if matches!(body, Severity::Spliced { .. }) {
            return Err(ParamError::new("body", "cannot itself be spliced"));
        }
        let body = match body {
            Severity::Empirical { values } => {
                let below: Vec<f64> = values.iter().copied().filter(|&v| v < threshold).collect();
                if below.is_empty() {
                    return Err(ParamError::new(
                        "body",
                        format!("empirical body has no value below the threshold {threshold}"),
                    ));
                }
                Severity::Empirical {
                    values: below.into(),
                }
            }
            other => other,
        };
        let body_mass = body.cdf(threshold);
        let needs_rejection = body.quantile(0.5).is_none();
        if tail_prob < 1.0 && (body_mass < 1e-9 || (needs_rejection && body_mass < 0.01)) {
            return Err(ParamError::new(
                "threshold",
                format!(
                    "leaves the body almost no mass below it (P(body < {threshold}) = {body_mass:.3e}); raise the threshold"
                ),
            ));
        }
        Ok(Severity::Spliced {
            body: Box::new(body),
            threshold,
            tail_prob,
            tail,
            body_mass,
        })
    }

    /// Resampling from observed amounts.
    pub fn empirical(values: Vec<f64>) -> Result<Self, ParamError> {
        if values.is_empty() {
            return Err(ParamError::new("values", "must list at least one amount"));
        }
        if let Some((i, v)) = values
            .iter()
            .enumerate()
            .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
        {
            return Err(ParamError::new(
                "values",
                format!("entry {i} must be a finite amount at least 0, got {v}"),
            ));
        }
        Ok(Severity::Empirical {
            values: values.into(),
        })
    }

    /// Draws one claim amount.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Severity::LogNormal { mu, sigma } => {
                let z: f64 = StandardNormal.sample(rng);
                (mu + sigma * z).exp()
            }
            Severity::Gamma { sampler, .. } => sampler.sample(rng),
            Severity::Exponential { mean } => -mean * uniform_open0(rng).ln(),
            Severity::Weibull { shape, scale } => {
                scale * (-uniform_open0(rng).ln()).powf(1.0 / shape)
            }
            Severity::Lomax { alpha, theta } => lomax_from_uniform(*alpha, *theta, uniform(rng)),
            Severity::Spliced {
                body,
                threshold,
                tail_prob,
                tail,
                body_mass,
            } => {
                let u = uniform(rng);
                if u < *tail_prob {
                    // Reuse u: conditioned on u < q, u / q is uniform on [0, 1).
                    tail.above(*threshold, u / tail_prob)
                } else {
                    body.sample_below(*threshold, *body_mass, rng)
                }
            }
            Severity::Empirical { values } => {
                let i = (uniform(rng) * values.len() as f64) as usize;
                values[i.min(values.len() - 1)]
            }
        }
    }

    /// The sum of `n` draws. A gamma sum (shape other than 1) is one
    /// Gamma(`n` shape, scale) draw (the sum of independent gammas with a
    /// common scale is gamma);
    /// other severities make the draws [`Severity::sample`] would, in order
    /// (the distribution is matched once rather than per draw).
    #[inline]
    pub fn sample_sum<R: Rng + ?Sized>(&self, n: u32, rng: &mut R) -> f64 {
        let mut sum = 0.0;
        match self {
            // Shape 1 is sampled as an exponential (a few ns), cheaper than
            // one Gamma(n) draw for the claim counts seen in practice.
            Severity::Gamma { shape, scale, .. } if n > 1 && *shape != 1.0 => {
                return rand_distr::Gamma::new(shape * f64::from(n), *scale)
                    .expect("a validated gamma's shape times a count is valid")
                    .sample(rng);
            }
            Severity::LogNormal { mu, sigma } => {
                for _ in 0..n {
                    let z: f64 = StandardNormal.sample(rng);
                    sum += (mu + sigma * z).exp();
                }
            }
            _ => {
                for _ in 0..n {
                    sum += self.sample(rng);
                }
            }
        }
        sum
    }

    /// A draw from this distribution conditioned on being below `t`, where
    /// `mass = P(X < t)`.
    fn sample_below<R: Rng + ?Sized>(&self, t: f64, mass: f64, rng: &mut R) -> f64 {
        if let Severity::Empirical { values } = self {
            // Already restricted to values below the threshold.
            let i = (uniform(rng) * values.len() as f64) as usize;
            return values[i.min(values.len() - 1)];
        }
        // Rejection is cheaper than a quantile function when most of the
        // body lies below the threshold (the usual case); a body without a
        // closed-form quantile (gamma) always uses it, accepted with
        // probability `mass >= 0.01` (checked at construction).
        if mass < REJECTION_MIN_MASS {
            if let Some(x) = self.quantile(uniform(rng) * mass) {
                return x.min(t);
            }
        }
        loop {
            let x = self.sample(rng);
            if x < t {
                return x;
            }
        }
    }

    /// The `p`-quantile where it has a closed form (or a fast exact routine).
    pub fn quantile(&self, p: f64) -> Option<f64> {
        let p = p.clamp(0.0, 1.0);
        match self {
            Severity::LogNormal { mu, sigma } => {
                let z = Normal::standard().inverse_cdf(p);
                Some((mu + sigma * z).exp())
            }
            Severity::Exponential { mean } => Some(-mean * (1.0 - p).ln()),
            Severity::Weibull { shape, scale } => Some(scale * (-(1.0 - p).ln()).powf(1.0 / shape)),
            Severity::Lomax { alpha, theta } => Some(lomax_from_uniform(*alpha, *theta, p)),
            Severity::Gamma { .. } | Severity::Spliced { .. } | Severity::Empirical { .. } => None,
        }
    }

    /// `P(X <= x)`.
    pub fn cdf(&self, x: f64) -> f64 {
        match self {
            Severity::Empirical { values } => {
                values.iter().filter(|&&v| v <= x).count() as f64 / values.len() as f64
            }
            _ if x <= 0.0 => 0.0,
            Severity::LogNormal { mu, sigma } => Normal::standard().cdf((x.ln() - mu) / sigma),
            Severity::Gamma { .. } if !x.is_finite() => 1.0,
            Severity::Gamma { shape, scale, .. } => gamma_lr(*shape, x / scale),
            Severity::Exponential { mean } => 1.0 - (-x / mean).exp(),
            Severity::Weibull { shape, scale } => 1.0 - (-(x / scale).powf(*shape)).exp(),
            Severity::Lomax { alpha, theta } => 1.0 - (theta / (x + theta)).powf(*alpha),
            Severity::Spliced {
                body,
                threshold,
                tail_prob,
                tail,
                body_mass,
            } => {
                if x < *threshold {
                    if *body_mass > 0.0 {
                        (1.0 - tail_prob) * body.cdf(x) / body_mass
                    } else {
                        0.0
                    }
                } else {
                    let y = x - threshold;
                    1.0 - tail_prob * (tail.theta / (y + tail.theta)).powf(tail.alpha)
                }
            }
        }
    }

    /// `P(X > x)`, or `P(X >= x)` when `inclusive` (they differ only at the
    /// atoms of an empirical distribution). Computed directly rather than as
    /// `1 - cdf` so that small tail probabilities keep their precision.
    pub fn survival(&self, x: f64, inclusive: bool) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        if x == f64::INFINITY {
            return 0.0;
        }
        match self {
            Severity::Empirical { values } => {
                let n = if inclusive {
                    values.iter().filter(|&&v| v >= x).count()
                } else {
                    values.iter().filter(|&&v| v > x).count()
                };
                n as f64 / values.len() as f64
            }
            _ if x < 0.0 || (x == 0.0 && inclusive) => 1.0,
            Severity::LogNormal { mu, sigma } => {
                if x == 0.0 {
                    1.0
                } else {
                    Normal::standard().sf((x.ln() - mu) / sigma)
                }
            }
            Severity::Gamma { shape, scale, .. } => {
                if x == 0.0 {
                    1.0
                } else {
                    gamma_ur(*shape, x / scale)
                }
            }
            Severity::Exponential { mean } => (-x / mean).exp(),
            Severity::Weibull { shape, scale } => (-(x / scale).powf(*shape)).exp(),
            Severity::Lomax { alpha, theta } => (theta / (x + theta)).powf(*alpha),
            Severity::Spliced {
                body,
                threshold,
                tail_prob,
                tail,
                body_mass,
            } => {
                if x < *threshold {
                    let below = if *body_mass > 0.0 {
                        (1.0 - body.survival(x, inclusive)) / body_mass
                    } else {
                        1.0
                    };
                    tail_prob + (1.0 - tail_prob) * (1.0 - below).max(0.0)
                } else {
                    let y = x - threshold;
                    tail_prob * (tail.theta / (y + tail.theta)).powf(tail.alpha)
                }
            }
        }
    }

    /// `E[(X - d)+]`, the expected excess over `d`.
    pub fn expected_excess(&self, d: f64) -> f64 {
        if d <= 0.0 {
            return self.mean() - d;
        }
        let below = match self {
            Severity::Spliced {
                body,
                threshold,
                tail_prob,
                tail,
                body_mass,
            } => {
                if d <= *threshold {
                    let body_part = if *body_mass > 0.0 {
                        body.partial_mean(d) / body_mass
                    } else {
                        0.0
                    };
                    (1.0 - tail_prob) * body_part
                } else {
                    let body_part = if *body_mass > 0.0 {
                        body.partial_mean(*threshold) / body_mass
                    } else {
                        0.0
                    };
                    // Tail part below d: threshold + Y with Y Lomax, Y < d - threshold.
                    let y = d - threshold;
                    let lomax = Severity::Lomax {
                        alpha: tail.alpha,
                        theta: tail.theta,
                    };
                    let p_below = 1.0 - (tail.theta / (y + tail.theta)).powf(tail.alpha);
                    (1.0 - tail_prob) * body_part
                        + tail_prob * (threshold * p_below + lomax.partial_mean(y))
                }
            }
            _ => self.partial_mean(d),
        };
        // E[(X - d)+] = E[X] - E[X 1{X < d}] - d P(X >= d).
        (self.mean() - below - d * self.survival(d, true)).max(0.0)
    }

    /// `E[X 1{X < t}]`, the partial expectation below `t`.
    pub fn partial_mean(&self, t: f64) -> f64 {
        if t <= 0.0 {
            return 0.0;
        }
        match self {
            Severity::LogNormal { mu, sigma } => {
                (mu + sigma * sigma / 2.0).exp()
                    * Normal::standard().cdf((t.ln() - mu - sigma * sigma) / sigma)
            }
            Severity::Gamma { shape, scale, .. } => {
                shape * scale * gamma_lr(shape + 1.0, t / scale)
            }
            Severity::Exponential { mean } => mean - (t + mean) * (-t / mean).exp(),
            Severity::Weibull { shape, scale } => {
                let a = 1.0 + 1.0 / shape;
                scale * gamma(a) * gamma_lr(a, (t / scale).powf(*shape))
            }
            Severity::Lomax { alpha, theta } => {
                let surv = (theta / (t + theta)).powf(*alpha);
                let limited =
                    theta / (alpha - 1.0) * (1.0 - (theta / (t + theta)).powf(alpha - 1.0));
                limited - t * surv
            }
            Severity::Spliced { .. } => {
                // Only used for splice bodies, which cannot be spliced.
                f64::NAN
            }
            Severity::Empirical { values } => {
                values.iter().filter(|&&v| v < t).sum::<f64>() / values.len() as f64
            }
        }
    }

    /// Expected claim amount.
    pub fn mean(&self) -> f64 {
        match self {
            Severity::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Severity::Gamma { shape, scale, .. } => shape * scale,
            Severity::Exponential { mean } => *mean,
            Severity::Weibull { shape, scale } => scale * gamma(1.0 + 1.0 / shape),
            Severity::Lomax { alpha, theta } => theta / (alpha - 1.0),
            Severity::Spliced {
                body,
                threshold,
                tail_prob,
                tail,
                body_mass,
            } => {
                let body_mean = if *body_mass > 0.0 {
                    body.partial_mean(*threshold) / body_mass
                } else {
                    0.0
                };
                (1.0 - tail_prob) * body_mean
                    + tail_prob * (threshold + tail.theta / (tail.alpha - 1.0))
            }
            Severity::Empirical { values } => values.iter().sum::<f64>() / values.len() as f64,
        }
    }

    /// `E[X^2]`, infinite where the Pareto index is at most 2; `None` for a
    /// spliced severity (not needed by the engine).
    pub fn second_moment(&self) -> Option<f64> {
        Some(match self {
            Severity::LogNormal { mu, sigma } => (2.0 * mu + 2.0 * sigma * sigma).exp(),
            Severity::Gamma { shape, scale, .. } => shape * (shape + 1.0) * scale * scale,
            Severity::Exponential { mean } => 2.0 * mean * mean,
            Severity::Weibull { shape, scale } => scale * scale * gamma(1.0 + 2.0 / shape),
            Severity::Lomax { alpha, theta } => {
                if *alpha <= 2.0 {
                    f64::INFINITY
                } else {
                    2.0 * theta * theta / ((alpha - 1.0) * (alpha - 2.0))
                }
            }
            Severity::Spliced { .. } => return None,
            Severity::Empirical { values } => {
                values.iter().map(|v| v * v).sum::<f64>() / values.len() as f64
            }
        })
    }

    /// The smallest Pareto index of any power tail in the distribution
    /// (`None` when all moments are finite), for infinite-variance warnings.
    pub fn tail_index(&self) -> Option<f64> {
        match self {
            Severity::Lomax { alpha, .. } => Some(*alpha),
            Severity::Spliced {
                tail, tail_prob, ..
            } if *tail_prob > 0.0 => Some(tail.alpha),
            _ => None,
        }
    }
}

fn check_alpha(alpha: f64) -> Result<(), ParamError> {
    if !(alpha.is_finite() && alpha > 1.0) {
        return Err(ParamError::new(
            "alpha",
            format!("must be greater than 1 (alpha <= 1 has an infinite mean), got {alpha}"),
        ));
    }
    Ok(())
}

/// Lomax quantile at `u`: `theta ((1 - u)^(-1/alpha) - 1)`.
#[inline]
fn lomax_from_uniform(alpha: f64, theta: f64, u: f64) -> f64 {
    theta * ((1.0 - u).powf(-1.0 / alpha) - 1.0)
}
