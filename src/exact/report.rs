//! Exact figures as report structs: a full [`CandidateResult`] for
//! `--method exact`, and a comparison with the simulation for `--method both`.

use super::candidate::{CandidateDist, ExactFigures};
use super::{Bracket, ExactStudy};
use crate::contract::Candidate;
use crate::evaluate::{annual_premium, candidate_result, CandidateFigures, CandidateTerms};
use crate::model::Study;
use crate::results::{
    CandidateResult, CostDistribution, Estimate, ExactComparison, ExactFigure, ExceedancePoint,
    Interval, PercentileIntervals, Percentiles, Tvar,
};

/// Exact figures of candidate `c` with its resolved terms, or why the engine
/// cannot represent it.
pub fn figures(
    study: &Study,
    exact: &ExactStudy,
    c: &Candidate,
    terms: &CandidateTerms,
) -> Result<(ExactFigures, Estimate), String> {
    let option = exact.options[c.specific].as_ref().map_err(Clone::clone)?;
    let dist = CandidateDist::new(option, terms);
    // The aggregate premium may be priced from the aggregate reimbursement,
    // which does not depend on the fixed costs.
    let aggregate_premium = annual_premium(
        &terms.aggregate_premium,
        study,
        dist.aggregate_reimbursement().estimate(),
    );
    let fixed = terms.specific_premium.mean + aggregate_premium.mean + terms.fees;
    let f = dist.figures(fixed, study.budget, study.fully_insured_premium);
    Ok((f, aggregate_premium))
}

fn tvar(b: &[Bracket; 3], f: impl Fn(&Bracket) -> f64) -> Tvar {
    Tvar {
        p90: f(&b[0]),
        p95: f(&b[1]),
        p99: f(&b[2]),
    }
}

/// The candidate's full result from the exact engine: every `se` is the
/// engine's error bound and every percentile interval its bracket.
pub fn exact_result(
    study: &Study,
    exact: &ExactStudy,
    c: &Candidate,
    terms: &CandidateTerms,
) -> Result<CandidateResult, String> {
    let (f, aggregate_premium) = figures(study, exact, c, terms)?;
    let p = &f.percentiles;
    let interval = |b: &Bracket| Interval { lo: b.lo, hi: b.hi };
    let figures = CandidateFigures {
        employer_cost: CostDistribution {
            mean: f.mean.mid(),
            se: f.mean.half_width(),
            sd: f.sd.mid(),
            percentiles: Percentiles {
                p50: p[0].mid(),
                p75: p[1].mid(),
                p90: p[2].mid(),
                p95: p[3].mid(),
                p99: p[4].mid(),
                p99_5: p[5].mid(),
            },
            percentiles_ci95: PercentileIntervals {
                p50: interval(&p[0]),
                p75: interval(&p[1]),
                p90: interval(&p[2]),
                p95: interval(&p[3]),
                p99: interval(&p[4]),
                p99_5: interval(&p[5]),
            },
            tvar: tvar(&f.tvar, Bracket::mid),
            tvar_se: tvar(&f.tvar, Bracket::half_width),
            max: f.max,
        },
        gross_claims: Estimate {
            mean: study.population.expected_gross_claims(),
            se: 0.0,
        },
        retained_claims: f.retained_claims.estimate(),
        specific_reimbursement: f.specific_reimbursement.estimate(),
        aggregate_reimbursement: f.aggregate_reimbursement.estimate(),
        prob_aggregate_attaches: f.prob_aggregate_attaches.map(|b| b.estimate()),
        expected_specific_claimants: f.claimants.estimate(),
        prob_exceeds_budget: f.prob_exceeds_budget.map(|b| b.estimate()),
        prob_exceeds_fully_insured: f.prob_exceeds_fully_insured.map(|b| b.estimate()),
        exceedance_curve: f
            .exceedance
            .iter()
            .map(|&(cost, prob)| ExceedancePoint { cost, prob })
            .collect(),
    };
    Ok(candidate_result(
        study,
        terms,
        aggregate_premium,
        figures,
        None,
    ))
}

fn compare(sim: f64, sim_se: f64, exact: &Bracket) -> ExactFigure {
    compare_floor(sim, sim_se, exact, 0.0)
}

