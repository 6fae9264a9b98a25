//! `cargo xtask test`: every check the project has, failing on the first that fails.

use crate::{
    command::{cmd, run_step},
    deploy_check,
    run::build_web_app,
    tools,
};

/// Formatting, clippy, the web app build, then every unit, integration and browser test
/// (the storage tests start their own PostgreSQL), the deployment files, and the image.
pub fn test() -> anyhow::Result<()> {
    tools::ensure_build_tools()?;
    tools::ensure_browser()?;
    tools::ensure_postgres()?;
    tools::ensure_axe()?;
    tools::ensure_prometheus()?;
    run_step("checking formatting", cmd("cargo", &["fmt", "--all", "--", "--check"]))?;
    run_step(
        "clippy",
        cmd("cargo", &["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"]),
    )?;
    build_web_app()?;
    run_step("unit, integration and browser tests", cmd("cargo", &["test", "--workspace", "--locked"]))?;
    deploy_check::validate_deploy_files()?;
    deploy_check::test_image()?;
    println!("\nxtask test: every check passed");
    Ok(())
}
