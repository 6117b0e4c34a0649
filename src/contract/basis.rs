//! The contract basis: which claims a stop-loss layer counts, by the month
//! they were incurred and the month they were paid.
//!
//! Months count from the policy start: month 1 is the first policy month,
//! month 0 the one before (run-in), month 13 the first after (run-out). A
//! claim counts toward a layer iff its incurral month lies in the layer's
//! incurred window and its paid month in the paid window. `"a/b"` labels
//! expand to incurred `[13 - a, 12]`, paid `[1, b]`; `"paid"` counts any
//! incurral paid in months 1 to 12, `"incurred"` claims incurred in months 1
//! to 12 whenever paid.

use std::fmt;

/// An inclusive range of months; `i32::MIN` / `i32::MAX` ends are open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    /// First month in the window.
    pub first: i32,
    /// Last month in the window.
    pub last: i32,
}

impl Window {
    /// `[first, last]`.
    pub const fn new(first: i32, last: i32) -> Self {
        Window { first, last }
    }

    /// Whether `month` lies in the window.
    #[inline(always)]
    pub fn contains(&self, month: i32) -> bool {
        self.first <= month && month <= self.last
    }

    /// Whether the window has no last month.
    pub fn is_open_ended(&self) -> bool {
        self.last == i32::MAX
    }
}

/// A layer's incurred and paid windows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Basis {
    /// Months of incurral counted.
    pub incurred: Window,
    /// Months of payment counted.
    pub paid: Window,
}

/// The labels a basis may be given by.
pub const BASIS_LABELS: [&str; 9] = [
    "12/12", "12/15", "12/18", "12/24", "15/12", "18/12", "24/12", "paid", "incurred",
];

impl Basis {
    /// The incurred basis: claims incurred in the policy year, whenever paid
    /// (12/inf). Without contract timing every claim counts this way.
    pub const INCURRED: Basis = Basis {
        incurred: Window::new(1, 12),
        paid: Window::new(1, i32::MAX),
    };

    /// The basis a label names (`"12/15"`, `"paid"`, ...), or `None`.
    pub fn from_label(label: &str) -> Option<Basis> {
        match label {
            "paid" => Some(Basis {
                incurred: Window::new(i32::MIN, 12),
                paid: Window::new(1, 12),
            }),
            "incurred" => Some(Basis::INCURRED),
            _ => {
                let (a, b) = label.split_once('/')?;
                let (a, b): (i32, i32) = (a.parse().ok()?, b.parse().ok()?);
                BASIS_LABELS.contains(&label).then(|| Basis {
                    incurred: Window::new(13 - a, 12),
                    paid: Window::new(1, b),
                })
            }
        }
    }

    /// Whether a claim incurred in month `incurred` and paid in month
    /// `paid` counts.
    #[inline(always)]
    pub fn counts(&self, incurred: i32, paid: i32) -> bool {
        self.incurred.contains(incurred) && self.paid.contains(paid)
    }

    /// The basis with its paid window `months` longer (a terminal
    /// liability option).
    pub fn extended_by(&self, months: i32) -> Basis {
        Basis {
            incurred: self.incurred,
            paid: Window::new(self.paid.first, self.paid.last.saturating_add(months)),
        }
    }
}

impl fmt::Display for Basis {
    /// The label when the windows are a labelled basis, else
    /// `inc a..b paid c..d`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(l) = BASIS_LABELS
            .iter()
            .find(|l| Basis::from_label(l).as_ref() == Some(self))
        {
            return f.write_str(l);
        }
        let end = |m: i32, open: &str| {
            if m == i32::MIN || m == i32::MAX {
                open.to_string()
            } else {
                m.to_string()
            }
        };
        write!(
            f,
            "inc {}..{} paid {}..{}",
            end(self.incurred.first, "any"),
            end(self.incurred.last, "any"),
            end(self.paid.first, "any"),
            end(self.paid.last, "open")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_expand_to_windows() {
        let b = Basis::from_label("12/15").unwrap();
        assert_eq!(
            (b.incurred, b.paid),
            (Window::new(1, 12), Window::new(1, 15))
        );
        let b = Basis::from_label("24/12").unwrap();
        assert_eq!(b.incurred, Window::new(-11, 12));
        assert!(Basis::from_label("paid").unwrap().counts(-30, 12));
        assert!(!Basis::from_label("12/12").unwrap().counts(12, 13));
        assert!(Basis::INCURRED.counts(12, 40));
        assert!(Basis::from_label("13/12").is_none());
        assert!(Basis::from_label("x").is_none());
        for l in BASIS_LABELS {
            assert_eq!(Basis::from_label(l).unwrap().to_string(), l);
        }
        assert_eq!(
            Basis::from_label("12/12").unwrap().extended_by(3),
            Basis::from_label("12/15").unwrap()
        );
    }
}
