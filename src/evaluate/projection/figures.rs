//! Accumulating the paths of every trial block (mergeable moments and the
//! per-trial costs the percentiles need), then the reported figures.

use super::path::PathOutcome;
use crate::evaluate::candidate::cost_distribution;
use crate::model::Projection;
use crate::results::{
    exceedance_grid, increase_key, CandidateProjection, CostDistribution, Estimate, IncreasePoint,
    LaserFigures, Percentiles, ProjectionPath, RiderFigures, INCREASE_LEVELS,
};
use crate::stats::{self, Moments};
use std::collections::BTreeMap;

fn est(m: &Moments) -> Estimate {
    if m.count() == 0 {
        return Estimate {
            mean: f64::NAN,
            se: f64::NAN,
        };
    }
    Estimate {
        mean: m.mean(),
        se: m.se(),
    }
}

/// One path's figures over the trials seen so far.
#[derive(Debug, Clone)]
struct PathAcc {
    /// Per year: cost, specific reimbursement, retained claims, premium.
    years: Vec<[Moments; 4]>,
    increase: Vec<Moments>,
    over_any: [Moments; 3],
    over_by: Vec<[Moments; 3]>,
    /// `exceed[r][k]`: renewals `r` over the `k`-th point of the grid.
    exceed: Vec<Vec<u64>>,
    /// Renewals with a premium to renew.
    renewed: u64,
    /// `held[y][s]`: trials holding specific option `s` in year `y + 1`.
    held: Vec<Vec<u64>>,
    lasers: Moments,
    laser_amount: Moments,
    lapsed: Moments,
    /// Per trial: the cumulative cost.
    cumulative: Vec<f64>,
    /// `annual[y]`: per trial, year `y + 1`'s cost.
    annual: Vec<Vec<f64>>,
}

impl PathAcc {
    fn new(years: usize, options: usize, trials: usize) -> Self {
        let renewals = years - 1;
        PathAcc {
            years: vec![Default::default(); years],
            increase: vec![Moments::new(); renewals],
            over_any: Default::default(),
            over_by: vec![Default::default(); renewals],
            exceed: vec![vec![0; exceedance_grid().count()]; renewals],
            renewed: 0,
            held: vec![vec![0; options]; years],
            lasers: Moments::new(),
            laser_amount: Moments::new(),
            lapsed: Moments::new(),
            cumulative: Vec::with_capacity(trials),
            annual: vec![Vec::with_capacity(trials); years],
        }
    }

    fn push(&mut self, o: &PathOutcome) {
        let mut total = 0.0;
        for (y, year) in o.years.iter().enumerate() {
            let m = &mut self.years[y];
            m[0].push(year.cost);
            m[1].push(year.specific);
            m[2].push(year.retained);
            m[3].push(year.premium);
            self.annual[y].push(year.cost);
            total += year.cost;
        }
        self.cumulative.push(total);
        for (held, s) in self.held.iter_mut().zip(&o.options) {
            held[*s] += 1;
        }
        if o.increases.iter().all(|x| !x.is_nan()) {
            self.renewed += 1;
            for (r, x) in o.increases.iter().enumerate() {
                self.increase[r].push(*x);
                for (count, level) in self.exceed[r].iter_mut().zip(exceedance_grid()) {
                    *count += u64::from(*x > level);
                }
                for (k, level) in INCREASE_LEVELS.iter().enumerate() {
                    self.over_by[r][k].push(f64::from(u8::from(*x > *level)));
                }
            }
            for (k, level) in INCREASE_LEVELS.iter().enumerate() {
                let any = o.increases.iter().any(|x| x > level);
                self.over_any[k].push(f64::from(u8::from(any)));
            }
        }
        self.lasers.push(f64::from(o.lasers));
        self.laser_amount.push(o.laser_amount);
        self.lapsed.push(f64::from(u8::from(o.lapsed)));
    }

    fn merge(&mut self, other: PathAcc) {
        for (a, b) in self.years.iter_mut().zip(&other.years) {
            for k in 0..4 {
                a[k].merge(&b[k]);
            }
        }
        for (a, b) in self.increase.iter_mut().zip(&other.increase) {
            a.merge(b);
        }
        for k in 0..3 {
            self.over_any[k].merge(&other.over_any[k]);
        }
        for (a, b) in self.over_by.iter_mut().zip(&other.over_by) {
            for k in 0..3 {
                a[k].merge(&b[k]);
            }
        }
        for (a, b) in self.exceed.iter_mut().zip(&other.exceed) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        self.renewed += other.renewed;
        for (a, b) in self.held.iter_mut().zip(&other.held) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        self.lasers.merge(&other.lasers);
        self.laser_amount.merge(&other.laser_amount);
        self.lapsed.merge(&other.lapsed);
        self.cumulative.extend(other.cumulative);
        for (a, b) in self.annual.iter_mut().zip(other.annual) {
            a.extend(b);
        }
    }
}

/// Every path's figures over one block of trials (or, joined, all).
#[derive(Debug, Clone)]
pub struct BlockFigures {
    paths: Vec<PathAcc>,
    /// `unlasered[s][y]`: per trial, option `s`'s year-`y + 1` specific
    /// reimbursement without renewal lasers.
    unlasered: Vec<Vec<Vec<f64>>>,
}

impl BlockFigures {
    /// Empty figures for `paths` paths, `options` specific options and
    /// `years` years, with room for `trials` trials.
    pub fn new(paths: usize, options: usize, years: usize, trials: usize) -> Self {
        BlockFigures {
            paths: (0..paths)
                .map(|_| PathAcc::new(years, options, trials))
                .collect(),
            unlasered: vec![vec![Vec::with_capacity(trials); years]; options],
        }
    }

