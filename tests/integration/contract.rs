//! The contract arithmetic against hand-worked numbers.
//!
//! Part 1 applies `apply_specific` / `aggregate_reimbursement` to small
//! hand-built trials. Part 2 runs whole studies whose models are degenerate
//! (every member claims a fixed amount with probability 1), so that every
//! reported figure has an exact value worked out by hand in the comments.

use crate::util::{cand, study};

use std::path::Path;

use stoploss::model::Study;

use stoploss::contract::{aggregate_reimbursement, apply_specific, AggregateCounting};
use stoploss::contract::{LargeClaimant, TrialClaims};
use stoploss::contract::{Laser, SpecificTerms};
use stoploss::results::{CandidateResult, Results};
use stoploss::run::run_study;

// ---------------------------------------------------------------- helpers

/// `a == b` up to a relative 1e-9 (absolute 1e-9 near zero).
fn assert_close(actual: f64, expected: f64, what: &str) {
    let tol = 1e-9 * expected.abs().max(1.0);
    assert!(
        (actual - expected).abs() <= tol,
        "{what}: got {actual}, expected {expected}"
    );
}

fn assert_close_opt(actual: Option<f64>, expected: Option<f64>, what: &str) {
    match (actual, expected) {
        (Some(a), Some(e)) => assert_close(a, e, what),
        (None, None) => {}
        _ => panic!("{what}: got {actual:?}, expected {expected:?}"),
    }
}

const BOTH: AggregateCounting = AggregateCounting {
    asd: true,
    laser_gap: true,
};
const NEITHER: AggregateCounting = AggregateCounting {
    asd: false,
    laser_gap: false,
};

fn terms(d: f64) -> SpecificTerms {
    SpecificTerms {
        deductible: d,
        max_reimbursement: f64::INFINITY,
        reimbursement_pct: 1.0,
        aggregating_deductible: 0.0,
    }
}

fn claimant(member: u32, specific: f64, share: f64, laser: Option<Laser>) -> LargeClaimant {
    LargeClaimant {
        member,
        specific,
        both: specific,
        aggregate_share: share,
        laser,
    }
}

/// Three members above the smallest deductible: A 120,000, B 70,000,
/// C 30,000 (below the $50k deductible), all fully aggregate-eligible.
/// Gross 400,000 of which 380,000 counts toward the aggregate.
fn trial(laser_a: Option<Laser>) -> TrialClaims {
    TrialClaims {
        gross: 400_000.0,
        aggregate_eligible: 380_000.0,
        large: vec![
            claimant(0, 120_000.0, 1.0, laser_a),
            claimant(3, 70_000.0, 1.0, None),
            claimant(7, 30_000.0, 1.0, None),
        ],
    }
}

fn run(json: &str, dir: &Path) -> Results {
    run_study(&study(json, dir), &|_: u64| {})
}

/// Checks a candidate whose every trial is the same year: the cost is
/// `retained + premiums + fees` with no spread, and every statistic of the
/// cost distribution equals it.
#[allow(clippy::too_many_arguments)]
fn check_exact(
    c: &CandidateResult,
    gross: f64,
    specific: f64,
    aggregate: f64,
    specific_premium: f64,
    aggregate_premium: f64,
    fees: f64,
) {
    let l = &c.label;
    let kept = gross - specific - aggregate;
    let cost = kept + specific_premium + aggregate_premium + fees;
    assert_close(c.gross_claims.mean, gross, &format!("{l}: gross"));
    assert_close(c.gross_claims.se, 0.0, &format!("{l}: gross se"));
    assert_close(
        c.specific_reimbursement.mean,
        specific,
        &format!("{l}: specific reimbursement"),
    );
    assert_close(
        c.aggregate_reimbursement.mean,
        aggregate,
        &format!("{l}: aggregate reimbursement"),
    );
    assert_close(c.retained_claims.mean, kept, &format!("{l}: retained"));
    assert_close(
        c.specific_premium.mean,
        specific_premium,
        &format!("{l}: specific premium"),
    );
    assert_close(
        c.aggregate_premium.mean,
        aggregate_premium,
        &format!("{l}: aggregate premium"),
    );
    assert_close(
        c.premium.mean,
        specific_premium + aggregate_premium,
        &format!("{l}: premium"),
    );
    assert_close(c.fees.mean, fees, &format!("{l}: fees"));
    let e = &c.employer_cost;
    assert_close(e.mean, cost, &format!("{l}: employer cost"));
    assert_eq!(e.sd, 0.0, "{l}: sd of a constant cost");
    assert_eq!(e.se, 0.0, "{l}: se of a constant cost");
    let p = &e.percentiles;
    for (name, v) in [
        ("p50", p.p50),
        ("p75", p.p75),
        ("p90", p.p90),
        ("p95", p.p95),
        ("p99", p.p99),
        ("p99.5", p.p99_5),
        ("tvar90", e.tvar.p90),
        ("tvar95", e.tvar.p95),
        ("tvar99", e.tvar.p99),
        ("max", e.max),
    ] {
        assert_close(v, cost, &format!("{l}: {name}"));
    }
    if c.aggregate_attachment.is_some() {
        let p = c.prob_aggregate_attaches.expect("an aggregate candidate");
        assert_eq!(
            p.mean,
            if aggregate > 0.0 { 1.0 } else { 0.0 },
            "{l}: prob attaches"
        );
        assert_eq!(p.se, 0.0, "{l}: prob attaches se");
    } else {
        assert!(c.prob_aggregate_attaches.is_none(), "{l}: no aggregate");
        assert_eq!(c.aggregate_reimbursement.mean, 0.0);
    }
}

// ------------------------------------------------ part 1: apply_specific

