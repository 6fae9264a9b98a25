//! Checks of what `deploy/` ships, with the tools that read it for real: the Kubernetes
//! manifests against Kubernetes' schemas (PyPI's `kubernetes-validate`, strict: an unknown
//! field fails), the alerts with `promtool check rules`, the compose file through
//! `podman-compose config`, and the image that
//! `cargo xtask dist` builds, run by `crates/proxy/tests/integration/image.rs`.

use crate::command::{cmd, output_line, project_root, run_step};
use anyhow::Context as _;

/// The schemas' version, and podman-compose's, from the Python package registry.
const KUBERNETES_VALIDATE: &str = "kubernetes-validate==1.37.0";
const PODMAN_COMPOSE: &str = "podman-compose==1.6.0";

/// Validates the manifests and the compose file.
pub fn validate_deploy_files() -> anyhow::Result<()> {
    ensure_python_tool("kubernetes-validate", KUBERNETES_VALIDATE)?;
    let manifests = project_root().join("deploy/kubernetes");
    let mut files: Vec<String> = std::fs::read_dir(&manifests)
        .with_context(|| format!("cannot read {}", manifests.display()))?
        .flatten()
        .map(|entry| entry.path().display().to_string())
        .filter(|path| path.ends_with(".yaml"))
        .collect();
    files.sort();
    let mut args = vec!["--strict", "--kubernetes-version", "1.30.0"];
    args.extend(files.iter().map(String::as_str));
    run_step(
        "validating deploy/kubernetes against Kubernetes 1.30's schemas",
        cmd("kubernetes-validate", &args),
    )?;

    let rules = project_root().join("deploy/prometheus/alerts.yaml").display().to_string();
    run_step(
        "checking deploy/prometheus/alerts.yaml with promtool",
        cmd("promtool", &["check", "rules", &rules]),
    )?;

    // podman-compose asks podman for its version before it reads anything.
    if !crate::tools::ensure_podman()? {
        println!("SKIPPED: reading deploy/compose.yaml (podman is not installed and cannot be here)");
        return Ok(());
    }
    ensure_python_tool("podman-compose", PODMAN_COMPOSE)?;
    // Its files beside it, as an operator fills them in.
    let scratch = crate::dist::shipped_dir().join("compose-check");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).context("cannot create the compose check's directory")?;
    for file in ["compose.yaml", "Caddyfile"] {
        std::fs::copy(project_root().join("deploy").join(file), scratch.join(file))
            .with_context(|| format!("cannot copy deploy/{file}"))?;
    }
    std::fs::copy(project_root().join("deploy/connect.env.example"), scratch.join("connect.env"))
        .context("cannot copy deploy/connect.env.example")?;
    std::fs::write(scratch.join("postgres_password.txt"), "example")
        .context("cannot write the password file")?;
    let mut config = cmd("podman-compose", &["--file", "compose.yaml", "config", "--quiet"]);
    config.current_dir(&scratch);
    run_step("reading deploy/compose.yaml with podman-compose", config)
}

/// A command-line tool from the Python package registry, installed with the machine's pip
/// where it is missing.
fn ensure_python_tool(program: &str, requirement: &str) -> anyhow::Result<()> {
    if output_line(program, &["--version"]).is_some() || output_line(program, &["--help"]).is_some() {
        return Ok(());
    }
    run_step(
        &format!("installing {requirement} from the Python package registry"),
        cmd("python3", &["-m", "pip", "install", "--quiet", requirement]),
    )
}

/// Builds the image (`cargo xtask dist`) and runs the image test against it; says so and goes
/// on where podman cannot be had.
pub fn test_image() -> anyhow::Result<()> {
    let dist = crate::dist::dist()?;
    let Some(image) = dist.image else {
        println!("SKIPPED: the image test (podman is not installed and cannot be here)");
        return Ok(());
    };
    let mut test = cmd(
        "cargo",
        &["test", "--locked", "--package", "codat-connect-proxy", "--test", "integration", "image::"],
    );
    test.env("CODAT_CONNECT_IMAGE", &image);
    run_step(&format!("running the image {image}: ready, serving, SIGTERM, data kept"), test)
}
