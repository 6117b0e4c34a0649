//! Reading back what serde_json wrote: it writes infinite and undefined
//! numbers as `null`, which a plain `f64` field would refuse.

use serde::{Deserialize, Deserializer};

/// A number, or NaN for `null`.
pub fn f64_or_nan<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}
