//! Properties of the contract arithmetic on random inputs (proptest).
//!
//! Part 1 draws random plan years (members' specific-eligible claims, the
//! share of each that counts toward the aggregate, lasers, claims outside
//! the specific cover) and random contract terms, and checks
//! `apply_specific` and `aggregate_reimbursement` against the README's
//! formula computed independently here, and against the properties any
//! stop-loss contract must have:
//!
//! - reimbursements are never negative, and never exceed the excess;
//! - gross claims = claims kept + specific + aggregate reimbursements;
//! - for fixed claims, premiums and attachment, the employer's cost never
//!   falls when the specific deductible rises;
//! - an aggregate without a maximum caps the retained claims it counts at
//!   the attachment;
//! - a laser (a higher deductible, or an exclusion) only raises retention.
//!
//! Part 2 runs whole small studies with random models and terms
//! (`config::parse` + `run_study`, a few hundred trials) and checks the same
//! identities on the reported figures.
//!
//! `PROPTEST_CASES=N` runs more cases (each target's default is sized for CI).

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngSeed};
use serde_json::json;
use stoploss::contract::{aggregate_reimbursement, apply_specific, AggregateCounting};
use stoploss::contract::{LargeClaimant, TrialClaims};
use stoploss::contract::{Laser, SpecificTerms};
use stoploss::results::Results;

/// `default_cases` unless `PROPTEST_CASES` is set; a fixed seed unless
/// `PROPTEST_RNG_SEED` is set; no regression files in the source tree.
fn config(default_cases: u32) -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = default_cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        c.rng_seed = RngSeed::Fixed(6);
    }
    c.failure_persistence = None;
    c
}

/// Room for floating-point rounding in sums of up to a few dozen amounts
/// of up to a few million dollars.
fn tol(scale: f64) -> f64 {
    1e-9 * scale.abs().max(1.0)
}

// ---------------------------------------------------------------------------
// Part 1: one plan year
// ---------------------------------------------------------------------------

/// A member of a random plan year, before the trial is assembled.
#[derive(Debug, Clone)]
struct Member {
    /// Claims that count toward the specific stop-loss.
    specific: f64,
    /// Share of them that also counts toward the aggregate.
    share: f64,
    laser: Option<Laser>,
}

/// Amounts with a mass at round figures near typical deductibles, so that
/// ties (claims exactly at a deductible) are drawn too.
fn amount() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        (0u32..40).prop_map(|k| f64::from(k) * 25_000.0),
        0.0..2_000_000.0f64,
        (0.0..1.0f64).prop_map(|u| 1e3 * (1.0 - u).powf(-1.0 / 1.2)),
    ]
}

fn laser() -> impl Strategy<Value = Option<Laser>> {
    prop_oneof![
        4 => Just(None),
        1 => Just(Some(Laser::Excluded)),
        2 => amount().prop_map(|l| Some(Laser::Deductible(l + 1.0))),
    ]
}

fn member() -> impl Strategy<Value = Member> {
    let share = prop_oneof![Just(1.0), Just(0.0), 0.0..=1.0f64];
    (amount(), share, laser()).prop_map(|(specific, share, laser)| Member {
        specific,
        share,
        laser,
    })
}

/// A random plan year: members plus claims that count toward the aggregate
/// only and claims outside both covers.
#[derive(Debug, Clone)]
struct Year {
    members: Vec<Member>,
    aggregate_only: f64,
    outside: f64,
}

fn year() -> impl Strategy<Value = Year> {
    (
        prop::collection::vec(member(), 1..25),
        prop_oneof![Just(0.0), 0.0..500_000.0f64],
        prop_oneof![Just(0.0), 0.0..500_000.0f64],
    )
        .prop_map(|(members, aggregate_only, outside)| Year {
            members,
            aggregate_only,
            outside,
        })
}

