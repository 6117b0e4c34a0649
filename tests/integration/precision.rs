//! Accuracy you can prove: paired differences against a baseline candidate,
//! recomputed by hand from the per-trial columns, and precision targets
//! (`--target-se`) that extend a run block by block to exactly the results
//! of a plain run with the final trial count.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use stoploss::config::MAX_TRIALS;
use stoploss::model::Study;
use stoploss::results::{CandidateResult, Results};
use stoploss::run::{run_study, run_study_to_target, PrecisionTarget, TargetFigure, TargetSe};
use stoploss::sim::{simulate, simulate_blocks, BLOCK_TRIALS};
use stoploss::stats::Z95;

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
    let ra = &*cols.aggregate(s).to_cow();
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

// --------------------------------------------------------- trial extension

#[test]
fn extended_columns_equal_a_longer_run() {
    let long = simulate(&study(5000, None), &|_| {});
    // From a partial block (1500 = one block and 476 trials).
    let mut cols = simulate(&study(1500, None), &|_| {});
    let done = AtomicU64::new(0);
    let simulated = cols.extend_to(&study(1500, None), 5000, &|n| {
        done.fetch_add(n, Ordering::Relaxed);
    });
    // The partial block is simulated again in full.
    assert_eq!(simulated, 5000 - BLOCK_TRIALS);
    assert_eq!(done.load(Ordering::Relaxed), simulated);
    assert_eq!(cols, long);
    // A range of blocks is that slice of the whole run.
    let b = BLOCK_TRIALS as usize;
    let middle = simulate_blocks(&study(5000, None), 2..4, 5000, &|_| {});
    assert_eq!(middle.trials(), 2 * b);
    assert_eq!(middle.gross, long.gross[2 * b..4 * b]);
    assert_eq!(middle.retained[1], long.retained[1][2 * b..4 * b]);
    // The last, partial block.
    let last = simulate_blocks(&study(5000, None), 4..5, 5000, &|_| {});
    assert_eq!(
        last.aggregate(0).to_cow()[..],
        long.aggregate(0).to_cow()[4 * b..]
    );
}

/// Results with the fields that may differ between identical runs cleared.
fn comparable(r: &Results) -> Results {
    let mut r = r.clone();
    r.meta.threads = 0;
    r.meta.elapsed_seconds = 0.0;
    r.meta.member_years_per_second = 0.0;
    r.meta.target_se = None;
    r
}

fn target(se: TargetSe, figure: TargetFigure, max_trials: Option<u64>) -> PrecisionTarget {
    PrecisionTarget {
        se,
        figure,
        max_trials,
    }
}

/// The largest mean-cost se over the candidates.
fn worst_mean_se(r: &Results) -> f64 {
    r.candidates
        .iter()
        .map(|c| c.employer_cost.se)
        .fold(0.0, f64::max)
}

#[test]
fn a_target_run_equals_a_plain_run_with_its_final_trials() {
    let initial = study(1500, None);
    // Ask for 2.5 times less error than 1,500 trials give: about 6.25 x more trials.
    let se_1500 = worst_mean_se(&run_study(&initial, &|_| {}));
    let goal = target(TargetSe::Dollars(se_1500 / 2.5), TargetFigure::Mean, None);
    let done = AtomicU64::new(0);
    let planned = AtomicU64::new(initial.trials);
    let pool = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    };
    let r = pool(1)
        .install(|| {
            run_study_to_target(
                &initial,
                &goal,
                &|n| {
                    done.fetch_add(n, Ordering::Relaxed);
                },
                &|n| {
                    planned.fetch_add(n, Ordering::Relaxed);
                },
            )
        })
        .unwrap();
    let report = r.meta.target_se.clone().expect("meta.target_se is set");
    let n = r.meta.trials;
    assert!(report.reached, "{report:?}");
    assert_eq!(report.trials, n);
    assert_eq!(report.cap, 15_000);
    assert!(n > 6 * 1500 && n < 15_000, "final trials {n}");
    assert_eq!(n % BLOCK_TRIALS, 0, "extensions add whole blocks");
    // The progress bar's length grew by exactly what was simulated.
    assert_eq!(
        done.load(Ordering::Relaxed),
        planned.load(Ordering::Relaxed)
    );
    assert!(done.load(Ordering::Relaxed) >= n);

    // Bit-identical to a plain run of n trials, whatever the thread count.
    let mut plain_study = initial.clone();
    plain_study.trials = n;
    let plain = pool(3).install(|| run_study(&plain_study, &|_| {}));
    assert_eq!(plain.meta.trials, n);
    assert!(plain.meta.target_se.is_none());
    assert_eq!(comparable(&r), comparable(&plain));
    let again = pool(3)
        .install(|| run_study_to_target(&initial, &goal, &|_| {}, &|_| {}))
        .unwrap();
    assert_eq!(
        again,
        Results {
            meta: again.meta.clone(),
            ..r.clone()
        }
    );
    assert_eq!(again.meta.target_se, r.meta.target_se);
}

