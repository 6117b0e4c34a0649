//! Posterior-predictive parameters: the fitted tail of a `stoploss fit`
//! drawn per trial from the estimates' sampling distribution, so that the
//! simulated years carry the uncertainty of twelve large claims instead of
//! treating the fit as known.
//!
//! The draw is `theta_t ~ N(theta_hat, I^-1)` (the observed information's
//! inverse from fit.json's `covariance`), truncated to the parameters the
//! simulator's spliced tail can carry with a finite mean: a tail index
//! `alpha` above `min_alpha` (at least 1; a Pareto's `alpha`, a GPD's
//! `1/xi` with `xi > 0`) and a GPD's `sigma > 0`. The mean excess over a
//! deductible grows as `1/(alpha - 1)`, so with a posterior that reaches
//! down to `alpha = 1` the expected excess layer is dominated by the
//! heaviest draws (with an uncapped layer its posterior-predictive mean is
//! infinite): `min_alpha` is the modeller's bound on how heavy a tail she
//! admits. Truncation is by
//! redrawing: a draw outside the region is thrown away and the next normals
//! taken, up to [`MAX_REDRAWS`] times (then the estimate itself is used), so
//! the trial's draws depend only on its own stream. How often that happens
//! is reported ([`Posterior::outside_share`]): a large share means the
//! listing cannot rule out an infinite-mean tail.
//!
//! A trial's tail is applied to every targeted component: the Pareto's
//! `tail_alpha` above the component's own threshold (single-parameter), or
//! the GPD's `tail_alpha = 1/xi`, `tail_theta = sigma/xi`, as
//! component.json and `--severity-alternatives` spell them.

use super::kernel::{plans_of, ClaimModel};
use crate::dist::{spliced_tail_of, AmountPlan, Severity, SimRng, TailSpec};
use crate::model::{Population, Profile};
use rand_distr::{Distribution, StandardNormal};

/// Draws outside the finite-mean region thrown away per trial before the
/// estimate is used instead. Part of the random stream's definition.
pub const MAX_REDRAWS: usize = 64;

/// Draws of the fixed stream that measures [`Posterior::redrawn_share`].
pub const SHARE_DRAWS: usize = 20_000;

/// The fitted family whose parameters are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TailFamily {
    /// Single-parameter Pareto: `alpha`.
    Pareto,
    /// Generalized Pareto: `sigma`, `xi` (fit.json's order, sorted names).
    Gpd,
}

impl TailFamily {
    /// The family's name in fit.json.
    pub fn name(self) -> &'static str {
        match self {
            TailFamily::Pareto => "pareto",
            TailFamily::Gpd => "gpd",
        }
    }

    /// Parameter names in the order of `mean` and the covariance.
    pub fn parameter_names(self) -> &'static [&'static str] {
        match self {
            TailFamily::Pareto => &["alpha"],
            TailFamily::Gpd => &["sigma", "xi"],
        }
    }
}

/// One trial's tail: what replaces each targeted component's `TailSpec`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TailDraw {
    /// Pareto index of the tail.
    pub alpha: f64,
    /// Lomax scale of the excess; `None`: the component's threshold (a
    /// single-parameter Pareto).
    pub theta: Option<f64>,
}

/// A validated posterior: where it comes from, the estimates and the
/// Cholesky factor of their covariance.
#[derive(Debug, Clone, PartialEq)]
pub struct Posterior {
    /// The fit file and family, for the report.
    pub source: String,
    /// The family drawn.
    pub family: TailFamily,
    /// The estimates, in [`TailFamily::parameter_names`] order.
    pub mean: Vec<f64>,
    /// Their standard errors (square roots of the covariance's diagonal).
    pub se: Vec<f64>,
    /// Lower-triangular `L` with `L L' = covariance`.
    pub cholesky: Vec<Vec<f64>>,
    /// Names of the claim components whose tails are drawn.
    pub components: Vec<String>,
    /// Draws with a tail index at or below this are redrawn (at least 1).
    pub min_alpha: f64,
}

