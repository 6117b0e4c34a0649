//! Stop-loss contract terms and the candidates to compare.

use crate::model::Rate;

/// How a premium is set.
#[derive(Debug, Clone, PartialEq)]
pub enum Premium {
    /// A quoted PEPM rate.
    Quoted(Rate),
    /// Priced by the tool: expected reimbursement divided by this target loss ratio.
    Priced {
        /// Target loss ratio (e.g. 0.85).
        loss_ratio: f64,
    },
    /// No premium (the "no specific" / "no aggregate" choices).
    None,
}

/// The arithmetic of one specific option, as the simulation kernel applies it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpecificTerms {
    /// Specific deductible per member (`f64::INFINITY` for no specific cover).
    pub deductible: f64,
    /// Maximum reimbursement per member (`f64::INFINITY` when unlimited).
    pub max_reimbursement: f64,
    /// Share of the excess that is reimbursed (1.0 = 100%).
    pub reimbursement_pct: f64,
    /// Aggregating specific deductible: the first dollars of specific
    /// reimbursement, summed over members, that the employer keeps.
    pub aggregating_deductible: f64,
}

impl SpecificTerms {
    /// No specific cover at all.
    pub const NONE: SpecificTerms = SpecificTerms {
        deductible: f64::INFINITY,
        max_reimbursement: f64::INFINITY,
        reimbursement_pct: 1.0,
        aggregating_deductible: 0.0,
    };
}

/// A specific stop-loss option (or the explicit "no specific" choice).
#[derive(Debug, Clone, PartialEq)]
pub struct SpecificOption {
    /// Label used in candidate labels and explicit candidate lists.
    pub label: String,
    /// The terms.
    pub terms: SpecificTerms,
    /// Its premium.
    pub premium: Premium,
}

impl SpecificOption {
    /// The deductible in dollars, or `None` for no specific cover.
    pub fn deductible(&self) -> Option<f64> {
        self.terms
            .deductible
            .is_finite()
            .then_some(self.terms.deductible)
    }
}

/// How an aggregate attachment point is set.
#[derive(Debug, Clone, PartialEq)]
pub enum Attachment {
    /// A factor of expected aggregate-eligible retained claims.
    Factor(f64),
    /// A dollar amount.
    Amount(f64),
    /// Monthly aggregate factors (composite or by tier) times employee-months.
    Monthly(Rate),
}

/// A floor under the computed attachment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MinAttachment {
    /// A dollar floor.
    Amount(f64),
    /// A fraction of the computed attachment (0.95 = 95%).
    Fraction(f64),
}

/// An aggregate stop-loss option.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateOption {
    /// Label used in candidate labels and explicit candidate lists.
    pub label: String,
    /// How the attachment is set.
    pub attachment: Attachment,
    /// Optional minimum attachment.
    pub min_attachment: Option<MinAttachment>,
    /// Maximum aggregate reimbursement (`f64::INFINITY` when unlimited).
    pub max_reimbursement: f64,
    /// Its premium.
    pub premium: Premium,
}

/// A member-specific deductible.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Laser {
    /// A higher specific deductible for this member.
    Deductible(f64),
    /// This member has no specific cover.
    Excluded,
}

impl Laser {
    /// The member's deductible under a contract whose group deductible is `d`.
    #[inline]
    pub fn effective_deductible(&self, d: f64) -> f64 {
        match self {
            Laser::Deductible(l) => l.max(d),
            Laser::Excluded => f64::INFINITY,
        }
    }
}

/// Whether carrier-dependent dollars count toward the aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AggregateCounting {
    /// Dollars kept under the ASD count toward the aggregate
    /// (`asd_counts_toward_aggregate`).
    pub asd: bool,
    /// Claims between the group deductible and a member's laser count toward
    /// the aggregate (`laser_gap_counts_toward_aggregate`).
    pub laser_gap: bool,
}

impl Default for AggregateCounting {
    /// Both count, as the config's defaults say.
    fn default() -> Self {
        AggregateCounting {
            asd: true,
            laser_gap: true,
        }
    }
}

/// One combination to evaluate: a specific option and an optional aggregate option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// Index into [`Contract::specific`].
    pub specific: usize,
    /// Index into [`Contract::aggregate`], `None` for no aggregate cover.
    pub aggregate: Option<usize>,
}

/// A label that names no candidate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no candidate is labelled `{label}`; candidates are {}", .candidates.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(", "))]
pub struct UnknownCandidate {
    /// The label asked for.
    pub label: String,
    /// Every candidate's label.
    pub candidates: Vec<String>,
}

/// All stop-loss terms of a study.
#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    /// Specific options (including "no specific" when asked for).
    pub specific: Vec<SpecificOption>,
    /// Aggregate options.
    pub aggregate: Vec<AggregateOption>,
    /// Lasers by member index (same order as [`crate::model::Population::members`]).
    pub lasers: Vec<(u32, Laser)>,
    /// Which carrier-dependent dollars count toward the aggregate (the
    /// config's `asd_counts_toward_aggregate` and
    /// `laser_gap_counts_toward_aggregate`).
    pub counting: AggregateCounting,
    /// The candidates, in output order.
    pub candidates: Vec<Candidate>,
    /// Index into [`Contract::candidates`] of the baseline that every
    /// candidate's paired cost difference is measured against.
    pub baseline: usize,
}

impl Contract {
    /// Label of a candidate: `<specific> / <aggregate>`.
    pub fn candidate_label(&self, c: &Candidate) -> String {
        let agg = c
            .aggregate
            .map(|a| self.aggregate[a].label.as_str())
            .unwrap_or("no aggregate");
        format!("{} / {}", self.specific[c.specific].label, agg)
    }

    /// Index of the candidate labelled `label`; otherwise an error that
    /// lists every candidate label.
    pub fn candidate_index(&self, label: &str) -> Result<usize, UnknownCandidate> {
        let labels: Vec<String> = self
            .candidates
            .iter()
            .map(|c| self.candidate_label(c))
            .collect();
        labels
            .iter()
            .position(|l| l == label)
            .ok_or_else(|| UnknownCandidate {
                label: label.to_string(),
                candidates: labels,
            })
    }
}
