//! One simulated plan year of the whole population.

use super::parameter_risk::TrialShock;
use crate::contract::{laser_of, Laser, MemberClaims, TrialClaims};
use crate::dist::{AmountPlan, Exponents, SimRng, TrialNormals, SHORT_RUN};
use crate::model::Population;
use std::ops::Range;

/// `RUN_MASKS[n][j]` keeps element `j` of a window iff `j < n`.
static RUN_MASKS: [[u64; SHORT_RUN]; SHORT_RUN + 1] = {
    let mut masks = [[0u64; SHORT_RUN]; SHORT_RUN + 1];
    let mut n = 0;
    while n <= SHORT_RUN {
        let mut j = 0;
        while j < n {
            masks[n][j] = u64::MAX;
            j += 1;
        }
        n += 1;
    }
    masks
};

/// The sum of `amounts[start..end]`. A loop whose trip count is the claim
/// count would mispredict about once per member; up to [`SHORT_RUN`]
/// amounts are summed instead over a fixed window with the excess masked to
/// zero, as a pairwise tree (three dependent additions rather than eight).
/// Longer runs are summed left to right.
#[inline(always)]
fn run_sum(amounts: &[f64], start: usize, end: usize) -> f64 {
    let n = end - start;
    if n <= SHORT_RUN {
        // Masks from a table: a comparison per element compiles to branches.
        let keep = &RUN_MASKS[n];
        let mut w = [0.0; SHORT_RUN];
        for ((w, &a), &k) in w
            .iter_mut()
            .zip(&amounts[start..start + SHORT_RUN])
            .zip(keep)
        {
            *w = f64::from_bits(a.to_bits() & k);
        }
        ((w[0] + w[1]) + (w[2] + w[3])) + ((w[4] + w[5]) + (w[6] + w[7]))
    } else {
        amounts[start..end].iter().sum()
    }
}

/// Members drawn together: their counts, normals and amounts are drawn in
/// passes (see [`Kernel::simulate_trial`]), and a chunk's working arrays stay
/// in the CPU's caches however large the population. Part of the random
/// stream's definition: changing it changes results.
pub const MEMBER_CHUNK: usize = 512;

/// Per-trial working space of a [`Kernel`], reused from trial to trial.
#[derive(Debug, Clone, Default)]
pub struct TrialBuffers {
    /// Claim count of every (member, component), in draw order.
    counts: Vec<u32>,
    /// Per (member, component): the amounts drawn outright, and the end of
    /// its lognormal exponents in `exponents`.
    slots: Vec<(f64, u32)>,
    /// The normals of the trial's plain lognormal amounts.
    normals: TrialNormals,
    /// `mu + sigma z` of every lognormal amount of the trial, then its `exp`.
    exponents: Exponents,
}

