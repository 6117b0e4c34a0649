//! Contract timing against the worked examples of
//! `shared/contract-timing.md`, derived by hand in each test (shares of a
//! year's incurrals that a basis counts, a claimant straddling year end, a
//! terminal liability option), plus the accounting identities of the cash
//! flow and the validation of every timing field.

use crate::util::{assert_within, cand, s, study};
use assert_cmd::Command;
use serde_json::{json, Value};
use stoploss::model::Study;
use stoploss::run::run_study;
use stoploss::sim::simulate;
use stoploss::stats::Moments;

/// The lag pmf of the notes' share example (lags 0..6 months).
const PMF: [f64; 7] = [0.30, 0.40, 0.15, 0.08, 0.04, 0.02, 0.01];

fn parse(v: &Value) -> Study {
    let dir = tempfile::tempdir().unwrap();
    study(&v.to_string(), dir.path())
}

/// 200 members, Poisson(10) claims of Exponential($500), flat incurral,
/// the notes' lag pmf; one aggregate option per basis, no specific.
fn share_config(bases: &[&str], prior: &str) -> Value {
    let aggregate: Vec<Value> = bases
        .iter()
        .map(|b| json!({"label": format!("agg {b}"), "basis": b, "attachment_amount": 1e9, "premium_pepm": 1}))
        .collect();
    json!({
        "name": "share", "seed": 11, "trials": 3000,
        "timing": {"lag": {"pmf": PMF}, "prior_year": prior},
        "population": {"classes": [{"name": "all", "employees": 200, "claims": [
            {"name": "medical", "frequency": {"poisson": {"mean": 10}}, "severity": {"exponential": {"mean": 500}}}]}]},
        "stop_loss": {"include_no_specific": true, "include_no_aggregate": false, "aggregate": aggregate}
    })
}

/// The share of one year's incurrals counted by each aggregate basis: with
/// flat incurral w = 1/12 and lag cdf F = (.30, .70, .85, .93, .97, .99, 1),
/// a basis paid through month P counts sum_i F(P - i) / 12:
/// 12/12 = (.30+.70+.85+.93+.97+.99+6)/12 = 179/200, 12/15 = 1189/1200,
/// 12/18 = 1. Each claim is counted independently of its size, so the
/// per-trial ratio of counted to incurred claims has exactly that mean.
#[test]
fn a_basis_counts_the_share_of_incurrals_its_windows_hold() {
    let study = parse(&share_config(&["12/12", "12/15", "12/18"], "fully_insured"));
    let columns = simulate(&study, &|_| {});
    for (g, want) in [179.0 / 200.0, 1189.0 / 1200.0, 1.0]
        .into_iter()
        .enumerate()
    {
        let k = study.contract.aggregate_column(0, Some(g));
        let ratio: Moments = columns
            .aggregate(k)
            .iter()
            .zip(&columns.gross)
            .map(|(c, g)| c / g)
            .collect();
        assert_within(
            &format!("share of basis {g}"),
            ratio.mean(),
            want,
            4.0 * ratio.se().max(1e-12),
        );
    }
}

/// Steady state with a self-funded prior year and no trend: a 15/12
/// basis counts the prior year's last three months paid in months 1..12,
/// sum_{j=0..2} (F(12 + j) - F(j)) / 12, plus the 12/12 share: in all
/// 1189/1200 of a year's incurrals (the same as 12/15); 24/12 counts 1.
#[test]
fn run_in_bases_count_the_prior_years_run_out_when_self_funded() {
    let study = parse(&share_config(&["15/12", "24/12"], "self_funded"));
    let columns = simulate(&study, &|_| {});
    let expected = study.population.expected_gross_claims();
    for (g, want) in [1189.0 / 1200.0, 1.0].into_iter().enumerate() {
        let k = study.contract.aggregate_column(0, Some(g));
        let counted: Moments = columns.aggregate(k).iter().collect();
        assert_within(
            &format!("run-in share of basis {g}"),
            counted.mean() / expected,
            want,
            4.0 * counted.se() / expected,
        );
    }
    // From fully insured the prior carrier pays its run-out: a 15/12
    // basis then counts only the 12/12 share.
    let study = parse(&share_config(&["15/12"], "fully_insured"));
    let columns = simulate(&study, &|_| {});
    let counted: Moments = columns.aggregate(0).iter().collect();
    assert_within(
        "15/12 from fully insured",
        counted.mean() / expected,
        179.0 / 200.0,
        4.0 * counted.se() / expected,
    );
}

