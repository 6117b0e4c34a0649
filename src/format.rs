//! Numbers as people read them: the one home of the formatting helpers that
//! messages, bases, tables and reports share.

/// Dollars with thousands separators, rounded to the dollar, without `$`
/// (`-` for a non-finite amount).
pub fn dollars(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let neg = x < 0.0;
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if neg {
        format!("-{out}")
    } else {
        out
    }
}

/// Dollars with a `$` (after the sign: `-$1,200`), `-` when not finite.
pub fn money(x: f64) -> String {
    if x.is_finite() && x < 0.0 {
        format!("-${}", dollars(-x))
    } else if x.is_finite() {
        format!("${}", dollars(x))
    } else {
        "-".into()
    }
}

/// A probability as a percentage with one decimal.
pub fn percent(p: f64) -> String {
    if p.is_finite() {
        format!("{:.1}%", 100.0 * p)
    } else {
        "-".into()
    }
}

/// A probability as a percentage that stays informative when small: one
/// decimal from 0.1% up, two significant digits below (`0.040%`), and
/// `<0.001%` for a positive probability that would round to zero, so an
/// event seen in 8 of 20,000 trials does not read as 0.0%.
pub fn percent_small(p: f64) -> String {
    if !p.is_finite() {
        "-".into()
    } else if p == 0.0 || p >= 0.001 {
        percent(p)
    } else if p < 1e-5 {
        "<0.001%".into()
    } else {
        let pct = 100.0 * p;
        // Two significant digits: 0.04 -> "0.040", 0.0012 -> "0.0012".
        let decimals = (1 - pct.log10().floor() as i32).max(0) as usize;
        format!("{pct:.decimals$}%")
    }
}

/// Dollars to three significant figures for sentences: `$7.54M`, `$150k`,
/// `$38.5k`, `$950` (sign before the `$`).
pub fn money_short(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    let (v, unit) = if a >= 999_500.0 {
        (a / 1e6, "M")
    } else if a >= 999.5 {
        (a / 1e3, "k")
    } else {
        (a, "")
    };
    let decimals = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    let text = format!("{v:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if unit.is_empty() {
        format!("{sign}${}", dollars(a))
    } else {
        format!("{sign}${text}{unit}")
    }
}

/// A rate per employee or member per month: whole dollars from $100 up,
/// cents below (`$1,256`, `$38.50`).
pub fn monthly(x: f64) -> String {
    if !x.is_finite() {
        "-".into()
    } else if x.abs() >= 100.0 {
        money(x)
    } else if x < 0.0 {
        format!("-${:.2}", -x)
    } else {
        format!("${x:.2}")
    }
}

/// A whole number with thousands separators.
pub fn group(n: u64) -> String {
    dollars(n as f64)
}

/// "$50k", "$1.5M", "$250".
pub fn short_dollars(x: f64) -> String {
    if x >= 1e6 {
        format!("${}M", trim_number(x / 1e6))
    } else if x >= 1e3 {
        format!("${}k", trim_number(x / 1e3))
    } else {
        format!("${}", trim_number(x))
    }
}

/// A number with at most three decimals and no trailing zeros.
pub fn trim_number(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_signs_and_non_finite() {
        assert_eq!(dollars(1_234_567.4), "1,234,567");
        assert_eq!(dollars(-999.5), "-1,000");
        assert_eq!(money(-1200.0), "-$1,200");
        assert_eq!(money(f64::NAN), "-");
        assert_eq!(percent(0.0525), "5.2%");
        assert_eq!(group(1000), "1,000");
        assert_eq!(percent_small(8.0 / 20_000.0), "0.040%");
        assert_eq!(percent_small(0.00012), "0.012%");
        assert_eq!(percent_small(0.0012), "0.1%");
        assert_eq!(percent_small(0.012), "1.2%");
        assert_eq!(percent_small(0.0), "0.0%");
        assert_eq!(money_short(7_538_643.0), "$7.54M");
        assert_eq!(money_short(150_000.0), "$150k");
        assert_eq!(money_short(38_518.0), "$38.5k");
        assert_eq!(money_short(-2_391_741.0), "-$2.39M");
        assert_eq!(money_short(950.0), "$950");
        assert_eq!(monthly(1256.4), "$1,256");
        assert_eq!(monthly(38.5), "$38.50");
    }
}
