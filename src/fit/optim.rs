//! Minimizers for the maximum-likelihood fits: a Nelder–Mead simplex with
//! restarts (robust to a rough or partly infinite objective: points outside
//! a family's parameter space score `+inf`), polished by Newton steps on
//! central-difference derivatives so the optimum is located to far better
//! than the simplex tolerance. Hand-rolled: the problems have two
//! parameters, and a crate (argmin) would add a dependency tree for ~150
//! lines.

/// Result of a minimization.
#[derive(Debug, Clone)]
pub struct Minimum {
    /// Where the minimum is.
    pub x: Vec<f64>,
    /// The objective there.
    pub value: f64,
}

/// Minimizes `f` from `start` with initial steps `steps` (one per
/// coordinate). Restarts the simplex around the best point until a restart
/// no longer improves the value (a collapsed simplex is the classic
/// Nelder–Mead failure), then polishes with [`newton_polish`].
pub fn minimize(f: &dyn Fn(&[f64]) -> f64, start: &[f64], steps: &[f64]) -> Minimum {
    let mut best = nelder_mead(f, start, steps, 4000);
    for _ in 0..30 {
        let small: Vec<f64> = steps.iter().map(|s| s * 0.05).collect();
        let next = nelder_mead(f, &best.x, &small, 4000);
        let improved = next.value < best.value - 1e-14 * best.value.abs().max(1.0);
        if next.value <= best.value {
            best = next;
        }
        if !improved {
            break;
        }
    }
    newton_polish(f, best)
}

/// Plain Nelder–Mead (reflection 1, expansion 2, contraction 1/2,
/// shrink 1/2) until the simplex's values agree to 1e-15 relative and
/// its size falls below 1e-12, or `max_iter` iterations.
pub fn nelder_mead(
    f: &dyn Fn(&[f64]) -> f64,
    start: &[f64],
    steps: &[f64],
    max_iter: usize,
) -> Minimum {
    let n = start.len();
    let eval = |x: &[f64]| {
        let v = f(x);
        if v.is_nan() {
            f64::INFINITY
        } else {
            v
        }
    };
    let mut pts: Vec<Vec<f64>> = vec![start.to_vec()];
    for i in 0..n {
        let mut p = start.to_vec();
        p[i] += steps[i];
        pts.push(p);
    }
    let mut vals: Vec<f64> = pts.iter().map(|p| eval(p)).collect();
    for _ in 0..max_iter {
        let mut order: Vec<usize> = (0..=n).collect();
        order.sort_by(|&a, &b| vals[a].total_cmp(&vals[b]));
        pts = order.iter().map(|&i| pts[i].clone()).collect();
        vals = order.iter().map(|&i| vals[i]).collect();
        let spread = (vals[n] - vals[0]).abs();
        let size = pts[1..]
            .iter()
            .flat_map(|p| p.iter().zip(&pts[0]).map(|(a, b)| (a - b).abs()))
            .fold(0.0, f64::max);
        if vals[0].is_finite() && spread <= 1e-15 * vals[0].abs().max(1e-300) && size < 1e-12 {
            break;
        }
        if size < 1e-14 {
            break;
        }
        let centroid: Vec<f64> = (0..n)
            .map(|j| pts[..n].iter().map(|p| p[j]).sum::<f64>() / n as f64)
            .collect();
        let along = |t: f64| -> Vec<f64> {
            (0..n)
                .map(|j| centroid[j] + t * (pts[n][j] - centroid[j]))
                .collect()
        };
        let xr = along(-1.0);
        let fr = eval(&xr);
        if fr < vals[0] {
            let xe = along(-2.0);
            let fe = eval(&xe);
            if fe < fr {
                pts[n] = xe;
                vals[n] = fe;
            } else {
                pts[n] = xr;
                vals[n] = fr;
            }
            continue;
        }
        if fr < vals[n - 1] {
            pts[n] = xr;
            vals[n] = fr;
            continue;
        }
        let (xc, fc) = if fr < vals[n] {
            let x = along(-0.5);
            let v = eval(&x);
            (x, v)
        } else {
            let x = along(0.5);
            let v = eval(&x);
            (x, v)
        };
        if fc < vals[n].min(fr) {
            pts[n] = xc;
            vals[n] = fc;
            continue;
        }
        let anchor = pts[0].clone();
        for i in 1..=n {
            for (v, a) in pts[i].iter_mut().zip(&anchor) {
                *v = a + 0.5 * (*v - a);
            }
            vals[i] = eval(&pts[i]);
        }
    }
    let i = (0..=n)
        .min_by(|&a, &b| vals[a].total_cmp(&vals[b]))
        .unwrap_or(0);
    Minimum {
        x: pts[i].clone(),
        value: vals[i],
    }
}