    /// Adds one trial's reimbursements without renewal lasers, `[s][y]`.
    pub fn push_unlasered(&mut self, unlasered: &[Vec<f64>]) {
        for (acc, u) in self.unlasered.iter_mut().zip(unlasered) {
            for (a, x) in acc.iter_mut().zip(u) {
                a.push(*x);
            }
        }
    }

    /// Adds one trial's outcome of path `k`.
    pub fn push(&mut self, k: usize, outcome: &PathOutcome) {
        self.paths[k].push(outcome);
    }

    /// Blocks joined in block order.
    pub fn join(parts: Vec<BlockFigures>) -> Self {
        let mut parts = parts.into_iter();
        let mut all = parts.next().expect("at least one block");
        for part in parts {
            for (a, b) in all.paths.iter_mut().zip(part.paths) {
                a.merge(b);
            }
            for (a, b) in all.unlasered.iter_mut().zip(part.unlasered) {
                for (x, y) in a.iter_mut().zip(b) {
                    x.extend(y);
                }
            }
        }
        all
    }

    /// The leveraged trend of option `s` at each renewal: the ratio of the
    /// mean reimbursements of consecutive years, less 1, with its
    /// delta-method standard error `sd(Y - r X) / (sqrt(n) mean(X))` on the
    /// paired trials. Null when year `y`'s mean is 0 (no specific cover).
    pub fn leveraged_trend(&self, s: usize) -> Vec<Option<Estimate>> {
        let u = &self.unlasered[s];
        u.windows(2)
            .map(|w| {
                let (x, y) = (&w[0], &w[1]);
                let n = x.len() as f64;
                let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
                if mx.is_nan() || mx <= 0.0 {
                    return None;
                }
                let r = my / mx;
                let d: Moments = x.iter().zip(y).map(|(a, b)| b - r * a).collect();
                Some(Estimate {
                    mean: r - 1.0,
                    se: d.sd() / (n.sqrt() * mx),
                })
            })
            .collect()
    }
}

/// One path's reported figures and its per-trial cumulative costs.
pub struct PathFigures {
    path: ProjectionPath,
    cumulative: Vec<f64>,
    lapsed: Estimate,
}

impl PathFigures {
    /// Path `k` of `all`; with the specific options' `labels` (a
    /// re-chosen deductible), the share of trials holding each option.
    /// Its per-trial costs move out of `all`.
    pub fn of(all: &mut BlockFigures, k: usize, labels: Option<&[&str]>) -> Self {
        let annual = std::mem::take(&mut all.paths[k].annual);
        let cumulative = std::mem::take(&mut all.paths[k].cumulative);
        let acc = &all.paths[k];
        let by = |i: usize| acc.years.iter().map(|m| est(&m[i])).collect();
        let over = |m: &[Moments; 3]| -> BTreeMap<String, Estimate> {
            INCREASE_LEVELS
                .iter()
                .zip(m)
                .map(|(x, m)| (increase_key(*x), est(m)))
                .collect()
        };
        let specific_option_share = labels.map(|labels| {
            acc.held
                .iter()
                .map(|held| {
                    let n: u64 = held.iter().sum();
                    labels
                        .iter()
                        .zip(held)
                        .map(|(l, h)| (l.to_string(), *h as f64 / n as f64))
                        .collect()
                })
                .collect()
        });
        let path = ProjectionPath {
            specific_option_share,
            annual_cost: by(0),
            annual_specific_reimbursement: by(1),
            annual_retained_claims: by(2),
            annual_specific_premium: by(3),
            annual_cost_percentiles: annual
                .into_iter()
                .map(|mut costs| {
                    costs.sort_unstable_by(f64::total_cmp);
                    Percentiles::from_fn(|l| stats::quantile(&costs, l.p))
                })
                .collect(),
            cumulative_cost: distribution(&cumulative),
            renewal_increase: acc.increase.iter().map(est).collect(),
            prob_renewal_increase_over: over(&acc.over_any),
            prob_renewal_increase_over_by_renewal: acc.over_by.iter().map(over).collect(),
            renewal_increase_exceedance: acc
                .exceed
                .iter()
                .map(|counts| {
                    counts
                        .iter()
                        .zip(exceedance_grid())
                        .map(|(c, increase)| IncreasePoint {
                            increase,
                            prob: *c as f64 / acc.renewed as f64,
                        })
                        .collect()
                })
                .collect(),
            expected_lasers: LaserFigures {
                mean: acc.lasers.mean(),
                se: acc.lasers.se(),
                amount: est(&acc.laser_amount),
            },
        };
        PathFigures {
            path,
            cumulative,
            lapsed: est(&acc.lapsed),
        }
    }
}

/// The distribution of per-trial `costs`.
fn distribution(costs: &[f64]) -> CostDistribution {
    let m: Moments = costs.iter().copied().collect();
    let mut sorted = costs.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    cost_distribution(&sorted, &m, m.se())
}

/// A candidate's projection block from its path `with` (the rider's when
/// one is configured) and, with a rider, the path `without` it.
pub fn candidate(
    projection: &Projection,
    deductible: Vec<Option<f64>>,
    with: PathFigures,
    without: Option<PathFigures>,
    leveraged_trend: Vec<Option<Estimate>>,
) -> CandidateProjection {
    let rider = without.map(|w| {
        let saving: Moments = w
            .cumulative
            .iter()
            .zip(&with.cumulative)
            .map(|(a, b)| a - b)
            .collect();
        RiderFigures {
            value: est(&saving),
            prob_lapse: with.lapsed,
            without: w.path,
        }
    });
    CandidateProjection {
        years: projection.years,
        deductible,
        path: with.path,
        leveraged_trend,
        rider,
    }
}