/// The notes' claimant straddling year end: $60k incurred in November and
/// $90k in December, lags independent with pmf {0: .3, 1: .4, 2: .2, 3: .1},
/// a $100k deductible. The deductible is met only when both are in the paid
/// window: P = F(P1 - 11) F(P1 - 12), reimbursement $50,000 x P:
/// month 12: .7 x .3 = .21 -> $10,500; month 13: .9 x .7 = .63 ->
/// $31,500; 12/15: 1 -> $50,000.
#[test]
fn a_claimant_straddling_year_end_meets_the_deductible_only_inside_the_window() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("census.csv"),
        "member_id,employee_id,class\nE0001,E0001,all\n",
    )
    .unwrap();
    let config = json!({
        "name": "straddle", "seed": 5, "trials": 20000,
        "timing": {"lag": {"pmf": [0.3, 0.4, 0.2, 0.1]}},
        "population": {"census": "census.csv",
            "known_claims": [{"member_id": "E0001", "amount": 60000, "incurred_month": 11},
                             {"member_id": "E0001", "amount": 90000, "incurred_month": 12}],
            "classes": [{"name": "all", "claims": [
                {"name": "medical", "frequency": {"bernoulli": {"p": 0}}, "severity": {"exponential": {"mean": 500}}}]}]},
        "stop_loss": {"target_loss_ratio": 0.8, "specific": [
            {"label": "12/12", "deductible": 100000, "basis": "12/12"},
            {"label": "to 13", "deductible": 100000, "basis": {"incurred": [1, 12], "paid": [1, 13]}},
            {"label": "12/15", "deductible": 100000, "basis": "12/15"}]}
    });
    let study = study(&config.to_string(), dir.path());
    let r = run_study(&study, &|_| {});
    for (label, want) in [("12/12", 10_500.0), ("to 13", 31_500.0)] {
        let c = cand(&r, &format!("{label} / no aggregate"));
        assert_within(
            label,
            c.specific_reimbursement.mean,
            want,
            4.0 * c.specific_reimbursement.se,
        );
        assert!(c.specific_reimbursement.se > 0.0);
    }
    let c = cand(&r, "12/15 / no aggregate");
    assert_eq!(c.specific_reimbursement.mean, 50_000.0);
    // Paid a month after it is earned (the default reimbursement lag).
    let t = c.timing.as_ref().unwrap();
    let paid: f64 = t.cash_flow.specific_reimbursement.iter().sum();
    assert_within("reimbursements received", paid, 50_000.0, 1e-6);
    assert_eq!(t.cash_flow.specific_reimbursement[11], 0.0);
}

