//! Parameter risk: per-trial shocks to the claim model, drawn from a stream
//! of their own so that the claim stream (`seed::block_rng`) is untouched
//! and every candidate still sees the same trials.
//!
//! Each trial's shock generator is a Xoshiro256++ seeded from ChaCha8
//! seeded with `seed ^ PARAMETER_RISK_SALT`, stream = block, positioned at
//! word `8 x trial`: the shock of trial (seed, block, trial) depends on
//! nothing else (not on the number of draws of other trials, the thread
//! count or the sharding).
//!
//! Mechanisms (domain notes, section 8), each off unless given:
//! - **frequency contagion**: `G ~ Gamma(mean 1, CV c_f)`, every member's
//!   expected claim count times `G` (a CV floor `c_f` that does not
//!   diversify with group size: `CV^2(S) ~ E[X^2]/(n lambda mu^2) + c_f^2`);
//! - **severity scale**: `B ~ Gamma(mean 1, CV c_s)`, every amount times
//!   `B` (re-centred: the mean is unchanged, unlike `X/B`);
//! - **posterior-predictive parameters**: a fitted tail drawn per trial
//!   from `N(theta_hat, I^-1)` truncated to a finite mean
//!   ([`super::posterior`], the covariance from fit.json), after the two
//!   multipliers in the same trial stream.
//!
//! The driver draws [`TrialShock`] per trial with [`ParameterRisk::shock`]
//! when the study has a `parameter_risk` block, and the kernel applies it at
//! one spot each (`Frequency::sample_scaled` for counts, the amount next to
//! the member's `severity_scale`, and the tail through a per-trial copy of
//! the claim model, [`super::posterior::PosteriorModel`]); without the block
//! no shock is drawn and results are unchanged.

use super::posterior::{Posterior, TailDraw};
use crate::dist::SimRng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma};

/// Mixed into the seed of the shock stream so it never coincides with the
/// claim stream of the same seed.
pub const PARAMETER_RISK_SALT: u64 = 0x7061_7261_6d5f_7269; // "param_ri"

/// The parameter-risk settings of a study.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParameterRisk {
    /// CV of the per-trial frequency multiplier (0: none).
    pub frequency_cv: f64,
    /// CV of the per-trial severity multiplier (0: none).
    pub severity_cv: f64,
    /// A fitted tail drawn per trial (`None`: the tails as configured).
    pub posterior: Option<Posterior>,
}

/// One trial's shock: multipliers of expected claim counts and amounts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrialShock {
    /// Multiplies every member's expected claim count.
    pub frequency_scale: f64,
    /// Multiplies every claim amount.
    pub severity_scale: f64,
    /// The trial's tail of the posterior's components (`None`: as
    /// configured).
    pub tail: Option<TailDraw>,
}

impl TrialShock {
    /// No shock.
    pub const NONE: TrialShock = TrialShock {
        frequency_scale: 1.0,
        severity_scale: 1.0,
        tail: None,
    };
}

/// The shock generator of trial `trial` (0-based within its block) of
/// block `block`.
pub fn trial_rng(seed: u64, block: u64, trial: u64) -> SimRng {
    let mut chacha = ChaCha8Rng::seed_from_u64(seed ^ PARAMETER_RISK_SALT);
    chacha.set_stream(block);
    // Seeding a Xoshiro256++ takes 32 bytes = 8 ChaCha words.
    chacha.set_word_pos(u128::from(trial) * 8);
    SimRng::from_rng(&mut chacha)
}

/// A Gamma(mean 1, CV `cv`) draw; exactly 1 at CV 0.
fn unit_gamma(cv: f64, rng: &mut SimRng) -> f64 {
    if cv <= 0.0 {
        return 1.0;
    }
    let shape = 1.0 / (cv * cv);
    match Gamma::new(shape, cv * cv) {
        Ok(g) => g.sample(rng),
        Err(_) => 1.0,
    }
}

impl ParameterRisk {
    /// The shock of trial (`seed`, `block`, `trial`).
    pub fn shock(&self, seed: u64, block: u64, trial: u64) -> TrialShock {
        let mut rng = trial_rng(seed, block, trial);
        let frequency_scale = unit_gamma(self.frequency_cv, &mut rng);
        let severity_scale = unit_gamma(self.severity_cv, &mut rng);
        let tail = self.posterior.as_ref().map(|p| p.draw(&mut rng));
        TrialShock {
            frequency_scale,
            severity_scale,
            tail,
        }
    }
}

