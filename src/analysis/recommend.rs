//! The rule that picks a candidate: the lowest `mean + lambda x risk` among
//! the candidates whose risk is at most the cap.

/// The outcome of [`choose`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// The recommended candidate.
    pub recommended: usize,
    /// The next best under the same rule.
    pub runner_up: Option<usize>,
    /// Whether the recommendation meets the cap (true without one). When no
    /// candidate does, the least risky candidate is returned with `false`,
    /// and the runner-up is the next least risky.
    pub meets_cap: bool,
}

/// Picks among candidates with expected costs `mean` and risks `risk`.
/// Ties go to the earlier candidate. `None` when there are no candidates.
pub fn choose(mean: &[f64], risk: &[f64], lambda: f64, cap: Option<f64>) -> Option<Choice> {
    let objective = |i: usize| {
        if lambda == 0.0 {
            mean[i]
        } else {
            mean[i] + lambda * risk[i]
        }
    };
    let mut eligible: Vec<usize> = (0..mean.len())
        .filter(|&i| cap.is_none_or(|c| risk[i] <= c))
        .collect();
    let meets_cap = !eligible.is_empty();
    if meets_cap {
        eligible.sort_by(|&a, &b| objective(a).total_cmp(&objective(b)).then(a.cmp(&b)));
    } else {
        eligible = (0..mean.len()).collect();
        eligible.sort_by(|&a, &b| {
            risk[a]
                .total_cmp(&risk[b])
                .then(objective(a).total_cmp(&objective(b)))
                .then(a.cmp(&b))
        });
    }
    Some(Choice {
        recommended: *eligible.first()?,
        runner_up: eligible.get(1).copied(),
        meets_cap,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEAN: [f64; 4] = [100.0, 105.0, 103.0, 120.0];
    const RISK: [f64; 4] = [200.0, 150.0, 170.0, 130.0];

    #[test]
    fn lowest_mean_without_cap_or_penalty() {
        let c = choose(&MEAN, &RISK, 0.0, None).unwrap();
        assert_eq!(
            (c.recommended, c.runner_up, c.meets_cap),
            (0, Some(2), true)
        );
    }

    #[test]
    fn cap_excludes_the_risky() {
        // risk <= 160 leaves 1 (105) and 3 (120).
        let c = choose(&MEAN, &RISK, 0.0, Some(160.0)).unwrap();
        assert_eq!((c.recommended, c.runner_up), (1, Some(3)));
        // A cap exactly at a risk admits it.
        let c = choose(&MEAN, &RISK, 0.0, Some(170.0)).unwrap();
        assert_eq!((c.recommended, c.runner_up), (2, Some(1)));
    }

    #[test]
    fn penalty_trades_mean_for_risk() {
        // lambda 0.2: 140, 135, 137, 146.
        let c = choose(&MEAN, &RISK, 0.2, None).unwrap();
        assert_eq!((c.recommended, c.runner_up), (1, Some(2)));
    }

    #[test]
    fn no_candidate_meets_the_cap() {
        let c = choose(&MEAN, &RISK, 0.0, Some(100.0)).unwrap();
        assert_eq!(
            (c.recommended, c.runner_up, c.meets_cap),
            (3, Some(1), false)
        );
        assert_eq!(choose(&[], &[], 0.0, None), None);
        let c = choose(&[5.0], &[1.0], 0.0, None).unwrap();
        assert_eq!(c.runner_up, None);
    }
}
