//! Command-line options the subcommands share, each meaning the same thing wherever it is
//! flattened in, and the parsers of values the relying party's types do not parse themselves.

use softfido_rp::policy::Policy;

/// `--jobs`: how many worker threads run the ceremonies.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Threads {
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub jobs: Option<usize>,
}

impl Threads {
    /// The threads to run on: `--jobs`, or one per core; at least one.
    pub fn count(&self) -> usize {
        self.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from)).max(1)
    }
}

/// The scenarios of a matrix to run and the threads to run them on.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Selection {
    /// Keep only scenarios matching every `axis=value` (e.g. `up=deny,key_protection=tee`; a
    /// value may be `n/a`; several values of one axis: `backup=be0_bs0|be1_bs1`).
    #[arg(long)]
    pub filter: Option<String>,
    /// Worker threads.
    #[command(flatten)]
    pub threads: Threads,
}

/// Parses an amr/acr policy name: `rfc8176` (the rule table), `aspnetcore-net10`, or a profile
/// of another IdP (`authelia`, `zitadel`, `hanko`, `authgear`, `keycloak-default`).
pub fn parse_policy(value: &str) -> Result<Policy, String> {
    Policy::from_name(value).ok_or_else(|| {
        let names: Vec<&str> = Policy::ALL.iter().map(|policy| policy.name()).collect();
        format!("unknown policy {value:?}; expected {}", names.join(" or "))
    })
}

#[cfg(test)]
mod tests;
