//! The exact engine against closed forms and published examples, and the
//! simulation against the exact engine.

use stoploss::exact::ExactOptions;
use stoploss::model::Study;
use stoploss::results::{CandidateResult, Results};
use stoploss::run::{run_both, run_exact};

fn parse(json: &str) -> Study {
    stoploss::config::parse(json, "test.json", std::path::Path::new("."))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn exact_with_step(json: &str, step: f64) -> Results {
    let study = parse(json);
    run_exact(
        &study,
        &ExactOptions {
            step: Some(step),
            ..ExactOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn candidate<'a>(r: &'a Results, label: &str) -> &'a CandidateResult {
    r.candidates
        .iter()
        .find(|c| c.label == label)
        .unwrap_or_else(|| panic!("no candidate {label}"))
}

/// A stop-loss premium study: one class of `members` with the given
/// frequency and an empirical severity, no specific cover, and aggregate
/// options at each `d` (attachment_amount), zero premiums.
fn stop_loss_premium_config(members: u32, frequency: &str, values: &[f64], ds: &[f64]) -> String {
    let aggregates: Vec<String> = ds
        .iter()
        .map(|d| format!(r#"{{"label": "d{d}", "attachment_amount": {d}, "premium_pepm": 0}}"#))
        .collect();
    let candidates: Vec<String> = ds
        .iter()
        .map(|d| format!(r#"{{"specific": null, "aggregate": "d{d}"}}"#))
        .collect();
    format!(
        r#"{{"name": "lit", "trials": 1000,
        "population": {{"classes": [{{"name": "all", "employees": {members},
          "claims": [{{"name": "c", "frequency": {frequency},
                       "severity": {{"empirical": {{"values": {values:?}}}}}}}]}}]}},
        "stop_loss": {{"aggregate": [{aggregates}], "candidates": [{candidates}]}}}}"#,
        aggregates = aggregates.join(","),
        candidates = candidates.join(","),
    )
}

fn stop_loss_premium(r: &Results, d: f64) -> f64 {
    let c = candidate(r, &format!("no specific / d{d}"));
    // On a lattice that holds every amount the bracket has zero width.
    assert!(
        c.aggregate_reimbursement.se < 1e-9,
        "bound {} at d {d}",
        c.aggregate_reimbursement.se
    );
    c.aggregate_reimbursement.mean
}

/// Loss Data Analytics (Frees et al., OpenActTexts), chapter 5 "Aggregate Loss
/// Models", Examples 5.3.6 and 5.3.7 (also SOA Exam C sample question 206):
/// overtime projects per week are geometric with beta = 2; hours per project
/// are 5, 10, 20 with probabilities 0.2, 0.3, 0.5. Printed stop-loss premiums:
/// E[(S-5)+] = 24.6667, E[(S-10)+] = 21.555 (truncated; 21.5556 to four
/// decimals), E[(S-15)+] = 18.807.
#[test]
fn loss_data_analytics_example_5_3_7_geometric_overtime_hours() {
    let values = [5.0, 5.0, 10.0, 10.0, 10.0, 20.0, 20.0, 20.0, 20.0, 20.0];
    let json = stop_loss_premium_config(
        1,
        r#"{"negative_binomial": {"mean": 2.0, "variance": 6.0}}"#,
        &values,
        &[5.0, 10.0, 15.0],
    );
    let r = exact_with_step(&json, 5.0);
    let d5 = stop_loss_premium(&r, 5.0);
    assert!((d5 - 24.6667).abs() < 5e-5, "{d5}");
    assert!((stop_loss_premium(&r, 10.0) - 21.5556).abs() < 1e-3);
    assert!((stop_loss_premium(&r, 15.0) - 18.807).abs() < 5e-4);
}

/// SOA Exam C sample question 107: a stop-loss insurance on a three-person
/// group; each person's loss is 0, 1, 2, 3 with probabilities 0.4, 0.3, 0.2,
/// 0.1, independently; group deductible 1. Printed answer (C): 2.06.
#[test]
fn soa_exam_c_sample_107_three_person_group() {
    // P(loss > 0) = 0.6, and given a loss it is 1, 2, 3 w.p. 1/2, 1/3, 1/6.
    let json = stop_loss_premium_config(
        3,
        r#"{"bernoulli": {"p": 0.6}}"#,
        &[1.0, 1.0, 1.0, 2.0, 2.0, 3.0],
        &[1.0],
    );
    let r = exact_with_step(&json, 1.0);
    let premium = stop_loss_premium(&r, 1.0);
    assert!((premium - 2.06).abs() < 0.005, "{premium}");
    // Independent check by hand: 258/125.
    assert!((premium - 2.064).abs() < 1e-9, "{premium}");
}

/// SOA Exam C sample question 283 (and Loss Data Analytics Example 5.2.6):
/// each of a family of 4 has a geometric number of doctor visits with mean
/// 1.5, independently; the insurance pays 100 per visit beginning with the
/// 4th visit per family. Printed answer (D): 329; LDA prints the probability
/// of no payment P(S < 4) = 0.2898.
#[test]
fn soa_exam_c_sample_283_family_doctor_visits() {
    let json = stop_loss_premium_config(
        4,
        r#"{"negative_binomial": {"mean": 1.5, "variance": 3.75}}"#,
        &[100.0],
        &[300.0],
    );
    let r = exact_with_step(&json, 100.0);
    let paid = stop_loss_premium(&r, 300.0);
    assert!((paid - 329.0).abs() < 0.5, "{paid}");
    let c = candidate(&r, "no specific / d300");
    let p_no_payment = 1.0 - c.prob_aggregate_attaches.unwrap().mean;
    assert!((p_no_payment - 0.2898).abs() < 5e-5, "{p_no_payment}");
}

/// SOA Exam C sample question 99: Poisson(2) losses of 1, 2 or 3 with
/// probability 1/3 each, annual aggregate deductible 2. Printed answer (B):
/// 2.36; closed form 2 + (8/3) e^-2.
#[test]
fn soa_exam_c_sample_99_poisson_aggregate_deductible() {
    let json =
        stop_loss_premium_config(1, r#"{"poisson": {"mean": 2.0}}"#, &[1.0, 2.0, 3.0], &[2.0]);
    let r = exact_with_step(&json, 1.0);
    let paid = stop_loss_premium(&r, 2.0);
    assert!((paid - 2.36).abs() < 0.005, "{paid}");
    let closed = 2.0 + 8.0 / 3.0 * (-2.0f64).exp();
    assert!((paid - closed).abs() < 1e-7, "{paid} vs {closed}");
}

// ---------------------------------------------------------------------------
// The exact engine against closed forms
// ---------------------------------------------------------------------------

fn poisson_pmf(lambda: f64, n: u32) -> f64 {
    let mut p = (-lambda).exp();
    for k in 1..=n {
        p *= lambda / f64::from(k);
    }
    p
}

/// Compound Poisson(lambda) with exponential(theta) amounts: S given N = n
/// is Gamma(n, theta), so
/// `E[(S - d)+] = sum_n P(N = n) (n theta Q(n + 1, d/theta) - d Q(n, d/theta))`
/// and `P(S > d) = sum_{n >= 1} P(N = n) Q(n, d/theta)`, with Q the upper
/// regularized incomplete gamma function.
#[test]
fn compound_poisson_exponential_matches_closed_form() {
    use statrs::function::gamma::gamma_ur;
    let (lambda, theta) = (3.0, 1000.0);
    let ds = [500.0, 2000.0, 5000.0, 12000.0];
    let json = format!(
        r#"{{"name": "cpe", "population": {{"classes": [{{"name": "all", "employees": 1,
        "claims": [{{"name": "c", "frequency": {{"poisson": {{"mean": {lambda}}}}},
                    "severity": {{"exponential": {{"mean": {theta}}}}}}}]}}]}},
        "stop_loss": {{"aggregate": [{}], "candidates": [{}]}}}}"#,
        ds.iter()
            .map(|d| format!(r#"{{"label": "d{d}", "attachment_amount": {d}, "premium_pepm": 0}}"#))
            .collect::<Vec<_>>()
            .join(","),
        ds.iter()
            .map(|d| format!(r#"{{"specific": null, "aggregate": "d{d}"}}"#))
            .collect::<Vec<_>>()
            .join(","),
    );
    let r = run_exact(&parse(&json), &ExactOptions::default()).unwrap();
    for d in ds {
        let (mut premium, mut exceed) = (0.0, 0.0);
        for n in 1..80u32 {
            let p = poisson_pmf(lambda, n);
            let nf = f64::from(n);
            premium +=
                p * (nf * theta * gamma_ur(nf + 1.0, d / theta) - d * gamma_ur(nf, d / theta));
            exceed += p * gamma_ur(nf, d / theta);
        }
        let c = candidate(&r, &format!("no specific / d{d}"));
        let got = c.aggregate_reimbursement;
        assert!(
            (got.mean - premium).abs() <= got.se + 1e-9 * premium,
            "d {d}: {} +- {} vs {premium}",
            got.mean,
            got.se
        );
        assert!(got.se < 1e-3 * premium, "d {d}: bound {} too wide", got.se);
        let p = c.prob_aggregate_attaches.unwrap();
        assert!(
            (p.mean - exceed).abs() <= p.se + 1e-9,
            "d {d}: P(S > d) {} +- {} vs {exceed}",
            p.mean,
            p.se
        );
    }
}

/// A claimant model: each of 50 members has one claim with probability 0.3,
/// exponential with mean 20,000; specific deductible 50,000. Per member,
/// E[(X - d)+] = p theta e^(-d/theta) and P(X > d) = p e^(-d/theta); retained
/// claims are binomial sums of min(X, d).
#[test]
fn bernoulli_claimants_match_closed_form() {
    let (p, theta, d, n): (f64, f64, f64, f64) = (0.3, 20_000.0, 50_000.0, 50.0);
    let json = r#"{"name": "claimants", "population": {"classes": [{"name": "all", "employees": 50,
        "claims": [{"name": "c", "frequency": {"bernoulli": {"p": 0.3}},
                    "severity": {"exponential": {"mean": 20000}}}]}]},
        "stop_loss": {"specific": [{"deductible": 50000, "premium_pepm": 0}]}}"#;
    let r = run_exact(&parse(json), &ExactOptions::default()).unwrap();
    let c = candidate(&r, "spec $50k / no aggregate");
    let reimb = n * p * theta * (-d / theta).exp();
    let claimants = n * p * (-d / theta).exp();
    let retained = n * p * theta * (1.0 - (-d / theta).exp());
    for (what, got, want) in [
        ("specific reimbursement", c.specific_reimbursement, reimb),
        ("claimants", c.expected_specific_claimants, claimants),
        ("retained claims", c.retained_claims, retained),
    ] {
        assert!(
            (got.mean - want).abs() <= got.se + 1e-9 * want,
            "{what}: {} +- {} vs {want}",
            got.mean,
            got.se
        );
        assert!(got.se <= 1e-3 * want, "{what}: bound {} too wide", got.se);
    }
    // Members are independent, so Var = n Var(min(X_m, d)), with
    // E[min(X, d)^2] = 2 theta^2 (1 - e^(-d/theta)) - 2 theta d e^(-d/theta)
    // for the exponential and the member's moments p times those.
    let sd = c.employer_cost.sd;
    let mean_member = p * theta * (1.0 - (-d / theta).exp());
    let m2 = p
        * (2.0 * theta * theta * (1.0 - (-d / theta).exp()) - 2.0 * theta * d * (-d / theta).exp());
    let want_sd_exact = (n * (m2 - mean_member * mean_member)).sqrt();
    assert!(
        (sd - want_sd_exact).abs() < 1e-3 * want_sd_exact,
        "sd {sd} vs {want_sd_exact}"
    );
}

