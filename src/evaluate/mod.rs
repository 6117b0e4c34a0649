//! Turning simulated trials into results: attachments and priced premiums
//! from the run's expectations, then every candidate evaluated on the same
//! trials (common random numbers).

mod candidate;
mod cash_flow;
pub mod projection;
mod terms;

pub use candidate::{
    baseline_costs, candidate_result, difference_from, evaluate_candidate, trial_costs,
    BaselineCosts, CandidateFigures,
};
pub use cash_flow::{candidate_timing, FAN_LEVELS};
pub use terms::{
    annual_premium, premium_basis, CandidateTerms, OptionExpectations, MONTE_CARLO_SOURCE,
};

use crate::model::Study;
use crate::results::{Estimate, PopulationSummary, SpecificOptionSummary};
use crate::sim::TrialColumns;
use crate::stats::Moments;
use rayon::prelude::*;

/// Everything [`crate::results::Results`] holds except the metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Population summary.
    pub population: PopulationSummary,
    /// Specific option summaries.
    pub specific_options: Vec<SpecificOptionSummary>,
    /// Candidate results, in the contract's candidate order.
    pub candidates: Vec<crate::results::CandidateResult>,
    /// Study-level warnings (inputs and estimates).
    pub warnings: Vec<String>,
}

/// Evaluates every candidate of `study` on the simulated `columns`, each
/// with its paired difference from the baseline candidate
/// (`study.contract.baseline`).
pub fn evaluate(study: &Study, columns: &TrialColumns) -> Evaluation {
    evaluate_with(
        study,
        columns,
        OptionExpectations::from_columns(study, columns),
    )
}

/// As [`evaluate`], with the expectations that set factor attachments and
/// priced premiums given (e.g. by the exact engine) instead of taken from
/// the trials.
pub fn evaluate_with(
    study: &Study,
    columns: &TrialColumns,
    expectations: OptionExpectations,
) -> Evaluation {
    let terms: Vec<CandidateTerms> = study
        .contract
        .candidates
        .iter()
        .map(|c| CandidateTerms::new(study, &expectations, c))
        .collect();
    let baseline = baseline_costs(study, columns, &terms[study.contract.baseline]);
    let candidates: Vec<_> = terms
        .par_iter()
        .map(|t| evaluate_candidate(study, columns, t, Some(&baseline)))
        .collect();
    drop(baseline);
    let gross: Moments = columns.gross.iter().copied().collect();
    let population = population_summary(
        study,
        Estimate {
            mean: gross.mean(),
            se: gross.se(),
        },
    );
    let specific_options = specific_option_summaries(study, &expectations);
    let mut warnings = study.warnings.clone();
    warnings.extend(estimate_warnings(study.trials));
    Evaluation {
        population,
        specific_options,
        candidates,
        warnings,
    }
}

/// Paired differences between candidates on simulated trials: the
/// [`crate::analysis::Differences`] of a simulation run. `expectations` must
/// be those the run's results were evaluated with.
#[derive(Debug, Clone, Copy)]
pub struct PairedColumns<'a> {
    /// The study.
    pub study: &'a Study,
    /// Its trials.
    pub columns: &'a TrialColumns,
    /// The expectations behind attachments and priced premiums.
    pub expectations: &'a OptionExpectations,
}

impl crate::analysis::Differences for PairedColumns<'_> {
    fn versus(&self, reference: usize) -> Vec<crate::results::Difference> {
        let (study, columns) = (self.study, self.columns);
        let terms: Vec<CandidateTerms> = study
            .contract
            .candidates
            .iter()
            .map(|c| CandidateTerms::new(study, self.expectations, c))
            .collect();
        let base = baseline_costs(study, columns, &terms[reference]);
        terms
            .par_iter()
            .map(|t| difference_from(study, columns, t, &base))
            .collect()
    }
    fn basis(&self) -> &'static str {
        "paired"
    }
    fn trials(&self) -> u64 {
        self.columns.trials() as u64
    }
}

/// The population block of the results, with `gross` the estimate of
/// expected gross claims to set beside the closed form.
pub fn population_summary(study: &Study, gross: Estimate) -> PopulationSummary {
    PopulationSummary {
        members: study.population.member_count(),
        employees: study.population.employees(),
        employee_months_by_tier: study.population.enrollment.employee_months.clone(),
        expected_gross_claims: study.population.expected_gross_claims(),
        simulated_gross_claims: gross,
        trend_factor: study.trend.factor(),
    }
}

/// One summary per specific option, from the expectations in use.
pub fn specific_option_summaries(
    study: &Study,
    expectations: &OptionExpectations,
) -> Vec<SpecificOptionSummary> {
    study
        .contract
        .specific
        .iter()
        .enumerate()
        .map(|(s, o)| SpecificOptionSummary {
            label: o.label.clone(),
            specific_deductible: o.deductible(),
            expected_aggregate_retained: expectations.aggregate_retained
                [study.contract.aggregate_column(s, None)],
            expected_specific_reimbursement: expectations.specific_reimbursement[s],
            annual_premium: expectations.specific_premium[s].mean,
            premium_basis: terms::premium_basis(&o.premium).to_string(),
        })
        .collect()
}

fn estimate_warnings(trials: u64) -> Vec<String> {
    let mut w = Vec::new();
    if trials < 2 {
        w.push(format!(
            "only {trials} trial: no standard error can be estimated from one outcome, so every se is reported as 0 and every percentile is that outcome; run at least thousands of trials"
        ));
    }
    let tail = trials as f64 * 0.005;
    if trials >= 2 && tail < 20.0 {
        w.push(format!(
            "only {trials} trials: the 99.5th percentile rests on {tail:.0} trial(s) in the tail; use at least 4,000 trials for tail figures"
        ));
    }
    w
}
