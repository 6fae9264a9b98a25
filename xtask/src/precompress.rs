//! Compressed copies of the built app, written once at build time beside each file
//! (`name.br`, brotli quality 11, and `name.gz`, gzip at its best), which the server sends to
//! browsers that accept them (`ServeDir`'s precompressed variants): nothing is compressed per
//! request.

use anyhow::Context as _;
use std::{io::Write as _, path::Path};

/// Files worth compressing: text and wasm, at least this large.
const COMPRESSIBLE: [&str; 6] = ["wasm", "js", "css", "svg", "json", "html"];
const SMALLEST: u64 = 512;

/// Writes `.br` and `.gz` beside every compressible file under `dir`, where they are smaller.
pub fn precompress(dir: &Path) -> anyhow::Result<usize> {
    let mut written = 0;
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            written += precompress(&path)?;
            continue;
        }
        let compressible =
            path.extension().and_then(|e| e.to_str()).is_some_and(|e| COMPRESSIBLE.contains(&e));
        if !compressible || entry.metadata().map_or(0, |m| m.len()) < SMALLEST {
            continue;
        }
        let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        for (extension, compressed) in [("br", brotli(&bytes)), ("gz", gzip(&bytes))] {
            if compressed.len() < bytes.len() {
                let mut target = path.clone().into_os_string();
                target.push(".");
                target.push(extension);
                std::fs::write(&target, compressed)
                    .with_context(|| format!("cannot write {}", Path::new(&target).display()))?;
                written += 1;
            }
        }
    }
    Ok(written)
}

/// `bytes` as gzip at its best compression.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// `bytes` as brotli at quality 11.
pub fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, ..Default::default() };
    let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
    out
}
