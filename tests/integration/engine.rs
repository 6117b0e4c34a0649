//! The simulation engine on random models: identities that must hold in
//! every trial, determinism across thread counts, common random numbers,
//! and Monte Carlo accuracy against closed forms.

use crate::util::{cand, study};

use std::fmt::Write as _;
use std::path::Path;

use stoploss::model::Study;
use stoploss::run::run_study;
use stoploss::sim::{simulate, TrialColumns};

/// `|estimate - truth| <= k se`, with a useful message.
fn assert_within_se(estimate: f64, se: f64, truth: f64, k: f64, what: &str) {
    assert!(se > 0.0, "{what}: se must be positive, got {se}");
    let z = (estimate - truth) / se;
    assert!(
        z.abs() <= k,
        "{what}: estimate {estimate}, closed form {truth}, se {se}, z = {z:.2}"
    );
}

// ------------------------------------------------------ random census model

/// 300 members (150 employees, alternating single / family tiers, some part
/// year, varied risk factors). Members M0001-M0003 carry a risk factor of 5
/// so that their lasers bite.
fn write_random_census(dir: &Path) {
    let mut csv = String::from("member_id,employee_id,class,tier,risk_factor,months\n");
    for i in 1..=300u32 {
        let e = i.div_ceil(2);
        let tier = if e % 2 == 0 { "single" } else { "family" };
        let risk = if i <= 3 {
            5.0
        } else {
            0.5 + f64::from(i % 7) * 0.25
        };
        let months = if e % 5 == 0 { 6 } else { 12 };
        writeln!(csv, "M{i:04},E{e:04},m,{tier},{risk},{months}").unwrap();
    }
    std::fs::write(dir.join("census.csv"), csv).unwrap();
}

/// Specific options, in order:
/// 0 no specific, 1 d 25k, 2 d 50k, 3 d 50k + ASD 150k, 4 d 50k at 80%,
/// 5 d 100k, 6 d 100k with a 150k maximum.
fn random_study(dir: &Path, trials: u64, seed: u64, asd_counts: bool, gap_counts: bool) -> Study {
    let json = format!(
        r#"{{
  "name": "random", "seed": {seed}, "trials": {trials},
  "population": {{"census": "census.csv", "classes": [
    {{"name": "m", "claims": [
      {{"name": "medical", "frequency": {{"bernoulli": {{"p": 0.6}}}},
        "severity": {{"lognormal": {{"mu": 8, "sigma": 1.5}}}}}},
      {{"name": "dental", "specific": false, "aggregate": false,
        "frequency": {{"poisson": {{"mean": 1.5}}}},
        "severity": {{"gamma": {{"mean": 250, "cv": 1.0}}}}}}]}}]}},
  "stop_loss": {{
    "include_no_specific": true,
    "specific": [
      {{"deductible": 25000, "premium_pepm": 90}},
      {{"deductible": 50000, "premium_pepm": {{"single": 50, "family": 110}}}},
      {{"deductible": 50000, "aggregating_deductible": 150000, "premium_pepm": 45}},
      {{"label": "d50 80%", "deductible": 50000, "reimbursement_pct": 0.8, "target_loss_ratio": 0.85}},
      {{"deductible": 100000, "premium_pepm": 30}},
      {{"label": "d100 max", "deductible": 100000, "max_reimbursement": 150000, "premium_pepm": 25}}
    ],
    "aggregate": [{{"attachment_factor": 1.25, "premium_pepm": 5}},
                  {{"attachment_factor": 1.1, "max_reimbursement": 200000, "target_loss_ratio": 0.8}}],
    "lasers": [
      {{"member_id": "M0001", "deductible": 150000}},
      {{"member_id": "M0002", "excluded": true}},
      {{"member_id": "M0003", "deductible": 60000}}
    ],
    "asd_counts_toward_aggregate": {asd_counts},
    "laser_gap_counts_toward_aggregate": {gap_counts}
  }},
  "fees": {{"admin_pepm": 35}},
  "budget": 4000000
}}"#
    );
    study(&json, dir)
}

