//! fit.html: the fit report of `stoploss fit`. The table of every family
//! (parameters with standard errors, likelihood, AIC, BIC, KS, AD), the
//! model-risk finding and the expected excess per deductible under each
//! family, QQ plots, the mean-excess plot, the Pareto index by threshold
//! (threshold stability), the fitted survival curves over the empirical one
//! on log axes, and the credibility of the excess experience. Inline CSS
//! and SVG, no scripts: it opens offline.

use super::escape;
use super::html::STYLE;
use super::svg_plot::{Mark, Plot, Series};
use crate::fit::families::conditional_cdf;
use crate::fit::listing::Observation;
use crate::fit::{family_of, FitReport};
use crate::format::money;
use std::fmt::Write;

/// The fit report page for `report`, fitted to `data`.
pub fn fit_html(report: &FitReport, data: &[Observation]) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>stoploss fit</title><style>{STYLE}</style></head><body><main>"
    );
    let _ = write!(
        h,
        "<h1>Severity fit above {}</h1><p class=\"meta\">{} claimants ({} censored at a cap, {} below the threshold {}) over {} experience year(s); reference threshold u* = {} in projection dollars; {:.2} claimants a year above it.</p>",
        money(report.threshold),
        report.n,
        report.censored,
        report.below_threshold,
        if report.body.is_some() {
            "fit the body"
        } else {
            "left out"
        },
        report.years,
        money(report.reference_threshold),
        report.claimants_per_year
    );
    let _ = write!(
        h,
        "<div class=\"box warn\"><b>Model risk.</b> {}</div>",
        escape(&report.model_risk.statement)
    );
    models_table(&mut h, report);
    excess_table(&mut h, report);
    charts(&mut h, report, data);
    credibility(&mut h, report);
    if let Some(m) = &report.manual {
        super::fit_manual::manual_section(&mut h, m);
    }
    h.push_str("<h2>Definitions</h2><dl>");
    for (k, v) in &report.definitions {
        let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(v));
    }
    h.push_str("</dl></main></body></html>\n");
    h
}

fn num(v: f64) -> String {
    if v.abs() >= 1000.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.4}")
    }
}

fn models_table(h: &mut String, r: &FitReport) {
    fits_table(h, "Fits", &r.models);
    if let Some(c) = &r.component_family {
        let _ = write!(h, "<p>component.json carries the <b>{}</b> tail (the best-AIC fit the simulator's spliced Pareto tail can express exactly).</p>", escape(c));
    }
    if let Some(b) = &r.body {
        let _ = write!(h, "<h2>Body below the threshold</h2><p>{} claimants below the threshold, fitted with the likelihood right-truncated at it (KS and AD on F(x)/F(u)); {} of all claimants are above u*: the tail probability of the spliced component.</p>", b.n, pct(b.tail_probability));
        fits_table(h, "", &b.models);
        if let Some(c) = &b.component_family {
            let _ = write!(
                h,
                "<p>component.json's body is the <b>{}</b> fit.</p>",
                escape(c)
            );
        }
    }
}

fn pct(p: f64) -> String {
    format!("{:.3}%", 100.0 * p)
}

fn fits_table(h: &mut String, title: &str, models: &[crate::fit::FittedModel]) {
    if !title.is_empty() {
        let _ = write!(h, "<h2>{}</h2>", escape(title));
    }
    h.push_str("<div class=\"scroll\"><table><tr><th class=\"l\">family</th><th class=\"l\">parameters (se)</th><th>log-likelihood</th><th>AIC</th><th>&Delta;AIC</th><th>BIC</th><th>KS</th><th>AD</th><th>acceptable</th></tr>");
    for m in models {
        let params: Vec<String> = m
            .parameters
            .iter()
            .map(|(k, v)| {
                let se = m.se.get(k).copied().flatten();
                let boot = m
                    .se_bootstrap
                    .as_ref()
                    .and_then(|b| b.get(k).copied().flatten());
                let se = match (se, boot) {
                    (Some(s), Some(b)) => format!(" ({}; bootstrap {})", num(s), num(b)),
                    (Some(s), None) => format!(" ({})", num(s)),
                    (None, Some(b)) => format!(" (bootstrap {})", num(b)),
                    (None, None) => " (-)".into(),
                };
                format!("{k} {}{se}", num(*v))
            })
            .collect();
        let note = m
            .note
            .as_ref()
            .map(|n| format!("<br><small>{}</small>", escape(n)))
            .unwrap_or_default();
        let _ = write!(
            h,
            "<tr><td class=\"l\">{}</td><td class=\"l\">{}{note}</td><td>{:.4}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td><td>{:.4}</td><td>{:.4}</td><td>{}</td></tr>",
            escape(&m.family),
            escape(&params.join(", ")),
            m.log_likelihood,
            m.aic,
            m.delta_aic,
            m.bic,
            m.ks,
            m.ad,
            if m.acceptable { "yes" } else { "no" }
        );
    }
    h.push_str("</table></div>");
}

