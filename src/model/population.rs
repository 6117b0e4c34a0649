//! Who is covered and how they claim.

use super::Enrollment;
use crate::dist::{Frequency, Severity};

/// One source of claims for a member (medical, pharmacy, catastrophic, ...).
#[derive(Debug, Clone)]
pub struct ClaimComponent {
    /// Name from the config.
    pub name: String,
    /// Claims per member-year (already scaled to the profile's exposure).
    pub frequency: Frequency,
    /// Amount per claim, before the member's severity scale.
    pub severity: Severity,
    /// Counts toward the specific stop-loss.
    pub specific: bool,
    /// Counts toward the aggregate stop-loss.
    pub aggregate: bool,
    /// Its own payment lag (`None`: the study's).
    pub lag: Option<crate::dist::LagModel>,
}

/// A class of members and its claim model.
#[derive(Debug, Clone)]
pub struct ClassInfo {
    /// Class name.
    pub name: String,
    /// Members simulated in this class.
    pub members: u64,
    /// Employees (PEPM basis) in this class, averaged over the year.
    pub employees: f64,
    /// The claim model at full-year exposure.
    pub components: Vec<ClaimComponent>,
}

/// The claim model of members who share a class and an exposure.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Index into [`Population::classes`].
    pub class: usize,
    /// Months of exposure in the plan year.
    pub months: f64,
    /// Components with frequencies scaled to `months / 12`.
    pub components: Vec<ClaimComponent>,
}

/// A simulated member.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Member {
    /// Index into [`Population::profiles`].
    pub profile: u32,
    /// Multiplies every claim amount: risk factor times trend.
    pub severity_scale: f64,
    /// First month of enrollment (1 to 12).
    pub first_month: u8,
    /// Last month of enrollment (1 to 12).
    pub last_month: u8,
}

/// The covered population.
#[derive(Debug, Clone)]
pub struct Population {
    /// Classes as defined in the config.
    pub classes: Vec<ClassInfo>,
    /// Distinct (class, exposure) claim models.
    pub profiles: Vec<Profile>,
    /// Every member, in census order (or class by class).
    pub members: Vec<Member>,
    /// Member ids from the census (empty without one).
    pub member_ids: Vec<String>,
    /// Employee-months by tier.
    pub enrollment: Enrollment,
}

impl Population {
    /// Expected gross claims of the whole population in the plan year
    /// (closed form: sum of frequency mean x severity mean x scale).
    pub fn expected_gross_claims(&self) -> f64 {
        self.members
            .iter()
            .map(|m| {
                let p = &self.profiles[m.profile as usize];
                m.severity_scale
                    * p.components
                        .iter()
                        .map(|c| c.frequency.mean() * c.severity.mean())
                        .sum::<f64>()
            })
            .sum()
    }

    /// Simulated member-years in one trial.
    pub fn member_count(&self) -> usize {
        self.members.len()
    }

    /// Average employees enrolled (the PEPM basis).
    pub fn employees(&self) -> f64 {
        self.enrollment.employees()
    }
}
