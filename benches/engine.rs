//! Criterion benchmarks of the simulation engine.
//!
//! Three groups (see `benches/README.md` for how to run them and read them):
//!
//! - `kernels`: the samplers, the member-year kernel and the specific
//!   contract arithmetic, each with a per-item throughput.
//! - `end_to_end`: `run_study` (simulate + evaluate every candidate) on the
//!   reference model "mid" and on the shipped `configs/small-100.json`, with
//!   throughput in member-years (trials x members).
//! - `thread_scaling`: the "mid" end-to-end run inside rayon pools of 1 and 2
//!   threads.
//!
//! Everything is sized so `cargo bench --bench engine` finishes in about a
//! minute on a 2-core machine (well under three).

use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode,
    Throughput,
};
use rand_distr::{Distribution, StandardNormal};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;
use stoploss::contract::TrialClaims;
use stoploss::contract::{apply_specific, AggregateCounting};
use stoploss::dist::{fastmath, Frequency, Severity, SimRng, TailSpec};
use stoploss::evaluate::evaluate;
use stoploss::model::Study;
use stoploss::run::run_study;
use stoploss::sim::kernel::{Kernel, TrialBuffers};
use stoploss::sim::seed::block_rng;
use stoploss::sim::simulate;

/// Draws per iteration of the sampler benchmarks.
const DRAWS: u64 = 4096;
/// Trials per iteration of the end-to-end benchmarks.
const E2E_TRIALS: u64 = 10_000;
/// Members of the reference model.
const MID_MEMBERS: u64 = 500;

/// The reference model "mid": 500 members, Poisson(3) claims per
/// member-year, lognormal(mu 7, sigma 1.5) amounts, 16 specific deductibles
/// from $25k to $400k, 4 aggregate options (three attachment factors and a
/// dollar amount) and no "no aggregate" choice: 64 candidates.
fn mid_config_json(trials: u64) -> String {
    let specific: Vec<String> = (1..=16)
        .map(|i| format!(r#"{{"deductible": {}, "premium_pepm": 100}}"#, 25_000 * i))
        .collect();
    format!(
        r#"{{
  "name": "mid",
  "description": "Benchmark reference model: 500 members, Poisson(3) x lognormal(7, 1.5), 16 specific x 4 aggregate options.",
  "seed": 20261123,
  "trials": {trials},
  "population": {{
    "classes": [
      {{"name": "members", "employees": {MID_MEMBERS}, "members": {MID_MEMBERS},
       "claims": [
         {{"name": "medical",
          "frequency": {{"poisson": {{"mean": 3.0}}}},
          "severity": {{"lognormal": {{"mu": 7.0, "sigma": 1.5}}}}}}]}}
    ]
  }},
  "stop_loss": {{
    "specific": [
      {specific}
    ],
    "aggregate": [
      {{"attachment_factor": 1.10, "premium_pepm": 12.0}},
      {{"attachment_factor": 1.20, "premium_pepm": 8.0}},
      {{"attachment_factor": 1.30, "premium_pepm": 5.0}},
      {{"attachment_amount": 5500000, "premium_pepm": 6.0}}
    ],
    "include_no_aggregate": false
  }},
  "fees": {{"admin_pepm": 40.0}}
}}"#,
        specific = specific.join(",\n      ")
    )
}

fn mid_study(trials: u64) -> Study {
    let study = stoploss::config::parse(&mid_config_json(trials), "<bench mid>", Path::new("."))
        .unwrap_or_else(|e| panic!("reference config does not validate: {e}"));
    assert_eq!(study.population.member_count() as u64, MID_MEMBERS);
    assert_eq!(study.contract.specific.len(), 16);
    assert_eq!(study.contract.candidates.len(), 64);
    study
}

/// A shipped config from `configs/`, parsed the way `stoploss run` reads it.
fn shipped_study(file: &str) -> Study {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    stoploss::config::parse(&text, &path.display().to_string(), &dir)
        .unwrap_or_else(|e| panic!("{file} does not validate: {e}"))
}

/// The kernel's large-claimant threshold, as the driver sets it.
fn smallest_deductible(study: &Study) -> f64 {
    study
        .contract
        .specific
        .iter()
        .map(|o| o.terms.deductible)
        .fold(f64::INFINITY, f64::min)
}

