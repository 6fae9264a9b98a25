//! `cargo xtask run`: build everything and serve the app with the embedded emulator.

use crate::{
    command::{cmd, project_root, run_step},
    tools,
};

/// Installs missing tools, builds the web app and the server in release mode, and serves.
pub fn run(server_args: &[String]) -> anyhow::Result<()> {
    tools::ensure_build_tools()?;
    build_web_app()?;
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
pub fn build_web_app() -> anyhow::Result<()> {
    run_step("building the web app (trunk, release)", cmd("trunk", &["build", "--release"]))?;
    let script = project_root().join("xtask").join("scripts").join("minify_js.cjs");
    let (package, dist) = (tools::esbuild_package(), project_root().join("dist"));
    run_step(
        "minifying the JS glue and embed.js (esbuild)",
        cmd("node", &[&*script.to_string_lossy(), &*package.to_string_lossy(), &*dist.to_string_lossy()]),
    )?;
    let written = crate::precompress::precompress(&project_root().join("dist"))?;
    println!("wrote {written} precompressed files (brotli, gzip) in dist/");
    Ok(())
}