impl Year {
    /// The trial as the kernel summarises it: members above `threshold`
    /// (the smallest deductible on offer) are listed.
    fn claims(&self, threshold: f64) -> TrialClaims {
        let specific: f64 = self.members.iter().map(|m| m.specific).sum();
        let aggregate: f64 = self.members.iter().map(|m| m.specific * m.share).sum();
        TrialClaims {
            gross: specific + self.aggregate_only + self.outside,
            aggregate_eligible: aggregate + self.aggregate_only,
            large: self
                .members
                .iter()
                .enumerate()
                .filter(|(_, m)| m.specific > threshold)
                .map(|(i, m)| LargeClaimant {
                    member: i as u32,
                    specific: m.specific,
                    both: m.specific,
                    aggregate_share: m.share,
                    laser: m.laser,
                })
                .collect(),
        }
    }

    fn without_lasers(&self) -> Year {
        let mut y = self.clone();
        for m in &mut y.members {
            m.laser = None;
        }
        y
    }
}

fn terms() -> impl Strategy<Value = SpecificTerms> {
    (
        1_000.0..500_000.0f64,
        prop_oneof![Just(f64::INFINITY), 1_000.0..1_000_000.0f64],
        prop_oneof![Just(1.0), 0.05..=1.0f64],
        prop_oneof![Just(0.0), 0.0..300_000.0f64],
    )
        .prop_map(|(d, max, pct, asd)| SpecificTerms {
            deductible: d,
            max_reimbursement: max,
            reimbursement_pct: pct,
            aggregating_deductible: asd,
        })
}

fn counting() -> impl Strategy<Value = AggregateCounting> {
    (any::<bool>(), any::<bool>()).prop_map(|(asd, laser_gap)| AggregateCounting { asd, laser_gap })
}

const BOTH: AggregateCounting = AggregateCounting {
    asd: true,
    laser_gap: true,
};

/// The README's formula, member by member, written independently of
/// `apply_specific`: (specific reimbursed, aggregate-eligible retained,
/// claimants).
fn reference(t: &SpecificTerms, y: &Year, c: AggregateCounting) -> (f64, f64, u32) {
    let mut reimbursable = Vec::new();
    let mut claimants = 0;
    let mut gaps = 0.0;
    for m in &y.members {
        let own = match m.laser {
            None => t.deductible,
            Some(Laser::Deductible(l)) => t.deductible.max(l),
            Some(Laser::Excluded) => f64::INFINITY,
        };
        let excess = (m.specific - own).max(0.0);
        if excess > 0.0 {
            claimants += 1;
        }
        reimbursable.push((t.reimbursement_pct * excess).min(t.max_reimbursement));
        // Claims between the group deductible and the member's own.
        gaps += m.share * (m.specific.min(own) - m.specific.min(t.deductible));
    }
    let total: f64 = reimbursable.iter().sum();
    let kept = total.min(t.aggregating_deductible);
    let reimbursed = total - kept;
    let to_aggregate: f64 = y
        .members
        .iter()
        .zip(&reimbursable)
        .map(|(m, r)| m.share * r)
        .sum();
    // The part of the paid and of the ASD-kept dollars that would have
    // counted toward the aggregate, pro rata to each member's reimbursable.
    let (paid_share, kept_share) = if total > 0.0 {
        (
            to_aggregate * reimbursed / total,
            to_aggregate * kept / total,
        )
    } else {
        (0.0, 0.0)
    };
    let eligible: f64 =
        y.members.iter().map(|m| m.specific * m.share).sum::<f64>() + y.aggregate_only;
    let mut retained = eligible - paid_share;
    if !c.asd {
        retained -= kept_share;
    }
    if !c.laser_gap {
        retained -= gaps;
    }
    (reimbursed, retained.max(0.0), claimants)
}

/// The employer's claims after both covers in a plan year: gross less the
/// specific and aggregate reimbursements, with a fixed attachment.
fn kept(t: &SpecificTerms, y: &Year, c: AggregateCounting, attachment: f64, max: f64) -> f64 {
    let claims = y.claims(t.deductible);
    let o = apply_specific(t, &claims, c);
    let agg = aggregate_reimbursement(o.aggregate_retained, attachment, max);
    claims.gross - o.reimbursed - agg
}