const NO_SPEC: usize = 0;
const D25: usize = 1;
const D50: usize = 2;
const ASD: usize = 3;
const PCT: usize = 4;
const D100: usize = 5;
const D100MAX: usize = 6;

fn eps(x: f64) -> f64 {
    1e-7 * x.abs().max(1.0)
}

/// Identities within one simulated study, trial by trial.
#[allow(clippy::needless_range_loop)]
fn check_trial_identities(study: &Study, cols: &TrialColumns, gaps_and_asd_count: bool) {
    let n = cols.trials();
    assert_eq!(n as u64, study.trials);
    assert_eq!(cols.retained.len(), 7);
    // Factor attachments of the 1.25 option (no maximum).
    let attachment: Vec<f64> = cols
        .aggregates()
        .map(|ra| 1.25 * ra.iter().sum::<f64>() / n as f64)
        .collect();
    for i in 0..n {
        let g = cols.gross[i];
        let e = eps(g);
        let ret = |s: usize| cols.retained[s][i];
        let ra = |s: usize| cols.aggregate(s).get(i);
        let cl = |s: usize| cols.claimants[s].get(i);
        let reimb = |s: usize| g - ret(s);
        assert!(g >= 0.0);
        for s in 0..7 {
            assert!(ret(s) <= g, "trial {i} option {s}: retained above gross");
            assert!(ret(s) >= -e, "trial {i} option {s}: negative retained");
            assert!(reimb(s) >= 0.0);
            assert!(ra(s) >= 0.0);
            assert!(
                ra(s) <= ret(s) + e,
                "trial {i} option {s}: aggregate-eligible above retained"
            );
            // Claims kept under an aggregate without a maximum never exceed
            // the attachment plus what the aggregate does not count.
            let a = attachment[s];
            let agg = (ra(s) - a).clamp(0.0, f64::INFINITY);
            assert!(ret(s) - agg <= a + (ret(s) - ra(s)) + e);
        }
        // No specific cover: the employer keeps everything.
        assert_eq!(ret(NO_SPEC), g, "trial {i}");
        assert_eq!(cl(NO_SPEC), 0);
        // Higher deductible, more retained, fewer claimants.
        assert!(ret(D25) <= ret(D50) + e, "trial {i}");
        assert!(ret(D50) <= ret(D100) + e, "trial {i}");
        assert!(cl(D25) >= cl(D50) && cl(D50) >= cl(D100), "trial {i}");
        // The ASD keeps the first 150,000 of what d = 50k reimburses.
        let kept = reimb(D50).min(150_000.0);
        assert!(
            (ret(ASD) - ret(D50) - kept).abs() <= e,
            "trial {i}: ASD kept {} expected {kept}",
            ret(ASD) - ret(D50)
        );
        assert_eq!(cl(ASD), cl(D50));
        // 80% of each member's excess: 80% of the total.
        assert!((reimb(PCT) - 0.8 * reimb(D50)).abs() <= e, "trial {i}");
        assert_eq!(cl(PCT), cl(D50));
        // A per-member maximum only lowers the reimbursement, and caps
        // each claimant's share.
        assert!(reimb(D100MAX) <= reimb(D100) + e);
        assert!(reimb(D100MAX) <= 150_000.0 * f64::from(cl(D100MAX)) + e);
        assert_eq!(cl(D100MAX), cl(D100));
        if gaps_and_asd_count {
            // Every retained dollar counts toward the aggregate except the
            // dental component, whatever the option: retained - Ra is the
            // dental total, which is gross - Ra under no specific cover.
            let dental = g - ra(NO_SPEC);
            assert!(dental >= 0.0);
            for s in 0..7 {
                assert!(
                    (ret(s) - ra(s) - dental).abs() <= e,
                    "trial {i} option {s}: retained - Ra = {} but dental = {dental}",
                    ret(s) - ra(s)
                );
            }
        }
    }
}

