//! The state file format (`stoploss::state`): exact round trips of every
//! f64 bit pattern, block ranges whose payloads concatenate (what merging
//! shards relies on), every damaged byte detected, the header's own checks,
//! the config hash, and the checks made before a state is resumed.

use std::fs;
use std::path::Path;
use stoploss::model::Study;
use stoploss::sim::{
    simulate, simulate_blocks, AggregateRetained, Claimants, TrialColumns, BLOCK_TRIALS,
};
use stoploss::state::{
    config_hash, load_for_resume, read_header, read_payload, save, write, StateError, StateHeader,
    HEADER_BYTES,
};

/// Columns of `trials` trials x `options` specific options, with values
/// that exercise every kind of f64 (NaN payloads, -0, infinities,
/// subnormals) and distinct per position.
fn columns(trials: usize, options: usize, salt: u64) -> TrialColumns {
    let special = [
        f64::from_bits(0x7ff8_0000_dead_beef),
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::from_bits(1),
        f64::MAX,
    ];
    let value = |col: u64, i: usize| {
        let k = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (col << 40) ^ salt;
        if k % 97 < special.len() as u64 {
            special[(k % 97) as usize]
        } else {
            (k % 1_000_000_007) as f64 * 1.000_000_1
        }
    };
    TrialColumns {
        gross: (0..trials).map(|i| value(0, i)).collect(),
        retained: (0..options)
            .map(|s| (0..trials).map(|i| value(1 + s as u64, i)).collect())
            .collect(),
        aggregate_retained: AggregateRetained::Columns(
            (0..options)
                .map(|s| (0..trials).map(|i| value(100 + s as u64, i)).collect())
                .collect(),
        ),
        claimants: (0..options)
            .map(|s| Claimants::U32((0..trials).map(|i| (i as u32) ^ (s as u32) << 20).collect()))
            .collect(),
        monthly: None,
    }
}

/// Bitwise equality (NaN payloads and signed zeros included).
fn assert_same_columns(a: &TrialColumns, b: &TrialColumns) {
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&a.gross), bits(&b.gross));
    assert_eq!(a.retained.len(), b.retained.len());
    for (x, y) in a.retained.iter().zip(&b.retained) {
        assert_eq!(bits(x), bits(y));
    }
    assert_eq!(a.aggregate_columns(), b.aggregate_columns());
    for (x, y) in a.aggregates().zip(b.aggregates()) {
        assert_eq!(bits(&x.to_cow()), bits(&y.to_cow()));
    }
    assert_eq!(a.claimants, b.claimants);
}

/// The trials of `blocks` (for a run of `run_trials`) cut out of `all`.
fn slice(all: &TrialColumns, run_trials: u64, blocks: std::ops::Range<u64>) -> TrialColumns {
    let start = (blocks.start * BLOCK_TRIALS) as usize;
    let end = (blocks.end * BLOCK_TRIALS).min(run_trials) as usize;
    TrialColumns {
        gross: all.gross[start..end].to_vec(),
        retained: all
            .retained
            .iter()
            .map(|c| c[start..end].to_vec())
            .collect(),
        aggregate_retained: AggregateRetained::Columns(
            all.aggregates()
                .map(|c| c.to_cow()[start..end].to_vec())
                .collect(),
        ),
        claimants: all
            .claimants
            .iter()
            .map(|c| Claimants::U32(c.to_u32()[start..end].to_vec()))
            .collect(),
        monthly: None,
    }
}

fn encode(header: &StateHeader, cols: &TrialColumns) -> Vec<u8> {
    let mut bytes = Vec::new();
    write(&mut bytes, header, cols).expect("write to memory");
    bytes
}

fn decode(bytes: &[u8]) -> Result<(StateHeader, TrialColumns), StateError> {
    let mut r = bytes;
    let header = read_header(&mut r)?;
    let mut cols = TrialColumns::default();
    read_payload(&mut r, &header, &mut cols)?;
    Ok((header, cols))
}

#[test]
fn a_block_range_round_trips_bit_for_bit() {
    // Blocks 3..7 of a 7,000-trial run: three full blocks and the partial
    // last one (7,000 - 6 x 1,024 = 856 trials).
    let run = 7_000;
    let trials = 3 * 1024 + 856;
    let cols = columns(trials, 3, 1);
    let header = StateHeader::new(0xfeed_beef, 42, run, 3..7, 3);
    assert_eq!(header.trials(), trials as u64);
    let bytes = encode(&header, &cols);
    assert_eq!(bytes.len(), HEADER_BYTES + trials * (8 + 20 * 3));
    let (read, back) = decode(&bytes).unwrap();
    assert_eq!(
        read,
        StateHeader {
            payload_checksum: read.payload_checksum,
            ..header
        }
    );
    assert_ne!(read.payload_checksum, 0);
    assert_eq!(read.tool_version, env!("CARGO_PKG_VERSION"));
    assert!(!read.is_whole_run());
    assert_same_columns(&cols, &back);
}

