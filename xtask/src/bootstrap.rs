//! Installs the tools the build and the tests need, when they are missing, at the
//! versions this project pins. Each check is cheap, so a second run costs seconds.
//!
//! Facts behind the choices (see `docs/ARCHITECTURE.md`, "Toolchain"): Trunk 0.21.14 is the newest
//! that builds on rustc 1.95; wasm-bindgen-cli must equal Cargo.lock's
//! wasm-bindgen and is installed without `--locked` because one of its locked
//! dependencies is missing from the registry mirror; wasm-opt comes from the npm
//! package binaryen@132 because Debian's binaryen 108 breaks the module; browsers
//! come from Debian, never from a tool's own download.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};

use crate::cmd::{self, version_of};
use crate::{root, std_for_size, step};

pub const TRUNK_VERSION: &str = "0.21.14";
const WASM_OPT_VERSION: &str = "version_132";
/// As xtask/npm/package.json pins it.
const TERSER_VERSION: &str = "5.51.4";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The PATH under which the pinned tools are found first.
pub struct Tools {
    pub path: String,
}

impl Tools {
    pub fn new() -> Self {
        let cargo_bin = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
            .map(|home| home.join("bin"));
        let npm_bin = root().join("xtask/npm/node_modules/.bin");
        let mut dirs: Vec<PathBuf> = vec![npm_bin];
        dirs.extend(cargo_bin);
        dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
        let path = std::env::join_paths(dirs).expect("paths without separators").to_string_lossy().into_owned();
        Self { path }
    }

    /// A command that finds the pinned tools first.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.env("PATH", &self.path);
        command
    }
}

/// Everything needed to build the web app.
pub fn web_tools() -> anyhow::Result<Tools> {
    let tools = Tools::new();
    wasm_target()?;
    trunk(&tools)?;
    wasm_bindgen(&tools)?;
    npm_tools(&tools)?;
    step("fetching crates (the wasm build runs offline)");
    cmd::run(tools.command("cargo").args(["fetch", "--locked"]).current_dir(root()))?;
    std_for_size::prepare(&tools)?;
    Ok(tools)
}

/// Everything the browser tests need besides the web build.
pub fn browser_tools(tools: &Tools) -> anyhow::Result<()> {
    if !(Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists()) {
        step("installing Chromium and ChromeDriver from Debian");
        apt_install(&["chromium", "chromium-driver"])?;
    }
    npm_ci(tools, &root().join("e2e"))
}

fn wasm_target() -> anyhow::Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .context("rustup is needed to add the wasm32 target; install it from your distribution or rustup.rs")?;
    if !String::from_utf8_lossy(&installed.stdout).lines().any(|t| t == "wasm32-unknown-unknown") {
        step("adding the wasm32-unknown-unknown target");
        cmd::run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

fn trunk(tools: &Tools) -> anyhow::Result<()> {
    if version_of("trunk", &tools.path).as_deref() == Some(&format!("trunk {TRUNK_VERSION}")) {
        return Ok(());
    }
    step(&format!("installing Trunk {TRUNK_VERSION} (about 15 minutes on 2 cores, once)"));
    cmd::run(tools.command("cargo").args(["install", "--locked", &format!("trunk@{TRUNK_VERSION}")]))
}

fn wasm_bindgen(tools: &Tools) -> anyhow::Result<()> {
    let version = locked_wasm_bindgen_version()?;
    let pinned = trunk_toml_wasm_bindgen_version()?;
    if pinned != version {
        bail!("Trunk.toml pins wasm-bindgen {pinned} but Cargo.lock has {version}: make them equal");
    }
    if version_of("wasm-bindgen", &tools.path).as_deref() == Some(&format!("wasm-bindgen {version}")) {
        return Ok(());
    }
    step(&format!("installing wasm-bindgen-cli {version} (about 5 minutes, once)"));
    // Not --locked: one of its locked dependencies is missing from the registry mirror.
    cmd::run(tools.command("cargo").args(["install", "--force", &format!("wasm-bindgen-cli@{version}")]))
}

/// wasm-opt and terser, from xtask/npm.
fn npm_tools(tools: &Tools) -> anyhow::Result<()> {
    let wanted = format!("({WASM_OPT_VERSION})");
    let has_wasm_opt = version_of("wasm-opt", &tools.path).is_some_and(|v| v.ends_with(&wanted));
    let has_terser = version_of("terser", &tools.path).is_some_and(|v| v == format!("terser {TERSER_VERSION}"));
    if has_wasm_opt && has_terser {
        return Ok(());
    }
    npm_ci(tools, &root().join("xtask/npm"))
}

/// `npm ci` where `node_modules` is missing or older than the lockfile.
pub fn npm_ci(tools: &Tools, dir: &Path) -> anyhow::Result<()> {
    let modified = |path: PathBuf| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let installed = modified(dir.join("node_modules/.package-lock.json"));
    let locked = modified(dir.join("package-lock.json"));
    if installed.is_some() && installed >= locked {
        return Ok(());
    }
    if version_of("npm", &tools.path).is_none() {
        step("installing Node.js and npm from Debian");
        apt_install(&["nodejs", "npm"])?;
    }
    step(&format!("installing npm packages in {}", dir.strip_prefix(root()).unwrap_or(dir).display()));
    cmd::run(tools.command("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(dir))
}

pub fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

/// Installs Debian packages, or explains what to install when this is not a Debian
/// machine we may change.
pub fn apt_install(packages: &[&str]) -> anyhow::Result<()> {
    let has_apt = Path::new("/usr/bin/apt-get").exists();
    if !(is_root() && has_apt) {
        bail!(
            "missing prerequisites: please install the Debian packages {} (or your system's equivalent) \
             and run this again",
            packages.join(" ")
        );
    }
    cmd::run(Command::new("apt-get").arg("update").arg("-q"))?;
    cmd::run(
        Command::new("apt-get")
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// The wasm-bindgen version Cargo.lock resolved; the CLI must be exactly this one.
fn locked_wasm_bindgen_version() -> anyhow::Result<String> {
    let lock = read_toml("Cargo.lock")?;
    let packages = lock.get("package").and_then(toml::Value::as_array).context("Cargo.lock lists no packages")?;
    packages
        .iter()
        .find(|package| package.get("name").and_then(toml::Value::as_str) == Some("wasm-bindgen"))
        .and_then(|package| package.get("version")?.as_str())
        .map(str::to_owned)
        .context("Cargo.lock has no wasm-bindgen package")
}

fn trunk_toml_wasm_bindgen_version() -> anyhow::Result<String> {
    let trunk = read_toml("Trunk.toml")?;
    trunk
        .get("tools")
        .and_then(|tools| tools.get("wasm_bindgen")?.as_str())
        .map(str::to_owned)
        .context("Trunk.toml's [tools] must pin wasm_bindgen")
}

fn read_toml(file: &str) -> anyhow::Result<toml::Table> {
    let text = std::fs::read_to_string(root().join(file)).with_context(|| format!("cannot read {file}"))?;
    text.parse().with_context(|| format!("{file} is not valid TOML"))
}
