//! `workbook.xlsx`: the results as a consultant's workbook. A summary sheet
//! laid out like a broker's side-by-side marketing exhibit (one column per
//! candidate), a candidates sheet (one row per candidate, every figure and
//! its se, frozen header, autofilter), the assumptions, and the exceedance
//! curves and the frontier as native Excel charts. Figures that are
//! arithmetic on others (fixed costs, PEPM and PMPM, the market's maximum
//! liability, the saving against fully insured) are live formulas, with
//! their values cached so viewers that do not recalculate show them too.

use super::{brief, plain, run_line, ExportError, Exporter};
use crate::results::{CandidateResult, Results, PERCENTILE_LEVELS, TVAR_LEVELS};
use rust_xlsxwriter::{
    utility::row_col_to_cell, Chart, ChartType, Format, FormatAlign, FormatBorder, Formula,
    Workbook, Worksheet, XlsxError,
};

/// The workbook.
#[derive(Debug, Default, Clone, Copy)]
pub struct XlsxExporter;

/// Where the assumptions sheet keeps the bases formulas divide by.
const EMPLOYEE_MONTHS: &str = "EmployeeMonths";
const MEMBER_MONTHS: &str = "MemberMonths";
const FULLY_INSURED: &str = "FullyInsuredPremium";

impl From<XlsxError> for ExportError {
    fn from(e: XlsxError) -> Self {
        ExportError::Xlsx(e.to_string())
    }
}

/// The cell formats of the workbook.
struct Formats {
    money: Format,
    monthly: Format,
    percent: Format,
    header: Format,
    bold: Format,
    title: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            money: Format::new().set_num_format("$#,##0"),
            monthly: Format::new().set_num_format("$#,##0.00"),
            percent: Format::new().set_num_format("0.00%"),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color(0xF3F3F3)
                .set_border_bottom(FormatBorder::Thin),
            bold: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(14),
        }
    }
}

/// A formula with its value cached.
fn formula(text: String, value: f64) -> Formula {
    Formula::new(text).set_result(format!("{value}"))
}

/// A number, or text such as "unbounded" for a figure that has none.
fn number_or(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    x: Option<f64>,
    none: &str,
    f: &Format,
) -> Result<(), XlsxError> {
    match x.filter(|x| x.is_finite()) {
        Some(x) => ws.write_number_with_format(row, col, x, f)?,
        None => ws.write_string(row, col, none)?,
    };
    Ok(())
}

/// Rows of the summary exhibit, in order.
const EXHIBIT: [&str; 20] = [
    "Role",
    "Specific deductible",
    "Aggregate attachment",
    "Specific premium (annual)",
    "Aggregate premium (annual)",
    "Administration fees (annual)",
    "Fixed costs (premiums + fees)",
    "Fixed costs PEPM",
    "Expected claims kept",
    "Expected annual cost",
    "Expected annual cost PEPM",
    "Expected annual cost PMPM",
    "1-in-20 year (95th percentile)",
    "1-in-20 year PEPM",
    "Rule's risk measure",
    "Maximum liability (market convention)",
    "Maximum liability (strict bound)",
    "P(aggregate pays)",
    "Saving vs fully insured",
    "P(self-funding costs more than fully insured)",
];

fn row_of(name: &str) -> u32 {
    4 + EXHIBIT
        .iter()
        .position(|r| *r == name)
        .expect("exhibit row") as u32
}

