//! Results and their exporters: one small exporter per format behind
//! [`Exporter`].

mod charts;
mod csv;
mod decision;
mod html;
mod json;
mod markdown;
mod nullable;
mod results;
mod table;

pub use self::csv::{text_cell, CsvExporter};
pub use decision::*;
pub use html::{escape, HtmlExporter};
pub use json::JsonExporter;
pub use markdown::{cell, prose, run_line, MarkdownExporter};
pub use results::*;
pub use table::{dollars, TableExporter};

/// Serializes [`Results`] to one output format.
pub trait Exporter {
    /// The rendered bytes.
    fn serialize(&self, results: &Results) -> anyhow::Result<Vec<u8>>;
}
