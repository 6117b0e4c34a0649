//! The exact engine's tolerance at default settings, against closed forms:
//! figures within 1e-6 relative where the engine says it met the
//! tolerance, and a warning naming the figures where it could not.

use stoploss::exact::ExactOptions;
use stoploss::results::{CandidateResult, Results};
use stoploss::run::run_exact;

fn exact(json: &str) -> Results {
    let study = stoploss::config::parse(json, "test.json", std::path::Path::new("."))
        .unwrap_or_else(|e| panic!("{e}"));
    run_exact(&study, &ExactOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn only(r: &Results) -> &CandidateResult {
    assert_eq!(r.candidates.len(), 1);
    &r.candidates[0]
}

fn close(what: &str, got: f64, want: f64, rel: f64) {
    assert!(
        (got - want).abs() <= rel * want.abs() + 1e-12,
        "{what}: {got} vs {want} (rel {:.2e})",
        (got - want).abs() / want.abs()
    );
}

/// One member, one exponential claim (mean 20,000) with probability 0.3, a
/// $50k specific at $100 PEPM and a fully insured premium $10,000 above the
/// premium: `P(cost > FI) = P(min(X, d) > 10,000) = 0.3 e^(-1/2)`, read at
/// the threshold the premium sets (the stopping rule once read it with no
/// premium, $1,200 higher, where it was not reported).
#[test]
fn fully_insured_probability_at_the_premium_shifted_threshold() {
    let json = r#"{"name": "fi", "fully_insured_premium": 11200,
        "population": {"classes": [{"name": "all", "employees": 1,
        "claims": [{"name": "c", "frequency": {"bernoulli": {"p": 0.3}},
                    "severity": {"exponential": {"mean": 20000}}}]}]},
        "stop_loss": {"specific": [{"deductible": 50000, "premium_pepm": 100}]}}"#;
    let r = exact(json);
    let c = only(&r);
    let p = c.prob_exceeds_fully_insured.unwrap();
    close("P(cost > FI)", p.mean, 0.3 * (-0.5f64).exp(), 1e-6);
    close(
        "claimants",
        c.expected_specific_claimants.mean,
        0.3 * (-2.5f64).exp(),
        1e-6,
    );
    close(
        "specific reimbursement",
        c.specific_reimbursement.mean,
        0.3 * 20_000.0 * (-2.5f64).exp(),
        1e-6,
    );
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}

/// One Pareto (alpha 2, theta 10,000) claim with probability 1/2 and an
/// aggregate at $20,000: `E[(S - a)+] = p (theta + a) / (alpha - 1)
/// (theta / (theta + a))^alpha = 1,666.67`, `P(S > a) = p / 9`. No lattice
/// within the default budget holds the tail to 1e-6 of that layer (the
/// expected claims beyond any cap fall like its inverse), so the engine
/// keeps the truncation in the bound and says so.
#[test]
fn a_heavy_tail_beyond_the_lattice_is_in_the_bound_and_warned() {
    let json = r#"{"name": "heavy", "population": {"classes": [{"name": "all", "employees": 1,
        "claims": [{"name": "c", "frequency": {"bernoulli": {"p": 0.5}},
                    "severity": {"pareto": {"alpha": 2, "theta": 10000}}}]}]},
        "stop_loss": {"aggregate": [{"label": "a20k", "attachment_amount": 20000, "premium_pepm": 0}],
                      "candidates": [{"specific": null, "aggregate": "a20k"}]}}"#;
    let r = exact(json);
    let c = only(&r);
    let (layer, attach) = (0.5 * 30_000.0 / 9.0, 0.5 / 9.0);
    let got = c.aggregate_reimbursement;
    assert!(
        (got.mean - layer).abs() <= got.se,
        "layer {} +- {} vs {layer}",
        got.mean,
        got.se
    );
    assert!(got.se < 1e-3 * layer, "bound {} too wide", got.se);
    let p = c.prob_aggregate_attaches.unwrap();
    assert!((p.mean - attach).abs() <= p.se.max(1e-9));
    let w = c.warnings.join(" ");
    assert!(
        w.contains("exceeds the tolerance") && w.contains("aggregate_reimbursement"),
        "{w}"
    );
}

/// Amounts that are all on the aligned lattice are exact: no warning.
#[test]
fn an_exact_lattice_carries_no_tolerance_warning() {
    let json = r#"{"name": "atoms", "population": {"classes": [{"name": "all", "employees": 3,
        "claims": [{"name": "c", "frequency": {"bernoulli": {"p": 0.3}},
                    "severity": {"empirical": {"values": [100000, 200000, 300000]}}}]}]},
        "stop_loss": {"specific": [{"deductible": 200000, "premium_pepm": 0}],
                      "aggregate": [{"label": "a300k", "attachment_amount": 300000, "premium_pepm": 0}]}}"#;
    let r = exact(json);
    let c = r
        .candidates
        .iter()
        .find(|c| c.label == "spec $200k / a300k")
        .unwrap();
    close("claimants", c.expected_specific_claimants.mean, 0.3, 1e-12);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}
