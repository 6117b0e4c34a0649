//! Contract-timing outputs: `cash_flow.csv` (one row per candidate and
//! month), the timing table of `summary.md` and `report.html`, and the
//! monthly fan chart of cumulative net cash against the accumulated
//! attachment. Studies without contract timing get none of these.

use super::charts::{band_key, band_outline, draw_legend, line_key, DrawResult};
use super::html::escape;
use super::{ExportError, Exporter};
use crate::format::dollars;
use crate::results::{CandidateResult, Results};
use plotters::prelude::*;
use std::fmt::Write;

/// `cash_flow.csv`: the monthly means of every candidate.
#[derive(Debug, Default, Clone, Copy)]
pub struct CashFlowCsvExporter;

/// Columns of `cash_flow.csv` before the fan percentiles.
pub const CASH_FLOW_COLUMNS: [&str; 11] = [
    "label",
    "month",
    "paid_claims",
    "fixed_costs",
    "specific_reimbursement",
    "aggregate_advance",
    "aggregate_settlement",
    "net_cash",
    "cumulative_net_cash",
    "cumulative_attachment",
    "budgeted_funding",
];

/// Whether the results carry contract-timing figures.
pub fn has_timing(results: &Results) -> bool {
    results.candidates.iter().any(|c| c.timing.is_some())
}

fn fan_header(levels: &[f64]) -> Vec<String> {
    levels
        .iter()
        .map(|p| format!("cumulative_net_cash_p{}", (p * 100.0).round()))
        .collect()
}

impl Exporter for CashFlowCsvExporter {
    fn serialize(&self, results: &Results) -> Result<Vec<u8>, ExportError> {
        let mut w = ::csv::Writer::from_writer(Vec::new());
        let levels = results
            .candidates
            .iter()
            .find_map(|c| c.timing.as_ref().map(|t| t.cash_flow.fan_levels.clone()))
            .unwrap_or_default();
        let mut header: Vec<String> = CASH_FLOW_COLUMNS.iter().map(|s| s.to_string()).collect();
        header.extend(fan_header(&levels));
        w.write_record(&header)?;
        for c in &results.candidates {
            let Some(t) = &c.timing else { continue };
            let f = &t.cash_flow;
            let budget = c.employer_cost.mean / 12.0;
            for (j, month) in f.months.iter().enumerate() {
                let mut row = vec![
                    super::text_cell(&c.label),
                    month.to_string(),
                    f.paid_claims[j].to_string(),
                    f.fixed_costs[j].to_string(),
                    f.specific_reimbursement[j].to_string(),
                    f.aggregate_advance[j].to_string(),
                    f.aggregate_settlement[j].to_string(),
                    f.net_cash[j].to_string(),
                    f.cumulative_net_cash[j].to_string(),
                    f.cumulative_attachment
                        .as_ref()
                        .map(|a| a[j].to_string())
                        .unwrap_or_default(),
                    (budget * f64::from((*month).min(12))).to_string(),
                ];
                row.extend(f.cumulative_net_cash_fan[j].iter().map(|x| x.to_string()));
                w.write_record(&row)?;
            }
        }
        Ok(w.into_inner()?)
    }
}

fn se(mean: f64, se: f64) -> String {
    format!("{} (se {})", dollars(mean), dollars(se))
}

/// The rows of the timing table: label, bases, uncovered run-out,
/// year-end settlement, peak cash need (mean and 95th percentile).
fn rows(results: &Results) -> Vec<[String; 7]> {
    results
        .candidates
        .iter()
        .filter_map(|c| {
            let t = c.timing.as_ref()?;
            Some([
                c.label.clone(),
                t.specific_basis.clone(),
                t.aggregate_basis.clone().unwrap_or_else(|| "-".into()),
                se(t.uncovered_claims.mean, t.uncovered_claims.se),
                if c.aggregate_label.is_some() {
                    se(
                        t.year_end_aggregate_settlement.mean,
                        t.year_end_aggregate_settlement.se,
                    )
                } else {
                    "-".into()
                },
                se(t.peak_cash_need.mean, t.peak_cash_need.se),
                dollars(t.peak_cash_need.percentiles.p95),
            ])
        })
        .collect()
}

const HEADERS: [&str; 7] = [
    "Candidate",
    "Specific basis",
    "Aggregate basis",
    "Run-out left uncovered",
    "Year-end aggregate settlement",
    "Peak cash need",
    "Peak cash need p95",
];

/// What the timing figures mean, in one paragraph.
const EXPLAINED: &str = "Claims count toward a contract only when incurred and paid within its basis. The plan year's cost is every claim incurred in the policy year (whenever paid) plus the run-in the employer pays for a self-funded prior year, plus premiums and fees, less reimbursements. Run-out left uncovered: claims of the policy year no contract of the candidate counts. Peak cash need: the largest cumulative net cash out by any month's end, less budgeted equal monthly funding of the expected annual cost over months 1 to 12. se: Monte Carlo standard error.";