// ---------------------------------------------------------------------------
// Simulation against the exact engine
// ---------------------------------------------------------------------------

/// Runs `--method both` and checks that every figure of every candidate the
/// engine represents agrees within 4 of its own combined standard errors.
/// Returns how many figures were compared.
fn check_both(study: &Study) -> usize {
    let r = run_both(study, &ExactOptions::default(), &|_| {});
    let mut compared = 0;
    let mut worst = 0.0f64;
    for c in &r.candidates {
        let x = c.exact.as_ref().expect("an exact comparison per candidate");
        assert!(x.supported, "{}: {:?}", c.label, x.reason);
        for (name, f) in &x.figures {
            assert!(
                f.z.abs() <= 4.0,
                "{} {name}: simulated {} (se {}) vs exact {} (bound {}): z = {}",
                c.label,
                f.simulated,
                f.simulated_se,
                f.exact,
                f.error_bound,
                f.z
            );
            compared += 1;
            worst = worst.max(f.z.abs());
        }
    }
    eprintln!("{}: {compared} figures, max |z| {worst:.2}", study.name);
    compared
}

#[test]
fn simulation_matches_exact_poisson_lognormal_mid_group() {
    let study = parse(
        r#"{"name": "m1", "seed": 11, "trials": 20000,
        "population": {"classes": [{"name": "all", "employees": 500,
          "claims": [{"name": "medical", "frequency": {"poisson": {"mean": 3.0}},
                      "severity": {"lognormal": {"mu": 7.0, "sigma": 1.5}}}]}]},
        "stop_loss": {"specific": [{"deductible": 10000, "premium_pepm": 200},
                                   {"deductible": 50000, "premium_pepm": 60},
                                   {"deductible": 250000, "premium_pepm": 10}],
                      "aggregate": [{"attachment_factor": 1.05, "premium_pepm": 20},
                                    {"attachment_factor": 1.5, "premium_pepm": 2}]},
        "fees": {"admin_pepm": 40}, "budget": 5000000}"#,
    );
    assert!(check_both(&study) > 100);
}

