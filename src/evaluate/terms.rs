//! Attachment points and premiums, resolved for each candidate.

use crate::model::Study;

use crate::contract::{AttachmentBase, Candidate, Premium};
use crate::results::Estimate;
use crate::sim::TrialColumns;
use crate::stats::Moments;

/// Run-level expectations per specific option, from which factor
/// attachments and priced specific premiums are computed.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionExpectations {
    /// Expected aggregate-eligible retained claims per aggregate column
    /// ([`crate::contract::Contract::aggregate_column`]: per specific option
    /// without contract timing).
    pub aggregate_retained: Vec<Estimate>,
    /// Expected specific reimbursement per specific option.
    pub specific_reimbursement: Vec<Estimate>,
    /// Annual specific premium per option (se > 0 when priced).
    pub specific_premium: Vec<Estimate>,
    /// Where the expectations come from, as said in attachment bases:
    /// e.g. "Monte Carlo mean of this run" or "exact engine".
    pub source: &'static str,
}

/// [`OptionExpectations::source`] of the simulation's expectations.
pub const MONTE_CARLO_SOURCE: &str = "Monte Carlo mean of this run";

impl OptionExpectations {
    /// Means over all trials of the run, in trial order.
    pub fn from_columns(study: &Study, columns: &TrialColumns) -> Self {
        let aggregate_retained = columns
            .aggregates()
            .map(|col| {
                let ra: Moments = col.iter().collect();
                Estimate {
                    mean: ra.mean(),
                    se: ra.se(),
                }
            })
            .collect();
        let mut specific_reimbursement = Vec::new();
        let mut specific_premium = Vec::new();
        for (s, option) in study.contract.specific.iter().enumerate() {
            let reimb: Moments = columns
                .gross
                .iter()
                .zip(&columns.retained[s])
                .map(|(g, r)| g - r)
                .collect();
            let reimb = Estimate {
                mean: reimb.mean(),
                se: reimb.se(),
            };
            specific_reimbursement.push(reimb);
            specific_premium.push(annual_premium(&option.premium, study, reimb));
        }
        OptionExpectations {
            aggregate_retained,
            specific_reimbursement,
            specific_premium,
            source: MONTE_CARLO_SOURCE,
        }
    }
}

/// The annual premium for a premium spec, given the expected reimbursement
/// it covers (used only when priced).
pub fn annual_premium(premium: &Premium, study: &Study, expected: Estimate) -> Estimate {
    match premium {
        Premium::Quoted(rate) => Estimate {
            mean: rate.annual_total(&study.population.enrollment),
            se: 0.0,
        },
        Premium::Priced { loss_ratio } => Estimate {
            mean: expected.mean / loss_ratio,
            se: expected.se / loss_ratio,
        },
        Premium::None => Estimate { mean: 0.0, se: 0.0 },
    }
}

/// "quoted", "priced" or "none".
pub fn premium_basis(premium: &Premium) -> &'static str {
    match premium {
        Premium::Quoted(_) => "quoted",
        Premium::Priced { .. } => "priced",
        Premium::None => "none",
    }
}

/// A candidate's terms with every amount resolved to dollars.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateTerms {
    /// The candidate.
    pub candidate: Candidate,
    /// Its label.
    pub label: String,
    /// Aggregate attachment in dollars (`None` for no aggregate).
    pub attachment: Option<f64>,
    /// How it was computed.
    pub attachment_basis: Option<String>,
    /// Maximum aggregate reimbursement.
    pub aggregate_max: f64,
    /// Expected aggregate-eligible retained claims under the candidate's specific option.
    pub expected_aggregate_retained: Estimate,
    /// Annual specific premium.
    pub specific_premium: Estimate,
    /// Target loss ratio when the specific premium is priced.
    pub specific_loss_ratio: Option<f64>,
    /// Aggregate premium spec.
    pub aggregate_premium: Premium,
    /// Multiplies the aggregate premium: 1 plus a terminal liability
    /// option's surcharge.
    pub aggregate_premium_factor: f64,
    /// Index of the candidate's column of aggregate-eligible retained claims
    /// ([`crate::contract::Contract::aggregate_column`]).
    pub aggregate_column: usize,
    /// Annual admin fees.
    pub fees: f64,
}

impl CandidateTerms {
    /// The annual aggregate premium given the expected aggregate
    /// reimbursement (used when priced), with a terminal liability option's
    /// surcharge.
    pub fn aggregate_premium(&self, study: &Study, expected: Estimate) -> Estimate {
        let p = annual_premium(&self.aggregate_premium, study, expected);
        Estimate {
            mean: p.mean * self.aggregate_premium_factor,
            se: p.se * self.aggregate_premium_factor,
        }
    }

    /// Resolves the candidate's attachment and premiums.
    pub fn new(study: &Study, exp: &OptionExpectations, candidate: &Candidate) -> Self {
        let s = candidate.specific;
        let aggregate_column = study.contract.aggregate_column(s, candidate.aggregate);
        let expected = exp.aggregate_retained[aggregate_column];
        let enrollment = &study.population.enrollment;
        let (attachment, basis, aggregate_max, aggregate_premium) = match candidate.aggregate {
            None => (None, None, 0.0, Premium::None),
            Some(a) => {
                let option = &study.contract.aggregate[a];
                let resolved = option.resolve_attachment(
                    s,
                    AttachmentBase {
                        expected,
                        source: exp.source,
                        enrollment,
                    },
                );
                let (attachment, basis) = (resolved.amount, resolved.basis);
                (
                    Some(attachment),
                    Some(basis),
                    option.max_over(attachment),
                    option.for_specific(s).1.clone(),
                )
            }
        };
        let aggregate_premium_factor = candidate
            .aggregate
            .and_then(|a| study.contract.aggregate[a].timing.terminal_liability)
            .map_or(1.0, |t| 1.0 + t.surcharge_pct);
        let specific_loss_ratio = match study.contract.specific[s].premium {
            Premium::Priced { loss_ratio } => Some(loss_ratio),
            _ => None,
        };
        CandidateTerms {
            candidate: *candidate,
            label: study.contract.candidate_label(candidate),
            attachment,
            attachment_basis: basis,
            aggregate_max,
            expected_aggregate_retained: expected,
            specific_premium: exp.specific_premium[s],
            specific_loss_ratio,
            aggregate_premium,
            aggregate_premium_factor,
            aggregate_column,
            fees: study.fees.admin_pepm.annual_total(enrollment),
        }
    }
}
