//! The charts of `report.html`, drawn with plotters' SVG backend into
//! strings that the page inlines.

use crate::model::RiskMeasure;
use crate::results::{Decision, Results};
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

/// Line colours, in order: recommendation, runner-up, baseline, others.
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(200, 40, 40),
    RGBColor(230, 140, 20),
    RGBColor(40, 90, 180),
    RGBColor(40, 150, 90),
    RGBColor(130, 70, 170),
    RGBColor(90, 90, 90),
];

/// Colours of the stacked cost parts: retained claims, specific premium,
/// aggregate premium, fees.
const PARTS: [(&str, RGBColor); 4] = [
    ("retained claims", RGBColor(70, 110, 170)),
    ("specific premium", RGBColor(230, 140, 20)),
    ("aggregate premium", RGBColor(240, 200, 80)),
    ("admin fees", RGBColor(150, 150, 150)),
];

/// What drawing a chart returns.
pub(super) type DrawResult<T> = Result<T, Box<dyn std::error::Error>>;

/// `[lo, hi]` widened by `pad` of its width on each side (a unit range
/// around a single value).
/// Draws `chart`'s legend box at `position` in the reports' style.
pub(super) fn draw_legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> DrawResult<()>
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    CT: CoordTranslate,
{
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(200, 200, 200))
        .label_font(("sans-serif", 14))
        .position(position)
        .draw()?;
    Ok(())
}

/// The legend key of a line of `color`.
pub(super) fn line_key(color: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
}

/// The outline of the band between two lines over the same x values: one
/// line out, the other back.
pub(super) fn band_outline(one: Vec<(f64, f64)>, other: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let mut pts = one;
    pts.extend(other.into_iter().rev());
    pts
}

/// The legend key of a shaded band of `color`.
pub(super) fn band_key(color: RGBAColor) -> impl Fn((i32, i32)) -> Rectangle<(i32, i32)> {
    move |(x, y)| Rectangle::new([(x, y - 5), (x + 18, y + 5)], color.filled())
}

fn padded(lo: f64, hi: f64, pad: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    let w = hi - lo;
    if w <= 0.0 {
        let d = lo.abs().max(1.0) * 0.05;
        (lo - d, hi + d)
    } else {
        (lo - pad * w, hi + pad * w)
    }
}

/// The cost-parts chart's legend as HTML, for its caption: the bars fill
/// the plot, so a legend inside it would hide some of them.
pub fn cost_parts_legend() -> String {
    PARTS
        .iter()
        .map(|(name, c)| {
            format!(
                "<span class=\"swatch\" style=\"background:#{:02x}{:02x}{:02x}\"></span>{name}",
                c.0, c.1, c.2
            )
        })
        .collect()
}

/// A probability on the exceedance axis as people say it: `10%`, `1%`,
/// then `1 in 1,000` (scientific notation means nothing to a CFO).
fn odds(p: f64) -> String {
    if p >= 0.01 - 1e-12 {
        let pct = 100.0 * p;
        if (pct - pct.round()).abs() < 1e-9 {
            format!("{pct:.0}%")
        } else {
            format!("{pct:.1}%")
        }
    } else if p > 0.0 {
        format!("1 in {}", crate::format::group((1.0 / p).round() as u64))
    } else {
        "0".into()
    }
}

fn millions(x: &f64) -> String {
    format!("{:.2}", x / 1e6)
}

/// Exceedance curves `P(cost > x)` of the candidates `selected` (index,
/// role for the legend), on a log probability axis.
pub fn exceedance(results: &Results, selected: &[(usize, String)]) -> DrawResult<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 460)).into_drawing_area();
        root.fill(&WHITE)?;
        let curves: Vec<(&str, Vec<(f64, f64)>)> = selected
            .iter()
            .map(|(i, role)| {
                let c = &results.candidates[*i];
                let pts = c
                    .exceedance_curve
                    .iter()
                    .filter(|p| p.prob > 0.0 && p.cost.is_finite())
                    .map(|p| (p.cost, p.prob))
                    .collect();
                (role.as_str(), pts)
            })
            .collect();
        let xs = curves.iter().flat_map(|(_, p)| p.iter().map(|q| q.0));
        let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
        let (lo, hi) = padded(lo, hi, 0.02);
        let pmin = curves
            .iter()
            .flat_map(|(_, p)| p.iter().map(|q| q.1))
            .fold(1.0f64, f64::min)
            .max(1e-6);
        let mut chart = ChartBuilder::on(&root)
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(lo..hi, (pmin * 0.8..1.0).log_scale())?;
        chart
            .configure_mesh()
            .x_desc("annual employer cost ($ millions)")
            .y_desc("P(cost > x)")
            .x_label_formatter(&millions)
            .y_label_formatter(&|p| odds(*p))
            .light_line_style(RGBColor(235, 235, 235))
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 15))
            .draw()?;
        for (k, (role, pts)) in curves.into_iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(pts, color.stroke_width(2)))?
                .label(role)
                .legend(line_key(color));
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        root.present()?;
    }
    Ok(svg)
}