/// A TLO of 3 months on a $100k monthly attachment ($1,000 PEPM x 100
/// employees): 12 x 100k + 3 x 100k = $1,500,000 when the plan terminates,
/// tested against 15 months of paid claims (12/12 extended to 12/15), so
/// no run-out is left uncovered; without termination the attachment stays
/// $1,200,000.
#[test]
fn a_terminal_liability_option_extends_the_window_and_the_attachment() {
    let config = |terminating: bool| {
        json!({
            "name": "tlo", "seed": 5, "trials": 500,
            "timing": {"lag": {"pmf": [0.3, 0.4, 0.2, 0.1]}, "terminating": terminating},
            "population": {"classes": [{"name": "all", "employees": 100, "claims": [
                {"name": "medical", "frequency": {"poisson": {"mean": 10}}, "severity": {"exponential": {"mean": 1000}}}]}]},
            "stop_loss": {"include_no_specific": true, "include_no_aggregate": false, "target_loss_ratio": 0.8,
                "aggregate": [{"label": "tlo", "basis": "12/12", "attachment_monthly": 1000,
                               "terminal_liability": {"months": 3, "surcharge_pct": 0.1}}]}
        })
    };
    let r = run_study(&parse(&config(true)), &|_| {});
    let c = &r.candidates[0];
    assert_eq!(c.aggregate_attachment, Some(1_500_000.0));
    let t = c.timing.as_ref().unwrap();
    assert_eq!(t.aggregate_basis.as_deref(), Some("12/15"));
    assert_eq!(t.uncovered_claims.mean, 0.0);
    let r = run_study(&parse(&config(false)), &|_| {});
    let c = &r.candidates[0];
    assert_eq!(c.aggregate_attachment, Some(1_200_000.0));
    assert!(c.timing.as_ref().unwrap().uncovered_claims.mean > 0.0);
}

/// The cash flow adds up: cumulative net cash at the horizon is the mean
/// employer cost; advances plus the settlement are the aggregate
/// reimbursement; and the settlement is never positive without claw-back
/// when counted claims only grow (advances run ahead of the annual figure).
#[test]
fn the_monthly_cash_flow_adds_up_to_the_annual_figures() {
    let config = json!({
        "name": "acc", "seed": 9, "trials": 3000,
        "timing": {"lag": {"pmf": [0.3, 0.4, 0.2, 0.1]}, "seasonality": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1.2, 1.3, 1.5]},
        "population": {"classes": [{"name": "all", "employees": 100, "claims": [
            {"name": "medical", "frequency": {"poisson": {"mean": 10}}, "severity": {"lognormal": {"mean": 1000, "cv": 3}}}]}]},
        "stop_loss": {"target_loss_ratio": 0.8,
            "specific": [{"deductible": 25000, "basis": "12/15", "advance_funding": true}],
            "aggregate": [{"label": "acc", "basis": "12/12", "attachment_monthly": 700, "accommodation": true}]},
        "fees": {"admin_pepm": 30}
    });
    let r = run_study(&parse(&config), &|_| {});
    for c in &r.candidates {
        let t = c.timing.as_ref().unwrap();
        let f = &t.cash_flow;
        let last = *f.cumulative_net_cash.last().unwrap();
        assert_within(
            &c.label,
            last,
            c.employer_cost.mean,
            1e-6 * c.employer_cost.mean,
        );
        let fixed: f64 = f.fixed_costs.iter().sum();
        assert_within(
            "fixed costs",
            fixed,
            c.premium.mean + c.fees.mean,
            1e-6 * fixed,
        );
        if c.aggregate_label.is_some() {
            let advanced: f64 = f.aggregate_advance.iter().sum();
            assert!(advanced > 0.0, "the aggregate advances in some years");
            let settled: f64 = f.aggregate_settlement.iter().sum();
            assert_within(
                "advances + settlement",
                advanced + settled,
                c.aggregate_reimbursement.mean,
                1e-6 * c.aggregate_reimbursement.mean,
            );
            assert!(t.year_end_aggregate_settlement.mean <= 0.0);
        }
    }
}

/// Same config and seed, one thread or two: bit-identical timed results.
#[test]
fn timed_results_do_not_depend_on_the_thread_count() {
    let study = parse(&share_config(&["12/12", "15/12"], "self_funded"));
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| simulate(&study, &|_| {}))
    };
    assert_eq!(run(1), run(2));
}

