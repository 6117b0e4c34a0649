//! The manual-rate file of `stoploss fit --manual`: base PMPM, the user's
//! age/sex table, area, plan, industry and trend factors, the rated
//! members (inline or a CSV), the claim distribution at factor 1 and the
//! scaling. Every error names its JSON path, or the CSV's line and column.

use super::*;
use crate::model::manual::{factor_of, AgeSexFactor, ManualMember, ManualRate, Scaling, Sex};

/// The largest members CSV read.
const MAX_MEMBERS_CSV_BYTES: u64 = 64 * 1024 * 1024;
/// The oldest age a table row or member may give.
const MAX_AGE: u32 = 120;

/// Validates a raw manual-rate file.
pub(crate) fn manual_rate(raw: &RawManualRate, ctx: &Ctx) -> Result<ManualRate, ConfigError> {
    let base_pmpm = dollar_amount(ctx, "base_pmpm", raw.base_pmpm)?;
    if raw.factors.is_empty() {
        return Err(ctx.err(
            "factors",
            "give at least one row {\"sex\": \"F\" or \"M\", \"age_from\", \"age_to\", \"factor\"}: the age/sex table is the user's (none is shipped)",
        ));
    }
    let mut factors = Vec::with_capacity(raw.factors.len());
    for (i, r) in raw.factors.iter().enumerate() {
        let path = format!("factors[{i}]");
        let sex = sex(ctx, &format!("{path}.sex"), &r.sex)?;
        if r.age_from > r.age_to || r.age_to > MAX_AGE {
            return Err(ctx.err(
                format!("{path}.age_to"),
                format!(
                    "the band must run from age_from to age_to, 0 <= age_from <= age_to <= {MAX_AGE}, got {} to {}",
                    r.age_from, r.age_to
                ),
            ));
        }
        if let Some(j) = factors.iter().position(|f: &AgeSexFactor| {
            f.sex == sex && f.age_from <= r.age_to && r.age_from <= f.age_to
        }) {
            return Err(ctx.err(
                path,
                format!("overlaps factors[{j}] for the same sex: each age and sex needs exactly one factor"),
            ));
        }
        factors.push(AgeSexFactor {
            sex,
            age_from: r.age_from,
            age_to: r.age_to,
            factor: factor(ctx, &format!("{path}.factor"), r.factor)?,
        });
    }
    let opt_factor = |name: &str, v: Option<f64>| v.map_or(Ok(1.0), |x| factor(ctx, name, x));
    let trend = raw.trend.unwrap_or(0.0);
    if !(-0.5..=1.0).contains(&trend) {
        return Err(ctx.err(
            "trend",
            format!(
                "must be an annual rate from -0.5 to 1 (0.07 for 7%), got {}",
                num(trend)
            ),
        ));
    }
    let trend_years = raw.trend_years.unwrap_or(0.0);
    if !(0.0..=10.0).contains(&trend_years) {
        return Err(ctx.err(
            "trend_years",
            format!("must be from 0 to 10 years (base-period midpoint to rating-period midpoint), got {}", num(trend_years)),
        ));
    }
    let members = match (&raw.members, &raw.members_csv) {
        (Some(list), None) => inline_members(ctx, list, &factors)?,
        (None, Some(file)) => csv_members(&ctx.data_path("members_csv", file)?, &factors)?,
        _ => {
            return Err(ctx.err(
                "members",
                "give exactly one of `members` (a list of {\"age\", \"sex\", \"months\"}) and `members_csv` (a file with columns age, sex and optionally months)",
            ))
        }
    };
    let claim_probability = raw.claim_distribution.probability.unwrap_or(1.0);
    fraction(
        ctx,
        "claim_distribution.probability",
        claim_probability,
        "a probability",
    )?;
    let scaling = match raw.scaling.as_deref() {
        None | Some("severity") => Scaling::Severity,
        Some("frequency") => Scaling::Frequency,
        Some(other) => {
            return Err(ctx.err(
                "scaling",
                format!("must be \"severity\" (factors multiply amounts, as the census's risk_factor does) or \"frequency\" (factors multiply the chance of a claim), got {:?}", snippet(other)),
            ))
        }
    };
    if scaling == Scaling::Frequency {
        let worst = members.iter().map(|m| m.factor).fold(0.0, f64::max);
        if claim_probability * worst > 1.0 {
            return Err(ctx.err(
                "claim_distribution.probability",
                format!("with frequency scaling a member's chance of a claim is probability x factor, and {} x {} is above 1", num(claim_probability), num(worst)),
            ));
        }
    }
    let corridor = raw.corridor.unwrap_or(1.25);
    if !(1.0..=3.0).contains(&corridor) {
        return Err(ctx.err(
            "corridor",
            format!("must be from 1 to 3 (1.25 for an aggregate attachment at 125% of expected), got {}", num(corridor)),
        ));
    }
    if let Some(d) = &raw.description {
        if let Some(problem) = text_problem(d, MAX_DESCRIPTION_CHARS, true) {
            return Err(ctx.err("description", problem));
        }
    }
    Ok(ManualRate {
        description: raw.description.clone(),
        base_pmpm,
        factors,
        area: opt_factor("area", raw.area)?,
        plan: opt_factor("plan", raw.plan)?,
        industry: opt_factor("industry", raw.industry)?,
        trend,
        trend_years,
        members,
        claim_probability,
        severity: severity(
            &raw.claim_distribution.severity,
            ctx,
            "claim_distribution.severity",
        )?,
        scaling,
        corridor,
    })
}

