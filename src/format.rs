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
    }
}
