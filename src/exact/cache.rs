//! Member compounds that do not depend on the specific option (components
//! counting toward the aggregate only, or toward neither cover), computed
//! once per lattice step and shared by every option.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Key: (profile, severity scale bits, lattice step bits, member tail bits,
/// which part).
type Key = (u32, u64, u64, u64, u8);

/// A compound pmf and the index of its cap.
pub type Compound = Arc<(Vec<f64>, usize)>;

/// Shared compounds, filled on first use.
#[derive(Debug, Default)]
pub struct CompoundCache {
    map: Mutex<HashMap<Key, Compound>>,
}

impl CompoundCache {
    /// The compound for `key`, computed by `make` if not yet known.
    pub fn get(
        &self,
        key: (u32, f64, f64, f64, u8),
        make: impl FnOnce() -> (Vec<f64>, usize),
    ) -> Compound {
        let key = (
            key.0,
            key.1.to_bits(),
            key.2.to_bits(),
            key.3.to_bits(),
            key.4,
        );
        if let Some(c) = self.map.lock().unwrap().get(&key) {
            return c.clone();
        }
        let c = Arc::new(make());
        self.map.lock().unwrap().entry(key).or_insert(c).clone()
    }
}
