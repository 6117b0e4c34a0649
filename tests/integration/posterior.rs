//! Posterior-predictive tails (`parameter_risk.posterior`): a fitted
//! Pareto index drawn per trial from N(alpha_hat, se^2), checked against
//! the law of total variance computed by quadrature over that normal, with
//! closed-form Pareto moments given alpha:
//!   m1(a) = E[(X - d)+] = u^a d^(1-a) / (a - 1),
//!   m2(a) = E[(X - d)+^2] = 2 u^a d^(2-a) / ((a - 1)(a - 2)),
//! for X single-parameter Pareto above u and a deductible d >= u. With
//! Bernoulli(p) claims over n members, E[S | a] = n p m1 and
//! Var(S | a) = n (p m2 - p^2 m1^2); Var(S) = E[Var(S | a)] + Var(E[S | a]).
//! Then: reproducible on 1 and 2 threads, and bad posteriors are refused at
//! their JSON path.

use crate::util::{assert_within, cand, s};
use assert_cmd::Command;
use serde_json::{json, Value};
use std::path::Path;
use stoploss::config;
use stoploss::run::run_study;

const U: f64 = 100_000.0;
const D: f64 = 150_000.0;
const MEMBERS: f64 = 5_000.0;
const P: f64 = 0.05;
const ALPHA: f64 = 6.0;
const SE: f64 = 0.3;

/// A fit.json from `stoploss fit` on the shipped listing, its Pareto fit
/// set to `alpha` with standard error `se`.
fn fit_file(dir: &Path, alpha: f64, se: f64) -> std::path::PathBuf {
    let out = dir.join("fit");
    let listing = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/claimants-example.csv");
    Command::cargo_bin("stoploss")
        .unwrap()
        .args([
            "fit",
            s(&listing),
            "--threshold",
            "150000",
            "--out",
            s(&out),
        ])
        .assert()
        .success();
    let path = out.join("fit.json");
    let mut fit: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let models = fit["models"].as_array_mut().unwrap();
    let pareto = models
        .iter_mut()
        .find(|m| m["family"] == "pareto")
        .expect("a Pareto fit");
    pareto["parameters"]["alpha"] = json!(alpha);
    pareto["se"]["alpha"] = json!(se);
    pareto["covariance"] = json!([[se * se]]);
    std::fs::write(&path, fit.to_string()).unwrap();
    path
}

fn config_text(posterior: Value, trials: u64) -> String {
    json!({
        "name": "posterior", "seed": 5, "trials": trials,
        "population": {"classes": [{"name": "all", "employees": MEMBERS, "members": MEMBERS,
            "claims": [{"name": "large", "frequency": {"bernoulli": {"p": P}},
                "severity": {"spliced": {"body": {"lognormal": {"mu": 9.0, "sigma": 1.0}},
                    "threshold": U, "tail_probability": 1.0, "tail_alpha": ALPHA}}}]}]},
        "stop_loss": {"specific": [{"deductible": D, "premium_pepm": 10}]},
        "parameter_risk": {"posterior": posterior}
    })
    .to_string()
}

/// `f` run in a pool of `threads` threads.
fn on<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

fn m1(a: f64) -> f64 {
    U.powf(a) * D.powf(1.0 - a) / (a - 1.0)
}

fn m2(a: f64) -> f64 {
    2.0 * U.powf(a) * D.powf(2.0 - a) / ((a - 1.0) * (a - 2.0))
}

/// `E[f(a)]` for `a ~ N(ALPHA, SE^2)` by Simpson's rule over +-10 sd.
fn expect(f: impl Fn(f64) -> f64) -> f64 {
    let k = 4000;
    let (lo, hi) = (ALPHA - 10.0 * SE, ALPHA + 10.0 * SE);
    let h = (hi - lo) / k as f64;
    let pdf = |a: f64| {
        (-0.5 * ((a - ALPHA) / SE).powi(2)).exp() / (SE * (2.0 * std::f64::consts::PI).sqrt())
    };
    (0..=k)
        .map(|i| {
            let a = lo + i as f64 * h;
            let w = if i == 0 || i == k {
                1.0
            } else if i % 2 == 1 {
                4.0
            } else {
                2.0
            };
            w * pdf(a) * f(a)
        })
        .sum::<f64>()
        * h
        / 3.0
}

