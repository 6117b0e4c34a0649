//! Claim amounts drawn in batches.
//!
//! A lognormal amount is `exp(mu + sigma z)`. Leaving the exponentials of a
//! whole trial to one vectorized pass ([`super::fastmath::exp_in_place`])
//! replaces a libm `exp` per claim (about 6 ns) by about 1 ns. Plain
//! lognormals and the lognormal body of a spliced severity go this way;
//! every other severity is drawn claim by claim with
//! [`Severity::sample_sum`]. The normals of plain lognormals are drawn for
//! the whole trial at once ([`TrialNormals`]) and turned into exponents
//! over fixed windows, so that no branch depends on a member's claim count
//! (a mispredicted branch per member costs as much as a claim).

use super::severity::REJECTION_MIN_MASS;
use super::{uniform, Severity, SimRng, TailSpec};
use rand_distr::{Distribution, StandardNormal};

/// Claim counts up to this are handled over a fixed window of this many
/// values, without a branch on the count.
pub const SHORT_RUN: usize = 8;

/// Standard normals drawn ahead for a trial's plain lognormal amounts and
/// handed out in order.
#[derive(Debug, Clone, Default)]
pub struct TrialNormals {
    /// The normals, then [`SHORT_RUN`] zeros.
    values: Vec<f64>,
    next: usize,
}

impl TrialNormals {
    /// Replaces the held normals by `count` new ones from `rng`.
    pub fn draw(&mut self, count: usize, rng: &mut SimRng) {
        self.values.clear();
        self.values
            .extend((0..count).map(|_| -> f64 { StandardNormal.sample(rng) }));
        self.values.extend_from_slice(&[0.0; SHORT_RUN]);
        self.next = 0;
    }

    /// Appends `mu + sigma z` for the next `n` normals `z` to `out`.
    #[inline(always)]
    fn write_exponents(&mut self, n: usize, mu: f64, sigma: f64, out: &mut Exponents) {
        let start = self.next;
        self.next += n;
        assert!(self.next + SHORT_RUN <= self.values.len(), "normals drawn");
        if n <= SHORT_RUN {
            // A whole window, of which the first n count: no branch on n.
            let window = out.window();
            for (w, z) in window
                .iter_mut()
                .zip(&self.values[start..start + SHORT_RUN])
            {
                *w = mu + sigma * z;
            }
            out.len += n;
        } else {
            for z in &self.values[start..start + n] {
                out.push(mu + sigma * z);
            }
        }
    }
}

/// The exponents `mu + sigma z` of a trial's lognormal amounts, written in
/// place into a buffer sized for the trial, then exponentiated.
#[derive(Debug, Clone, Default)]
pub struct Exponents {
    /// Written values, then room for at least [`SHORT_RUN`] more.
    values: Vec<f64>,
    len: usize,
}

impl Exponents {
    /// Empties the buffer and makes room for `capacity` values.
    pub fn reset(&mut self, capacity: usize) {
        if self.values.len() < capacity + SHORT_RUN {
            self.values.resize(capacity + SHORT_RUN, 0.0);
        }
        self.len = 0;
    }

    /// Values written so far.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline(always)]
    fn push(&mut self, x: f64) {
        self.values[self.len] = x;
        self.len += 1;
    }

    #[inline(always)]
    fn window(&mut self) -> &mut [f64] {
        &mut self.values[self.len..self.len + SHORT_RUN]
    }

    /// Replaces the contents by `mu + sigma z` for `count` new standard
    /// normals `z` from `rng`, in draw order. The same values (and random
    /// stream) as [`TrialNormals::draw`] followed by one plain lognormal
    /// [`AmountPlan::draw`] per slot with these `mu` and `sigma`, without
    /// the copy through fixed windows: for a chunk whose every amount has
    /// one lognormal, the exponents are simply the normals in order.
    pub fn fill_lognormal(&mut self, count: usize, mu: f64, sigma: f64, rng: &mut SimRng) {
        self.reset(count);
        for x in &mut self.values[..count] {
            let z: f64 = StandardNormal.sample(rng);
            *x = mu + sigma * z;
        }
        self.len = count;
    }