/// The lower Cholesky factor of `cov`; `None` unless it is symmetric
/// positive definite.
pub fn cholesky(cov: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = cov.len();
    if cov.iter().any(|row| row.len() != n) {
        return None;
    }
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let tol = 1e-9 * (cov[i][j].abs() + cov[j][i].abs());
            if (cov[i][j] - cov[j][i]).abs() > tol {
                return None;
            }
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = cov[i][i] - s;
                if !(d > 0.0 && d.is_finite()) {
                    return None;
                }
                l[i][j] = d.sqrt();
            } else {
                l[i][j] = (cov[i][j] - s) / l[j][j];
            }
        }
    }
    Some(l)
}

impl Posterior {
    /// The tail of parameters `p` (in parameter order), when it lies in the
    /// region: a tail index above `min_alpha` (so a finite mean), a
    /// positive scale.
    pub fn tail_of(&self, p: &[f64]) -> Option<TailDraw> {
        let names = self.family.parameter_names();
        let by_name = |k: &str| names.iter().position(|n| *n == k).map(|i| p[i]);
        let (alpha, theta) = spliced_tail_of(self.family.name(), by_name)?;
        (alpha > self.min_alpha).then_some(TailDraw { alpha, theta })
    }

    /// One untruncated draw `mean + L z`, `z` standard normals from `rng`.
    fn normal(&self, rng: &mut SimRng) -> Vec<f64> {
        let z: Vec<f64> = (0..self.mean.len())
            .map(|_| StandardNormal.sample(rng))
            .collect();
        (0..self.mean.len())
            .map(|i| self.mean[i] + (0..=i).map(|k| self.cholesky[i][k] * z[k]).sum::<f64>())
            .collect()
    }

    /// The tail at the estimates.
    pub fn estimate(&self) -> Option<TailDraw> {
        self.tail_of(&self.mean)
    }

    /// One draw from `rng` (the estimate after [`MAX_REDRAWS`] draws outside
    /// the region).
    pub fn draw(&self, rng: &mut SimRng) -> TailDraw {
        for _ in 0..MAX_REDRAWS {
            if let Some(t) = self.tail_of(&self.normal(rng)) {
                return t;
            }
        }
        self.estimate()
            .expect("a validated posterior's estimates lie in the region")
    }

    /// The share of the normal draws thrown away for an infinite mean,
    /// from [`SHARE_DRAWS`] draws of a fixed stream.
    pub fn redrawn_share(&self) -> f64 {
        self.outside_share(0, SHARE_DRAWS)
    }

    /// The share of untruncated normal draws outside the finite-mean
    /// region, from `n` draws of a fixed stream (`seed`).
    pub fn outside_share(&self, seed: u64, n: usize) -> f64 {
        let mut rng = super::seed::block_rng(seed, u64::MAX);
        let outside = (0..n)
            .filter(|_| self.tail_of(&self.normal(&mut rng)).is_none())
            .count();
        outside as f64 / n.max(1) as f64
    }
}

/// A per-worker copy of the population's claim model whose targeted tails
/// are rewritten for each trial.
#[derive(Debug, Clone)]
pub struct PosteriorModel {
    profiles: Vec<Profile>,
    plans: Vec<Vec<AmountPlan>>,
    /// `(profile, component)` of every targeted spliced component.
    targets: Vec<(usize, usize)>,
}