/// Samples whole plan years for a population.
#[derive(Debug)]
pub struct Kernel<'a> {
    population: &'a Population,
    /// `plans[p][c]`: how component `c` of profile `p` draws its amounts.
    plans: Vec<Vec<AmountPlan>>,
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
        let plans = population
            .profiles
            .iter()
            .map(|p| {
                p.components
                    .iter()
                    .map(|c| AmountPlan::for_severity(&c.severity))
                    .collect()
            })
            .collect();
        Kernel {
            population,
            plans,
            lasers,
            threshold,
        }
    }

    /// Draws one plan year into `out` (cleared first).
    ///
    /// Members are taken in chunks of [`MEMBER_CHUNK`], in population order.
    /// Within a chunk the random stream is consumed in this order, members
    /// in order and, within a member, component by component: every claim
    /// count; the standard normals of every plain lognormal amount
    /// ([`TrialNormals`]); then the other amounts ([`AmountPlan::draw`]).
    /// Lognormal exponentials are taken at the end of the chunk, all at once.
    pub fn simulate_trial(
        &self,
        rng: &mut SimRng,
        buffers: &mut TrialBuffers,
        out: &mut TrialClaims,
    ) {
        self.simulate_trial_shocked(rng, buffers, out, &TrialShock::NONE);
    }

    /// [`Self::simulate_trial`] under a parameter-risk shock: expected claim
    /// counts times `shock.frequency_scale`, amounts times
    /// `shock.severity_scale` ([`TrialShock::NONE`] draws exactly what
    /// `simulate_trial` draws).
    pub fn simulate_trial_shocked(
        &self,
        rng: &mut SimRng,
        buffers: &mut TrialBuffers,
        out: &mut TrialClaims,
        shock: &TrialShock,
    ) {
        out.gross = 0.0;
        out.aggregate_eligible = 0.0;
        out.large.clear();
        let members = &self.population.members;
        for first in (0..members.len()).step_by(MEMBER_CHUNK) {
            let chunk = first..(first + MEMBER_CHUNK).min(members.len());
            self.simulate_chunk(chunk, rng, buffers, out, shock);
        }
    }

    /// Draws the members `chunk` of a plan year and adds them to `out`.
    fn simulate_chunk(
        &self,
        chunk: Range<usize>,
        rng: &mut SimRng,
        buffers: &mut TrialBuffers,
        out: &mut TrialClaims,
        shock: &TrialShock,
    ) {
        let profiles = &self.population.profiles;
        let members = &self.population.members[chunk.clone()];
        let TrialBuffers {
            counts,
            slots,
            normals,
            exponents,
        } = buffers;
        counts.clear();
        slots.clear();
        let mut normal_count = 0;
        let mut batched_count = 0;
        for member in members {
            let p = member.profile as usize;
            for (c, plan) in profiles[p].components.iter().zip(&self.plans[p]) {
                // Parameter risk, frequency: the one place counts are scaled.
                let n = c.frequency.sample_scaled(rng, shock.frequency_scale);
                counts.push(n);
                if plan.uses_trial_normals() {
                    normal_count += n as usize;
                }
                if plan.writes_exponents() {
                    batched_count += n as usize;
                }
            }
        }
        exponents.reset(batched_count);
        normals.draw(normal_count, rng);
        let mut slot = 0;
        for member in members {
            let p = member.profile as usize;
            for (c, plan) in profiles[p].components.iter().zip(&self.plans[p]) {
                let n = counts[slot];
                slot += 1;
                let direct = if n == 0 {
                    0.0
                } else {
                    plan.draw(&c.severity, n, rng, normals, exponents)
                };
                slots.push((direct, exponents.len() as u32));
            }
        }
        let amounts = exponents.exponentiate();
        self.sum_members(chunk, slots, amounts, out, shock.severity_scale);
    }

    /// Adds up each member of `chunk`'s amounts by component and adds the
    /// chunk's totals and large claimants to `out`.
    fn sum_members(
        &self,
        chunk: Range<usize>,
        slots: &[(f64, u32)],
        amounts: &[f64],
        out: &mut TrialClaims,
        severity_shock: f64,
    ) {
        // Local sums: `out` may alias what `large.push` writes, which would
        // keep them in memory.
        let mut gross = 0.0;
        let mut aggregate_eligible = 0.0;
        let profiles = &self.population.profiles;
        let mut slot = 0;
        let mut start = 0;
        for (idx, member) in self.population.members[chunk.clone()]
            .iter()
            .enumerate()
            .map(|(i, m)| (chunk.start + i, m))
        {
            let mut m = MemberClaims::default();
            for c in &profiles[member.profile as usize].components {
                let (direct, end) = slots[slot];
                slot += 1;
                let end = end as usize;
                if direct == 0.0 && end == start {
                    continue;
                }
                let drawn = direct + run_sum(amounts, start, end);
                start = end;
                // Parameter risk, severity: the one place amounts are scaled
                // (x 1.0 without it: exact, so results are unchanged).
                m.add(
                    drawn * member.severity_scale * severity_shock,
                    c.specific,
                    c.aggregate,
                );
            }
            gross += m.total;
            aggregate_eligible += m.aggregate_eligible();
            if m.specific > self.threshold {
                let member = idx as u32;
                out.large
                    .push(m.large_claimant(member, laser_of(self.lasers, member)));
            }
        }
        out.gross += gross;
        out.aggregate_eligible += aggregate_eligible;
    }
}
