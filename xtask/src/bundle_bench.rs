//! `cargo xtask bench bundle`: where the web app's bytes go.
//!
//! The shipped wasm carries no names, so this optimises the same module again
//! the way Trunk does (wasm-bindgen, then wasm-opt with index.html's flags) but
//! keeping the name section, then reads every function's body size with
//! `wasmparser` and adds them up by crate, by module of the app, and by
//! function. Raw sizes point at the culprits; beside each crate's, the brotli
//! size of its bodies alone tells roughly what it costs users to download
//! (compressed apart, so the figures add up to a little more than the bundle).

use std::collections::HashMap;

use anyhow::Context;
use wasmparser::{KnownCustom, Name, Parser, Payload};

use crate::bootstrap::Tools;
use crate::{cmd, root, std_for_size, step, web_build};

/// How many rows each table prints.
const TOP: usize = 15;

pub fn run(tools: &Tools) -> anyhow::Result<()> {
    web_build::build(tools)?;
    // As Trunk builds it (index.html names the profile); nothing to do when
    // dist/ was just built, but another cargo build may have written over
    // that wasm since (with other flags) while dist/ stayed up to date.
    let mut cargo = tools.command("cargo");
    cmd::run(
        std_for_size::configure(&mut cargo)
            .args(["build", "--package", "hanmadi", "--target", "wasm32-unknown-unknown", "--profile", "wasm-release"])
            .current_dir(root()),
    )?;
    let built = root().join("target/wasm32-unknown-unknown/wasm-release/hanmadi.wasm");
    let work = tempfile::tempdir()?;
    step("optimising the app's wasm again, keeping its names");
    cmd::run(
        tools
            .command("wasm-bindgen")
            .args(["--target", "web", "--no-typescript", "--out-name", "app", "--out-dir"])
            .arg(work.path())
            .arg(&built),
    )?;
    let named = work.path().join("named.wasm");
    cmd::run(
        tools
            .command("wasm-opt")
            .args(wasm_opt_flags()?)
            .arg("--debuginfo")
            .arg(work.path().join("app_bg.wasm"))
            .arg("-o")
            .arg(&named),
    )?;
    let module = std::fs::read(&named)?;
    let functions = functions(&module)?;
    print_report(&module, &functions)?;
    Ok(())
}

/// wasm-opt's flags as index.html gives them to Trunk, so the module measured
/// here is the one shipped, names aside.
fn wasm_opt_flags() -> anyhow::Result<Vec<String>> {
    let html = std::fs::read_to_string(root().join("index.html"))?;
    let attribute = |name: &str| {
        let start = html.find(&format!("{name}=\"")).map(|at| at + name.len() + 2)?;
        let end = html[start..].find('"')?;
        Some(html[start..start + end].to_owned())
    };
    let level = attribute("data-wasm-opt").context("index.html sets data-wasm-opt")?;
    let mut flags = vec![format!("-O{level}")];
    flags.extend(attribute("data-wasm-opt-params").unwrap_or_default().split_whitespace().map(str::to_owned));
    Ok(flags)
}

/// One function of the module: its demangled name and where its body lies.
struct Function {
    name: String,
    body: std::ops::Range<usize>,
}

