//! The multi-year kernel: `Y` consecutive plan years of every member's
//! claims per trial, the members persisting across years, severities
//! trended year by year ([`Projection::trend_factor`]).
//!
//! # Persistence
//! Each (member, component) that the persistence chain drives carries a
//! tier ([`Persistence`]). Year 1's risk score `u` is one uniform (its tier
//! is the band holding it: the stationary mix); each later year the tier
//! moves by one uniform through its transition row and the score is a
//! uniform point of the new band. The claim count is the count at `u`
//! ([`Frequency::invert`]), and with the position `w` of `u` inside that
//! count's probability, the largest of the `n` claims is the amount at
//! `w^(1/n)` (the largest of `n` uniforms) and the other `n - 1` are
//! amounts at uniforms below it. Counts and amounts are increasing in the
//! score, so a high-cost member tends to stay high; and since the score is
//! uniform every year, each year's claims follow the configured model.
//!
//! # Random stream
//! Per trial (block `b` draws from [`projection_rng`]`(seed, b)` in trial
//! order), year by year, members in population order, component by
//! component: a driven component draws its tier move (from year 2), its
//! score's position, then `n - 1` uniforms; another component draws its
//! count and amounts as the one-year kernel's claim-by-claim order does
//! ([`Frequency::sample`], [`Severity::sample_sum`]). After the last year,
//! one uniform per renewal for the rider's lapse. With `parameter_risk`,
//! each trial's shock ([`super::parameter_risk::ParameterRisk::shock`] at
//! the trial's (seed, block, trial)) scales every year's expected counts
//! and amounts.

use super::parameter_risk::TrialShock;
use crate::contract::{laser_of, MemberClaims, TrialClaims};
use crate::dist::{uniform, Frequency, SeverityInverse, SimRng};
use crate::model::{Persistence, Projection, Study};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Mixed into the seed of the projection's streams so they never coincide
/// with the one-year claim stream of the same seed.
const PROJECTION_SALT: u64 = 0x5052_4f4a_4543_5431;
/// The manual-rate pass's streams, distinct from the projection's.
const MANUAL_SALT: u64 = 0x4d41_4e55_414c_5241;

/// The generator of projection trial block `block`.
pub fn projection_rng(seed: u64, block: u64) -> SimRng {
    stream(seed ^ PROJECTION_SALT, block)
}

/// The generator of manual-rate trial block `block`.
pub fn manual_rng(seed: u64, block: u64) -> SimRng {
    stream(seed ^ MANUAL_SALT, block)
}

fn stream(seed: u64, block: u64) -> SimRng {
    let mut chacha = ChaCha8Rng::seed_from_u64(seed);
    chacha.set_stream(block);
    SimRng::from_rng(&mut chacha)
}

/// The manual pass's parameter-risk shocks are drawn with this seed.
pub fn manual_shock_seed(seed: u64) -> u64 {
    seed ^ MANUAL_SALT
}

/// One trial's plan years.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectedTrial {
    /// `years[y]`: year `y + 1`'s claims, with every member whose
    /// specific-eligible claims exceed the kernel's threshold.
    pub years: Vec<TrialClaims>,
    /// `largest[y]`: the largest member's specific-eligible claims in year
    /// `y + 1` (the rider's lapse trigger).
    pub largest: Vec<f64>,
    /// `lapse[r]`: the uniform of renewal `r + 1` for the rider's lapse.
    pub lapse: Vec<f64>,
    /// `flagged[y]`: with a laser `trigger_tier`, the members (in member
    /// order) whose persistence tier ends year `y + 1` at or above it, with
    /// their specific-eligible claims of that year.
    pub flagged: Vec<Vec<(u32, f64)>>,
}

/// Draws projected trials for a study with a projection.
#[derive(Debug)]
pub struct ProjectionKernel<'a> {
    study: &'a Study,
    projection: &'a Projection,
    /// `inverses[profile][component]`: the inverse of the severity of a
    /// component the persistence chain drives (with the chain).
    inverses: Vec<Vec<Option<(&'a Persistence, SeverityInverse)>>>,
    /// `trend[y]`: year `y + 1`'s severity factor over year 1.
    trend: Vec<f64>,
    /// Most components of any profile (tier slots per member).
    width: usize,
    threshold: f64,
}

