//! One simulated plan year of the whole population.

use super::parameter_risk::TrialShock;
use crate::contract::{laser_of, Laser, MemberClaims, TrialClaims};
use crate::dist::{
    poisson_count, AmountPlan, Exponents, Frequency, Severity, SimRng, TrialNormals, SHORT_RUN,
};
use crate::model::{ClaimComponent, Population, Profile};
use rand_distr::Distribution;
use std::collections::HashMap;
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

/// A component's claims are drawn per pool (see [`Pool`]) only for members
/// whose pool holds at least this many: a pool of one costs more (a
/// running-CDF Poisson and a gamma draw) than the member's own draws.
/// Part of the random stream's definition.
pub const POOL_MIN_MEMBERS: usize = 4;

/// Claims of one component for a group of members, drawn as a whole.
///
/// Only a member's specific-eligible sum is read per member (large
/// claimants, lasers, claimant counts, ASD); a component outside the
/// specific reaches the results only through the trial's gross and
/// aggregate-eligible totals. With Poisson counts and a gamma severity the
/// total over members sharing a severity scale has a closed form: the count
/// is Poisson with the sum of their means, and the sum of `N` gamma amounts
/// of shape `k` and scale `theta` is Gamma(`N k`, `theta`). So one Poisson
/// and one gamma draw replace a count and its amounts per member.
/// Parameter risk keeps it exact: a trial's shock multiplies every mean
/// (hence their sum) and every amount alike.
#[derive(Debug, Clone, PartialEq)]
struct Pool {
    /// Sum of the pooled members' expected claim counts (exposure included).
    mean: f64,
    /// Gamma shape of one claim.
    shape: f64,
    /// Gamma scale of one claim.
    scale: f64,
    /// The members' common severity scale.
    severity_scale: f64,
    /// The component counts toward the aggregate.
    aggregate: bool,
}

impl Pool {
    /// The pool's claims in one trial under `shock`.
    #[inline]
    fn draw(&self, rng: &mut SimRng, shock: &TrialShock) -> f64 {
        let n = poisson_count(self.mean * shock.frequency_scale, rng);
        if n == 0 {
            return 0.0;
        }
        let sum = rand_distr::Gamma::new(self.shape * f64::from(n), self.scale)
            .expect("a validated gamma's shape times a count is valid")
            .sample(rng);
        sum * self.severity_scale * shock.severity_scale
    }
}

/// The gamma parameters of a component that may be pooled: outside the
/// specific, Poisson counts, gamma amounts, in a profile of at most 64
/// components (`components`; a member's pooled components are a 64-bit
/// mask).
fn poolable(components: usize, c: &ClaimComponent) -> Option<(f64, f64)> {
    match (&c.frequency, &c.severity) {
        (Frequency::Poisson(_), Severity::Gamma { shape, scale, .. })
            if !c.specific && components <= 64 =>
        {
            Some((*shape, *scale))
        }
        _ => None,
    }
}

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

/// The claim model a trial draws from: per profile its components and how
/// each draws its amounts. A kernel's own ([`Kernel::model`]) is the
/// population's; a trial with posterior-predictive parameters passes a copy
/// whose tails it has redrawn ([`super::posterior::PosteriorModel`]).
#[derive(Debug, Clone, Copy)]
pub struct ClaimModel<'m> {
    /// The population's profiles (members index them), same order.
    pub profiles: &'m [Profile],
    /// `plans[p][c]`: how component `c` of profile `p` draws its amounts.
    pub plans: &'m [Vec<AmountPlan>],
}

/// The amount plans of `profiles`' components.
pub fn plans_of(profiles: &[Profile]) -> Vec<Vec<AmountPlan>> {
    profiles
        .iter()
        .map(|p| {
            p.components
                .iter()
                .map(|c| AmountPlan::for_severity(&c.severity))
                .collect()
        })
        .collect()
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
    /// Per member: bit `c` set when component `c` of its profile is drawn
    /// in a pool rather than for the member.
    pooled: Vec<u64>,
    /// In the order they are drawn (first appearance, members in order).
    pools: Vec<Pool>,
    /// Per profile: bit `c` set when component `c` is pooled for every
    /// member of the profile (all bits for a profile without members).
    profile_pooled: Vec<u64>,
    /// Every profile has exactly one component and none is pooled: a
    /// member's slot is the member (see [`Self::simulate_chunk_flat`]).
    one_each: bool,
}

