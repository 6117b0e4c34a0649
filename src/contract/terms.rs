//! Stop-loss contract terms and the candidates to compare.

use super::basis::Basis;
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
    /// Which claims it counts and when it pays.
    pub timing: SpecificTiming,
}

/// When a specific option counts claims and pays them back.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecificTiming {
    /// The incurred and paid windows of the claims it counts.
    pub basis: Basis,
    /// Most run-in dollars (claims incurred before month 1) counted per
    /// claimant (`None`: no limit).
    pub run_in_limit: Option<f64>,
    /// Months from the month a reimbursement is earned to the month it is
    /// paid (0 with advance funding).
    pub reimbursement_lag: u32,
}

impl Default for SpecificTiming {
    /// The incurred basis, no run-in limit, paid a month later.
    fn default() -> Self {
        SpecificTiming {
            basis: Basis::INCURRED,
            run_in_limit: None,
            reimbursement_lag: 1,
        }
    }
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
    /// Minimum attachment as a fraction of twelve times the first month's
    /// attachment (`min_attachment_first_month_pct`); combines with
    /// `min_attachment` by the larger.
    pub min_attachment_first_month: Option<f64>,
    /// Maximum aggregate reimbursement (`f64::INFINITY` when unlimited).
    pub max_reimbursement: f64,
    /// The top of the layer (`max_layer_top`): reimbursement stops where the
    /// retained claims reach it, whatever the attachment.
    pub layer_top: Option<f64>,
    /// Its premium.
    pub premium: Premium,
    /// Attachment and premium quoted for particular specific options:
    /// `(specific option index, terms)`.
    pub by_specific: Vec<(usize, BySpecific)>,
    /// Which claims it counts and when it pays.
    pub timing: AggregateTiming,
}

/// An aggregate quote tied to one specific option (`by_specific`).
#[derive(Debug, Clone, PartialEq)]
pub struct BySpecific {
    /// Replaces the option's attachment.
    pub attachment: Option<Attachment>,
    /// Replaces the option's premium.
    pub premium: Option<Premium>,
}

/// A terminal liability option: at termination the paid window runs
/// `months` longer and the attachment grows by the last `months` monthly
/// attachments; it costs `surcharge_pct` more premium, terminating or not.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TerminalLiability {
    /// Months of run-out covered at termination.
    pub months: u32,
    /// Premium surcharge (0.1 for 10%).
    pub surcharge_pct: f64,
}

/// When an aggregate option counts claims and pays.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateTiming {
    /// The windows of the claims it counts (extended by the terminal
    /// liability option when the plan terminates).
    pub basis: Basis,
    /// Most run-in dollars counted in total (`None`: no limit).
    pub run_in_limit: Option<f64>,
    /// The terminal liability option, if elected.
    pub terminal_liability: Option<TerminalLiability>,
    /// Whether the plan terminates at the end of this year (the TLO pays).
    pub terminating: bool,
    /// Monthly accommodation: the carrier advances the excess of counted
    /// retained claims over the cumulative monthly attachment each month.
    pub accommodation: bool,
}

impl Default for AggregateTiming {
    fn default() -> Self {
        AggregateTiming {
            basis: Basis::INCURRED,
            run_in_limit: None,
            terminal_liability: None,
            terminating: false,
            accommodation: false,
        }
    }
}

impl AggregateOption {
    /// The attachment and premium of this option when bought with specific
    /// option `s` (a `by_specific` quote, else the option's own).
    pub fn for_specific(&self, s: usize) -> (&Attachment, &Premium) {
        let quote = self
            .by_specific
            .iter()
            .find(|(i, _)| *i == s)
            .map(|(_, b)| b);
        (
            quote
                .and_then(|b| b.attachment.as_ref())
                .unwrap_or(&self.attachment),
            quote
                .and_then(|b| b.premium.as_ref())
                .unwrap_or(&self.premium),
        )
    }

    /// The largest reimbursement over an attachment of `attachment` dollars:
    /// the maximum, and the room left under the layer top.
    pub fn max_over(&self, attachment: f64) -> f64 {
        let top = self
            .layer_top
            .map_or(f64::INFINITY, |t| (t - attachment).max(0.0));
        self.max_reimbursement.min(top)
    }
}

/// A member-specific deductible.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Laser {
    /// A higher specific deductible for this member.
    Deductible(f64),
    /// This member has no specific cover.
    Excluded,
}

/// The laser of `member` in `lasers` (sorted by member index), if any.
#[inline]
pub fn laser_of(lasers: &[(u32, Laser)], member: u32) -> Option<Laser> {
    lasers
        .binary_search_by_key(&member, |(m, _)| *m)
        .ok()
        .map(|i| lasers[i].1)
}

impl Laser {
    /// The stricter of two lasers on one member (an exclusion, else the
    /// higher deductible), or whichever is there.
    pub fn stricter(a: Option<Laser>, b: Option<Laser>) -> Option<Laser> {
        match (a, b) {
            (Some(Laser::Excluded), _) | (_, Some(Laser::Excluded)) => Some(Laser::Excluded),
            (Some(Laser::Deductible(x)), Some(Laser::Deductible(y))) => {
                Some(Laser::Deductible(x.max(y)))
            }
            (a, b) => a.or(b),
        }
    }

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
    /// The distinct aggregate bases (one, the incurred basis, without
    /// contract timing): aggregate-eligible retained claims are kept per
    /// (specific option, aggregate basis).
    pub aggregate_bases: Vec<Basis>,
    /// Per entry of `aggregate_bases`: its total run-in dollar limit.
    pub aggregate_run_in_limits: Vec<Option<f64>>,
    /// Per aggregate option, its index into `aggregate_bases`.
    pub aggregate_basis_of: Vec<usize>,
}

impl Contract {
    /// The column of aggregate-eligible retained claims of specific option
    /// `s` under aggregate option `a` (the first basis for none): `s` itself
    /// when every aggregate option has one basis.
    pub fn aggregate_column(&self, s: usize, a: Option<usize>) -> usize {
        let g = a.map_or(0, |a| self.aggregate_basis_of[a]);
        s * self.aggregate_bases.len() + g
    }

    /// Number of aggregate columns: specific options x aggregate bases.
    pub fn aggregate_columns(&self) -> usize {
        self.specific.len() * self.aggregate_bases.len()
    }

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