/// Expected cost against the frontier's tail measure: efficient candidates
/// joined by a line, dominated ones in grey, the recommendation and the
/// runner-up marked, and the cap when it applies to the same measure.
pub fn frontier(decision: &Decision) -> DrawResult<String> {
    let measure: RiskMeasure = decision
        .rule
        .frontier_measure
        .parse()
        .unwrap_or(RiskMeasure::TVAR99);
    let scale = if measure.in_dollars() { 1e6 } else { 0.01 };
    let x_desc = if measure.in_dollars() {
        format!("{} ($ millions)", measure.describe())
    } else {
        format!("{} (%)", measure.describe())
    };
    let pts: Vec<(f64, f64)> = decision
        .frontier
        .iter()
        .map(|p| (p.risk.value / scale, p.mean.mean / 1e6))
        .collect();
    let cap = (decision.rule.risk_measure == decision.rule.frontier_measure)
        .then_some(decision.rule.max_risk)
        .flatten()
        .map(|c| c / scale);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 520)).into_drawing_area();
        root.fill(&WHITE)?;
        let finite = pts.iter().filter(|p| p.0.is_finite() && p.1.is_finite());
        let (mut xlo, mut xhi, ylo, yhi) = finite.fold(
            (
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
            ),
            |(a, b, c, d), &(x, y)| (a.min(x), b.max(x), c.min(y), d.max(y)),
        );
        if let Some(c) = cap {
            xlo = xlo.min(c);
            xhi = xhi.max(c);
        }
        let (xlo, xhi) = padded(xlo, xhi, 0.08);
        let (ylo, yhi) = padded(ylo, yhi, 0.12);
        let mut chart = ChartBuilder::on(&root)
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(xlo..xhi, ylo..yhi)?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc("expected annual cost ($ millions)")
            .x_label_formatter(&|x| format!("{x:.2}"))
            .y_label_formatter(&|y| format!("{y:.3}"))
            .light_line_style(RGBColor(235, 235, 235))
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 15))
            .draw()?;
        if let Some(c) = cap {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(c, ylo), (c, yhi)],
                    6,
                    4,
                    RGBColor(200, 40, 40).stroke_width(1),
                ))?
                .label("cap")
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], RGBColor(200, 40, 40))
                });
        }
        let label_of = |l: &str| decision.frontier.iter().position(|p| p.label == l);
        let line: Vec<(f64, f64)> = decision
            .efficient
            .iter()
            .filter_map(|l| label_of(l).map(|i| pts[i]))
            .collect();
        chart
            .draw_series(LineSeries::new(line, PALETTE[2].stroke_width(2)))?
            .label("efficient frontier")
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], PALETTE[2].stroke_width(2))
            });
        chart
            .draw_series(
                decision
                    .frontier
                    .iter()
                    .zip(&pts)
                    .filter(|(p, _)| !p.efficient)
                    .map(|(_, &xy)| Circle::new(xy, 4, RGBColor(160, 160, 160).filled())),
            )?
            .label("dominated")
            .legend(|(x, y)| Circle::new((x + 9, y), 4, RGBColor(160, 160, 160).filled()));
        chart.draw_series(
            decision
                .frontier
                .iter()
                .zip(&pts)
                .filter(|(p, _)| p.efficient)
                .map(|(_, &xy)| Circle::new(xy, 5, PALETTE[2].filled())),
        )?;
        let marks = [
            (
                Some(decision.recommended.as_str()),
                "recommended",
                PALETTE[0],
            ),
            (decision.runner_up.as_deref(), "runner-up", PALETTE[1]),
        ];
        for (label, role, color) in marks {
            let Some(i) = label.and_then(label_of) else {
                continue;
            };
            let xy = pts[i];
            let text = format!("{role}: {}", decision.frontier[i].label);
            chart
                .draw_series(std::iter::once(Circle::new(xy, 8, color.stroke_width(3))))?
                .label(text)
                .legend(move |(x, y)| Circle::new((x + 9, y), 6, color.stroke_width(2)));
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        root.present()?;
    }
    Ok(svg)
}

/// One horizontal stacked bar per candidate: retained claims, specific
/// premium, aggregate premium and fees (expected annual dollars).
pub fn cost_parts(results: &Results) -> DrawResult<String> {
    let k = results.candidates.len();
    let labels: Vec<String> = results.candidates.iter().map(|c| c.label.clone()).collect();
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(10);
    let parts: Vec<[f64; 4]> = results
        .candidates
        .iter()
        .map(|c| {
            [
                c.retained_claims.mean,
                c.specific_premium.mean,
                c.aggregate_premium.mean,
                c.fees.mean,
            ]
        })
        .collect();
    let top = parts
        .iter()
        .map(|p| p.iter().sum::<f64>())
        .fold(0.0f64, f64::max)
        .max(1.0);
    let mut svg = String::new();
    {
        let height = (90 + 26 * k as u32).max(200);
        let root = SVGBackend::with_string(&mut svg, (900, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size((longest as u32 * 8 + 16).clamp(80, 340))
            // plotters' integer ranges include their end: 0..k-1 gives k rows.
            .build_cartesian_2d(
                0.0..top * 1.04,
                (0..k.saturating_sub(1).max(1)).into_segmented(),
            )?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc("expected annual cost ($ millions)")
            .x_label_formatter(&millions)
            .y_labels(k)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                    // Row 0 is drawn at the bottom: the first candidate goes on top.
                    labels
                        .get(k.wrapping_sub(i + 1))
                        .cloned()
                        .unwrap_or_default()
                }
                SegmentValue::Last => String::new(),
            })
            .light_line_style(RGBColor(235, 235, 235))
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 15))
            .draw()?;
        for (j, (_, color)) in PARTS.iter().enumerate() {
            let bars = parts.iter().enumerate().map(|(c, p)| {
                let i = k - 1 - c;
                let x0: f64 = p[..j].iter().sum();
                let mut r = Rectangle::new(
                    [
                        (x0, SegmentValue::Exact(i)),
                        (x0 + p[j], SegmentValue::Exact(i + 1)),
                    ],
                    color.filled(),
                );
                r.set_margin(4, 4, 0, 0);
                r
            });
            chart.draw_series(bars)?;
        }
        root.present()?;
    }
    Ok(svg)
}