impl<'a> Kernel<'a> {
    /// A kernel recording members whose specific-eligible claims exceed
    /// `threshold` (the smallest specific deductible; infinite for none).
    /// `lasers` must be sorted by member index.
    pub fn new(population: &'a Population, lasers: &'a [(u32, Laser)], threshold: f64) -> Self {
        debug_assert!(lasers.windows(2).all(|w| w[0].0 < w[1].0));
        let plans = plans_of(&population.profiles);
        let (pooled, pools) = pools_of(population);
        let mut profile_pooled = vec![u64::MAX; population.profiles.len()];
        for (m, &mask) in population.members.iter().zip(&pooled) {
            profile_pooled[m.profile as usize] &= mask;
        }
        let one_each = population.profiles.iter().all(|p| p.components.len() == 1)
            && pooled.iter().all(|&m| m == 0);
        Kernel {
            population,
            plans,
            lasers,
            threshold,
            pooled,
            pools,
            profile_pooled,
            one_each,
        }
    }

    /// The one lognormal `(mu, sigma)` that every amount drawn member by
    /// member (not in a pool) has under `plans`, if there is one: such a
    /// trial's chunks are drawn by [`Self::simulate_chunk_flat`].
    fn single_lognormal(&self, plans: &[Vec<AmountPlan>]) -> Option<(f64, f64)> {
        let mut found: Option<(f64, f64)> = None;
        for (profile_plans, &skipped) in plans.iter().zip(&self.profile_pooled) {
            for (i, plan) in profile_plans.iter().enumerate() {
                if is_pooled(skipped, i) {
                    continue;
                }
                let AmountPlan::LogNormal { mu, sigma } = *plan else {
                    return None;
                };
                match found {
                    None => found = Some((mu, sigma)),
                    Some((m, s))
                        if m.to_bits() == mu.to_bits() && s.to_bits() == sigma.to_bits() => {}
                    Some(_) => return None,
                }
            }
        }
        found
    }

