//! The random stream's definition, checked against a plain reimplementation.
//!
//! The kernel draws in batches for speed (claim counts first, normals for a
//! whole trial, vectorized `exp`, masked sums). Its draws must still be the
//! ones the documented order defines, so that a run can be reproduced from
//! the README alone. The reference below follows that order one claim at a
//! time with `f64::exp` and left-to-right sums; its trials must agree with
//! the kernel's to rounding (the kernel's `exp` is within 2 ulps of
//! `f64::exp`, and it sums short runs pairwise).

use rand_distr::{Distribution, StandardNormal};
use std::path::Path;
use stoploss::contract::TrialClaims;
use stoploss::dist::{uniform, Severity, SimRng};
use stoploss::model::Study;
use stoploss::sim::kernel::{Kernel, TrialBuffers, MEMBER_CHUNK, POOL_MIN_MEMBERS};
use stoploss::sim::seed::block_rng;

/// What the reference computes per trial: gross, aggregate-eligible, and
/// each member's specific-eligible claims.
struct ReferenceTrial {
    gross: f64,
    aggregate_eligible: f64,
    specific: Vec<f64>,
}

/// A spliced severity whose lognormal body the kernel draws in batches.
fn batched_spliced(s: &Severity) -> Option<(f64, f64, f64, f64, f64, f64)> {
    match s {
        Severity::Spliced {
            body,
            threshold,
            tail_prob,
            tail,
            body_mass,
        } if *body_mass >= 0.5 => match **body {
            Severity::LogNormal { mu, sigma } => {
                Some((mu, sigma, *threshold, *tail_prob, tail.alpha, tail.theta))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The documented pools: a component outside the specific with Poisson
/// counts and a gamma severity, grouped by (shape, scale, aggregate flag,
/// member's severity scale) when at least `POOL_MIN_MEMBERS` members share
/// the group, in order of first appearance (members, then components, in
/// order). Returns the pools (summed mean, shape, scale, severity scale,
/// aggregate) and, per member, which components are pooled.
#[allow(clippy::type_complexity)]
fn reference_pools(study: &Study) -> (Vec<(f64, f64, f64, f64, bool)>, Vec<Vec<bool>>) {
    let pop = &study.population;
    let key = |m: &stoploss::model::Member, c: &stoploss::model::ClaimComponent| match (
        &c.frequency,
        &c.severity,
    ) {
        (stoploss::dist::Frequency::Poisson(_), Severity::Gamma { shape, scale, .. })
            if !c.specific =>
        {
            Some((*shape, *scale, c.aggregate, m.severity_scale))
        }
        _ => None,
    };
    let mut keys = Vec::new();
    let mut sizes: Vec<usize> = Vec::new();
    for m in &pop.members {
        for c in &pop.profiles[m.profile as usize].components {
            if let Some(k) = key(m, c) {
                match keys.iter().position(|x| *x == k) {
                    Some(i) => sizes[i] += 1,
                    None => {
                        keys.push(k);
                        sizes.push(1);
                    }
                }
            }
        }
    }
    let mut pools: Vec<(f64, f64, f64, f64, bool)> = Vec::new();
    let mut pooled = Vec::new();
    for m in &pop.members {
        let mut flags = Vec::new();
        for c in &pop.profiles[m.profile as usize].components {
            let k = key(m, c)
                .filter(|k| sizes[keys.iter().position(|x| x == k).unwrap()] >= POOL_MIN_MEMBERS);
            flags.push(k.is_some());
            if let Some((shape, scale, aggregate, s)) = k {
                match pools
                    .iter()
                    .position(|p| (p.1, p.2, p.4, p.3) == (shape, scale, aggregate, s))
                {
                    Some(i) => pools[i].0 += c.frequency.mean(),
                    None => pools.push((c.frequency.mean(), shape, scale, s, aggregate)),
                }
            }
        }
        pooled.push(flags);
    }
    (pools, pooled)
}

/// One trial in the documented order: first each pool's total (a Poisson
/// count of the summed mean, then one Gamma(count x shape, scale)); then
/// members in chunks of
/// `MEMBER_CHUNK`, and in each chunk every claim count (members in order,
/// components in order); the normals of every plain lognormal claim; then
/// the other amounts slot by slot (a spliced lognormal: a uniform choosing
/// tail or body, the body's normal redrawn until below the threshold).
fn reference_trial(study: &Study, rng: &mut SimRng) -> ReferenceTrial {
    let mut out = ReferenceTrial {
        gross: 0.0,
        aggregate_eligible: 0.0,
        specific: Vec::new(),
    };
    let (pools, pooled) = reference_pools(study);
    for &(mean, shape, scale, s, aggregate) in &pools {
        let n = stoploss::dist::poisson_count(mean, rng);
        if n > 0 {
            let sum = rand_distr::Gamma::new(shape * f64::from(n), scale)
                .unwrap()
                .sample(rng);
            out.gross += sum * s;
            if aggregate {
                out.aggregate_eligible += sum * s;
            }
        }
    }
    let members = study.population.members.len();
    for first in (0..members).step_by(MEMBER_CHUNK) {
        let end = (first + MEMBER_CHUNK).min(members);
        let chunk = &study.population.members[first..end];
        reference_chunk(study, chunk, &pooled[first..end], rng, &mut out);
    }
    out
}

fn reference_chunk(
    study: &Study,
    members: &[stoploss::model::Member],
    pooled: &[Vec<bool>],
    rng: &mut SimRng,
    out: &mut ReferenceTrial,
) {
    let pop = &study.population;
    // The member's components drawn for it (the pooled ones left out).
    let comps = |i: usize| {
        pop.profiles[members[i].profile as usize]
            .components
            .iter()
            .zip(&pooled[i])
            .filter(|(_, &p)| !p)
            .map(|(c, _)| c)
    };
    let mut counts = Vec::new();
    for i in 0..members.len() {
        for c in comps(i) {
            counts.push(c.frequency.sample(rng));
        }
    }
    let mut plain = 0;
    let mut slot = 0;
    for i in 0..members.len() {
        for c in comps(i) {
            if matches!(c.severity, Severity::LogNormal { .. }) {
                plain += counts[slot] as usize;
            }
            slot += 1;
        }
    }
    let normals: Vec<f64> = (0..plain).map(|_| StandardNormal.sample(rng)).collect();
    let mut next_normal = normals.iter();
    let mut slot = 0;
    for (i, m) in members.iter().enumerate() {
        let mut specific = 0.0;
        for c in comps(i) {
            let n = counts[slot];
            slot += 1;
            let drawn: f64 = match &c.severity {
                Severity::LogNormal { mu, sigma } => (0..n)
                    .map(|_| (mu + sigma * next_normal.next().unwrap()).exp())
                    .sum(),
                s => match batched_spliced(s) {
                    Some((mu, sigma, t, q, alpha, theta)) => (0..n)
                        .map(|_| {
                            let u = uniform(rng);
                            if u < q {
                                t + theta * ((1.0 - u / q).powf(-1.0 / alpha) - 1.0)
                            } else {
                                let z_max = (t.ln() - mu) / sigma;
                                loop {
                                    let z: f64 = StandardNormal.sample(rng);
                                    if z < z_max {
                                        break (mu + sigma * z).exp();
                                    }
                                }
                            }
                        })
                        .sum(),
                    None => s.sample_sum(n, rng),
                },
            };
            let amount = drawn * m.severity_scale;
            out.gross += amount;
            if c.aggregate {
                out.aggregate_eligible += amount;
            }
            if c.specific {
                specific += amount;
            }
        }
        out.specific.push(specific);
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

fn check_kernel_follows_the_stream(study: &Study, threshold: f64, trials: usize) {
    let kernel = Kernel::new(&study.population, &study.contract.lasers, threshold);
    let (mut kr, mut rr) = (block_rng(study.seed, 3), block_rng(study.seed, 3));
    let mut buffers = TrialBuffers::default();
    let mut claims = TrialClaims::default();
    let mut large_seen = 0;
    for t in 0..trials {
        kernel.simulate_trial(&mut kr, &mut buffers, &mut claims);
        let r = reference_trial(study, &mut rr);
        assert!(
            close(claims.gross, r.gross),
            "trial {t}: gross {} vs reference {}",
            claims.gross,
            r.gross
        );
        assert!(close(claims.aggregate_eligible, r.aggregate_eligible));
        let expected: Vec<(u32, f64)> = r
            .specific
            .iter()
            .enumerate()
            .filter(|(_, &s)| s > threshold)
            .map(|(m, &s)| (m as u32, s))
            .collect();
        assert_eq!(claims.large.len(), expected.len(), "trial {t}");
        for (got, (member, specific)) in claims.large.iter().zip(expected) {
            assert_eq!(got.member, member);
            assert!(close(got.specific, specific));
        }
        large_seen += claims.large.len();
    }
    assert!(large_seen > 0, "the check should see large claimants");
}

#[test]
fn kernel_draws_the_shipped_mid_config_in_the_documented_order() {
    // Spliced lognormal bodies (Bernoulli), negative binomial x lognormal
    // (often more than 8 claims: the long-run path) and Poisson x gamma;
    // 1,050 members: three chunks.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/mid-500.json");
    let study = stoploss::config::load(&path).unwrap();
    check_kernel_follows_the_stream(&study, 50_000.0, 30);
}

#[test]
fn kernel_draws_plain_lognormals_in_the_documented_order() {
    let json = r#"{"name": "stream", "seed": 11, "trials": 10,
      "population": {"classes": [
        {"name": "a", "employees": 40, "members": 60, "claims": [
          {"name": "med", "frequency": {"poisson": {"mean": 3.0}},
           "severity": {"lognormal": {"mu": 7.0, "sigma": 1.5}}},
          {"name": "rx", "frequency": {"poisson": {"mean": 11.0}},
           "severity": {"lognormal": {"mu": 4.0, "sigma": 1.0}}, "specific": false}]},
        {"name": "b", "employees": 10, "members": 10, "claims": [
          {"name": "med", "frequency": {"poisson": {"mean": 0.5}},
           "severity": {"exponential": {"mean": 30000}}}]}]},
      "stop_loss": {"specific": [{"deductible": 20000, "premium_pepm": 50}],
                    "aggregate": [{"attachment_factor": 1.2, "premium_pepm": 5}]}}"#;
    let study = stoploss::config::parse(json, "stream.json", Path::new(".")).unwrap();
    check_kernel_follows_the_stream(&study, 20_000.0, 200);
}

/// Value stability (not correctness: the statistical tests are in
/// `distributions` and `stoploss::dist`): negative binomial counts by
/// inversion against their CDF table (CHANGELOG, issue 16's stream change).
/// A change to these values is a stream change and goes in the changelog.
#[test]
fn negative_binomial_counts_are_stable() {
    let f = stoploss::dist::Frequency::negative_binomial(6.0, 30.0).unwrap();
    let mut rng = block_rng(20250101, 0);
    let counts: Vec<u32> = (0..16).map(|_| f.sample(&mut rng)).collect();
    assert_eq!(counts, NB_COUNTS);
}

const NB_COUNTS: [u32; 16] = [4, 1, 17, 6, 10, 2, 11, 15, 5, 4, 10, 3, 6, 1, 6, 1];

/// Value stability of a whole shipped study on the new stream: the mean
/// cost of one candidate of `configs/mid-500.json` at 2,048 trials.
#[test]
fn mid_500_mean_cost_is_stable() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/mid-500.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut study = stoploss::config::parse(&text, "mid-500.json", path.parent().unwrap()).unwrap();
    study.trials = 2048;
    let r = stoploss::run::run_study(&study, &|_| {});
    let c = r
        .candidates
        .iter()
        .find(|c| c.label == "spec $150k / agg 125%")
        .unwrap();
    assert_eq!(
        c.employer_cost.mean.to_bits(),
        MID_500_MEAN_COST.to_bits(),
        "{}",
        c.employer_cost.mean
    );
}

const MID_500_MEAN_COST: f64 = 7_539_271.239_566_192;

/// A population whose only components are drawn in pools: 40 members of
/// one severity scale with Poisson(1.5) x gamma(mean 250, cv 1) (shape 1)
/// outside both covers, and 30 with Poisson(0.8) x gamma(mean 900, cv 0.5)
/// (shape 4) outside the specific only.
fn pooled_study() -> Study {
    let json = r#"{"name": "pools", "seed": 7, "trials": 10,
      "population": {"classes": [
        {"name": "a", "employees": 40, "members": 40, "claims": [
          {"name": "dental", "specific": false, "aggregate": false,
           "frequency": {"poisson": {"mean": 1.5}},
           "severity": {"gamma": {"mean": 250, "cv": 1.0}}}]},
        {"name": "b", "employees": 30, "members": 30, "claims": [
          {"name": "vision", "specific": false,
           "frequency": {"poisson": {"mean": 0.8}},
           "severity": {"gamma": {"mean": 900, "cv": 0.5}}}]}]},
      "stop_loss": {"specific": [{"deductible": 20000, "premium_pepm": 50}],
                    "aggregate": [{"attachment_factor": 1.2, "premium_pepm": 5}]}}"#;
    stoploss::config::parse(json, "pools.json", Path::new(".")).unwrap()
}

/// Value stability of pooled components (CHANGELOG: the stream change
/// drawing a component outside the specific once per pool).
#[test]
fn pooled_totals_are_stable() {
    let study = pooled_study();
    let kernel = Kernel::new(&study.population, &[], 20_000.0);
    assert_eq!(kernel.pool_count(), 2);
    assert_eq!(kernel.pooled_members(), 70);
    let mut rng = block_rng(study.seed, 0);
    let mut buffers = TrialBuffers::default();
    let mut claims = TrialClaims::default();
    let got: Vec<(u64, u64)> = (0..4)
        .map(|_| {
            kernel.simulate_trial(&mut rng, &mut buffers, &mut claims);
            assert!(claims.large.is_empty());
            (claims.gross.to_bits(), claims.aggregate_eligible.to_bits())
        })
        .collect();
    let want: Vec<(u64, u64)> = POOLED_TOTALS
        .iter()
        .map(|&(g, a)| (g.to_bits(), a.to_bits()))
        .collect();
    assert_eq!(
        got,
        want,
        "{:?}",
        got.iter()
            .map(|&(g, a)| (f64::from_bits(g), f64::from_bits(a)))
            .collect::<Vec<_>>()
    );
}

const POOLED_TOTALS: [(f64, f64); 4] = [
    (42_352.176_370_264_98, 26_869.172_887_761_393),
    (30_216.813_458_352_1, 16_932.545_791_376_964),
    (45_843.190_444_468_33, 27_961.713_043_587_923),
    (36_392.097_910_816_39, 19_592.132_740_432_96),
];

/// Pooled totals against the compound Poisson closed forms: the trial's
/// gross has mean `sum lambda E[X] s` and variance `sum lambda E[X^2] s^2`
/// over members; the aggregate-eligible part is the second class's alone.
#[test]
fn pooled_totals_match_compound_poisson_moments() {
    let study = pooled_study();
    let kernel = Kernel::new(&study.population, &[], 20_000.0);
    let scale = study.population.members[0].severity_scale;
    assert!(study
        .population
        .members
        .iter()
        .all(|m| m.severity_scale == scale));
    // Gamma(mean m, cv v): E[X^2] = m^2 (1 + v^2).
    let moments = |n: f64, lambda: f64, mean: f64, cv: f64| {
        (
            n * lambda * mean * scale,
            n * lambda * mean * mean * (1.0 + cv * cv) * scale * scale,
        )
    };
    let (m1, v1) = moments(40.0, 1.5, 250.0, 1.0);
    let (m2, v2) = moments(30.0, 0.8, 900.0, 0.5);
    let trials = 40_000;
    let mut rng = block_rng(study.seed, 1);
    let mut buffers = TrialBuffers::default();
    let mut claims = TrialClaims::default();
    let (mut g, mut gg, mut a, mut aa) = (0.0, 0.0, 0.0, 0.0);
    for _ in 0..trials {
        kernel.simulate_trial(&mut rng, &mut buffers, &mut claims);
        g += claims.gross;
        gg += claims.gross * claims.gross;
        a += claims.aggregate_eligible;
        aa += claims.aggregate_eligible * claims.aggregate_eligible;
    }
    let n = f64::from(trials);
    let check = |sum: f64, sumsq: f64, mean: f64, var: f64, what: &str| {
        let m = sum / n;
        let v = sumsq / n - m * m;
        // 5 standard errors of the mean; the variance within 5%
        // (its relative standard error here is below 1%).
        assert!(
            (m - mean).abs() < 5.0 * (var / n).sqrt(),
            "{what}: mean {m} vs {mean}"
        );
        assert!(
            (v / var - 1.0).abs() < 0.05,
            "{what}: variance {v} vs {var}"
        );
    };
    check(g, gg, m1 + m2, v1 + v2, "gross");
    check(a, aa, m2, v2, "aggregate-eligible");
}

/// Members whose severity scales differ are pooled only where at least
/// `POOL_MIN_MEMBERS` share one; the others keep their own draws, and the
/// kernel still follows the documented order.
#[test]
fn small_groups_of_a_severity_scale_are_not_pooled() {
    let mut study = pooled_study();
    // Give every member of class "b" its own severity scale.
    for (i, m) in study.population.members.iter_mut().enumerate().skip(40) {
        m.severity_scale *= 1.0 + i as f64 / 1000.0;
    }
    let kernel = Kernel::new(&study.population, &[], 20_000.0);
    assert_eq!(kernel.pool_count(), 1);
    assert_eq!(kernel.pooled_members(), 40);
}