fn counting(study: &Study) -> AggregateCounting {
    study.contract.counting
}

fn bench_frequency(g: &mut BenchmarkGroup<'_, WallTime>, name: &str, f: &Frequency) {
    g.throughput(Throughput::Elements(DRAWS));
    let mut rng: SimRng = block_rng(1, 0);
    g.bench_function(name, |b| {
        b.iter(|| {
            let mut sum = 0u64;
            for _ in 0..DRAWS {
                sum += u64::from(f.sample(&mut rng));
            }
            black_box(sum)
        })
    });
}

fn bench_severity(g: &mut BenchmarkGroup<'_, WallTime>, name: &str, s: &Severity) {
    g.throughput(Throughput::Elements(DRAWS));
    let mut rng: SimRng = block_rng(1, 0);
    g.bench_function(name, |b| {
        b.iter(|| {
            let mut sum = 0.0f64;
            for _ in 0..DRAWS {
                sum += s.sample(&mut rng);
            }
            black_box(sum)
        })
    });
}

/// Lognormal(7, 1.5) amounts the way the kernel draws them: the normals
/// first, then one vectorized `exp` pass.
fn bench_batched_lognormal(g: &mut BenchmarkGroup<'_, WallTime>) {
    g.throughput(Throughput::Elements(DRAWS));
    let mut rng: SimRng = block_rng(1, 0);
    let mut buf = vec![0.0f64; DRAWS as usize];
    g.bench_function("lognormal_7_1.5_batched", |b| {
        b.iter(|| {
            for x in buf.iter_mut() {
                let z: f64 = StandardNormal.sample(&mut rng);
                *x = 7.0 + 1.5 * z;
            }
            fastmath::exp_in_place(&mut buf);
            black_box(buf.iter().sum::<f64>())
        })
    });
}

fn bench_member_year(g: &mut BenchmarkGroup<'_, WallTime>, name: &str, study: &Study) {
    let kernel = Kernel::new(
        &study.population,
        &study.contract.lasers,
        smallest_deductible(study),
    );
    g.throughput(Throughput::Elements(study.population.member_count() as u64));
    let mut rng: SimRng = block_rng(study.seed, 0);
    let mut buffers = TrialBuffers::default();
    let mut claims = TrialClaims::default();
    g.bench_function(name, |b| {
        b.iter(|| {
            kernel.simulate_trial(&mut rng, &mut buffers, &mut claims);
            black_box(claims.gross)
        })
    });
}

fn kernels(c: &mut Criterion) {
    let mut g = c.benchmark_group("kernels");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));

    bench_frequency(&mut g, "poisson_3", &Frequency::poisson(3.0).unwrap());
    bench_frequency(
        &mut g,
        "negative_binomial_6_30",
        &Frequency::negative_binomial(6.0, 30.0).unwrap(),
    );
    bench_severity(
        &mut g,
        "lognormal_7_1.5",
        &Severity::lognormal(7.0, 1.5).unwrap(),
    );
    // The medical severity of the shipped configs: a lognormal body below
    // $100k spliced to a Pareto(2) tail above it with probability 1.25%.
    let spliced = Severity::spliced(
        Severity::lognormal(7.25, 1.95).unwrap(),
        100_000.0,
        0.0125,
        TailSpec {
            alpha: 2.0,
            theta: 100_000.0,
        },
    )
    .unwrap();
    bench_severity(&mut g, "spliced_lognormal_pareto", &spliced);
    bench_batched_lognormal(&mut g);

    let mid = mid_study(E2E_TRIALS);
    bench_member_year(&mut g, "member_year_mid", &mid);
    bench_member_year(
        &mut g,
        "member_year_mid-500_config",
        &shipped_study("mid-500.json"),
    );

    // apply_specific: the 16 specific options of "mid" applied to one trial
    // whose number of large claimants (above $25k) is the median of 1,001.
    let kernel = Kernel::new(
        &mid.population,
        &mid.contract.lasers,
        smallest_deductible(&mid),
    );
    let mut rng: SimRng = block_rng(mid.seed, 0);
    let mut buffers = TrialBuffers::default();
    let mut trials: Vec<TrialClaims> = (0..1001)
        .map(|_| {
            let mut t = TrialClaims::default();
            kernel.simulate_trial(&mut rng, &mut buffers, &mut t);
            t
        })
        .collect();
    trials.sort_by_key(|t| t.large.len());
    let claims = trials.swap_remove(500);
    eprintln!(
        "kernels/apply_specific_16: median trial has {} members above $25k",
        claims.large.len()
    );
    let options = &mid.contract.specific;
    let count = counting(&mid);
    g.throughput(Throughput::Elements(options.len() as u64));
    g.bench_function("apply_specific_16", |b| {
        b.iter(|| {
            let claims = black_box(&claims);
            let mut reimbursed = 0.0;
            for o in options {
                reimbursed += apply_specific(&o.terms, claims, count).reimbursed;
            }
            black_box(reimbursed)
        })
    });
    g.finish();
}