/// Episodes spread a large claim over months without changing the year's
/// expected incurrals (they wrap past December), and slower large-claim
/// lags leave more of the year uncovered on 12/12.
#[test]
fn episodes_and_size_bands_keep_incurrals_and_slow_the_large_claims() {
    let config = |episodes: bool| {
        let mut timing = json!({"lag": {"pmf": [0.5, 0.5], "above": [{"amount": 5000, "pmf": [0.1, 0.2, 0.3, 0.4]}]}});
        if episodes {
            timing["episodes"] = json!({"above": 5000, "duration": {"pmf": [0.2, 0.3, 0.5]}});
        }
        json!({
            "name": "ep", "seed": 3, "trials": 3000, "timing": timing,
            "population": {"classes": [{"name": "all", "employees": 100, "claims": [
                {"name": "medical", "frequency": {"poisson": {"mean": 5}}, "severity": {"lognormal": {"mean": 2000, "cv": 2}}}]}]},
            "stop_loss": {"include_no_specific": true, "include_no_aggregate": false,
                "aggregate": [{"label": "a", "basis": "12/12", "attachment_amount": 1e9, "premium_pepm": 1}]}
        })
    };
    for episodes in [false, true] {
        let study = parse(&config(episodes));
        let r = run_study(&study, &|_| {});
        let g = r.population.simulated_gross_claims;
        assert_within(
            "incurrals",
            g.mean,
            study.population.expected_gross_claims(),
            4.0 * g.se,
        );
        let u = r.candidates[0].timing.as_ref().unwrap().uncovered_claims;
        // Claims above $5k lag 2 months on average: more than 1/12 of them
        // (those of December at least) are paid after month 12.
        assert!(u.mean > g.mean / 24.0, "uncovered {} of {}", u.mean, g.mean);
    }
}

fn error_of(v: &Value) -> stoploss::error::ConfigError {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("census.csv"),
        "member_id,employee_id,class\nE0001,E0001,all\n",
    )
    .unwrap();
    stoploss::config::parse(&v.to_string(), "t.json", dir.path()).expect_err("must be refused")
}

fn base() -> Value {
    json!({
        "name": "bad", "trials": 100,
        "population": {"classes": [{"name": "all", "employees": 10, "claims": [
            {"name": "medical", "frequency": {"poisson": {"mean": 5}}, "severity": {"exponential": {"mean": 500}}}]}]},
        "stop_loss": {"target_loss_ratio": 0.8, "specific": [{"deductible": 50000}],
                      "aggregate": [{"attachment_factor": 1.25}]}
    })
}

/// Every timing field refuses bad values with its JSON path and what is
/// allowed.
#[test]
fn bad_timing_inputs_name_the_field_and_what_is_allowed() {
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            {
                let mut v = base();
                v["stop_loss"]["specific"][0]["basis"] =
                    json!({"incurred": [5, 2], "paid": [1, 12]});
                v
            },
            "stop_loss.specific[0].basis.incurred",
            "after the last",
        ),
        (
            {
                let mut v = base();
                v["timing"] = json!({"lag": {"pmf": vec![1.0 / 38.0; 38]}});
                v
            },
            "timing.lag.pmf",
            "at most 36 months",
        ),
        (
            {
                let mut v = base();
                v["timing"] = json!({"seasonality": [1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1]});
                v
            },
            "timing.seasonality[3]",
            "positive weight",
        ),
        (
            {
                let mut v = base();
                v["stop_loss"]["aggregate"][0]["terminal_liability"] = json!({"months": 3});
                v
            },
            "stop_loss.aggregate[0].terminal_liability",
            "paid window that ends",
        ),
        (
            {
                let mut v = base();
                v["population"] = json!({"census": "census.csv", "classes": [{"name": "all", "claims": [
                    {"name": "medical", "frequency": {"poisson": {"mean": 5}}, "severity": {"exponential": {"mean": 500}}}]}],
                    "known_claims": [{"member_id": "E0002", "amount": 60000, "incurred_month": 11}]});
                v
            },
            "population.known_claims[0].member_id",
            "not a member of the census",
        ),
        (
            {
                let mut v = base();
                v["stop_loss"]["basis"] = json!("12/13");
                v
            },
            "stop_loss.basis",
            "\"12/15\"",
        ),
        (
            {
                let mut v = base();
                v["stop_loss"]["aggregate"][0]["by_specific"] =
                    json!({"spec $60k": {"premium_pepm": 5}});
                v
            },
            "stop_loss.aggregate[0].by_specific.spec $60k",
            "`spec $50k`",
        ),
        (
            {
                let mut v = base();
                v["timing"] = json!({"prior_year": "insured"});
                v
            },
            "timing.prior_year",
            "self_funded",
        ),
    ];
    for (config, at, says) in cases {
        let e = error_of(&config);
        assert_eq!(e.location, at, "{e:?}");
        assert!(e.message.contains(says), "{at}: {}", e.message);
    }
}

