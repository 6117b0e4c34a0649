//! The "with and without parameter risk" table of `summary.md` and
//! `report.html` (empty without `parameter_risk`).

use super::html::escape;
use crate::format::dollars;
use crate::results::Results;

const HEADERS: [&str; 9] = [
    "Candidate",
    "Expected cost (with / known parameters)",
    "sd with",
    "sd known",
    "TVaR 95% with",
    "TVaR 95% known",
    "Cost variance from parameter risk",
    "Specific reimbursement: sd with / known (parameter share)",
    "Aggregate reimbursement: sd with / known (parameter share)",
];

fn explained(results: &Results) -> Option<String> {
    let p = results.parameter_risk.as_ref()?;
    let posterior = p.posterior.as_ref().map_or_else(String::new, |q| {
        let est: Vec<String> = q
            .estimates
            .iter()
            .map(|(k, v)| format!("{k} {v:.4} (se {:.4})", q.se.get(k).copied().unwrap_or(f64::NAN)))
            .collect();
        format!(
            " Each year also draws the tail of {} from the sampling distribution of the fit {}: {}, normal, redrawn where the tail index would be at or below {} ({:.1}% of draws).",
            q.components.join(", "),
            q.source,
            est.join(", "),
            q.min_alpha,
            100.0 * q.redrawn_share
        )
    });
    Some(format!(
        "Parameter risk: each simulated year draws a common frequency multiplier (CV {}) and severity multiplier (CV {}).{posterior} Beside each figure, the same years with the parameters known (same seed, no shocks). A parameter share is what parameter risk adds to a figure's variance, 1 - sd known^2 / sd with^2; the rest is process variance.",
        p.frequency_cv, p.severity_cv
    ))
}

fn split(v: &crate::results::VarianceSplit) -> String {
    format!(
        "{} / {} ({:.1}%)",
        dollars(v.sd_with),
        dollars(v.sd_without),
        100.0 * v.parameter_share
    )
}

fn rows(results: &Results) -> Vec<[String; 9]> {
    results.parameter_risk.as_ref().map_or_else(Vec::new, |p| {
        p.candidates
            .iter()
            .map(|c| {
                [
                    c.label.clone(),
                    format!("{} / {}", dollars(c.mean_with), dollars(c.mean_without)),
                    dollars(c.sd_with),
                    dollars(c.sd_without),
                    dollars(c.tvar95_with),
                    dollars(c.tvar95_without),
                    format!("{:.1}%", 100.0 * c.parameter_variance_share),
                    split(&c.variance_split.specific_reimbursement),
                    split(&c.variance_split.aggregate_reimbursement),
                ]
            })
            .collect()
    })
}

/// The section of `summary.md`.
pub fn markdown_section(results: &Results) -> String {
    let Some(text) = explained(results) else {
        return String::new();
    };
    format!(
        "\n### With and without parameter risk\n\n{text}\n\n{}",
        super::markdown::table(&HEADERS, &rows(results))
    )
}

/// The section of `report.html`.
pub fn html_section(results: &Results) -> String {
    let Some(text) = explained(results) else {
        return String::new();
    };
    format!(
        "<h2 id=\"parameter-risk\">With and without parameter risk</h2><p>{}</p>{}",
        escape(&text),
        super::html::table(&HEADERS, &rows(results), 1)
    )
}