/// Central-difference gradient and Hessian of `f` at `x`, step `h[i]` in
/// coordinate `i`. `None` when `f` is not finite at a stencil point (the
/// point is on the edge of the parameter space).
pub fn derivatives(
    f: &dyn Fn(&[f64]) -> f64,
    x: &[f64],
    h: &[f64],
) -> Option<(Vec<f64>, Vec<Vec<f64>>)> {
    let n = x.len();
    let at = |d: &[(usize, f64)]| {
        let mut p = x.to_vec();
        for &(i, s) in d {
            p[i] += s * h[i];
        }
        f(&p)
    };
    let f0 = f(x);
    let mut g = vec![0.0; n];
    let mut hess = vec![vec![0.0; n]; n];
    for i in 0..n {
        let fp = at(&[(i, 1.0)]);
        let fm = at(&[(i, -1.0)]);
        g[i] = (fp - fm) / (2.0 * h[i]);
        hess[i][i] = (fp - 2.0 * f0 + fm) / (h[i] * h[i]);
        for j in 0..i {
            let v = (at(&[(i, 1.0), (j, 1.0)])
                - at(&[(i, 1.0), (j, -1.0)])
                - at(&[(i, -1.0), (j, 1.0)])
                + at(&[(i, -1.0), (j, -1.0)]))
                / (4.0 * h[i] * h[j]);
            hess[i][j] = v;
            hess[j][i] = v;
        }
    }
    let finite = f0.is_finite()
        && g.iter().all(|v| v.is_finite())
        && hess.iter().flatten().all(|v| v.is_finite());
    finite.then_some((g, hess))
}

/// Central-difference gradient of `f` at `x`, step `h[i]` in coordinate `i`.
fn gradient(f: &dyn Fn(&[f64]) -> f64, x: &[f64], h: &[f64]) -> Option<Vec<f64>> {
    let g: Vec<f64> = (0..x.len())
        .map(|i| {
            let mut p = x.to_vec();
            p[i] = x[i] + h[i];
            let fp = f(&p);
            p[i] = x[i] - h[i];
            (fp - f(&p)) / (2.0 * h[i])
        })
        .collect();
    g.iter().all(|v| v.is_finite()).then_some(g)
}

/// Inverse of a small symmetric matrix by Gauss–Jordan with partial
/// pivoting; `None` when it is singular.
pub fn invert(m: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = m.len();
    let mut a: Vec<Vec<f64>> = m.to_vec();
    let mut inv: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    for c in 0..n {
        let p = (c..n).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[p][c].abs() < 1e-300 || !a[p][c].is_finite() {
            return None;
        }
        a.swap(c, p);
        inv.swap(c, p);
        let d = a[c][c];
        for j in 0..n {
            a[c][j] /= d;
            inv[c][j] /= d;
        }
        for r in 0..n {
            if r != c {
                let k = a[r][c];
                for j in 0..n {
                    a[r][j] -= k * a[c][j];
                    inv[r][j] -= k * inv[c][j];
                }
            }
        }
    }
    Some(inv)
}

/// Newton steps from the simplex's best point, each accepted only when it
/// lowers the objective (a backtracking line search halves it otherwise):
/// the simplex stops where values agree to rounding, which leaves the
/// parameters only about sqrt(machine epsilon) from the optimum.
pub fn newton_polish(f: &dyn Fn(&[f64]) -> f64, mut best: Minimum) -> Minimum {
    for _ in 0..8 {
        let h: Vec<f64> = best.x.iter().map(|v| 1e-4 * v.abs().max(1e-2)).collect();
        let Some((g1, hess)) = derivatives(f, &best.x, &h) else {
            break;
        };
        // Richardson: two central differences cancel the h^2 error of the
        // gradient, which would otherwise bias the optimum by about h^2.
        let half: Vec<f64> = h.iter().map(|v| v / 2.0).collect();
        let Some(g2) = gradient(f, &best.x, &half) else {
            break;
        };
        let g: Vec<f64> = g1
            .iter()
            .zip(&g2)
            .map(|(a, b)| (4.0 * b - a) / 3.0)
            .collect();
        let Some(inv) = invert(&hess) else { break };
        // Only a descent direction at a positive-definite Hessian.
        let step: Vec<f64> = (0..g.len())
            .map(|i| -(0..g.len()).map(|j| inv[i][j] * g[j]).sum::<f64>())
            .collect();
        if step.iter().zip(&g).map(|(s, g)| s * g).sum::<f64>() >= 0.0 {
            break;
        }
        // Near the optimum the objective is flat to rounding (its changes
        // are below 1e-13 relative), so a step that does not raise it by
        // more than that noise is taken: the gradient, not the value,
        // locates the optimum there.
        let noise = 1e-12 * best.value.abs().max(1.0);
        let mut t = 1.0;
        let mut moved = false;
        for _ in 0..20 {
            let x: Vec<f64> = best.x.iter().zip(&step).map(|(x, s)| x + t * s).collect();
            let v = f(&x);
            if v.is_finite() && v <= best.value + noise {
                moved = true;
                best = Minimum { x, value: v };
                break;
            }
            t *= 0.5;
        }
        let small = step
            .iter()
            .zip(&best.x)
            .all(|(s, x)| (t * s).abs() <= 1e-12 * x.abs().max(1.0));
        if !moved || small {
            break;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_rosenbrock_minimum() {
        let f = |p: &[f64]| (1.0 - p[0]).powi(2) + 100.0 * (p[1] - p[0] * p[0]).powi(2);
        let m = minimize(&f, &[-1.2, 1.0], &[0.5, 0.5]);
        assert!((m.x[0] - 1.0).abs() < 1e-8, "{:?}", m.x);
        assert!((m.x[1] - 1.0).abs() < 1e-8, "{:?}", m.x);
    }

    #[test]
    fn inverts_a_matrix() {
        let inv = invert(&[vec![4.0, 1.0], vec![1.0, 3.0]]).unwrap();
        assert!((inv[0][0] - 3.0 / 11.0).abs() < 1e-15);
        assert!((inv[0][1] + 1.0 / 11.0).abs() < 1e-15);
        assert!(invert(&[vec![1.0, 2.0], vec![2.0, 4.0]]).is_none());
    }
}
