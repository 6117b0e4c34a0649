//! The multi-year section of `summary.md` and `report.html`: per candidate
//! the expected cost of each year, the cumulative cost's mean, 95th
//! percentile and TVaR, the chance of a large renewal, lasers and the
//! rider's value; in the HTML a fan chart of annual cost by year. Studies
//! without a projection get none of it.

use super::charts::{band_key, band_outline, draw_legend, line_key, DrawResult};
use super::html::escape;
use super::ExportError;
use crate::format::{money, money_short, percent};
use crate::results::{CandidateResult, Results};
use plotters::prelude::*;
use std::fmt::Write;

fn headers(results: &Results) -> Vec<String> {
    let mut h = vec!["Candidate".to_string(), "Expected cost by year".into()];
    h.extend([
        "Cumulative cost (se)".into(),
        "Cumulative 95th pct".into(),
        "Cumulative TVaR 95%".into(),
        "P(renewal > 20% / 30% / 50%)".into(),
        "Lasers (count / claims moved)".into(),
        "Leveraged trend, first renewal (se)".into(),
    ]);
    if has_rider(results) {
        h.push("Rider value (se)".into());
    }
    h
}

fn has_rider(results: &Results) -> bool {
    results
        .candidates
        .iter()
        .any(|c| c.projection.as_ref().is_some_and(|p| p.rider.is_some()))
}

fn explained(results: &Results) -> Option<String> {
    let p = results.projection.as_ref()?;
    let trend: Vec<String> = p.trend.iter().map(|t| percent(*t)).collect();
    let persistence = p.top_tier_stays.map_or_else(
        || "claims are independent from year to year".to_string(),
        |s| {
            format!(
                "{} of the top risk tier stays there the next year",
                percent(s)
            )
        },
    );
    let rider = if has_rider(results) {
        " Each candidate is shown with the rider (its surcharge included in the premium) and its value is the expected cumulative cost without it less with it, on the same simulated years."
    } else {
        ""
    };
    Some(format!(
        "Each simulated trial runs {} consecutive plan years with severity trend {} at the renewals; {persistence}. Deductibles are {}. Each renewal reprices the specific premium on that trial's own experience blended with the manual rate ({} trials of its own); lasers and increases are the trial's own.{rider}",
        p.years,
        trend.join(", "),
        p.deductible_policy,
        p.manual_trials
    ))
}

fn row(c: &CandidateResult, rider: bool) -> Option<Vec<String>> {
    let p = c.projection.as_ref()?;
    let path = &p.path;
    let by_year: Vec<String> = path
        .annual_cost
        .iter()
        .map(|e| money_short(e.mean))
        .collect();
    let cum = &path.cumulative_cost;
    let over: Vec<String> = ["0.2", "0.3", "0.5"]
        .iter()
        .map(|k| {
            path.prob_renewal_increase_over
                .get(*k)
                .map_or("-".into(), |e| percent(e.mean))
        })
        .collect();
    let lt = p
        .leveraged_trend
        .first()
        .copied()
        .flatten()
        .map_or("-".into(), |e| {
            format!("{} ({})", percent(e.mean), percent(e.se))
        });
    let mut r = vec![
        c.label.clone(),
        by_year.join(" / "),
        format!("{} ({})", money(cum.mean), money(cum.se)),
        money(cum.percentiles.p95),
        money(cum.tvar.p95),
        over.join(" / "),
        format!(
            "{:.2} / {}",
            path.expected_lasers.mean,
            money(path.expected_lasers.amount.mean)
        ),
        lt,
    ];
    if rider {
        r.push(p.rider.as_ref().map_or("-".into(), |x| {
            format!("{} ({})", money(x.value.mean), money(x.value.se))
        }));
    }
    Some(r)
}

fn rows(results: &Results) -> Vec<Vec<String>> {
    let rider = has_rider(results);
    results
        .candidates
        .iter()
        .filter_map(|c| row(c, rider))
        .collect()
}

/// The section of `summary.md`.
pub fn markdown_section(results: &Results) -> String {
    let Some(text) = explained(results) else {
        return String::new();
    };
    let h = headers(results);
    let h: Vec<&str> = h.iter().map(String::as_str).collect();
    format!(
        "\n### Beyond one year: renewals\n\n{text}\n\n{}",
        super::markdown::table(&h, &rows(results))
    )
}

/// The candidate the chart shows: the recommendation, else the first.
fn shown(results: &Results) -> Option<&CandidateResult> {
    let projected = || results.candidates.iter().filter(|c| c.projection.is_some());
    results
        .decision
        .as_ref()
        .and_then(|d| projected().find(|c| c.label == d.recommended))
        .or_else(|| projected().next())
}

