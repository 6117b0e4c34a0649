//! Decision support against independent references: paired differences
//! recomputed from the per-trial columns, the recommendation and the
//! frontier checked by brute force over the candidates, the fully insured
//! comparison against per-trial costs, the exact engine's differences, and
//! common random numbers across a sweep.

use std::path::Path;

use stoploss::analysis::{trials_needed, z_for};
use stoploss::model::{RiskCap, RiskMeasure, Study};
use stoploss::results::{CandidateResult, Decision, Results};
use stoploss::run::{run_exact, run_study};
use stoploss::sim::simulate;
use stoploss::sweep::{prepare, JsonPath, SweepParam};

fn study(json: &str) -> Study {
    stoploss::config::parse(json, "test.json", Path::new("."))
        .unwrap_or_else(|e| panic!("config rejected: {e}\n{json}"))
}

fn cand<'a>(r: &'a Results, label: &str) -> &'a CandidateResult {
    r.candidates.iter().find(|c| c.label == label).unwrap()
}

fn decision(r: &Results) -> &Decision {
    r.decision.as_ref().expect("results carry a decision")
}

/// 40 employees (composite tier), one member each; specific 20k / 40k /
/// 80k; aggregate at fixed dollar amounts. Every premium is a composite
/// quoted PEPM, so a candidate's cost per trial is retained claims less the
/// aggregate reimbursement plus a known constant.
const SPECIFIC: [(f64, f64); 3] = [(20_000.0, 130.0), (40_000.0, 55.0), (80_000.0, 30.0)];
const AGGREGATE: [(f64, f64, f64); 2] = [(260_000.0, 12.0, 150_000.0), (300_000.0, 7.0, 150_000.0)];
const EMPLOYEES: f64 = 40.0;
const FEES_PEPM: f64 = 35.0;