#[test]
#[allow(clippy::needless_range_loop)]
fn identities_on_every_trial() {
    let dir = tempfile::tempdir().unwrap();
    write_random_census(dir.path());
    let trials = 3000;
    let tt = random_study(dir.path(), trials, 99, true, true);
    let ft = random_study(dir.path(), trials, 99, false, true);
    let tf = random_study(dir.path(), trials, 99, true, false);
    let (ctt, cft, ctf) = (
        simulate(&tt, &|_: u64| {}),
        simulate(&ft, &|_: u64| {}),
        simulate(&tf, &|_: u64| {}),
    );
    check_trial_identities(&tt, &ctt, true);
    check_trial_identities(&ft, &cft, false);
    check_trial_identities(&tf, &ctf, false);

    // The flags change only what counts toward the aggregate: the same
    // seed gives the same claims and the same specific outcomes.
    assert_eq!(ctt.gross, cft.gross);
    assert_eq!(ctt.gross, ctf.gross);
    assert_eq!(ctt.retained, cft.retained);
    assert_eq!(ctt.retained, ctf.retained);
    assert_eq!(ctt.claimants, ctf.claimants);

    let mut partly_absorbed = 0;
    let mut fully_absorbed = 0;
    let mut gap_trials = [0usize; 7];
    for i in 0..ctt.trials() {
        let g = ctt.gross[i];
        let e = eps(g);
        // ASD not counted: the ASD option loses exactly the kept dollars.
        let reimb50 = g - ctt.retained[D50][i];
        let kept = reimb50.min(150_000.0);
        for s in 0..7 {
            let diff = ctt.aggregate(s).get(i) - cft.aggregate(s).get(i);
            let expected = if s == ASD { kept } else { 0.0 };
            assert!(
                (diff - expected).abs() <= e,
                "trial {i} option {s}: ASD flag moved Ra by {diff}, expected {expected}"
            );
        }
        if reimb50 > 0.0 && reimb50 < 150_000.0 {
            fully_absorbed += 1;
        } else if reimb50 > 150_000.0 {
            partly_absorbed += 1;
        }
        // Laser gap not counted: a non-negative gap, none without specific
        // cover, shrinking as the deductible rises, the same for every
        // option with the same deductible.
        let gap = |s: usize| ctt.aggregate(s).get(i) - ctf.aggregate(s).get(i);
        assert_eq!(gap(NO_SPEC), 0.0);
        for s in 0..7 {
            assert!(gap(s) >= -e, "trial {i} option {s}: negative gap");
            if gap(s) > e {
                gap_trials[s] += 1;
            }
        }
        assert!(gap(D25) >= gap(D50) - e && gap(D50) >= gap(D100) - e);
        assert!((gap(ASD) - gap(D50)).abs() <= e);
        assert!((gap(PCT) - gap(D50)).abs() <= e);
        assert!((gap(D100MAX) - gap(D100)).abs() <= e);
    }
    // The test exercises what it claims to.
    assert!(
        fully_absorbed > 10,
        "ASD fully absorbs in {fully_absorbed} trials"
    );
    assert!(
        partly_absorbed > 10,
        "ASD partly absorbs in {partly_absorbed} trials"
    );
    assert!(
        gap_trials[D50] > 10,
        "laser gaps in {} trials",
        gap_trials[D50]
    );
    assert!(
        gap_trials[D100] > 10,
        "laser gaps in {} trials",
        gap_trials[D100]
    );
}