#[test]
fn plain_deductible() {
    let o = apply_specific(&terms(50_000.0), &trial(None), BOTH);
    // A: 70,000 over, B: 20,000 over, C under.
    assert_close(o.reimbursed, 90_000.0, "reimbursed");
    assert_close(
        o.aggregate_retained,
        380_000.0 - 90_000.0,
        "aggregate retained",
    );
    assert_eq!(o.claimants, 2);
    // The counting flags change nothing without an ASD or a laser.
    assert_eq!(apply_specific(&terms(50_000.0), &trial(None), NEITHER), o);
    // A member exactly at the deductible is not a claimant.
    let o = apply_specific(&terms(70_000.0), &trial(None), BOTH);
    assert_close(o.reimbursed, 50_000.0, "d = 70k reimbursed");
    assert_eq!(o.claimants, 1);
}

#[test]
fn reimbursement_percentage() {
    let t = SpecificTerms {
        reimbursement_pct: 0.9,
        ..terms(50_000.0)
    };
    let o = apply_specific(&t, &trial(None), BOTH);
    // 0.9 x 70,000 + 0.9 x 20,000; the 10% coinsurance stays with the
    // employer and counts toward the aggregate.
    assert_close(o.reimbursed, 81_000.0, "reimbursed");
    assert_close(o.aggregate_retained, 299_000.0, "aggregate retained");
    assert_eq!(o.claimants, 2);
}

#[test]
fn per_member_maximum() {
    let t = SpecificTerms {
        max_reimbursement: 40_000.0,
        ..terms(50_000.0)
    };
    let o = apply_specific(&t, &trial(None), BOTH);
    // A capped at 40,000, B 20,000.
    assert_close(o.reimbursed, 60_000.0, "reimbursed");
    assert_close(o.aggregate_retained, 320_000.0, "aggregate retained");
    assert_eq!(o.claimants, 2);
    // Maximum applies after the percentage: min(0.5 x 70,000, 30,000) + 0.5 x 20,000.
    let t = SpecificTerms {
        max_reimbursement: 30_000.0,
        reimbursement_pct: 0.5,
        ..terms(50_000.0)
    };
    let o = apply_specific(&t, &trial(None), BOTH);
    assert_close(o.reimbursed, 40_000.0, "pct then max");
}

#[test]
fn aggregating_specific_deductible() {
    let asd = |a: f64| SpecificTerms {
        aggregating_deductible: a,
        ..terms(50_000.0)
    };
    // Part: 90,000 reimbursable, the first 30,000 kept.
    let t = asd(30_000.0);
    let o = apply_specific(&t, &trial(None), BOTH);
    assert_close(o.reimbursed, 60_000.0, "reimbursed");
    assert_close(o.aggregate_retained, 320_000.0, "ASD counted");
    assert_eq!(o.claimants, 2);
    let o = apply_specific(&t, &trial(None), NEITHER);
    assert_close(o.reimbursed, 60_000.0, "reimbursed");
    assert_close(o.aggregate_retained, 290_000.0, "ASD not counted");
    // All: the ASD (100,000) exceeds the 90,000 reimbursable.
    let t = asd(100_000.0);
    let o = apply_specific(&t, &trial(None), BOTH);
    assert_close(o.reimbursed, 0.0, "reimbursed");
    assert_close(o.aggregate_retained, 380_000.0, "ASD counted");
    assert_eq!(o.claimants, 2, "claimants are counted before the ASD");
    let o = apply_specific(&t, &trial(None), NEITHER);
    assert_close(o.aggregate_retained, 290_000.0, "ASD not counted");
    // Exactly used up.
    let o = apply_specific(&asd(90_000.0), &trial(None), BOTH);
    assert_close(o.reimbursed, 0.0, "ASD = reimbursable");
}

#[test]
fn laser_with_a_higher_deductible() {
    let c = trial(Some(Laser::Deductible(100_000.0)));
    let o = apply_specific(&terms(50_000.0), &c, BOTH);
    // A: 120,000 - 100,000 = 20,000; B: 20,000. Gap for A: 100,000 - 50,000.
    assert_close(o.reimbursed, 40_000.0, "reimbursed");
    assert_close(o.aggregate_retained, 340_000.0, "gap counted");
    assert_eq!(o.claimants, 2);
    let o = apply_specific(&terms(50_000.0), &c, NEITHER);
    assert_close(o.reimbursed, 40_000.0, "reimbursed");
    assert_close(o.aggregate_retained, 290_000.0, "gap not counted");
    // A laser below the group deductible changes nothing: max(d, laser).
    let low = trial(Some(Laser::Deductible(40_000.0)));
    for counting in [BOTH, NEITHER] {
        let o = apply_specific(&terms(50_000.0), &low, counting);
        assert_close(o.reimbursed, 90_000.0, "low laser reimbursed");
        assert_close(o.aggregate_retained, 290_000.0, "low laser: no gap");
    }
    // The member's claims below the laser: gap = min(X, l) - d.
    let c = TrialClaims {
        gross: 100_000.0,
        aggregate_eligible: 100_000.0,
        large: vec![claimant(
            0,
            80_000.0,
            1.0,
            Some(Laser::Deductible(100_000.0)),
        )],
    };
    let o = apply_specific(&terms(50_000.0), &c, NEITHER);
    assert_close(o.reimbursed, 0.0, "under laser");
    assert_eq!(o.claimants, 0);
    assert_close(o.aggregate_retained, 70_000.0, "gap of 30,000 not counted");
    // A lasered member recorded as large (above a smaller deductible on
    // offer) but under this option's deductible has no gap.
    let c = TrialClaims {
        gross: 100_000.0,
        aggregate_eligible: 100_000.0,
        large: vec![claimant(
            0,
            40_000.0,
            1.0,
            Some(Laser::Deductible(100_000.0)),
        )],
    };
    let o = apply_specific(&terms(50_000.0), &c, NEITHER);
    assert_close(o.reimbursed, 0.0, "under d");
    assert_close(o.aggregate_retained, 100_000.0, "no gap under d");
    let c = TrialClaims {
        large: vec![claimant(0, 40_000.0, 1.0, Some(Laser::Excluded))],
        ..c
    };
    let o = apply_specific(&terms(50_000.0), &c, NEITHER);
    assert_close(o.aggregate_retained, 100_000.0, "excluded, no gap under d");
}