impl<'a> ProjectionKernel<'a> {
    /// A kernel for `study` (which must have a projection) recording the
    /// members whose specific-eligible claims exceed `threshold`.
    pub fn new(study: &'a Study, threshold: f64) -> Self {
        let projection = study.projection.as_ref().expect("a projected study");
        let inverses: Vec<Vec<_>> = study
            .population
            .profiles
            .iter()
            .map(|p| {
                p.components
                    .iter()
                    .map(|c| {
                        projection
                            .persistence
                            .as_ref()
                            .filter(|chain| chain.drives(&c.name))
                            .map(|chain| (chain, SeverityInverse::new(&c.severity)))
                    })
                    .collect()
            })
            .collect();
        ProjectionKernel {
            study,
            projection,
            width: inverses.iter().map(Vec::len).max().unwrap_or(0),
            inverses,
            trend: (1..=projection.years)
                .map(|y| projection.trend_factor(y))
                .collect(),
            threshold,
        }
    }

    /// Draws one trial's years into `out` under a parameter-risk `shock`
    /// (the same every year: the parameters are unknown, not changing);
    /// `tiers` is per-trial scratch.
    pub fn simulate_trial(
        &self,
        rng: &mut SimRng,
        shock: &TrialShock,
        tiers: &mut Vec<u8>,
        out: &mut ProjectedTrial,
    ) {
        let years = self.projection.years as usize;
        let population = &self.study.population;
        let lasers = &self.study.contract.lasers;
        tiers.clear();
        tiers.resize(population.members.len() * self.width, 0);
        out.years.resize_with(years, TrialClaims::default);
        out.flagged.resize_with(years, Vec::new);
        out.largest.clear();
        let flag_tier = self.projection.renewal.laser.and_then(|l| l.trigger_tier);
        for (y, &trend) in self.trend.iter().enumerate() {
            let claims = &mut out.years[y];
            claims.gross = 0.0;
            claims.aggregate_eligible = 0.0;
            claims.large.clear();
            out.flagged[y].clear();
            let mut largest = 0.0f64;
            for (idx, member) in population.members.iter().enumerate() {
                let p = member.profile as usize;
                let scale = member.severity_scale * trend * shock.severity_scale;
                let own = &mut tiers[idx * self.width..(idx + 1) * self.width];
                let mut m = MemberClaims::default();
                for ((c, inverse), tier) in population.profiles[p]
                    .components
                    .iter()
                    .zip(&self.inverses[p])
                    .zip(own.iter_mut())
                {
                    let drawn = match inverse {
                        Some((chain, inverse)) => {
                            persistent_sum(rng, chain, y, tier, &c.frequency, shock, inverse)
                        }
                        None => match c.frequency.sample_scaled(rng, shock.frequency_scale) {
                            0 => 0.0,
                            n => c.severity.sample_sum(n, rng),
                        },
                    };
                    m.add(drawn * scale, c.specific, c.aggregate);
                }
                if let Some(k) = flag_tier {
                    let mut driven = self.inverses[p].iter().zip(own.iter());
                    if driven.any(|(inverse, t)| inverse.is_some() && *t >= k) {
                        out.flagged[y].push((idx as u32, m.specific));
                    }
                }
                claims.gross += m.total;
                claims.aggregate_eligible += m.aggregate_eligible();
                largest = largest.max(m.specific);
                if m.specific > self.threshold {
                    let member = idx as u32;
                    claims
                        .large
                        .push(m.large_claimant(member, laser_of(lasers, member)));
                }
            }
            out.largest.push(largest);
        }
        out.lapse.clear();
        out.lapse.extend((1..years).map(|_| uniform(rng)));
    }
}

/// One driven (member, component)'s claims in year `y` (0-based), moving
/// its tier.
fn persistent_sum(
    rng: &mut SimRng,
    p: &Persistence,
    y: usize,
    tier: &mut u8,
    frequency: &Frequency,
    shock: &TrialShock,
    inverse: &SeverityInverse,
) -> f64 {
    let score = if y == 0 {
        let u = uniform(rng);
        *tier = (p.bounds[1..]
            .iter()
            .position(|b| u < *b)
            .unwrap_or(p.tiers() - 1)) as u8;
        u
    } else {
        let cdf = &p.transition_cdf[*tier as usize];
        let v = uniform(rng);
        let next = cdf.iter().position(|c| v < *c).unwrap_or(p.tiers() - 1);
        *tier = next as u8;
        p.bounds[next] + p.width(next) * uniform(rng)
    };
    let (n, w) = frequency.invert_scaled(score, shock.frequency_scale);
    if n == 0 {
        return 0.0;
    }
    // The largest of n uniforms is w^(1/n); one claim is w itself.
    let top = if n == 1 {
        w
    } else {
        w.powf(1.0 / f64::from(n))
    };
    let mut sum = inverse.at(top);
    for _ in 1..n {
        sum += inverse.at(top * uniform(rng));
    }
    sum
}
