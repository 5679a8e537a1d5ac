//! `cargo xtask test`: every test, then one closing line with the counts.

use std::io::{BufRead, BufReader};
use std::ops::AddAssign;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context};

use crate::bootstrap::{self, Tools, CHROMEDRIVER, CHROMIUM};
use crate::{built_binary, cmd, root, step, web_build};

#[derive(Default, Clone, Copy)]
struct Tally {
    passed: u64,
    failed: u64,
}

impl AddAssign for Tally {
    fn add_assign(&mut self, other: Self) {
        self.passed += other.passed;
        self.failed += other.failed;
    }
}

/// The outcome of one suite: its counts, and whether the runner itself succeeded
/// (a build error fails a suite without failing any test).
struct Suite {
    name: &'static str,
    tally: Tally,
    ok: bool,
}

/// The app's lints for the browser: code behind `cfg(target_arch = "wasm32")`
/// is only seen there.
const CLIPPY_WASM: [&str; 8] =
    ["clippy", "--package", "hanmadi", "--target", "wasm32-unknown-unknown", "--", "-D", "warnings"];

pub fn run() -> anyhow::Result<()> {
    let tools = bootstrap::web_tools()?;
    bootstrap::browser_tools(&tools)?;

    step("formatting (cargo fmt --check)");
    cmd::run(tools.command("cargo").args(["fmt", "--all", "--check"]).current_dir(root()))?;
    step("lints, native and wasm32 (cargo clippy -D warnings)");
    cmd::run(tools.command("cargo").args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    cmd::run(tools.command("cargo").args(CLIPPY_WASM))?;

    let mut suites = Vec::new();
    step("workspace tests (cargo test --workspace --no-fail-fast)");
    suites.push(counted(
        "workspace",
        tools.command("cargo").args(["test", "--workspace", "--no-fail-fast"]),
        parse_cargo_line,
    )?);

    // What the pass built, listed without building again: the server's test
    // binaries for the PostgreSQL pass, and the server the browser tests start.
    step("listing what the workspace tests built (cargo test --no-run)");
    let built = built_by_workspace_tests(&tools)
        .inspect_err(|error| {
            // The first pass did not build; its errors are above. The passes
            // that run what it built are left out, and the run fails.
            println!("{error:#}");
            suites.push(Suite { name: "build", tally: Tally::default(), ok: false });
        })
        .ok();

    if let Some(built) = &built {
        suites.extend(on_postgres(built)?);
    }

    step("the app's adapter tests in headless Chromium (wasm-bindgen-test)");
    let mut in_browser = tools.command("cargo");
    in_browser
        .args(["test", "--target", "wasm32-unknown-unknown", "--package", "hanmadi", "--no-fail-fast"])
        .env("CHROMEDRIVER", CHROMEDRIVER);
    suites.push(counted("wasm", &mut in_browser, parse_cargo_line)?);

    let over_budget = web_build::over_budget(&web_build::build(&tools)?)?;

    if let Some(built) = &built {
        step("browser tests (Playwright driving Debian's Chromium)");
        let mut e2e = browser_command(&tools, &built.server);
        // A story that hangs (a browser that will not close) fails after 10
        // minutes instead of holding the whole run; the longest takes about
        // one. Node holds each file to the same limit as a whole: the longest
        // file (attachments) takes about 2 minutes here, and went past 5 on a
        // machine loaded by its neighbours.
        e2e.args(["--test", "--test-reporter=tap", "--test-concurrency=1", "--test-timeout=600000"]);
        suites.push(counted("browser", &mut e2e, parse_tap_line)?);
    }

    let mut total = Tally::default();
    println!();
    for suite in &suites {
        let verdict = if suite.ok { "ok" } else { "FAILED" };
        println!(
            "    {:<10} {:>4} passed, {:>3} failed  {verdict}",
            suite.name, suite.tally.passed, suite.tally.failed
        );
        total += suite.tally;
    }
    println!("tests: {} passed, {} failed", total.passed, total.failed);
    if let Some(failed) = suites.iter().find(|suite| !suite.ok) {
        bail!("the {} suite failed", failed.name);
    }
    if let Some(size) = over_budget {
        bail!("the web bundle is {size:.1} KiB brotli, over its budget of {:.1} KiB", web_build::BUNDLE_BUDGET_KIB);
    }
    if total.passed == 0 {
        bail!("no test ran");
    }
    Ok(())
}

/// `node` in e2e/, with what the harness needs to start the given server
/// binary and Chromium.
pub fn browser_command(tools: &Tools, server: &Path) -> Command {
    let mut node = tools.command("node");
    node.current_dir(root().join("e2e"))
        .env("HANMADI_SERVER_BIN", server)
        .env("HANMADI_DIST", root().join("dist"))
        .env("HANMADI_ARTIFACTS", root().join("e2e/artifacts"))
        .env("CHROMIUM", CHROMIUM)
        .env("CHROMEDRIVER", CHROMEDRIVER);
    node
}

/// Where Debian's `fonts-noto-color-emoji` puts its font.
const EMOJI_FONT: &str = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf";

/// Retakes the README's screenshot (docs/screenshot.png) with the app as built now.
pub fn screenshot() -> anyhow::Result<()> {
    let tools = bootstrap::web_tools()?;
    bootstrap::browser_tools(&tools)?;
    web_build::build(&tools)?;
    cmd::run(tools.command("cargo").args(["build", "--package", "hanmadi-server"]).current_dir(root()))?;
    // The attach button is an emoji, which Debian's Chromium brings no font
    // for: without one the screenshot shows an empty box in its place.
    if !std::path::Path::new(EMOJI_FONT).exists() {
        step("installing an emoji font for the screenshot");
        bootstrap::apt_install(&["fonts-noto-color-emoji"])?;
    }
    step("taking docs/screenshot.png");
    cmd::run(
        browser_command(&tools, &built_binary("debug", "hanmadi-server"))
            .arg("screenshot.mjs")
            .arg(root().join("docs/screenshot.png")),
    )
}

/// The server's storage tests again, on a throwaway PostgreSQL (none if it
/// cannot be installed here), with the cluster tests the first pass ignores.
fn on_postgres(built: &WorkspaceTestBuild) -> anyhow::Result<Option<Suite>> {
    let Some(postgres) = crate::postgres::Postgres::start()? else {
        return Ok(None);
    };
    step("the server's storage tests again, on PostgreSQL");
    let mut suite = Suite { name: "postgres", tally: Tally::default(), ok: true };
    for binary in &built.server_suites {
        println!("     Running {}", binary.display());
        let mut run = Command::new(binary);
        // In the package's folder, as cargo runs its tests.
        run.arg("--include-ignored")
            .env("HANMADI_TEST_POSTGRES", &postgres.admin_url)
            .current_dir(root().join("server"));
        let outcome = counted("postgres", &mut run, parse_cargo_line)?;
        suite.tally += outcome.tally;
        suite.ok &= outcome.ok;
    }
    Ok(Some(suite))
}

/// What `cargo test --workspace` built that later passes run again.
struct WorkspaceTestBuild {
    /// The server's integration test binaries (its storage tests), sorted by
    /// their test's name.
    server_suites: Vec<PathBuf>,
    /// The server's own binary, as its integration tests start it (with its
    /// dev-dependencies' features too, such as tokio's `test-util`).
    server: PathBuf,
}

/// Asks cargo for what `cargo test --workspace` built, which it finds up to
/// date. Running those binaries, rather than asking cargo for a narrower
/// selection (`--test`, `--package`), matters: cargo unifies dependencies'
/// features over what is selected, so a narrower selection builds a second copy
/// of most dependencies (about four and a half minutes on a CI machine).
fn built_by_workspace_tests(tools: &Tools) -> anyhow::Result<WorkspaceTestBuild> {
    let mut list = tools.command("cargo");
    list.args(["test", "--workspace", "--no-run", "--message-format=json-render-diagnostics"]).current_dir(root());
    let shown = cmd::describe(&list);
    let output = list.stderr(Stdio::inherit()).output().with_context(|| format!("cannot start `{shown}`"))?;
    if !output.status.success() {
        bail!("`{shown}` failed ({})", output.status);
    }
    read_workspace_test_build(&output.stdout, &root().join("server/Cargo.toml"))
}

/// The server's test binaries and its own binary, out of cargo's JSON messages
/// (one per line) about the package whose manifest is `server_manifest`.
fn read_workspace_test_build(messages: &[u8], server_manifest: &Path) -> anyhow::Result<WorkspaceTestBuild> {
    let mut server_suites = Vec::new();
    let mut server = None;
    for line in messages.split(|&byte| byte == b'\n').filter(|line| !line.is_empty()) {
        let message: serde_json::Value =
            serde_json::from_slice(line).context("cargo printed a line that is not JSON")?;
        let (Some(executable), Some(manifest)) = (message["executable"].as_str(), message["manifest_path"].as_str())
        else {
            continue;
        };
        if Path::new(manifest) != server_manifest {
            continue;
        }
        let name = message["target"]["name"].as_str().unwrap_or_default();
        let is_test_build = message["profile"]["test"].as_bool() == Some(true);
        match (message["target"]["kind"][0].as_str(), is_test_build) {
            (Some("test"), _) => server_suites.push((name.to_owned(), PathBuf::from(executable))),
            (Some("bin"), false) if name == "hanmadi-server" => server = Some(PathBuf::from(executable)),
            _ => {}
        }
    }
    if server_suites.is_empty() {
        bail!("cargo test built none of the server's integration tests");
    }
    server_suites.sort();
    Ok(WorkspaceTestBuild {
        server_suites: server_suites.into_iter().map(|(_, path)| path).collect(),
        server: server.context("cargo test built no hanmadi-server binary")?,
    })
}

/// Runs a test runner, showing its output as it comes and counting results from it.
fn counted(name: &'static str, command: &mut Command, parse: fn(&str) -> Option<Tally>) -> anyhow::Result<Suite> {
    let shown = cmd::describe(command);
    let mut child = command.stdout(Stdio::piped()).spawn().with_context(|| format!("cannot start `{shown}`"))?;
    let mut tally = Tally::default();
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let line = line?;
        println!("{line}");
        if let Some(counts) = parse(&line) {
            tally += counts;
        }
    }
    let ok = child.wait()?.success();
    Ok(Suite { name, tally, ok })
}

