//! The per-trial columns' storage: which columns are kept, that the values
//! are those of the contract arithmetic applied trial by trial, and that
//! the memory estimate counts what is stored.

use crate::util::{configs_dir, study};

use stoploss::contract::{apply_specific, TrialClaims};
use stoploss::model::Study;
use stoploss::run::memory_estimate;
use stoploss::sim::kernel::{Kernel, TrialBuffers};
use stoploss::sim::seed::block_rng;
use stoploss::sim::{
    simulate, AggregateRetained, Claimants, ColumnLayout, TrialColumns, BLOCK_TRIALS,
};

/// "mid"-like: `members` members, Poisson(3) x lognormal, three specific
/// options (one with an ASD), two aggregate options; `extra` is appended to
/// the claim components, `counting` to the stop-loss block.
fn model(members: u64, extra: &str, asd: f64, counting: &str) -> String {
    format!(
        r#"{{
  "name": "columns", "seed": 11, "trials": 2500,
  "population": {{"classes": [{{"name": "m", "employees": {members}, "members": {members},
    "claims": [{{"name": "medical", "frequency": {{"poisson": {{"mean": 3.0}}}},
                "severity": {{"lognormal": {{"mu": 7.0, "sigma": 1.5}}}}}}{extra}]}}]}},
  "stop_loss": {{
    "specific": [
      {{"deductible": 25000, "premium_pepm": 100}},
      {{"deductible": 50000, "aggregating_deductible": {asd}, "premium_pepm": 100}},
      {{"deductible": 100000, "premium_pepm": 100}}
    ],
    "aggregate": [
      {{"attachment_factor": 1.05, "premium_pepm": 12.0}},
      {{"attachment_amount": 100000000, "premium_pepm": 1.0}}
    ]{counting}
  }},
  "fees": {{"admin_pepm": 40.0}}
}}"#
    )
}

const DENTAL_OUTSIDE: &str = r#", {"name": "dental", "specific": false, "aggregate": false,
    "frequency": {"poisson": {"mean": 1.0}}, "severity": {"lognormal": {"mu": 5.0, "sigma": 0.5}}}"#;

fn build(json: &str) -> Study {
    let dir = tempfile::tempdir().unwrap();
    study(json, dir.path())
}

/// Every stored or derived figure of the first block against the kernel's
/// trials pushed through `apply_specific` one by one (the definition of
/// the columns, independent of how they are held).
fn assert_columns_match_contract(study: &Study, cols: &TrialColumns) {
    let threshold = study
        .contract
        .specific
        .iter()
        .map(|o| o.terms.deductible)
        .fold(f64::INFINITY, f64::min);
    let kernel = Kernel::new(&study.population, &study.contract.lasers, threshold);
    let mut rng = block_rng(study.seed, 0);
    let mut buffers = TrialBuffers::default();
    let mut claims = TrialClaims::default();
    let n = (study.trials.min(BLOCK_TRIALS)) as usize;
    for i in 0..n {
        kernel.simulate_trial(&mut rng, &mut buffers, &mut claims);
        assert_eq!(
            cols.gross[i].to_bits(),
            claims.gross.to_bits(),
            "gross, trial {i}"
        );
        for (s, option) in study.contract.specific.iter().enumerate() {
            let out = apply_specific(&option.terms, &claims, study.contract.counting);
            let retained = claims.gross - out.reimbursed;
            assert_eq!(
                cols.retained[s][i].to_bits(),
                retained.to_bits(),
                "retained {s}, {i}"
            );
            assert_eq!(
                cols.aggregate(s).get(i).to_bits(),
                out.aggregate_retained.to_bits(),
                "aggregate-retained of option {s}, trial {i}"
            );
            assert_eq!(
                cols.claimants[s].get(i),
                out.claimants,
                "claimants {s}, {i}"
            );
        }
    }
}

/// Bytes the columns hold (lengths, not capacities: they are allocated at
/// full length).
fn stored_bytes(cols: &TrialColumns) -> u64 {
    let f = |v: &Vec<f64>| 8 * v.len() as u64;
    let mut bytes = f(&cols.gross) + cols.retained.iter().map(f).sum::<u64>();
    if let AggregateRetained::Columns(c) = &cols.aggregate_retained {
        bytes += c.iter().map(f).sum::<u64>();
    }
    for c in &cols.claimants {
        bytes += match c {
            Claimants::U16(v) => 2 * v.len() as u64,
            Claimants::U32(v) => 4 * v.len() as u64,
        };
    }
    bytes
}

/// The estimate's column term is what is stored: the estimate less its
/// fixed 64 MiB and the per-trial working terms (8 of baseline costs, 16
/// per thread) is the columns' bytes.
fn assert_estimate_counts_columns(study: &Study, cols: &TrialColumns) {
    for threads in [1, 2, 4] {
        let working = study.trials * (8 + 16 * threads as u64) + 64 * 1024 * 1024;
        assert_eq!(
            memory_estimate(study, threads) - working,
            stored_bytes(cols),
            "{threads} thread(s)"
        );
    }
}