fn factor(ctx: &Ctx, path: &str, x: f64) -> Result<f64, ConfigError> {
    if x.is_finite() && x > 0.0 && x <= 100.0 {
        Ok(x)
    } else {
        Err(ctx.err(
            path,
            format!(
                "must be a factor greater than 0 and at most 100, got {}",
                num(x)
            ),
        ))
    }
}

/// `F`/`f` or `M`/`m`, as the file and the members CSV spell it.
fn parse_sex(s: &str) -> Option<Sex> {
    match s {
        "F" | "f" => Some(Sex::F),
        "M" | "m" => Some(Sex::M),
        _ => None,
    }
}

fn sex(ctx: &Ctx, path: &str, s: &str) -> Result<Sex, ConfigError> {
    parse_sex(s).ok_or_else(|| {
        ctx.err(
            path,
            format!("must be \"F\" or \"M\", got {:?}", snippet(s)),
        )
    })
}

fn member(
    ctx: &Ctx,
    path: &str,
    age: u32,
    sex: Sex,
    months: f64,
    table: &[AgeSexFactor],
) -> Result<ManualMember, ConfigError> {
    if age > MAX_AGE {
        return Err(ctx.err(
            format!("{path}.age"),
            format!("must be from 0 to {MAX_AGE}, got {age}"),
        ));
    }
    if !(months > 0.0 && months <= 12.0) {
        return Err(ctx.err(
            format!("{path}.months"),
            format!("must be more than 0 and at most 12, got {}", num(months)),
        ));
    }
    let factor = factor_of(table, age, sex).ok_or_else(|| {
        ctx.err(
            path,
            format!("no row of `factors` covers age {age}, sex {sex:?}: the table must cover every rated member"),
        )
    })?;
    Ok(ManualMember {
        age,
        sex,
        months,
        factor,
    })
}

fn inline_members(
    ctx: &Ctx,
    list: &[RawManualMember],
    table: &[AgeSexFactor],
) -> Result<Vec<ManualMember>, ConfigError> {
    if list.is_empty() {
        return Err(ctx.err("members", "must list at least one member"));
    }
    list.iter()
        .enumerate()
        .map(|(i, m)| {
            let path = format!("members[{i}]");
            let s = sex(ctx, &format!("{path}.sex"), &m.sex)?;
            member(ctx, &path, m.age, s, m.months.unwrap_or(12.0), table)
        })
        .collect()
}

/// Members from a CSV with a header naming `age`, `sex` and optionally
/// `months` (other columns, such as a member id, are ignored).
fn csv_members(path: &Path, table: &[AgeSexFactor]) -> Result<Vec<ManualMember>, ConfigError> {
    let file = path.display().to_string();
    let bytes = super::super::files::read_limited(path, MAX_MEMBERS_CSV_BYTES, "members files")?;
    let bad = |loc: String, msg: String| ConfigError::new(ErrorKind::DataFile, &file, loc, msg);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes.as_slice());
    let header = reader
        .headers()
        .map_err(|e| bad("line 1".into(), e.to_string()))?
        .clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
    };
    let (Some(age_col), Some(sex_col)) = (col("age"), col("sex")) else {
        return Err(bad(
            "line 1".into(),
            "the header must name the columns `age` and `sex` (and optionally `months`)".into(),
        ));
    };
    let months_col = col("months");
    let mut members = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            bad(format!("line {line}"), e.to_string())
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        let at = |c: usize, name: &str| format!("line {line}, column {} ({name})", c + 1);
        let cell = |c: usize| rec.get(c).unwrap_or("");
        let age: u32 = cell(age_col)
            .parse()
            .ok()
            .filter(|a| *a <= MAX_AGE)
            .ok_or_else(|| bad(at(age_col, "age"), format!("`{}` is not allowed: age must be a whole number of years from 0 to {MAX_AGE}", snippet(cell(age_col)))))?;
        let sex = parse_sex(cell(sex_col)).ok_or_else(|| {
            bad(
                at(sex_col, "sex"),
                format!(
                    "`{}` is not allowed: sex must be F or M",
                    snippet(cell(sex_col))
                ),
            )
        })?;
        let months = match months_col.map(cell) {
            None | Some("") => 12.0,
            Some(raw) => raw
                .parse::<f64>()
                .ok()
                .filter(|m| *m > 0.0 && *m <= 12.0)
                .ok_or_else(|| {
                    bad(
                        at(months_col.unwrap_or(0), "months"),
                        format!(
                            "`{}` is not allowed: months must be more than 0 and at most 12",
                            snippet(raw)
                        ),
                    )
                })?,
        };
        let factor = factor_of(table, age, sex).ok_or_else(|| {
            bad(format!("line {line}"), format!("no row of `factors` covers age {age}, sex {sex:?}: the table must cover every rated member"))
        })?;
        members.push(ManualMember {
            age,
            sex,
            months,
            factor,
        });
    }
    if members.is_empty() {
        return Err(bad("line 2".into(), "the members file has no rows".into()));
    }
    Ok(members)
}
