//! Rates charged per employee per month, composite or by coverage tier.

use std::collections::BTreeMap;

/// A PEPM rate (or monthly aggregate factor): one composite figure or one
/// figure per coverage tier.
#[derive(Debug, Clone, PartialEq)]
pub enum Rate {
    /// The same rate for every employee.
    Composite(f64),
    /// A rate per tier name; validation guarantees every enrolled tier is present.
    ByTier(BTreeMap<String, f64>),
}

impl Rate {
    /// The annual total: the rate times employee-months, summed over tiers.
    pub fn annual_total(&self, enrollment: &Enrollment) -> f64 {
        match self {
            Rate::Composite(r) => r * enrollment.total_employee_months(),
            Rate::ByTier(rates) => enrollment
                .employee_months
                .iter()
                .map(|(tier, months)| rates.get(tier).copied().unwrap_or(0.0) * months)
                .sum(),
        }
    }

    /// Tiers the population enrolls that this rate does not price.
    pub fn missing_tiers<'a>(&self, enrollment: &'a Enrollment) -> Vec<&'a str> {
        match self {
            Rate::Composite(_) => Vec::new(),
            Rate::ByTier(rates) => enrollment
                .employee_months
                .iter()
                .filter(|(tier, months)| **months > 0.0 && !rates.contains_key(*tier))
                .map(|(tier, _)| tier.as_str())
                .collect(),
        }
    }
}

/// Employees enrolled per coverage tier over the plan year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Enrollment {
    /// Tier name to employee-months (an employee enrolled all year counts 12).
    pub employee_months: BTreeMap<String, f64>,
    /// Tier name to employees enrolled at any time in the year.
    pub headcount: BTreeMap<String, f64>,
}

impl Enrollment {
    /// Adds `count` employees in `tier`, each enrolled `months` months.
    pub fn add(&mut self, tier: &str, count: f64, months: f64) {
        if count <= 0.0 {
            return;
        }
        *self.employee_months.entry(tier.to_string()).or_insert(0.0) += count * months;
        *self.headcount.entry(tier.to_string()).or_insert(0.0) += count;
    }

    /// The same employees, each enrolled all twelve months.
    pub fn full_year(&self) -> Enrollment {
        Enrollment {
            employee_months: self
                .headcount
                .iter()
                .map(|(t, n)| (t.clone(), 12.0 * n))
                .collect(),
            headcount: self.headcount.clone(),
        }
    }

    /// All employee-months.
    pub fn total_employee_months(&self) -> f64 {
        self.employee_months.values().sum()
    }

    /// Average number of employees enrolled (employee-months / 12).
    pub fn employees(&self) -> f64 {
        self.total_employee_months() / 12.0
    }
}
