//! The multi-year projection against closed forms: the Pareto leveraged
//! trend `(1 + tau)^alpha` (and `tau` for an indexed deductible), the
//! laser / no-new-laser example of `renewal.md` ($285,000 and $112,500),
//! the persistence chain's top-1% stay rate and its unchanged one-year
//! distribution (compound Poisson mean, variance and zero probability), the
//! rider's path equal to a run without it (common random numbers), thread
//! independence, and bad projection blocks refused at their JSON path.

use crate::util::study;
use std::path::Path;
use stoploss::model::Study;
use stoploss::results::{CandidateProjection, Results};
use stoploss::run::run_study;
use stoploss::sim::parameter_risk::TrialShock;
use stoploss::sim::projection::{projection_rng, ProjectedTrial, ProjectionKernel};

fn run(json: &str) -> Results {
    run_study(&study(json, Path::new(".")), &|_| {})
}

fn projection_of(r: &Results, c: usize) -> &CandidateProjection {
    r.candidates[c]
        .projection
        .as_ref()
        .expect("a projection block")
}

/// 1,000 members each with a claim with probability 0.2 from a
/// single-parameter Pareto(`alpha`) above $10,000 (a spliced severity that
/// is all tail): a member's year is `P(X > x) = 0.2 (10000 / x)^alpha`;
/// one specific option, three years at 8% trend.
fn pareto_config(alpha: f64, specific: &str, policy: &str, trials: u64) -> String {
    format!(
        r#"{{"name": "pareto", "seed": 7, "trials": {trials},
  "population": {{"classes": [{{"name": "all", "employees": 1000, "members": 1000,
    "claims": [{{"name": "medical", "frequency": {{"bernoulli": {{"p": 0.2}}}},
      "severity": {{"spliced": {{"body": {{"lognormal": {{"mu": 8, "sigma": 1}}}},
        "threshold": 10000, "tail_probability": 1.0, "tail_alpha": {alpha}}}}}}}]}}]}},
  "stop_loss": {{"specific": [{specific}]}},
  "projection": {{"years": 3, "trend": 0.08, "deductible_policy": "{policy}"}}}}"#
    )
}

#[test]
fn pareto_excess_grows_by_one_plus_trend_to_alpha() {
    // Any layer above theta (1 + tau) of P(X > x) = (theta / x)^alpha grows
    // by exactly (1 + tau)^alpha a year; the $1M maximum keeps the
    // variance finite at alpha 2.
    for alpha in [2.0, 3.0] {
        let spec = r#"{"deductible": 50000, "max_reimbursement": 1000000, "premium_pepm": 20}"#;
        let r = run(&pareto_config(alpha, spec, "fixed", 20_000));
        let want = 1.08f64.powf(alpha) - 1.0;
        for (k, lt) in projection_of(&r, 0).leveraged_trend.iter().enumerate() {
            let lt = lt.expect("a specific cover has a leveraged trend");
            assert!(
                (lt.mean - want).abs() < 4.0 * lt.se,
                "alpha {alpha}, renewal {k}: {} +- {} vs {want}",
                lt.mean,
                lt.se
            );
            assert!(lt.se < 0.02, "se {}", lt.se);
        }
        // Year 1 of the projection is the one-year study on other trials.
        let (one, year1) = (
            &r.candidates[0].employer_cost,
            projection_of(&r, 0).path.annual_cost[0],
        );
        let se = (one.se.powi(2) + year1.se.powi(2)).sqrt();
        assert!(
            (one.mean - year1.mean).abs() < 4.0 * se,
            "{} vs {}",
            one.mean,
            year1.mean
        );
    }
}