#[test]
fn excluded_member() {
    let c = trial(Some(Laser::Excluded));
    let o = apply_specific(&terms(50_000.0), &c, BOTH);
    // Only B is reimbursed; A's 70,000 above d is a laser gap.
    assert_close(o.reimbursed, 20_000.0, "reimbursed");
    assert_close(o.aggregate_retained, 360_000.0, "gap counted");
    assert_eq!(o.claimants, 1);
    let o = apply_specific(&terms(50_000.0), &c, NEITHER);
    assert_close(o.aggregate_retained, 290_000.0, "gap not counted");
    assert_eq!(o.claimants, 1);
}

#[test]
fn partial_aggregate_share() {
    // A's 120,000 specific claims: 90,000 also count toward the aggregate
    // (share 0.75), 30,000 are specific-only (e.g. a carved-out benefit).
    let c = |laser| TrialClaims {
        gross: 400_000.0,
        aggregate_eligible: 350_000.0,
        large: vec![
            claimant(0, 120_000.0, 0.75, laser),
            claimant(3, 70_000.0, 1.0, None),
        ],
    };
    // Reimbursed 90,000, of which 0.75 x 70,000 + 20,000 = 72,500 leaves the aggregate.
    let o = apply_specific(&terms(50_000.0), &c(None), BOTH);
    assert_close(o.reimbursed, 90_000.0, "reimbursed");
    assert_close(o.aggregate_retained, 350_000.0 - 72_500.0, "share");
    assert_eq!(o.claimants, 2);

    // ASD 30,000 kept pro rata: 30,000 x 72,500 / 90,000 of it is aggregate-eligible.
    let t = SpecificTerms {
        aggregating_deductible: 30_000.0,
        ..terms(50_000.0)
    };
    let kept_agg = 30_000.0 * 72_500.0 / 90_000.0;
    let o = apply_specific(&t, &c(None), BOTH);
    assert_close(o.reimbursed, 60_000.0, "reimbursed");
    assert_close(
        o.aggregate_retained,
        350_000.0 - (72_500.0 - kept_agg),
        "ASD counted",
    );
    let o = apply_specific(&t, &c(None), NEITHER);
    assert_close(
        o.aggregate_retained,
        350_000.0 - 72_500.0,
        "ASD not counted",
    );

    // Laser 100,000 on A: A reimbursed 20,000 (0.75 of it aggregate), the
    // gap of 50,000 is 0.75 aggregate-eligible.
    let o = apply_specific(
        &terms(50_000.0),
        &c(Some(Laser::Deductible(100_000.0))),
        BOTH,
    );
    assert_close(o.reimbursed, 40_000.0, "reimbursed");
    assert_close(o.aggregate_retained, 350_000.0 - 35_000.0, "gap counted");
    let o = apply_specific(
        &terms(50_000.0),
        &c(Some(Laser::Deductible(100_000.0))),
        NEITHER,
    );
    assert_close(
        o.aggregate_retained,
        350_000.0 - 35_000.0 - 37_500.0,
        "gap not counted",
    );
    // A member with no aggregate-eligible share at all.
    let only = TrialClaims {
        gross: 100_000.0,
        aggregate_eligible: 20_000.0,
        large: vec![claimant(1, 80_000.0, 0.0, None)],
    };
    let o = apply_specific(&terms(50_000.0), &only, BOTH);
    assert_close(o.reimbursed, 30_000.0, "reimbursed");
    assert_close(
        o.aggregate_retained,
        20_000.0,
        "nothing leaves the aggregate",
    );
}

#[test]
fn no_specific_cover() {
    for laser in [None, Some(Laser::Excluded), Some(Laser::Deductible(1e5))] {
        for counting in [BOTH, NEITHER] {
            let o = apply_specific(&SpecificTerms::NONE, &trial(laser), counting);
            assert_eq!(o.reimbursed, 0.0);
            assert_eq!(o.aggregate_retained, 380_000.0);
            assert_eq!(o.claimants, 0);
        }
    }
    let empty = TrialClaims::default();
    let o = apply_specific(&terms(50_000.0), &empty, BOTH);
    assert_eq!(
        (o.reimbursed, o.aggregate_retained, o.claimants),
        (0.0, 0.0, 0)
    );
}

#[test]
fn aggregate_reimbursement_cases() {
    let inf = f64::INFINITY;
    assert_eq!(
        aggregate_reimbursement(500_000.0, 400_000.0, inf),
        100_000.0
    );
    assert_eq!(aggregate_reimbursement(300_000.0, 400_000.0, inf), 0.0);
    assert_eq!(aggregate_reimbursement(400_000.0, 400_000.0, inf), 0.0);
    assert_eq!(
        aggregate_reimbursement(500_000.0, 400_000.0, 60_000.0),
        60_000.0
    );
    assert_eq!(
        aggregate_reimbursement(450_000.0, 400_000.0, 60_000.0),
        50_000.0
    );
    assert_eq!(aggregate_reimbursement(0.0, 400_000.0, 60_000.0), 0.0);
}