#[test]
fn simulation_matches_exact_negative_binomial_gamma_heterogeneous_classes() {
    let study = parse(
        r#"{"name": "m2", "seed": 12, "trials": 20000,
        "population": {"classes": [
          {"name": "adults", "employees": {"single": 80, "family": 40}, "members": 160,
           "claims": [{"name": "medical", "frequency": {"negative_binomial": {"mean": 2.0, "variance": 8.0}},
                       "severity": {"gamma": {"mean": 4000, "cv": 2.0}}},
                      {"name": "dental", "specific": false, "aggregate": false,
                       "frequency": {"poisson": {"mean": 1.5}}, "severity": {"gamma": {"mean": 250, "cv": 1.0}}}]},
          {"name": "children", "employees": 0, "members": 90,
           "claims": [{"name": "medical", "frequency": {"poisson": {"mean": 1.2}},
                       "severity": {"gamma": {"shape": 0.5, "scale": 3000}}}]}]},
        "stop_loss": {"specific": [{"deductible": 25000, "premium_pepm": {"single": 90, "family": 200}},
                                   {"deductible": 100000, "premium_pepm": {"single": 20, "family": 45}}],
                      "aggregate": [{"attachment_factor": 1.1, "premium_pepm": 10},
                                    {"attachment_factor": 1.3, "premium_pepm": 4, "max_reimbursement": 200000}]}}"#,
    );
    assert!(check_both(&study) > 50);
}

