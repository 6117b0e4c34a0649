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
    /// The attachment point in dollars when bought with specific option `s`
    /// (its `by_specific` quote, if any): the computed attachment, or the
    /// largest minimum attachment when that is higher; then, when the plan
    /// terminates with a terminal liability option, plus the monthly
    /// attachments of its last months.
    pub fn resolve_attachment(&self, s: usize, base: AttachmentBase<'_>) -> ResolvedAttachment {
        let (attachment, _) = self.for_specific(s);
        let annual = self.annual_attachment(attachment, base);
        match self.terminal_liability_months() {
            0 => annual,
            n => {
                let monthly = self.monthly_attachments(s, annual.amount, base.enrollment);
                let extra: f64 = monthly[12 - n..].iter().sum();
                ResolvedAttachment {
                    amount: annual.amount + extra,
                    basis: format!(
                        "{} plus {} of the last {n} months' monthly attachments (terminal liability option)",
                        annual.basis,
                        dollars(extra)
                    ),
                }
            }
        }
    }

    /// Months the terminal liability option adds when the plan terminates
    /// (0 otherwise).
    pub fn terminal_liability_months(&self) -> usize {
        match self.timing.terminal_liability {
            Some(t) if self.timing.terminating => t.months as usize,
            _ => 0,
        }
    }

    /// The attachment of each month 1 to 12 (index 0 to 11) for an annual
    /// attachment of `annual` dollars with specific option `s`: the monthly
    /// factor times that month's employees when the attachment is monthly
    /// (scaled to `annual` when a minimum binds), else `annual` shared by
    /// employees enrolled each month.
    pub fn monthly_attachments(&self, s: usize, annual: f64, enrollment: &Enrollment) -> [f64; 12] {
        let weights: [f64; 12] = match self.for_specific(s).0 {
            Attachment::Monthly(rate) => {
                std::array::from_fn(|m| rate.monthly_total(enrollment, m + 1))
            }
            _ => std::array::from_fn(|m| enrollment.employees_in(m + 1)),
        };
        let total: f64 = weights.iter().sum();
        if total > 0.0 {
            weights.map(|w| annual * w / total)
        } else {
            [annual / 12.0; 12]
        }
    }

    /// The annual attachment of `attachment`, with the minimums.
    fn annual_attachment(
        &self,
        attachment: &Attachment,
        base: AttachmentBase<'_>,
    ) -> ResolvedAttachment {
        let expected = base.expected;
        let (computed, basis) = match attachment {
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
        let mut floor = match self.min_attachment {
            None => 0.0,
            Some(MinAttachment::Amount(m)) => m,
            Some(MinAttachment::Fraction(x)) => {
                x * self.full_year_attachment(attachment, computed, base)
            }
        };
        if let Some(x) = self.min_attachment_first_month {
            let first = match attachment {
                Attachment::Monthly(rate) => rate.monthly_total(base.enrollment, 1),
                _ => {
                    let share = base.enrollment.employees_in(1)
                        / base.enrollment.employees().max(f64::MIN_POSITIVE);
                    computed * share / 12.0
                }
            };
            floor = floor.max(x * 12.0 * first);
        }
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
    fn full_year_attachment(
        &self,
        attachment: &Attachment,
        computed: f64,
        base: AttachmentBase<'_>,
    ) -> f64 {
        match attachment {
            Attachment::Monthly(rate) => rate.annual_total(&base.enrollment.full_year()),
            _ => computed,
        }
    }
}