#[test]
fn indexed_deductible_grows_at_the_trend() {
    // Indexing d by (1 + tau): E[((1+tau)X - d(1+tau))+] = (1+tau) E[(X-d)+].
    let spec = r#"{"deductible": 50000, "premium_pepm": 20}"#;
    let r = run(&pareto_config(3.0, spec, "indexed", 20_000));
    let p = projection_of(&r, 0);
    let want = [50_000.0, 54_000.0, 58_320.0];
    for (d, w) in p.deductible.iter().zip(want) {
        assert!((d.unwrap() / w - 1.0).abs() < 1e-12, "{d:?} vs {w}");
    }
    for lt in &p.leveraged_trend {
        let lt = lt.unwrap();
        assert!(
            (lt.mean - 0.08).abs() < 4.0 * lt.se,
            "{} +- {}",
            lt.mean,
            lt.se
        );
    }
}

/// One member whose year has a claim with probability 0.75 of $300k
/// (0.6) or $600k (0.4): $0 / $300k / $600k with 0.25 / 0.45 / 0.30.
fn known_claimant(rider: &str) -> String {
    format!(
        r#"{{"name": "laser", "seed": 3, "trials": 40000,
  "population": {{"classes": [{{"name": "a", "employees": 1, "members": 1,
    "claims": [{{"name": "medical", "frequency": {{"bernoulli": {{"p": 0.75}}}},
      "severity": {{"empirical": {{"values": [300000, 300000, 300000, 600000, 600000]}}}}}}]}}]}},
  "stop_loss": {{"specific": [{{"deductible": 150000, "premium_pepm": 10000}}]}},
  "projection": {{"years": 2, "trend": 0,
    "renewal": {{"laser": {{"trigger": 1.0, "amount": 500000}}}}{rider}}}}}"#
    )
}

#[test]
fn laser_and_no_new_laser_match_the_worked_example() {
    // Year 2 on the member: lasered at $500k (year 1 over $150k, p 0.75)
    // E[min(X, 500k)] = 285,000; otherwise, or under a no-new-laser rider,
    // E[min(X, 150k)] = 112,500.
    let r = run(&known_claimant(
        r#", "rider": {"surcharge": 0.1, "no_new_lasers": true}"#,
    ));
    let p = projection_of(&r, 0);
    let check = |got: stoploss::results::Estimate, want: f64, what: &str| {
        assert!(
            (got.mean - want).abs() < 4.0 * got.se,
            "{what}: {} +- {} vs {want}",
            got.mean,
            got.se
        );
    };
    check(p.path.annual_retained_claims[1], 112_500.0, "no new lasers");
    assert_eq!(p.path.expected_lasers.mean, 0.0);
    let without = &p.rider.as_ref().expect("rider figures").without;
    check(
        without.annual_retained_claims[1],
        0.75 * 285_000.0 + 0.25 * 112_500.0,
        "lasered",
    );
    check(
        stoploss::results::Estimate {
            mean: without.expected_lasers.mean,
            se: without.expected_lasers.se,
        },
        0.75,
        "lasers set",
    );
    // Year 1 is the same contract on both paths.
    check(p.path.annual_retained_claims[0], 112_500.0, "year 1");
    assert_eq!(
        p.path.annual_retained_claims[0],
        without.annual_retained_claims[0]
    );
}

#[test]
fn the_path_without_the_rider_is_the_run_without_it() {
    // Common random numbers: adding a rider to the config leaves the
    // claims alone, so its `without` path is bit for bit the plain run.
    let with = run(&known_claimant(
        r#", "rider": {"cap": 0.2, "surcharge": 0.1}"#,
    ));
    let plain = run(&known_claimant(""));
    let a = &projection_of(&with, 0).rider.as_ref().unwrap().without;
    let b = &projection_of(&plain, 0).path;
    assert_eq!(
        serde_json::to_string(a).unwrap(),
        serde_json::to_string(b).unwrap()
    );
}

fn persistence_study(frequency: &str, top_stays: f64) -> Study {
    study(
        &format!(
            r#"{{"name": "persist", "seed": 5, "trials": 400,
  "population": {{"classes": [{{"name": "all", "employees": 2000, "members": 2000,
    "claims": [{{"name": "medical", "frequency": {frequency},
      "severity": {{"lognormal": {{"mu": 8, "sigma": 1.5}}}}}}]}}]}},
  "stop_loss": {{"specific": [{{"deductible": 50000, "premium_pepm": 20}}]}},
  "projection": {{"years": 2, "trend": 0, "persistence": {{"top_stays": {top_stays}}}}}}}"#
        ),
        Path::new("."),
    )
}