#[test]
fn simulation_matches_exact_pareto_small_group() {
    let study = parse(
        r#"{"name": "m3", "seed": 13, "trials": 20000,
        "population": {"classes": [{"name": "all", "employees": 10,
          "claims": [{"name": "medical", "frequency": {"poisson": {"mean": 2.0}},
                      "severity": {"pareto": {"alpha": 3.0, "theta": 8000}}}]}]},
        "stop_loss": {"specific": [{"deductible": 10000, "premium_pepm": 150},
                                   {"deductible": 1000000, "premium_pepm": 1}],
                      "aggregate": [{"attachment_factor": 1.2, "premium_pepm": 30},
                                    {"attachment_amount": 60000, "premium_pepm": 20}]}}"#,
    );
    assert!(check_both(&study) > 50);
}

#[test]
fn simulation_matches_exact_spliced_large_group() {
    let study = parse(
        r#"{"name": "m4", "seed": 14, "trials": 3000,
        "population": {"classes": [{"name": "all", "employees": 10000,
          "claims": [{"name": "medical", "frequency": {"bernoulli": {"p": 0.8}},
                      "severity": {"spliced": {"body": {"lognormal": {"mu": 7.43, "sigma": 1.97}},
                                   "threshold": 100000, "tail_probability": 0.0125, "tail_alpha": 2.5}}}]}]},
        "stop_loss": {"specific": [{"deductible": 250000, "premium_pepm": 40},
                                   {"deductible": 1000000, "premium_pepm": 8}],
                      "aggregate": [{"attachment_factor": 1.05, "premium_pepm": 3},
                                    {"attachment_factor": 1.5, "premium_pepm": 1}]}}"#,
    );
    assert!(check_both(&study) > 50);
}

