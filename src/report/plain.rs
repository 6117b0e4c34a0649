//! The one-page summary for a CFO: what to buy, the budget, the bad-year
//! cost, what the aggregate buys and the saving against fully insured, in
//! plain sentences, and the recommendation's key figures per year, per
//! employee per month (PEPM) and per member per month (PMPM). The report
//! and the workbook share it; the analyst's wording (se, TVaR, paired
//! differences) stays in [`crate::analysis::text`].

use crate::format::{money_short, monthly, percent_small};
use crate::results::{CandidateResult, Results};

/// Cost of COBRA continuation coverage as a share of the plan's cost: the
/// federal rules allow up to 102% (the 2% covers administration).
pub const COBRA_FACTOR: f64 = 1.02;

/// Converts annual dollars of a study to per-month rates.
#[derive(Debug, Clone, Copy)]
pub struct PerMonth {
    /// Employee-months of the plan year.
    pub employee_months: f64,
    /// Member-months of the plan year.
    pub member_months: f64,
}

impl PerMonth {
    /// The bases of a run.
    pub fn of(results: &Results) -> Self {
        PerMonth {
            employee_months: results.population.employee_months(),
            member_months: results.population.member_months(),
        }
    }

    /// Annual dollars per employee per month.
    pub fn pepm(&self, annual: f64) -> f64 {
        annual / self.employee_months
    }

    /// Annual dollars per member per month.
    pub fn pmpm(&self, annual: f64) -> f64 {
        annual / self.member_months
    }
}

/// The recommended candidate (the first when the run has no decision).
pub fn recommended(results: &Results) -> Option<&CandidateResult> {
    let label = results.decision.as_ref().map(|d| d.recommended.as_str());
    results
        .candidates
        .iter()
        .find(|c| Some(c.label.as_str()) == label)
        .or(results.candidates.first())
}

/// A candidate as a buyer names it: "the $150k specific with no aggregate".
pub fn offer(c: &CandidateResult) -> String {
    let specific = match c.specific_deductible {
        Some(d) => format!("the {} specific", money_short(d)),
        None => "no specific cover".to_string(),
    };
    let aggregate = match c.aggregate_attachment {
        Some(a) => format!("an aggregate attaching at {}", money_short(a)),
        None => "no aggregate".to_string(),
    };
    format!("{specific} with {aggregate}")
}

/// "1 year in 12" for a probability (none for zero).
fn one_in(p: f64) -> String {
    if p <= 0.0 {
        "in none of the simulated years".into()
    } else {
        let n = (1.0 / p).round().max(1.0);
        format!("in about 1 year in {n:.0} ({})", percent_small(p))
    }
}

/// Names of the claim components that no aggregate covers.
pub fn outside_aggregate(results: &Results) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    if let Some(a) = &results.assumptions {
        for k in a.classes.iter().flat_map(|c| &c.components) {
            if !k.aggregate && !names.contains(&k.name) {
                names.push(k.name.clone());
            }
        }
    }
    names
}

/// What the market's maximum liability leaves out, in words.
pub fn market_liability_note(results: &Results) -> String {
    let outside = outside_aggregate(results);
    let mut parts = vec!["claims beyond the aggregate maximum".to_string()];
    if super::has_timing(results) {
        parts.push(
            "claims outside the aggregate's basis (run-out after its paid window)".to_string(),
        );
    }
    if !outside.is_empty() {
        parts.insert(
            0,
            format!("{} claims (outside the aggregate)", outside.join(", ")),
        );
    }
    format!(
        "fixed costs plus the aggregate attachment; not capped: {}",
        parts.join(" and ")
    )
}

/// ", but its TVaR 95% ($8.8M) would exceed the limit of $8.7M." when
/// candidate `c` breaks the rule's cap (dollar measures only).
fn over_limit(results: &Results, c: &CandidateResult) -> Option<String> {
    let d = results.decision.as_ref()?;
    let cap = d.rule.max_risk?;
    let measure = d
        .rule
        .risk_measure
        .parse::<crate::model::RiskMeasure>()
        .ok()?;
    if !measure.in_dollars() {
        return None;
    }
    let p = d.frontier.iter().find(|p| p.label == c.label)?;
    (p.rule_risk.value > cap).then(|| {
        format!(
            ", but its {} ({}) would exceed the limit of {}.",
            measure.describe(),
            money_short(p.rule_risk.value),
            money_short(cap)
        )
    })
}

