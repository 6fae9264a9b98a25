//! `cargo xtask run`: build everything and serve the app with the embedded emulator.

use crate::{
    command::{cmd, project_root, run_step, target_dir},
    tools,
};
use std::{path::PathBuf, process::Child};

/// Installs missing tools, builds the web app and the server in release mode, and serves. The
/// server builds in the background meanwhile (its log in `<target>/xtask/server-build.log`):
/// two cargo processes keep both cores busy where one alone leaves them idle (one large crate
/// compiling, linking).
pub fn run(server_args: &[String]) -> Result<(), String> {
    let server_build = BackgroundBuild::start()?;
    tools::ensure_build_tools()?;
    build_web_app()?;
    server_build.wait()?;
    let mut args =
        vec!["run", "--release", "--package", "codat-connect-proxy", "--bin", "codat-connect-server", "--"];
    args.extend(server_args.iter().map(String::as_str));
    let mut command = cmd("cargo", &args);
    // Northwind Capital, the example lender's site embedding the app, unless told otherwise.
    if std::env::var_os("EXAMPLE_LENDER_LISTEN").is_none() {
        command.env("EXAMPLE_LENDER_LISTEN", "127.0.0.1:8081");
    }
    run_step("building and starting the server (Ctrl-C stops it)", command)
}

/// Builds the web app into `dist/` and writes its compressed copies.
pub fn build_web_app() -> Result<(), String> {
    run_step("building the web app (trunk, release)", cmd("trunk", &["build", "--release"]))?;
    let written = crate::precompress::precompress(&project_root().join("dist"))?;
    println!("wrote {written} precompressed files (brotli, gzip) in dist/");
    Ok(())
}

/// The server's release build, running beside the tool installs and the web app's build.
struct BackgroundBuild {
    child: Option<Child>,
    log: PathBuf,
}

impl BackgroundBuild {
    fn start() -> Result<Self, String> {
        let dir = target_dir().join("xtask");
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let log = dir.join("server-build.log");
        let file = std::fs::File::create(&log).map_err(|e| format!("cannot write {}: {e}", log.display()))?;
        let errors = file.try_clone().map_err(|e| format!("cannot write {}: {e}", log.display()))?;
        let child = cmd(
            "cargo",
            &["build", "--release", "--package", "codat-connect-proxy", "--bin", "codat-connect-server"],
        )
        .stdout(file)
        .stderr(errors)
        .spawn()
        .map_err(|e| format!("cannot start the server's build: {e}"))?;
        println!("\n==> building the server in the background (log: {})", log.display());
        Ok(Self { child: Some(child), log })
    }

    /// Waits for the build; a failure shows the end of its log.
    fn wait(mut self) -> Result<(), String> {
        println!("\n==> waiting for the server's build");
        let Some(mut child) = self.child.take() else { return Ok(()) };
        let status = child.wait().map_err(|e| format!("the server's build: {e}"))?;
        if status.success() {
            return Ok(());
        }
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        for line in tail.into_iter().rev() {
            eprintln!("{line}");
        }
        Err(format!("building the server failed ({status}); the whole log is in {}", self.log.display()))
    }
}

/// A step before it failed: the build is not left running on its own.
impl Drop for BackgroundBuild {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