fn config(trials: u64, decision: &str) -> String {
    let specific: Vec<String> = SPECIFIC
        .iter()
        .map(|(d, p)| format!(r#"{{"deductible": {d}, "premium_pepm": {p}}}"#))
        .collect();
    let aggregate: Vec<String> = AGGREGATE
        .iter()
        .map(|(a, p, m)| {
            format!(
                r#"{{"attachment_amount": {a}, "premium_pepm": {p}, "max_reimbursement": {m}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"name": "dec", "seed": 11, "trials": {trials},
  "population": {{"classes": [{{"name": "all", "employees": {EMPLOYEES},
    "claims": [{{"name": "med", "frequency": {{"poisson": {{"mean": 2.0}}}},
                 "severity": {{"lognormal": {{"mean": 2500, "cv": 4.0}}}}}}]}}]}},
  "stop_loss": {{"specific": [{}], "aggregate": [{}]}},
  "fees": {{"admin_pepm": {FEES_PEPM}}},
  "budget": 280000, "fully_insured_premium": 255000{decision}}}"#,
        specific.join(", "),
        aggregate.join(", ")
    )
}

/// Per-trial employer cost of candidate (specific s, aggregate a),
/// recomputed from the simulated columns with the contract arithmetic
/// written out here.
fn costs(study: &Study, s: usize, a: Option<usize>) -> Vec<f64> {
    let cols = simulate(study, &|_| {});
    let months = 12.0 * EMPLOYEES;
    let mut fixed = SPECIFIC[s].1 * months + FEES_PEPM * months;
    if let Some(a) = a {
        fixed += AGGREGATE[a].1 * months;
    }
    (0..cols.trials())
        .map(|i| {
            let agg = a.map_or(0.0, |a| {
                let (att, _, max) = AGGREGATE[a];
                (cols.aggregate(s).get(i) - att).max(0.0).min(max)
            });
            cols.retained[s][i] - agg + fixed
        })
        .collect()
}

fn label(s: usize, a: Option<usize>) -> String {
    let spec = format!("spec ${}k", SPECIFIC[s].0 / 1000.0);
    match a {
        None => format!("{spec} / no aggregate"),
        Some(a) => format!("{spec} / agg ${}k", AGGREGATE[a].0 / 1000.0),
    }
}

fn all_candidates() -> Vec<(usize, Option<usize>)> {
    let mut v = Vec::new();
    for s in 0..3 {
        v.push((s, None));
        for a in 0..2 {
            v.push((s, Some(a)));
        }
    }
    v
}

fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|y| (y - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, v.sqrt())
}

#[test]
fn paired_differences_match_the_per_trial_costs() {
    let st = study(&config(6000, ""));
    let r = run_study(&st, &|_| {});
    let d = decision(&r);
    let rec = all_candidates()
        .into_iter()
        .find(|&(s, a)| label(s, a) == d.recommended)
        .expect("the recommendation is a candidate");
    let base = costs(&st, rec.0, rec.1);
    for (s, a) in all_candidates() {
        let l = label(s, a);
        let c = costs(&st, s, a);
        let diff: Vec<f64> = c.iter().zip(&base).map(|(x, y)| x - y).collect();
        let (m, sd) = mean_sd(&diff);
        let se = sd / (diff.len() as f64).sqrt();
        let p = d.frontier.iter().find(|p| p.label == l).unwrap();
        let v = p.vs_recommended.unwrap();
        assert!(
            (v.mean_difference - m).abs() <= 1e-6 * m.abs().max(1.0),
            "{l}: {v:?} vs {m}"
        );
        assert!(
            (v.se - se).abs() <= 1e-6 * se.max(1.0),
            "{l}: {v:?} vs se {se}"
        );
        // The candidate's own mean cost matches too.
        let (cm, _) = mean_sd(&c);
        assert!((cand(&r, &l).employer_cost.mean - cm).abs() <= 1e-6 * cm);
    }
    // The comparison is the runner-up's entry, with its interval.
    let c = d.comparison.as_ref().unwrap();
    let p = d.frontier.iter().find(|p| p.label == c.runner_up).unwrap();
    let v = p.vs_recommended.unwrap();
    assert_eq!(c.mean_difference, v.mean_difference);
    assert_eq!(c.se, v.se);
    let z = z_for(0.95);
    assert!((z - 1.959_963_984_540_054).abs() < 1e-9);
    assert!((c.ci.lo - (v.mean_difference - z * v.se)).abs() < 1e-6);
    assert!((c.ci.hi - (v.mean_difference + z * v.se)).abs() < 1e-6);
    assert_eq!(c.within_noise, c.ci.lo <= 0.0 && c.ci.hi >= 0.0);
    assert_eq!(c.basis, "paired");
    assert_eq!(c.trials, 6000);
    // Trials to separate them, only while they are not separated.
    let expected = if c.within_noise {
        trials_needed(6000, z, c.se, c.mean_difference)
    } else {
        None
    };
    assert_eq!(c.trials_needed, expected);
}

#[test]
fn trials_needed_is_n_z_se_over_diff_squared() {
    // 10,000 x (1.96 x 100 / 150)^2 = 17,073.78 -> 17,074.
    assert_eq!(trials_needed(10_000, 1.96, 100.0, 150.0), Some(17_074));
    assert_eq!(trials_needed(10_000, 1.96, 100.0, -150.0), Some(17_074));
    // Half the se: a quarter of the trials.
    assert_eq!(trials_needed(10_000, 2.0, 50.0, 100.0), Some(10_000));
    assert_eq!(trials_needed(10_000, 1.96, 100.0, 0.0), None);
}

/// The recommendation by brute force: the lowest `mean + lambda risk` among
/// the candidates whose risk is at most the cap.
fn brute_force(
    r: &Results,
    risk: impl Fn(&CandidateResult) -> f64,
    lambda: f64,
    cap: f64,
) -> String {
    r.candidates
        .iter()
        .filter(|c| risk(c) <= cap)
        .min_by(|a, b| {
            (a.employer_cost.mean + lambda * risk(a))
                .total_cmp(&(b.employer_cost.mean + lambda * risk(b)))
        })
        .unwrap()
        .label
        .clone()
}

#[test]
fn recommendation_follows_the_stated_rule() {
    // No decision block: the lowest expected cost.
    let r = run_study(&study(&config(4000, "")), &|_| {});
    let d = decision(&r);
    assert_eq!(d.recommended, brute_force(&r, |_| 0.0, 0.0, f64::INFINITY));
    assert!(d.meets_cap);
    assert_eq!(d.rule.frontier_measure, "tvar99");
    assert_eq!(d.rule.max_risk, None);

    // A cap at 1.07 x budget on TVaR 95% (budget 280,000 -> 299,600).
    let text = config(
        4000,
        r#", "decision": {"risk_measure": "tvar95", "max_risk_budget_factor": 1.07}"#,
    );
    let st = study(&text);
    assert_eq!(st.decision.cap, Some(RiskCap::BudgetFactor(1.07)));
    let r = run_study(&st, &|_| {});
    let d = decision(&r);
    let cap = 1.07 * 280_000.0;
    assert!((d.rule.max_risk.unwrap() - cap).abs() < 1e-6);
    let tvar95 = |c: &CandidateResult| c.employer_cost.tvar.p95;
    let feasible = r.candidates.iter().filter(|c| tvar95(c) <= cap).count();
    let seen: Vec<(f64, f64)> = r
        .candidates
        .iter()
        .map(|c| (c.employer_cost.mean, tvar95(c)))
        .collect();
    assert!(
        feasible > 0 && feasible < r.candidates.len(),
        "the cap must bind: {feasible} feasible: {seen:?}"
    );
    assert_eq!(d.recommended, brute_force(&r, tvar95, 0.0, cap));
    // ... and the cap changed the answer.
    assert_ne!(
        d.recommended,
        brute_force(&r, |_| 0.0, 0.0, f64::INFINITY),
        "{seen:?}"
    );
    for p in &d.frontier {
        assert_eq!(
            p.meets_cap,
            Some(tvar95(cand(&r, &p.label)) <= cap),
            "{}",
            p.label
        );
    }
    assert!(
        d.summary
            .iter()
            .any(|s| s.contains("TVaR 95% at most $299,600 (1.07 x budget)")),
        "{:?}",
        d.summary
    );

    // A penalty: mean + 0.5 x sd.
    let r = run_study(
        &study(&config(
            4000,
            r#", "decision": {"risk_measure": "sd", "lambda": 0.5}"#,
        )),
        &|_| {},
    );
    let d = decision(&r);
    assert_eq!(
        d.recommended,
        brute_force(&r, |c| c.employer_cost.sd, 0.5, f64::INFINITY)
    );
    let rec = cand(&r, &d.recommended);
    let p = d
        .frontier
        .iter()
        .find(|p| p.label == d.recommended)
        .unwrap();
    assert!((p.objective - (rec.employer_cost.mean + 0.5 * rec.employer_cost.sd)).abs() < 1e-6);

    // A cap no candidate meets: the least risky, flagged.
    let r = run_study(
        &study(&config(
            4000,
            r#", "decision": {"risk_measure": "var95", "max_risk": 1000}"#,
        )),
        &|_| {},
    );
    let d = decision(&r);
    assert!(!d.meets_cap);
    let safest = r
        .candidates
        .iter()
        .min_by(|a, b| {
            a.employer_cost
                .percentiles
                .p95
                .total_cmp(&b.employer_cost.percentiles.p95)
        })
        .unwrap();
    assert_eq!(d.recommended, safest.label);
    assert!(
        d.summary
            .iter()
            .any(|s| s.starts_with("No candidate meets the cap of $1,000")),
        "{:?}",
        d.summary
    );
}

#[test]
fn frontier_flags_exactly_the_dominated_candidates() {
    let r = run_study(
        &study(&config(
            3000,
            r#", "decision": {"frontier_measure": "var99"}"#,
        )),
        &|_| {},
    );
    let d = decision(&r);
    let xy = |c: &CandidateResult| (c.employer_cost.mean, c.employer_cost.percentiles.p99);
    let mut efficient = 0;
    for c in &r.candidates {
        let (m, q) = xy(c);
        let dominated = r.candidates.iter().any(|o| {
            let (mo, qo) = xy(o);
            mo <= m && qo <= q && (mo < m || qo < q)
        });
        let p = d.frontier.iter().find(|p| p.label == c.label).unwrap();
        assert_eq!(p.efficient, !dominated, "{}", c.label);
        assert_eq!(p.risk.value, q);
        if let Some(by) = &p.dominated_by {
            let (mo, qo) = xy(cand(&r, by));
            assert!(mo <= m && qo <= q, "{} is not dominated by {by}", c.label);
        }
        efficient += usize::from(!dominated);
    }
    assert_eq!(d.efficient.len(), efficient);
    // Along the frontier (by increasing risk) the mean cost falls.
    let pts: Vec<(f64, f64)> = d.efficient.iter().map(|l| xy(cand(&r, l))).collect();
    for w in pts.windows(2) {
        assert!(w[0].1 <= w[1].1 && w[0].0 >= w[1].0, "{pts:?}");
    }
}

#[test]
fn fully_insured_comparison_matches_per_trial_costs() {
    let st = study(&config(5000, ""));
    let r = run_study(&st, &|_| {});
    let fi = decision(&r).fully_insured.as_ref().unwrap();
    assert_eq!(fi.premium, 255_000.0);
    for (s, a) in all_candidates() {
        let l = label(s, a);
        let c = costs(&st, s, a);
        let n = c.len() as f64;
        let p = c.iter().filter(|&&x| x > 255_000.0).count() as f64 / n;
        let mut sorted = c.clone();
        sorted.sort_by(f64::total_cmp);
        let var = |q: f64| sorted[((n * q).ceil() as usize).clamp(1, c.len()) - 1];
        let (m, _) = mean_sd(&c);
        let e = fi.candidates.iter().find(|e| e.label == l).unwrap();
        assert!((e.expected_saving.mean - (255_000.0 - m)).abs() < 1e-6 * m);
        assert_eq!(e.expected_saving.se, cand(&r, &l).employer_cost.se);
        assert!(
            (e.prob_self_funding_costs_more.mean - p).abs() < 1e-12,
            "{l}"
        );
        assert!((e.prob_self_funding_costs_more.se - (p * (1.0 - p) / n).sqrt()).abs() < 1e-12);
        assert!((e.worst_1_in_20.over_fully_insured - (var(0.95) - 255_000.0)).abs() < 1e-6);
        assert!((e.worst_1_in_100.cost - var(0.99)).abs() < 1e-6);
        assert!(e.worst_1_in_100.ci95.lo <= e.worst_1_in_100.over_fully_insured);
        assert!(e.worst_1_in_100.ci95.hi >= e.worst_1_in_100.over_fully_insured);
    }
}

/// A config the exact engine represents with every amount on its lattice.
const EXACT: &str = r#"{"name": "ex", "trials": 1000,
  "population": {"classes": [{"name": "all", "employees": 10,
    "claims": [{"name": "m", "frequency": {"bernoulli": {"p": 0.3}},
                "severity": {"empirical": {"values": [1000, 5000, 30000]}}}]}]},
  "stop_loss": {"specific": [{"deductible": 10000, "premium_pepm": 40},
                             {"deductible": 20000, "premium_pepm": 20}]},
  "fully_insured_premium": 50000}"#;

