//! The `parameter_risk` block: a per-trial frequency shock G ~ Gamma(mean
//! 1, CV c) adds the non-diversifying c^2 to the gross's squared CV,
//! CV^2(S) = E[X^2] / (n lambda mu^2) + c^2 (law of total variance); a
//! severity shock B multiplies every amount; the claim stream is untouched
//! (CRN), and bad values are refused at their JSON path.

use crate::util::study;
use std::path::Path;
use stoploss::sim::simulate;

fn config(block: &str) -> String {
    format!(
        r#"{{"name": "pr", "seed": 11, "trials": 20000,
  "population": {{"classes": [{{"name": "all", "employees": 1000, "members": 2000,
    "claims": [{{"name": "m", "frequency": {{"poisson": {{"mean": 2}}}},
                 "severity": {{"exponential": {{"mean": 1000}}}}}}]}}]}},
  "stop_loss": {{"specific": [{{"deductible": 5000, "premium_pepm": 1}}]}}{block}}}"#
    )
}

fn mean_cv(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, var.sqrt() / m)
}

#[test]
fn frequency_shock_adds_its_cv_floor() {
    let s = study(
        &config(r#", "parameter_risk": {"frequency_cv": 0.3}"#),
        Path::new("."),
    );
    let gross = simulate(&s, &|_| {}).gross;
    let (m, cv) = mean_cv(&gross);
    // E[S] = 2000 x 2 x 1000; CV^2 = 2 / 4000 + 0.09.
    let want_cv = (2.0f64 / 4000.0 + 0.09).sqrt();
    let se_mean = 4e6 * want_cv / (gross.len() as f64).sqrt();
    assert!((m - 4e6).abs() < 4.0 * se_mean, "{m}");
    assert!((cv / want_cv - 1.0).abs() < 0.03, "{cv} vs {want_cv}");
    // Without the block the CV is the process CV alone.
    let plain = simulate(&study(&config(""), Path::new(".")), &|_| {}).gross;
    let (_, cv0) = mean_cv(&plain);
    assert!((cv0 / (2.0f64 / 4000.0).sqrt() - 1.0).abs() < 0.03, "{cv0}");
}

#[test]
fn severity_shock_scales_amounts_on_the_same_claims() {
    // With only a severity shock the claim counts and unit draws are those
    // of the plain run: each trial's gross is the plain gross times B_t.
    let shocked = study(
        &config(r#", "parameter_risk": {"severity_cv": 0.2}"#),
        Path::new("."),
    );
    let plain = study(&config(""), Path::new("."));
    let a = simulate(&shocked, &|_| {}).gross;
    let b = simulate(&plain, &|_| {}).gross;
    let pr = shocked.parameter_risk.clone().unwrap();
    for t in [0usize, 1, 1023, 1024, 19_999] {
        let shock = pr.shock(11, (t / 1024) as u64, (t % 1024) as u64);
        assert!(
            (a[t] / (b[t] * shock.severity_scale) - 1.0).abs() < 1e-12,
            "trial {t}"
        );
    }
    // Same seed, same shocks: reproducible.
    assert_eq!(a, simulate(&shocked, &|_| {}).gross);
}

#[test]
fn bad_parameter_risk_is_refused_at_its_path() {
    let e = stoploss::config::parse(
        &config(r#", "parameter_risk": {"frequency_cv": 3}"#),
        "pr.json",
        Path::new("."),
    )
    .unwrap_err();
    assert_eq!(e.location, "parameter_risk.frequency_cv");
    let e = stoploss::config::parse(
        &config(r#", "parameter_risk": {"frequency": 0.1}"#),
        "pr.json",
        Path::new("."),
    )
    .unwrap_err();
    assert!(e.to_string().contains("frequency"), "{e}");
}