fn summary_sheet(results: &Results, fm: &Formats) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name("Summary")?;
    let pm = plain::PerMonth::of(results);
    let client = results.assumptions.as_ref().and_then(|a| a.client.clone());
    let title = match &client {
        Some(c) => format!("{c}: stop-loss options side by side"),
        None => format!("{}: stop-loss options side by side", results.name),
    };
    ws.write_string_with_format(0, 0, &title, &fm.title)?;
    ws.write_string(
        1,
        0,
        format!(
            "Prepared {}. {}. Study {}.",
            brief::report_date(),
            run_line(results),
            results.name
        ),
    )?;
    ws.set_column_width(0, 44)?;
    ws.write_string_with_format(3, 0, "", &fm.header)?;
    for (i, name) in EXHIBIT.iter().enumerate() {
        ws.write_string_with_format(4 + i as u32, 0, *name, &fm.bold)?;
    }
    let d = results.decision.as_ref();
    let fi = d.and_then(|d| d.fully_insured.as_ref());
    for (i, c) in results.candidates.iter().enumerate() {
        let col = 1 + i as u16;
        let cell = |name: &str| row_col_to_cell(row_of(name), col);
        ws.set_column_width(col, 17)?;
        ws.write_string_with_format(3, col, &c.label, &fm.header)?;
        let role = match d {
            Some(d) if d.recommended == c.label => "recommended",
            Some(d) if d.runner_up.as_deref() == Some(c.label.as_str()) => "runner-up",
            _ => "",
        };
        ws.write_string(row_of("Role"), col, role)?;
        number_or(
            &mut ws,
            row_of("Specific deductible"),
            col,
            c.specific_deductible,
            "none",
            &fm.money,
        )?;
        number_or(
            &mut ws,
            row_of("Aggregate attachment"),
            col,
            c.aggregate_attachment,
            "none",
            &fm.money,
        )?;
        let put = |ws: &mut Worksheet, name: &str, x: f64, f: &Format| {
            ws.write_number_with_format(row_of(name), col, x, f)
                .map(|_| ())
        };
        put(
            &mut ws,
            "Specific premium (annual)",
            c.specific_premium.mean,
            &fm.money,
        )?;
        put(
            &mut ws,
            "Aggregate premium (annual)",
            c.aggregate_premium.mean,
            &fm.money,
        )?;
        put(
            &mut ws,
            "Administration fees (annual)",
            c.fees.mean,
            &fm.money,
        )?;
        let fixed = formula(
            format!(
                "={}+{}+{}",
                cell("Specific premium (annual)"),
                cell("Aggregate premium (annual)"),
                cell("Administration fees (annual)")
            ),
            c.fixed_costs(),
        );
        ws.write_formula_with_format(
            row_of("Fixed costs (premiums + fees)"),
            col,
            fixed,
            &fm.money,
        )?;
        let per = |ws: &mut Worksheet, name: &str, of: &str, basis: &str, v: f64| {
            ws.write_formula_with_format(
                row_of(name),
                col,
                formula(format!("={}/{basis}", cell(of)), v),
                &fm.monthly,
            )
            .map(|_| ())
        };
        per(
            &mut ws,
            "Fixed costs PEPM",
            "Fixed costs (premiums + fees)",
            EMPLOYEE_MONTHS,
            pm.pepm(c.fixed_costs()),
        )?;
        put(
            &mut ws,
            "Expected claims kept",
            c.retained_claims.mean,
            &fm.money,
        )?;
        let e = &c.employer_cost;
        put(&mut ws, "Expected annual cost", e.mean, &fm.money)?;
        per(
            &mut ws,
            "Expected annual cost PEPM",
            "Expected annual cost",
            EMPLOYEE_MONTHS,
            pm.pepm(e.mean),
        )?;
        per(
            &mut ws,
            "Expected annual cost PMPM",
            "Expected annual cost",
            MEMBER_MONTHS,
            pm.pmpm(e.mean),
        )?;
        put(
            &mut ws,
            "1-in-20 year (95th percentile)",
            e.percentiles.p95,
            &fm.money,
        )?;
        per(
            &mut ws,
            "1-in-20 year PEPM",
            "1-in-20 year (95th percentile)",
            EMPLOYEE_MONTHS,
            pm.pepm(e.percentiles.p95),
        )?;
        if let Some(p) = d.and_then(|d| d.frontier.get(i)) {
            let dollars = d.is_some_and(|d| d.rule.risk_measure != "prob_over_budget");
            let f = if dollars { &fm.money } else { &fm.percent };
            put(&mut ws, "Rule's risk measure", p.rule_risk.value, f)?;
        }
        match (c.aggregate_attachment, c.market_max_liability()) {
            (Some(_), Some(m)) => {
                ws.write_formula_with_format(
                    row_of("Maximum liability (market convention)"),
                    col,
                    formula(
                        format!(
                            "={}+{}",
                            cell("Fixed costs (premiums + fees)"),
                            cell("Aggregate attachment")
                        ),
                        m,
                    ),
                    &fm.money,
                )?;
            }
            _ => {
                ws.write_string(
                    row_of("Maximum liability (market convention)"),
                    col,
                    "none (no aggregate)",
                )?;
            }
        }
        number_or(
            &mut ws,
            row_of("Maximum liability (strict bound)"),
            col,
            c.max_liability,
            "unbounded",
            &fm.money,
        )?;
        number_or(
            &mut ws,
            row_of("P(aggregate pays)"),
            col,
            c.prob_aggregate_attaches.map(|p| p.mean),
            "-",
            &fm.percent,
        )?;
        if let Some(f) = fi.and_then(|fi| fi.candidates.get(i)) {
            ws.write_formula_with_format(
                row_of("Saving vs fully insured"),
                col,
                formula(
                    format!("={FULLY_INSURED}-{}", cell("Expected annual cost")),
                    f.expected_saving.mean,
                ),
                &fm.money,
            )?;
            put(
                &mut ws,
                "P(self-funding costs more than fully insured)",
                f.prob_self_funding_costs_more.mean,
                &fm.percent,
            )?;
        }
    }
    let first = row_of(EXHIBIT[EXHIBIT.len() - 1]) + 2;
    for (row, line) in (first..).zip(plain::summary(results)) {
        ws.write_string(row, 0, line)?;
    }
    ws.set_freeze_panes(4, 1)?;
    Ok(ws)
}