/// As [`compare`], with the simulation's se taken as at least `floor`: for
/// figures driven by rare events a run can see none of them and report a
/// zero se, and the z-score then uses the se the exact value implies.
fn compare_floor(sim: f64, sim_se: f64, exact: &Bracket, floor: f64) -> ExactFigure {
    let se = sim_se.max(floor);
    let sd = (se * se + exact.half_width().powi(2)).sqrt();
    let diff = sim - exact.mid();
    ExactFigure {
        exact: exact.mid(),
        error_bound: exact.half_width(),
        simulated: sim,
        simulated_se: sim_se,
        z: if sd > 0.0 {
            diff / sd
        } else if diff == 0.0 {
            0.0
        } else {
            f64::INFINITY.copysign(diff)
        },
    }
}

/// The simulation's figures beside the exact engine's, with the z-score of
/// each difference (`(simulated - exact) / sqrt(se^2 + bound^2)`); a
/// percentile's simulation se is its 95% interval half-width / 1.96.
pub fn comparison(
    study: &Study,
    exact: &ExactStudy,
    c: &Candidate,
    terms: &CandidateTerms,
    sim: &CandidateResult,
    trials: u64,
) -> ExactComparison {
    let (f, _) = match figures(study, exact, c, terms) {
        Ok(x) => x,
        Err(reason) => return ExactComparison::unsupported(reason),
    };
    let e = &sim.employer_cost;
    let n = trials.max(1) as f64;
    let pse = |i: &Interval| (i.hi - i.lo) / (2.0 * crate::stats::Z95);
    // Floors for rare-event figures: the binomial se of the exact
    // probability, the Poisson se of the exact count, and for a mean over
    // rare events its value over the root of the expected number of events.
    let attach = f.prob_aggregate_attaches.map_or(0.0, |b| b.mid());
    let claimants = f.claimants.mid();
    let rare_mean = |b: &Bracket, events: f64| b.mid() / (n * events).max(1.0).sqrt();
    let ci = &e.percentiles_ci95;
    let p = &f.percentiles;
    let mut figures = vec![
        ("employer_cost.mean", compare(e.mean, e.se, &f.mean)),
        (
            "employer_cost.p50",
            compare(e.percentiles.p50, pse(&ci.p50), &p[0]),
        ),
        (
            "employer_cost.p75",
            compare(e.percentiles.p75, pse(&ci.p75), &p[1]),
        ),
        (
            "employer_cost.p90",
            compare(e.percentiles.p90, pse(&ci.p90), &p[2]),
        ),
        (
            "employer_cost.p95",
            compare(e.percentiles.p95, pse(&ci.p95), &p[3]),
        ),
        (
            "employer_cost.p99",
            compare(e.percentiles.p99, pse(&ci.p99), &p[4]),
        ),
        (
            "employer_cost.p99_5",
            compare(e.percentiles.p99_5, pse(&ci.p99_5), &p[5]),
        ),
        (
            "employer_cost.tvar.p90",
            compare(e.tvar.p90, e.tvar_se.p90, &f.tvar[0]),
        ),
        (
            "employer_cost.tvar.p95",
            compare(e.tvar.p95, e.tvar_se.p95, &f.tvar[1]),
        ),
        (
            "employer_cost.tvar.p99",
            compare(e.tvar.p99, e.tvar_se.p99, &f.tvar[2]),
        ),
        (
            "retained_claims",
            compare(
                sim.retained_claims.mean,
                sim.retained_claims.se,
                &f.retained_claims,
            ),
        ),
        (
            "specific_reimbursement",
            compare_floor(
                sim.specific_reimbursement.mean,
                sim.specific_reimbursement.se,
                &f.specific_reimbursement,
                rare_mean(&f.specific_reimbursement, claimants),
            ),
        ),
        (
            "aggregate_reimbursement",
            compare_floor(
                sim.aggregate_reimbursement.mean,
                sim.aggregate_reimbursement.se,
                &f.aggregate_reimbursement,
                rare_mean(&f.aggregate_reimbursement, attach),
            ),
        ),
        (
            "expected_specific_claimants",
            compare_floor(
                sim.expected_specific_claimants.mean,
                sim.expected_specific_claimants.se,
                &f.claimants,
                (claimants / n).sqrt(),
            ),
        ),
    ];
    if let (Some(s), Some(x)) = (sim.prob_aggregate_attaches, f.prob_aggregate_attaches) {
        let floor = (attach * (1.0 - attach) / n).sqrt();
        figures.push((
            "prob_aggregate_attaches",
            compare_floor(s.mean, s.se, &x, floor),
        ));
    }
    ExactComparison::supported(
        exact.options[c.specific]
            .as_ref()
            .map(|o| o.step())
            .unwrap_or(0.0),
        figures
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}
