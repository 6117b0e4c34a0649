//! Results and their exporters: one small exporter per format behind
//! [`Exporter`].

mod csv;
mod json;
mod results;
mod table;

pub use self::csv::CsvExporter;
pub use json::JsonExporter;
pub use results::*;
pub use table::{dollars, TableExporter};

/// Serializes [`Results`] to one output format.
pub trait Exporter {
    /// The rendered bytes.
    fn serialize(&self, results: &Results) -> anyhow::Result<Vec<u8>>;
}