#[test]
fn results_do_not_depend_on_threads_and_follow_the_seed() {
    let dir = tempfile::tempdir().unwrap();
    write_random_census(dir.path());
    let s = random_study(dir.path(), 5000, 7, true, false);
    let in_pool = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let r = pool.install(|| run_study(&s, &|_: u64| {}));
        assert_eq!(r.meta.threads, threads);
        (
            serde_json::to_string(&r.candidates).unwrap(),
            serde_json::to_string(&r.population).unwrap(),
            serde_json::to_string(&r.specific_options).unwrap(),
            r,
        )
    };
    let one = in_pool(1);
    for threads in [2, 3] {
        let other = in_pool(threads);
        assert!(one.0 == other.0, "candidates differ with {threads} threads");
        assert!(
            one.1 == other.1,
            "population differs with {threads} threads"
        );
        assert!(
            one.2 == other.2,
            "specific options differ with {threads} threads"
        );
    }
    let r = one.3;
    // Common random numbers: every candidate sees the same gross claims.
    let gross = r.population.simulated_gross_claims.mean;
    assert_eq!(r.candidates.len(), 7 * 3);
    for c in &r.candidates {
        assert_eq!(
            c.gross_claims.mean.to_bits(),
            gross.to_bits(),
            "{}",
            c.label
        );
        assert_eq!(
            c.gross_claims.se.to_bits(),
            r.candidates[0].gross_claims.se.to_bits()
        );
    }

    // Another seed, other years.
    let s2 = random_study(dir.path(), 5000, 8, true, false);
    let r2 = run_study(&s2, &|_: u64| {});
    assert_ne!(r2.population.simulated_gross_claims.mean, gross);
    for (a, b) in r.candidates.iter().zip(&r2.candidates) {
        assert_eq!(a.label, b.label);
        if a.specific_deductible.is_some() {
            assert_ne!(a.employer_cost.mean, b.employer_cost.mean, "{}", a.label);
        }
    }

    // Trials are block-seeded: a shorter run is a prefix of a longer one.
    let short = random_study(dir.path(), 3000, 7, true, false);
    let cs = simulate(&short, &|_: u64| {});
    let cl = simulate(&s, &|_: u64| {});
    assert_eq!(cs.gross[..], cl.gross[..3000]);
    assert_eq!(cs.retained[D50][..], cl.retained[D50][..3000]);
    assert_eq!(
        cs.aggregate(ASD).to_cow()[..],
        cl.aggregate(ASD).to_cow()[..3000]
    );
}

#[test]
fn candidate_figures_add_up() {
    // On a random model, each candidate's parts add up to its cost, and its
    // attachment is the factor times the option's expected Ra.
    let dir = tempfile::tempdir().unwrap();
    write_random_census(dir.path());
    let s = random_study(dir.path(), 4000, 5, true, true);
    let r = run_study(&s, &|_: u64| {});
    let months: f64 = r.population.employee_months_by_tier.values().sum();
    // Employees: 150, every fifth (30) enrolled six months.
    assert!((months - (120.0 * 12.0 + 30.0 * 6.0)).abs() < 1e-9);
    let fees = 35.0 * months;
    for c in &r.candidates {
        let l = &c.label;
        let tol = 1e-6 * c.employer_cost.mean;
        let parts = c.retained_claims.mean + c.premium.mean + c.fees.mean;
        assert!((parts - c.employer_cost.mean).abs() < tol, "{l}");
        assert!((c.fees.mean - fees).abs() < 1e-6, "{l}");
        let kept =
            c.gross_claims.mean - c.specific_reimbursement.mean - c.aggregate_reimbursement.mean;
        assert!((kept - c.retained_claims.mean).abs() < tol, "{l}");
        let opt = r
            .specific_options
            .iter()
            .find(|o| o.label == c.specific_label)
            .unwrap();
        assert!(
            (opt.expected_specific_reimbursement.mean - c.specific_reimbursement.mean).abs() < tol
        );
        match c.aggregate_label.as_deref() {
            None => {
                assert!(c.aggregate_attachment.is_none() && c.aggregate_reimbursement.mean == 0.0)
            }
            Some("agg 125%") => {
                let a = c.aggregate_attachment.unwrap();
                assert!((a - 1.25 * opt.expected_aggregate_retained.mean).abs() < 1e-6 * a);
                // Dental is outside the aggregate: no bound.
                assert_eq!(c.max_liability, None);
            }
            Some("agg 110%") => {
                let a = c.aggregate_attachment.unwrap();
                assert!((a - 1.1 * opt.expected_aggregate_retained.mean).abs() < 1e-6 * a);
                assert!(c.aggregate_reimbursement.mean <= 200_000.0);
                assert!(
                    (c.aggregate_premium.mean - c.aggregate_reimbursement.mean / 0.8).abs()
                        < 1e-6 * c.aggregate_premium.mean.max(1.0)
                );
            }
            Some(other) => panic!("unexpected aggregate {other}"),
        }
        let p = c.employer_cost.percentiles;
        assert!(p.p50 <= p.p75 && p.p75 <= p.p90 && p.p90 <= p.p95 && p.p95 <= p.p99);
        assert!(p.p99 <= p.p99_5 && p.p99_5 <= c.employer_cost.max);
        assert!(c.employer_cost.tvar.p99 >= p.p99 && c.employer_cost.tvar.p90 >= p.p90);
    }
    // Priced specific premium: expected reimbursement / 0.85.
    let o = &r.specific_options[PCT];
    assert_eq!(o.premium_basis, "priced");
    assert!((o.annual_premium - o.expected_specific_reimbursement.mean / 0.85).abs() < 1e-6);
}