proptest! {
    #![proptest_config(config(4_000))]

    /// `apply_specific` is the README's formula, for every counting rule.
    #[test]
    fn specific_matches_the_formula(t in terms(), y in year(), c in counting()) {
        let claims = y.claims(t.deductible);
        let o = apply_specific(&t, &claims, c);
        let (reimbursed, retained, claimants) = reference(&t, &y, c);
        prop_assert!((o.reimbursed - reimbursed).abs() <= tol(claims.gross), "{o:?} vs {reimbursed}");
        prop_assert!(
            (o.aggregate_retained - retained).abs() <= tol(claims.gross),
            "{o:?} vs {retained}"
        );
        prop_assert_eq!(o.claimants, claimants);
    }

    /// Reimbursements are never negative and never exceed what the terms
    /// allow; the employer keeps between nothing and the gross.
    #[test]
    fn reimbursements_are_bounded(
        t in terms(),
        y in year(),
        c in counting(),
        attachment in 0.0..3_000_000.0f64,
        max in prop_oneof![Just(f64::INFINITY), 0.0..2_000_000.0f64],
    ) {
        let claims = y.claims(t.deductible);
        let o = apply_specific(&t, &claims, c);
        prop_assert!(o.reimbursed >= 0.0);
        prop_assert!(o.aggregate_retained >= 0.0);
        // At most the excess over the group deductible, at most the
        // maximum per claimant.
        let excess: f64 = y.members.iter().map(|m| (m.specific - t.deductible).max(0.0)).sum();
        prop_assert!(o.reimbursed <= excess + tol(excess));
        if o.claimants == 0 {
            prop_assert_eq!(o.reimbursed, 0.0);
        } else {
            let cap = f64::from(o.claimants) * t.max_reimbursement;
            prop_assert!(o.reimbursed <= cap + tol(cap));
        }
        let agg = aggregate_reimbursement(o.aggregate_retained, attachment, max);
        prop_assert!(agg >= 0.0 && agg <= max);
        prop_assert!(agg <= (o.aggregate_retained - attachment).max(0.0));
        let kept = claims.gross - o.reimbursed - agg;
        prop_assert!(kept >= -tol(claims.gross), "kept {kept}");
        prop_assert!(kept <= claims.gross);
    }

    /// Gross claims split exactly into claims kept, specific and aggregate
    /// reimbursements; claims outside both covers stay with the employer.
    #[test]
    fn gross_is_kept_plus_reimbursements(
        t in terms(),
        y in year(),
        c in counting(),
        attachment in 0.0..3_000_000.0f64,
    ) {
        let claims = y.claims(t.deductible);
        let o = apply_specific(&t, &claims, c);
        let agg = aggregate_reimbursement(o.aggregate_retained, attachment, f64::INFINITY);
        let kept = kept(&t, &y, c, attachment, f64::INFINITY);
        prop_assert!((kept + o.reimbursed + agg - claims.gross).abs() <= tol(claims.gross));
        // What neither cover counts is never reimbursed.
        prop_assert!(kept + tol(claims.gross) >= y.outside);
    }

    /// For fixed claims, premiums and attachment, a higher specific
    /// deductible never lowers the employer's cost (with ASD dollars and
    /// laser gaps counting toward the aggregate: see
    /// `cost_can_fall_with_the_deductible_when_laser_gaps_do_not_count`).
    #[test]
    fn cost_never_falls_as_the_deductible_rises(
        t in terms(),
        higher in 0.0..500_000.0f64,
        y in year(),
        attachment in 0.0..3_000_000.0f64,
        max in prop_oneof![Just(f64::INFINITY), 0.0..2_000_000.0f64],
    ) {
        let t2 = SpecificTerms { deductible: t.deductible + higher, ..t };
        let low = kept(&t, &y, BOTH, attachment, max);
        let high = kept(&t2, &y, BOTH, attachment, max);
        prop_assert!(high + tol(low) >= low, "d {} -> {}: {low} -> {high}", t.deductible, t2.deductible);
    }

    /// An aggregate without a maximum caps what it counts at the
    /// attachment; when every claim counts toward it, it caps the claims
    /// the employer keeps.
    #[test]
    fn aggregate_without_maximum_caps_retention(
        t in terms(),
        y in year(),
        c in counting(),
        attachment in 0.0..3_000_000.0f64,
    ) {
        let claims = y.claims(t.deductible);
        let o = apply_specific(&t, &claims, c);
        let agg = aggregate_reimbursement(o.aggregate_retained, attachment, f64::INFINITY);
        prop_assert!(o.aggregate_retained - agg <= attachment + tol(attachment));
        // Everything counting toward the aggregate.
        let mut all = y.clone();
        all.outside = 0.0;
        for m in &mut all.members {
            m.share = 1.0;
        }
        let kept = kept(&t, &all, BOTH, attachment, f64::INFINITY);
        prop_assert!(kept <= attachment + tol(attachment), "kept {kept} over {attachment}");
    }

    /// A laser only raises the employer's retention: less is reimbursed,
    /// no more members claim, and (with laser gaps counting toward the
    /// aggregate) the cost after the aggregate never falls.
    #[test]
    fn lasers_only_raise_retention(
        t in terms(),
        y in year(),
        c in counting(),
        attachment in 0.0..3_000_000.0f64,
        max in prop_oneof![Just(f64::INFINITY), 0.0..2_000_000.0f64],
    ) {
        let plain = y.without_lasers();
        let with = apply_specific(&t, &y.claims(t.deductible), c);
        let without = apply_specific(&t, &plain.claims(t.deductible), c);
        prop_assert!(with.reimbursed <= without.reimbursed + tol(without.reimbursed));
        prop_assert!(with.claimants <= without.claimants);
        let lasered = kept(&t, &y, BOTH, attachment, max);
        let unlasered = kept(&t, &plain, BOTH, attachment, max);
        prop_assert!(lasered + tol(lasered) >= unlasered, "{unlasered} -> {lasered}");
    }
}