fn end_to_end(c: &mut Criterion) {
    let mut g = c.benchmark_group("end_to_end");
    g.sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));

    let mid = mid_study(E2E_TRIALS);
    g.throughput(Throughput::Elements(
        mid.trials * mid.population.member_count() as u64,
    ));
    g.bench_function("mid_10k_trials", |b| {
        b.iter(|| black_box(run_study(&mid, &|_| {})))
    });

    // The two halves of the "mid" run: simulation (kernel + the 16 specific
    // options per trial, in parallel blocks), then evaluation of the 64
    // candidates on the simulated columns.
    g.bench_function("mid_10k_trials_simulate_only", |b| {
        b.iter(|| black_box(simulate(&mid, &|_| {})))
    });
    let columns = simulate(&mid, &|_| {});
    g.throughput(Throughput::Elements(
        mid.trials * mid.contract.candidates.len() as u64,
    ));
    g.bench_function("mid_10k_trials_evaluate_only", |b| {
        b.iter(|| black_box(evaluate(&mid, &columns)))
    });

    let mut small = shipped_study("small-100.json");
    small.trials = E2E_TRIALS;
    g.throughput(Throughput::Elements(
        small.trials * small.population.member_count() as u64,
    ));
    g.bench_function("small-100_10k_trials", |b| {
        b.iter(|| black_box(run_study(&small, &|_| {})))
    });
    g.finish();
}

fn thread_scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("thread_scaling");
    g.sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));

    let mid = mid_study(E2E_TRIALS);
    g.throughput(Throughput::Elements(
        mid.trials * mid.population.member_count() as u64,
    ));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a rayon thread pool");
        g.bench_with_input(
            BenchmarkId::new("mid_10k_trials", threads),
            &threads,
            |b, _| b.iter(|| pool.install(|| black_box(run_study(&mid, &|_| {})))),
        );
    }
    g.finish();
}