#[test]
fn exact_differences_are_exact() {
    let st = study(EXACT);
    let r = run_exact(
        &st,
        &stoploss::exact::ExactOptions {
            step: Some(1000.0),
            ..Default::default()
        },
    )
    .unwrap();
    let d = decision(&r);
    // By hand: each member claims 1,000, 5,000 or 30,000 with probability
    // 0.1 each. Expected retained per member: 0.1 (1000 + 5000 + min(30000, d)).
    // d 10k: 1,600; d 20k: 2,600. Premiums: 40 and 20 x 120 employee-months.
    let mean_10k = 10.0 * 1600.0 + 40.0 * 120.0;
    let mean_20k = 10.0 * 2600.0 + 20.0 * 120.0;
    assert!((cand(&r, "spec $10k / no aggregate").employer_cost.mean - mean_10k).abs() < 1e-6);
    assert!((cand(&r, "spec $20k / no aggregate").employer_cost.mean - mean_20k).abs() < 1e-6);
    assert_eq!(d.recommended, "spec $10k / no aggregate");
    let c = d.comparison.as_ref().unwrap();
    assert_eq!(c.basis, "exact");
    assert!((c.mean_difference - (mean_20k - mean_10k)).abs() < 1e-6);
    assert!(
        c.se < 1e-6,
        "amounts on the lattice: no error bound, got {}",
        c.se
    );
    assert!(!c.within_noise);
    assert_eq!(c.trials_needed, None);
    assert!(
        d.summary.iter().any(|s| s.contains("exact")),
        "{:?}",
        d.summary
    );
}