/// `by_specific` ties an aggregate's premium and attachment to the specific
/// option it is bought with; default labels show the basis when options
/// differ by it.
#[test]
fn by_specific_quotes_and_basis_labels() {
    let mut v = base();
    v["stop_loss"]["specific"] = json!([
        {"deductible": 50000, "basis": "12/12"},
        {"deductible": 50000, "basis": "12/15"}]);
    v["stop_loss"]["aggregate"] = json!([{"label": "agg", "attachment_amount": 1e9, "premium_pepm": 1,
        "by_specific": {"spec $50k 12/15": {"premium_pepm": 3, "attachment_amount": 2e9}}}]);
    let study = parse(&v);
    let r = run_study(&study, &|_| {});
    let a = cand(&r, "spec $50k 12/12 / agg");
    let b = cand(&r, "spec $50k 12/15 / agg");
    assert_eq!(a.aggregate_premium.mean, 120.0);
    assert_eq!(b.aggregate_premium.mean, 360.0);
    assert_eq!(a.aggregate_attachment, Some(1e9));
    assert_eq!(b.aggregate_attachment, Some(2e9));
}

/// Monthly enrollment from the census sets the monthly attachment, and the
/// first-month minimum binds when the group shrinks.
#[test]
fn monthly_enrollment_drives_the_attachment_and_its_first_month_minimum() {
    let dir = tempfile::tempdir().unwrap();
    // Two employees all year, one leaving after month 6: month 1 has 3
    // employees, months 7..12 have 2: 30 employee-months.
    std::fs::write(
        dir.path().join("census.csv"),
        "member_id,employee_id,class,first_month,last_month\nA,A,all,1,12\nB,B,all,1,12\nC,C,all,1,6\n",
    )
    .unwrap();
    let config = |min: Option<f64>| {
        let mut agg = json!({"label": "agg", "attachment_monthly": 1000, "premium_pepm": 1});
        if let Some(m) = min {
            agg["min_attachment_first_month_pct"] = json!(m);
        }
        json!({
            "name": "enrol", "trials": 100,
            "population": {"census": "census.csv", "classes": [{"name": "all", "claims": [
                {"name": "medical", "frequency": {"poisson": {"mean": 5}}, "severity": {"exponential": {"mean": 500}}}]}]},
            "stop_loss": {"include_no_specific": true, "include_no_aggregate": false, "aggregate": [agg]}
        })
    };
    let r = run_study(&study(&config(None).to_string(), dir.path()), &|_| {});
    assert_eq!(r.candidates[0].aggregate_attachment, Some(30_000.0));
    assert_eq!(r.candidates[0].aggregate_premium.mean, 30.0);
    // 95% x 12 x month 1's $3,000 = $34,200 > $30,000.
    let r = run_study(&study(&config(Some(0.95)).to_string(), dir.path()), &|_| {});
    assert_within(
        "first-month minimum",
        r.candidates[0].aggregate_attachment.unwrap(),
        34_200.0,
        1e-6,
    );
}