/// Per trial, each member's claims in each year.
fn member_years(study: &Study, trials: u64) -> Vec<[Vec<f64>; 2]> {
    let kernel = ProjectionKernel::new(study, 0.0);
    let members = study.population.members.len();
    let mut rng = projection_rng(study.seed, 0);
    let (mut trial, mut tiers) = (ProjectedTrial::default(), Vec::new());
    (0..trials)
        .map(|_| {
            kernel.simulate_trial(&mut rng, &TrialShock::NONE, &mut tiers, &mut trial);
            let year = |y: usize| {
                let mut v = vec![0.0; members];
                for c in &trial.years[y].large {
                    v[c.member as usize] = c.specific;
                }
                v
            };
            [year(0), year(1)]
        })
        .collect()
}

/// Of the member-years above the one-year cost distribution's top `share`
/// (its quantile over all member-years of year 1), the share whose next
/// year is above it too.
fn top_share_staying(trials: &[[Vec<f64>; 2]], share: f64) -> f64 {
    let mut pooled: Vec<f64> = trials.iter().flat_map(|t| t[0].iter().copied()).collect();
    pooled.sort_unstable_by(f64::total_cmp);
    let cut = pooled[((1.0 - share) * pooled.len() as f64) as usize];
    let (mut stayed, mut top) = (0usize, 0usize);
    for [a, b] in trials {
        for (x, y) in a.iter().zip(b) {
            if *x > cut {
                top += 1;
                stayed += usize::from(*y > cut);
            }
        }
    }
    stayed as f64 / top as f64
}