#[test]
fn sweep_reuses_the_random_draws() {
    // Trend over exactly 12 months multiplies every amount by (1 + t): on
    // the same draws, gross claims scale by the ratio of the factors.
    let text = r#"{"name": "crn", "seed": 3, "trials": 3000, "trend": {"annual": 0.05, "months": 12},
      "population": {"classes": [{"name": "all", "employees": 30,
        "claims": [{"name": "m", "frequency": {"poisson": {"mean": 1.5}},
                    "severity": {"lognormal": {"mean": 4000, "cv": 2.0}}}]}]},
      "stop_loss": {"specific": [{"deductible": 50000, "premium_pepm": 30}]}}"#;
    let params = [SweepParam {
        path: JsonPath::parse("trend.annual").unwrap(),
        values: vec![0.0, 0.1, 0.25],
    }];
    let runs = prepare(text, "crn.json", Path::new("."), &params).unwrap();
    let gross: Vec<f64> = runs
        .iter()
        .map(|(_, s)| run_study(s, &|_| {}).population.simulated_gross_claims.mean)
        .collect();
    for (g, t) in gross.iter().zip([0.0, 0.1, 0.25]) {
        let ratio = g / gross[0];
        assert!(
            (ratio - (1.0 + t)).abs() < 1e-12,
            "trend {t}: ratio {ratio}"
        );
    }
    // A premium sweep leaves the claims alone and moves the cost by the premium.
    let params = [SweepParam {
        path: JsonPath::parse("stop_loss.specific[0].premium_pepm").unwrap(),
        values: vec![30.0, 40.0],
    }];
    let runs = prepare(text, "crn.json", Path::new("."), &params).unwrap();
    let r: Vec<Results> = runs.iter().map(|(_, s)| run_study(s, &|_| {})).collect();
    assert_eq!(
        r[0].population.simulated_gross_claims,
        r[1].population.simulated_gross_claims
    );
    let diff = r[1].candidates[0].employer_cost.mean - r[0].candidates[0].employer_cost.mean;
    assert!((diff - 10.0 * 30.0 * 12.0).abs() < 1e-6, "{diff}");
    // A value the config refuses names the path.
    let params = [SweepParam {
        path: JsonPath::parse("population.classes[0].claims[0].severity.lognormal.cv").unwrap(),
        values: vec![2.0, -1.0],
    }];
    let e = prepare(text, "crn.json", Path::new("."), &params)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("population.classes[0].claims[0].severity.lognormal.cv = -1"),
        "{e}"
    );
    assert!(
        e.contains("invalid value at population.classes[0].claims[0].severity.lognormal.cv"),
        "{e}"
    );
}