/// Where timing is not thinning the exact engine says why (and `both`
/// marks the candidates unchecked); where it is, `both` checks them. State
/// files refuse timed studies, leaving no output.
#[test]
fn the_exact_engine_and_state_files_on_timed_studies() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = |config: &Value, extra: &[&str]| {
        let path = dir.path().join("timed.json");
        std::fs::write(&path, config.to_string()).unwrap();
        Command::cargo_bin("stoploss")
            .unwrap()
            .args([
                "run",
                s(&path),
                "--out",
                s(&out),
                "--quiet",
                "--trials",
                "300",
                "--force",
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    let self_funded = share_config(&["12/12"], "self_funded");
    let o = run(&self_funded, &["--method", "exact"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("fully insured prior year"));
    assert!(!out.join("share").exists(), "no partial output");
    let o = run(&self_funded, &["--save-state"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("contract timing"));
    assert!(!out.join("share").exists(), "no partial output");
    let o = run(&self_funded, &["--method", "both"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("share/results.json")).unwrap())
            .unwrap();
    let exact = &r["candidates"][0]["exact"];
    assert!(
        exact.to_string().contains("fully insured prior year"),
        "{exact}"
    );
    assert!(out.join("share/cash_flow.csv").exists());
    let o = run(
        &share_config(&["12/12"], "fully_insured"),
        &["--method", "both"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("share/results.json")).unwrap())
            .unwrap();
    let exact = &r["candidates"][0]["exact"];
    assert_eq!(exact["supported"], true, "checked: {exact}");
    assert!(
        exact["max_abs_z"].as_f64().is_some_and(|z| z < 5.0),
        "{exact}"
    );
}

/// The exact engine's counted share is the notes' closed form: 179/200 on
/// 12/12, 1189/1200 on 12/15, 1 on 12/18 and on the incurred basis.
#[test]
fn the_exact_engine_thins_by_the_closed_form_share() {
    let study = parse(&share_config(&["12/12"], "fully_insured"));
    let timing = study.timing.as_ref().unwrap();
    for (label, want) in [
        ("12/12", 179.0 / 200.0),
        ("12/15", 1189.0 / 1200.0),
        ("12/18", 1.0),
        ("incurred", 1.0),
    ] {
        let basis = stoploss::contract::Basis::from_label(label).unwrap();
        let q = stoploss::exact::counted_share(timing, &timing.lag, &basis);
        assert!((q - want).abs() < 1e-12, "{label}: {q} vs {want}");
    }
}

/// Where timing is thinning (one basis, Poisson counts, fully insured
/// prior year, lags independent of size), the exact engine checks the timed
/// simulation: every candidate's mean cost, specific and aggregate
/// reimbursement within 4 se of the exact figures.
#[test]
fn the_exact_engine_checks_a_timed_simulation_where_timing_is_thinning() {
    let config = json!({
        "name": "thin", "seed": 17, "trials": 20000,
        "timing": {"lag": {"pmf": PMF}, "seasonality": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1.2, 1.3, 1.5]},
        "population": {"classes": [{"name": "all", "employees": 50, "claims": [
            {"name": "medical", "frequency": {"poisson": {"mean": 4}}, "severity": {"lognormal": {"mean": 2500, "cv": 3}}},
            {"name": "pharmacy", "frequency": {"poisson": {"mean": 6}}, "severity": {"exponential": {"mean": 120}},
             "lag": {"pmf": [0.9, 0.1]}}]}]},
        "stop_loss": {"basis": "12/12", "target_loss_ratio": 0.8,
            "specific": [{"deductible": 20000}],
            "aggregate": [{"attachment_factor": 1.1, "max_layer_top": 900000}]}
    });
    let study = parse(&config);
    let opts = stoploss::exact::ExactOptions::default();
    let exact = stoploss::run::run_exact(&study, &opts).expect("thinning is representable");
    let sim = run_study(&study, &|_| {});
    for (e, m) in exact.candidates.iter().zip(&sim.candidates) {
        assert_eq!(e.label, m.label);
        let figures = [
            (
                "mean cost",
                e.employer_cost.mean,
                m.employer_cost.mean,
                m.employer_cost.se,
            ),
            (
                "specific",
                e.specific_reimbursement.mean,
                m.specific_reimbursement.mean,
                m.specific_reimbursement.se,
            ),
            (
                "aggregate",
                e.aggregate_reimbursement.mean,
                m.aggregate_reimbursement.mean,
                m.aggregate_reimbursement.se,
            ),
        ];
        for (what, exact_value, simulated, se) in figures {
            assert_within(
                &format!("{} {what}", m.label),
                simulated,
                exact_value,
                4.0 * se + 1e-6,
            );
        }
    }
    assert!(sim
        .candidates
        .iter()
        .any(|c| c.aggregate_reimbursement.mean > 0.0));
    // A self-funded prior year is not thinning: the engine says so.
    let mut v = config.clone();
    v["timing"]["prior_year"] = json!("self_funded");
    let err = stoploss::run::run_exact(&parse(&v), &opts).unwrap_err();
    assert!(
        err.to_string().contains("fully insured prior year"),
        "{err}"
    );
}

/// Extending a timed run (as `--target-se` does) gives the columns of a run
/// of that many trials, monthly figures included, bit for bit.
#[test]
fn extending_a_timed_run_matches_a_whole_run() {
    let mut study = parse(&share_config(&["12/12", "15/12"], "self_funded"));
    study.trials = 1500;
    let mut columns = simulate(&study, &|_| {});
    columns.extend_to(&study, 2500, &|_| {});
    study.trials = 2500;
    let whole = simulate(&study, &|_| {});
    assert!(whole.monthly.is_some());
    assert_eq!(columns, whole);
}

/// Parameter risk shocks the timed kernel too: a common frequency shock of
/// CV c on a compound Poisson year gives CV^2 of the year's claims =
/// E[X^2] / (n lambda E[X]^2) + c^2 (process plus parameter); here
/// 2 / 2000 + 0.09.
#[test]
fn parameter_risk_shocks_timed_studies() {
    let mut v = share_config(&["12/12"], "fully_insured");
    v["parameter_risk"] = json!({"frequency_cv": 0.3});
    v["trials"] = json!(8000);
    let study = parse(&v);
    let columns = simulate(&study, &|_| {});
    let g: Moments = columns.gross.iter().copied().collect();
    let cv2 = (g.sd() / g.mean()).powi(2);
    assert_within(
        "CV^2 of the year's claims",
        cv2,
        2.0 / 2000.0 + 0.09,
        0.1 * 0.091,
    );
}

/// A run with parameter risk reports every candidate beside the same years
/// with known parameters: for a common frequency shock of CV 0.3 on a
/// compound Poisson year the share of variance it adds is
/// 0.09 / (0.09 + 2 / 2000) = 0.989, and the mean does not move.
#[test]
fn parameter_risk_is_shown_beside_known_parameters() {
    let mut v = share_config(&["12/12"], "fully_insured");
    v["parameter_risk"] = json!({"frequency_cv": 0.3});
    v["trials"] = json!(8000);
    let r = run_study(&parse(&v), &|_| {});
    let p = r.parameter_risk.as_ref().expect("the comparison");
    let c = &p.candidates[0];
    assert_within(
        "variance share",
        c.parameter_variance_share,
        0.09 / 0.091,
        0.01,
    );
    assert_within(
        "mean",
        c.mean_with,
        c.mean_without,
        4.0 * c.sd_with / 8000f64.sqrt(),
    );
    let md = String::from_utf8(
        stoploss::report::Exporter::serialize(&stoploss::report::MarkdownExporter, &r).unwrap(),
    )
    .unwrap();
    assert!(md.contains("With and without parameter risk"));
}