/// Loading and validating a 100,000-member census (two claim components,
/// four tiers, risk factors, part-year members, a laser), per member.
fn census(c: &mut Criterion) {
    let mut g = c.benchmark_group("census");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut csv = String::from("member_id,employee_id,class,tier,risk_factor,months\n");
    let tiers = ["ee", "ee_spouse", "ee_children", "family"];
    for i in 0..100_000u32 {
        let e = i / 2;
        let months = if i % 10 == 0 { 6 } else { 12 };
        let risk = 0.5 + f64::from(i % 1500) / 1000.0;
        csv.push_str(&format!(
            "M{i},E{e},adult,{},{risk:.3},{months}\n",
            tiers[(e % 4) as usize]
        ));
    }
    std::fs::write(dir.path().join("census.csv"), csv).expect("write census");
    let config = r#"{"name": "census-100k", "trials": 10000,
      "population": {"census": "census.csv", "classes": [{"name": "adult",
        "claims": [{"name": "medical", "frequency": {"bernoulli": {"p": 0.8}},
                    "severity": {"spliced": {"body": {"lognormal": {"mu": 7.43, "sigma": 1.97}},
                                 "threshold": 100000, "tail_probability": 0.0125, "tail_alpha": 2.0}}},
                   {"name": "dental", "specific": false, "aggregate": false,
                    "frequency": {"poisson": {"mean": 1.5}}, "severity": {"gamma": {"mean": 250, "cv": 1.0}}}]}]},
      "stop_loss": {"specific": [{"deductible": 250000, "premium_pepm": {"ee": 40, "ee_spouse": 80, "ee_children": 75, "family": 120}}],
                    "aggregate": [{"attachment_factor": 1.25, "premium_pepm": 4}],
                    "lasers": [{"member_id": "M17", "deductible": 500000}]}}"#;
    let path = dir.path().join("census-100k.json");
    std::fs::write(&path, config).expect("write config");
    g.throughput(Throughput::Elements(100_000));
    g.bench_function("load_100k_members", |b| {
        b.iter(|| black_box(stoploss::config::load(&path).expect("valid census config")))
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default().sample_size(10)
}

/// The exact engine (`--method exact`) at its default settings (tolerance
/// 1e-6, up to 2^20 points) on `configs/small-100.json` (205 members, 4
/// specific options, 12 candidates) and on one member with Poisson(10)
/// claims of exponential(1000) amounts under three aggregate layers (the
/// case timed against GEMAct's FFT in issue 17).
fn exact(c: &mut Criterion) {
    let mut g = c.benchmark_group("exact");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(8));
    let opts = stoploss::exact::ExactOptions::default();
    let study = shipped_study("small-100.json");
    g.bench_function("small-100_default", |b| {
        b.iter(|| black_box(stoploss::run::run_exact(&study, &opts).expect("representable")))
    });
    let one = stoploss::config::parse(
        r#"{"name": "one", "population": {"classes": [{"name": "all", "employees": 1,
          "claims": [{"name": "c", "frequency": {"poisson": {"mean": 10}},
                      "severity": {"exponential": {"mean": 1000}}}]}]},
          "stop_loss": {"aggregate": [{"label": "a5k", "attachment_amount": 5000, "premium_pepm": 0},
                                      {"label": "a10k", "attachment_amount": 10000, "premium_pepm": 0},
                                      {"label": "a15k", "attachment_amount": 15000, "premium_pepm": 0}],
                        "candidates": [{"specific": null, "aggregate": "a5k"},
                                       {"specific": null, "aggregate": "a10k"},
                                       {"specific": null, "aggregate": "a15k"}]}}"#,
        "one.json",
        std::path::Path::new("."),
    )
    .expect("valid");
    g.bench_function("one_member_poisson_exponential", |b| {
        b.iter(|| black_box(stoploss::run::run_exact(&one, &opts).expect("representable")))
    });
    g.finish();
}

/// The contract-timing engine on `configs/timing-400.json` (828 members,
/// dated claims, 3 specific options on 3 bases, 6 candidates with monthly
/// cash flow): simulation and the whole run, 2,048 trials.
fn timing(c: &mut Criterion) {
    let mut g = c.benchmark_group("timing");
    g.sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));
    let mut study = shipped_study("timing-400.json");
    study.trials = 2048;
    g.throughput(Throughput::Elements(
        study.trials * study.population.member_count() as u64,
    ));
    g.bench_function("timing-400_simulate_only", |b| {
        b.iter(|| black_box(simulate(&study, &|_| {})))
    });
    g.bench_function("timing-400_run", |b| {
        b.iter(|| black_box(run_study(&study, &|_| {})))
    });
    g.finish();
}

/// The multi-year projection: `configs/renewal-200.json` (3 years, 32
/// candidate paths with and without the rider) at 2,048 trials, whole, and
/// the same study as a one-year run; throughput in member-years of the
/// projection (trials x members x years).
fn projection(c: &mut Criterion) {
    let mut g = c.benchmark_group("projection");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    let mut study = shipped_study("renewal-200.json");
    study.trials = 2048;
    let years = u64::from(study.projection.as_ref().map_or(1, |p| p.years));
    g.throughput(Throughput::Elements(
        study.trials * study.population.member_count() as u64 * years,
    ));
    g.bench_function("renewal-200_run", |b| {
        b.iter(|| black_box(run_study(&study, &|_| {})))
    });
    let mut one_year = study.clone();
    one_year.projection = None;
    g.bench_function("renewal-200_one_year", |b| {
        b.iter(|| black_box(run_study(&one_year, &|_| {})))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = kernels, end_to_end, thread_scaling, census, exact, timing, projection
}
criterion_main!(benches);
