//! A small SVG line-and-dot chart with linear or log axes, for fit.html
//! (the run report's plotters charts have no log axes).

use super::escape;
use std::fmt::Write;

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mark {
    /// A polyline.
    Line,
    /// Dots.
    Dots,
    /// A dashed polyline.
    Dashed,
}

/// One series.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// Points (x, y); non-finite or non-positive (on a log axis) points are skipped.
    pub points: Vec<(f64, f64)>,
    /// How it is drawn.
    pub mark: Mark,
}

/// A chart.
#[derive(Debug, Clone)]
pub struct Plot {
    /// Axis titles.
    pub x_label: String,
    /// Axis titles.
    pub y_label: String,
    /// Log10 x axis.
    pub log_x: bool,
    /// Log10 y axis.
    pub log_y: bool,
    /// The series.
    pub series: Vec<Series>,
}

const COLORS: [&str; 8] = [
    "#222222", "#285ab4", "#e68c14", "#2e9e48", "#c0392b", "#8e44ad", "#7f8c8d", "#16a085",
];
const W: f64 = 640.0;
const H: f64 = 380.0;
const L: f64 = 70.0;
const R: f64 = 150.0;
const T: f64 = 16.0;
const B: f64 = 46.0;

impl Plot {
    /// The chart as an inline `<svg>` element.
    pub fn svg(&self) -> String {
        let tx = |v: f64| if self.log_x { v.log10() } else { v };
        let ty = |v: f64| if self.log_y { v.log10() } else { v };
        let ok = |x: f64, y: f64| {
            x.is_finite() && y.is_finite() && (!self.log_x || x > 0.0) && (!self.log_y || y > 0.0)
        };
        let pts: Vec<(f64, f64)> = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().copied())
            .filter(|&(x, y)| ok(x, y))
            .map(|(x, y)| (tx(x), ty(y)))
            .collect();
        let mut out = String::new();
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" font-size="11" font-family="sans-serif">"#
        );
        if pts.is_empty() {
            out.push_str("<text x=\"20\" y=\"40\">no data</text></svg>");
            return out;
        }
        let range = |v: &mut dyn Iterator<Item = f64>| {
            let (lo, hi) = v.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                (a.min(x), b.max(x))
            });
            if hi > lo {
                (lo, hi)
            } else {
                (lo - 0.5, hi + 0.5)
            }
        };
        let (x0, x1) = range(&mut pts.iter().map(|p| p.0));
        let (y0, y1) = range(&mut pts.iter().map(|p| p.1));
        let px = |x: f64| L + (x - x0) / (x1 - x0) * (W - L - R);
        let py = |y: f64| H - B - (y - y0) / (y1 - y0) * (H - T - B);
        let _ = write!(
            out,
            r##"<rect x="{L}" y="{T}" width="{}" height="{}" fill="none" stroke="#bbb"/>"##,
            W - L - R,
            H - T - B
        );
        for (i, (lo, hi, log, horizontal)) in
            [(x0, x1, self.log_x, true), (y0, y1, self.log_y, false)]
                .into_iter()
                .enumerate()
        {
            for t in ticks(lo, hi, log) {
                let label = if log { short(10f64.powf(t)) } else { short(t) };
                if horizontal {
                    let x = px(t);
                    let _ = write!(
                        out,
                        r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{T}" stroke="#eee"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{label}</text>"##,
                        H - B,
                        H - B + 14.0
                    );
                } else {
                    let y = py(t);
                    let _ = write!(
                        out,
                        r##"<line x1="{L}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#eee"/><text x="{:.1}" y="{:.1}" text-anchor="end">{label}</text>"##,
                        W - R,
                        L - 4.0,
                        y + 4.0
                    );
                }
            }
            let _ = i;
        }
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text><text transform="translate(14,{:.1}) rotate(-90)" text-anchor="middle">{}</text>"#,
            L + (W - L - R) / 2.0,
            H - 8.0,
            escape(&self.x_label),
            T + (H - T - B) / 2.0,
            escape(&self.y_label)
        );
        for (k, s) in self.series.iter().enumerate() {
            let c = COLORS[k % COLORS.len()];
            let p: Vec<(f64, f64)> = s
                .points
                .iter()
                .copied()
                .filter(|&(x, y)| ok(x, y))
                .map(|(x, y)| (px(tx(x)), py(ty(y))))
                .collect();
            match s.mark {
                Mark::Dots => {
                    for (x, y) in &p {
                        let _ =
                            write!(out, r#"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="{c}"/>"#);
                    }
                }
                Mark::Line | Mark::Dashed => {
                    let d: Vec<String> = p.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
                    let dash = if s.mark == Mark::Dashed {
                        r#" stroke-dasharray="5,4""#
                    } else {
                        ""
                    };
                    let _ = write!(
                        out,
                        r#"<polyline points="{}" fill="none" stroke="{c}" stroke-width="1.6"{dash}/>"#,
                        d.join(" ")
                    );
                }
            }
            let ly = T + 12.0 + 16.0 * k as f64;
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{:.1}" width="12" height="3" fill="{c}"/><text x="{:.1}" y="{:.1}">{}</text>"#,
                W - R + 10.0,
                ly - 4.0,
                W - R + 26.0,
                ly,
                escape(&s.name)
            );
        }
        out.push_str("</svg>");
        out
    }
}

/// Tick positions in axis units (log10 units on a log axis).
fn ticks(lo: f64, hi: f64, log: bool) -> Vec<f64> {
    if log {
        let (a, b) = (lo.floor() as i32, hi.ceil() as i32);
        let mut t: Vec<f64> = Vec::new();
        for e in a..=b {
            for m in [1.0, 2.0, 5.0] {
                let v = e as f64 + f64::log10(m);
                if v >= lo && v <= hi {
                    t.push(v);
                }
            }
        }
        if t.len() > 9 {
            t.retain(|v| v.fract().abs() < 1e-9 || (v.fract() - 1.0).abs() < 1e-9);
        }
        return t;
    }
    let span = hi - lo;
    let raw = span / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * mag);
    let mut t = Vec::new();
    let mut v = (lo / step).ceil() * step;
    while v <= hi + 1e-9 * step {
        t.push(v);
        v += step;
    }
    t
}

/// A compact number for a tick (`250k`, `1.2M`, `0.05`).
fn short(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", trim(v / 1e6))
    } else if a >= 1e3 {
        format!("{}k", trim(v / 1e3))
    } else if a > 0.0 && a < 1e-3 {
        // Three decimals would print a small tick of a log axis as 0.
        format!("{v:e}")
    } else {
        trim(v)
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn small_ticks_are_not_zero() {
        assert_eq!(short(1e-4), "1e-4");
        assert_eq!(short(0.05), "0.05");
        assert_eq!(short(250_000.0), "250k");
        assert_eq!(short(0.0), "0");
    }
}
