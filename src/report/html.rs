//! `report.html`: one self-contained page to show the employer: the
//! recommendation, the candidate table, the frontier, exceedance curves,
//! the cost parts and the assumptions. Inline CSS and inline SVG charts; no
//! scripts and nothing fetched, so it opens offline.

use super::{brief, plain};
use super::{charts, run_line, ExportError, Exporter};
use crate::analysis::text;
use crate::format::{dollars, money};
use crate::model::RiskMeasure;
use crate::results::Results;
use std::fmt::Write;

/// The report page.
#[derive(Debug, Default, Clone, Copy)]
pub struct HtmlExporter;

/// Text escaped for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(crate) const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:0;color:#222;background:#fafafa}
main{max-width:1240px;margin:0 auto;padding:24px 32px 64px;background:#fff}
h1{margin:0 0 4px;font-size:26px}h2{margin:36px 0 10px;font-size:20px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:16px;margin:20px 0 6px}p.meta{color:#666;margin:0 0 12px}
table{border-collapse:collapse;font-size:13px;margin:8px 0;width:100%}
div.scroll{overflow-x:auto}
th,td{padding:4px 6px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}
th{background:#f3f3f3;font-weight:600;white-space:normal;vertical-align:bottom}td.l,th.l{text-align:left;white-space:normal;min-width:140px}
table.key{width:auto;font-size:14px}table.key td.l{min-width:280px}
.summary p{margin:6px 0;font-size:15px;line-height:1.45}.note{color:#555;font-size:13px}
.swatch{display:inline-block;width:11px;height:11px;margin:0 4px 0 10px;vertical-align:-1px}
tr.recommended td{background:#fdecea;font-weight:600}tr.runner-up td{background:#fff4e0}
tr.dominated td{color:#888}
.box{background:#f5f8fc;border-left:4px solid #285ab4;padding:10px 16px;margin:12px 0}
.box.warn{background:#fff8e6;border-color:#e68c14}
.box li{margin:4px 0}figure{margin:8px 0}figure svg{max-width:100%;height:auto}
figcaption{color:#555;font-size:13px;margin-top:4px}dl{display:grid;grid-template-columns:max-content auto;gap:4px 16px;font-size:14px}
dt{color:#555}dd{margin:0}
@page{size:landscape;margin:10mm}
@media print{body{background:#fff}main{max-width:none;padding:0;margin:0}
table{font-size:8.5pt;width:100%}th,td{white-space:normal;padding:2px 4px}td.l,th.l{min-width:0}
thead{display:table-header-group}tr{break-inside:avoid}div.scroll{overflow:visible}
h2{break-after:avoid;margin-top:18px}.page-break{break-before:page}figure{break-inside:avoid}
figure svg{max-height:150mm;width:auto}}
";

fn opt_money(x: Option<f64>) -> String {
    x.map(money).unwrap_or_else(|| "-".into())
}

impl HtmlExporter {
    /// Candidates shown on the exceedance chart: the recommendation, the
    /// runner-up, the baseline, the cheapest and the safest on average.
    pub(super) fn selected(results: &Results) -> Vec<(usize, String)> {
        let index = |l: &str| results.candidates.iter().position(|c| c.label == l);
        let mut out: Vec<(usize, String)> = Vec::new();
        let mut add = |i: Option<usize>, role: &str| {
            if let Some(i) = i {
                if !out.iter().any(|(j, _)| *j == i) {
                    out.push((i, format!("{role}: {}", results.candidates[i].label)));
                }
            }
        };
        if let Some(d) = &results.decision {
            add(index(&d.recommended), "recommended");
            add(d.runner_up.as_deref().and_then(index), "runner-up");
        }
        let baseline = results
            .candidates
            .first()
            .and_then(|c| c.vs_baseline.as_ref())
            .map(|b| b.baseline.clone());
        add(baseline.as_deref().and_then(index), "baseline");
        let by = |f: &dyn Fn(&crate::results::CandidateResult) -> f64| {
            (0..results.candidates.len())
                .min_by(|&a, &b| f(&results.candidates[a]).total_cmp(&f(&results.candidates[b])))
        };
        add(by(&|c| c.employer_cost.mean), "lowest expected cost");
        add(by(&|c| c.employer_cost.tvar.p99), "lowest TVaR 99%");
        out
    }

    fn candidate_table(s: &mut String, results: &Results) -> std::fmt::Result {
        let d = results.decision.as_ref();
        let fm = d
            .and_then(|d| d.rule.frontier_measure.parse::<RiskMeasure>().ok())
            .unwrap_or(RiskMeasure::TVAR99);
        let rm = d
            .and_then(|d| d.rule.risk_measure.parse::<RiskMeasure>().ok())
            .filter(|&m| m != fm);
        let fi = d.and_then(|d| d.fully_insured.as_ref());
        write!(
            s,
            "<div class=\"scroll\"><table id=\"candidate-table\"><thead><tr><th class=\"l\">candidate</th><th>expected cost</th><th>se</th><th>p95</th><th>{}</th>",
            escape(&fm.describe())
        )?;
        if let Some(m) = rm {
            write!(s, "<th>{}</th>", escape(&m.describe()))?;
        }
        if d.is_some() {
            s.push_str("<th>vs recommended (se)</th><th class=\"l\">frontier</th>");
        }
        if fi.is_some() {
            s.push_str("<th>saving vs fully insured</th><th>P(costs more)</th>");
        }
        s.push_str("<th>P(aggregate pays)</th></tr></thead><tbody>");
        for (i, c) in results.candidates.iter().enumerate() {
            let e = &c.employer_cost;
            let p = d.and_then(|d| d.frontier.get(i));
            let class = match d {
                Some(d) if d.recommended == c.label => "recommended",
                Some(d) if d.runner_up.as_deref() == Some(c.label.as_str()) => "runner-up",
                _ if p.is_some_and(|p| !p.efficient) => "dominated",
                _ => "",
            };
            write!(
                s,
                "<tr class=\"{class}\"><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
                escape(&c.label),
                money(e.mean),
                dollars(e.se),
                money(e.percentiles.p95),
                p.map_or("-".into(), |p| text::measure_value(fm, p.risk.value)),
            )?;
            if let Some(m) = rm {
                write!(
                    s,
                    "<td>{}</td>",
                    p.map_or("-".into(), |p| text::measure_value(m, p.rule_risk.value))
                )?;
            }
            if let Some(p) = p {
                let vs = match p.vs_recommended {
                    Some(v) if class != "recommended" => format!(
                        "{}{} ({})",
                        if v.mean_difference < 0.0 { "-" } else { "+" },
                        money(v.mean_difference.abs()),
                        dollars(v.se)
                    ),
                    _ => "-".into(),
                };
                let status = match &p.dominated_by {
                    None => "efficient".to_string(),
                    Some(by) => format!("dominated by {}", escape(by)),
                };
                write!(s, "<td>{vs}</td><td class=\"l\">{status}</td>")?;
            }
            if let Some(fi) = fi {
                let f = &fi.candidates[i];
                write!(
                    s,
                    "<td>{}</td><td>{}</td>",
                    money(f.expected_saving.mean),
                    crate::format::percent_small(f.prob_self_funding_costs_more.mean)
                )?;
            }
            write!(
                s,
                "<td>{}</td></tr>",
                c.prob_aggregate_attaches
                    .map_or("-".into(), |p| crate::format::percent_small(p.mean))
            )?;
        }
        s.push_str("</tbody></table></div>");
        Ok(())
    }

    fn fully_insured(s: &mut String, results: &Results) -> std::fmt::Result {
        let Some(fi) = results
            .decision
            .as_ref()
            .and_then(|d| d.fully_insured.as_ref())
        else {
            return Ok(());
        };
        write!(
            s,
            "<h2 id=\"fully-insured\">Self-funded against fully insured</h2><p>Fully insured premium: {} a year. A positive saving means self-funding is cheaper on average; the worst years are the 95th and 99th percentiles of the self-funded cost, less the premium (negative: still a saving), with 95% intervals.</p>",
            money(fi.premium)
        )?;
        s.push_str("<div class=\"scroll\"><table><thead><tr><th class=\"l\">candidate</th><th>expected saving (se)</th><th>P(self-funding costs more) (se)</th><th>worst 1-in-20 year vs premium</th><th>95% interval</th><th>worst 1-in-100 year vs premium</th><th>95% interval</th></tr></thead><tbody>");
        for c in &fi.candidates {
            write!(
                s,
                "<tr><td class=\"l\">{}</td><td>{} ({})</td><td>{} ({})</td><td>{}</td><td>{} to {}</td><td>{}</td><td>{} to {}</td></tr>",
                escape(&c.label),
                money(c.expected_saving.mean),
                dollars(c.expected_saving.se),
                crate::format::percent(c.prob_self_funding_costs_more.mean),
                crate::format::percent(c.prob_self_funding_costs_more.se),
                money(c.worst_1_in_20.over_fully_insured),
                money(c.worst_1_in_20.ci95.lo),
                money(c.worst_1_in_20.ci95.hi),
                money(c.worst_1_in_100.over_fully_insured),
                money(c.worst_1_in_100.ci95.lo),
                money(c.worst_1_in_100.ci95.hi),
            )?;
        }
        s.push_str("</tbody></table></div>");
        Ok(())
    }

    fn assumptions(s: &mut String, results: &Results) -> std::fmt::Result {
        s.push_str("<h2 id=\"assumptions\">Assumptions</h2><dl>");
        let mut item = |k: &str, v: String| write!(s, "<dt>{}</dt><dd>{v}</dd>", escape(k));
        item("study", escape(&results.name))?;
        if let Some(a) = &results.assumptions {
            if let Some(d) = &a.description {
                item("description", escape(d))?;
            }
        }
        item("method", escape(&run_line(results)))?;
        item(
            "tool",
            format!(
                "{} {}, rng {}, blocks of {} trials",
                escape(&results.meta.tool),
                escape(&results.meta.version),
                escape(&results.meta.rng),
                results.meta.block_trials
            ),
        )?;
        item(
            "expected gross claims",
            format!(
                "{} (closed form); simulated {} (se {})",
                money(results.population.expected_gross_claims),
                money(results.population.simulated_gross_claims.mean),
                dollars(results.population.simulated_gross_claims.se)
            ),
        )?;
        if let Some(a) = &results.assumptions {
            item(
                "trend",
                format!(
                    "{:.2}% a year for {} months (factor {:.4})",
                    100.0 * a.trend_annual,
                    a.trend_months,
                    results.population.trend_factor
                ),
            )?;
            item("admin fees", format!("{} a year", money(a.annual_fees)))?;
            item("budget", opt_money(a.budget))?;
            item("fully insured premium", opt_money(a.fully_insured_premium))?;
            item("lasered members", a.lasers.to_string())?;
        }
        if let Some(d) = &results.decision {
            item("recommendation rule", escape(&d.rule.text))?;
        }
        s.push_str("</dl>");
        if let Some(a) = &results.assumptions {
            s.push_str("<h3>Claim model</h3><div class=\"scroll\"><table><thead><tr><th class=\"l\">class</th><th>members</th><th>employees</th><th class=\"l\">component</th><th>claims per member-year</th><th>mean claim (before trend)</th><th class=\"l\">counts toward</th></tr></thead><tbody>");
            for c in &a.classes {
                for k in &c.components {
                    let toward = match (k.specific, k.aggregate) {
                        (true, true) => "specific and aggregate",
                        (true, false) => "specific only",
                        (false, true) => "aggregate only",
                        (false, false) => "neither",
                    };
                    write!(
                        s,
                        "<tr><td class=\"l\">{}</td><td>{}</td><td>{:.0}</td><td class=\"l\">{}</td><td>{:.3}</td><td>{}</td><td class=\"l\">{toward}</td></tr>",
                        escape(&c.name),
                        c.members,
                        c.employees,
                        escape(&k.name),
                        k.claims_per_member,
                        money(k.mean_severity)
                    )?;
                }
            }
            s.push_str("</tbody></table></div>");
        }
        s.push_str("<h3>Stop-loss terms</h3><div class=\"scroll\"><table><thead><tr><th class=\"l\">candidate</th><th>specific deductible</th><th>aggregate attachment</th><th class=\"l\">attachment basis</th><th>specific premium</th><th>aggregate premium</th><th>fees</th><th>max liability (strict bound)</th><th>max liability (market convention)</th></tr></thead><tbody>");
        for c in &results.candidates {
            write!(
                s,
                "<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td class=\"l\">{}</td><td>{} ({})</td><td>{} ({})</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&c.label),
                opt_money(c.specific_deductible),
                opt_money(c.aggregate_attachment),
                escape(c.aggregate_attachment_basis.as_deref().unwrap_or("-")),
                money(c.specific_premium.mean),
                escape(&c.premium_basis.specific),
                money(c.aggregate_premium.mean),
                escape(&c.premium_basis.aggregate),
                money(c.fees.mean),
                c.max_liability.map_or("unbounded".into(), money),
                opt_money(c.market_max_liability()),
            )?;
        }
        s.push_str("</tbody></table></div>");
        write!(
            s,
            "<p class=\"note\">The strict bound is the most the plan can cost in any year, counting every claim the contract leaves with the employer (unbounded when any claims stay outside the aggregate or the aggregate has a maximum). The market convention is {}.</p>",
            escape(&plain::market_liability_note(results))
        )?;
        let warnings: Vec<String> = results
            .warnings
            .iter()
            .cloned()
            .chain(
                results
                    .candidates
                    .iter()
                    .flat_map(|c| c.warnings.iter().map(move |w| format!("{}: {w}", c.label))),
            )
            .collect();
        if !warnings.is_empty() {
            s.push_str("<h3>Warnings</h3><div class=\"box warn\"><ul>");
            for w in warnings {
                write!(s, "<li>{}</li>", escape(&w))?;
            }
            s.push_str("</ul></div>");
        }
        Ok(())
    }
}

/// A table of `headers` and `rows` in a horizontally scrolling block, its
/// first `left` columns left-aligned (text), the others right-aligned.
pub fn table<R: AsRef<[String]>>(headers: &[&str], rows: &[R], left: usize) -> String {
    let class = |i: usize| if i < left { " class=\"l\"" } else { "" };
    let mut s = String::from("<div class=\"scroll\"><table><thead><tr>");
    for (i, h) in headers.iter().enumerate() {
        let _ = write!(s, "<th{}>{}</th>", class(i), escape(h));
    }
    s.push_str("</tr></thead><tbody>");
    for row in rows {
        s.push_str("<tr>");
        for (i, c) in row.as_ref().iter().enumerate() {
            let _ = write!(s, "<td{}>{}</td>", class(i), escape(c));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>");
    s
}

fn figure(s: &mut String, id: &str, svg: &str, caption: &str) {
    let _ = write!(
        s,
        "<figure id=\"{id}\">{svg}<figcaption>{}</figcaption></figure>",
        escape(caption)
    );
}

impl Exporter for HtmlExporter {
    fn serialize(&self, results: &Results) -> Result<Vec<u8>, ExportError> {
        let chart = |r: Result<String, Box<dyn std::error::Error>>| {
            r.map_err(|e| ExportError::Chart(e.to_string()))
        };
        let mut s = String::with_capacity(256 * 1024);
        write!(
            s,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><link rel=\"icon\" href=\"data:,\"><title>{} - stop-loss report</title><style>{STYLE}</style></head><body><main>",
            escape(&results.name)
        )?;
        brief::heading(&mut s, results, &run_line(results))?;
        brief::summary(&mut s, results)?;
        if let Some(d) = &results.decision {
            let class = if d.meets_cap { "box" } else { "box warn" };
            write!(
                s,
                "<h2 id=\"recommendation\" class=\"page-break\">Recommendation: the analyst's detail</h2><div class=\"{class}\"><ul>"
            )?;
            for line in &d.summary {
                write!(s, "<li>{}</li>", escape(line))?;
            }
            s.push_str("</ul></div>");
        }
        s.push_str("<h2 id=\"candidates\">Candidates</h2><p>Expected annual employer cost (retained claims + premiums + fees) and its tail. se is the standard error of the Monte Carlo estimate (the error bound with the exact engine); differences from the recommended candidate are paired on the same simulated years.</p>");
        Self::candidate_table(&mut s, results)?;
        brief::per_month_table(&mut s, results)?;
        if let Some(d) = &results.decision {
            s.push_str("<h2>Efficient frontier</h2>");
            let svg = chart(charts::frontier(d))?;
            figure(
                &mut s,
                "frontier-chart",
                &svg,
                "Expected cost against the tail measure. A candidate is dominated when another is cheaper on average and safer; the line joins the efficient ones.",
            );
        }
        s.push_str("<h2>Exceedance curves</h2>");
        let svg = chart(charts::exceedance(results, &Self::selected(results)))?;
        figure(
            &mut s,
            "exceedance-chart",
            &svg,
            "Probability that the annual employer cost exceeds x, for the recommended candidate, the runner-up, the baseline and the cheapest and safest candidates.",
        );
        s.push_str("<h2>Where the money goes</h2>");
        let svg = chart(charts::cost_parts(results))?;
        figure(
            &mut s,
            "cost-parts-chart",
            &svg,
            "Expected annual cost per candidate: claims the employer keeps, stop-loss premiums and administration fees.",
        );
        write!(s, "<p class=\"note\">{}</p>", charts::cost_parts_legend())?;
        s.push_str(&super::cash_flow::html_section(results)?);
        s.push_str(&super::parameter_risk::html_section(results));
        s.push_str(&super::model_risk::html_section(results));
        s.push_str(&super::projection::html_section(results)?);
        Self::fully_insured(&mut s, results)?;
        Self::assumptions(&mut s, results)?;
        brief::limitations(&mut s, results)?;
        s.push_str("</main></body></html>\n");
        Ok(s.into_bytes())
    }
}