/// What the aggregate buys, against the same specific without it (or with
/// the cheapest aggregate when the recommendation has none).
fn aggregate_sentence(results: &Results, rec: &CandidateResult, pm: PerMonth) -> Option<String> {
    let same_specific = |c: &&CandidateResult| c.specific_label == rec.specific_label;
    if let Some(a) = rec.aggregate_attachment {
        let p = rec.prob_aggregate_attaches.map_or(0.0, |p| p.mean);
        let mut s = format!(
            "The aggregate costs {} a year ({} PEPM) and pays {}, {} a year on average; it caps the plan's cost at {} ({}).",
            money_short(rec.aggregate_premium.mean),
            monthly(pm.pepm(rec.aggregate_premium.mean)),
            one_in(p),
            money_short(rec.aggregate_reimbursement.mean),
            money_short(rec.market_max_liability().unwrap_or(a)),
            market_liability_note(results)
        );
        if let Some(without) = results
            .candidates
            .iter()
            .filter(same_specific)
            .find(|c| c.aggregate_attachment.is_none())
        {
            let diff = without.employer_cost.mean - rec.employer_cost.mean;
            s.push_str(&format!(
                " Without it the expected cost would be {} {} and the 1-in-20 year {}",
                money_short(diff.abs()),
                if diff >= 0.0 { "higher" } else { "lower" },
                money_short(without.employer_cost.percentiles.p95)
            ));
            s.push_str(&over_limit(results, without).unwrap_or_else(|| ".".into()));
        }
        return Some(s);
    }
    let alt = results
        .candidates
        .iter()
        .filter(same_specific)
        .filter(|c| c.aggregate_attachment.is_some())
        .min_by(|a, b| a.employer_cost.mean.total_cmp(&b.employer_cost.mean))?;
    let diff = alt.employer_cost.mean - rec.employer_cost.mean;
    let p = alt.prob_aggregate_attaches.map_or(0.0, |p| p.mean);
    Some(format!(
        "Adding {} would cost {} {} a year on average ({} PEPM); it would pay {} and cap the plan's cost at {} ({}).",
        offer(alt).split(" with ").nth(1).unwrap_or("an aggregate"),
        money_short(diff.abs()),
        if diff >= 0.0 { "more" } else { "less" },
        monthly(pm.pepm(diff.abs())),
        one_in(p),
        money_short(alt.market_max_liability().unwrap_or(f64::NAN)),
        market_liability_note(results)
    ))
}

/// The summary in plain sentences (empty for a run without candidates).
pub fn summary(results: &Results) -> Vec<String> {
    let Some(rec) = recommended(results) else {
        return Vec::new();
    };
    let pm = PerMonth::of(results);
    let e = &rec.employer_cost;
    let mut out = Vec::new();
    let meets_cap = results.decision.as_ref().is_none_or(|d| d.meets_cap);
    let verb = if meets_cap {
        "Buy".to_string()
    } else {
        "No option meets the stated risk limit; the least risky is to buy".to_string()
    };
    out.push(format!(
        "{verb} {}: budget {} for the year ({} per employee per month, {} per member per month); in a 1-in-20 bad year the plan costs {} ({} PEPM), in a 1-in-100 year {}.",
        offer(rec),
        money_short(e.mean),
        monthly(pm.pepm(e.mean)),
        monthly(pm.pmpm(e.mean)),
        money_short(e.percentiles.p95),
        monthly(pm.pepm(e.percentiles.p95)),
        money_short(e.percentiles.p99),
    ));
    if let Some(s) = aggregate_sentence(results, rec, pm) {
        out.push(s);
    }
    let fi = results
        .decision
        .as_ref()
        .and_then(|d| d.fully_insured.as_ref());
    if let Some(fi) = fi {
        if let Some(c) = fi.candidates.iter().find(|c| c.label == rec.label) {
            let saving = c.expected_saving.mean;
            out.push(format!(
                "Against the fully insured premium of {}, self-funding {} {} a year on average ({} PEPM); it costs more than the premium {}.",
                money_short(fi.premium),
                if saving >= 0.0 { "saves" } else { "costs" },
                money_short(saving.abs()),
                monthly(pm.pepm(saving.abs())),
                one_in(c.prob_self_funding_costs_more.mean)
            ));
        }
    }
    out.push(format!(
        "Monthly funding rate: {} per employee per month (the expected cost, composite over tiers); a COBRA-style rate at 102% would be {}.",
        monthly(pm.pepm(e.mean)),
        monthly(COBRA_FACTOR * pm.pepm(e.mean))
    ));
    out
}

/// The recommendation's key figures: (what, annual dollars), each shown
/// per year, PEPM and PMPM.
pub fn key_figures(results: &Results) -> Vec<(String, f64)> {
    let Some(rec) = recommended(results) else {
        return Vec::new();
    };
    let e = &rec.employer_cost;
    let mut rows = vec![
        ("Expected cost (the budget)".to_string(), e.mean),
        (
            "1-in-20 bad year (95th percentile)".to_string(),
            e.percentiles.p95,
        ),
        (
            "1-in-100 bad year (99th percentile)".to_string(),
            e.percentiles.p99,
        ),
        (
            "Claims the plan keeps (expected)".to_string(),
            rec.retained_claims.mean,
        ),
        ("Specific premium".to_string(), rec.specific_premium.mean),
        ("Aggregate premium".to_string(), rec.aggregate_premium.mean),
        ("Administration fees".to_string(), rec.fees.mean),
        (
            "Fixed costs (premiums + fees)".to_string(),
            rec.fixed_costs(),
        ),
    ];
    if let Some(m) = rec.market_max_liability() {
        rows.push(("Maximum liability (market convention)".to_string(), m));
    }
    if let Some(fi) = results
        .decision
        .as_ref()
        .and_then(|d| d.fully_insured.as_ref())
    {
        rows.push(("Fully insured premium".to_string(), fi.premium));
    }
    rows
}