/// `test result: ok. 12 passed; 0 failed; 0 ignored; …`
fn parse_cargo_line(line: &str) -> Option<Tally> {
    let rest = line.strip_prefix("test result: ")?;
    let count = |word: &str| -> Option<u64> {
        rest.split(';').find_map(|part| {
            let mut words = part.split_whitespace().rev();
            if words.next()? != word {
                return None;
            }
            words.next()?.parse().ok()
        })
    };
    Some(Tally { passed: count("passed")?, failed: count("failed")? })
}

/// TAP's closing comments: `# pass 3` and `# fail 0`.
fn parse_tap_line(line: &str) -> Option<Tally> {
    if let Some(n) = line.strip_prefix("# pass ") {
        return Some(Tally { passed: n.trim().parse().ok()?, failed: 0 });
    }
    let n = line.strip_prefix("# fail ")?;
    Some(Tally { passed: 0, failed: n.trim().parse().ok()? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargo_test_summaries() {
        let tally = parse_cargo_line(
            "test result: FAILED. 12 passed; 3 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s",
        )
        .unwrap();
        assert_eq!((tally.passed, tally.failed), (12, 3));
        assert!(parse_cargo_line("running 12 tests").is_none());
    }

    #[test]
    fn finds_the_server_suites_and_binary_among_cargos_messages() {
        let messages = br#"{"reason":"compiler-artifact","manifest_path":"/w/server/Cargo.toml","target":{"kind":["test"],"name":"search"},"profile":{"test":true},"executable":"/w/target/debug/deps/search-1"}
{"reason":"compiler-artifact","manifest_path":"/w/server/Cargo.toml","target":{"kind":["bin"],"name":"hanmadi-server"},"profile":{"test":true},"executable":"/w/target/debug/deps/hanmadi_server-2"}
{"reason":"compiler-artifact","manifest_path":"/w/server/Cargo.toml","target":{"kind":["lib"],"name":"hanmadi_server"},"profile":{"test":false},"executable":null}
{"reason":"compiler-artifact","manifest_path":"/w/crates/client-core/Cargo.toml","target":{"kind":["test"],"name":"simulation"},"profile":{"test":true},"executable":"/w/target/debug/deps/simulation-3"}
{"reason":"compiler-artifact","manifest_path":"/w/server/Cargo.toml","target":{"kind":["bin"],"name":"hanmadi-server"},"profile":{"test":false},"executable":"/w/target/debug/hanmadi-server"}
{"reason":"compiler-artifact","manifest_path":"/w/server/Cargo.toml","target":{"kind":["test"],"name":"chat"},"profile":{"test":true},"executable":"/w/target/debug/deps/chat-4"}
{"reason":"build-finished","success":true}
"#;
        let built = read_workspace_test_build(messages, Path::new("/w/server/Cargo.toml")).unwrap();
        assert_eq!(
            built.server_suites,
            [PathBuf::from("/w/target/debug/deps/chat-4"), PathBuf::from("/w/target/debug/deps/search-1")]
        );
        assert_eq!(built.server, PathBuf::from("/w/target/debug/hanmadi-server"));
        assert!(read_workspace_test_build(b"", Path::new("/w/server/Cargo.toml")).is_err());
    }

    #[test]
    fn reads_tap_summaries() {
        assert_eq!(parse_tap_line("# pass 4").map(|t| t.passed), Some(4));
        assert_eq!(parse_tap_line("# fail 1").map(|t| t.failed), Some(1));
        assert!(parse_tap_line("# tests 5").is_none());
    }
}
