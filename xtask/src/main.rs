//! Project tasks, run as `cargo xtask <task>`:
//!
//! - `run`: install what is missing, build the web app, serve it with the embedded emulator;
//! - `test`: every check: formatting, clippy, unit, integration and browser tests;
//! - `bench`: bundle size and proxy speed, written to BENCHMARKS.md, failing only on budgets;
//! - `dist`: the static server with the web app inside, and its OCI image;
//! - `web`: the web app alone, built into `dist/` with its compressed copies (what the browser
//!   tests and benchmarks serve).

mod bench;
mod command;
mod deploy_check;
mod dist;
mod precompress;
mod run;
mod test;
#[cfg(test)]
mod tidy;
mod tools;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <run [-- server flags] | test | bench | dist | web>";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let task = args.next();
    let rest: Vec<String> = args.skip_while(|a| a == "--").collect();
    let outcome = match task.as_deref() {
        Some("run") => run::run(&rest),
        Some("test") => test::test(),
        Some("bench") => bench::bench(),
        Some("dist") => dist::dist().map(|_| ()),
        Some("web") => tools::ensure_build_tools().and_then(|()| run::build_web_app()),
        _ => Err(anyhow::anyhow!(USAGE)),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error:#}");
            ExitCode::FAILURE
        }
    }
}