fn excess_table(h: &mut String, r: &FitReport) {
    let _ = write!(h, "<h2>Expected excess per claimant above u*</h2><p>E[(X - d)+ | X &gt; {}] under each family; times {:.2} claimants a year gives the layer's expected annual cost. Acceptable fits are marked *.</p><div class=\"scroll\"><table><tr><th>deductible</th>", money(r.reference_threshold), r.claimants_per_year);
    for m in &r.models {
        let _ = write!(
            h,
            "<th>{}{}</th>",
            escape(&m.family),
            if m.acceptable { "*" } else { "" }
        );
    }
    h.push_str("<th>max/min (acceptable)</th></tr>");
    let keys: Vec<&String> = r
        .models
        .first()
        .map(|m| m.expected_excess.keys().collect())
        .unwrap_or_default();
    let mut keys = keys;
    keys.sort_by(|a, b| {
        a.parse::<f64>()
            .unwrap_or(0.0)
            .total_cmp(&b.parse::<f64>().unwrap_or(0.0))
    });
    for k in keys {
        let d: f64 = k.parse().unwrap_or(0.0);
        let _ = write!(h, "<tr><td>{}</td>", money(d));
        for m in &r.models {
            let v = m.expected_excess.get(k).copied().flatten();
            let _ = write!(h, "<td>{}</td>", v.map(money).unwrap_or_else(|| "-".into()));
        }
        let ratio = r
            .model_risk
            .by_deductible
            .get(k)
            .map(|e| format!("{:.2}", e.ratio))
            .unwrap_or_else(|| "-".into());
        let _ = write!(h, "<td>{ratio}</td></tr>");
    }
    h.push_str("</table></div>");
}

