//! The exporters of [`Results`]: one small exporter per format behind
//! [`Exporter`].

mod brief;
mod cash_flow;
mod charts;
mod csv;
mod fit_html;
mod fit_manual;
mod html;
mod json;
mod markdown;
mod model_risk;
mod parameter_risk;
pub mod plain;
mod projection;
mod svg_plot;
mod table;
mod xlsx;

pub use self::csv::{text_cell, CsvExporter};
pub use cash_flow::{has_timing, CashFlowCsvExporter, CASH_FLOW_COLUMNS};
pub use fit_html::fit_html;
pub use html::{escape, HtmlExporter};
pub use json::JsonExporter;
pub use markdown::{cell, prose, run_line, MarkdownExporter};
pub use table::TableExporter;
pub use xlsx::XlsxExporter;

use crate::results::Results;

/// Why an output could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// JSON serialization failed.
    #[error("cannot serialize the results as JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// CSV writing failed.
    #[error("cannot write CSV: {0}")]
    Csv(#[from] ::csv::Error),
    /// A chart could not be drawn.
    #[error("cannot draw a chart: {0}")]
    Chart(String),
    /// The workbook could not be built.
    #[error("cannot write the workbook: {0}")]
    Xlsx(String),
    /// Text formatting failed.
    #[error("cannot format the output")]
    Format(#[from] std::fmt::Error),
}

impl<W> From<::csv::IntoInnerError<W>> for ExportError {
    fn from(e: ::csv::IntoInnerError<W>) -> Self {
        ExportError::Csv(e.into_error().into())
    }
}

/// Serializes [`Results`] to one output format.
pub trait Exporter {
    /// The rendered bytes.
    fn serialize(&self, results: &Results) -> Result<Vec<u8>, ExportError>;
}