#[test]
fn about_a_fifth_of_the_top_percent_stays_there() {
    // With one claim at most, a member's cost is increasing in the risk
    // score, so the top 1% of costs is the top tier: the chain's 0.2
    // (8,000 top member-years: se about 0.0045).
    let s = persistence_study(r#"{"bernoulli": {"p": 0.3}}"#, 0.2);
    let share = top_share_staying(&member_years(&s, 400), 0.01);
    assert!((share - 0.2).abs() < 0.02, "{share}");
    // Without persistence the base rate: 1%.
    let mut independent = s.clone();
    independent.projection.as_mut().unwrap().persistence = None;
    let base = top_share_staying(&member_years(&independent, 400), 0.01);
    assert!((base - 0.01).abs() < 0.005, "{base}");
}

#[test]
fn persistence_leaves_each_year_on_the_configured_model() {
    // Poisson(2) x lognormal(8, 1.5): E[S] = 2 e^(mu + s^2/2), Var[S] =
    // 2 e^(2 mu + 2 s^2), P(S = 0) = e^-2, in year 2 as in year 1.
    let s = persistence_study(r#"{"poisson": {"mean": 2}}"#, 0.4);
    let years = member_years(&s, 100);
    let (mu, sigma) = (8.0f64, 1.5f64);
    let mean = 2.0 * (mu + sigma * sigma / 2.0).exp();
    let var = 2.0 * (2.0 * mu + 2.0 * sigma * sigma).exp();
    for y in 0..2 {
        let v: Vec<f64> = years.iter().flat_map(|t| t[y].iter().copied()).collect();
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        let sd = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
        assert!(
            (m - mean).abs() < 4.0 * (var / n).sqrt(),
            "year {y}: mean {m} vs {mean}"
        );
        // The variance of a sum of lognormals converges slowly: 10%.
        assert!((sd / var - 1.0).abs() < 0.1, "year {y}: var {sd} vs {var}");
        let zero = v.iter().filter(|x| **x == 0.0).count() as f64 / n;
        let p0 = (-2.0f64).exp();
        assert!(
            (zero - p0).abs() < 4.0 * (p0 * (1.0 - p0) / n).sqrt(),
            "{zero}"
        );
    }
    // And the years are correlated: a member's log costs move together.
    let pairs: Vec<(f64, f64)> = years
        .iter()
        .flat_map(|t| {
            t[0].iter()
                .zip(&t[1])
                .map(|(x, y)| ((x + 1.0).ln(), (y + 1.0).ln()))
        })
        .collect();
    let n = pairs.len() as f64;
    let (mx, my) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let cov = pairs.iter().map(|(x, y)| (x - mx) * (y - my)).sum::<f64>() / n;
    assert!(
        cov > 0.0,
        "log costs of consecutive years should correlate: {cov}"
    );
}

#[test]
fn projection_is_identical_on_one_and_two_threads() {
    let json =
        known_claimant(r#", "rider": {"cap": 0.3, "surcharge": 0.08, "lapse_probability": 0.2}"#);
    let s = study(&json, Path::new("."));
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let r = pool.install(|| run_study(&s, &|_| {}));
        serde_json::to_string(&(projection_of(&r, 0), &r.projection)).unwrap()
    };
    assert_eq!(on(1), on(2));
}

#[test]
fn bad_projection_blocks_name_their_field() {
    let base = |block: &str| {
        format!(
            r#"{{"name": "bad", "trials": 100,
  "population": {{"classes": [{{"name": "all", "employees": 10, "members": 10,
    "claims": [{{"name": "medical", "frequency": {{"poisson": {{"mean": 1}}}},
      "severity": {{"exponential": {{"mean": 1000}}}}}}]}}]}},
  "stop_loss": {{"specific": [{{"deductible": 5000, "premium_pepm": 20}}]}},
  "projection": {block}}}"#
        )
    };
    for (block, field) in [
        (r#"{"years": 0}"#, "projection.years"),
        (r#"{"years": 11}"#, "projection.years"),
        (r#"{"years": 3, "trend": [0.1]}"#, "projection.trend"),
        (r#"{"years": 3, "trend": [0.1, 7]}"#, "projection.trend[1]"),
        (
            r#"{"years": 2, "deductible_policy": "floating"}"#,
            "projection.deductible_policy",
        ),
        (
            r#"{"years": 2, "persistence": {"top_stays": 1.5}}"#,
            "projection.persistence.top_stays",
        ),
        (
            r#"{"years": 2, "persistence": {"tiers": [0.9], "transition": [[1, 0], [0.5, 0.4]]}}"#,
            "projection.persistence.transition[1]",
        ),
        (
            r#"{"years": 2, "persistence": {"tiers": [0.5], "transition": [[1, 0], [0.5, 0.5]]}}"#,
            "projection.persistence.transition",
        ),
        (
            r#"{"years": 2, "persistence": {"components": ["dental"]}}"#,
            "projection.persistence.components[0]",
        ),
        (
            r#"{"years": 2, "renewal": {"credibility": 1.5}}"#,
            "projection.renewal.credibility",
        ),
        (
            r#"{"years": 2, "renewal": {"laser": {"amount": "forever"}}}"#,
            "projection.renewal.laser.amount",
        ),
        (
            r#"{"years": 2, "renewal": {"target_loss_ratio": 0}}"#,
            "projection.renewal.target_loss_ratio",
        ),
        (
            r#"{"years": 2, "rider": {"surcharge": -1}}"#,
            "projection.rider.surcharge",
        ),
        (
            r#"{"years": 2, "rider": {"surcharge": 0.1, "lapse_probability": 2}}"#,
            "projection.rider.lapse_probability",
        ),
        (
            r#"{"years": 2, "manual_trials": 5}"#,
            "projection.manual_trials",
        ),
    ] {
        let err = stoploss::config::parse(&base(block), "bad.json", Path::new("."))
            .expect_err(block)
            .to_string();
        assert!(err.contains(field), "{block}: {err}");
    }
}

#[test]
fn parameter_risk_persists_across_the_years() {
    // 200 members, Poisson(2) x exponential(1,000), a frequency shock G
    // (mean 1, CV 0.3) per trial, the same in both years: Var S_y =
    // n lambda E[X^2] + c^2 (n lambda mu)^2 and Cov(S_1, S_2) =
    // c^2 (n lambda mu)^2, so the two-year total has sd
    // sqrt(2 (8e8 + 1.44e10) + 2 x 1.44e10) = 243,311 (40,000 without).
    let json = r#"{"name": "pr", "seed": 9, "trials": 20000,
  "population": {"classes": [{"name": "all", "employees": 200, "members": 200,
    "claims": [{"name": "m", "frequency": {"poisson": {"mean": 2}},
                "severity": {"exponential": {"mean": 1000}}}]}]},
  "stop_loss": {"specific": [{"deductible": 1000000000, "premium_pepm": 0}]},
  "parameter_risk": {"frequency_cv": 0.3},
  "projection": {"years": 2, "trend": 0}}"#;
    let r = run(json);
    let sd = projection_of(&r, 0).path.cumulative_cost.sd;
    let want = (2.0f64 * (8e8 + 1.44e10) + 2.0 * 1.44e10).sqrt();
    assert!((sd / want - 1.0).abs() < 0.03, "{sd} vs {want}");
}

#[test]
fn a_rechosen_deductible_takes_the_cheaper_offer() {
    // With Z = 0 every offer is M / TLR, whose expected cost over the
    // manual reimbursement, M (1 / TLR - 1), is lowest for the higher
    // deductible: a path that starts at $50k moves to $100k at the first
    // renewal and from then on costs what the $100k candidate costs, trial
    // by trial (common random numbers).
    let json = r#"{"name": "rechosen", "seed": 4, "trials": 3000,
  "population": {"classes": [{"name": "all", "employees": 300, "members": 300,
    "claims": [{"name": "m", "frequency": {"poisson": {"mean": 2}},
                "severity": {"lognormal": {"mu": 8, "sigma": 1.6}}}]}]},
  "stop_loss": {"specific": [{"deductible": 50000, "premium_pepm": 60},
                             {"deductible": 100000, "premium_pepm": 30}]},
  "projection": {"years": 3, "trend": 0.05, "deductible_policy": "rechosen",
    "renewal": {"credibility": 0, "target_loss_ratio": 0.75}}}"#;
    let r = run(json);
    let (a, b) = (projection_of(&r, 0), projection_of(&r, 1));
    let share = a.path.specific_option_share.as_ref().expect("shares");
    assert_eq!(share[0]["spec $50k"], 1.0);
    assert_eq!(share[1]["spec $100k"], 1.0);
    assert_eq!(share[2]["spec $100k"], 1.0);
    for y in 1..3 {
        assert_eq!(
            a.path.annual_cost[y],
            b.path.annual_cost[y],
            "year {}",
            y + 1
        );
    }
    assert_ne!(a.path.annual_cost[0], b.path.annual_cost[0]);
}

#[test]
fn tier_triggered_lasers_follow_the_stationary_mix() {
    // Lasers on members whose top-tier (top 1%) flag is set, never on
    // claims (trigger 100 x d): 2,000 members x P(top tier) 0.01 = 20 per
    // renewal, as the chain keeps its stationary mix.
    let json = r#"{"name": "tier", "seed": 8, "trials": 2000,
  "population": {"classes": [{"name": "all", "employees": 2000, "members": 2000,
    "claims": [{"name": "medical", "frequency": {"bernoulli": {"p": 0.3}},
                "severity": {"lognormal": {"mu": 8, "sigma": 1.5}}}]}]},
  "stop_loss": {"specific": [{"deductible": 50000, "premium_pepm": 20}]},
  "projection": {"years": 2, "trend": 0, "persistence": {"top_stays": 0.2},
    "renewal": {"laser": {"trigger": 100, "trigger_tier": 4, "amount": "exclude"}}}}"#;
    let r = run(json);
    let lasers = projection_of(&r, 0).path.expected_lasers;
    assert!(
        (lasers.mean - 20.0).abs() < 4.0 * lasers.se,
        "{} +- {}",
        lasers.mean,
        lasers.se
    );
    assert!(lasers.se > 0.0 && lasers.se < 0.2, "{}", lasers.se);
}
