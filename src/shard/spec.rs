//! Which shard a job runs: `--shard I/N`, or `--shard auto` from the
//! scheduler's environment.

use super::ShardError;
use std::fmt;
use std::str::FromStr;

/// Shard `index` of `count` (`0 <= index < count`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardSpec {
    /// This shard, from 0.
    pub index: u64,
    /// Shards in the run.
    pub count: u64,
}

impl fmt::Display for ShardSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl ShardSpec {
    /// Checks `0 <= index < count`.
    pub fn new(index: u64, count: u64) -> Result<Self, ShardError> {
        if count == 0 {
            return Err(ShardError::from("the shard count must be at least 1"));
        }
        if index >= count {
            return Err(ShardError::from(format!(
                "shard index {index} is out of range for {count} shard(s): indices run from 0 to {}",
                count - 1
            )));
        }
        Ok(ShardSpec { index, count })
    }
}

/// `--shard`: a given shard or `auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardArg {
    /// `I/N`.
    Fixed(ShardSpec),
    /// From the scheduler's environment ([`from_env`]).
    Auto,
}

impl FromStr for ShardArg {
    type Err = ShardError;

    fn from_str(s: &str) -> Result<Self, ShardError> {
        if s == "auto" {
            return Ok(ShardArg::Auto);
        }
        let usage =
            || format!("expected I/N (shard I of N, 0 <= I < N, e.g. 3/16) or auto, got `{s}`");
        let (i, n) = s.split_once('/').ok_or_else(usage)?;
        let i: u64 = i.trim().parse().map_err(|_| usage())?;
        let n: u64 = n.trim().parse().map_err(|_| usage())?;
        ShardSpec::new(i, n).map(ShardArg::Fixed)
    }
}

/// The shard of this job from its scheduler's environment (`lookup` reads a
/// variable), in this order: a Slurm array (`SLURM_ARRAY_TASK_ID`, counted
/// from `SLURM_ARRAY_TASK_MIN` in steps of `SLURM_ARRAY_TASK_STEP`, of
/// `SLURM_ARRAY_TASK_COUNT`), a Kubernetes Indexed Job
/// (`JOB_COMPLETION_INDEX`), an AWS Batch array (`AWS_BATCH_JOB_ARRAY_INDEX`).
/// `count` (`--shard-count`) gives the number of shards where the scheduler
/// does not (Kubernetes, AWS Batch), and must agree with Slurm's.
pub fn from_env(
    lookup: impl Fn(&str) -> Option<String>,
    count: Option<u64>,
) -> Result<ShardSpec, ShardError> {
    let num = |var: &str| -> Result<Option<u64>, ShardError> {
        match lookup(var) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| format!("--shard auto: {var}={v} is not a whole number").into()),
        }
    };
    if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
        let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let step = num("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1);
        let slurm_count = num("SLURM_ARRAY_TASK_COUNT")?
            .ok_or("--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not")?;
        if id < min || (id - min) % step != 0 {
            return Err(ShardError::from(format!(
                "--shard auto: SLURM_ARRAY_TASK_ID={id} is not in the array {min}, {}, ... (step {step})",
                min + step
            )));
        }
        if let Some(c) = count.filter(|&c| c != slurm_count) {
            return Err(ShardError::from(format!(
                "--shard-count {c} disagrees with the Slurm array's {slurm_count} tasks"
            )));
        }
        return ShardSpec::new((id - min) / step, slurm_count)
            .map_err(|e| format!("--shard auto: {e}").into());
    }
    for var in ["JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"] {
        if let Some(index) = num(var)? {
            let count = count.ok_or_else(|| {
                format!("--shard auto: {var}={index} gives this job's index; pass the number of shards with --shard-count")
            })?;
            return ShardSpec::new(index, count)
                .map_err(|e| format!("--shard auto ({var}): {e}").into());
        }
    }
    Err(ShardError::from("--shard auto: no scheduler index in the environment (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX); pass --shard I/N"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn parses_i_of_n_and_refuses_the_rest() {
        assert_eq!(
            "3/16".parse(),
            Ok(ShardArg::Fixed(ShardSpec {
                index: 3,
                count: 16
            }))
        );
        assert_eq!("auto".parse(), Ok(ShardArg::Auto));
        for bad in ["16/16", "0/0", "3", "a/4", "-1/4", "1/4/2", ""] {
            assert!(bad.parse::<ShardArg>().is_err(), "{bad}");
        }
    }

    #[test]
    fn reads_each_scheduler() {
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "8"),
        ]);
        assert_eq!(from_env(&slurm, None), Ok(ShardSpec { index: 4, count: 8 }));
        assert!(from_env(&slurm, Some(9)).is_err());
        let stepped = env(&[
            ("SLURM_ARRAY_TASK_ID", "6"),
            ("SLURM_ARRAY_TASK_STEP", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert_eq!(
            from_env(&stepped, None),
            Ok(ShardSpec { index: 3, count: 4 })
        );
        let k8s = env(&[("JOB_COMPLETION_INDEX", "2")]);
        assert_eq!(
            from_env(&k8s, Some(4)),
            Ok(ShardSpec { index: 2, count: 4 })
        );
        assert!(from_env(&k8s, None)
            .unwrap_err()
            .0
            .contains("--shard-count"));
        assert!(from_env(&k8s, Some(2)).is_err());
        let aws = env(&[("AWS_BATCH_JOB_ARRAY_INDEX", "0")]);
        assert_eq!(
            from_env(&aws, Some(1)),
            Ok(ShardSpec { index: 0, count: 1 })
        );
        assert!(from_env(env(&[]), Some(4))
            .unwrap_err()
            .0
            .contains("no scheduler index"));
        assert!(from_env(env(&[("JOB_COMPLETION_INDEX", "x")]), Some(4)).is_err());
    }
}
