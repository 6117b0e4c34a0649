//! Number checks shared by every section: positive, non-negative, dollar
//! amounts, fractions, loss ratios and PEPM rates, each naming its JSON path.

use super::*;
use crate::error::ConfigError;

/// `x` as a config writer would read it: plain digits, or an exponent
/// (`1e300`) for very large and very small magnitudes.
pub(super) fn num(x: f64) -> String {
    let a = x.abs();
    if a != 0.0 && a.is_finite() && !(1e-6..1e15).contains(&a) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

pub(super) fn positive(ctx: &Ctx, path: &str, x: f64) -> Result<f64, ConfigError> {
    if x.is_finite() && x > 0.0 {
        Ok(x)
    } else {
        Err(ctx.err(
            path,
            format!("must be a finite number greater than 0, got {}", num(x)),
        ))
    }
}

pub(super) fn non_negative(ctx: &Ctx, path: &str, x: f64) -> Result<f64, ConfigError> {
    if x.is_finite() && x >= 0.0 {
        Ok(x)
    } else {
        Err(ctx.err(
            path,
            format!("must be a finite number at least 0, got {}", num(x)),
        ))
    }
}

/// A rate per employee per month: at least 0, at most [`MAX_RATE`].
pub(super) fn rate_value(ctx: &Ctx, path: &str, x: f64) -> Result<f64, ConfigError> {
    non_negative(ctx, path, x)?;
    if x > MAX_RATE {
        return Err(ctx.err(
            path,
            format!(
                "must be at most 1,000,000,000 dollars per employee per month, got {}",
                num(x)
            ),
        ));
    }
    Ok(x)
}

pub(super) fn dollar_amount(ctx: &Ctx, path: &str, x: f64) -> Result<f64, ConfigError> {
    positive(ctx, path, x)?;
    at_most_max_dollars(ctx, path, x)
}

pub(super) fn at_most_max_dollars(ctx: &Ctx, path: &str, x: f64) -> Result<f64, ConfigError> {
    if x > MAX_DOLLARS {
        return Err(ctx.err(
            path,
            format!("must be at most 10,000,000,000,000 dollars, got {}", num(x)),
        ));
    }
    Ok(x)
}

pub(super) fn fraction(ctx: &Ctx, path: &str, x: f64, what: &str) -> Result<f64, ConfigError> {
    if x.is_finite() && x > 0.0 && x <= 1.0 {
        Ok(x)
    } else {
        Err(ctx.err(
            path,
            format!(
                "{what} must be greater than 0 and at most 1, got {}",
                num(x)
            ),
        ))
    }
}

/// A target loss ratio: a priced premium divides the expected
/// reimbursement by it, so it is kept well away from 0 (a premium at most
/// 100 times the expected reimbursement).
pub(super) fn check_loss_ratio(ctx: &Ctx, path: &str, x: f64) -> Result<f64, ConfigError> {
    if x.is_finite() && (MIN_LOSS_RATIO..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(ctx.err(
            path,
            format!(
                "a loss ratio must be between 0.01 and 1 (0.85 for 85%), got {}",
                num(x)
            ),
        ))
    }
}

pub(super) fn rate(
    ctx: &Ctx,
    path: &str,
    raw: &RawRate,
    enrollment: &Enrollment,
) -> Result<Rate, ConfigError> {
    let r = match raw {
        RawRate::Composite(x) => Rate::Composite(rate_value(ctx, path, *x)?),
        RawRate::ByTier(m) => {
            if m.is_empty() {
                return Err(ctx.err(path, "gives no tiers: use a number or an object like {\"single\": 80, \"family\": 200}"));
            }
            for (tier, v) in m {
                rate_value(ctx, &format!("{path}.{tier}"), *v)?;
            }
            Rate::ByTier(m.clone())
        }
    };
    let missing = r.missing_tiers(enrollment);
    if !missing.is_empty() {
        let hint = if missing.contains(&COMPOSITE_TIER) {
            " (employees given as a plain count are in the `composite` tier: give classes' employees by tier, or a tier, to use tiered rates)"
        } else {
            ""
        };
        return Err(ctx.err(
            path,
            format!(
                "has no rate for tier(s) {} that the population enrolls{hint}",
                missing.join(", ")
            ),
        ));
    }
    Ok(r)
}
