//! One simulated plan year of the whole population.

use crate::dist::SimRng;
use crate::model::{Laser, Population};

/// A member whose specific-eligible claims exceed the smallest deductible on
/// offer: the only members the specific options need to look at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LargeClaimant {
    /// Index of the member.
    pub member: u32,
    /// The member's claims that count toward the specific stop-loss.
    pub specific: f64,
    /// Share of `specific` that also counts toward the aggregate.
    pub aggregate_share: f64,
    /// The member's laser, if any.
    pub laser: Option<Laser>,
}

/// The claims of one trial, summarised for the contract arithmetic.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrialClaims {
    /// All claims of all members (every component).
    pub gross: f64,
    /// Claims of components that count toward the aggregate, before any
    /// specific reimbursement.
    pub aggregate_eligible: f64,
    /// Members above the smallest specific deductible.
    pub large: Vec<LargeClaimant>,
}

/// Samples whole plan years for a population.
#[derive(Debug)]
pub struct Kernel<'a> {
    population: &'a Population,
    /// Sorted by member index.
    lasers: &'a [(u32, Laser)],
    /// Specific-eligible claims above this are recorded as large.
    threshold: f64,
}

impl<'a> Kernel<'a> {
    /// A kernel recording members whose specific-eligible claims exceed
    /// `threshold` (the smallest specific deductible; infinite for none).
    /// `lasers` must be sorted by member index.
    pub fn new(population: &'a Population, lasers: &'a [(u32, Laser)], threshold: f64) -> Self {
        debug_assert!(lasers.windows(2).all(|w| w[0].0 < w[1].0));
        Kernel {
            population,
            lasers,
            threshold,
        }
    }

    /// Draws one plan year into `out` (cleared first).
    ///
    /// The stream is consumed member by member in population order, and for
    /// each member component by component: the claim count, then that many
    /// amounts.
    pub fn simulate_trial(&self, rng: &mut SimRng, out: &mut TrialClaims) {
        out.gross = 0.0;
        out.aggregate_eligible = 0.0;
        out.large.clear();
        let profiles = &self.population.profiles;
        for (idx, member) in self.population.members.iter().enumerate() {
            let profile = &profiles[member.profile as usize];
            let mut total = 0.0;
            let mut specific = 0.0;
            let mut specific_and_aggregate = 0.0;
            let mut aggregate_only = 0.0;
            for c in &profile.components {
                let n = c.frequency.sample(rng);
                if n == 0 {
                    continue;
                }
                let amount = c.severity.sample_sum(n, rng) * member.severity_scale;
                total += amount;
                match (c.specific, c.aggregate) {
                    (true, true) => {
                        specific += amount;
                        specific_and_aggregate += amount;
                    }
                    (true, false) => specific += amount,
                    (false, true) => aggregate_only += amount,
                    (false, false) => {}
                }
            }
            out.gross += total;
            out.aggregate_eligible += specific_and_aggregate + aggregate_only;
            if specific > self.threshold {
                let member = idx as u32;
                out.large.push(LargeClaimant {
                    member,
                    specific,
                    aggregate_share: specific_and_aggregate / specific,
                    laser: self.laser_of(member),
                });
            }
        }
    }

    fn laser_of(&self, member: u32) -> Option<Laser> {
        self.lasers
            .binary_search_by_key(&member, |(m, _)| *m)
            .ok()
            .map(|i| self.lasers[i].1)
    }
}
