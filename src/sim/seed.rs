//! Per-block generators.
//!
//! A ChaCha8 generator is seeded from the master seed and switched to the
//! stream numbered by the block index; it then seeds the fast
//! Xoshiro256++ generator that the block's trials draw from. Different
//! (seed, block) pairs never share a stream (unlike `seed + block`).

use crate::dist::SimRng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Name of the generator scheme, recorded in every output's metadata.
pub const RNG_NAME: &str = "ChaCha8(seed, stream = block) -> Xoshiro256++";

/// The generator for trial block `block` of a run with master seed `seed`.
pub fn block_rng(seed: u64, block: u64) -> SimRng {
    let mut chacha = ChaCha8Rng::seed_from_u64(seed);
    chacha.set_stream(block);
    SimRng::from_rng(&mut chacha)
}
