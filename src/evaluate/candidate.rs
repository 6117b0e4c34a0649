//! One candidate evaluated on every trial.

use super::terms::{premium_basis, CandidateTerms};
use crate::contract::{self, aggregate_reimbursement, Premium};
use crate::model::Study;
use crate::results::{
    CandidateResult, CostDistribution, Difference, Estimate, ExceedancePoint, Interval,
    PairedDifference, Percentiles, PremiumBasis, Tvar,
};
use crate::results::{PERCENTILE_LEVELS, TVAR_LEVELS};
use crate::sim::TrialColumns;
use crate::stats::{self, Moments, OrderStatistics, Ranked, Z95};

fn est(m: &Moments) -> Estimate {
    Estimate {
        mean: m.mean(),
        se: m.se(),
    }
}

fn prob(p: f64, n: usize) -> Estimate {
    Estimate {
        mean: p,
        se: (p * (1.0 - p) / n as f64).sqrt(),
    }
}

/// The reported distribution of per-trial costs `sorted` (their order
/// statistics, at least one; [`ranked_costs`] selects what this reads) whose moments are `m`: mean, `se` (the standard error to
/// report, which may count more than `m`'s own), sd, percentiles with their
/// 95% intervals, TVaRs with their se, max ([`crate::stats`]'s definitions).
pub(crate) fn cost_distribution<S: OrderStatistics + ?Sized>(
    sorted: &S,
    m: &Moments,
    se: f64,
) -> CostDistribution {
    let ci = |p: f64| {
        let (lo, hi) = stats::quantile_interval(sorted, p, Z95);
        Interval { lo, hi }
    };
    CostDistribution {
        mean: m.mean(),
        se,
        sd: m.sd(),
        percentiles: Percentiles::from_fn(|l| stats::quantile(sorted, l.p)),
        percentiles_ci95: Percentiles::from_fn(|l| ci(l.p)),
        tvar: Tvar::from_fn(|l| stats::tvar(sorted, l.p)),
        tvar_se: Tvar::from_fn(|l| stats::tvar_se(sorted, l.p)),
        max: sorted.at(sorted.len() - 1),
    }
}

/// `costs` with the order statistics [`cost_distribution`], the
/// exceedance curve and `prob_exceeds` read selected instead of sorted:
/// the same values bit for bit, at a fraction of a sort's cost.
pub(crate) fn ranked_costs(costs: Vec<f64>) -> Ranked {
    let levels = |l: &[crate::results::Level]| l.iter().map(|l| l.p).collect::<Vec<f64>>();
    let percentiles = levels(&PERCENTILE_LEVELS);
    let (positions, tail) = stats::needed_positions(
        costs.len(),
        &percentiles,
        &percentiles,
        Z95,
        &levels(&TVAR_LEVELS),
    );
    Ranked::new(costs, &positions, tail)
}

/// A candidate's per-trial claims kept after the aggregate, and what
/// follows from them: the aggregate reimbursement and the premiums.
struct Retained {
    /// Claims kept per trial: retained claims less aggregate reimbursement.
    claims: Vec<f64>,
    aggregate: Moments,
    attaches: u64,
    aggregate_premium: Estimate,
    aggregate_loss_ratio: Option<f64>,
    /// Premiums plus fees.
    fixed: f64,
}

impl Retained {
    /// Pass 1: aggregate reimbursement and claims kept, per trial.
    fn new(study: &Study, columns: &TrialColumns, terms: &CandidateTerms) -> Self {
        let s = terms.candidate.specific;
        let n = columns.trials();
        let retained = &columns.retained[s];
        let aggregate_retained = columns.aggregate(terms.aggregate_column);
        let mut claims = Vec::with_capacity(n);
        let mut aggregate = Moments::new();
        let mut attaches = 0u64;
        for (i, &kept) in retained.iter().enumerate() {
            let agg = match terms.attachment {
                Some(a) => {
                    aggregate_reimbursement(aggregate_retained.get(i), a, terms.aggregate_max)
                }
                None => 0.0,
            };
            if agg > 0.0 {
                attaches += 1;
            }
            aggregate.push(agg);
            claims.push(kept - agg);
        }
        let aggregate_premium = terms.aggregate_premium(study, est(&aggregate));
        let aggregate_loss_ratio = match terms.aggregate_premium {
            Premium::Priced { loss_ratio } => Some(loss_ratio),
            _ => None,
        };
        let premium = terms.specific_premium.mean + aggregate_premium.mean;
        Retained {
            claims,
            aggregate,
            attaches,
            aggregate_premium,
            aggregate_loss_ratio,
            fixed: premium + terms.fees,
        }
    }

    /// The employer's cost in trial `i`.
    fn cost(&self, i: usize) -> f64 {
        self.claims[i] + self.fixed
    }