// ------------------------------------------------- part 2: exact studies

/// Ten members (6 single, 4 family employees), each claiming exactly
/// 60,000 every year. `stop_loss` and `extra` are spliced into the config.
fn ten_members(stop_loss: &str, extra: &str) -> String {
    format!(
        r#"{{
  "name": "exact", "seed": 11, "trials": 2500,
  "population": {{"classes": [
    {{"name": "all", "employees": {{"single": 6, "family": 4}}, "members": 10,
      "claims": [{{"name": "med", "frequency": {{"bernoulli": {{"p": 1.0}}}},
                   "severity": {{"empirical": {{"values": [60000]}}}}}}]}}]}},
  "stop_loss": {stop_loss},
  "fees": {{"admin_pepm": 40}}{extra}
}}"#
    )
}

// Enrollment: 6 x 12 = 72 single and 4 x 12 = 48 family employee-months,
// 120 in all. Fees 40 x 120 = 4,800. Gross 10 x 60,000 = 600,000.
const GROSS: f64 = 600_000.0;
const FEES: f64 = 4_800.0;

#[test]
fn exact_quoted_study() {
    let stop_loss = r#"{
    "specific": [{"deductible": 50000, "premium_pepm": {"single": 100, "family": 250}}],
    "aggregate": [
      {"attachment_factor": 1.2, "premium_pepm": 10},
      {"attachment_amount": 450000, "premium_pepm": 5},
      {"label": "capped", "attachment_amount": 450000, "max_reimbursement": 30000, "premium_pepm": 5},
      {"label": "floored", "attachment_amount": 100000, "min_attachment": 480000, "premium_pepm": 5},
      {"attachment_monthly": {"single": 3500, "family": 4000}, "premium_pepm": {"single": 3, "family": 6}}
    ],
    "include_no_specific": true
  }"#;
    let r = run(
        &ten_members(
            stop_loss,
            r#", "budget": 500000, "fully_insured_premium": 700000"#,
        ),
        Path::new("."),
    );

    // Population.
    assert_eq!(r.population.members, 10);
    assert_close(r.population.employees, 10.0, "employees");
    let months: Vec<_> = r
        .population
        .employee_months_by_tier
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(months, vec![("family", 48.0), ("single", 72.0)]);
    assert_close(r.population.expected_gross_claims, GROSS, "expected gross");
    assert_close(r.population.simulated_gross_claims.mean, GROSS, "sim gross");
    assert_eq!(r.population.simulated_gross_claims.se, 0.0);
    assert_close(r.population.trend_factor, 1.0, "no trend");

    // Candidate order: per specific option (no specific first), no aggregate
    // then the aggregate options in config order.
    let aggs = [
        "no aggregate",
        "agg 120%",
        "agg $450k",
        "capped",
        "floored",
        "agg monthly",
    ];
    let expected_labels: Vec<String> = ["no specific", "spec $50k"]
        .iter()
        .flat_map(|s| aggs.iter().map(move |a| format!("{s} / {a}")))
        .collect();
    let labels: Vec<_> = r.candidates.iter().map(|c| c.label.clone()).collect();
    assert_eq!(labels, expected_labels);

    // Specific option summaries.
    assert_eq!(r.specific_options.len(), 2);
    let none = &r.specific_options[0];
    assert_eq!(none.label, "no specific");
    assert_eq!(none.specific_deductible, None);
    assert_close(none.expected_aggregate_retained.mean, GROSS, "none Ra");
    assert_eq!(none.expected_specific_reimbursement.mean, 0.0);
    assert_eq!(none.annual_premium, 0.0);
    assert_eq!(none.premium_basis, "none");
    let spec = &r.specific_options[1];
    assert_eq!(spec.label, "spec $50k");
    assert_eq!(spec.specific_deductible, Some(50_000.0));
    // 10 x (60,000 - 50,000) reimbursed, 500,000 retained.
    assert_close(spec.expected_aggregate_retained.mean, 500_000.0, "spec Ra");
    assert_eq!(spec.expected_aggregate_retained.se, 0.0);
    assert_close(
        spec.expected_specific_reimbursement.mean,
        100_000.0,
        "spec reimbursement",
    );
    // 100 x 72 + 250 x 48.
    assert_close(spec.annual_premium, 19_200.0, "spec premium");
    assert_eq!(spec.premium_basis, "quoted");

    let sp = 19_200.0;
    // Aggregate premiums: 10 x 120, 5 x 120, monthly-tiered 3 x 72 + 6 x 48.
    let ap_factor = 1_200.0;
    let ap = 600.0;
    let ap_monthly = 504.0;
    // Monthly attachment 3,500 x 72 + 4,000 x 48.
    let monthly = 444_000.0;

    // --- spec $50k: retained 500,000.
    let c = cand(&r, "spec $50k / no aggregate");
    check_exact(c, GROSS, 100_000.0, 0.0, sp, 0.0, FEES);
    assert_eq!(c.specific_deductible, Some(50_000.0));
    assert_eq!(c.aggregate_attachment, None);
    assert_eq!(c.aggregate_label, None);
    assert_eq!(c.specific_label, "spec $50k");
    assert_eq!(c.max_liability, None, "no aggregate: unbounded");
    assert_close(c.expected_specific_claimants.mean, 10.0, "claimants");
    assert_eq!(c.expected_specific_claimants.se, 0.0);
    assert_eq!(c.premium_basis.specific, "quoted");
    assert_eq!(c.premium_basis.aggregate, "none");

    let c = cand(&r, "spec $50k / agg 120%");
    // 1.2 x 500,000 = 600,000 > 500,000: the aggregate never pays.
    assert_close_opt(c.aggregate_attachment, Some(600_000.0), "factor attachment");
    check_exact(c, GROSS, 100_000.0, 0.0, sp, ap_factor, FEES);
    assert_eq!(c.aggregate_label.as_deref(), Some("agg 120%"));
    assert_close_opt(
        c.max_liability,
        Some(600_000.0 + sp + ap_factor + FEES),
        "max liability",
    );

    let c = cand(&r, "spec $50k / agg $450k");
    assert_close_opt(c.aggregate_attachment, Some(450_000.0), "amount");
    check_exact(c, GROSS, 100_000.0, 50_000.0, sp, ap, FEES);
    assert_close_opt(
        c.max_liability,
        Some(450_000.0 + sp + ap + FEES),
        "max liability",
    );
    // The cost reaches the bound in every trial.
    assert_close(c.employer_cost.max, c.max_liability.unwrap(), "at bound");
    // Below the 120% NAIC floor for a group of 10 employees.
    assert!(
        c.warnings.iter().any(|w| w.contains("NAIC")),
        "{:?}",
        c.warnings
    );

    let c = cand(&r, "spec $50k / capped");
    check_exact(c, GROSS, 100_000.0, 30_000.0, sp, ap, FEES);
    assert_eq!(c.max_liability, None, "aggregate maximum: unbounded");

    let c = cand(&r, "spec $50k / floored");
    assert_close_opt(c.aggregate_attachment, Some(480_000.0), "floored");
    check_exact(c, GROSS, 100_000.0, 20_000.0, sp, ap, FEES);

    let c = cand(&r, "spec $50k / agg monthly");
    assert_close_opt(c.aggregate_attachment, Some(monthly), "monthly");
    check_exact(c, GROSS, 100_000.0, 56_000.0, sp, ap_monthly, FEES);

    // --- no specific: retained 600,000.
    let c = cand(&r, "no specific / no aggregate");
    check_exact(c, GROSS, 0.0, 0.0, 0.0, 0.0, FEES);
    assert_eq!(c.specific_deductible, None);
    assert_eq!(c.expected_specific_claimants.mean, 0.0);
    assert_eq!(c.premium_basis.specific, "none");

    let c = cand(&r, "no specific / agg 120%");
    assert_close_opt(c.aggregate_attachment, Some(720_000.0), "1.2 x 600k");
    check_exact(c, GROSS, 0.0, 0.0, 0.0, ap_factor, FEES);
    assert_close_opt(
        c.max_liability,
        Some(720_000.0 + ap_factor + FEES),
        "max liability",
    );

    let c = cand(&r, "no specific / agg $450k");
    check_exact(c, GROSS, 0.0, 150_000.0, 0.0, ap, FEES);
    let c = cand(&r, "no specific / capped");
    check_exact(c, GROSS, 0.0, 30_000.0, 0.0, ap, FEES);
    let c = cand(&r, "no specific / floored");
    check_exact(c, GROSS, 0.0, 120_000.0, 0.0, ap, FEES);
    let c = cand(&r, "no specific / agg monthly");
    check_exact(c, GROSS, 0.0, 156_000.0, 0.0, ap_monthly, FEES);

    // Budget 500,000 and fully insured 700,000: P(cost > x) is 0 or 1.
    for c in &r.candidates {
        let b = c.prob_exceeds_budget.expect("a budget is given");
        let f = c.prob_exceeds_fully_insured.expect("a premium is given");
        let cost = c.employer_cost.mean;
        assert_eq!(b.mean, f64::from(u8::from(cost > 500_000.0)), "{}", c.label);
        assert_eq!(f.mean, f64::from(u8::from(cost > 700_000.0)), "{}", c.label);
        assert_eq!(b.se, 0.0);
        // Common random numbers: one gross figure for all candidates.
        assert_eq!(c.gross_claims.mean, GROSS);
    }
    // 500,000 + 19,200 + 4,800 = 524,000 > budget; 450,000 + ... = 474,600 < budget.
    assert_eq!(
        cand(&r, "spec $50k / no aggregate")
            .prob_exceeds_budget
            .unwrap()
            .mean,
        1.0
    );
    assert_eq!(
        cand(&r, "spec $50k / agg $450k")
            .prob_exceeds_budget
            .unwrap()
            .mean,
        0.0
    );
}

