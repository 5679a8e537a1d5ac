//! Builds the web app with Trunk and reports what a user downloads.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::bootstrap::Tools;
use crate::{cmd, root, step};

/// `trunk build --release --offline` into dist/, then prints the brotli sizes.
pub fn build(tools: &Tools) -> anyhow::Result<PathBuf> {
    step("building the web app (trunk build --release)");
    cmd::run(tools.command("trunk").args(["build", "--release", "--offline"]).current_dir(root()))?;
    let dist = root().join("dist");
    report_sizes(&dist)?;
    Ok(dist)
}

fn report_sizes(dist: &Path) -> anyhow::Result<()> {
    let mut total_raw = 0;
    let mut total_brotli = 0;
    let mut files: Vec<PathBuf> = std::fs::read_dir(dist)
        .with_context(|| format!("cannot read {}", dist.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "wasm" || ext == "js"))
        .collect();
    files.sort();
    for file in files {
        let bytes = std::fs::read(&file)?;
        let compressed = brotli_len(&bytes)?;
        total_raw += bytes.len();
        total_brotli += compressed;
        println!(
            "    {:<48} {:>8.1} KiB, brotli {:>7.1} KiB",
            file.file_name().unwrap_or_default().to_string_lossy(),
            kib(bytes.len()),
            kib(compressed)
        );
    }
    println!("    web bundle (wasm + js): {:.1} KiB, brotli {:.1} KiB", kib(total_raw), kib(total_brotli));
    Ok(())
}

/// Compressed the way the server (and any CDN) would serve it: brotli, quality 11.
fn brotli_len(bytes: &[u8]) -> anyhow::Result<usize> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        writer.write_all(bytes)?;
    }
    Ok(out.len())
}

fn kib(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}