/// The section of `report.html`.
pub fn html_section(results: &Results) -> Result<String, ExportError> {
    let Some(text) = explained(results) else {
        return Ok(String::new());
    };
    let h = headers(results);
    let h: Vec<&str> = h.iter().map(String::as_str).collect();
    let mut s = format!(
        "<h2 id=\"projection\">Beyond one year: renewals</h2><p>{}</p>{}",
        escape(&text),
        super::html::table(&h, &rows(results), 1)
    );
    if let Some(c) = shown(results) {
        let svg = fan_chart(c).map_err(|e| ExportError::Chart(e.to_string()))?;
        write!(
            s,
            "<figure id=\"projection-chart\">{svg}<figcaption>{}</figcaption></figure>",
            escape(&format!(
                "Annual employer cost by plan year for {}: the mean, the median, and the bands up to the 75th and 95th percentiles of simulated years.",
                c.label
            ))
        )?;
        let svg = increase_chart(c).map_err(|e| ExportError::Chart(e.to_string()))?;
        write!(
            s,
            "<figure id=\"renewal-increase-chart\">{svg}<figcaption>{}</figcaption></figure>",
            escape(&format!(
                "Probability that each renewal raises the specific premium of {} by more than x (surcharge excluded), over the simulated years.",
                c.label
            ))
        )?;
    }
    Ok(s)
}

/// P(increase > x) against x, one line per renewal.
fn increase_chart(c: &CandidateResult) -> DrawResult<String> {
    let p = c.projection.as_ref().ok_or("no projection")?;
    let curves = &p.path.renewal_increase_exceedance;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 360)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..1.0, 0.0..1.0)?;
        chart
            .configure_mesh()
            .x_desc("renewal increase of the specific premium")
            .y_desc("probability of a larger increase")
            .x_label_formatter(&|x| format!("{:.0}%", 100.0 * x))
            .y_label_formatter(&|y| format!("{:.0}%", 100.0 * y))
            .light_line_style(RGBColor(235, 235, 235))
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 15))
            .draw()?;
        let colours = [
            RGBColor(40, 90, 180),
            RGBColor(200, 60, 40),
            RGBColor(40, 150, 80),
        ];
        for (r, curve) in curves.iter().enumerate() {
            let colour = colours[r % colours.len()];
            let pts: Vec<(f64, f64)> = curve
                .iter()
                .filter(|q| q.prob.is_finite())
                .map(|q| (q.increase, q.prob))
                .collect();
            chart
                .draw_series(LineSeries::new(pts, colour.stroke_width(2)))?
                .label(format!("renewal to year {}", r + 2))
                .legend(line_key(colour));
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        root.present()?;
    }
    Ok(svg)
}

/// Annual cost by year: mean, median and the 75th / 95th percentile bands.
fn fan_chart(c: &CandidateResult) -> DrawResult<String> {
    let p = c.projection.as_ref().ok_or("no projection")?;
    let q = &p.path.annual_cost_percentiles;
    let years = q.len() as f64;
    let line = |f: &dyn Fn(usize) -> f64| -> Vec<(f64, f64)> {
        (0..q.len()).map(|y| (y as f64 + 1.0, f(y))).collect()
    };
    let hi = q.iter().map(|x| x.p95).fold(0.0f64, f64::max) * 1.05;
    let lo = q.iter().map(|x| x.p50).fold(f64::INFINITY, f64::min) * 0.9;
    let (lo, hi) = if hi > lo { (lo, hi) } else { (0.0, lo + 1.0) };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 400)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(0.8..years + 0.2, lo..hi)?;
        chart
            .configure_mesh()
            .x_desc("plan year")
            .y_desc("annual employer cost ($ millions)")
            .x_labels(q.len())
            .y_label_formatter(&|x| format!("{:.2}", x / 1e6))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .light_line_style(RGBColor(235, 235, 235))
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 15))
            .draw()?;
        let blue = RGBColor(40, 90, 180);
        chart
            .draw_series(std::iter::once(Polygon::new(
                band_outline(line(&|y| q[y].p75), line(&|y| q[y].p95)),
                blue.mix(0.15),
            )))?
            .label("75th-95th percentile")
            .legend(band_key(blue.mix(0.15)));
        chart
            .draw_series(std::iter::once(Polygon::new(
                band_outline(line(&|y| q[y].p50), line(&|y| q[y].p75)),
                blue.mix(0.3),
            )))?
            .label("median-75th percentile")
            .legend(band_key(blue.mix(0.3)));
        chart
            .draw_series(LineSeries::new(line(&|y| q[y].p50), blue.stroke_width(2)))?
            .label("median")
            .legend(line_key(blue));
        let red = RGBColor(200, 60, 40);
        chart
            .draw_series(LineSeries::new(
                line(&|y| p.path.annual_cost[y].mean),
                red.stroke_width(2),
            ))?
            .label("mean")
            .legend(line_key(red));
        draw_legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        root.present()?;
    }
    Ok(svg)
}