#[test]
fn drawn_tails_follow_the_law_of_total_variance() {
    let tmp = tempfile::tempdir().unwrap();
    fit_file(tmp.path(), ALPHA, SE);
    let text = config_text(json!({"fit": "fit/fit.json", "family": "pareto"}), 10_000);
    let study = config::parse(&text, "posterior.json", tmp.path()).expect("loads");
    assert!(
        !study.warnings.iter().any(|w| w.contains("centred")),
        "the config's tail is the fit's: {:?}",
        study.warnings
    );
    let r = run_study(&study, &|_| {});
    let c = cand(&r, &r.candidates[0].label.clone()).clone();
    let n = MEMBERS;
    let mean = n * P * expect(m1);
    let e_var = n * (P * expect(m2) - P * P * expect(|a| m1(a).powi(2)));
    let var_mean = (n * P).powi(2) * (expect(|a| m1(a).powi(2)) - expect(m1).powi(2));
    let total = e_var + var_mean;
    let known = n * (P * m2(ALPHA) - P * P * m1(ALPHA).powi(2));
    assert!(var_mean / total > 0.15, "a test that sees parameter risk");
    let got = &c.specific_reimbursement;
    assert_within("posterior-predictive mean", got.mean, mean, 4.0 * got.se);
    let pr = r.parameter_risk.as_ref().expect("the comparison");
    let split = &pr.candidates[0].variance_split.specific_reimbursement;
    assert_within("sd with", split.sd_with, total.sqrt(), 0.05 * total.sqrt());
    assert_within(
        "sd known",
        split.sd_without,
        known.sqrt(),
        0.05 * known.sqrt(),
    );
    assert_within(
        "parameter share",
        split.parameter_share,
        1.0 - known / total,
        0.06,
    );
    // The known-parameter mean is n p m1(alpha_hat): lower than the
    // posterior-predictive mean (m1 is convex in alpha).
    assert_within(
        "known mean",
        pr.candidates[0].specific_reimbursement[1],
        n * P * m1(ALPHA),
        5.0 * got.se,
    );
    let post = pr.posterior.as_ref().expect("the posterior summary");
    assert_eq!(post.family, "pareto");
    assert_eq!(post.components, ["large"]);
    assert!((post.estimates["alpha"] - ALPHA).abs() < 1e-12);
    assert!(post.redrawn_share < 1e-9);
}

/// Contract timing draws the same tails: with a 12/36 basis every claim
/// incurred in the year is paid in the window, so the posterior-predictive
/// mean is again n p E[m1(alpha)].
#[test]
fn timed_studies_draw_the_tails_too() {
    let tmp = tempfile::tempdir().unwrap();
    fit_file(tmp.path(), ALPHA, SE);
    let mut v: Value = serde_json::from_str(&config_text(
        json!({"fit": "fit/fit.json", "family": "pareto"}),
        6_000,
    ))
    .unwrap();
    v["stop_loss"]["specific"][0]["basis"] = json!({"incurred": [1, 12], "paid": [1, 36]});
    let study = config::parse(&v.to_string(), "timed.json", tmp.path()).expect("loads");
    assert!(study.timing.is_some());
    let r = on(2, || run_study(&study, &|_| {}));
    let got = &r.candidates[0].specific_reimbursement;
    assert_within(
        "timed posterior-predictive mean",
        got.mean,
        MEMBERS * P * expect(m1),
        4.0 * got.se,
    );
    let one = on(1, || run_study(&study, &|_| {}));
    assert_eq!(one.candidates[0].specific_reimbursement, *got);
    // The law of total variance's parameter share (about 0.2 here), which
    // a timed kernel ignoring the draws would put at 0.
    let pr = r.parameter_risk.as_ref().expect("the comparison");
    let share = pr.candidates[0]
        .variance_split
        .specific_reimbursement
        .parameter_share;
    assert!(share > 0.1, "{share}");
}

