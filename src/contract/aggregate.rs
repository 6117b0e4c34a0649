//! The aggregate layer: the attachment point in dollars (factor, dollar or
//! monthly form, with its minimum), and what the carrier reimburses above it.

use super::terms::{AggregateOption, Attachment, MinAttachment};
use crate::format::dollars;
use crate::model::Enrollment;
use crate::results::Estimate;

/// Aggregate reimbursement: `min((retained - attachment)+, max)`.
#[inline]
pub fn aggregate_reimbursement(aggregate_retained: f64, attachment: f64, max: f64) -> f64 {
    (aggregate_retained - attachment).max(0.0).min(max)
}

/// An attachment point resolved to dollars, with how it was computed.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedAttachment {
    /// The attachment in dollars.
    pub amount: f64,
    /// How it was computed, in words (`attachment_basis` in the results).
    pub basis: String,
}

/// What an attachment is resolved against: the expected aggregate-eligible
/// retained claims under the candidate's specific option (the base of a
/// factor attachment) and where that expectation comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttachmentBase<'a> {
    /// Expected aggregate-eligible retained claims.
    pub expected: Estimate,
    /// Its source, as the basis says it ("Monte Carlo mean of this run").
    pub source: &'a str,
    /// Employee-months by tier (the base of monthly factors).
    pub enrollment: &'a Enrollment,
}

impl AggregateOption {
    /// The attachment point in dollars: the computed attachment, or the
    /// minimum attachment when that is higher.
    pub fn resolve_attachment(&self, base: AttachmentBase<'_>) -> ResolvedAttachment {
        let expected = base.expected;
        let (computed, basis) = match &self.attachment {
            Attachment::Factor(f) => (
                f * expected.mean,
                format!(
                    "{:.1}% of expected aggregate-eligible retained claims {} ({}, se {})",
                    100.0 * f,
                    dollars(expected.mean),
                    base.source,
                    dollars(expected.se)
                ),
            ),
            Attachment::Amount(x) => (*x, "dollar amount".to_string()),
            Attachment::Monthly(rate) => (
                rate.annual_total(base.enrollment),
                "monthly aggregate factors x employee-months".to_string(),
            ),
        };
        let floor = match self.min_attachment {
            None => 0.0,
            Some(MinAttachment::Amount(m)) => m,
            Some(MinAttachment::Fraction(x)) => x * self.full_year_attachment(computed, base),
        };
        if floor > computed {
            ResolvedAttachment {
                amount: floor,
                basis: format!(
                    "minimum attachment {} (computed {}: {basis})",
                    dollars(floor),
                    dollars(computed)
                ),
            }
        } else {
            ResolvedAttachment {
                amount: computed,
                basis,
            }
        }
    }

    /// The attachment as if every employee were enrolled all twelve months
    /// (the base of a percentage minimum attachment).
    fn full_year_attachment(&self, computed: f64, base: AttachmentBase<'_>) -> f64 {
        match &self.attachment {
            Attachment::Monthly(rate) => rate.annual_total(&base.enrollment.full_year()),
            _ => computed,
        }
    }
}