/// Lasers (a higher deductible and an exclusion), 90% reimbursement with a
/// per-member maximum, a pharmacy component counting toward the aggregate
/// only, dental outside both covers, a census with risk factors and
/// part-year members.
#[test]
fn simulation_matches_exact_census_with_lasers() {
    let dir = tempfile::tempdir().unwrap();
    let mut census = String::from("member_id,employee_id,class,tier,risk_factor,months\n");
    for i in 0..60 {
        let e = i / 2;
        let tier = if e % 3 == 0 { "family" } else { "single" };
        let risk = [0.8, 1.0, 1.5][i % 3];
        let months = if i % 7 == 0 { 6 } else { 12 };
        census.push_str(&format!("M{i},E{e},adult,{tier},{risk},{months}\n"));
    }
    std::fs::write(dir.path().join("census.csv"), census).unwrap();
    let json = r#"{"name": "m5", "seed": 15, "trials": 20000,
        "population": {"census": "census.csv", "classes": [{"name": "adult",
          "claims": [{"name": "medical", "frequency": {"poisson": {"mean": 2.5}},
                      "severity": {"lognormal": {"mean": 3000, "cv": 4.0}}},
                     {"name": "pharmacy", "specific": false, "frequency": {"poisson": {"mean": 4.0}},
                      "severity": {"gamma": {"mean": 150, "cv": 2.0}}},
                     {"name": "dental", "specific": false, "aggregate": false,
                      "frequency": {"poisson": {"mean": 1.0}}, "severity": {"exponential": {"mean": 300}}}]}]},
        "stop_loss": {"specific": [{"deductible": 20000, "premium_pepm": {"single": 60, "family": 120},
                                    "reimbursement_pct": 0.9, "max_reimbursement": 150000},
                                   {"deductible": 50000, "premium_pepm": {"single": 25, "family": 50}}],
                      "aggregate": [{"attachment_factor": 1.15, "premium_pepm": 8}],
                      "lasers": [{"member_id": "M3", "deductible": 80000},
                                 {"member_id": "M10", "excluded": true}]}}"#;
    let study = stoploss::config::parse(json, "m5.json", dir.path()).unwrap();
    assert!(check_both(&study) > 30);
}

/// A claimant model with monthly aggregate factors by tier and a dollar
/// minimum attachment.
#[test]
fn simulation_matches_exact_claimant_model_monthly_attachment() {
    let study = parse(
        r#"{"name": "m6", "seed": 16, "trials": 20000,
        "population": {"classes": [{"name": "all", "employees": {"single": 150, "family": 50}, "members": 320,
          "claims": [{"name": "medical", "frequency": {"bernoulli": {"p": 0.75}},
                      "severity": {"weibull": {"shape": 0.6, "scale": 4000}}}]}]},
        "stop_loss": {"specific": [{"deductible": 40000, "premium_pepm": {"single": 50, "family": 120}},
                                   {"deductible": 400000, "premium_pepm": {"single": 3, "family": 7}}],
                      "aggregate": [{"attachment_monthly": {"single": 700, "family": 1900}, "premium_pepm": 6,
                                     "min_attachment": 2900000},
                                    {"attachment_factor": 1.25, "premium_pepm": 5}]},
        "fully_insured_premium": 3300000}"#,
    );
    assert!(check_both(&study) > 40);
}

/// The engine names what it cannot represent.
#[test]
fn exact_engine_names_unsupported_features() {
    let study = parse(
        r#"{"name": "asd", "population": {"classes": [{"name": "all", "employees": 10,
          "claims": [{"name": "medical", "frequency": {"poisson": {"mean": 2.0}},
                      "severity": {"exponential": {"mean": 5000}}}]}]},
        "stop_loss": {"specific": [{"deductible": 20000, "premium_pepm": 10},
                                   {"deductible": 20000, "aggregating_deductible": 10000, "premium_pepm": 8}]}}"#,
    );
    let err = run_exact(&study, &ExactOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("aggregating specific deductible"), "{err}");
    let r = run_both(&study, &ExactOptions::default(), &|_| {});
    let asd = candidate(&r, "spec $20k + ASD $10k / no aggregate");
    let x = asd.exact.as_ref().unwrap();
    assert!(!x.supported && x.reason.as_ref().unwrap().contains("couples members"));
    let plain = candidate(&r, "spec $20k / no aggregate");
    assert!(plain.exact.as_ref().unwrap().supported);
}

// ---------------------------------------------------------------------------
// Calibration of the simulation's intervals
// ---------------------------------------------------------------------------

