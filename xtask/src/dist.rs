//! `cargo xtask dist`: what a lender deploys. A static x86_64 musl build of the server with
//! the web app inside it (`target/shipped/codat-connect-server`), and an OCI image built `FROM
//! scratch` from `deploy/Containerfile` with Debian's podman (`codat-connect:<version>`, also
//! saved as `target/shipped/codat-connect-<version>.oci.tar`).

use crate::{
    command::{cmd, output_line, project_root, run_step, target_dir},
    run::build_web_app,
    tools,
};
use anyhow::Context as _;
use std::path::PathBuf;

/// The static target: musl's libc is linked in, so the binary runs on any x86_64 Linux.
const MUSL_TARGET: &str = "x86_64-unknown-linux-musl";
/// The image's name (tagged with the server's version).
pub const IMAGE: &str = "codat-connect";

/// What `dist` made.
#[derive(Debug)]
pub struct Dist {
    /// The static binary.
    pub binary: PathBuf,
    /// The image's `name:tag`, when podman could build it.
    pub image: Option<String>,
    /// The image saved as an OCI archive, when it was built.
    pub archive: Option<PathBuf>,
}

/// Where `dist` puts what it made.
pub fn shipped_dir() -> PathBuf {
    target_dir().join("shipped")
}

/// Builds the web app, the static server and (where podman is, or can be installed) the image.
pub fn dist() -> anyhow::Result<Dist> {
    tools::ensure_build_tools()?;
    build_web_app()?;
    let binary = build_static_server()?;
    // Not `target/dist`: cargo keeps the `dist` profile's host build there.
    let out = shipped_dir();
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let shipped = out.join("codat-connect-server");
    std::fs::copy(&binary, &shipped)
        .with_context(|| format!("cannot copy the server to {}", shipped.display()))?;
    println!("the server, with the web app inside: {}", shipped.display());
    if !tools::ensure_podman()? {
        println!("no image: podman is not installed and cannot be here (install Debian's podman as root)");
        return Ok(Dist { binary: shipped, image: None, archive: None });
    }
    let (image, archive) = build_image(&shipped, &out)?;
    Ok(Dist { binary: shipped, image: Some(image), archive: Some(archive) })
}

/// `cargo build` of the server for musl, with musl-gcc for the C it carries (SQLite, ring).
fn build_static_server() -> anyhow::Result<PathBuf> {
    tools::ensure_musl()?;
    let mut build = cmd(
        "cargo",
        &[
            "build",
            "--locked",
            "--profile",
            "dist",
            "--target",
            MUSL_TARGET,
            "--package",
            "codat-connect-proxy",
            "--bin",
            "codat-connect-server",
        ],
    );
    build.env("CC_x86_64_unknown_linux_musl", "musl-gcc");
    run_step("building the static server (musl, with the web app embedded)", build)?;
    Ok(target_dir().join(MUSL_TARGET).join("dist").join("codat-connect-server"))
}

/// The image from `deploy/Containerfile`, built in a context holding only what it copies.
fn build_image(binary: &std::path::Path, out: &std::path::Path) -> anyhow::Result<(String, PathBuf)> {
    let context = out.join("image-context");
    let _ = std::fs::remove_dir_all(&context);
    for dir in ["data", "tmp"] {
        std::fs::create_dir_all(context.join(dir)).context("cannot create the image's context")?;
    }
    std::fs::copy(binary, context.join("codat-connect-server")).context("cannot stage the binary")?;
    std::fs::copy(project_root().join("deploy/Containerfile"), context.join("Containerfile"))
        .context("cannot stage deploy/Containerfile")?;
    let tag = format!("{IMAGE}:{}", server_version()?);
    let context_text = context.display().to_string();
    run_step(
        &format!("building the image {tag} (FROM scratch)"),
        cmd(
            "podman",
            &["--runtime", "runc", "build", "--tag", &tag, "--file", "Containerfile", &context_text],
        ),
    )?;
    let archive = out.join(format!("{IMAGE}-{}.oci.tar", server_version()?));
    let _ = std::fs::remove_file(&archive);
    let archive_text = archive.display().to_string();
    run_step(
        "saving the image as an OCI archive",
        cmd("podman", &["save", "--format", "oci-archive", "--output", &archive_text, &tag]),
    )?;
    println!("the image: {tag} (also {})", archive.display());
    Ok((tag, archive))
}

/// The server's version, from its Cargo.toml.
pub fn server_version() -> anyhow::Result<String> {
    let manifest = std::fs::read_to_string(project_root().join("crates/proxy/Cargo.toml"))
        .context("cannot read crates/proxy/Cargo.toml")?;
    manifest
        .lines()
        .find_map(|line| line.strip_prefix("version = \""))
        .map(|rest| rest.trim_end_matches('"').to_owned())
        .context("crates/proxy/Cargo.toml names no version")
}

/// The image's size as podman reports it, in bytes.
pub fn image_size(tag: &str) -> Option<u64> {
    output_line("podman", &["image", "inspect", "--format", "{{.Size}}", tag])?.parse().ok()
}
