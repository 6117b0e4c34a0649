//! The exporters of [`Results`]: one small exporter per format behind
//! [`Exporter`].

mod charts;
mod csv;
mod html;
mod json;
mod markdown;
mod table;

pub use self::csv::{text_cell, CsvExporter};
pub use html::{escape, HtmlExporter};
pub use json::JsonExporter;
pub use markdown::{cell, prose, run_line, MarkdownExporter};
pub use table::TableExporter;

use crate::results::Results;

/// Serializes [`Results`] to one output format.
pub trait Exporter {
    /// The rendered bytes.
    fn serialize(&self, results: &Results) -> anyhow::Result<Vec<u8>>;
}
