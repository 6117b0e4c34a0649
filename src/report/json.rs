//! `results.json`.

use super::{ExportError, Exporter};
use crate::results::Results;

/// Pretty-printed JSON of the whole [`Results`].
#[derive(Debug, Default, Clone, Copy)]
pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn serialize(&self, results: &Results) -> Result<Vec<u8>, ExportError> {
        let mut out = serde_json::to_vec_pretty(results)?;
        out.push(b'\n');
        Ok(out)
    }
}
