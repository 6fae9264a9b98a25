//! `cargo xtask bench`: measures, side by side, the bundle the browser downloads and the proxy's
//! cost and speed, and writes BENCHMARKS.md. Only the budgets fail the command.

use crate::{
    command::{cmd, project_root},
    run::build_web_app,
    tools,
};
use std::io::Write as _;

/// Whole first-party bundle (wasm, JS, CSS), brotli-compressed, in bytes.
const BUNDLE_BUDGET_BROTLI: usize = 150 * 1024;

/// One file of the bundle with its sizes.
struct Sized {
    name: String,
    raw: usize,
    gzip: usize,
    brotli: usize,
}

/// Builds, measures, writes BENCHMARKS.md, and checks the budgets.
pub fn bench() -> Result<(), String> {
    tools::ensure_build_tools()?;
    build_web_app()?;
    let bundle = bundle_sizes()?;
    println!("\n==> proxy benchmarks (cargo bench, release)");
    let output = cmd("cargo", &["bench", "--locked", "-p", "codat-connect-proxy", "--bench", "flow"])
        .output()
        .map_err(|e| format!("cannot run the proxy benchmarks: {e}"))?;
    if !output.status.success() {
        return Err(format!("the proxy benchmarks failed:\n{}", String::from_utf8_lossy(&output.stderr)));
    }
    let measurements: Vec<(String, String, String)> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            Some((fields.next()?.to_owned(), fields.next()?.to_owned(), fields.next()?.to_owned()))
        })
        .collect();
    let report = render(&bundle, &measurements);
    std::fs::write(project_root().join("BENCHMARKS.md"), &report)
        .map_err(|e| format!("cannot write BENCHMARKS.md: {e}"))?;
    println!("{report}");
    let total_brotli: usize = bundle.iter().map(|f| f.brotli).sum();
    if total_brotli > BUNDLE_BUDGET_BROTLI {
        return Err(format!(
            "the bundle is {} KB brotli, over its budget of {} KB",
            total_brotli / 1024,
            BUNDLE_BUDGET_BROTLI / 1024
        ));
    }
    Ok(())
}

fn bundle_sizes() -> Result<Vec<Sized>, String> {
    let dist = project_root().join("dist");
    let mut files = Vec::new();
    for entry in
        std::fs::read_dir(&dist).map_err(|e| format!("cannot read {}: {e}", dist.display()))?.flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.ends_with(".wasm") || name.ends_with(".js") || name.ends_with(".css")) {
            continue;
        }
        let bytes = std::fs::read(entry.path()).map_err(|e| format!("cannot read {name}: {e}"))?;
        files.push(Sized { raw: bytes.len(), gzip: gzip(&bytes), brotli: brotli(&bytes), name });
    }
    files.sort_by_key(|f| std::cmp::Reverse(f.brotli));
    Ok(files)
}

fn gzip(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = encoder.write_all(bytes);
    encoder.finish().map(|out| out.len()).unwrap_or(0)
}

fn brotli(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, ..Default::default() };
    let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
    out.len()
}

fn render(bundle: &[Sized], measurements: &[(String, String, String)]) -> String {
    let kb = |n: usize| format!("{:.1}", n as f64 / 1024.0);
    let mut text = String::from("# Benchmarks\n\nWritten by `cargo xtask bench`; numbers from one run.\n\n");
    text.push_str(&format!("- date: {}\n- machine: {}\n- rustc: {}\n\n", today(), machine(), rustc()));
    text.push_str("## Bundle (first-party wasm, JS and CSS of a release build)\n\n| file | raw KB | gzip KB | brotli KB |\n| --- | ---: | ---: | ---: |\n");
    for file in bundle {
        text.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            file.name,
            kb(file.raw),
            kb(file.gzip),
            kb(file.brotli)
        ));
    }
    let sum = |f: fn(&Sized) -> usize| bundle.iter().map(f).sum::<usize>();
    text.push_str(&format!(
        "| **total** | {} | {} | **{}** (budget {}) |\n\n",
        kb(sum(|f| f.raw)),
        kb(sum(|f| f.gzip)),
        kb(sum(|f| f.brotli)),
        kb(BUNDLE_BUDGET_BROTLI)
    ));
    text.push_str("## Proxy (release build, against the emulator on loopback)\n\n| measurement | value | unit |\n| --- | ---: | --- |\n");
    for (name, value, unit) in measurements {
        text.push_str(&format!("| {name} | {value} | {unit} |\n"));
    }
    text.push_str(
        "\n`cN` is the number of concurrent clients. `forwarded` is `GET /api/connections` through the proxy \
         (session check, Codat call, mapping); its `added` rows subtract the same call made straight to the \
         emulator. `cached_grid` is `GET /api/integrations`, answered from the proxy's cache.\n",
    );
    text
}

fn today() -> String {
    cmd("date", &["-u", "+%Y-%m-%d"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpus} cores, {model}")
}

fn rustc() -> String {
    cmd("rustc", &["--version"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}