/// One column of the candidates sheet: header, value, format.
type Column<'a> = (
    String,
    Box<dyn Fn(&CandidateResult) -> Option<f64> + 'a>,
    &'a Format,
);

fn candidates_sheet(results: &Results, fm: &Formats) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name("Candidates")?;
    let mut cols: Vec<Column> = vec![
        (
            "specific deductible".into(),
            Box::new(|c| c.specific_deductible),
            &fm.money,
        ),
        (
            "aggregate attachment".into(),
            Box::new(|c| c.aggregate_attachment),
            &fm.money,
        ),
        (
            "expected cost".into(),
            Box::new(|c| Some(c.employer_cost.mean)),
            &fm.money,
        ),
        (
            "expected cost se".into(),
            Box::new(|c| Some(c.employer_cost.se)),
            &fm.money,
        ),
        (
            "sd".into(),
            Box::new(|c| Some(c.employer_cost.sd)),
            &fm.money,
        ),
    ];
    for l in PERCENTILE_LEVELS {
        cols.push((
            format!("percentile {}", l.percent()),
            Box::new(move |c| c.employer_cost.percentiles.at(l.permille).copied()),
            &fm.money,
        ));
    }
    for l in TVAR_LEVELS {
        cols.push((
            format!("TVaR {}", l.percent()),
            Box::new(move |c| c.employer_cost.tvar.at(l.permille).copied()),
            &fm.money,
        ));
        cols.push((
            format!("TVaR {} se", l.percent()),
            Box::new(move |c| c.employer_cost.tvar_se.at(l.permille).copied()),
            &fm.money,
        ));
    }
    let est = |name: &str, f: fn(&CandidateResult) -> crate::results::Estimate| -> [Column; 2] {
        [
            (
                name.to_string(),
                Box::new(move |c| Some(f(c).mean)),
                &fm.money,
            ),
            (
                format!("{name} se"),
                Box::new(move |c| Some(f(c).se)),
                &fm.money,
            ),
        ]
    };
    cols.extend(est("kept claims", |c| c.retained_claims));
    cols.extend(est("specific reimbursement", |c| c.specific_reimbursement));
    cols.extend(est("aggregate reimbursement", |c| {
        c.aggregate_reimbursement
    }));
    cols.extend(est("specific premium", |c| c.specific_premium));
    cols.extend(est("aggregate premium", |c| c.aggregate_premium));
    cols.push(("fees".into(), Box::new(|c| Some(c.fees.mean)), &fm.money));
    cols.push((
        "max liability (strict bound)".into(),
        Box::new(|c| c.max_liability),
        &fm.money,
    ));
    cols.push((
        "P(aggregate pays)".into(),
        Box::new(|c| c.prob_aggregate_attaches.map(|p| p.mean)),
        &fm.percent,
    ));
    cols.push((
        "P(aggregate pays) se".into(),
        Box::new(|c| c.prob_aggregate_attaches.map(|p| p.se)),
        &fm.percent,
    ));
    cols.push((
        "P(over budget)".into(),
        Box::new(|c| c.prob_exceeds_budget.map(|p| p.mean)),
        &fm.percent,
    ));
    cols.push((
        "P(over fully insured)".into(),
        Box::new(|c| c.prob_exceeds_fully_insured.map(|p| p.mean)),
        &fm.percent,
    ));
    cols.push((
        "vs baseline".into(),
        Box::new(|c| c.vs_baseline.as_ref().map(|v| v.mean_difference)),
        &fm.money,
    ));
    cols.push((
        "vs baseline se".into(),
        Box::new(|c| c.vs_baseline.as_ref().map(|v| v.se)),
        &fm.money,
    ));

    ws.write_string_with_format(0, 0, "candidate", &fm.header)?;
    ws.set_column_width(0, 30)?;
    let pos = |name: &str| cols.iter().position(|c| c.0 == name).map(|i| 1 + i as u16);
    let (sp, ap, fe, ec, att) = (
        pos("specific premium").expect("column"),
        pos("aggregate premium").expect("column"),
        pos("fees").expect("column"),
        pos("expected cost").expect("column"),
        pos("aggregate attachment").expect("column"),
    );
    for (j, (h, _, _)) in cols.iter().enumerate() {
        ws.write_string_with_format(0, 1 + j as u16, h, &fm.header)?;
        ws.set_column_width(1 + j as u16, 14)?;
    }
    let extra = 1 + cols.len() as u16;
    for (k, h) in [
        "fixed costs",
        "expected cost PEPM",
        "expected cost PMPM",
        "max liability (market convention)",
        "frontier",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(0, extra + k as u16, *h, &fm.header)?;
        ws.set_column_width(extra + k as u16, 16)?;
    }
    let pm = plain::PerMonth::of(results);
    let d = results.decision.as_ref();
    for (i, c) in results.candidates.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_string(row, 0, &c.label)?;
        for (j, (_, value, f)) in cols.iter().enumerate() {
            number_or(&mut ws, row, 1 + j as u16, value(c), "-", f)?;
        }
        let at = |col: u16| row_col_to_cell(row, col);
        let fixed = row_col_to_cell(row, extra);
        ws.write_formula_with_format(
            row,
            extra,
            formula(
                format!("={}+{}+{}", at(sp), at(ap), at(fe)),
                c.fixed_costs(),
            ),
            &fm.money,
        )?;
        ws.write_formula_with_format(
            row,
            extra + 1,
            formula(
                format!("={}/{EMPLOYEE_MONTHS}", at(ec)),
                pm.pepm(c.employer_cost.mean),
            ),
            &fm.monthly,
        )?;
        ws.write_formula_with_format(
            row,
            extra + 2,
            formula(
                format!("={}/{MEMBER_MONTHS}", at(ec)),
                pm.pmpm(c.employer_cost.mean),
            ),
            &fm.monthly,
        )?;
        match c.market_max_liability() {
            Some(m) => ws.write_formula_with_format(
                row,
                extra + 3,
                formula(format!("={fixed}+{}", at(att)), m),
                &fm.money,
            )?,
            None => ws.write_string(row, extra + 3, "none (no aggregate)")?,
        };
        let status = d
            .and_then(|d| d.frontier.get(i))
            .map_or(String::new(), |p| match &p.dominated_by {
                None => "efficient".into(),
                Some(by) => format!("dominated by {by}"),
            });
        ws.write_string(row, extra + 4, status)?;
    }
    let last = extra + 4;
    ws.set_freeze_panes(1, 1)?;
    ws.autofilter(0, 0, results.candidates.len() as u32, last)?;
    Ok(ws)
}

