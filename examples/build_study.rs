//! Builds a study in Rust code, runs it, and prints each candidate's
//! expected cost and tail risk with their standard errors.
//!
//! `cargo run --release --example build_study -- [TRIALS]`
//!
//! The config is assembled as a JSON value (the same schema as the files in
//! `configs/`), so it goes through the same validation as a config file:
//! here a 200-employee group, specific deductibles from $50k to $200k
//! generated in a loop, and two aggregate corridors.

use serde_json::json;
use std::path::Path;
use stoploss::model::Overrides;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let trials: u64 = match std::env::args().nth(1) {
        Some(t) => t.parse()?,
        None => 20_000,
    };
    // Specific options: deductible and a PEPM premium that falls with it.
    let specific: Vec<_> = [50_000.0, 100_000.0, 150_000.0, 200_000.0_f64]
        .iter()
        .map(|&d| json!({"deductible": d, "premium_pepm": 9.0e6 / d}))
        .collect();
    let config = json!({
        "name": "built-in-rust",
        "seed": 2026,
        "population": {"classes": [{
            "name": "staff", "employees": {"single": 120, "family": 80}, "members": 430,
            "claims": [{
                "name": "medical",
                "frequency": {"bernoulli": {"p": 0.8}},
                "severity": {"spliced": {
                    "body": {"lognormal": {"mu": 7.43, "sigma": 1.97}},
                    "threshold": 100000, "tail_probability": 0.0125, "tail_alpha": 2.0}}
            }]
        }]},
        "stop_loss": {
            "specific": specific,
            "aggregate": [
                {"attachment_factor": 1.20, "premium_pepm": 12},
                {"attachment_factor": 1.25, "premium_pepm": 8}
            ],
            "include_no_aggregate": true
        }
    });
    let study = stoploss::config::parse(&config.to_string(), "built-in-rust", Path::new("."))?;
    // Settings from outside the config go through one checked function.
    let study = study.with_overrides(&Overrides {
        trials: Some(trials),
        ..Overrides::default()
    })?;
    let results = stoploss::run::run_study(&study, &|_| {});
    println!(
        "{:<32} {:>14} {:>10} {:>14} {:>10}",
        "candidate", "mean cost", "se", "TVaR 95%", "se"
    );
    for c in &results.candidates {
        let e = &c.employer_cost;
        println!(
            "{:<32} {:>14} {:>10} {:>14} {:>10}",
            c.label,
            stoploss::format::money(e.mean),
            stoploss::format::money(e.se),
            stoploss::format::money(e.tvar.p95),
            stoploss::format::money(e.tvar_se.p95),
        );
    }
    if let Some(d) = &results.decision {
        println!("\nrecommended: {}", d.recommended);
    }
    Ok(())
}
