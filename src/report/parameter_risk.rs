//! The "with and without parameter risk" table of `summary.md` and
//! `report.html` (empty without `parameter_risk`).

use super::html::escape;
use crate::format::dollars;
use crate::results::Results;

const HEADERS: [&str; 7] = [
    "Candidate",
    "Expected cost (with / known parameters)",
    "sd with",
    "sd known",
    "TVaR 95% with",
    "TVaR 95% known",
    "Variance from parameter risk",
];

fn explained(results: &Results) -> Option<String> {
    let p = results.parameter_risk.as_ref()?;
    Some(format!(
        "Parameter risk: each simulated year draws a common frequency multiplier (CV {}) and severity multiplier (CV {}). Beside each figure, the same years with the parameters known (same seed, no shocks). The last column is the share of the annual cost's variance that parameter risk adds, 1 - sd known^2 / sd with^2.",
        p.frequency_cv, p.severity_cv
    ))
}

fn rows(results: &Results) -> Vec<[String; 7]> {
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