fn assumptions_sheet(
    results: &Results,
    fm: &Formats,
) -> Result<(Worksheet, Vec<(String, String)>), XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name("Assumptions")?;
    ws.set_column_width(0, 34)?;
    ws.set_column_width(1, 60)?;
    let pm = plain::PerMonth::of(results);
    let mut names = Vec::new();
    let mut row = 0u32;
    let mut text = |ws: &mut Worksheet, k: &str, v: String| -> Result<(), XlsxError> {
        ws.write_string_with_format(row, 0, k, &fm.bold)?;
        ws.write_string(row, 1, v)?;
        row += 1;
        Ok(())
    };
    text(&mut ws, "study", results.name.clone())?;
    if let Some(a) = &results.assumptions {
        if let Some(c) = &a.client {
            text(&mut ws, "client", c.clone())?;
        }
        if let Some(d) = &a.description {
            text(&mut ws, "description", d.clone())?;
        }
    }
    text(&mut ws, "method", run_line(results))?;
    text(&mut ws, "prepared", brief::report_date())?;
    let mut num = |ws: &mut Worksheet,
                   k: &str,
                   v: Option<f64>,
                   f: &Format,
                   name: Option<&str>|
     -> Result<(), XlsxError> {
        ws.write_string_with_format(row, 0, k, &fm.bold)?;
        number_or(ws, row, 1, v, "none", f)?;
        if let Some(n) = name {
            names.push((n.to_string(), format!("=Assumptions!$B${}", row + 1)));
        }
        row += 1;
        Ok(())
    };
    let plain_f = Format::new().set_num_format("#,##0");
    num(
        &mut ws,
        "members",
        Some(results.population.members as f64),
        &plain_f,
        None,
    )?;
    num(
        &mut ws,
        "employees (average)",
        Some(results.population.employees),
        &plain_f,
        None,
    )?;
    num(
        &mut ws,
        "employee-months (PEPM basis)",
        Some(pm.employee_months),
        &plain_f,
        Some(EMPLOYEE_MONTHS),
    )?;
    num(
        &mut ws,
        "member-months (PMPM basis)",
        Some(pm.member_months),
        &plain_f,
        Some(MEMBER_MONTHS),
    )?;
    num(
        &mut ws,
        "expected gross claims (closed form)",
        Some(results.population.expected_gross_claims),
        &fm.money,
        None,
    )?;
    num(
        &mut ws,
        "trend factor",
        Some(results.population.trend_factor),
        &Format::new().set_num_format("0.0000"),
        None,
    )?;
    if let Some(a) = &results.assumptions {
        num(
            &mut ws,
            "annual trend",
            Some(a.trend_annual),
            &fm.percent,
            None,
        )?;
        num(
            &mut ws,
            "trend months",
            Some(a.trend_months),
            &plain_f,
            None,
        )?;
        num(
            &mut ws,
            "administration fees (annual)",
            Some(a.annual_fees),
            &fm.money,
            None,
        )?;
        num(&mut ws, "budget", a.budget, &fm.money, None)?;
        num(
            &mut ws,
            "fully insured premium",
            a.fully_insured_premium,
            &fm.money,
            a.fully_insured_premium.map(|_| FULLY_INSURED),
        )?;
        num(
            &mut ws,
            "lasered members",
            Some(a.lasers as f64),
            &plain_f,
            None,
        )?;
    }
    if let Some(d) = &results.decision {
        ws.write_string_with_format(row, 0, "recommendation rule", &fm.bold)?;
        ws.write_string(row, 1, &d.rule.text)?;
        row += 1;
    }
    row += 1;
    if let Some(a) = &results.assumptions {
        for (j, h) in [
            "class",
            "component",
            "members",
            "claims per member-year",
            "mean claim (before trend)",
            "counts toward specific",
            "counts toward aggregate",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string_with_format(row, j as u16, *h, &fm.header)?;
        }
        row += 1;
        for c in &a.classes {
            for k in &c.components {
                ws.write_string(row, 0, &c.name)?;
                ws.write_string(row, 1, &k.name)?;
                ws.write_number(row, 2, c.members as f64)?;
                ws.write_number(row, 3, k.claims_per_member)?;
                ws.write_number_with_format(row, 4, k.mean_severity, &fm.money)?;
                ws.write_boolean(row, 5, k.specific)?;
                ws.write_boolean(row, 6, k.aggregate)?;
                row += 1;
            }
        }
    }
    Ok((ws, names))
}