/// The law of total variance over trials: `outcomes[t]` and the trial's
/// conditional mean `conditional_means[t] = E[S | theta_t]` give
/// `(total, process, parameter)` variances, with
/// parameter = Var(E[S | theta]) and process = E[Var(S | theta)] =
/// mean((S - E[S | theta])^2) (so the two add up to the total up to
/// sampling error).
pub fn variance_split(outcomes: &[f64], conditional_means: &[f64]) -> (f64, f64, f64) {
    let n = outcomes.len().min(conditional_means.len()) as f64;
    if n < 2.0 {
        return (0.0, 0.0, 0.0);
    }
    let mean = |v: &mut dyn Iterator<Item = f64>| v.sum::<f64>() / n;
    let m = mean(&mut outcomes.iter().copied());
    let mc = mean(&mut conditional_means.iter().copied());
    let total = mean(&mut outcomes.iter().map(|s| (s - m).powi(2)));
    let parameter = mean(&mut conditional_means.iter().map(|c| (c - mc).powi(2)));
    let process = mean(
        &mut outcomes
            .iter()
            .zip(conditional_means)
            .map(|(s, c)| (s - c).powi(2)),
    );
    (total, process, parameter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::seed::block_rng;
    use rand::Rng;

    #[test]
    fn shocks_are_reproducible_per_trial_and_leave_the_claim_stream_alone() {
        let pr = ParameterRisk {
            frequency_cv: 0.2,
            severity_cv: 0.1,
            posterior: None,
        };
        let a = pr.shock(7, 3, 100);
        assert_eq!(a, pr.shock(7, 3, 100));
        assert_ne!(a, pr.shock(7, 3, 101));
        assert_ne!(a, pr.shock(7, 4, 100));
        // The claim stream of (7, 3) is the same whether shocks are drawn or not.
        let before: Vec<u64> = {
            let mut r = block_rng(7, 3);
            (0..4).map(|_| r.next_u64()).collect()
        };
        let _ = pr.shock(7, 3, 0);
        let mut r = block_rng(7, 3);
        let after: Vec<u64> = (0..4).map(|_| r.next_u64()).collect();
        assert_eq!(before, after);
        let mut shock_rng = trial_rng(7, 3, 0);
        assert_ne!(shock_rng.next_u64(), before[0]);
        assert_eq!(ParameterRisk::default().shock(7, 3, 0), TrialShock::NONE);
    }

    #[test]
    fn unit_gamma_has_mean_1_and_the_cv() {
        let pr = ParameterRisk {
            frequency_cv: 0.25,
            severity_cv: 0.0,
            posterior: None,
        };
        let n = 200_000u64;
        let v: Vec<f64> = (0..n)
            .map(|t| pr.shock(1, t / 1024, t % 1024).frequency_scale)
            .collect();
        let m = v.iter().sum::<f64>() / n as f64;
        let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64).sqrt();
        // se of the mean 0.25/sqrt(n) = 5.6e-4; of the sd about 0.25/sqrt(2n) x 1.2.
        assert!((m - 1.0).abs() < 3e-3, "{m}");
        assert!((sd - 0.25).abs() < 3e-3, "{sd}");
    }

    #[test]
    fn variance_split_adds_up() {
        // S = G * 100 + noise: parameter variance 100^2 Var(G).
        let pr = ParameterRisk {
            frequency_cv: 0.3,
            severity_cv: 0.0,
            posterior: None,
        };
        let mut rng = block_rng(5, 0);
        let (mut s, mut c) = (Vec::new(), Vec::new());
        for t in 0..100_000 {
            let g = pr.shock(5, 0, t).frequency_scale;
            let noise: f64 = rand_distr::StandardNormal.sample(&mut rng);
            c.push(100.0 * g);
            s.push(100.0 * g + 10.0 * noise);
        }
        let (total, process, parameter) = variance_split(&s, &c);
        assert!((parameter / 900.0 - 1.0).abs() < 0.03, "{parameter}");
        assert!((process / 100.0 - 1.0).abs() < 0.03, "{process}");
        assert!(((process + parameter) / total - 1.0).abs() < 0.02);
    }
}