    /// The cost in trial `i` with every priced premium `P = E[reimb] / LR`
    /// replaced by `reimb_i / LR`: its sample sd over sqrt(n) is the standard
    /// error of the mean cost counting the premium's own estimation error.
    fn adjusted_cost(&self, columns: &TrialColumns, terms: &CandidateTerms, i: usize) -> f64 {
        let s = terms.candidate.specific;
        let retained = columns.retained[s][i];
        let mut adjusted = self.cost(i);
        if let Some(lr) = terms.specific_loss_ratio {
            adjusted += (columns.gross[i] - retained) / lr - terms.specific_premium.mean;
        }
        if let Some(lr) = self.aggregate_loss_ratio {
            adjusted += (retained - self.claims[i]) * terms.aggregate_premium_factor / lr
                - self.aggregate_premium.mean;
        }
        adjusted
    }
}

/// The employer's cost of the candidate with `terms` in every trial of
/// `columns`, in trial order: claims kept after the specific and aggregate
/// covers, plus premiums and fees. These are the outcomes behind the
/// candidate's `employer_cost` in [`evaluate_candidate`]: pushed into
/// [`Moments`] in this order they give its `mean` and `sd` bit for bit, and
/// sorted, its percentiles, TVaRs and `max` ([`crate::stats`]). `terms` must
/// come from the expectations the results were evaluated with
/// ([`CandidateTerms::new`] with [`super::OptionExpectations::from_columns`]
/// for a simulation run).
pub fn trial_costs(study: &Study, columns: &TrialColumns, terms: &CandidateTerms) -> Vec<f64> {
    let kept = Retained::new(study, columns, terms);
    (0..columns.trials()).map(|i| kept.cost(i)).collect()
}

/// The baseline candidate's per-trial costs, against which the paired
/// differences of every candidate ([`PairedDifference`]) are measured.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineCosts {
    /// Label of the baseline candidate.
    pub label: String,
    /// Its mean employer cost (the same number as its `employer_cost.mean`).
    pub mean: f64,
    /// Its per-trial employer cost, adjusted for priced premiums as for
    /// `employer_cost.se`, in trial order.
    pub adjusted: Vec<f64>,
}

/// The per-trial costs of the baseline candidate with `terms`, computed in
/// trial order (so they do not depend on the thread count).
pub fn baseline_costs(
    study: &Study,
    columns: &TrialColumns,
    terms: &CandidateTerms,
) -> BaselineCosts {
    let kept = Retained::new(study, columns, terms);
    let n = columns.trials();
    let mut cost_m = Moments::new();
    let mut adjusted = Vec::with_capacity(n);
    for i in 0..n {
        cost_m.push(kept.cost(i));
        adjusted.push(kept.adjusted_cost(columns, terms, i));
    }
    BaselineCosts {
        label: terms.label.clone(),
        mean: cost_m.mean(),
        adjusted,
    }
}

/// The paired difference `E[cost - reference cost]` of the candidate with
/// `terms` on the same trials, with the standard error of the per-trial
/// differences of the costs adjusted for priced premiums (as `vs_baseline`).
pub fn difference_from(
    study: &Study,
    columns: &TrialColumns,
    terms: &CandidateTerms,
    reference: &BaselineCosts,
) -> Difference {
    let n = columns.trials();
    assert_eq!(
        reference.adjusted.len(),
        n,
        "reference costs cover other trials"
    );
    let kept = Retained::new(study, columns, terms);
    let mut cost = Moments::new();
    let mut difference = Moments::new();
    for (i, r) in reference.adjusted.iter().enumerate() {
        cost.push(kept.cost(i));
        difference.push(kept.adjusted_cost(columns, terms, i) - r);
    }
    Difference {
        mean_difference: cost.mean() - reference.mean,
        se: difference.se(),
    }
}