#[test]
fn exact_priced_study() {
    // Every premium priced at a target loss ratio of 0.8, except one
    // specific option with its own 0.5.
    let stop_loss = r#"{
    "specific": [{"deductible": 50000},
                 {"label": "d55", "deductible": 55000, "target_loss_ratio": 0.5}],
    "aggregate": [{"attachment_amount": 450000}],
    "target_loss_ratio": 0.8,
    "include_no_aggregate": false
  }"#;
    let r = run(&ten_members(stop_loss, ""), Path::new("."));
    let labels: Vec<_> = r.candidates.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["spec $50k / agg $450k", "d55 / agg $450k"]);

    // d = 50k: specific 100,000 -> premium 125,000; aggregate 50,000 -> 62,500.
    let c = cand(&r, "spec $50k / agg $450k");
    check_exact(c, GROSS, 100_000.0, 50_000.0, 125_000.0, 62_500.0, FEES);
    assert_eq!(c.premium_basis.specific, "priced");
    assert_eq!(c.premium_basis.aggregate, "priced");
    assert_eq!(c.specific_premium.se, 0.0);
    assert_close(r.specific_options[0].annual_premium, 125_000.0, "summary");
    assert_eq!(r.specific_options[0].premium_basis, "priced");

    // d = 55k: specific 10 x 5,000 = 50,000 at 0.5 -> 100,000; retained
    // 550,000, aggregate 100,000 at 0.8 -> 125,000.
    let c = cand(&r, "d55 / agg $450k");
    check_exact(c, GROSS, 50_000.0, 100_000.0, 100_000.0, 125_000.0, FEES);
}

