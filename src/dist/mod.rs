//! Frequency and severity distributions: small immutable samplers whose
//! constructors validate their parameters and return `Result`.
//!
//! Every sampler draws from the simulation generator [`SimRng`] only through
//! [`uniform`] and `rand_distr`'s standard normal and gamma samplers, so the
//! random stream is fixed by the generator algorithm and these functions.
//! The simulation kernel computes the `exp` of lognormal amounts in
//! vectorized batches ([`AmountPlan`], [`fastmath`]).

mod batch;
mod count_table;
#[doc(hidden)] // for the value-stability tests; not part of the API
pub mod fastmath;
mod frequency;
mod inversion;
mod lag;
mod severity;

pub use batch::{AmountPlan, Exponents, TrialNormals, SHORT_RUN};
pub use count_table::CountTable;
pub use frequency::{poisson_count, Frequency};
pub use inversion::SeverityInverse;
pub use lag::{LagModel, LagPmf, MAX_LAG_MONTHS};
pub use severity::{spliced_tail_of, Severity, TailSpec};

use rand::Rng;

/// The generator used inside a trial block (see [`crate::sim::seed`]).
pub type SimRng = rand_xoshiro::Xoshiro256PlusPlus;

/// A parameter that a distribution constructor rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ParamError {
    /// The parameter name as spelled in the config (e.g. `sigma`).
    pub field: &'static str,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl ParamError {
    pub(crate) fn new(field: &'static str, message: impl Into<String>) -> Self {
        ParamError {
            field,
            message: message.into(),
        }
    }
}

/// A uniform draw on `[0, 1)` with 53 random bits.
#[inline(always)]
pub fn uniform<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform draw on `(0, 1]`, for transforms that take a logarithm.
#[inline(always)]
pub fn uniform_open0<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    ((rng.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
}

pub(crate) fn check_positive(field: &'static str, x: f64) -> Result<f64, ParamError> {
    if x.is_finite() && x > 0.0 {
        Ok(x)
    } else {
        Err(ParamError::new(
            field,
            format!("must be a finite number greater than 0, got {x}"),
        ))
    }
}

pub(crate) fn check_probability(field: &'static str, x: f64) -> Result<f64, ParamError> {
    if x.is_finite() && (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(ParamError::new(
            field,
            format!("must be a probability between 0 and 1, got {x}"),
        ))
    }
}
