//! Exact figures as report structs: a full [`CandidateResult`] for
//! `--method exact`, and a comparison with the simulation for `--method both`.

use super::candidate::{CandidateDist, ExactFigures};
use super::{tolerance, Bracket, ExactStudy};
use crate::contract::Candidate;
use crate::evaluate::{candidate_result, CandidateFigures, CandidateTerms};
use crate::model::Study;
use crate::results::{
    CandidateResult, CostDistribution, Estimate, ExactComparison, ExactFigure, ExceedancePoint,
    Interval,
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
    let aggregate_premium =
        terms.aggregate_premium(study, dist.aggregate_reimbursement().estimate());
    let fixed = terms.specific_premium.mean + aggregate_premium.mean + terms.fees;
    let f = dist.figures(fixed, study.budget, study.fully_insured_premium);
    Ok((f, aggregate_premium))
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
    let interval = |b: &Bracket| Interval { lo: b.lo, hi: b.hi };
    let figures = CandidateFigures {
        employer_cost: CostDistribution {
            mean: f.mean.mid(),
            se: f.mean.half_width(),
            sd: f.sd.mid(),
            percentiles: f.percentiles.map(Bracket::mid),
            percentiles_ci95: f.percentiles.map(interval),
            tvar: f.tvar.map(Bracket::mid),
            tvar_se: f.tvar.map(Bracket::half_width),
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
    let mut result = candidate_result(study, terms, aggregate_premium, figures, None);
    result
        .warnings
        .extend(tolerance_warning(study, exact, c, &f));
    Ok(result)
}

/// Why a candidate's figures are less exact than asked, if they are: the
/// means and probabilities whose bounds exceed the tolerance.
fn tolerance_warning(
    study: &Study,
    exact: &ExactStudy,
    c: &Candidate,
    f: &ExactFigures,
) -> Option<String> {
    let option = exact.options[c.specific].as_ref().ok()?;
    let rule = tolerance::Rule::new(study, exact.tolerance);
    let mut missed = tolerance::option_misses(option, &rule);
    missed.extend(tolerance::candidate_misses(f, &rule));
    tolerance::warning(&missed, exact.tolerance, option.step())
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
/// Where the exact bounds exceed the tolerance, `sim` gets a warning
/// naming the figures.
pub fn comparison(
    study: &Study,
    exact: &ExactStudy,
    c: &Candidate,
    terms: &CandidateTerms,
    sim: &mut CandidateResult,
    trials: u64,
) -> ExactComparison {
    let (f, _) = match figures(study, exact, c, terms) {
        Ok(x) => x,
        Err(reason) => return ExactComparison::unsupported(reason),
    };
    sim.warnings.extend(tolerance_warning(study, exact, c, &f));
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
    let mut figures = vec![(
        "employer_cost.mean".to_string(),
        compare(e.mean, e.se, &f.mean),
    )];
    // The simulated and exact structs share the levels list: zip them.
    let percentiles = e
        .percentiles
        .iter()
        .zip(ci.iter())
        .zip(f.percentiles.iter());
    for (((l, &v), (_, i)), (_, exact)) in percentiles {
        figures.push((
            format!("employer_cost.{}", l.key),
            compare(v, pse(i), exact),
        ));
    }
    let tvars = e.tvar.iter().zip(e.tvar_se.iter()).zip(f.tvar.iter());
    for (((l, &v), (_, &se)), (_, exact)) in tvars {
        figures.push((
            format!("employer_cost.tvar.{}", l.key),
            compare(v, se, exact),
        ));
    }
    figures.extend(
        [
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
        ]
        .map(|(k, v)| (k.to_string(), v)),
    );
    if let (Some(s), Some(x)) = (sim.prob_aggregate_attaches, f.prob_aggregate_attaches) {
        let floor = (attach * (1.0 - attach) / n).sqrt();
        figures.push((
            "prob_aggregate_attaches".to_string(),
            compare_floor(s.mean, s.se, &x, floor),
        ));
    }
    ExactComparison::supported(
        exact.options[c.specific]
            .as_ref()
            .map(|o| o.step())
            .unwrap_or(0.0),
        figures.into_iter().collect(),
    )
}