#[test]
fn exact_trend_and_explicit_candidates() {
    // Trend 10% for 12 months: every claim is 66,000.
    let stop_loss = r#"{
    "specific": [{"deductible": 50000, "premium_pepm": 100}],
    "aggregate": [{"attachment_factor": 1.2, "premium_pepm": 10},
                  {"attachment_amount": 450000, "premium_pepm": 5}],
    "candidates": [
      {"specific": "spec $50k", "aggregate": "agg $450k"},
      {"specific": null, "aggregate": null},
      {"aggregate": "agg 120%"}
    ]
  }"#;
    let r = run(
        &ten_members(stop_loss, r#", "trend": {"annual": 0.1, "months": 12}"#),
        Path::new("."),
    );
    let gross = 660_000.0;
    assert_close(r.population.trend_factor, 1.1, "trend factor");
    assert_close(r.population.expected_gross_claims, gross, "expected gross");
    let labels: Vec<_> = r.candidates.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "spec $50k / agg $450k",
            "no specific / no aggregate",
            "no specific / agg 120%"
        ]
    );
    let opts: Vec<_> = r
        .specific_options
        .iter()
        .map(|o| o.label.as_str())
        .collect();
    assert_eq!(opts, ["spec $50k", "no specific"]);
    // Composite premium: 100 x 120 employee-months.
    // Specific 10 x 16,000; retained 500,000 -> aggregate 50,000.
    let c = cand(&r, "spec $50k / agg $450k");
    check_exact(c, gross, 160_000.0, 50_000.0, 12_000.0, 600.0, FEES);
    let c = cand(&r, "no specific / no aggregate");
    check_exact(c, gross, 0.0, 0.0, 0.0, 0.0, FEES);
    // 1.2 x 660,000 = 792,000 > gross.
    let c = cand(&r, "no specific / agg 120%");
    assert_close_opt(c.aggregate_attachment, Some(792_000.0), "attachment");
    check_exact(c, gross, 0.0, 0.0, 0.0, 1_200.0, FEES);
}

/// A census of five members who each claim 100,000 (class `big`) and one
/// part-year employee who never claims (class `zero`):
///
/// | member | employee | tier   | months | laser        |
/// |--------|----------|--------|--------|--------------|
/// | M1     | E1       | single | 12     |              |
/// | M2     | E2       | family | 12     | 80,000       |
/// | M3     | E2       | family | 12     | excluded (*) |
/// | M4     | E3       | single | 12     |              |
/// | M5     | E4       | single | 12     |              |
/// | P1     | E5       | single | 6      |              |
///
/// (*) when `exclude` is set.
fn census_study(dir: &Path, asd_counts: bool, gap_counts: bool, exclude: bool) -> Study {
    std::fs::write(
        dir.join("census.csv"),
        "member_id,employee_id,class,tier,months\n\
         M1,E1,big,single,12\n\
         M2,E2,big,family,12\n\
         M3,E2,big,family,12\n\
         M4,E3,big,single,12\n\
         M5,E4,big,single,12\n\
         P1,E5,zero,single,6\n",
    )
    .unwrap();
    let excluded = if exclude {
        r#", {"member_id": "M3", "excluded": true}"#
    } else {
        ""
    };
    let json = format!(
        r#"{{
  "name": "census", "seed": 3, "trials": 1500,
  "population": {{"census": "census.csv", "classes": [
    {{"name": "big", "claims": [{{"name": "med", "frequency": {{"bernoulli": {{"p": 1}}}},
                                 "severity": {{"empirical": {{"values": [100000]}}}}}}]}},
    {{"name": "zero", "claims": [{{"name": "med", "frequency": {{"poisson": {{"mean": 0}}}},
                                  "severity": {{"empirical": {{"values": [100000]}}}}}}]}}]}},
  "stop_loss": {{
    "specific": [
      {{"deductible": 50000, "premium_pepm": {{"single": 100, "family": 300}}}},
      {{"deductible": 50000, "aggregating_deductible": 60000, "premium_pepm": {{"single": 100, "family": 300}}}},
      {{"deductible": 90000, "premium_pepm": {{"single": 100, "family": 300}}}}
    ],
    "aggregate": [
      {{"attachment_monthly": {{"single": 4000, "family": 8000}}, "min_attachment_pct": 0.95, "premium_pepm": 5}},
      {{"attachment_amount": 300000, "premium_pepm": 5}}
    ],
    "lasers": [{{"member_id": "M2", "deductible": 80000}}{excluded}],
    "asd_counts_toward_aggregate": {asd_counts},
    "laser_gap_counts_toward_aggregate": {gap_counts}
  }},
  "fees": {{"admin_pepm": 40}}
}}"#
    );
    study(&json, dir)
}