/// Payloads of consecutive block ranges concatenate into the payload of
/// their union, and reading the parts in order rebuilds the columns.
#[test]
fn payloads_of_consecutive_ranges_concatenate() {
    let run = 5 * 1024 + 10;
    let all = columns(run as usize, 2, 2);
    let whole = encode(&StateHeader::new(1, 2, run, 0..6, 2), &all);
    let mut joined = Vec::new();
    let mut rebuilt = TrialColumns::default();
    for blocks in [0..2, 2..3, 3..6] {
        let part = slice(&all, run, blocks.clone());
        let bytes = encode(&StateHeader::new(1, 2, run, blocks, 2), &part);
        joined.extend_from_slice(&bytes[HEADER_BYTES..]);
        let mut r = &bytes[..];
        let header = read_header(&mut r).unwrap();
        read_payload(&mut r, &header, &mut rebuilt).unwrap();
    }
    assert!(joined == whole[HEADER_BYTES..]);
    assert_same_columns(&all, &rebuilt);
}

/// Flipping any one bit anywhere in a file is caught.
#[test]
fn every_damaged_byte_is_detected() {
    let cols = columns(5, 1, 3);
    let good = encode(&StateHeader::new(7, 8, 5, 0..1, 1), &cols);
    assert_eq!(good.len(), HEADER_BYTES + 5 * 28);
    assert!(decode(&good).is_ok());
    for i in 0..good.len() {
        let mut bad = good.clone();
        bad[i] ^= 1 << (i % 8);
        match decode(&bad) {
            Ok(_) => panic!("a flipped bit at byte {i} went unnoticed"),
            Err(e) => {
                let expected = match i {
                    0..8 => matches!(e, StateError::NotAState),
                    8..12 => matches!(e, StateError::FormatVersion { .. }),
                    12..HEADER_BYTES => matches!(e, StateError::HeaderCorrupt),
                    _ => matches!(e, StateError::PayloadCorrupt { .. }),
                };
                assert!(expected, "byte {i}: {e}");
            }
        }
    }
    assert!(matches!(
        decode(&good[..good.len() - 1]),
        Err(StateError::Truncated)
    ));
    assert!(matches!(
        decode(&good[..HEADER_BYTES - 1]),
        Err(StateError::Truncated)
    ));
}

/// Headers with a valid checksum are still checked for sense before
/// anything is allocated from them.
#[test]
fn headers_are_checked_for_version_and_consistency() {
    let cols = columns(5, 1, 4);
    let h = StateHeader::new(7, 8, 5, 0..1, 1);
    let future = StateHeader {
        format_version: 2,
        ..h.clone()
    };
    let e = StateHeader::decode(&future.encode().unwrap()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "state format version 2; this build reads version 1"
    );
    let beyond = StateHeader {
        blocks: 0..2,
        ..h.clone()
    };
    let e = StateHeader::decode(&beyond.encode().unwrap()).unwrap_err();
    assert!(
        e.to_string()
            .contains("blocks 0..2 of a run of 5 trials (1 blocks)"),
        "{e}"
    );
    let huge = StateHeader {
        payload_bytes: u64::MAX,
        ..h.clone()
    };
    let e = StateHeader::decode(&huge.encode().unwrap()).unwrap_err();
    assert!(matches!(e, StateError::Inconsistent(_)), "{e}");
    // Columns that do not match the header are not written.
    let mut sink = Vec::new();
    assert!(write(&mut sink, &StateHeader::new(7, 8, 6, 0..1, 1), &cols).is_err());
    assert!(write(&mut sink, &StateHeader::new(7, 8, 5, 0..1, 2), &cols).is_err());
}

fn shipped(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("configs")
        .join(name)
}

