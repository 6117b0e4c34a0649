//! Reading back what serde_json wrote: it writes infinite and undefined
//! numbers as `null`, which a plain `f64` field would refuse.

use serde::{Deserialize, Deserializer};

/// A number, or NaN for `null`.
pub fn f64_or_nan<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// A value that stands for serde_json's `null` when read back.
pub trait Nullable {
    /// The value read for `null`.
    const NULL: Self;
}

impl Nullable for f64 {
    const NULL: f64 = f64::NAN;
}

impl Nullable for super::Interval {
    const NULL: super::Interval = super::Interval {
        lo: f64::NAN,
        hi: f64::NAN,
    };
}

/// A value, or [`Nullable::NULL`] for `null`.
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de> + Nullable>(
    d: D,
) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or(T::NULL))
}
