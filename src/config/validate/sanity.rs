//! Warnings about inputs that are valid but probably not what was meant,
//! checked on the validated study before anything runs: dollar amounts in
//! thousands (a deductible of 150 for $150,000), PEPM rates that look
//! annual, target loss ratios no carrier prices at. Each names the field
//! and the number that was probably meant. What needs the claim model's
//! expectations (implied loss ratios, the fully insured premium against the
//! self-funded cost) is checked by [`crate::analysis::sanity`].

use crate::contract::{Attachment, Laser, MinAttachment, Premium};
use crate::format::dollars;
use crate::model::{Rate, Study};

/// Dollar amounts below this are taken for thousands typed without `000`.
pub const SMALLEST_AMOUNT: f64 = 1_000.0;

/// PEPM rates above these look like annual rates: specific premiums run
/// about $50-$250 PEPM (up to several hundred at low deductibles), aggregate
/// cover $5-$15, administration fees $30-$50.
pub const LARGEST_PEPM: [(&str, f64); 3] = [
    ("specific premium", 2_000.0),
    ("aggregate premium", 200.0),
    ("administration fee", 300.0),
];

fn amount(out: &mut Vec<String>, field: &str, what: &str, x: f64) {
    if x.is_finite() && x > 0.0 && x < SMALLEST_AMOUNT {
        out.push(format!(
            "{field}: a {what} of ${} is implausibly small: did you mean ${}? (amounts are in dollars)",
            dollars(x),
            dollars(1000.0 * x)
        ));
    }
}

fn pepm(out: &mut Vec<String>, field: &str, which: usize, rate: &Rate) {
    let (what, largest) = LARGEST_PEPM[which];
    let rates: Vec<(String, f64)> = match rate {
        Rate::Composite(r) => vec![(String::new(), *r)],
        Rate::ByTier(m) => m.iter().map(|(t, r)| (format!(" ({t})"), *r)).collect(),
    };
    for (tier, r) in rates {
        if r > largest {
            out.push(format!(
                "{field}: a {what} of ${}{tier} per employee per month looks like an annual rate: did you mean ${:.2} PEPM (the annual figure divided by 12)?",
                dollars(r),
                r / 12.0
            ));
        }
    }
}

fn loss_ratio(out: &mut Vec<String>, field: &str, lr: f64) {
    let (lo, hi) = crate::analysis::sanity::LOSS_RATIO_RANGE;
    if !(lo..=hi).contains(&lr) {
        out.push(format!(
            "{field}: a target loss ratio of {lr} is outside the {:.0}%-{:.0}% carriers price at (0.85 for 85%)",
            100.0 * lo,
            100.0 * hi
        ));
    }
}

/// The warnings about `study`'s inputs.
pub fn warnings(study: &Study) -> Vec<String> {
    let mut out = Vec::new();
    let c = &study.contract;
    let offset = usize::from(c.specific.first().is_some_and(|o| o.deductible().is_none()));
    for (i, o) in c.specific.iter().enumerate().skip(offset) {
        let at = format!("stop_loss.specific[{}]", i - offset);
        if let Some(d) = o.deductible() {
            amount(
                &mut out,
                &format!("{at}.deductible"),
                "specific deductible",
                d,
            );
        }
        match &o.premium {
            Premium::Quoted(r) => pepm(&mut out, &format!("{at}.premium_pepm"), 0, r),
            Premium::Priced { loss_ratio: lr } => {
                loss_ratio(&mut out, &format!("{at}.target_loss_ratio"), *lr)
            }
            Premium::None => {}
        }
    }
    for (a, o) in c.aggregate.iter().enumerate() {
        let at = format!("stop_loss.aggregate[{a}]");
        if let Attachment::Amount(x) = o.attachment {
            amount(
                &mut out,
                &format!("{at}.attachment_amount"),
                "aggregate attachment",
                x,
            );
        }
        if let Some(MinAttachment::Amount(x)) = o.min_attachment {
            amount(
                &mut out,
                &format!("{at}.min_attachment"),
                "minimum attachment",
                x,
            );
        }
        match &o.premium {
            Premium::Quoted(r) => pepm(&mut out, &format!("{at}.premium_pepm"), 1, r),
            Premium::Priced { loss_ratio: lr } => {
                loss_ratio(&mut out, &format!("{at}.target_loss_ratio"), *lr)
            }
            Premium::None => {}
        }
    }
    for (_, laser) in &c.lasers {
        if let Laser::Deductible(d) = laser {
            amount(&mut out, "stop_loss.lasers", "laser deductible", *d);
        }
    }
    pepm(&mut out, "fees.admin_pepm", 2, &study.fees.admin_pepm);
    if let Some(b) = study.budget {
        amount(&mut out, "budget", "budget", b);
    }
    if let Some(f) = study.fully_insured_premium {
        amount(
            &mut out,
            "fully_insured_premium",
            "fully insured premium",
            f,
        );
    }
    out
}
