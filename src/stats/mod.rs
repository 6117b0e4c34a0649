//! Statistics: mergeable moment accumulators, and quantile and tail-risk
//! estimators on sorted samples with their Monte Carlo errors.

mod moments;
mod order;
mod quantile;

pub use moments::Moments;
pub use order::{OrderStatistics, Ranked};
pub use quantile::{
    exceedance_curve, needed_positions, prob_exceeds, quantile, quantile_interval, tvar, tvar_se,
    EXCEEDANCE_LEVELS, Z95,
};