#[test]
fn a_reached_target_bounds_every_candidate() {
    let initial = study(2000, None);
    let se_2000 = worst_mean_se(&run_study(&initial, &|_| {}));
    let dollars = 0.6 * se_2000;
    let r = run_study_to_target(
        &initial,
        &target(TargetSe::Dollars(dollars), TargetFigure::Mean, None),
        &|_| {},
        &|_| {},
    )
    .unwrap();
    let t = r.meta.target_se.clone().unwrap();
    assert!(t.reached);
    assert!(!t.relative);
    assert_eq!(t.relative_target, None);
    assert_eq!(t.figure, "mean");
    assert_eq!(t.target, dollars);
    assert!(t.achieved <= t.target, "{t:?}");
    assert!(r.meta.trials > 2000);
    for c in &r.candidates {
        assert!(c.employer_cost.se <= dollars, "{}", c.label);
    }
    // achieved is the worst candidate's se.
    assert_eq!(t.achieved, worst_mean_se(&r));
    assert_eq!(cand(&r, &t.candidate).employer_cost.se, t.achieved);
}

#[test]
fn an_unreachable_target_stops_at_the_cap() {
    let initial = study(2000, None);
    let r = run_study_to_target(
        &initial,
        &target(TargetSe::Dollars(1.0), TargetFigure::Mean, Some(4500)),
        &|_| {},
        &|_| {},
    )
    .unwrap();
    let t = r.meta.target_se.clone().unwrap();
    assert!(!t.reached);
    assert_eq!(t.cap, 4500);
    assert_eq!(t.trials, 4500);
    assert_eq!(r.meta.trials, 4500);
    assert!(t.achieved > t.target);
    assert_eq!(t.achieved, worst_mean_se(&r));
    // And it is the plain 4,500-trial run.
    let mut plain = initial.clone();
    plain.trials = 4500;
    assert_eq!(comparable(&r), comparable(&run_study(&plain, &|_| {})));

    // The default cap: 10 x the initial trials.
    let r = run_study_to_target(
        &study(1000, None),
        &target(TargetSe::Dollars(1.0), TargetFigure::Mean, None),
        &|_| {},
        &|_| {},
    )
    .unwrap();
    let t = r.meta.target_se.unwrap();
    assert_eq!((t.cap, t.trials, t.reached), (10_000, 10_000, false));
    assert!(t.cap <= MAX_TRIALS);
}

#[test]
fn relative_targets_and_tail_figures() {
    let initial = study(2000, None);
    // p99: se = half the 95% interval / 1.96, target 2% of each candidate's p99.
    let r = run_study_to_target(
        &initial,
        &target(TargetSe::Relative(0.02), TargetFigure::P99, Some(8000)),
        &|_| {},
        &|_| {},
    )
    .unwrap();
    let t = r.meta.target_se.clone().unwrap();
    assert!(t.relative);
    assert_eq!(t.relative_target, Some(0.02));
    let c = cand(&r, &t.candidate);
    let ci = c.employer_cost.percentiles_ci95.p99;
    assert_eq!(t.achieved, 0.5 * (ci.hi - ci.lo) / Z95);
    assert_eq!(t.target, 0.02 * c.employer_cost.percentiles.p99);
    assert_eq!(t.reached, t.achieved <= t.target);
    let ratio = |c: &CandidateResult| {
        let e = &c.employer_cost;
        let ci = e.percentiles_ci95.p99;
        0.5 * (ci.hi - ci.lo) / Z95 / (0.02 * e.percentiles.p99)
    };
    let worst = r.candidates.iter().map(ratio).fold(0.0, f64::max);
    assert_eq!(ratio(c), worst, "the reported candidate is the worst");

    // tvar99 uses tvar_se.p99.
    let r = run_study_to_target(
        &initial,
        &target(TargetSe::Dollars(1.0), TargetFigure::Tvar99, Some(3000)),
        &|_| {},
        &|_| {},
    )
    .unwrap();
    let t = r.meta.target_se.unwrap();
    assert_eq!(
        t.achieved,
        r.candidates
            .iter()
            .map(|c| c.employer_cost.tvar_se.p99)
            .fold(0.0, f64::max)
    );

    // aggregate_reimbursement leaves out candidates without an aggregate.
    let r = run_study_to_target(
        &initial,
        &target(
            TargetSe::Relative(0.0001),
            TargetFigure::AggregateReimbursement,
            Some(3000),
        ),
        &|_| {},
        &|_| {},
    )
    .unwrap();
    let t = r.meta.target_se.clone().unwrap();
    let c = cand(&r, &t.candidate);
    assert!(c.aggregate_label.is_some());
    assert_eq!(t.achieved, c.aggregate_reimbursement.se);
    assert!(!t.reached);
}

#[test]
fn aggregate_figure_without_aggregate_is_an_error() {
    let json = r#"{"name": "noagg", "trials": 1000,
 "population": {"classes": [{"name": "all", "employees": 40, "members": 60,
   "claims": [{"name": "medical", "frequency": {"poisson": {"mean": 2.0}},
               "severity": {"lognormal": {"mean": 4000, "cv": 4.0}}}]}]},
 "stop_loss": {"specific": [{"deductible": 50000, "premium_pepm": 80}]}}"#;
    let s = stoploss::config::parse(json, "noagg.json", Path::new(".")).unwrap();
    assert!(s.contract.candidates.iter().all(|c| c.aggregate.is_none()));
    let err = run_study_to_target(
        &s,
        &target(
            TargetSe::Dollars(100.0),
            TargetFigure::AggregateReimbursement,
            None,
        ),
        &|_| {},
        &|_| {},
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("aggregate_reimbursement"), "{err}");
    assert!(err.contains("no candidate has an aggregate"), "{err}");
}