/// The config hash follows the config's content, not its text.
#[test]
fn config_hash_follows_content_not_formatting() {
    let tmp = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(shipped("census-5000.json")).unwrap();
    fs::copy(
        shipped("census-5000.csv"),
        tmp.path().join("census-5000.csv"),
    )
    .unwrap();
    let hash_of = |name: &str, text: &str| {
        let path = tmp.path().join(name);
        fs::write(&path, text).unwrap();
        config_hash(&path).unwrap()
    };
    let original = hash_of("a.json", &text);
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    // Compact, keys sorted, a BOM in front: the same config.
    assert_eq!(
        hash_of(
            "b.json",
            &format!("\u{feff}{}", serde_json::to_string(&v).unwrap())
        ),
        original
    );
    // Seed, trials and description are not part of it.
    v["seed"] = 1.into();
    v["trials"] = 7.into();
    v["description"] = "other words".into();
    assert_eq!(hash_of("c.json", &v.to_string()), original);
    // A number is the f64 it reads as, however it is written.
    let deductible = v["stop_loss"]["specific"][0]["deductible"].clone();
    let as_f64 = deductible.as_f64().unwrap();
    let spelled = v.to_string().replacen(
        &format!("\"deductible\":{deductible}"),
        &format!("\"deductible\":{as_f64:e}"),
        1,
    );
    assert_ne!(spelled, v.to_string());
    assert_eq!(hash_of("d.json", &spelled), original);
    // Any change to the model changes it.
    let mut changed = v.clone();
    changed["stop_loss"]["specific"][0]["deductible"] = (as_f64 + 1.0).into();
    assert_ne!(hash_of("e.json", &changed.to_string()), original);
    // So does any change to the census it names.
    let census = tmp.path().join("census-5000.csv");
    let mut rows = fs::read(&census).unwrap();
    let last = rows.len() - 2;
    rows[last] = if rows[last] == b'1' { b'2' } else { b'1' };
    fs::write(&census, rows).unwrap();
    assert_ne!(hash_of("f.json", &v.to_string()), original);
}

fn small_study(trials: u64) -> (Study, u64) {
    let path = shipped("small-100.json");
    let mut study = stoploss::config::load(&path).unwrap();
    study.trials = trials;
    (study, config_hash(&path).unwrap())
}

fn save_to(path: &Path, study: &Study, hash: u64, cols: &TrialColumns) {
    let mut bytes = Vec::new();
    save(&mut bytes, study, hash, cols).unwrap();
    fs::write(path, bytes).unwrap();
}

/// A saved run loads back as the same trials; one whose block 0 differs
/// from what this build simulates (the stream changed) is refused even with
/// every checksum right.
#[test]
fn resume_loads_the_saved_trials_and_checks_block_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let (study, hash) = small_study(1_500);
    let cols = simulate(&study, &|_| {});
    let file = tmp.path().join("state.bin");
    save_to(&file, &study, hash, &cols);
    let (bigger, _) = small_study(4_000);
    let loaded = load_for_resume(&file, &bigger, hash).unwrap();
    assert_same_columns(&cols, &loaded);
    assert!(loaded.gross.capacity() >= 4_000);
    // The same trials as simulating the held blocks of that run directly.
    assert_same_columns(&simulate_blocks(&study, 0..2, 1_500, &|_| {}), &loaded);

    let mut altered = cols.clone();
    altered.retained[1][17] += 1.0;
    save_to(&file, &study, hash, &altered);
    let e = load_for_resume(&file, &bigger, hash).unwrap_err();
    assert!(matches!(e.error, StateError::StreamChanged), "{e}");
    assert!(
        e.to_string().starts_with(&file.display().to_string()),
        "{e}"
    );

    // Other checks name what differs.
    save_to(&file, &study, hash, &cols);
    let e = load_for_resume(&file, &bigger, hash ^ 1).unwrap_err();
    assert!(e.to_string().contains("saved for config hash"), "{e}");
    let other_seed = Study {
        seed: 5,
        ..bigger.clone()
    };
    let e = load_for_resume(&file, &other_seed, hash).unwrap_err();
    assert!(e.to_string().contains("pass --seed 20250101"), "{e}");
}

/// A shard (blocks not starting at 0, or not reaching the end) cannot be
/// resumed on its own.
#[test]
fn a_shard_is_not_resumed() {
    let tmp = tempfile::tempdir().unwrap();
    let (study, hash) = small_study(3_000);
    let part = simulate_blocks(&study, 1..3, 3_000, &|_| {});
    let options = study.contract.specific.len() as u32;
    let header = StateHeader::new(hash, study.seed, 3_000, 1..3, options);
    let file = tmp.path().join("shard.bin");
    fs::write(&file, encode(&header, &part)).unwrap();
    let e = load_for_resume(&file, &study, hash).unwrap_err();
    assert_eq!(
        e.error.to_string(),
        "it holds blocks 1..3 of a run of 3 blocks (a shard); resuming needs every block of a run"
    );
}