    /// The population's own claim model.
    pub fn model(&self) -> ClaimModel<'_> {
        ClaimModel {
            profiles: &self.population.profiles,
            plans: &self.plans,
        }
    }

    /// Members with at least one component drawn in a pool.
    pub fn pooled_members(&self) -> usize {
        self.pooled.iter().filter(|&&m| m != 0).count()
    }

    /// Number of pools drawn per trial.
    pub fn pool_count(&self) -> usize {
        self.pools.len()
    }

    /// Draws one plan year into `out` (cleared first).
    ///
    /// First each pool's claims are drawn, in pool order (one Poisson count
    /// of the pool's summed mean, then, if positive, one Gamma(count x
    /// shape, scale) for their sum; see [`Pool`] and [`POOL_MIN_MEMBERS`]).
    /// Then members are taken in chunks of [`MEMBER_CHUNK`], in population order,
    /// skipping their pooled components.
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
        self.simulate_trial_in(self.model(), rng, buffers, out, shock);
    }

    /// [`Self::simulate_trial_shocked`] drawing from `model` instead of the
    /// population's own claim model. `model` must be the population's
    /// profiles with at most their specific components' severities changed
    /// (pooled components are read from the kernel's pools).
    pub fn simulate_trial_in(
        &self,
        model: ClaimModel<'_>,
        rng: &mut SimRng,
        buffers: &mut TrialBuffers,
        out: &mut TrialClaims,
        shock: &TrialShock,
    ) {
        debug_assert_eq!(model.profiles.len(), self.population.profiles.len());
        out.gross = 0.0;
        out.aggregate_eligible = 0.0;
        out.large.clear();
        for pool in &self.pools {
            let amount = pool.draw(rng, shock);
            out.gross += amount;
            if pool.aggregate {
                out.aggregate_eligible += amount;
            }
        }
        let members = &self.population.members;
        let flat = self.single_lognormal(model.plans);
        for first in (0..members.len()).step_by(MEMBER_CHUNK) {
            let chunk = first..(first + MEMBER_CHUNK).min(members.len());
            match flat {
                Some(lognormal) => {
                    self.simulate_chunk_flat(model, lognormal, chunk, rng, buffers, out, shock)
                }
                None => self.simulate_chunk(model, chunk, rng, buffers, out, shock),
            }
        }
    }

    /// [`Self::simulate_chunk`] for a trial whose every amount drawn per
    /// member is lognormal(`mu`, `sigma`) (see [`Self::single_lognormal`]):
    /// the same draws in the same order, hence the same bits, in two flat
    /// passes. The counts give each slot's end in the trial's amounts; the
    /// normals go straight into the exponents (no per-slot windows, no
    /// dispatch on the amount plan).
    #[allow(clippy::too_many_arguments)]
    fn simulate_chunk_flat(
        &self,
        model: ClaimModel<'_>,
        (mu, sigma): (f64, f64),
        chunk: Range<usize>,
        original: &mut SimRng,
        buffers: &mut TrialBuffers,
        out: &mut TrialClaims,
        shock: &TrialShock,
    ) {
        let profiles = model.profiles;
        let members = &self.population.members[chunk.clone()];
        let pooled = &self.pooled[chunk.clone()];
        let TrialBuffers {
            counts,
            slots,
            exponents,
            ..
        } = buffers;
        // A local copy keeps the generator's state in registers: through
        // `&mut` the compiler stores it after every draw, as the pushes
        // below might alias it.
        let mut local = original.clone();
        let rng = &mut local;
        let scale = shock.frequency_scale;
        // `sample` is `sample_scaled` at scale 1, and small enough to
        // inline here.
        let count = |c: &ClaimComponent, rng: &mut SimRng| {
            if scale == 1.0 {
                c.frequency.sample(rng)
            } else {
                c.frequency.sample_scaled(rng, scale)
            }
        };
        let mut end = 0u32;
        if self.one_each {
            // `counts` holds each member's end in the trial's amounts.
            counts.clear();
            for member in members {
                end += count(&profiles[member.profile as usize].components[0], rng);
                counts.push(end);
            }
        } else {
            slots.clear();
            for (member, &mask) in members.iter().zip(pooled) {
                for (i, c) in profiles[member.profile as usize]
                    .components
                    .iter()
                    .enumerate()
                {
                    if is_pooled(mask, i) {
                        continue;
                    }
                    end += count(c, rng);
                    // A plain lognormal draws nothing outright: `direct` is 0.
                    slots.push((0.0, end));
                }
            }
        }
        exponents.fill_lognormal(end as usize, mu, sigma, rng);
        *original = local;
        let amounts = exponents.exponentiate();
        if self.one_each {
            self.sum_one_each(profiles, chunk, counts, amounts, out, shock.severity_scale);
        } else {
            self.sum_members(model, chunk, slots, amounts, out, shock.severity_scale);
        }
    }

    /// [`Self::sum_members`] when every member has one component drawn
    /// ([`Kernel::one_each`]), `ends[i]` the end of member `i`'s amounts:
    /// the same sums without the component loop and its slots.
    fn sum_one_each(
        &self,
        profiles: &[Profile],
        chunk: Range<usize>,
        ends: &[u32],
        amounts: &[f64],
        out: &mut TrialClaims,
        severity_shock: f64,
    ) {
        let mut gross = 0.0;
        let mut aggregate_eligible = 0.0;
        let mut start = 0;
        let members = &self.population.members[chunk.clone()];
        for ((idx, member), &end) in chunk.zip(members).zip(ends) {
            let c = &profiles[member.profile as usize].components[0];
            let end = end as usize;
            let drawn = run_sum(amounts, start, end);
            start = end;
            let mut m = MemberClaims::default();
            m.add(
                drawn * member.severity_scale * severity_shock,
                c.specific,
                c.aggregate,
            );
            self.close_member(idx, &m, &mut gross, &mut aggregate_eligible, out);
        }
        out.gross += gross;
        out.aggregate_eligible += aggregate_eligible;
    }

    /// Adds member `idx`'s year `m` to the chunk's running totals, and to
    /// `out`'s large claimants when its specific-eligible claims exceed the
    /// threshold. The totals are the caller's locals: `out` may alias what
    /// `large.push` writes, which would keep them in memory.
    #[inline(always)]
    fn close_member(
        &self,
        idx: usize,
        m: &MemberClaims,
        gross: &mut f64,
        aggregate_eligible: &mut f64,
        out: &mut TrialClaims,
    ) {
        *gross += m.total;
        *aggregate_eligible += m.aggregate_eligible();
        if m.specific > self.threshold {
            let member = idx as u32;
            out.large
                .push(m.large_claimant(member, laser_of(self.lasers, member)));
        }
    }

    /// Draws the members `chunk` of a plan year and adds them to `out`.
    fn simulate_chunk(
        &self,
        model: ClaimModel<'_>,
        chunk: Range<usize>,
        original: &mut SimRng,
        buffers: &mut TrialBuffers,
        out: &mut TrialClaims,
        shock: &TrialShock,
    ) {
        let profiles = model.profiles;
        let members = &self.population.members[chunk.clone()];
        let pooled = &self.pooled[chunk.clone()];
        let TrialBuffers {
            counts,
            slots,
            normals,
            exponents,
        } = buffers;
        counts.clear();
        slots.clear();
        // A local copy keeps the generator's state in registers (see
        // `simulate_chunk_flat`).
        let mut local = original.clone();
        let rng = &mut local;
        let scale = shock.frequency_scale;
        let mut normal_count = 0;
        let mut batched_count = 0;
        for (member, &mask) in members.iter().zip(pooled) {
            let p = member.profile as usize;
            for (i, (c, plan)) in profiles[p]
                .components
                .iter()
                .zip(&model.plans[p])
                .enumerate()
            {
                if is_pooled(mask, i) {
                    continue;
                }
                // Parameter risk, frequency: the one place counts are scaled.
                // `sample` is `sample_scaled` at scale 1, and inlines.
                let n = if scale == 1.0 {
                    c.frequency.sample(rng)
                } else {
                    c.frequency.sample_scaled(rng, scale)
                };
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
        for (member, &mask) in members.iter().zip(pooled) {
            let p = member.profile as usize;
            for (i, (c, plan)) in profiles[p]
                .components
                .iter()
                .zip(&model.plans[p])
                .enumerate()
            {
                if is_pooled(mask, i) {
                    continue;
                }
                let n = counts[slot];
                slot += 1;
                // No test for n == 0: every plan draws nothing and returns
                // 0 then, and a branch on a random count mispredicts (a
                // Bernoulli count is 0 or 1 at random).
                let direct = plan.draw(&c.severity, n, rng, normals, exponents);
                slots.push((direct, exponents.len() as u32));
            }
        }
        *original = local;
        let amounts = exponents.exponentiate();
        self.sum_members(model, chunk, slots, amounts, out, shock.severity_scale);
    }

    /// Adds up each member of `chunk`'s amounts by component and adds the
    /// chunk's totals and large claimants to `out`.
    fn sum_members(
        &self,
        model: ClaimModel<'_>,
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
        let profiles = model.profiles;
        let mut slot = 0;
        let mut start = 0;
        for ((idx, member), &mask) in self.population.members[chunk.clone()]
            .iter()
            .enumerate()
            .map(|(i, m)| (chunk.start + i, m))
            .zip(&self.pooled[chunk.clone()])
        {
            let mut m = MemberClaims::default();
            for (i, c) in profiles[member.profile as usize]
                .components
                .iter()
                .enumerate()
            {
                if is_pooled(mask, i) {
                    continue;
                }
                let (direct, end) = slots[slot];
                slot += 1;
                let end = end as usize;
                // A slot without claims adds +0.0 (the sums are never -0.0,
                // so the bits are those of skipping it): cheaper than a
                // branch on a random count.
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
            self.close_member(idx, &m, &mut gross, &mut aggregate_eligible, out);
        }
        out.gross += gross;
        out.aggregate_eligible += aggregate_eligible;
    }
}

/// Which (member, component) pairs are drawn in pools, and the pools: members
/// whose poolable component ([`poolable`]) has the same gamma, aggregate flag
/// and severity scale share a pool, when at least [`POOL_MIN_MEMBERS`] do.
fn pools_of(population: &Population) -> (Vec<u64>, Vec<Pool>) {
    type Key = (u64, u64, bool, u64);
    let key = |c: &ClaimComponent, (shape, scale): (f64, f64), severity_scale: f64| -> Key {
        (
            shape.to_bits(),
            scale.to_bits(),
            c.aggregate,
            severity_scale.to_bits(),
        )
    };
    let mut sizes: HashMap<Key, usize> = HashMap::new();
    for m in &population.members {
        let profile = &population.profiles[m.profile as usize];
        for c in &profile.components {
            if let Some(g) = poolable(profile.components.len(), c) {
                *sizes.entry(key(c, g, m.severity_scale)).or_default() += 1;
            }
        }
    }
    let mut index: HashMap<Key, usize> = HashMap::new();
    let mut pools: Vec<Pool> = Vec::new();
    let mut pooled = Vec::with_capacity(population.members.len());
    for m in &population.members {
        let profile = &population.profiles[m.profile as usize];
        let mut mask = 0u64;
        for (i, c) in profile.components.iter().enumerate() {
            let Some(g) = poolable(profile.components.len(), c) else {
                continue;
            };
            let k = key(c, g, m.severity_scale);
            if sizes[&k] < POOL_MIN_MEMBERS {
                continue;
            }
            mask |= 1 << i;
            let p = *index.entry(k).or_insert_with(|| {
                pools.push(Pool {
                    mean: 0.0,
                    shape: g.0,
                    scale: g.1,
                    severity_scale: m.severity_scale,
                    aggregate: c.aggregate,
                });
                pools.len() - 1
            });
            pools[p].mean += c.frequency.mean();
        }
        pooled.push(mask);
    }
    (pooled, pools)
}

/// Whether bit `i` of a member's pooled mask is set. The mask is 0 for a
/// profile of more than 64 components (see [`pools_of`]), so reading bit
/// `i % 64` is exact without a test on `i` (a shift by 64 or more would
/// panic or wrap).
#[inline(always)]
fn is_pooled(mask: u64, i: usize) -> bool {
    mask >> (i & 63) & 1 != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::seed::block_rng;
    use std::path::Path;

    /// Draws `trials` plan years of `json`'s population under `shock` with
    /// the general chunk path and with the flat one, and checks that both
    /// consume the same stream and give the same bits.
    fn flat_matches_general(json: &str, shock: TrialShock, one_each: bool) {
        let study = crate::config::parse(json, "flat.json", Path::new(".")).unwrap();
        let kernel = Kernel::new(&study.population, &[], 20_000.0);
        assert_eq!(kernel.one_each, one_each);
        let lognormal = kernel
            .single_lognormal(&kernel.plans)
            .expect("one lognormal");
        let members = study.population.members.len();
        assert!(members > MEMBER_CHUNK, "two chunks at least");
        let (mut general_rng, mut flat_rng) = (block_rng(5, 1), block_rng(5, 1));
        let (mut bg, mut bf) = (TrialBuffers::default(), TrialBuffers::default());
        let mut large = 0;
        for _ in 0..50 {
            let (mut g, mut f) = (TrialClaims::default(), TrialClaims::default());
            for first in (0..members).step_by(MEMBER_CHUNK) {
                let chunk = first..(first + MEMBER_CHUNK).min(members);
                kernel.simulate_chunk(
                    kernel.model(),
                    chunk.clone(),
                    &mut general_rng,
                    &mut bg,
                    &mut g,
                    &shock,
                );
                kernel.simulate_chunk_flat(
                    kernel.model(),
                    lognormal,
                    chunk,
                    &mut flat_rng,
                    &mut bf,
                    &mut f,
                    &shock,
                );
            }
            assert_eq!(g.gross.to_bits(), f.gross.to_bits());
            assert_eq!(
                g.aggregate_eligible.to_bits(),
                f.aggregate_eligible.to_bits()
            );
            assert_eq!(g.large, f.large);
            large += g.large.len();
        }
        assert_eq!(general_rng, flat_rng, "the same draws");
        assert!(large > 0);
    }

    const SHOCK: TrialShock = TrialShock {
        frequency_scale: 1.15,
        severity_scale: 0.9,
        tail: None,
    };

    #[test]
    fn flat_path_gives_the_general_paths_bits() {
        // Two classes (two profiles), one lognormal component each.
        let json = r#"{"name": "flat", "seed": 3, "trials": 10,
          "population": {"classes": [
            {"name": "a", "employees": 400, "members": 600, "claims": [
              {"name": "med", "frequency": {"poisson": {"mean": 3.0}},
               "severity": {"lognormal": {"mu": 7.0, "sigma": 1.5}}}]},
            {"name": "b", "employees": 100, "members": 100, "claims": [
              {"name": "med", "frequency": {"poisson": {"mean": 9.0}},
               "severity": {"lognormal": {"mu": 7.0, "sigma": 1.5}}}]}]},
          "stop_loss": {"specific": [{"deductible": 20000, "premium_pepm": 50}]}}"#;
        flat_matches_general(json, TrialShock::NONE, true);
        flat_matches_general(json, SHOCK, true);
    }

    #[test]
    fn flat_path_with_pooled_components_gives_the_general_paths_bits() {
        // A pooled gamma dental beside the lognormal: two components per
        // profile, one drawn per member.
        let json = r#"{"name": "flat", "seed": 3, "trials": 10,
          "population": {"classes": [
            {"name": "a", "employees": 500, "members": 700, "claims": [
              {"name": "med", "frequency": {"poisson": {"mean": 3.0}},
               "severity": {"lognormal": {"mu": 7.0, "sigma": 1.5}}},
              {"name": "dental", "frequency": {"poisson": {"mean": 1.5}},
               "severity": {"gamma": {"mean": 250, "cv": 1.0}}, "specific": false}]}]},
          "stop_loss": {"specific": [{"deductible": 20000, "premium_pepm": 50}]}}"#;
        flat_matches_general(json, TrialShock::NONE, false);
        flat_matches_general(json, SHOCK, false);
    }
}