#[test]
fn posterior_runs_are_identical_on_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    fit_file(tmp.path(), 1.6, 0.5);
    let text = config_text(json!({"fit": "fit/fit.json", "family": "pareto"}), 3_000);
    let study = config::parse(&text, "posterior.json", tmp.path()).expect("loads");
    // P(alpha <= 1) = Phi(-1.2) = 11.5%, and the config's tail_alpha 6 is
    // not the fit's 1.6: both are said.
    let share = study
        .warnings
        .iter()
        .filter(|w| w.contains("% of the pareto fit's normal parameter draws"))
        .find_map(|w| {
            w.split("posterior: ")
                .nth(1)?
                .split('%')
                .next()?
                .parse::<f64>()
                .ok()
        })
        .unwrap_or_else(|| panic!("the redrawn share is said: {:?}", study.warnings));
    // 20,000 draws: the share's se is 0.23 points.
    assert!((share - 11.51).abs() < 1.0, "{share}");
    assert!(
        study
            .warnings
            .iter()
            .any(|w| w.contains("centred on the fit's")),
        "{:?}",
        study.warnings
    );
    let a = on(1, || stoploss::sim::simulate(&study, &|_| {}));
    let b = on(2, || stoploss::sim::simulate(&study, &|_| {}));
    assert_eq!(a.gross, b.gross);
    assert_eq!(a.retained, b.retained);
    // Not the configured tail: the draws move every trial's claims.
    let known = stoploss::model::Study {
        parameter_risk: None,
        ..study.clone()
    };
    assert_ne!(a.gross, stoploss::sim::simulate(&known, &|_| {}).gross);
}

#[test]
fn bad_posteriors_are_refused_at_their_path() {
    let tmp = tempfile::tempdir().unwrap();
    fit_file(tmp.path(), ALPHA, SE);
    let fails = |posterior: Value, at: &str, says: &str| {
        let e = config::parse(&config_text(posterior.clone(), 100), "p.json", tmp.path())
            .expect_err(&posterior.to_string());
        assert!(
            e.location.starts_with(at),
            "{posterior}: {} at {}",
            e.message,
            e.location
        );
        assert!(e.message.contains(says), "{posterior}: {}", e.message);
    };
    fails(
        json!({"fit": "nowhere.json"}),
        "parameter_risk.posterior.fit",
        "nowhere.json",
    );
    fails(
        json!({"fit": "fit/fit.json", "family": "lognormal"}),
        "parameter_risk.posterior.family",
        "\"pareto\" or \"gpd\"",
    );
    fails(
        json!({"fit": "fit/fit.json", "family": "pareto", "components": ["dental"]}),
        "parameter_risk.posterior.components[0]",
        "no claim component",
    );
    fails(
        json!({"fit": "fit/fit.json", "family": "pareto", "min_alpha": 0.5}),
        "parameter_risk.posterior.min_alpha",
        "between 1 and 100",
    );
    fails(
        json!({"fit": "fit/fit.json", "family": "pareto", "min_alpha": 7}),
        "parameter_risk.posterior.fit",
        "at or below 7",
    );
    fails(
        json!({"fit": "fit/fit.json", "shape": 1}),
        "parameter_risk.posterior.shape",
        "unknown field",
    );
    let mut projected: Value =
        serde_json::from_str(&config_text(json!({"fit": "fit/fit.json"}), 100)).unwrap();
    projected["projection"] = json!({"years": 2});
    let e = config::parse(&projected.to_string(), "p.json", tmp.path()).unwrap_err();
    assert_eq!(e.location, "parameter_risk.posterior");
    assert!(
        e.message.contains("remove the projection block"),
        "{}",
        e.message
    );
    std::fs::write(tmp.path().join("not-a-fit.json"), "{\"models\": 3}").unwrap();
    fails(
        json!({"fit": "not-a-fit.json"}),
        "parameter_risk.posterior.fit",
        "not a fit.json",
    );
}