    /// Replaces the written values by their `exp` and returns them followed
    /// by [`SHORT_RUN`] zeros.
    pub fn exponentiate(&mut self) -> &[f64] {
        let len = self.len;
        super::fastmath::exp_in_place(&mut self.values[..len]);
        self.values[len..len + SHORT_RUN].fill(0.0);
        &self.values[..len + SHORT_RUN]
    }
}

/// How the amounts of one severity are drawn inside the simulation kernel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AmountPlan {
    /// `exp(mu + sigma z)`, `z` standard normal.
    LogNormal {
        /// Mean of the log.
        mu: f64,
        /// Standard deviation of the log.
        sigma: f64,
    },
    /// A spliced severity with a lognormal body: a uniform picks the tail
    /// (drawn at once) or the body, whose normal is redrawn until it lies
    /// below `z_max`, the threshold's normal score (the draws
    /// [`Severity::sample`] makes, with the test moved before the `exp`).
    SplicedLogNormal {
        /// Mean of the body's log.
        mu: f64,
        /// Standard deviation of the body's log.
        sigma: f64,
        /// `(ln threshold - mu) / sigma`.
        z_max: f64,
        /// Where the tail starts.
        threshold: f64,
        /// `P(X > threshold)`.
        tail_prob: f64,
        /// The Pareto tail.
        tail: TailSpec,
    },
    /// One amount at a time with [`Severity::sample_sum`].
    Sequential,
}

impl AmountPlan {
    /// Whether the amounts take their normals from [`TrialNormals`].
    pub fn uses_trial_normals(&self) -> bool {
        matches!(self, AmountPlan::LogNormal { .. })
    }

    /// Whether the amounts may write to [`Exponents`] (at most one value
    /// per claim).
    pub fn writes_exponents(&self) -> bool {
        !matches!(self, AmountPlan::Sequential)
    }

    /// The plan for `severity`.
    pub fn for_severity(severity: &Severity) -> Self {
        match severity {
            Severity::LogNormal { mu, sigma } => AmountPlan::LogNormal {
                mu: *mu,
                sigma: *sigma,
            },
            Severity::Spliced {
                body,
                threshold,
                tail_prob,
                tail,
                body_mass,
            } => match **body {
                // A body with little mass below the threshold is drawn from
                // its quantile function instead (see `Severity::sample`).
                Severity::LogNormal { mu, sigma } if *body_mass >= REJECTION_MIN_MASS => {
                    AmountPlan::SplicedLogNormal {
                        mu,
                        sigma,
                        z_max: (threshold.ln() - mu) / sigma,
                        threshold: *threshold,
                        tail_prob: *tail_prob,
                        tail: *tail,
                    }
                }
                _ => AmountPlan::Sequential,
            },
            _ => AmountPlan::Sequential,
        }
    }

    /// Draws `n` amounts of `severity` (the severity this plan was made
    /// for). Lognormal parts are appended to `exponents` as `mu + sigma z`
    /// for the caller to exponentiate; the sum of the parts drawn outright
    /// is returned. A plain lognormal takes its normals from `drawn` (which
    /// must hold them); the other plans draw from `rng`.
    #[inline]
    pub fn draw(
        &self,
        severity: &Severity,
        n: u32,
        rng: &mut SimRng,
        drawn: &mut TrialNormals,
        exponents: &mut Exponents,
    ) -> f64 {
        match *self {
            AmountPlan::LogNormal { mu, sigma } => {
                drawn.write_exponents(n as usize, mu, sigma, exponents);
                0.0
            }
            AmountPlan::SplicedLogNormal {
                mu,
                sigma,
                z_max,
                threshold,
                tail_prob,
                tail,
            } => {
                let mut direct = 0.0;
                for _ in 0..n {
                    let u = uniform(rng);
                    if u < tail_prob {
                        direct += tail.above(threshold, u / tail_prob);
                    } else {
                        let z = loop {
                            let z: f64 = StandardNormal.sample(rng);
                            if z < z_max {
                                break z;
                            }
                        };
                        exponents.push(mu + sigma * z);
                    }
                }
                direct
            }
            AmountPlan::Sequential => severity.sample_sum(n, rng),
        }
    }
}