// ------------------------------------------------------------- accuracy

#[test]
fn gross_claims_match_the_closed_form() {
    // Poisson(2) claims of gamma(mean 5,000, cv 1.5) for 200 members:
    // E[S] = 200 x 2 x 5,000; Var[S] = 200 x 2 x E[X^2] = 400 x 5,000^2 x (1 + 1.5^2).
    let json = r#"{
  "name": "acc", "seed": 2024, "trials": 20000,
  "population": {"classes": [{"name": "m", "employees": 200,
    "claims": [{"name": "c", "frequency": {"poisson": {"mean": 2}},
                "severity": {"gamma": {"mean": 5000, "cv": 1.5}}}]}]},
  "stop_loss": {"include_no_specific": true}
}"#;
    let r = run_study(&study(json, Path::new(".")), &|_: u64| {});
    let mean = 2_000_000.0;
    let sd = (400.0 * 5000.0f64.powi(2) * 3.25).sqrt();
    assert!((r.population.expected_gross_claims - mean).abs() < 1e-6);
    let g = r.population.simulated_gross_claims;
    assert_within_se(g.mean, g.se, mean, 4.0, "gross mean");
    // se = sd / sqrt(n) with the sample sd close to the true one.
    assert!(
        (g.se - sd / 20000f64.sqrt()).abs() < 0.03 * g.se,
        "se {}",
        g.se
    );
    let c = cand(&r, "no specific / no aggregate");
    assert!(
        (c.employer_cost.sd / sd - 1.0).abs() < 0.025,
        "sd {} vs {sd}",
        c.employer_cost.sd
    );
    assert_within_se(c.employer_cost.mean, c.employer_cost.se, mean, 4.0, "cost");
}

