//! The efficient frontier of expected cost against a tail measure.

/// For each point `(mean, risk)`, the index of a point that dominates it
/// (at most as costly on average and at most as risky, and strictly better
/// in one), choosing the cheapest such point (the first on ties); `None` for
/// points on the efficient frontier. Points with a NaN coordinate neither
/// dominate nor are dominated.
pub fn dominance(points: &[(f64, f64)]) -> Vec<Option<usize>> {
    let comparable = |&(m, r): &(f64, f64)| !m.is_nan() && !r.is_nan();
    points
        .iter()
        .map(|a| {
            if !comparable(a) {
                return None;
            }
            let mut best: Option<usize> = None;
            for (j, b) in points.iter().enumerate() {
                let dominates =
                    comparable(b) && b.0 <= a.0 && b.1 <= a.1 && (b.0 < a.0 || b.1 < a.1);
                if dominates && best.is_none_or(|k| b.0 < points[k].0) {
                    best = Some(j);
                }
            }
            best
        })
        .collect()
}

/// Indices of the efficient points (not dominated, both coordinates
/// defined), by increasing risk, then mean, then index.
pub fn efficient_order(points: &[(f64, f64)], dominated: &[Option<usize>]) -> Vec<usize> {
    let mut on: Vec<usize> = (0..points.len())
        .filter(|&i| dominated[i].is_none() && !points[i].0.is_nan() && !points[i].1.is_nan())
        .collect();
    on.sort_by(|&a, &b| {
        points[a]
            .1
            .total_cmp(&points[b].1)
            .then(points[a].0.total_cmp(&points[b].0))
            .then(a.cmp(&b))
    });
    on
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_worked_frontier() {
        // 0 is cheapest but riskiest; 1 trades; 2 is dominated by 1 (dearer
        // and riskier); 3 is safest; 4 ties 1 exactly (neither dominates).
        let pts = [
            (10.0, 50.0),
            (12.0, 40.0),
            (13.0, 45.0),
            (15.0, 30.0),
            (12.0, 40.0),
        ];
        let d = dominance(&pts);
        assert_eq!(d, vec![None, None, Some(1), None, None]);
        assert_eq!(efficient_order(&pts, &d), vec![3, 1, 4, 0]);
        // Equal mean, lower risk dominates; the cheapest dominator is named.
        let pts = [(10.0, 50.0), (10.0, 49.0), (9.0, 50.0), (20.0, 60.0)];
        assert_eq!(dominance(&pts), vec![Some(2), None, None, Some(2)]);
        let pts = [(f64::NAN, 1.0), (1.0, 1.0)];
        assert_eq!(dominance(&pts), vec![None, None]);
        assert_eq!(efficient_order(&pts, &dominance(&pts)), vec![1]);
    }
}