/// Why the deductible property assumes laser gaps count toward the
/// aggregate: when they do not, raising the group deductible shrinks the
/// gap kept out of the aggregate, the aggregate pays more, and the cost
/// falls. A contract effect, worked by hand.
#[test]
fn cost_can_fall_with_the_deductible_when_laser_gaps_do_not_count() {
    let y = Year {
        members: vec![Member {
            specific: 200_000.0,
            share: 1.0,
            laser: Some(Laser::Deductible(200_000.0)),
        }],
        aggregate_only: 0.0,
        outside: 0.0,
    };
    let no_gap = AggregateCounting {
        asd: true,
        laser_gap: false,
    };
    let t = |d: f64| SpecificTerms {
        deductible: d,
        max_reimbursement: f64::INFINITY,
        reimbursement_pct: 1.0,
        aggregating_deductible: 0.0,
    };
    // d = 50k: the member keeps 200k (its laser); the gap 50k-200k (150k)
    // is kept out of the aggregate, which counts 50k: below the 60k
    // attachment, so the employer keeps 200k. d = 100k: the gap is 100k,
    // the aggregate counts 100k and pays 40k: the employer keeps 160k.
    assert_eq!(
        kept(&t(50_000.0), &y, no_gap, 60_000.0, f64::INFINITY),
        200_000.0
    );
    assert_eq!(
        kept(&t(100_000.0), &y, no_gap, 60_000.0, f64::INFINITY),
        160_000.0
    );
    // Counting the gap, both keep the 60k attachment.
    assert_eq!(
        kept(&t(50_000.0), &y, BOTH, 60_000.0, f64::INFINITY),
        60_000.0
    );
    assert_eq!(
        kept(&t(100_000.0), &y, BOTH, 60_000.0, f64::INFINITY),
        60_000.0
    );
}

// ---------------------------------------------------------------------------
// Part 2: whole studies
// ---------------------------------------------------------------------------

/// A random small study: one class, one or two claim components (the
/// second possibly outside the specific or the aggregate cover), two to
/// four specific deductibles with the same premium, and a fixed aggregate
/// attachment without a maximum.
#[derive(Debug, Clone)]
struct SmallStudy {
    members: u32,
    frequency: f64,
    mean: f64,
    cv: f64,
    pareto_alpha: Option<f64>,
    second: Option<(f64, bool, bool)>,
    deductibles: Vec<f64>,
    attachment: f64,
    seed: u64,
}

