//! The shipped example configs, embedded so `stoploss init` works anywhere.

use super::args::Example;

/// Files (name, contents) that make up an example.
pub fn files(example: Example) -> Vec<(&'static str, &'static str)> {
    match example {
        Example::Small => vec![(
            "small-100.json",
            include_str!("../../configs/small-100.json"),
        )],
        Example::Mid => vec![("mid-500.json", include_str!("../../configs/mid-500.json"))],
        Example::Census => vec![
            (
                "census-5000.json",
                include_str!("../../configs/census-5000.json"),
            ),
            (
                "census-5000.csv",
                include_str!("../../configs/census-5000.csv"),
            ),
        ],
    }
}