/// Evaluates one candidate on all trials.
///
/// The employer's cost in trial `i` is retained claims less aggregate
/// reimbursement, plus premiums and fees. With a priced premium
/// `P = E[reimbursement] / LR`, the standard error of the mean cost is that
/// of `cost_i - P + reimbursement_i / LR`, which accounts for the premium
/// being estimated from the same trials. With a `baseline`, the candidate's
/// `vs_baseline` is its mean cost less the baseline's, with the standard
/// error of the per-trial differences of those adjusted costs (null without).
pub fn evaluate_candidate(
    study: &Study,
    columns: &TrialColumns,
    terms: &CandidateTerms,
    baseline: Option<&BaselineCosts>,
) -> CandidateResult {
    let s = terms.candidate.specific;
    let n = columns.trials();
    let retained = &columns.retained[s];
    if let Some(b) = baseline {
        assert_eq!(b.adjusted.len(), n, "baseline costs cover other trials");
    }

    let kept = Retained::new(study, columns, terms);
    let aggregate_reimb = est(&kept.aggregate);
    let aggregate_premium = kept.aggregate_premium;

    // Pass 2: total cost, and the moments that need per-trial values.
    let mut cost_m = Moments::new();
    let mut cost_for_se = Moments::new();
    let mut difference = Moments::new();
    let mut claims_m = Moments::new();
    let mut gross_m = Moments::new();
    let mut specific_m = Moments::new();
    let mut claimants_m = Moments::new();
    let mut claimant_years = 0u64;
    let mut costs = Vec::with_capacity(n);
    for (i, &kept_after_specific) in retained.iter().enumerate() {
        let gross = columns.gross[i];
        let cost = kept.cost(i);
        let adjusted = kept.adjusted_cost(columns, terms, i);
        cost_m.push(cost);
        cost_for_se.push(adjusted);
        if let Some(b) = baseline {
            difference.push(adjusted - b.adjusted[i]);
        }
        claims_m.push(kept.claims[i]);
        gross_m.push(gross);
        specific_m.push(gross - kept_after_specific);
        let claimants = columns.claimants[s].get(i);
        claimants_m.push(f64::from(claimants));
        claimant_years += u64::from(claimants);
        costs.push(cost);
    }
    let attaches = kept.attaches;
    let fixed = kept.fixed;
    drop(kept);
    let costs = ranked_costs(costs);

    let employer_cost = cost_distribution(&costs, &cost_m, cost_for_se.se());
    let exceed = |x: Option<f64>| x.map(|x| prob(stats::prob_exceeds(&costs, x), n));
    let vs_baseline = baseline.map(|b| PairedDifference {
        baseline: b.label.clone(),
        mean_difference: employer_cost.mean - b.mean,
        se: difference.se(),
    });
    let figures = CandidateFigures {
        gross_claims: est(&gross_m),
        retained_claims: est(&claims_m),
        specific_reimbursement: est(&specific_m),
        aggregate_reimbursement: aggregate_reimb,
        prob_aggregate_attaches: terms
            .attachment
            .map(|_| prob(attaches as f64 / n as f64, n)),
        expected_specific_claimants: est(&claimants_m),
        prob_exceeds_budget: exceed(study.budget),
        prob_exceeds_fully_insured: exceed(study.fully_insured_premium),
        exceedance_curve: stats::exceedance_curve(&costs)
            .into_iter()
            .map(|(cost, prob)| ExceedancePoint { cost, prob })
            .collect(),
        employer_cost,
    };
    let expected_cost = figures.employer_cost.mean;
    let mut result = candidate_result(study, terms, aggregate_premium, figures, vs_baseline);
    result.timing = columns
        .monthly
        .as_ref()
        .map(|m| super::candidate_timing(study, m, terms, fixed, expected_cost));
    result.warnings.extend(rare_event_warnings(
        study,
        terms,
        n,
        claimant_years,
        attaches,
    ));
    result
}

/// Fewer events than this behind a reimbursement estimate draw a warning.
const FEW_EVENTS: u64 = 10;

/// Warnings for reimbursement estimates that rest on few simulated events:
/// a specific cover that hardly any member-year reaches, an aggregate that
/// hardly ever attaches. With no event at all the estimate and its se are
/// both 0, which says little about a rare but costly layer.
fn rare_event_warnings(
    study: &Study,
    terms: &CandidateTerms,
    trials: usize,
    claimant_years: u64,
    attaches: u64,
) -> Vec<String> {
    let mut w = Vec::new();
    // With no event in n trials, the chance per trial is below 3 / n at
    // 95% confidence (the rule of three; meaningful for n of 30 or more).
    let bound = |k: u64| {
        if k == 0 && trials >= 30 {
            format!(
                " (its chance per trial is below {:.2e} at 95% confidence)",
                3.0 / trials as f64
            )
        } else {
            String::new()
        }
    };
    let specific = &study.contract.specific[terms.candidate.specific];
    if specific.deductible().is_some() && claimant_years < FEW_EVENTS {
        w.push(format!(
            "only {claimant_years} member-year(s) over the specific deductible in {trials} trials{}: the specific reimbursement and its se rest on too few claims to be reliable; run more trials",
            bound(claimant_years)
        ));
    }
    if terms.attachment.is_some() && attaches < FEW_EVENTS {
        w.push(format!(
            "the aggregate attached in {attaches} of {trials} trials{}: its reimbursement, the probability it attaches and their se rest on too few events to be reliable; run more trials",
            bound(attaches)
        ));
    }
    w
}

