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
    /// The monthly total in month `month` (1 to 12): the rate times the
    /// employees enrolled that month, summed over tiers.
    pub fn monthly_total(&self, enrollment: &Enrollment, month: usize) -> f64 {
        let employees = &enrollment.by_month[month - 1];
        match self {
            Rate::Composite(r) => r * employees.values().sum::<f64>(),
            Rate::ByTier(rates) => employees
                .iter()
                .map(|(tier, n)| rates.get(tier).copied().unwrap_or(0.0) * n)
                .sum(),
        }
    }

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
    /// Per month 1 to 12 (index 0 to 11): tier name to employees enrolled.
    /// An employee enrolled `m` months without given first and last months
    /// counts `m / 12` in every month.
    pub by_month: [BTreeMap<String, f64>; 12],
}

impl Enrollment {
    /// Adds `count` employees in `tier`, each enrolled `months` months.
    pub fn add(&mut self, tier: &str, count: f64, months: f64) {
        if count <= 0.0 {
            return;
        }
        *self.employee_months.entry(tier.to_string()).or_insert(0.0) += count * months;
        *self.headcount.entry(tier.to_string()).or_insert(0.0) += count;
        for month in &mut self.by_month {
            *month.entry(tier.to_string()).or_insert(0.0) += count * months / 12.0;
        }
    }

    /// Adds `count` employees in `tier` enrolled from month `first` to
    /// month `last` (1 to 12), for `months` months of exposure in all.
    pub fn add_span(&mut self, tier: &str, count: f64, first: u8, last: u8, months: f64) {
        if count <= 0.0 {
            return;
        }
        *self.employee_months.entry(tier.to_string()).or_insert(0.0) += count * months;
        *self.headcount.entry(tier.to_string()).or_insert(0.0) += count;
        let span = f64::from(last - first + 1);
        for m in first..=last {
            *self.by_month[m as usize - 1]
                .entry(tier.to_string())
                .or_insert(0.0) += count * months / span;
        }
    }

    /// Employees enrolled in month `month` (1 to 12), all tiers.
    pub fn employees_in(&self, month: usize) -> f64 {
        self.by_month[month - 1].values().sum()
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
            by_month: std::array::from_fn(|_| self.headcount.clone()),
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
