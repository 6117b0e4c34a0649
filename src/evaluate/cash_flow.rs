//! A candidate's money by month on the trials of a study with contract
//! timing: claims paid, specific reimbursements after their lag, monthly
//! aggregate accommodation and the year-end settlement, and the peak cash
//! need against equal monthly funding.
//!
//! Accommodation (section 9 of the contract-timing notes): with `C_t` the
//! counted aggregate retained claims by the end of month `t` and `A_t` the
//! cumulative monthly attachment, the carrier advances
//! `adv_t = max(0, min((C_t - A_t)+, max) - sum_{u<t} adv_u)` (no claw-back
//! during the year); at settlement it pays the annual reimbursement less
//! the advances, which is negative when the employer refunds.

use super::terms::CandidateTerms;
use crate::contract::aggregate_reimbursement;
use crate::model::Study;
use crate::results::{CandidateTiming, CashFlow, Estimate, PeakCashNeed, Percentiles};
use crate::sim::MonthlyColumns;
use crate::stats::{self, Moments};

/// Levels of the cumulative net cash fan chart.
pub const FAN_LEVELS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// The timing figures of the candidate with `terms`, whose fixed costs
/// (premiums and fees) are `fixed` and expected annual cost `expected_cost`.
pub fn candidate_timing(
    study: &Study,
    monthly: &MonthlyColumns,
    terms: &CandidateTerms,
    fixed: f64,
    expected_cost: f64,
) -> CandidateTiming {
    let contract = &study.contract;
    let s = terms.candidate.specific;
    let k = terms.aggregate_column;
    let specific_option = &contract.specific[s];
    let aggregate_option = terms.candidate.aggregate.map(|a| &contract.aggregate[a]);
    let months = monthly.months;
    let lag = specific_option.timing.reimbursement_lag as usize;
    // The settlement is paid the month after the aggregate's window closes
    // (or after the last claim is paid, whichever is first).
    let settle = aggregate_option.map_or(months, |o| {
        let last = o.timing.basis.paid.last;
        (last.clamp(1, months as i32) as usize).max(12)
    });
    let horizon = (months + lag).max(settle + 1);
    let enrollment = &study.population.enrollment;
    let employees: f64 = (1..=12).map(|m| enrollment.employees_in(m)).sum();
    let share: Vec<f64> = (1..=12)
        .map(|m| {
            if employees > 0.0 {
                enrollment.employees_in(m) / employees
            } else {
                1.0 / 12.0
            }
        })
        .collect();
    let attachment = terms.attachment;
    let cumulative_attachment: Option<Vec<f64>> = attachment.zip(aggregate_option).map(|(a, o)| {
        let m = o.monthly_attachments(s, a, enrollment);
        let mut acc = 0.0;
        (0..horizon)
            .map(|t| {
                if t < 12 {
                    acc += m[t];
                }
                acc
            })
            .collect()
    });
    let accommodation = aggregate_option.is_some_and(|o| o.timing.accommodation);
    let n = monthly.paid.len() / months.max(1);
    let mut sums = vec![[0.0f64; 6]; horizon];
    let mut settlement_m = Moments::new();
    let mut uncovered_m = Moments::new();
    let mut cumulative: Vec<Vec<f64>> = vec![Vec::with_capacity(n); horizon];
    let mut peaks = Vec::with_capacity(n);
    let budget = expected_cost / 12.0;
    for i in 0..n {
        let row = |col: &[f64], t: usize| col[i * months + t.min(months - 1)];
        let spec = &monthly.specific[s];
        let agg = &monthly.aggregate[k];
        let annual = attachment.map_or(0.0, |a| {
            aggregate_reimbursement(row(agg, months - 1), a, terms.aggregate_max)
        });
        let mut advanced = 0.0;
        let mut cum = 0.0;
        let mut peak = f64::NEG_INFINITY;
        let mut settlement = 0.0;
        for t in 0..horizon {
            let paid = if t < months {
                monthly.paid[i * months + t]
            } else {
                0.0
            };
            let fixed_t = if t < 12 { fixed * share[t] } else { 0.0 };
            let specific = if t >= lag && t - lag < months {
                let e = t - lag;
                row(spec, e) - if e > 0 { row(spec, e - 1) } else { 0.0 }
            } else {
                0.0
            };
            let mut advance = 0.0;
            if let (true, Some(ca)) = (accommodation, &cumulative_attachment) {
                if t < settle {
                    let due = (row(agg, t) - ca[t]).max(0.0).min(terms.aggregate_max);
                    advance = (due - advanced).max(0.0);
                    advanced += advance;
                }
            }
            let settled = if attachment.is_some() && t == settle {
                settlement = annual - advanced;
                settlement
            } else {
                0.0
            };
            let net = paid + fixed_t - specific - advance - settled;
            cum += net;
            let funded = budget * (t + 1).min(12) as f64;
            peak = peak.max(cum - funded);
            let row_sums = &mut sums[t];
            for (x, v) in row_sums
                .iter_mut()
                .zip([paid, fixed_t, specific, advance, settled, net])
            {
                *x += v;
            }
            cumulative[t].push(cum);
        }
        settlement_m.push(settlement);
        peaks.push(peak);
        let uncovered = match terms.candidate.aggregate {
            None => monthly.uncovered_specific[s][i],
            Some(_) => monthly.uncovered[k][i],
        };
        uncovered_m.push(uncovered);
    }
    let nf = n.max(1) as f64;
    let mean_of = |j: usize| sums.iter().map(|r| r[j] / nf).collect::<Vec<f64>>();
    let net = mean_of(5);
    let mut acc = 0.0;
    let cumulative_net_cash = net
        .iter()
        .map(|x| {
            acc += x;
            acc
        })
        .collect();
    let fan = cumulative
        .iter_mut()
        .map(|c| {
            c.sort_unstable_by(f64::total_cmp);
            FAN_LEVELS.iter().map(|&p| stats::quantile(c, p)).collect()
        })
        .collect();
    let peak_m: Moments = peaks.iter().copied().collect();
    peaks.sort_unstable_by(f64::total_cmp);
    CandidateTiming {
        specific_basis: specific_option.timing.basis.to_string(),
        aggregate_basis: aggregate_option.map(|o| o.timing.basis.to_string()),
        cash_flow: CashFlow {
            months: (1..=horizon as i32).collect(),
            paid_claims: mean_of(0),
            fixed_costs: mean_of(1),
            specific_reimbursement: mean_of(2),
            aggregate_advance: mean_of(3),
            aggregate_settlement: mean_of(4),
            net_cash: net,
            cumulative_net_cash,
            cumulative_net_cash_fan: fan,
            fan_levels: FAN_LEVELS.to_vec(),
            cumulative_attachment,
        },
        year_end_aggregate_settlement: Estimate {
            mean: settlement_m.mean(),
            se: settlement_m.se(),
        },
        peak_cash_need: PeakCashNeed {
            mean: peak_m.mean(),
            se: peak_m.se(),
            percentiles: Percentiles::from_fn(|l| stats::quantile(&peaks, l.p)),
        },
        uncovered_claims: Estimate {
            mean: uncovered_m.mean(),
            se: uncovered_m.se(),
        },
    }
}
