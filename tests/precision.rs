//! Accuracy you can prove: paired differences against a baseline candidate,
//! recomputed by hand from the per-trial columns.

use std::path::Path;

use stoploss::model::Study;
use stoploss::report::{CandidateResult, Results};
use stoploss::run::run_study;
use stoploss::sim::simulate;

/// 60 members, 40 employees (composite tier, full year). Specific options
/// `spec50` (quoted) and `spec25p` (priced at an 85% loss ratio); aggregate
/// options `agg A` (quoted), `agg B` (quoted, $50k maximum) and `agg priced`
/// (80% loss ratio). Eight candidates, `spec50 / no aggregate` first.
fn study_json(trials: u64, baseline: Option<&str>) -> String {
    let baseline = baseline
        .map(|b| format!(r#", "baseline": "{b}""#))
        .unwrap_or_default();
    format!(
        r#"{{"name": "paired", "seed": 11, "trials": {trials},
 "population": {{"classes": [{{"name": "all", "employees": 40, "members": 60,
   "claims": [{{"name": "medical", "frequency": {{"poisson": {{"mean": 2.0}}}},
               "severity": {{"lognormal": {{"mean": 4000, "cv": 4.0}}}}}}]}}]}},
 "stop_loss": {{
   "specific": [{{"label": "spec50", "deductible": 50000, "premium_pepm": 80}},
                {{"label": "spec25p", "deductible": 25000, "target_loss_ratio": 0.85}}],
   "aggregate": [{{"label": "agg A", "attachment_factor": 1.2, "premium_pepm": 6}},
                 {{"label": "agg B", "attachment_factor": 1.1, "max_reimbursement": 50000, "premium_pepm": 9}},
                 {{"label": "agg priced", "attachment_factor": 1.15, "target_loss_ratio": 0.8}}]{baseline}}},
 "fees": {{"admin_pepm": 30}}}}"#
    )
}

fn study(trials: u64, baseline: Option<&str>) -> Study {
    let json = study_json(trials, baseline);
    stoploss::config::parse(&json, "paired.json", Path::new("."))
        .unwrap_or_else(|e| panic!("config rejected: {e}"))
}

fn cand<'a>(r: &'a Results, label: &str) -> &'a CandidateResult {
    r.candidates
        .iter()
        .find(|c| c.label == label)
        .unwrap_or_else(|| panic!("no candidate `{label}`"))
}

