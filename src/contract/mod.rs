//! The stop-loss contract: its terms and all of its arithmetic, in one home
//! that the simulation ([`crate::sim`]), the evaluation of candidates
//! ([`crate::evaluate`]) and the exact engine ([`crate::exact`]) call.
//!
//! | concept | where |
//! |---|---|
//! | terms, options, lasers, candidates, counting flags | `terms.rs` ([`Contract`], [`SpecificTerms`], [`AggregateOption`], [`Laser`], [`AggregateCounting`]) |
//! | a member's deductible under a laser | [`SpecificTerms::member_deductible`] |
//! | specific layer `min(pct * (X - d)+, max)` | [`SpecificTerms::member_reimbursement`] |
//! | ASD, laser gap, what counts toward the aggregate | [`apply_specific`] |
//! | attachment point (factor, dollars, monthly; minimum) | [`AggregateOption::resolve_attachment`] |
//! | aggregate layer `min((R - A)+, max)` | [`aggregate_reimbursement`] |
//! | contract basis: incurred and paid windows | [`Basis`] |
//! | month by month on dated claims (contract timing) | [`apply_dated`] |
//! | renewal: experience, manual, credibility, caps, lasers, rider (multi-year projection) | [`renewal`] |
//! | maximum liability | [`max_liability`] |
//! | NAIC model act floors | [`floor_warnings`] |
//!
//! A new contract term is added here, and every engine sees it.

mod aggregate;
mod basis;
mod liability;
mod monthly;
pub mod renewal;
mod specific;
mod terms;

pub use aggregate::{aggregate_reimbursement, AttachmentBase, ResolvedAttachment};
pub use basis::{Basis, Window, BASIS_LABELS};
pub use liability::{floor_warnings, max_liability, naic_aggregate_floor, NAIC_SPECIFIC_FLOOR};
pub use monthly::{apply_dated, column_basis, DatedClaim, MonthlyOutcome, MonthlyWork};
pub use specific::{apply_specific, LargeClaimant, MemberClaims, SpecificOutcome, TrialClaims};
pub use terms::laser_of;
pub use terms::{
    AggregateCounting, AggregateOption, AggregateTiming, Attachment, BySpecific, Candidate,
    Contract, Laser, MinAttachment, Premium, SpecificOption, SpecificTerms, SpecificTiming,
    TerminalLiability, UnknownCandidate,
};