fn exceedance_sheet(results: &Results, fm: &Formats) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name("Exceedance")?;
    let selected = super::html::HtmlExporter::selected(results);
    let mut chart = Chart::new(ChartType::ScatterStraightWithMarkers);
    chart
        .title()
        .set_name("Probability that the annual cost exceeds x");
    chart
        .x_axis()
        .set_name("annual employer cost ($)")
        .set_num_format("$#,##0");
    chart
        .y_axis()
        .set_name("P(cost > x)")
        .set_log_base(10)
        .set_num_format("0.00%");
    for (k, (i, role)) in selected.iter().enumerate() {
        let c = &results.candidates[*i];
        let col = 2 * k as u16;
        ws.write_string_with_format(0, col, format!("{role}: cost"), &fm.header)?;
        ws.write_string_with_format(0, col + 1, "P(cost > x)", &fm.header)?;
        ws.set_column_width(col, 22)?;
        ws.set_column_width(col + 1, 12)?;
        let pts: Vec<_> = c
            .exceedance_curve
            .iter()
            .filter(|p| p.prob > 0.0 && p.cost.is_finite())
            .collect();
        for (r, p) in pts.iter().enumerate() {
            ws.write_number_with_format(1 + r as u32, col, p.cost, &fm.money)?;
            ws.write_number_with_format(1 + r as u32, col + 1, p.prob, &fm.percent)?;
        }
        if !pts.is_empty() {
            let last = pts.len() as u32;
            chart
                .add_series()
                .set_name(role.as_str())
                .set_categories(("Exceedance", 1, col, last, col))
                .set_values(("Exceedance", 1, col + 1, last, col + 1));
        }
    }
    ws.insert_chart(1, 2 * selected.len() as u16 + 1, &chart)?;
    Ok(ws)
}