#[test]
fn specific_reimbursement_matches_the_closed_form() {
    // Bernoulli(p) x exponential(mean m): E[min((X - d)+, L)] =
    // p m exp(-d / m) (1 - exp(-L / m)), P(X > d) = p exp(-d / m). With a
    // reimbursement percentage q and per-member maximum M, L = M / q.
    // Census: 100 members all year; 100 for six months (p halves); 100 all
    // year with risk factor 2 (m doubles). Trend 10% for 12 months: m x 1.1.
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("member_id,employee_id,class,risk_factor,months\n");
    for i in 0..300 {
        let (risk, months) = match i / 100 {
            0 => (1, 12),
            1 => (1, 6),
            _ => (2, 12),
        };
        writeln!(csv, "m{i},e{i},x,{risk},{months}").unwrap();
    }
    std::fs::write(dir.path().join("c.csv"), csv).unwrap();
    let json = r#"{
  "name": "spec", "seed": 77, "trials": 20000,
  "trend": {"annual": 0.1, "months": 12},
  "population": {"census": "c.csv", "classes": [{"name": "x",
    "claims": [{"name": "c", "frequency": {"bernoulli": {"p": 0.3}},
                "severity": {"exponential": {"mean": 20000}}}]}]},
  "stop_loss": {
    "specific": [
      {"deductible": 50000, "target_loss_ratio": 0.8},
      {"label": "max", "deductible": 50000, "max_reimbursement": 10000, "premium_pepm": 1},
      {"label": "pct", "deductible": 50000, "reimbursement_pct": 0.9, "max_reimbursement": 20000, "premium_pepm": 1},
      {"deductible": 100000, "premium_pepm": 1}
    ],
    "include_no_aggregate": true
  },
  "fees": {"admin_pepm": 10}
}"#;
    let s = study(json, dir.path());
    let r = run_study(&s, &|_: u64| {});
    let m = 20_000.0 * 1.1;
    let groups = [(100.0, 0.3, m), (100.0, 0.15, m), (100.0, 0.3, 2.0 * m)];
    let excess = |d: f64, limit: f64| -> f64 {
        groups
            .iter()
            .map(|(n, p, m)| n * p * m * (-d / m).exp() * (1.0 - (-limit / m).exp()))
            .sum()
    };
    let claimants = |d: f64| -> f64 { groups.iter().map(|(n, p, m)| n * p * (-d / m).exp()).sum() };
    let gross: f64 = groups.iter().map(|(n, p, m)| n * p * m).sum();
    assert!((r.population.expected_gross_claims - gross).abs() < 1e-6 * gross);
    assert!((r.population.expected_gross_claims - 2_310_000.0).abs() < 1e-3);
    let g = r.population.simulated_gross_claims;
    assert_within_se(g.mean, g.se, gross, 4.0, "gross");
    // Employee-months: 200 x 12 + 100 x 6; fees 10 per month.
    assert!((r.population.employees - 250.0).abs() < 1e-9);

    let inf = f64::INFINITY;
    let cases = [
        ("spec $50k / no aggregate", 50_000.0, 1.0, inf),
        ("max / no aggregate", 50_000.0, 1.0, 10_000.0),
        ("pct / no aggregate", 50_000.0, 0.9, 20_000.0),
        ("spec $100k / no aggregate", 100_000.0, 1.0, inf),
    ];
    for (label, d, q, max) in cases {
        let c = cand(&r, label);
        let truth = q * excess(d, max / q);
        let e = c.specific_reimbursement;
        assert_within_se(e.mean, e.se, truth, 4.0, label);
        let k = c.expected_specific_claimants;
        assert_within_se(k.mean, k.se, claimants(d), 4.0, label);
        assert!((c.fees.mean - 10.0 * 3000.0).abs() < 1e-9);
    }
    // The priced premium is the run's expected reimbursement / 0.8.
    let c = cand(&r, "spec $50k / no aggregate");
    assert!(
        (c.specific_premium.mean - c.specific_reimbursement.mean / 0.8).abs()
            < 1e-9 * c.specific_premium.mean
    );
    assert!((c.specific_premium.se - c.specific_reimbursement.se / 0.8).abs() < 1e-9);
    // The cost's se accounts for the premium estimated on the same trials:
    // it is the se of retained_i + reimbursement_i / 0.8, computed here from
    // the per-trial columns. A quoted premium adds nothing to the se.
    let cols = simulate(&s, &|_: u64| {});
    let se_of = |xs: &[f64]| {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (var / n).sqrt()
    };
    let priced: Vec<f64> = (0..cols.trials())
        .map(|i| cols.retained[0][i] + (cols.gross[i] - cols.retained[0][i]) / 0.8)
        .collect();
    let want = se_of(&priced);
    assert!(
        (c.employer_cost.se - want).abs() < 1e-6 * want,
        "priced se {} vs {want}",
        c.employer_cost.se
    );
    let c = cand(&r, "max / no aggregate");
    let want = se_of(&cols.retained[1]);
    assert!((c.employer_cost.se - want).abs() < 1e-6 * want);
    assert!((c.retained_claims.se - want).abs() < 1e-6 * want);
}

#[test]
fn leveraged_trend() {
    // Lomax(alpha 3, theta 2,000) per member: E[(X - d)+] =
    // theta^alpha / ((alpha - 1) (d + theta)^(alpha - 1)). A 10% trend scales
    // theta by 1.1: the layer above 3,000 grows from 160 to 196.9 (23%), not 10%.
    let layer = |theta: f64| theta.powi(3) / (2.0 * (3000.0 + theta).powi(2));
    assert!((layer(2000.0) - 160.0).abs() < 1e-9);
    let run = |trend: &str| {
        let json = format!(
            r#"{{
  "name": "lev", "seed": 5, "trials": 20000, {trend}
  "population": {{"classes": [{{"name": "m", "employees": 50,
    "claims": [{{"name": "c", "frequency": {{"bernoulli": {{"p": 1}}}},
                "severity": {{"pareto": {{"alpha": 3, "theta": 2000}}}}}}]}}]}},
  "stop_loss": {{"specific": [{{"deductible": 3000, "premium_pepm": 1}}]}}
}}"#
        );
        run_study(&study(&json, Path::new(".")), &|_: u64| {})
    };
    let flat = run("");
    let trended = run(r#""trend": {"annual": 0.1, "months": 12},"#);
    for (r, theta) in [(&flat, 2000.0), (&trended, 2200.0)] {
        let c = cand(r, "spec $3k / no aggregate");
        let e = c.specific_reimbursement;
        assert_within_se(e.mean, e.se, 50.0 * layer(theta), 4.0, "layer");
        let g = c.gross_claims;
        assert_within_se(g.mean, g.se, 50.0 * theta / 2.0, 4.0, "gross");
    }
    let growth = layer(2200.0) / layer(2000.0) - 1.0;
    assert!((growth - 0.2306).abs() < 1e-3, "growth {growth}");
}