fn close(a: f64, b: f64, rel: f64, scale: f64, what: &str) {
    assert!(
        (a - b).abs() <= rel * scale.abs().max(1.0),
        "{what}: {a} vs {b} (tolerance {rel} x {scale})"
    );
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Two-pass standard error of the mean.
fn se(x: &[f64]) -> f64 {
    let m = mean(x);
    let ss: f64 = x.iter().map(|v| (v - m) * (v - m)).sum();
    (ss / (x.len() - 1) as f64).sqrt() / (x.len() as f64).sqrt()
}

/// Annual amount of a composite PEPM rate for 40 employees all year.
fn annual(pepm: f64) -> f64 {
    pepm * 40.0 * 12.0
}

/// Per-trial employer cost and the cost with priced premiums replaced by
/// `reimbursement_i / LR`, recomputed by hand from the simulated columns.
struct HandCosts {
    cost: Vec<f64>,
    adjusted: Vec<f64>,
}

fn hand_costs(study: &Study, specific: &str, aggregate: Option<&str>) -> HandCosts {
    let cols = simulate(study, &|_| {});
    let n = cols.trials();
    let s = match specific {
        "spec50" => 0,
        "spec25p" => 1,
        other => panic!("unknown specific {other}"),
    };
    let gross = &cols.gross;
    let retained = &cols.retained[s];
    let ra = &cols.aggregate_retained[s];
    let fees = annual(30.0);
    // Specific premium and its per-trial replacement.
    let spec_reimb: Vec<f64> = (0..n).map(|i| gross[i] - retained[i]).collect();
    let (spec_premium, spec_lr) = match s {
        0 => (annual(80.0), None),
        _ => (mean(&spec_reimb) / 0.85, Some(0.85)),
    };
    // Aggregate: factor x mean aggregate-eligible retained claims.
    let (factor, max, agg_pepm, agg_lr) = match aggregate {
        None => (f64::NAN, 0.0, 0.0, None),
        Some("agg A") => (1.2, f64::INFINITY, 6.0, None),
        Some("agg B") => (1.1, 50_000.0, 9.0, None),
        Some("agg priced") => (1.15, f64::INFINITY, 0.0, Some(0.8)),
        Some(other) => panic!("unknown aggregate {other}"),
    };
    let attachment = factor * mean(ra);
    let agg: Vec<f64> = (0..n)
        .map(|i| {
            if aggregate.is_none() {
                0.0
            } else {
                (ra[i] - attachment).max(0.0).min(max)
            }
        })
        .collect();
    let agg_premium = match agg_lr {
        Some(lr) => mean(&agg) / lr,
        None => annual(agg_pepm),
    };
    let mut cost = Vec::with_capacity(n);
    let mut adjusted = Vec::with_capacity(n);
    for i in 0..n {
        let c = retained[i] - agg[i] + spec_premium + agg_premium + fees;
        let mut a = c;
        if let Some(lr) = spec_lr {
            a += spec_reimb[i] / lr - spec_premium;
        }
        if let Some(lr) = agg_lr {
            a += agg[i] / lr - agg_premium;
        }
        cost.push(c);
        adjusted.push(a);
    }
    HandCosts { cost, adjusted }
}

// ------------------------------------------------------- paired differences

#[test]
fn paired_differences_match_a_hand_recomputation() {
    let s = study(3000, None);
    let r = run_study(&s, &|_| {});
    let base_label = "spec50 / no aggregate";
    let base = hand_costs(&s, "spec50", None);
    let base_result = cand(&r, base_label);
    close(
        base_result.employer_cost.mean,
        mean(&base.cost),
        1e-9,
        mean(&base.cost),
        "baseline mean cost",
    );
    // The baseline itself: a zero difference.
    let own = base_result
        .vs_baseline
        .as_ref()
        .expect("vs_baseline is set");
    assert_eq!(own.baseline, base_label);
    assert_eq!(own.mean_difference, 0.0);
    assert_eq!(own.se, 0.0);

    for c in &r.candidates {
        let hand = hand_costs(&s, &c.specific_label, c.aggregate_label.as_deref());
        let d = c.vs_baseline.as_ref().expect("vs_baseline is set");
        assert_eq!(d.baseline, base_label);
        let e = &c.employer_cost;
        // The reported mean and se are those of the hand-made series.
        close(e.mean, mean(&hand.cost), 1e-9, e.mean, &c.label);
        close(e.se, se(&hand.adjusted), 1e-9, e.se, &c.label);
        // mean_difference is the difference of the means ...
        let diff_of_means = e.mean - base_result.employer_cost.mean;
        close(d.mean_difference, diff_of_means, 1e-9, e.mean, &c.label);
        // ... and the mean of the per-trial differences.
        let diffs: Vec<f64> = (0..hand.cost.len())
            .map(|i| hand.cost[i] - base.cost[i])
            .collect();
        close(d.mean_difference, mean(&diffs), 1e-9, e.mean, &c.label);
        // se: the per-trial differences of the adjusted costs.
        let adjusted: Vec<f64> = (0..hand.adjusted.len())
            .map(|i| hand.adjusted[i] - base.adjusted[i])
            .collect();
        let want = se(&adjusted);
        close(d.se, want, 1e-9, want, &format!("{}: paired se", c.label));
    }
}

#[test]
fn paired_differences_of_aggregate_options_are_far_more_precise() {
    let s = study(3000, None);
    let r = run_study(&s, &|_| {});
    let base = cand(&r, "spec50 / no aggregate");
    for label in ["spec50 / agg A", "spec50 / agg B", "spec50 / agg priced"] {
        let c = cand(&r, label);
        let d = c.vs_baseline.as_ref().unwrap();
        assert!(d.se > 0.0, "{label}: paired se {}", d.se);
        // Less than half of either candidate's own se.
        assert!(
            2.0 * d.se < c.employer_cost.se && 2.0 * d.se < base.employer_cost.se,
            "{label}: paired se {} vs own {} and baseline {}",
            d.se,
            c.employer_cost.se,
            base.employer_cost.se
        );
        // The same trials: the difference is the aggregate's reimbursement
        // (less a fixed premium) and its se is that of the reimbursement.
        let agg = c.aggregate_reimbursement;
        let factor = if label.ends_with("priced") {
            // cost - P + agg / 0.8 differs from the baseline by agg (1/0.8 - 1).
            0.25
        } else {
            1.0
        };
        close(d.se, factor * agg.se, 1e-6, agg.se, label);
        close(
            d.mean_difference,
            c.aggregate_premium.mean - agg.mean,
            1e-9,
            c.employer_cost.mean,
            label,
        );
    }
    // With the priced aggregate premium, the premium's estimation error
    // offsets the reimbursement's: the honest se is a quarter of the naive one.
    let priced = cand(&r, "spec50 / agg priced");
    let naive = priced.aggregate_reimbursement.se;
    assert!(priced.vs_baseline.as_ref().unwrap().se < 0.3 * naive);
}

#[test]
fn the_config_chooses_the_baseline() {
    let default = run_study(&study(2000, None), &|_| {});
    let chosen = run_study(&study(2000, Some("spec50 / agg A")), &|_| {});
    for c in &chosen.candidates {
        let d = c.vs_baseline.as_ref().unwrap();
        assert_eq!(d.baseline, "spec50 / agg A");
        // Everything but vs_baseline is unchanged.
        let mut same = c.clone();
        same.vs_baseline = cand(&default, &c.label).vs_baseline.clone();
        assert_eq!(&same, cand(&default, &c.label));
    }
    let a = cand(&chosen, "spec50 / agg A").vs_baseline.clone().unwrap();
    assert_eq!((a.mean_difference, a.se), (0.0, 0.0));
    // Swapping the roles flips the sign and keeps the se.
    let there = cand(&default, "spec50 / agg A")
        .vs_baseline
        .clone()
        .unwrap();
    let back = cand(&chosen, "spec50 / no aggregate")
        .vs_baseline
        .clone()
        .unwrap();
    close(
        back.mean_difference,
        -there.mean_difference,
        1e-9,
        1e6,
        "sign",
    );
    close(back.se, there.se, 1e-9, there.se, "symmetric se");

    let err = stoploss::config::parse(
        &study_json(2000, Some("spec50 / agg C")),
        "paired.json",
        Path::new("."),
    )
    .unwrap_err()
    .to_string();
    for f in [
        "paired.json",
        "stop_loss.baseline",
        "no candidate is labelled `spec50 / agg C`",
        "`spec50 / no aggregate`",
        "`spec25p / agg priced`",
    ] {
        assert!(err.contains(f), "error lacks `{f}`: {err}");
    }
}