/// Over 400 seeds of a small model, the simulation's 95% intervals (mean +-
/// 1.96 se, the order-statistic interval of the 95th percentile, and the
/// aggregate reimbursement +- 1.96 se) cover the exact values 92%-98% of
/// the time.
#[test]
fn simulation_intervals_are_calibrated() {
    // Mean and 95th percentile on the candidate without aggregate (whose
    // cost has no atom), the aggregate reimbursement on the other.
    let json = r#"{"name": "cal", "trials": 2000,
        "population": {"classes": [{"name": "all", "employees": 20,
          "claims": [{"name": "medical", "frequency": {"poisson": {"mean": 2.0}},
                      "severity": {"gamma": {"mean": 3000, "cv": 1.5}}}]}]},
        "stop_loss": {"specific": [{"deductible": 15000, "premium_pepm": 30}],
                      "aggregate": [{"attachment_amount": 130000, "premium_pepm": 10}]}}"#;
    let mut study = parse(json);
    let exact = run_exact(&study, &ExactOptions::default()).unwrap();
    let (plain, layered) = (&exact.candidates[0], &exact.candidates[1]);
    let (mean, p95, agg) = (
        plain.employer_cost.mean,
        plain.employer_cost.percentiles.p95,
        layered.aggregate_reimbursement.mean,
    );
    // The exact bounds are far inside the simulation's intervals.
    assert!(plain.employer_cost.se < 0.1 * plain.employer_cost.sd / 2000f64.sqrt());
    assert!(layered.aggregate_reimbursement.se < 0.01 * agg);
    let seeds = 400;
    let (mut c_mean, mut c_p95, mut c_agg) = (0, 0, 0);
    for seed in 0..seeds {
        study.seed = 1000 + seed;
        let r = stoploss::run::run_study(&study, &|_| {});
        let ec = &r.candidates[0].employer_cost;
        c_mean += usize::from((ec.mean - mean).abs() <= 1.96 * ec.se);
        let ci = ec.percentiles_ci95.p95;
        c_p95 += usize::from(ci.lo <= p95 && p95 <= ci.hi);
        let a = r.candidates[1].aggregate_reimbursement;
        c_agg += usize::from((a.mean - agg).abs() <= 1.96 * a.se);
    }
    for (what, covered) in [
        ("mean", c_mean),
        ("p95", c_p95),
        ("aggregate_reimbursement", c_agg),
    ] {
        let rate = covered as f64 / seeds as f64;
        eprintln!("coverage of {what}: {rate:.3} over {seeds} seeds");
        assert!(
            (0.92..=0.98).contains(&rate),
            "{what}: 95% intervals covered the exact value {rate:.3} of the time"
        );
    }
}

// ---------------------------------------------------------------------------
// Aligned lattice, tolerance and limits (issue 17)
// ---------------------------------------------------------------------------

/// Three members, each claiming $100k, $200k or $300k with probability 0.3
/// under a $200k specific: a claim of exactly $200k is not above the
/// deductible, so the expected number of claimants is 3 x 0.3 x 1/3 = 0.3
/// exactly (the bracket method reported 0.600 +- 0.30). By enumeration the
/// aggregate layer above $300k pays 13,800 and attaches with probability
/// 0.11.
#[test]
fn aligned_step_counts_an_atom_at_the_deductible_on_the_right_side() {
    let json = r#"{"name": "atoms", "population": {"classes": [{"name": "all", "employees": 3,
        "claims": [{"name": "c", "frequency": {"bernoulli": {"p": 0.3}},
                    "severity": {"empirical": {"values": [100000, 200000, 300000]}}}]}]},
        "stop_loss": {"specific": [{"deductible": 200000, "premium_pepm": 0}],
                      "aggregate": [{"label": "a300k", "attachment_amount": 300000, "premium_pepm": 0}]}}"#;
    let r = run_exact(&parse(json), &ExactOptions::default()).unwrap();
    let c = candidate(&r, "spec $200k / a300k");
    for (what, got, want) in [
        ("claimants", c.expected_specific_claimants, 0.3),
        ("specific reimbursement", c.specific_reimbursement, 30_000.0),
        (
            "aggregate reimbursement",
            c.aggregate_reimbursement,
            13_800.0,
        ),
        ("P(attaches)", c.prob_aggregate_attaches.unwrap(), 0.11),
    ] {
        assert!(
            (got.mean - want).abs() <= 1e-9 * want && got.se <= 1e-9 * want,
            "{what}: {} +- {} vs {want}",
            got.mean,
            got.se
        );
    }
}

/// `--exact-points` is bounded: 2^26 is accepted by the parser, more is
/// refused with a message naming the flag (exit 2, before any work).
#[test]
fn exact_points_above_the_limit_is_refused() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stoploss"))
        .args([
            "run",
            "configs/small-100.json",
            "--method",
            "exact",
            "--exact-points",
            "100000000",
            "--out",
            "/nonexistent",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--exact-points must be between 1024 and 67108864"),
        "{err}"
    );
}