#[test]
fn census_lasers_and_part_year_enrollment() {
    let dir = tempfile::tempdir().unwrap();
    // Employee-months: single E1, E3, E4 x 12 + E5 x 6 = 42; family E2 x 12 = 12.
    // Specific premium 100 x 42 + 300 x 12 = 7,800; aggregate 5 x 54 = 270;
    // fees 40 x 54 = 2,160.
    let (sp, ap, fees) = (7_800.0, 270.0, 2_160.0);
    // Monthly attachment 4,000 x 42 + 8,000 x 12 = 264,000; its full-year
    // version (4 single and 1 family employee all year) 4,000 x 48 + 8,000 x 12
    // = 288,000, and 95% of that, 273,600, is the floor that applies.
    let monthly = 273_600.0;
    let gross = 500_000.0;

    for asd_counts in [true, false] {
        for gap_counts in [true, false] {
            let s = census_study(dir.path(), asd_counts, gap_counts, true);
            let r = run_study(&s, &|_: u64| {});
            let ctx = format!("asd {asd_counts}, gap {gap_counts}");
            assert_eq!(r.population.members, 6);
            assert_close(r.population.employees, 4.5, "employees");
            let months: Vec<_> = r
                .population
                .employee_months_by_tier
                .iter()
                .map(|(k, v)| (k.as_str(), *v))
                .collect();
            assert_eq!(months, vec![("family", 12.0), ("single", 42.0)]);
            assert_close(r.population.expected_gross_claims, gross, "expected gross");

            // d = 50k: M1, M4, M5 50,000 each, M2 100,000 - 80,000, M3 none:
            // 170,000 reimbursed, 4 claimants. Laser gaps: M2 30,000, M3 50,000.
            // With ASD 60,000: 110,000 reimbursed.
            // d = 90k: M2's laser is below d, so 4 x 10,000; gap M3 10,000.
            let gap50 = if gap_counts { 0.0 } else { 80_000.0 };
            let gap90 = if gap_counts { 0.0 } else { 10_000.0 };
            let asd = if asd_counts { 0.0 } else { 60_000.0 };
            let options = [
                ("spec $50k", 170_000.0, gross - 170_000.0 - gap50, 4.0),
                (
                    "spec $50k + ASD $60k",
                    110_000.0,
                    gross - 110_000.0 - asd - gap50,
                    4.0,
                ),
                ("spec $90k", 40_000.0, gross - 40_000.0 - gap90, 4.0),
            ];
            for (i, (label, reimb, ra, claimants)) in options.into_iter().enumerate() {
                let o = &r.specific_options[i];
                assert_eq!(o.label, label);
                assert_close(o.expected_specific_reimbursement.mean, reimb, &ctx);
                assert_close(o.expected_aggregate_retained.mean, ra, &ctx);
                assert_close(o.annual_premium, sp, &ctx);

                let c = cand(&r, &format!("{label} / no aggregate"));
                check_exact(c, gross, reimb, 0.0, sp, 0.0, fees);
                assert_close(c.expected_specific_claimants.mean, claimants, &ctx);

                let c = cand(&r, &format!("{label} / agg monthly"));
                assert_close_opt(c.aggregate_attachment, Some(monthly), &ctx);
                let agg = (ra - monthly).max(0.0);
                check_exact(c, gross, reimb, agg, sp, ap, fees);

                let c = cand(&r, &format!("{label} / agg $300k"));
                let agg = (ra - 300_000.0).max(0.0);
                check_exact(c, gross, reimb, agg, sp, ap, fees);
                // All claims count toward the aggregate and it has no maximum,
                // but an excluded member's claims above d do not count when
                // laser gaps are kept out of it: then nothing bounds the cost.
                let bound = if gap_counts {
                    let asd_extra = if !asd_counts && i == 1 { 60_000.0 } else { 0.0 };
                    Some(300_000.0 + sp + ap + fees + asd_extra)
                } else {
                    None
                };
                assert_close_opt(c.max_liability, bound, &format!("{ctx}: {label}"));
                if let Some(b) = bound {
                    assert!(c.employer_cost.max <= b + 1e-6);
                }
            }
        }
    }
}

#[test]
fn max_liability_with_laser_gaps_outside_the_aggregate() {
    // Only M2 lasered (80,000); neither the ASD nor laser gaps count.
    let dir = tempfile::tempdir().unwrap();
    let s = census_study(dir.path(), false, false, false);
    let r = run_study(&s, &|_: u64| {});
    let (sp, ap, fees) = (7_800.0, 270.0, 2_160.0);
    // d = 50k: + (80,000 - 50,000) gap; the ASD option also + 60,000;
    // d = 90k: the laser is below d, no gap.
    let extra = [
        ("spec $50k", 30_000.0),
        ("spec $50k + ASD $60k", 90_000.0),
        ("spec $90k", 0.0),
    ];
    for (label, extra) in extra {
        let c = cand(&r, &format!("{label} / agg $300k"));
        assert_close_opt(
            c.max_liability,
            Some(300_000.0 + sp + ap + fees + extra),
            label,
        );
        assert!(c.employer_cost.max <= c.max_liability.unwrap());
    }
    // d = 50k: M1, M3, M4, M5 50,000 + M2 20,000 = 220,000 reimbursed;
    // aggregate-eligible 280,000 - 30,000 gap = 250,000 < 300,000.
    let c = cand(&r, "spec $50k / agg $300k");
    check_exact(c, 500_000.0, 220_000.0, 0.0, sp, ap, fees);
    assert_close(c.expected_specific_claimants.mean, 5.0, "claimants");
    // ASD: 160,000 reimbursed; 340,000 retained, 340,000 - 60,000 - 30,000 counts.
    let c = cand(&r, "spec $50k + ASD $60k / agg $300k");
    check_exact(c, 500_000.0, 160_000.0, 0.0, sp, ap, fees);
    // d = 90k: 5 x 10,000; M2's laser 80,000 < 90,000 leaves no gap.
    let c = cand(&r, "spec $90k / agg monthly");
    check_exact(c, 500_000.0, 50_000.0, 450_000.0 - 273_600.0, sp, ap, fees);
}

