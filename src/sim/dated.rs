//! The contract-timing kernel: one plan year of dated claims. Used only
//! when the study has a timing model; the untimed kernel
//! ([`super::kernel`]) stays as it is.
//!
//! # Random stream
//! Per trial, members in population order, component by component: the
//! claim count; then per claim its incurral month (one uniform through the
//! member's seasonality over its months of enrollment), its amount
//! ([`crate::dist::Severity::sample`]), for an episode its duration (one
//! uniform), then one lag per piece. When the prior year was self-funded,
//! the prior year's claims of every member follow in the same order
//! (amounts deflated by one year of trend, months shifted back by 12); a
//! prior-year claim whose month is too early to be paid from month 1 on
//! draws nothing after its month, and pieces paid before month 1 are
//! dropped. Known claims' lags come last, in config order.

use super::parameter_risk::TrialShock;
use crate::contract::DatedClaim;
use crate::dist::{uniform, LagModel, SimRng};
use crate::model::{PriorYear, Profile, Study, Timing};

/// Draws dated plan years for a study with a timing model.
#[derive(Debug)]
pub struct DatedKernel<'a> {
    study: &'a Study,
    timing: &'a Timing,
    /// `month_cdf[(first - 1) * 12 + (last - 1)]`: the incurral-month cdf
    /// of a member enrolled from `first` to `last`.
    month_cdf: Vec<[f64; 12]>,
    /// `reach[profile][component]`: the most months after its incurral
    /// month that a piece of a claim can be paid (longest lag, plus an
    /// episode's length less one).
    reach: Vec<Vec<i32>>,
}

impl<'a> DatedKernel<'a> {
    /// A kernel for `study`, which must have a timing model.
    pub fn new(study: &'a Study) -> Self {
        let timing = study.timing.as_ref().expect("a timed study");
        let mut month_cdf = Vec::with_capacity(144);
        for first in 0..12 {
            for last in 0..12 {
                let mut cdf = [1.0; 12];
                if first <= last {
                    let total: f64 = timing.seasonality[first..=last].iter().sum();
                    let mut acc = 0.0;
                    for (m, c) in cdf.iter_mut().enumerate() {
                        if (first..=last).contains(&m) {
                            acc += timing.seasonality[m] / total;
                        }
                        *c = if m >= last { 1.0 } else { acc };
                    }
                }
                month_cdf.push(cdf);
            }
        }
        let episode = timing
            .episodes
            .as_ref()
            .map_or(0, |e| e.months.len() as i32 - 1);
        let reach = study
            .population
            .profiles
            .iter()
            .map(|p| {
                p.components
                    .iter()
                    .map(|c| c.lag.as_ref().unwrap_or(&timing.lag).max_lag() as i32 + episode)
                    .collect()
            })
            .collect();
        DatedKernel {
            study,
            timing,
            month_cdf,
            reach,
        }
    }

    /// The last month a policy-year claim can be paid.
    pub fn last_paid_month(&self) -> i32 {
        let population = &self.study.population;
        let max_lag = population
            .classes
            .iter()
            .flat_map(|c| &c.components)
            .filter_map(|c| c.lag.as_ref().map(LagModel::max_lag))
            .chain(
                self.timing
                    .known_claims
                    .iter()
                    .map(|k| k.lag_months.unwrap_or_else(|| k.lag.max_lag())),
            )
            .fold(self.timing.lag.max_lag(), u32::max);
        self.timing.last_paid_month(max_lag)
    }

    /// Draws one plan year into `out` (cleared first), sorted by member,
    /// under a parameter-risk `shock` (expected claim counts and amounts of
    /// the simulated claims, prior year included, scaled; known claims are
    /// known).
    pub fn simulate_trial(&self, rng: &mut SimRng, shock: &TrialShock, out: &mut Vec<DatedClaim>) {
        self.simulate_trial_in(&self.study.population.profiles, rng, shock, out);
    }

    /// [`Self::simulate_trial`] with the claim components of `profiles`
    /// (the population's, or a copy with posterior-predictive tails; same
    /// order and components).
    pub fn simulate_trial_in(
        &self,
        profiles: &[Profile],
        rng: &mut SimRng,
        shock: &TrialShock,
        out: &mut Vec<DatedClaim>,
    ) {
        debug_assert_eq!(profiles.len(), self.study.population.profiles.len());
        out.clear();
        self.draw_year(profiles, rng, 0, 1.0, shock, out);
        if self.timing.prior_year == PriorYear::SelfFunded {
            let deflated = 1.0 / self.timing.prior_year_deflator;
            self.draw_year(profiles, rng, -12, deflated, shock, out);
        }
        for k in &self.timing.known_claims {
            let lag = match k.lag_months {
                Some(l) => l,
                None => k.lag.for_amount(k.amount).sample(rng),
            };
            out.push(DatedClaim {
                member: k.member,
                amount: k.amount,
                incurred: k.incurred_month,
                paid: k.incurred_month + lag as i32,
                specific: k.specific,
                aggregate: k.aggregate,
            });
        }
        out.sort_by_key(|c| c.member);
    }

    /// One year of every member's claims, months shifted by `shift` and
    /// amounts scaled by `scale`; only pieces paid from month 1 on are kept.
    fn draw_year(
        &self,
        profiles: &[Profile],
        rng: &mut SimRng,
        shift: i32,
        scale: f64,
        shock: &TrialShock,
        out: &mut Vec<DatedClaim>,
    ) {
        let scale = scale * shock.severity_scale;
        let population = &self.study.population;
        let timing = self.timing;
        for (idx, member) in population.members.iter().enumerate() {
            let profile = &profiles[member.profile as usize];
            let (first, last) = if shift == 0 {
                (member.first_month as usize, member.last_month as usize)
            } else {
                (1, 12)
            };
            let cdf = &self.month_cdf[(first - 1) * 12 + (last - 1)];
            let reach = &self.reach[member.profile as usize];
            for (k, c) in profile.components.iter().enumerate() {
                let n = c.frequency.sample_scaled(rng, shock.frequency_scale);
                let lag = c.lag.as_ref().unwrap_or(&timing.lag);
                for _ in 0..n {
                    let u = uniform(rng);
                    let month = cdf.iter().position(|p| u < *p).unwrap_or(11) as i32 + 1;
                    // A prior-year claim that cannot be paid by month 1 is
                    // not drawn further.
                    if month + shift + reach[k] < 1 {
                        continue;
                    }
                    let amount = c.severity.sample(rng) * member.severity_scale * scale;
                    let pieces = match &timing.episodes {
                        Some(e) if amount > e.above => {
                            let u = uniform(rng);
                            e.cdf.iter().position(|p| u < *p).unwrap_or(e.cdf.len() - 1) + 1
                        }
                        _ => 1,
                    };
                    let piece = amount / pieces as f64;
                    for j in 0..pieces as i32 {
                        // An episode running past month 12 wraps to the
                        // year's first months: the same member's episode
                        // begun the year before (a stationary year).
                        let incurred = (month - 1 + j) % 12 + 1 + shift;
                        let paid = incurred + lag.for_amount(amount).sample(rng) as i32;
                        if paid >= 1 {
                            out.push(DatedClaim {
                                member: idx as u32,
                                amount: piece,
                                incurred,
                                paid,
                                specific: c.specific,
                                aggregate: c.aggregate,
                            });
                        }
                    }
                }
            }
        }
    }
}
