//! The `population` section: classes or a census, each member's profile of
//! claim components, enrollment by tier.

use super::*;
use crate::config::census::{read_census, CensusRow};
use crate::config::limits::{text_problem, MAX_LABEL_CHARS};
use crate::error::{ConfigError, ErrorKind};
use std::collections::{BTreeMap, HashMap, HashSet};

pub(super) fn population(
    raw: &RawPopulation,
    ctx: &Ctx,
    trend: Trend,
    warnings: &mut Vec<String>,
) -> Result<Population, ConfigError> {
    if raw.classes.is_empty() {
        return Err(ctx.err("population.classes", "must define at least one class"));
    }
    let mut names = HashSet::new();
    let mut classes = Vec::new();
    let mut heavy = Vec::new();
    for (i, c) in raw.classes.iter().enumerate() {
        let path = format!("population.classes[{i}]");
        if let Some(problem) = text_problem(&c.name, MAX_LABEL_CHARS, false) {
            return Err(ctx.err(format!("{path}.name"), problem));
        }
        if !names.insert(c.name.clone()) {
            return Err(ctx.err(
                format!("{path}.name"),
                format!("class `{}` is defined twice", c.name),
            ));
        }
        if c.claims.is_empty() {
            return Err(ctx.err(
                format!("{path}.claims"),
                "must list at least one claim component",
            ));
        }
        let mut comp_names = HashSet::new();
        let mut components = Vec::new();
        for (j, rc) in c.claims.iter().enumerate() {
            let cpath = format!("{path}.claims[{j}]");
            if !comp_names.insert(rc.name.clone()) {
                return Err(ctx.err(
                    format!("{cpath}.name"),
                    format!("component `{}` is defined twice in this class", rc.name),
                ));
            }
            let comp = component(rc, ctx, &cpath)?;
            if let Some(alpha) = comp.severity.tail_index().filter(|a| *a <= 2.0) {
                heavy.push(format!("{} / {} (alpha {alpha})", c.name, rc.name));
            }
            components.push(comp);
        }
        classes.push(ClassInfo {
            name: c.name.clone(),
            members: 0,
            employees: 0.0,
            components,
        });
    }
    if !heavy.is_empty() {
        warnings.push(format!(
            "Pareto tail index <= 2 (infinite variance) in {}: means of excess layers converge slowly and their standard errors are themselves noisy; run more trials",
            heavy.join(", ")
        ));
    }
    let scale = trend.factor();
    let population = match &raw.census {
        None => population_from_classes(raw, ctx, classes, scale)?,
        Some(census) => population_from_census(raw, ctx, classes, scale, census)?,
    };
    let claims: f64 = population
        .members
        .iter()
        .map(|m| {
            population.profiles[m.profile as usize]
                .components
                .iter()
                .map(|c| c.frequency.mean())
                .sum::<f64>()
        })
        .sum();
    if claims > MAX_CLAIMS_PER_YEAR {
        return Err(ctx.err(
            "population.classes",
            format!(
                "the population expects {claims:.3e} claims a plan year; at most 1e9 are allowed (every trial draws each one)"
            ),
        ));
    }
    Ok(population)
}

/// Frequency scaled to `months` of exposure, sharing work across members.
pub(super) struct ProfileBuilder<'a> {
    classes: &'a [ClassInfo],
    index: HashMap<(usize, u64), u32>,
    profiles: Vec<Profile>,
}

impl<'a> ProfileBuilder<'a> {
    fn new(classes: &'a [ClassInfo]) -> Self {
        ProfileBuilder {
            classes,
            index: HashMap::new(),
            profiles: Vec::new(),
        }
    }
    fn get(&mut self, class: usize, months: f64) -> u32 {
        let key = (class, months.to_bits());
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let exposure = months / 12.0;
        let components = self.classes[class]
            .components
            .iter()
            .map(|c| ClaimComponent {
                frequency: c.frequency.with_exposure(exposure),
                ..c.clone()
            })
            .collect();
        let i = self.profiles.len() as u32;
        self.profiles.push(Profile {
            class,
            months,
            components,
        });
        self.index.insert(key, i);
        i
    }
}