#[test]
fn decision_block_errors_name_the_field() {
    let cases = [
        (
            r#", "decision": {"risk_measure": "tvar98"}"#,
            "decision.risk_measure",
            "unknown risk measure `tvar98`",
        ),
        (
            r#", "decision": {"frontier_measure": "p99"}"#,
            "decision.frontier_measure",
            "allowed: tvar90",
        ),
        (
            r#", "decision": {"max_risk": 1, "max_risk_budget_factor": 1.1}"#,
            "decision.max_risk_budget_factor",
            "not both",
        ),
        (
            r#", "decision": {"max_risk": -5}"#,
            "decision.max_risk",
            "greater than 0",
        ),
        (
            r#", "decision": {"risk_measure": "prob_over_budget", "max_risk": 1.5}"#,
            "decision.max_risk",
            "probability from 0 to 1",
        ),
        (
            r#", "decision": {"risk_measure": "prob_over_budget", "max_risk_budget_factor": 1.1}"#,
            "decision.max_risk_budget_factor",
            "dollar measures only",
        ),
        (
            r#", "decision": {"lambda": -1}"#,
            "decision.lambda",
            "from 0",
        ),
        (
            r#", "decision": {"confidence": 1.5}"#,
            "decision.confidence",
            "between 0.5",
        ),
        (
            r#", "decision": {"lambd": 1}"#,
            "decision.lambd",
            "did you mean `lambda`",
        ),
    ];
    for (block, path, fragment) in cases {
        let e = stoploss::config::parse(&config(100, block), "t.json", Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(e.contains(path) && e.contains(fragment), "{block}: {e}");
    }
    // A budget factor without a budget.
    let text = config(100, r#", "decision": {"max_risk_budget_factor": 1.1}"#)
        .replace(r#""budget": 280000, "#, "");
    let e = stoploss::config::parse(&text, "t.json", Path::new("."))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("decision.max_risk_budget_factor") && e.contains("needs a `budget`"),
        "{e}"
    );
    let ok = study(&config(
        100,
        r#", "decision": {"frontier_measure": "var99_5", "risk_measure": "prob_over_budget", "max_risk": 0.1}"#,
    ));
    assert_eq!(ok.decision.frontier_measure, RiskMeasure::Var(995));
    // Either measure alone sets both: the frontier is drawn in the rule's measure.
    let one = study(&config(100, r#", "decision": {"risk_measure": "tvar95"}"#));
    assert_eq!(one.decision.frontier_measure, RiskMeasure::Tvar(950));
    let one = study(&config(100, r#", "decision": {"frontier_measure": "sd"}"#));
    assert_eq!(one.decision.risk_measure, RiskMeasure::Sd);
    assert_eq!(
        study(&config(100, "")).decision.frontier_measure,
        RiskMeasure::TVAR99
    );
    assert_eq!(ok.decision.risk_measure, RiskMeasure::ProbOverBudget);
}

/// Two candidates differing only in the aggregate attachment (150,000 or
/// 155,000); the second one's premium (PEPM) is given.
fn near_tie(premium_b_pepm: f64) -> String {
    format!(
        r#"{{"name": "tie", "seed": 5, "trials": 4000,
  "population": {{"classes": [{{"name": "all", "employees": 40,
    "claims": [{{"name": "med", "frequency": {{"poisson": {{"mean": 2.0}}}},
                 "severity": {{"lognormal": {{"mean": 2000, "cv": 3.0}}}}}}]}}]}},
  "stop_loss": {{"specific": [{{"deductible": 50000, "premium_pepm": 40}}],
                 "aggregate": [{{"attachment_amount": 150000, "premium_pepm": 20}},
                               {{"attachment_amount": 155000, "premium_pepm": {premium_b_pepm}}}],
                 "include_no_aggregate": false}}}}"#
    )
}

#[test]
fn a_difference_within_noise_says_how_many_trials_would_separate_them() {
    // First run: the per-trial difference of the two aggregate
    // reimbursements, from the columns.
    let st = study(&near_tie(20.0));
    let cols = simulate(&st, &|_| {});
    let reimb = |a: f64, r: f64| (r - a).max(0.0);
    let d: Vec<f64> = cols
        .aggregate(0)
        .iter()
        .map(|r| reimb(150_000.0, r) - reimb(155_000.0, r))
        .collect();
    let (mean, sd) = mean_sd(&d);
    let se = sd / (d.len() as f64).sqrt();
    assert!(se > 0.0, "the aggregate must attach in some trials");
    // Price the higher attachment so that, on these very trials, it costs
    // half a standard error more than the lower one: a gap well inside noise.
    let premium_gap = -mean + 0.5 * se;
    let st = study(&near_tie(20.0 + premium_gap / (12.0 * 40.0)));
    let r = run_study(&st, &|_| {});
    let dec = decision(&r);
    assert_eq!(dec.recommended, "spec $50k / agg $150k");
    let c = dec.comparison.as_ref().unwrap();
    assert_eq!(c.runner_up, "spec $50k / agg $155k");
    assert!((c.mean_difference - 0.5 * se).abs() < 1e-6 * se, "{c:?}");
    assert!((c.se - se).abs() < 1e-9 * se.max(1.0), "{c:?} vs {se}");
    assert!(c.within_noise);
    // n (1.96 se / (se / 2))^2 = 4000 x 3.92^2 = 61,465.6 (z to full precision).
    let z = z_for(0.95);
    let n = (4000.0 * (z / 0.5) * (z / 0.5)).ceil() as u64;
    assert!((61_460..=61_470).contains(&n));
    assert!(
        c.trials_needed.unwrap().abs_diff(n) <= 1,
        "{:?} vs {n}",
        c.trials_needed
    );
    let text = dec.summary.join(" ");
    assert!(
        text.contains("within Monte Carlo noise; about 61,4"),
        "{text}"
    );
    assert!(
        text.contains("trials in all (now 4,000) would separate them"),
        "{text}"
    );
}
