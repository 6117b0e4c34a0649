//! The reported levels: the one list of percentile (VaR) and TVaR levels
//! from which the result structs, the CSV columns, the exact engine's
//! figures and the risk measures (`var95`, `tvar99`, ...) are all derived.
//! A level is added or removed here and nowhere else.
//!
//! Definitions (see `stats`): the p-percentile is the lower empirical
//! quantile of the simulated costs, VaR_p = x_(ceil(n p)); TVaR_p is the mean
//! of the worst (1 - p) share of years, counting a fractional share of the
//! boundary year.

use super::nullable::Nullable;
use serde::{Deserialize, Serialize};

/// One reported level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    /// Position in its list.
    pub index: usize,
    /// The level in tenths of a percent (995 = 99.5%).
    pub permille: u16,
    /// The level as a probability (0.995).
    pub p: f64,
    /// The key it is reported under (`p99_5`), in `results.json` and CSV columns.
    pub key: &'static str,
}

impl Level {
    /// The level for people: `99.5%`.
    pub fn percent(&self) -> String {
        permille_percent(self.permille)
    }

    /// The level in measure names: `99_5` (as in `var99_5`).
    pub fn suffix(&self) -> String {
        permille_suffix(self.permille)
    }
}

/// A level in tenths of a percent for people: 995 -> `99.5%`.
pub fn permille_percent(permille: u16) -> String {
    if permille % 10 == 0 {
        format!("{}%", permille / 10)
    } else {
        format!("{}.{}%", permille / 10, permille % 10)
    }
}

/// A level in tenths of a percent as in measure names: 995 -> `99_5`.
pub fn permille_suffix(permille: u16) -> String {
    if permille % 10 == 0 {
        format!("{}", permille / 10)
    } else {
        format!("{}_{}", permille / 10, permille % 10)
    }
}

/// Defines a list of levels and a struct with one field per level.
macro_rules! reported_levels {
    (
        $(#[$struct_meta:meta])* struct $name:ident;
        $(#[$list_meta:meta])* const $list:ident;
        $( $field:ident = $permille:literal : $doc:literal ),+ $(,)?
    ) => {
        $(#[$list_meta])*
        pub const $list: [Level; [$(stringify!($field)),+].len()] = {
            let keys = [$(stringify!($field)),+];
            let permilles: [u16; [$(stringify!($field)),+].len()] = [$($permille),+];
            let mut out = [Level { index: 0, permille: 0, p: 0.0, key: "" }; [$(stringify!($field)),+].len()];
            let mut i = 0;
            while i < keys.len() {
                out[i] = Level {
                    index: i,
                    permille: permilles[i],
                    // Exact division: the same double as the decimal literal.
                    p: permilles[i] as f64 / 1000.0,
                    key: keys[i],
                };
                i += 1;
            }
            out
        };

        $(#[$struct_meta])*
        #[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
        #[serde(bound(deserialize = "T: Deserialize<'de> + Nullable"))]
        pub struct $name<T = f64> {
            $(
                #[doc = $doc]
                #[serde(deserialize_with = "super::nullable::nullable")]
                pub $field: T,
            )+
        }

        impl<T> $name<T> {
            /// The value at each level of the list, from `f`, in list order.
            pub fn from_fn(mut f: impl FnMut(Level) -> T) -> Self {
                let mut levels = $list.iter().copied();
                $name {
                    $( $field: f(levels.next().expect(stringify!($field))), )+
                }
            }

            /// The levels with their values, in list order.
            pub fn iter(&self) -> impl Iterator<Item = (Level, &T)> {
                $list.iter().copied().zip([$(&self.$field),+])
            }

            /// The value at the level of `permille` tenths of a percent.
            pub fn at(&self, permille: u16) -> Option<&T> {
                self.iter().find(|(l, _)| l.permille == permille).map(|(_, v)| v)
            }

            /// Each value mapped through `f`.
            pub fn map<U>(&self, mut f: impl FnMut(&T) -> U) -> $name<U> {
                $name { $( $field: f(&self.$field), )+ }
            }
        }
    };
}

reported_levels! {
    /// Percentiles (VaR) of the employer's annual cost, or anything given
    /// per percentile level (their 95% intervals, an exact bracket).
    struct Percentiles;
    /// The percentile levels reported.
    const PERCENTILE_LEVELS;
    p50 = 500: "Median.",
    p75 = 750: "75th percentile.",
    p90 = 900: "90th percentile.",
    p95 = 950: "95th percentile.",
    p99 = 990: "99th percentile.",
    p99_5 = 995: "99.5th percentile.",
}

reported_levels! {
    /// TVaR (expected shortfall) of the annual cost, or anything given per
    /// TVaR level (their standard errors).
    struct Tvar;
    /// The TVaR levels reported.
    const TVAR_LEVELS;
    p90 = 900: "Mean of the worst 10% of years.",
    p95 = 950: "Mean of the worst 5% of years.",
    p99 = 990: "Mean of the worst 1% of years.",
}

/// 95% order-statistic confidence intervals of the percentiles.
pub type PercentileIntervals = Percentiles<super::Interval>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_the_decimal_probabilities() {
        let p: Vec<f64> = PERCENTILE_LEVELS.iter().map(|l| l.p).collect();
        assert_eq!(p, [0.50, 0.75, 0.90, 0.95, 0.99, 0.995]);
        let t: Vec<f64> = TVAR_LEVELS.iter().map(|l| l.p).collect();
        assert_eq!(t, [0.90, 0.95, 0.99]);
        assert_eq!(PERCENTILE_LEVELS[5].key, "p99_5");
        assert_eq!(PERCENTILE_LEVELS[5].percent(), "99.5%");
        assert_eq!(PERCENTILE_LEVELS[5].suffix(), "99_5");
    }

    #[test]
    fn fields_follow_the_list() {
        let v = Percentiles::from_fn(|l| l.p);
        assert_eq!(v.p99_5, 0.995);
        assert_eq!(v.at(750), Some(&0.75));
        assert_eq!(v.at(123), None);
        let json = serde_json::to_string(&Tvar::from_fn(|l| l.permille)).unwrap();
        assert_eq!(json, r#"{"p90":900,"p95":950,"p99":990}"#);
    }
}