fn binomial_pmf(n: u32, p: f64) -> Vec<f64> {
    let mut pmf = vec![(1.0 - p).powi(n as i32)];
    for k in 1..=n {
        let prev = pmf[(k - 1) as usize];
        pmf.push(prev * f64::from(n - k + 1) / f64::from(k) * p / (1.0 - p));
    }
    pmf
}

#[test]
fn aggregate_and_tail_figures_match_the_binomial() {
    // 20 members each claiming exactly 10,000 with probability 0.3: gross =
    // 10,000 K with K ~ Binomial(20, 0.3). The $50k specific never pays, so
    // the aggregate sees all of it.
    let json = r#"{
  "name": "binom", "seed": 4242, "trials": 20000,
  "population": {"classes": [{"name": "m", "employees": 20,
    "claims": [{"name": "c", "frequency": {"bernoulli": {"p": 0.3}},
                "severity": {"empirical": {"values": [10000]}}}]}]},
  "stop_loss": {
    "specific": [{"deductible": 50000, "premium_pepm": 1}],
    "aggregate": [{"attachment_amount": 80000, "premium_pepm": 2},
                  {"label": "capped", "attachment_amount": 80000, "max_reimbursement": 15000, "premium_pepm": 2}]
  },
  "budget": 100000
}"#;
    let r = run_study(&study(json, Path::new(".")), &|_: u64| {});
    let n = 20000.0;
    let pmf = binomial_pmf(20, 0.3);
    let cdf: Vec<f64> = pmf
        .iter()
        .scan(0.0, |c, p| {
            *c += p;
            Some(*c)
        })
        .collect();
    let expect = |f: &dyn Fn(f64) -> f64| -> f64 {
        pmf.iter()
            .enumerate()
            .map(|(k, p)| p * f(10_000.0 * k as f64))
            .sum()
    };
    let premium = 240.0; // 1 PEPM x 240 employee-months
    let c = cand(&r, "spec $50k / no aggregate");
    let mean = expect(&|x| x);
    assert!((mean - 60_000.0).abs() < 1e-6);
    assert_within_se(
        c.employer_cost.mean,
        c.employer_cost.se,
        mean + premium,
        4.0,
        "cost",
    );
    let sd = 10_000.0 * (20.0f64 * 0.3 * 0.7).sqrt();
    assert!(
        (c.employer_cost.sd / sd - 1.0).abs() < 0.03,
        "sd {}",
        c.employer_cost.sd
    );
    assert_eq!(c.specific_reimbursement.mean, 0.0);
    assert_eq!(c.expected_specific_claimants.mean, 0.0);

    // Percentiles: the smallest 10,000 k + premium with F(k) >= p. Only levels
    // whose F is at least 5 binomial standard errors away from p are checked.
    let p = c.employer_cost.percentiles;
    let mut checked = 0;
    for (level, got) in [
        (0.5, p.p50),
        (0.75, p.p75),
        (0.9, p.p90),
        (0.95, p.p95),
        (0.99, p.p99),
    ] {
        let k = cdf.iter().position(|&f| f >= level).unwrap();
        let se = (level * (1.0 - level) / n).sqrt();
        let margin = (cdf[k] - level).min(level - if k > 0 { cdf[k - 1] } else { 0.0 });
        if margin > 5.0 * se {
            assert_eq!(got, 10_000.0 * k as f64 + premium, "VaR {level}");
            checked += 1;
        }
    }
    assert!(checked >= 4, "only {checked} percentiles checked");
    // TVaR_0.9 = (E[X 1{X > q}] + q (F(q) - 0.9)) / 0.1 with q = VaR_0.9.
    let k90 = cdf.iter().position(|&f| f >= 0.9).unwrap();
    let q = 10_000.0 * k90 as f64;
    let tvar = (expect(&|x| if x > q { x } else { 0.0 }) + q * (cdf[k90] - 0.9)) / 0.1;
    let t = &c.employer_cost;
    assert_within_se(t.tvar.p90, t.tvar_se.p90, tvar + premium, 4.0, "TVaR 90");
    // P(cost > 100,000) = P(10,000 K > 99,760) = P(K >= 10).
    let b = c.prob_exceeds_budget.unwrap();
    assert_within_se(b.mean, b.se, 1.0 - cdf[9], 4.0, "P(cost > budget)");

    // Aggregate at 80,000: E[(10,000 K - 80,000)+], P(K > 8); capped at 15,000.
    let c = cand(&r, "spec $50k / agg $80k");
    assert_eq!(c.aggregate_attachment, Some(80_000.0));
    let truth = expect(&|x| (x - 80_000.0).max(0.0));
    let a = c.aggregate_reimbursement;
    assert_within_se(a.mean, a.se, truth, 4.0, "aggregate reimbursement");
    let pa = c.prob_aggregate_attaches.unwrap();
    assert_within_se(pa.mean, pa.se, 1.0 - cdf[8], 4.0, "P(attach)");
    // Every year's cost is at most the attachment plus premiums.
    let bound = 80_000.0 + premium + 480.0;
    assert!((c.max_liability.unwrap() - bound).abs() < 1e-9);
    assert!(c.employer_cost.max <= bound);
    assert_eq!(c.employer_cost.percentiles.p99_5, bound);

    let c = cand(&r, "spec $50k / capped");
    let truth = expect(&|x| (x - 80_000.0).clamp(0.0, 15_000.0));
    let a = c.aggregate_reimbursement;
    assert_within_se(a.mean, a.se, truth, 4.0, "capped aggregate");
    assert_eq!(c.max_liability, None);
}