fn frontier_sheet(results: &Results, fm: &Formats) -> Result<Option<Worksheet>, XlsxError> {
    let Some(d) = &results.decision else {
        return Ok(None);
    };
    let mut ws = Worksheet::new();
    ws.set_name("Frontier")?;
    let measure = d
        .rule
        .frontier_measure
        .parse::<crate::model::RiskMeasure>()
        .map_or(d.rule.frontier_measure.clone(), |m| m.describe());
    for (j, h) in [
        "candidate",
        "expected cost",
        "expected cost se",
        measure.as_str(),
        "efficient",
        "dominated by",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(0, j as u16, *h, &fm.header)?;
        ws.set_column_width(j as u16, if j == 0 || j == 5 { 30 } else { 16 })?;
    }
    // Efficient candidates first, by increasing risk, so each series is one range.
    let mut order: Vec<usize> = (0..d.frontier.len()).collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (&d.frontier[a], &d.frontier[b]);
        pb.efficient
            .cmp(&pa.efficient)
            .then(pa.risk.value.total_cmp(&pb.risk.value))
    });
    let in_dollars = d.rule.frontier_measure != "prob_over_budget";
    for (r, &i) in order.iter().enumerate() {
        let p = &d.frontier[i];
        let row = 1 + r as u32;
        ws.write_string(row, 0, &p.label)?;
        ws.write_number_with_format(row, 1, p.mean.mean, &fm.money)?;
        ws.write_number_with_format(row, 2, p.mean.se, &fm.money)?;
        ws.write_number_with_format(
            row,
            3,
            p.risk.value,
            if in_dollars { &fm.money } else { &fm.percent },
        )?;
        ws.write_string(row, 4, if p.efficient { "yes" } else { "no" })?;
        ws.write_string(row, 5, p.dominated_by.as_deref().unwrap_or(""))?;
    }
    let efficient = d.frontier.iter().filter(|p| p.efficient).count() as u32;
    let total = d.frontier.len() as u32;
    let mut chart = Chart::new(ChartType::ScatterStraightWithMarkers);
    chart.title().set_name("Efficient frontier");
    chart.x_axis().set_name(measure.as_str());
    chart
        .y_axis()
        .set_name("expected annual cost ($)")
        .set_num_format("$#,##0");
    if efficient > 0 {
        chart
            .add_series()
            .set_name("efficient")
            .set_categories(("Frontier", 1, 3, efficient, 3))
            .set_values(("Frontier", 1, 1, efficient, 1));
    }
    if total > efficient {
        chart
            .add_series()
            .set_name("dominated")
            .set_categories(("Frontier", efficient + 1, 3, total, 3))
            .set_values(("Frontier", efficient + 1, 1, total, 1))
            .set_format(rust_xlsxwriter::ChartFormat::new().set_no_line());
    }
    ws.insert_chart(1, 7, &chart)?;
    Ok(Some(ws))
}

impl Exporter for XlsxExporter {
    fn serialize(&self, results: &Results) -> Result<Vec<u8>, ExportError> {
        let fm = Formats::new();
        let mut wb = Workbook::new();
        wb.push_worksheet(summary_sheet(results, &fm)?);
        wb.push_worksheet(candidates_sheet(results, &fm)?);
        let (assumptions, names) = assumptions_sheet(results, &fm)?;
        wb.push_worksheet(assumptions);
        wb.push_worksheet(exceedance_sheet(results, &fm)?);
        if let Some(ws) = frontier_sheet(results, &fm)? {
            wb.push_worksheet(ws);
        }
        for (name, target) in names {
            wb.define_name(name, &target)?;
        }
        Ok(wb.save_to_buffer()?)
    }
}