fn charts(h: &mut String, r: &FitReport, data: &[Observation]) {
    let location = data
        .iter()
        .map(|o| o.truncation)
        .fold(f64::INFINITY, f64::min);
    let mut xs: Vec<f64> = data
        .iter()
        .filter(|o| !o.censored)
        .map(|o| o.amount)
        .collect();
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    let fams: Vec<_> = r
        .models
        .iter()
        .filter_map(|m| family_of(m, location).map(|(f, p)| (m.family.clone(), f, p)))
        .collect();
    let top = xs.last().copied().unwrap_or(location) * 2.0;
    // Survival above the location, log-log.
    let grid: Vec<f64> = (0..=60)
        .map(|i| location * (top / location).powf(f64::from(i) / 60.0))
        .collect();
    let mut series = vec![Series {
        name: "listing".into(),
        points: xs
            .iter()
            .enumerate()
            .map(|(i, &x)| (x, (n - i) as f64 / n as f64))
            .collect(),
        mark: Mark::Dots,
    }];
    for (name, f, p) in &fams {
        series.push(Series {
            name: name.clone(),
            points: grid
                .iter()
                .map(|&x| (x, 1.0 - conditional_cdf(f.as_ref(), p, x, location)))
                .collect(),
            mark: Mark::Line,
        });
    }
    figure(h, "Survival above the threshold, log axes: the listing (empirical, uncensored claimants) and each fit's S(x)/S(u).", &Plot {
        x_label: "amount".into(),
        y_label: "P(X > x | X > u)".into(),
        log_x: true,
        log_y: true,
        series,
    });
    // QQ: model quantiles of the conditional law at (i - 0.5)/n.
    let mut qq = vec![Series {
        name: "y = x".into(),
        points: vec![(location, location), (top / 2.0, top / 2.0)],
        mark: Mark::Dashed,
    }];
    for (name, f, p) in &fams {
        let points = xs
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let target = (i as f64 + 0.5) / n as f64;
                (
                    quantile(
                        |v| conditional_cdf(f.as_ref(), p, v, location),
                        target,
                        location,
                    ),
                    x,
                )
            })
            .collect();
        qq.push(Series {
            name: name.clone(),
            points,
            mark: Mark::Dots,
        });
    }
    figure(h, "QQ plot: each fit's quantile of the law above the threshold at (i - 0.5)/n against the i-th smallest claim (log axes).", &Plot {
        x_label: "model quantile".into(),
        y_label: "observed amount".into(),
        log_x: true,
        log_y: true,
        series: qq,
    });
    // Mean excess: empirical e(t) at each claim but the last two, and the fits'.
    let me: Vec<(f64, f64)> = xs
        .iter()
        .take(n.saturating_sub(2))
        .map(|&t| {
            let over: Vec<f64> = xs.iter().filter(|&&x| x > t).map(|x| x - t).collect();
            (t, over.iter().sum::<f64>() / over.len().max(1) as f64)
        })
        .collect();
    let mut mes = vec![Series {
        name: "listing".into(),
        points: me,
        mark: Mark::Dots,
    }];
    let upto = xs.get(n.saturating_sub(3)).copied().unwrap_or(top);
    for (name, f, p) in &fams {
        let points = grid
            .iter()
            .filter(|&&t| t <= upto)
            .filter_map(|&t| f.expected_excess(p, t, t).map(|e| (t, e)))
            .collect();
        mes.push(Series {
            name: name.clone(),
            points,
            mark: Mark::Line,
        });
    }
    figure(
        h,
        "Mean excess e(t) = E[X - t | X > t]: rising and straight for a Pareto-type tail.",
        &Plot {
            x_label: "threshold t".into(),
            y_label: "mean excess".into(),
            log_x: false,
            log_y: false,
            series: mes,
        },
    );
    // Threshold stability of the Pareto index: alpha(t) = n_t / sum ln(x/t).
    let mut est = Vec::new();
    let mut lo = Vec::new();
    let mut hi = Vec::new();
    for &t in std::iter::once(&location).chain(xs.iter()) {
        let over: Vec<f64> = xs.iter().filter(|&&x| x > t).copied().collect();
        if over.len() < 4 {
            break;
        }
        let a = over.len() as f64 / over.iter().map(|x| (x / t).ln()).sum::<f64>();
        let se = a / (over.len() as f64).sqrt();
        est.push((t, a));
        lo.push((t, a - 1.96 * se));
        hi.push((t, a + 1.96 * se));
    }
    figure(h, "Threshold stability: the single-parameter Pareto index refitted above each threshold (uncensored claimants, at least 4), with 95% bands.", &Plot {
        x_label: "threshold".into(),
        y_label: "alpha".into(),
        log_x: false,
        log_y: false,
        series: vec![
            Series { name: "alpha".into(), points: est, mark: Mark::Line },
            Series { name: "-1.96 se".into(), points: lo, mark: Mark::Dashed },
            Series { name: "+1.96 se".into(), points: hi, mark: Mark::Dashed },
        ],
    });
}

/// The `target` quantile of an increasing CDF above `lo`, by bisection on
/// the log of the amount.
fn quantile(cdf: impl Fn(f64) -> f64, target: f64, lo: f64) -> f64 {
    let (mut a, mut b) = (lo.ln(), (lo * 1e6).ln());
    for _ in 0..100 {
        let m = 0.5 * (a + b);
        if cdf(m.exp()) < target {
            a = m;
        } else {
            b = m;
        }
    }
    (0.5 * (a + b)).exp()
}

fn figure(h: &mut String, caption: &str, plot: &Plot) {
    let _ = write!(
        h,
        "<figure>{}<figcaption>{}</figcaption></figure>",
        plot.svg(),
        escape(caption)
    );
}

fn credibility(h: &mut String, r: &FitReport) {
    if r.credibility.is_empty() {
        return;
    }
    h.push_str("<h2>Credibility of the excess experience</h2><p>Limited fluctuation: full standard (z/k)<sup>2</sup>(1 + CV<sup>2</sup>) claims, Z = min(1, sqrt(n / standard)), CV of the listing's excess amounts over the deductible. Bühlmann Z = e/(e + K) when K is given. The specific layer counts few claimants with a high CV: its Z stays small, and its price should lean on the manual rate.</p><div class=\"scroll\"><table><tr><th>deductible</th><th>claimants above</th><th>severity CV</th><th>full standard</th><th>Z (limited fluctuation)</th><th>Z (Bühlmann)</th></tr>");
    for c in &r.credibility {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.0}</td><td>{:.3}</td><td>{}</td></tr>",
            money(c.deductible),
            c.claims,
            c.severity_cv
                .map(|v| format!("{v:.3}"))
                .unwrap_or_else(|| "-".into()),
            c.full_standard,
            c.z_limited_fluctuation,
            c.z_buhlmann
                .map(|z| format!("{z:.3}"))
                .unwrap_or_else(|| "-".into())
        );
    }
    h.push_str("</table></div>");
}
