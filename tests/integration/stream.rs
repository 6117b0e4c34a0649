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
use stoploss::sim::kernel::{Kernel, TrialBuffers, MEMBER_CHUNK};
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

/// One trial in the documented order: members in chunks of
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
    let members = study.population.members.len();
    for first in (0..members).step_by(MEMBER_CHUNK) {
        let chunk = &study.population.members[first..(first + MEMBER_CHUNK).min(members)];
        reference_chunk(study, chunk, rng, &mut out);
    }
    out
}

fn reference_chunk(
    study: &Study,
    members: &[stoploss::model::Member],
    rng: &mut SimRng,
    out: &mut ReferenceTrial,
) {
    let pop = &study.population;
    let comps = |m: &stoploss::model::Member| &pop.profiles[m.profile as usize].components;
    let mut counts = Vec::new();
    for m in members {
        for c in comps(m) {
            counts.push(c.frequency.sample(rng));
        }
    }
    let mut plain = 0;
    let mut slot = 0;
    for m in members {
        for c in comps(m) {
            if matches!(c.severity, Severity::LogNormal { .. }) {
                plain += counts[slot] as usize;
            }
            slot += 1;
        }
    }
    let normals: Vec<f64> = (0..plain).map(|_| StandardNormal.sample(rng)).collect();
    let mut next_normal = normals.iter();
    let mut slot = 0;
    for m in members {
        let mut specific = 0.0;
        for c in comps(m) {
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

const MID_500_MEAN_COST: f64 = 7_540_385.113_187_318;