fn small_study() -> impl Strategy<Value = SmallStudy> {
    (
        1u32..20,
        0.2..4.0f64,
        1_000.0..40_000.0f64,
        0.5..4.0f64,
        prop::option::of(1.2..4.0f64),
        prop::option::of((0.1..3.0f64, any::<bool>(), any::<bool>())),
        prop::collection::btree_set(1u32..40, 2..5),
        10_000.0..1_000_000.0f64,
        any::<u64>(),
    )
        .prop_map(
            |(members, frequency, mean, cv, pareto_alpha, second, ds, attachment, seed)| {
                SmallStudy {
                    members,
                    frequency,
                    mean,
                    cv,
                    pareto_alpha,
                    second,
                    deductibles: ds.into_iter().map(|k| f64::from(k) * 5_000.0).collect(),
                    attachment,
                    seed,
                }
            },
        )
}

impl SmallStudy {
    fn json(&self) -> String {
        let severity = match self.pareto_alpha {
            None => json!({"lognormal": {"mean": self.mean, "cv": self.cv}}),
            Some(alpha) => json!({"pareto": {"alpha": alpha, "theta": self.mean * (alpha - 1.0)}}),
        };
        let mut claims = vec![json!({"name": "medical",
            "frequency": {"poisson": {"mean": self.frequency}},
            "severity": severity})];
        if let Some((f, specific, aggregate)) = self.second {
            claims.push(
                json!({"name": "other", "specific": specific, "aggregate": aggregate,
                "frequency": {"poisson": {"mean": f}},
                "severity": {"gamma": {"mean": 2000, "cv": 2}}}),
            );
        }
        let specific: Vec<_> = self
            .deductibles
            .iter()
            .map(|d| json!({"deductible": d, "premium_pepm": 100}))
            .collect();
        json!({
            "name": "prop",
            "seed": self.seed,
            "trials": 300,
            "population": {"classes": [{"name": "all", "employees": self.members, "claims": claims}]},
            "stop_loss": {
                "specific": specific,
                "aggregate": [{"attachment_amount": self.attachment, "premium_pepm": 10}]
            },
            "fees": {"admin_pepm": 30}
        })
        .to_string()
    }

    fn run(&self) -> Results {
        let study = stoploss::config::parse(&self.json(), "prop.json", std::path::Path::new("."))
            .unwrap_or_else(|e| panic!("{e}\n{}", self.json()));
        stoploss::run::run_study(&study, &|_| {})
    }
}

proptest! {
    #![proptest_config(config(300))]

    /// Reported figures: reimbursements non-negative; gross = retained +
    /// specific + aggregate for every candidate; with the same premiums and
    /// attachment, every cost figure (mean, percentiles, max) is
    /// non-decreasing in the specific deductible, since the trials are
    /// common and each trial's cost is; without an aggregate maximum and
    /// with every claim counting toward it, no trial's cost exceeds the
    /// maximum liability.
    #[test]
    fn study_figures_keep_the_contract_identities(s in small_study()) {
        let r = s.run();
        let everything_counts = s.second.is_none_or(|(_, _, aggregate)| aggregate);
        let mut previous: [Option<Vec<f64>>; 2] = [None, None];
        for (i, c) in r.candidates.iter().enumerate() {
            let l = &c.label;
            prop_assert!(c.specific_reimbursement.mean >= 0.0, "{l}");
            prop_assert!(c.aggregate_reimbursement.mean >= 0.0, "{l}");
            let parts = c.retained_claims.mean + c.specific_reimbursement.mean + c.aggregate_reimbursement.mean;
            prop_assert!(
                (parts - c.gross_claims.mean).abs() <= 1e-9 * c.gross_claims.mean.max(1.0),
                "{l}: {parts} vs {}", c.gross_claims.mean
            );
            let e = &c.employer_cost;
            let p = &e.percentiles;
            let figures = vec![e.mean, p.p50, p.p75, p.p90, p.p95, p.p99, p.p99_5, e.max];
            // Candidates come as (d1, none), (d1, agg), (d2, none), ...
            let slot = i % 2;
            if let Some(before) = &previous[slot] {
                for (a, b) in before.iter().zip(&figures) {
                    prop_assert!(b + 1e-9 * a.abs().max(1.0) >= *a, "{l}: {before:?} -> {figures:?}");
                }
            }
            if c.aggregate_label.is_some() && everything_counts {
                let bound = c.max_liability.expect("bounded liability");
                prop_assert!(e.max <= bound + 1e-9 * bound, "{l}: max {} over {bound}", e.max);
            }
            previous[slot] = Some(figures);
        }
    }
}