/// A candidate's statistical figures, however they were computed
/// (simulation or exact engine).
#[derive(Debug, Clone)]
pub struct CandidateFigures {
    /// The employer's annual cost.
    pub employer_cost: CostDistribution,
    /// Gross claims.
    pub gross_claims: Estimate,
    /// Claims kept after both covers.
    pub retained_claims: Estimate,
    /// Specific reimbursement.
    pub specific_reimbursement: Estimate,
    /// Aggregate reimbursement.
    pub aggregate_reimbursement: Estimate,
    /// Probability that the aggregate pays (None without aggregate).
    pub prob_aggregate_attaches: Option<Estimate>,
    /// Members above their deductible.
    pub expected_specific_claimants: Estimate,
    /// `P(cost > budget)`.
    pub prob_exceeds_budget: Option<Estimate>,
    /// `P(cost > fully insured premium)`.
    pub prob_exceeds_fully_insured: Option<Estimate>,
    /// Points of the exceedance curve.
    pub exceedance_curve: Vec<ExceedancePoint>,
}

/// A candidate's result: its figures with everything that follows from the
/// contract terms (labels, attachment, premiums, fees, maximum liability,
/// warnings). `aggregate_premium` is the annual aggregate premium as resolved
/// (priced premiums depend on the figures' aggregate reimbursement).
pub fn candidate_result(
    study: &Study,
    terms: &CandidateTerms,
    aggregate_premium: Estimate,
    figures: CandidateFigures,
    vs_baseline: Option<PairedDifference>,
) -> CandidateResult {
    let specific_option = &study.contract.specific[terms.candidate.specific];
    let aggregate_option = terms
        .candidate
        .aggregate
        .map(|a| &study.contract.aggregate[a]);
    let premium = terms.specific_premium.mean + aggregate_premium.mean;
    CandidateResult {
        label: terms.label.clone(),
        specific_label: specific_option.label.clone(),
        aggregate_label: aggregate_option.map(|o| o.label.clone()),
        specific_deductible: specific_option.deductible(),
        aggregate_attachment: terms.attachment,
        aggregate_attachment_basis: terms.attachment_basis.clone(),
        employer_cost: figures.employer_cost,
        vs_baseline,
        gross_claims: figures.gross_claims,
        retained_claims: figures.retained_claims,
        specific_reimbursement: figures.specific_reimbursement,
        aggregate_reimbursement: figures.aggregate_reimbursement,
        premium: Estimate {
            mean: premium,
            se: terms.specific_premium.se + aggregate_premium.se,
        },
        specific_premium: terms.specific_premium,
        aggregate_premium,
        premium_basis: PremiumBasis {
            specific: premium_basis(&specific_option.premium).into(),
            aggregate: premium_basis(&terms.aggregate_premium).into(),
        },
        fees: Estimate {
            mean: terms.fees,
            se: 0.0,
        },
        prob_aggregate_attaches: figures.prob_aggregate_attaches,
        expected_specific_claimants: figures.expected_specific_claimants,
        max_liability: max_liability(study, terms, premium + terms.fees),
        prob_exceeds_budget: figures.prob_exceeds_budget,
        prob_exceeds_fully_insured: figures.prob_exceeds_fully_insured,
        exceedance_curve: figures.exceedance_curve,
        warnings: candidate_warnings(study, terms),
        exact: None,
        timing: None,
        projection: None,
    }
}

/// The employer's largest possible annual cost ([`contract::max_liability`]).
fn max_liability(study: &Study, terms: &CandidateTerms, fixed: f64) -> Option<f64> {
    // With contract timing, claims outside the aggregate's windows (run-out
    // past its paid window, a self-funded prior year's run-in) are the
    // employer's without limit too.
    let outside_windows = study.timing.as_ref().is_some_and(|t| {
        t.prior_year == crate::model::PriorYear::SelfFunded
            || terms.candidate.aggregate.is_none_or(|a| {
                let b = &study.contract.aggregate[a].timing.basis;
                !b.paid.is_open_ended() || b.incurred.first > 1 || b.incurred.last < 12
            })
    });
    let outside_aggregate = outside_windows
        || study.population.profiles.iter().any(|p| {
            p.components
                .iter()
                .any(|c| !c.aggregate && c.frequency.mean() > 0.0)
        });
    contract::max_liability(
        &study.contract,
        terms.candidate.specific,
        terms.attachment,
        terms.aggregate_max,
        fixed,
        outside_aggregate,
    )
}

/// Warnings for a candidate: NAIC model act floors.
fn candidate_warnings(study: &Study, terms: &CandidateTerms) -> Vec<String> {
    contract::floor_warnings(
        study.contract.specific[terms.candidate.specific].deductible(),
        terms.attachment,
        terms.expected_aggregate_retained.mean,
        study.population.employees(),
    )
}
