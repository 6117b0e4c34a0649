//! fit.html's manual-rate section: the manual rate, the experience, each
//! layer's credibility and the blend, per deductible.

use super::escape;
use crate::fit::manual::ManualReport;
use crate::format::{group, money};
use std::fmt::Write;

/// Appends the section for `m` to `h`.
pub(super) fn manual_section(h: &mut String, m: &ManualReport) {
    let _ = write!(
        h,
        "<h2>Manual rate and credibility</h2><p>{} members, {} member-months, factor {} member-years; trend factor {:.4}. Manual cost below the specific {} a year ({} PMPM); the age/sex factors scale <b>{}</b>. Blend Z x experience + (1 - Z) x manual per layer; implied aggregate attachment {} x the blended claims below the specific.</p>",
        group(m.members as u64),
        group(m.member_months.round() as u64),
        group(m.factor_years.round() as u64),
        m.trend_factor,
        money(m.annual_below_specific),
        money(m.pmpm),
        escape(&m.scaling),
        m.corridor
    );
    if let Some(d) = &m.description {
        let _ = write!(h, "<p><small>{}</small></p>", escape(d));
    }
    h.push_str("<div class=\"scroll\"><table><tr><th>deductible</th><th>manual specific</th><th>experience specific</th><th>Z specific</th><th>blended specific</th><th>experience below</th><th>Z below</th><th>blended below</th><th>implied aggregate attachment</th></tr>");
    let opt = |v: Option<f64>| v.map(money).unwrap_or_else(|| "-".into());
    for l in &m.layers {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.3}</td><td>{}</td><td>{}</td><td>{:.3}</td><td>{}</td><td>{}</td></tr>",
            money(l.deductible),
            money(l.manual_specific),
            opt(l.experience_specific),
            l.z_specific,
            money(l.blended_specific),
            opt(l.experience_below),
            l.z_below,
            money(l.blended_below),
            money(l.implied_aggregate_attachment)
        );
    }
    h.push_str("</table></div>");
}
