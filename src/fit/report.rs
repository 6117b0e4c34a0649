//! fit.html.

use super::listing::Observation;
use super::FitReport;

/// fit.html for a report.
pub fn html(_r: &FitReport, _data: &[Observation]) -> String {
    String::new()
}