pub(super) fn population_from_classes(
    raw: &RawPopulation,
    ctx: &Ctx,
    mut classes: Vec<ClassInfo>,
    scale: f64,
) -> Result<Population, ConfigError> {
    let mut enrollment = Enrollment::default();
    let mut counts = Vec::new();
    let mut total_members = 0u64;
    for (i, c) in raw.classes.iter().enumerate() {
        let path = format!("population.classes[{i}]");
        let employees = c.employees.as_ref().ok_or_else(|| {
            ctx.err(
                format!("{path}.employees"),
                "is required without a census: a number, or an object of counts by tier",
            )
        })?;
        let count = |p: String, x: f64| -> Result<f64, ConfigError> {
            if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= MAX_MEMBERS as f64 {
                Ok(x)
            } else {
                Err(ctx.err(
                    p,
                    format!("must be a whole number between 0 and {MAX_MEMBERS}, got {x}"),
                ))
            }
        };
        let total_employees = match employees {
            RawRate::Composite(n) => {
                let n = count(format!("{path}.employees"), *n)?;
                enrollment.add(c.tier.as_deref().unwrap_or(COMPOSITE_TIER), n, 12.0);
                n
            }
            RawRate::ByTier(m) => {
                if c.tier.is_some() {
                    return Err(ctx.err(
                        format!("{path}.tier"),
                        "is not allowed when employees are given by tier",
                    ));
                }
                let mut sum = 0.0;
                for (tier, n) in m {
                    let n = count(format!("{path}.employees.{tier}"), *n)?;
                    enrollment.add(tier, n, 12.0);
                    sum += n;
                }
                sum
            }
        };
        let members = count(
            format!("{path}.members"),
            c.members.unwrap_or(total_employees),
        )? as u64;
        total_members += members;
        classes[i].members = members;
        classes[i].employees = total_employees;
        counts.push(members);
    }
    if total_members == 0 {
        return Err(ctx.err(
            "population.classes",
            "the classes hold no members: give members (or employees) greater than 0",
        ));
    }
    if total_members > MAX_MEMBERS {
        return Err(ctx.err(
            "population.classes",
            format!("the classes hold {total_members} members; at most {MAX_MEMBERS} are allowed"),
        ));
    }
    let mut builder = ProfileBuilder::new(&classes);
    let mut members = Vec::with_capacity(total_members as usize);
    for (i, &n) in counts.iter().enumerate() {
        let profile = builder.get(i, 12.0);
        members.extend((0..n).map(|_| Member {
            profile,
            severity_scale: scale,
            first_month: 1,
            last_month: 12,
        }));
    }
    let profiles = builder.profiles;
    Ok(Population {
        classes,
        profiles,
        members,
        member_ids: Vec::new(),
        enrollment,
    })
}

pub(super) fn population_from_census(
    raw: &RawPopulation,
    ctx: &Ctx,
    mut classes: Vec<ClassInfo>,
    scale: f64,
    census: &str,
) -> Result<Population, ConfigError> {
    for (i, c) in raw.classes.iter().enumerate() {
        let path = format!("population.classes[{i}]");
        if c.employees.is_some() {
            return Err(ctx.err(
                format!("{path}.employees"),
                "is not allowed with a census: the census gives the counts",
            ));
        }
        if c.members.is_some() {
            return Err(ctx.err(
                format!("{path}.members"),
                "is not allowed with a census: the census gives the counts",
            ));
        }
    }
    let names: Vec<String> = classes.iter().map(|c| c.name.clone()).collect();
    let census_path = ctx.data_path("population.census", census)?;
    let rows = read_census(&census_path, &names)?;
    let census_file = census_path.display().to_string();
    if rows.len() as u64 > MAX_MEMBERS {
        return Err(ConfigError::new(
            ErrorKind::Census,
            census_file,
            "",
            format!(
                "lists {} members; at most {MAX_MEMBERS} are allowed",
                rows.len()
            ),
        ));
    }
    // Employees: months = the longest exposure of their members; tier from
    // the census (consistent across the employee's rows) or the class.
    struct Employee<'r> {
        months: f64,
        first: u8,
        last: u8,
        spans: bool,
        tier: String,
        tier_row: &'r CensusRow,
    }
    let mut employees: BTreeMap<&str, Employee> = BTreeMap::new();
    for row in &rows {
        let tier = row
            .tier
            .clone()
            .or_else(|| raw.classes[row.class].tier.clone())
            .unwrap_or_else(|| COMPOSITE_TIER.to_string());
        match employees.get_mut(row.employee_id.as_str()) {
            None => {
                employees.insert(
                    &row.employee_id,
                    Employee {
                        months: row.months,
                        first: row.first_month,
                        last: row.last_month,
                        spans: (row.first_month, row.last_month) != (1, 12),
                        tier,
                        tier_row: row,
                    },
                );
            }
            Some(e) => {
                if row.tier.is_some() && e.tier != tier {
                    return Err(ConfigError::new(
                        ErrorKind::Census,
                        census_file,
                        format!("line {} (tier)", row.line),
                        format!(
                            "employee `{}` is in tier `{tier}` here but `{}` on line {}; an employee has one tier",
                            row.employee_id, e.tier, e.tier_row.line
                        ),
                    ));
                }
                e.months = e.months.max(row.months);
                e.first = e.first.min(row.first_month);
                e.last = e.last.max(row.last_month);
                e.spans |= (row.first_month, row.last_month) != (1, 12);
            }
        }
    }
    let mut enrollment = Enrollment::default();
    for e in employees.values() {
        if e.spans {
            enrollment.add_span(&e.tier, 1.0, e.first, e.last, e.months);
        } else {
            enrollment.add(&e.tier, 1.0, e.months);
        }
    }
    let mut builder = ProfileBuilder::new(&classes);
    let mut members = Vec::with_capacity(rows.len());
    let mut member_ids = Vec::with_capacity(rows.len());
    for row in &rows {
        let profile = builder.get(row.class, row.months);
        members.push(Member {
            profile,
            severity_scale: scale * row.risk_factor,
            first_month: row.first_month,
            last_month: row.last_month,
        });
        member_ids.push(row.member_id.clone());
    }
    let profiles = builder.profiles;
    let mut class_employees = vec![HashSet::new(); classes.len()];
    for row in &rows {
        classes[row.class].members += 1;
        class_employees[row.class].insert(row.employee_id.as_str());
    }
    for (c, e) in classes.iter_mut().zip(&class_employees) {
        c.employees = e.len() as f64;
    }
    Ok(Population {
        classes,
        profiles,
        members,
        member_ids,
        enrollment,
    })
}