impl PosteriorModel {
    /// The copy of `population`'s model with `posterior`'s components
    /// targeted (spliced components with those names).
    pub fn new(population: &Population, posterior: &Posterior) -> Self {
        let profiles = population.profiles.clone();
        let targets = profiles
            .iter()
            .enumerate()
            .flat_map(|(p, profile)| {
                profile
                    .components
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| {
                        matches!(c.severity, Severity::Spliced { .. })
                            && posterior.components.contains(&c.name)
                    })
                    .map(move |(i, _)| (p, i))
            })
            .collect();
        let plans = plans_of(&profiles);
        PosteriorModel {
            profiles,
            plans,
            targets,
        }
    }

    /// Gives every targeted component the tail `draw`.
    pub fn set(&mut self, draw: TailDraw) {
        for &(p, i) in &self.targets {
            let c = &mut self.profiles[p].components[i];
            if let Severity::Spliced {
                threshold, tail, ..
            } = &mut c.severity
            {
                *tail = TailSpec {
                    alpha: draw.alpha,
                    theta: draw.theta.unwrap_or(*threshold),
                };
            }
            self.plans[p][i] = AmountPlan::for_severity(&c.severity);
        }
    }

    /// The model as the kernel reads it.
    pub fn view(&self) -> ClaimModel<'_> {
        ClaimModel {
            profiles: &self.profiles,
            plans: &self.plans,
        }
    }

    /// The profiles with the current tails.
    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }

    /// The model of `study`'s posterior, if it has one.
    pub fn of_study(study: &crate::model::Study) -> Option<Self> {
        study
            .parameter_risk
            .as_ref()
            .and_then(|p| p.posterior.as_ref())
            .map(|post| PosteriorModel::new(&study.population, post))
    }

    /// Number of targeted (profile, component) pairs.
    pub fn targets(&self) -> usize {
        self.targets.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pareto(alpha: f64, se: f64) -> Posterior {
        Posterior {
            source: "test".into(),
            family: TailFamily::Pareto,
            mean: vec![alpha],
            se: vec![se],
            cholesky: cholesky(&[vec![se * se]]).unwrap(),
            components: vec!["medical".into()],
            min_alpha: 1.0,
        }
    }

    #[test]
    fn draws_follow_the_truncated_normal() {
        // alpha ~ N(2, 0.3^2) truncated to alpha > 1 (3.3 sd away: nearly
        // untruncated), so mean 2 and sd 0.3 within sampling error.
        let post = pareto(2.0, 0.3);
        let mut rng = super::super::seed::block_rng(11, 0);
        let n = 100_000;
        let d: Vec<f64> = (0..n).map(|_| post.draw(&mut rng).alpha).collect();
        let m = d.iter().sum::<f64>() / n as f64;
        let sd = (d.iter().map(|a| (a - m).powi(2)).sum::<f64>() / n as f64).sqrt();
        assert!(
            (m - 2.0).abs() < 4.0 * 0.3 / (n as f64).sqrt() + 1e-4,
            "{m}"
        );
        assert!((sd / 0.3 - 1.0).abs() < 0.01, "{sd}");
        assert!(d.iter().all(|&a| a > 1.0));
    }

    #[test]
    fn truncation_share_matches_the_normal_tail() {
        // P(alpha <= 1) for N(1.611, 0.465^2) is Phi(-1.314) = 0.0944.
        let post = pareto(1.611, 0.465);
        let share = post.outside_share(3, 200_000);
        assert!((share - 0.0944).abs() < 0.003, "{share}");
        let mut rng = super::super::seed::block_rng(3, 1);
        assert!((0..10_000).all(|_| post.draw(&mut rng).alpha > 1.0));
        // A bound of 1.2: P(alpha <= 1.2) = Phi(-0.884) = 0.1884.
        let bounded = Posterior {
            min_alpha: 1.2,
            ..post
        };
        let share = bounded.outside_share(3, 200_000);
        assert!((share - 0.1884).abs() < 0.004, "{share}");
        assert!((0..10_000).all(|_| bounded.draw(&mut rng).alpha > 1.2));
    }

    #[test]
    fn gpd_draws_become_lomax_tails() {
        let cov = vec![vec![4.0e8, -1.0e3], vec![-1.0e3, 0.01]];
        let post = Posterior {
            source: "test".into(),
            family: TailFamily::Gpd,
            mean: vec![90_000.0, 0.4],
            se: vec![2.0e4, 0.1],
            cholesky: cholesky(&cov).unwrap(),
            components: vec![],
            min_alpha: 1.0,
        };
        let t = post.estimate().unwrap();
        assert!((t.alpha - 2.5).abs() < 1e-12 && (t.theta.unwrap() - 225_000.0).abs() < 1e-6);
        let mut rng = super::super::seed::block_rng(5, 0);
        for _ in 0..1000 {
            let d = post.draw(&mut rng);
            assert!(d.alpha > 1.0 && d.theta.unwrap() > 0.0);
        }
    }

    #[test]
    fn cholesky_refuses_what_is_not_a_covariance() {
        assert!(cholesky(&[vec![1.0, 2.0], vec![2.0, 1.0]]).is_none());
        assert!(cholesky(&[vec![1.0, 0.5], vec![0.4, 1.0]]).is_none());
        assert!(cholesky(&[vec![1.0]]).is_some());
        let l = cholesky(&[vec![4.0, 2.0], vec![2.0, 5.0]]).unwrap();
        assert_eq!(l, vec![vec![2.0, 0.0], vec![1.0, 2.0]]);
    }
}