fn functions(module: &[u8]) -> anyhow::Result<Vec<Function>> {
    let mut imported = 0u32;
    let mut bodies = Vec::new();
    let mut names = HashMap::new();
    for payload in Parser::new(0).parse_all(module) {
        match payload? {
            Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    if matches!(import?.ty, wasmparser::TypeRef::Func(_)) {
                        imported += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(body.range()),
            Payload::CustomSection(section) => {
                if let KnownCustom::Name(reader) = section.as_known() {
                    for subsection in reader {
                        if let Name::Function(map) = subsection? {
                            for naming in map {
                                let naming = naming?;
                                names.insert(naming.index, readable(naming.name));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    anyhow::ensure!(!names.is_empty(), "the module has no function names to attribute its bytes to");
    Ok(bodies
        .into_iter()
        .zip(imported..)
        .map(|(body, index)| Function { name: names.remove(&index).unwrap_or_else(|| format!("#{index}")), body })
        .collect())
}

/// A function's name as the tables show it: demangled where wasm-bindgen left
/// it mangled, and without the disambiguators (`hanmadi[be141e71c637f28c]`)
/// of the v0 names the wasm build's compiler gives (see `std_for_size`), so
/// that a crate's functions group under its plain name.
fn readable(name: &str) -> String {
    let demangled = match rustc_demangle::try_demangle(name) {
        Ok(symbol) => format!("{symbol:#}"),
        Err(_) => name.to_owned(),
    };
    let mut shown = String::with_capacity(demangled.len());
    let mut rest = demangled.as_str();
    while let Some(open) = rest.find('[') {
        let inside = &rest[open + 1..];
        match inside.find(']') {
            Some(close) if close >= 8 && inside[..close].chars().all(|c| c.is_ascii_hexdigit()) => {
                shown.push_str(&rest[..open]);
                rest = &inside[close + 1..];
            }
            _ => {
                shown.push_str(&rest[..=open]);
                rest = inside;
            }
        }
    }
    shown.push_str(rest);
    shown
}

/// The crate a function's code belongs to: the first path in its name, so
/// `<tachys::… as core::…>::build` is tachys's and `hanmadi::app::…` the app's;
/// a blanket impl (`<T as tachys::…::IntoAny>::into_any`, `<_ as …>` in v0
/// names) is its trait's.
fn crate_of(name: &str) -> &str {
    let path = name.trim_start_matches(['<', '&', '*', ' ']).trim_start_matches("mut ").trim_start_matches("dyn ");
    let end = path.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(path.len());
    match &path[..end] {
        "" => "(other)",
        generic
            if (generic == "_" || generic.starts_with(|c: char| c.is_ascii_uppercase()))
                && path[end..].starts_with(" as ") =>
        {
            crate_of(&path[end + 4..])
        }
        name => name,
    }
}

/// The app's module a function is in (`hanmadi::components::composer`), or
/// None for code outside the app's own crates.
fn app_module_of(name: &str) -> Option<String> {
    let crate_name = crate_of(name);
    if !crate_name.starts_with("hanmadi") {
        return None;
    }
    let start = name.find(crate_name)?;
    let is_path = |segment: &&str| {
        !is_hash(segment) && segment.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    let segments: Vec<&str> = name[start..].split("::").take_while(is_path).take(3).collect();
    Some(segments.join("::"))
}

/// The `h0123456789abcdef` rustc appends to every symbol.
fn is_hash(segment: &str) -> bool {
    segment.len() == 17 && segment.starts_with('h') && segment[1..].chars().all(|c| c.is_ascii_hexdigit())
}

fn print_report(module: &[u8], functions: &[Function]) -> anyhow::Result<()> {
    let code: usize = functions.iter().map(|f| f.body.len()).sum();
    println!(
        "\nWhere the web app's bytes go ({} functions, {:.1} KiB of code in a {:.1} KiB module, raw)",
        functions.len(),
        kib(code),
        kib(module.len())
    );

    let mut by_crate: HashMap<&str, Vec<&Function>> = HashMap::new();
    for function in functions {
        by_crate.entry(crate_of(&function.name)).or_default().push(function);
    }
    let mut crates: Vec<(&str, usize, usize)> = Vec::new();
    for (name, members) in &by_crate {
        let bytes: Vec<u8> = members.iter().flat_map(|f| module[f.body.clone()].iter().copied()).collect();
        crates.push((name, bytes.len(), web_build::brotli(&bytes)?.len()));
    }
    crates.sort_by_key(|row| std::cmp::Reverse(row.1));
    println!("\n  by crate                          raw KiB   share   brotli KiB (alone)");
    for (name, raw, compressed) in crates.iter().take(TOP) {
        println!("    {name:<32}{:>8.1}{:>7.1}%{:>10.1}", kib(*raw), percent(*raw, code), kib(*compressed));
    }

    let mut by_module: HashMap<String, usize> = HashMap::new();
    for function in functions {
        if let Some(module) = app_module_of(&function.name) {
            *by_module.entry(module).or_default() += function.body.len();
        }
    }
    print_top("by module of the app (its own code; the views it builds count under tachys)", by_module, code);

    let largest: HashMap<String, usize> = functions.iter().map(|f| (f.name.clone(), f.body.len())).collect();
    print_top("largest functions", largest, code);
    Ok(())
}

fn print_top(title: &str, sizes: HashMap<String, usize>, code: usize) {
    let mut rows: Vec<(String, usize)> = sizes.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    println!("\n  {title}");
    for (name, raw) in rows.into_iter().take(TOP) {
        let shown: String = name.chars().take(100).collect();
        println!("    {:>7.1} KiB {:>5.1}%  {shown}", kib(raw), percent(raw, code));
    }
}

fn kib(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}

fn percent(part: usize, whole: usize) -> f64 {
    100.0 * part as f64 / whole.max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_shown_without_mangling_or_disambiguators() {
        assert_eq!(readable("hanmadi[be141e71c637f28c]::socket::adapter::settle"), "hanmadi::socket::adapter::settle");
        assert_eq!(
            readable("<alloc[2505b2eafb3ee1e2]::sync::Arc<[u8]> as core[27cd0353e63fa9bc]::ops::Drop>::drop"),
            "<alloc::sync::Arc<[u8]> as core::ops::Drop>::drop"
        );
        assert_eq!(
            readable("_RNvCs6zJfaFqfsIX_12wasm_bindgen19___wbindgen_describe"),
            "wasm_bindgen::__wbindgen_describe"
        );
        assert_eq!(crate_of(&readable("_RNvCs6zJfaFqfsIX_12wasm_bindgen19___wbindgen_describe")), "wasm_bindgen");
    }

    #[test]
    fn a_function_belongs_to_the_first_crate_in_its_name() {
        assert_eq!(crate_of("hanmadi::app::__component_app::h01"), "hanmadi");
        assert_eq!(crate_of("<tachys::view::X as core::ops::Drop>::drop"), "tachys");
        assert_eq!(crate_of("<&mut serde_json::Ser as serde::Serializer>::f"), "serde_json");
        assert_eq!(crate_of("core::ptr::drop_in_place<hanmadi::store::Store>"), "core");
        assert_eq!(crate_of("<T as tachys::view::any_view::IntoAny>::into_any"), "tachys");
        assert_eq!(crate_of("<_ as tachys::view::any_view::IntoAny>::into_any::rebuild::<u8>"), "tachys");
        assert_eq!(crate_of("#812"), "(other)");
    }

    #[test]
    fn the_app_s_functions_are_counted_by_module() {
        assert_eq!(
            app_module_of("hanmadi::components::composer::__component_composer::{{closure}}::h1").as_deref(),
            Some("hanmadi::components::composer")
        );
        assert_eq!(app_module_of("hanmadi::main::habcdefabcdefabcd").as_deref(), Some("hanmadi::main"));
        assert_eq!(
            app_module_of(
                "<hanmadi_client_core::outbox::PendingAction as hanmadi_protocol::json::FromJson>::from_json"
            )
            .as_deref(),
            Some("hanmadi_client_core::outbox")
        );
        assert_eq!(
            app_module_of("hanmadi::i18n::sentences::<impl hanmadi::i18n::Lang>::typing").as_deref(),
            Some("hanmadi::i18n::sentences")
        );
        assert_eq!(app_module_of("tachys::html::event::On<E,F>::attach"), None);
    }

    #[test]
    fn index_html_names_the_optimisation_level() {
        let flags = wasm_opt_flags().unwrap();
        assert!(flags[0].starts_with("-O"), "{flags:?}");
    }
}