/// `evaluate::trial_costs` gives the outcomes behind each candidate's
/// `employer_cost`: their mean (pushed in trial order) bit for bit, and sorted,
/// the percentiles, TVaRs and maximum.
#[test]
fn trial_costs_are_the_outcomes_behind_employer_cost() {
    use stoploss::evaluate::{trial_costs, CandidateTerms, OptionExpectations};
    use stoploss::model::Overrides;
    use stoploss::run::run_study_from;
    use stoploss::stats::{quantile, tvar, Moments};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let study = stoploss::config::load(&root.join("configs/small-100.json"))
        .unwrap()
        .with_overrides(&Overrides {
            trials: Some(3000),
            ..Overrides::default()
        })
        .unwrap();
    let (r, columns) = run_study_from(&study, TrialColumns::default(), &|_| {});
    assert_eq!(r.candidates, run_study(&study, &|_| {}).candidates);
    let expectations = OptionExpectations::from_columns(&study, &columns);
    for (c, result) in study.contract.candidates.iter().zip(&r.candidates) {
        let terms = CandidateTerms::new(&study, &expectations, c);
        let mut costs = trial_costs(&study, &columns, &terms);
        assert_eq!(costs.len(), 3000);
        let m: Moments = costs.iter().copied().collect();
        let e = &result.employer_cost;
        assert_eq!(m.mean(), e.mean, "{}", result.label);
        assert_eq!(m.sd(), e.sd, "{}", result.label);
        costs.sort_unstable_by(f64::total_cmp);
        assert_eq!(quantile(&costs, 0.95), e.percentiles.p95);
        assert_eq!(quantile(&costs, 0.995), e.percentiles.p99_5);
        assert_eq!(tvar(&costs, 0.99), e.tvar.p99);
        assert_eq!(costs[2999], e.max);
    }
}