/// The timing section of `summary.md` (empty without timing).
pub fn markdown_section(results: &Results) -> String {
    if !has_timing(results) {
        return String::new();
    }
    format!(
        "\n### Contract timing and cash flow\n\n{EXPLAINED}\n\n{}",
        super::markdown::table(&HEADERS, &rows(results))
    )
}

/// The candidate the fan chart shows: the recommendation when it has an
/// aggregate (so the chart has an attachment to show), else the first
/// candidate with an aggregate on the recommendation's specific option,
/// else the recommendation, else the first with timing figures.
fn shown(results: &Results) -> Option<&CandidateResult> {
    let timed = || results.candidates.iter().filter(|c| c.timing.is_some());
    let recommended = results
        .decision
        .as_ref()
        .and_then(|d| timed().find(|c| c.label == d.recommended));
    let with_aggregate = recommended.and_then(|r| {
        timed().find(|c| c.specific_label == r.specific_label && c.aggregate_label.is_some())
    });
    with_aggregate.or(recommended).or_else(|| timed().next())
}

/// The timing section of `report.html` (empty without timing).
pub fn html_section(results: &Results) -> Result<String, ExportError> {
    let mut s = String::new();
    if !has_timing(results) {
        return Ok(s);
    }
    write!(
        s,
        "<h2 id=\"cash-flow\">Contract timing and cash flow</h2><p>{}</p>{}",
        escape(EXPLAINED),
        super::html::table(&HEADERS, &rows(results), 3)
    )?;
    if let Some(c) = shown(results) {
        let svg = fan_chart(c).map_err(|e| ExportError::Chart(e.to_string()))?;
        write!(
            s,
            "<figure id=\"cash-flow-chart\">{svg}<figcaption>{}</figcaption></figure>",
            escape(&format!(
                "Cumulative net cash out by month for {}: the median, the 25%-75% and 5%-95% bands over simulated years, the budgeted equal monthly funding, and the accumulated monthly aggregate attachment.",
                c.label
            ))
        )?;
    }
    Ok(s)
}

/// The fan chart of cumulative net cash of one candidate.
fn fan_chart(c: &CandidateResult) -> DrawResult<String> {
    let t = c.timing.as_ref().ok_or("no timing figures")?;
    let f = &t.cash_flow;
    let months: Vec<f64> = f.months.iter().map(|&m| f64::from(m)).collect();
    let band = |j: usize| -> Vec<(f64, f64)> {
        months
            .iter()
            .zip(&f.cumulative_net_cash_fan)
            .map(|(&m, q)| (m, q.get(j).copied().unwrap_or(0.0)))
            .collect()
    };
    let budget = c.employer_cost.mean / 12.0;
    let funded: Vec<(f64, f64)> = f
        .months
        .iter()
        .map(|&m| (f64::from(m), budget * f64::from(m.min(12))))
        .collect();
    let mut hi = f64::MIN;
    let mut lo = 0.0f64;
    for q in &f.cumulative_net_cash_fan {
        for x in q {
            hi = hi.max(*x);
            lo = lo.min(*x);
        }
    }
    if let Some(a) = &f.cumulative_attachment {
        hi = hi.max(a.iter().copied().fold(f64::MIN, f64::max));
    }
    hi = hi.max(funded.last().map_or(0.0, |p| p.1));
    let hi = if hi > lo { hi * 1.05 } else { lo + 1.0 };
    let last = months.last().copied().unwrap_or(12.0);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 420)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(1.0..last, lo..hi)?;
        chart
            .configure_mesh()
            .x_desc("month from the policy start")
            .y_desc("cumulative net cash out ($ millions)")
            .y_label_formatter(&|x| format!("{:.2}", x / 1e6))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .light_line_style(RGBColor(235, 235, 235))
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 15))
            .draw()?;
        let blue = RGBColor(40, 90, 180);
        chart
            .draw_series(std::iter::once(Polygon::new(
                band_outline(band(0), band(4)),
                blue.mix(0.15),
            )))?
            .label("5%-95% of years")
            .legend(band_key(blue.mix(0.15)));
        chart
            .draw_series(std::iter::once(Polygon::new(
                band_outline(band(1), band(3)),
                blue.mix(0.3),
            )))?
            .label("25%-75%")
            .legend(band_key(blue.mix(0.3)));
        chart
            .draw_series(LineSeries::new(band(2), blue.stroke_width(2)))?
            .label("median")
            .legend(line_key(blue));
        let grey = RGBColor(90, 90, 90);
        chart
            .draw_series(LineSeries::new(funded, grey.stroke_width(2)))?
            .label("budgeted funding")
            .legend(line_key(grey));
        if let Some(a) = &f.cumulative_attachment {
            let red = RGBColor(200, 40, 40);
            let pts: Vec<(f64, f64)> = months.iter().copied().zip(a.iter().copied()).collect();
            chart
                .draw_series(LineSeries::new(pts, red.stroke_width(2)))?
                .label("accumulated aggregate attachment")
                .legend(line_key(red));
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        root.present()?;
    }
    Ok(svg)
}