#[test]
fn max_liability_is_none_when_claims_fall_outside_the_aggregate() {
    // A dental component outside the aggregate: the bound is gone.
    let stop_loss = r#"{
    "specific": [{"deductible": 50000, "premium_pepm": 100}],
    "aggregate": [{"attachment_amount": 450000, "premium_pepm": 5}]
  }"#;
    let json = ten_members(stop_loss, "").replace(
        r#""severity": {"empirical": {"values": [60000]}}}]"#,
        r#""severity": {"empirical": {"values": [60000]}}},
            {"name": "dental", "specific": false, "aggregate": false,
             "frequency": {"bernoulli": {"p": 1}}, "severity": {"empirical": {"values": [500]}}}]"#,
    );
    assert!(
        json.contains("dental"),
        "the dental component was spliced in"
    );
    let r = run(&json, Path::new("."));
    // Gross 10 x 60,500; specific 100,000; retained 505,000 of which 500,000
    // counts: aggregate pays 50,000; employer keeps 455,000.
    let c = cand(&r, "spec $50k / agg $450k");
    check_exact(c, 605_000.0, 100_000.0, 50_000.0, 12_000.0, 600.0, FEES);
    assert_eq!(c.max_liability, None);
    assert_close(
        r.specific_options[0].expected_aggregate_retained.mean,
        500_000.0,
        "Ra",
    );
}

#[test]
fn include_no_aggregate_false_and_label_rules() {
    let stop_loss = r#"{
    "specific": [{"deductible": 50000, "premium_pepm": 100},
                 {"deductible": 1500000, "premium_pepm": 100}],
    "aggregate": [{"attachment_factor": 1.25, "premium_pepm": 5}],
    "include_no_aggregate": false
  }"#;
    let r = run(&ten_members(stop_loss, ""), Path::new("."));
    let labels: Vec<_> = r.candidates.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["spec $50k / agg 125%", "spec $1.5M / agg 125%"]);
    // d = 1.5M: nothing reimbursed, attachment 1.25 x 600,000 = 750,000.
    let c = cand(&r, "spec $1.5M / agg 125%");
    assert_close_opt(c.aggregate_attachment, Some(750_000.0), "attachment");
    check_exact(c, GROSS, 0.0, 0.0, 12_000.0, 600.0, FEES);
    assert_eq!(c.expected_specific_claimants.mean, 0.0);
    let c = cand(&r, "spec $50k / agg 125%");
    assert_close_opt(c.aggregate_attachment, Some(625_000.0), "attachment");
}

#[test]
fn components_counting_toward_one_cover_only() {
    // Per member and year: medical 60,000 (specific and aggregate), a
    // carve-out 20,000 (specific only), pharmacy 5,000 (aggregate only),
    // dental 500 (neither). Gross 85,500; specific-eligible 80,000 of which
    // a share 0.75 also counts toward the aggregate; aggregate-eligible 65,000.
    let comp = |name: &str, amount: u32, specific: bool, aggregate: bool| {
        format!(
            r#"{{"name": "{name}", "specific": {specific}, "aggregate": {aggregate},
                "frequency": {{"bernoulli": {{"p": 1}}}},
                "severity": {{"empirical": {{"values": [{amount}]}}}}}}"#
        )
    };
    let claims = [
        comp("medical", 60_000, true, true),
        comp("carve_out", 20_000, true, false),
        comp("pharmacy", 5_000, false, true),
        comp("dental", 500, false, false),
    ]
    .join(", ");
    let json = format!(
        r#"{{
  "name": "components", "trials": 1200,
  "population": {{"classes": [{{"name": "all", "employees": 10, "claims": [{claims}]}}]}},
  "stop_loss": {{
    "specific": [{{"deductible": 50000, "premium_pepm": 100}},
                 {{"deductible": 50000, "aggregating_deductible": 100000, "premium_pepm": 90}}],
    "aggregate": [{{"attachment_amount": 400000, "premium_pepm": 5}}],
    "include_no_specific": true,
    "asd_counts_toward_aggregate": {{ASD}}
  }},
  "fees": {{"admin_pepm": 40}}
}}"#
    );
    let (sp, sp_asd, ap) = (12_000.0, 10_800.0, 600.0);
    for asd_counts in [true, false] {
        let r = run(
            &json.replace("{ASD}", &asd_counts.to_string()),
            Path::new("."),
        );
        assert_close(r.population.expected_gross_claims, 855_000.0, "gross");
        // No specific: everything retained, 650,000 counts: aggregate 250,000.
        let c = cand(&r, "no specific / agg $400k");
        check_exact(c, 855_000.0, 0.0, 250_000.0, 0.0, ap, FEES);
        assert_eq!(c.max_liability, None, "dental and carve-out are outside");
        // d = 50k: 30,000 per member reimbursed (300,000), of which 0.75
        // left the aggregate: 650,000 - 225,000 = 425,000 counts.
        let o = &r.specific_options[1];
        assert_close(o.expected_aggregate_retained.mean, 425_000.0, "Ra");
        let c = cand(&r, "spec $50k / agg $400k");
        check_exact(c, 855_000.0, 300_000.0, 25_000.0, sp, ap, FEES);
        // ASD 100,000: 200,000 reimbursed; the kept 100,000 is 0.75
        // aggregate-eligible, counted or not.
        let ra = if asd_counts { 500_000.0 } else { 425_000.0 };
        let o = &r.specific_options[2];
        assert_close(o.expected_aggregate_retained.mean, ra, "Ra with ASD");
        let c = cand(&r, "spec $50k + ASD $100k / agg $400k");
        check_exact(c, 855_000.0, 200_000.0, ra - 400_000.0, sp_asd, ap, FEES);
        assert_close(c.expected_specific_claimants.mean, 10.0, "claimants");
    }
}