#[test]
fn every_component_in_both_covers_stores_no_aggregate_column() {
    for (asd, counting) in [
        (0.0, ""),
        (20000.0, ""),
        (0.0, r#", "asd_counts_toward_aggregate": false"#),
    ] {
        let st = build(&model(300, "", asd, counting));
        assert_eq!(
            ColumnLayout::of(&st).aggregate_columns,
            None,
            "asd {asd} {counting}"
        );
        let cols = simulate(&st, &|_| {});
        assert!(matches!(
            cols.aggregate_retained,
            AggregateRetained::FromRetained
        ));
        assert!(matches!(cols.claimants[0], Claimants::U16(_)));
        assert_columns_match_contract(&st, &cols);
        assert_estimate_counts_columns(&st, &cols);
    }
}

#[test]
fn aggregate_columns_are_stored_when_they_differ_from_retained() {
    // A component outside the aggregate; ASD dollars kept out of it.
    for (extra, asd, counting) in [
        (DENTAL_OUTSIDE, 0.0, ""),
        ("", 20000.0, r#", "asd_counts_toward_aggregate": false"#),
    ] {
        let st = build(&model(300, extra, asd, counting));
        assert_eq!(ColumnLayout::of(&st).aggregate_columns, Some(3));
        let cols = simulate(&st, &|_| {});
        assert!(matches!(
            cols.aggregate_retained,
            AggregateRetained::Columns(_)
        ));
        assert_columns_match_contract(&st, &cols);
        assert_estimate_counts_columns(&st, &cols);
        // They do differ somewhere, or the layout would waste memory.
        let differs =
            (0..cols.trials()).any(|i| cols.aggregate(1).get(i) != cols.retained[1][i].max(0.0));
        assert!(
            differs,
            "{extra} {counting}: aggregate column equals retained"
        );
    }
}

#[test]
fn shipped_configs_hold_the_contracts_figures() {
    for name in ["mid-500", "census-5000", "small-100"] {
        let path = configs_dir().join(format!("{name}.json"));
        let text = std::fs::read_to_string(&path).unwrap();
        let mut st = stoploss::config::parse(&text, &path.to_string_lossy(), &configs_dir())
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        st.trials = 600;
        let cols = simulate(&st, &|_| {});
        assert_columns_match_contract(&st, &cols);
        assert_estimate_counts_columns(&st, &cols);
    }
}

#[test]
fn claimant_counts_widen_only_past_16_bits() {
    let narrow = build(&model(65_535, "", 0.0, ""));
    assert!(!ColumnLayout::of(&narrow).wide_claimants);
    let wide = build(&model(65_536, "", 0.0, ""));
    assert!(ColumnLayout::of(&wide).wide_claimants);
    // A count that does not fit widens the column instead of wrapping.
    let mut c = Claimants::with_capacity(2, false);
    c.push(7);
    c.push(70_000);
    assert_eq!((c.get(0), c.get(1)), (7, 70_000));
}

#[test]
fn mid_keeps_ten_bytes_per_option_and_trial() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/compare/mid.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let st = stoploss::config::parse(&text, "mid.json", path.parent().unwrap()).unwrap();
    // Gross (8), and per specific option retained (8) and claimants (2):
    // 168 bytes per trial for 16 options, against 328 with every column
    // stored at 32-bit counts (issue 16's memory target, 1,000,000 trials
    // under 250 MB, is measured as peak RSS in benches/README.md).
    assert_eq!(st.contract.specific.len(), 16);
    assert_eq!(ColumnLayout::of(&st).bytes_per_trial(), 8 + 16 * (8 + 2));
}

/// `stoploss ARGS --quiet`, which must succeed.
fn cli(args: &[&str]) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_stoploss"))
        .args(args)
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn derived_columns_resume_and_merge_to_the_same_results() {
    // mid stores no aggregate column and 16-bit counts; a saved state holds
    // them all, and resuming or merging must rebuild the same run.
    let tmp = tempfile::tempdir().unwrap();
    let d = |p: &str| tmp.path().join(p).to_string_lossy().into_owned();
    let model = model(300, "", 0.0, "");
    let cfg = d("model.json");
    std::fs::write(&cfg, &model).unwrap();
    let name = "columns";
    cli(&[
        "run",
        &cfg,
        "--trials",
        "2100",
        "--save-state",
        "--out",
        &d("a"),
        "--force",
    ]);
    cli(&[
        "run",
        &cfg,
        "--resume",
        &d(&format!("a/{name}")),
        "--trials",
        "4200",
        "--out",
        &d("b"),
        "--force",
    ]);
    cli(&["run", &cfg, "--trials", "4200", "--out", &d("c"), "--force"]);
    for n in ["0/2", "1/2"] {
        cli(&[
            "run",
            &cfg,
            "--trials",
            "4200",
            "--shard",
            n,
            "--out",
            &d("sh"),
            "--force",
        ]);
    }
    cli(&["merge", &d("sh"), "--out", &d("m"), "--force"]);
    let csv =
        |dir: &str| std::fs::read(tmp.path().join(dir).join(name).join("summary.csv")).unwrap();
    assert_eq!(csv("b"), csv("c"), "resumed");
    assert_eq!(csv("m"), csv("c"), "merged");
}
