//! Builds the web app with Trunk and reports what a user downloads.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use base64::Engine;
use sha2::{Digest, Sha384};

use crate::bootstrap::Tools;
use crate::{cmd, root, std_for_size, step};

/// The most the app may weigh, brotli-compressed (wasm + JS): `cargo xtask
/// test` fails above it, so the bundle never grows by accident. Lowered as the
/// bundle is cut; the aim is 120 KiB. Raised only for a feature, by what it
/// measured (December 2026): replies and links to messages, 208.9 → 219.0 KiB;
/// message search, 219.0 → 226.4 KiB; mentions (the "Mention" list, chips,
/// counts), 226.4 → 235.8 KiB; opening offline (what was last seen, kept and
/// shown again; the service worker's registration), 235.8 → 239.0 KiB;
/// attachments in the protocol the app decodes, 239.0 → 241.4 KiB; private
/// rooms, invites and direct messages in the protocol the app decodes and
/// words, 241.4 → 243.04 KiB; private rooms, invite links and direct messages
/// in the app ("Private", the invite links' panel, "Direct messages",
/// "Message", the invite page), 243.04 → 253.9 KiB, of which the invite links'
/// panel is 6.2; notifications for direct messages, 253.9 → 254.1 KiB;
/// attachments in the app (thumbnails and the image viewer, file cards, the
/// composer's chips with upload progress, paste and drop), 254.1 → 269.8 KiB;
/// files that wait offline (kept in IndexedDB through reloads, uploaded and
/// sent once when the connection is back, drawn while they wait), 269.8 →
/// 283.1 KiB, of which the waiting message's row is 2.8; then kept per
/// person and forgotten on sign-out, tried again while connected, taken from
/// the composer at once, and a session from before the files cookie
/// refreshed on opening, 283.1 → 284.7 KiB. Then cut: one copy of the
/// standard library's sort for all the app's sorting, 284.7 → 281.4 KiB; and
/// raised for the first screen's hand-over (a name typed before the app has
/// loaded, with its caret and a Continue already pressed), 281.4 → 282.3 KiB;
/// an upload given up when nothing moves for 20 s, 282.3 → 282.7 KiB; the
/// tabs taking turns to send files that waited (a Web Lock), and sending them
/// when the browser is back online, and review fixes, 282.7 → 283.4 KiB; the
/// first screen handed over between two syllables, never in the middle of
/// one (Korean input), 283.4 → 284.0 KiB (283.7 measured again before the
/// next step); search's older results ("Show older results", the focus taken
/// to the first of them), 283.7 → 285.7 KiB.
/// Then cut: every keyed list through one `<For>` over erased rows, 285.7 →
/// 273.9 KiB; `<Show>` through one `<When>`, boxed event handlers, the parts
/// of a view drawn anew boxed, the one-field form's handler a `Callback`, and
/// the engine's later inputs boxed, 273.9 → 262.4 KiB; effects and memos
/// boxed, 262.4 → 259.0 KiB. A time limit on every HTTP call, 259.2 → 258.6
/// KiB (measured after the review fixes). Then cut: the standard library
/// compiled with the app, for size, its panics aborting at once
/// (`std_for_size`), 258.6 → 237.5 KiB. Raised for a server's lasting refusal
/// of a waiting file kept with it (so no tab and no reload uploads it again),
/// each change to a waiting message read and written in one transaction, and
/// every tab told when the files waiting change, 237.5 → 240.6 KiB. Raised
/// for what a chat-app user tripped on (Send keeping the focus but for a
/// syllable being composed, an edit that cannot be saved saying why, a name
/// not taken worded in both languages by kind), 240.5 → 241.1 KiB. Raised
/// for "Delete this message?" asked before a deletion, and a rename whose
/// token had expired tried again with a renewed one, 241.1 → 242.0 KiB; for
/// drafts (what is typed and not sent kept per room, through a reload),
/// 242.0 → 242.7 KiB; for a review's fixes (a dialog closed with its room,
/// the page's shortcuts waiting while one is open, only a click begun beside
/// it closing it), 242.7 → 243.4 KiB; and a second review's (a draft that
/// cannot be kept forgotten rather than an older one brought back, nothing
/// dropped through a dialog), 243.4 → 243.9 KiB; a room's box in another
/// tab following its draft (a message sent in one is not left in the other
/// to be sent twice), 243.9 → 244.4 KiB. Raised for the message being
/// answered kept with its room's draft (through a reload, let go once it is
/// deleted) and "Delete this message?" going away once another tab deleted
/// it, 244.2 → 245.2 KiB; for what a user trying the app tripped on ("Sign
/// out?" asked, a guest's signing out being for good; the newest message held
/// in view as the list grows shorter, and an edit opened wholly in view; a
/// rename followed by the members panel and the conversation's name; nothing
/// before a joining, or seen arriving, marked new), 245.2 → 248.0 KiB; for
/// a phone showing the rooms or a room at a time, "Signing out…" (the page
/// out of reach meanwhile), only live events (not a reconnect's replay) read
/// without a line, and a rename kept in the members list, 248.0 → 248.8 KiB;
/// for quotes, search results and notifications read without formatting
/// marks, who reacted shown over a chip, "Jump to latest" counting only
/// others' messages, "← Rooms" going back through history, and the "New
/// messages" line moving up as older pages load, 248.8 → 250.6 KiB; for a
/// room with more unread than a page opened at its first unread message
/// (history loaded back to it) and the focus handed over on a touch screen,
/// 250.6 → 251.8 KiB; for the sign-in screen of an invite link saying where
/// it leads (with its review's fixes), 251.8 → 252.5 KiB. Then a mention
/// in code kept as typed in quotes and search (plain text from the parse
/// tree), a file let go beside the room refused, "Signing out…" said to a
/// screen reader and a double tap on "← Rooms" going back once, 252.5 →
/// 252.5 KiB; raised for a picture of an image in its composer chip (a
/// canvas), 252.5 → 253.6 KiB; for the notices ("Jun joined") carried by
/// history pages, 253.6 → 253.9 KiB; for a review's fixes (the chips keyed
/// by file, a picture decoded small and turned as taken, a link dragged
/// anywhere but a text field refused, a step back that never lands leaving
/// no link dead, a mention inside code mentioning no one), 253.9 → 254.1 KiB;
/// a second review's (notices paged by `complete`, none in a direct
/// conversation), 254.1 → 254.0 KiB; for the notices of a room opened
/// offline fetched again once the server answers, 254.0 → 254.4 KiB; for
/// the message box and the edit growing with their text in a browser without
/// `field-sizing` (Firefox), 254.4 → 255.2 KiB; for a direct conversation's
/// newest message under its name in the rooms list (as it stands: edited,
/// deleted, through a reload), 255.2 → 257.2 KiB; for the conversation
/// heard from last listed first, 257.2 → 257.5 KiB; for a review's fixes
/// (a Firefox field measured in a hidden copy, so the list keeps its newest
/// message in view, and again as the window's width changes; a
/// conversation's newest message from its pages too, cut to a line's
/// length, naming you as you are named), 257.5 → 258.6 KiB; for "typing…"
/// under a conversation's name while the other person types, 258.6 → 258.7
/// KiB; for a second review's fixes (the conversations held in the order
/// shown while the pointer or the focus is on the rooms, so no row moves
/// from under a click or takes the focus; a deletion that changes nothing
/// shown still made on a list fetched meanwhile; a Firefox field's copy as
/// wide as the field to a hundredth of a pixel), 258.7 → 260.1 KiB; for a
/// Firefox field fitted again whenever its width changes (one
/// `ResizeObserver` helper for it and the message list), 260.1 → 260.2 KiB;
/// for "Seen" under your newest message in a direct conversation once the
/// other person has read it, 260.2 → 260.5 KiB; for a review's fixes
/// ("Seen" inside the message for a screen reader, held in view at the
/// bottom) and a conversation's newest message cut between characters that
/// show as one, 260.5 → 261.1 KiB; for Alt+↑/↓ following the direct
/// conversations as the sidebar shows them while it holds them still,
/// 261.1 → 261.5 KiB; lowered after a review's fixes ("Seen" held in view
/// by the arrivals' own effect, one cut between characters for quotes and
/// conversations), 261.5 → 260.8 KiB; for the markup parse moved into
/// the protocol crate, so the server reads mentions with it (the same code,
/// laid out in another order: 31 bytes more before compression), 260.8 →
/// 261.0 KiB; for "Mark all as read" (a button keeping its place, heard
/// when pressed, and Shift+Escape) and a tab that joins hearing where each
/// room is read, 261.0 → 262.1 KiB; for a session the server ended: what it
/// had not sent (each tab's outbox, files waiting, drafts) kept as text and
/// shown above the first-run prompt in every tab to copy (Copy, Dismiss,
/// heard as it comes), sent under no one, and a refresh answered after
/// someone signed in again taken for nothing (kept as strings, not a
/// structure, which measured 2 KiB more), 262.1 → 267.1 KiB; for another
/// tab's `storage` event read by its key (not every draft keystroke a scan
/// of localStorage) and ↑ in an empty composer editing your newest message
/// (once the server has it, when pressed while it is being sent; never the
/// one before it), 267.1 → 268.3 KiB; lowered when a live message began
/// to wake only the rows it changes (each list keeps its rows' signals by
/// key; a message row drawn from its place, not the timeline), 268.3 →
/// 267.2 KiB; for a message shown once (its "Sending…" copy gone the moment
/// the room shows it), 267.2 → 268.1 KiB; for a public room looked into
/// before joining (its newest messages laid out as the room lays them out,
/// who is in it, "Join this room"), 268.1 → 272.2 KiB; for a review's
/// fixes (the page waits for the rooms list before deciding, replies quote
/// from the page fetched, a failed page can be fetched again), 272.2 →
/// 273.3 KiB; for three reviewed bugs (someone else signing in starts the
/// page over, a rooms list older than the one shown changes nothing, and a
/// page left before its rooms list came keeps what was last seen), 273.3 →
/// 273.7 KiB; for a review of those fixes (a room left on another screen,
/// or while the page was away, followed no more and loaded anew if she
/// comes back; a tab opened later told who she is), 273.7 → 273.8 KiB; for
/// a room's joins and leaves heard while its members are fetched, made again
/// on top of the list, 273.8 → 274.5 KiB; for history answers matched to
/// the range they answer, and a message sent while its files upload that
/// waits as a parcel if its room is left, 274.5 → 275.0 KiB; for a
/// connection that must prove itself before its outage ends, an unchanged
/// edit not sent, and unread counts corrected by deletions and edits heard
/// since the list, 275.0 → 275.5 KiB; for only a message sent from this
/// tab taking its message list to the latest, 275.5 → 275.7 KiB; for the
/// focus kept when a chip or "Jump to latest" goes, 275.7 → 275.8 KiB; for
/// the leading tab telling its followers when its connection is lost and
/// ready, and a follower's deletions kept through hand-overs, 275.8 → 276.1
/// KiB; for a last read's one rule in one place (what is news to her, a
/// fetch asked), 276.1 → 276.2 KiB; lowered when Retry, Delete and "Retry
/// now" began to hand the focus on (the badge's state word found by its
/// class rather than a typed node reference, and the dialogs' rule for the
/// composer's focus shared), 276.2 → 276.1 KiB; for her messages not sent
/// shown in a room's preview too (written for a room she left on another
/// screen), 276.1 → 276.3 KiB; for a review of those (the preview kept at
/// her rows as they change, read out as they do, without a quote's link),
/// 276.3 → 276.4 KiB; for protocol 8 (a room left on another device shown
/// as left once the resume says so, a leave's name), the focus handed on by
/// Retry and Delete on a touch screen, and a review's fix (the rooms list's
/// own "not hers" not made again on a newer list), 276.4 → 276.7 KiB: 276.53
/// measured, here and in a fresh clone; the same code with one closure
/// written another way measured 0.15 KiB more (the brotli figure moves with
/// the code's layout by that much), so the budget keeps that room; for
/// unread counts corrected on a rooms list that was on its way when a
/// message was deleted or edited (276.53 → 276.9 measured), and tabs that
/// share a socket only with tabs of their own protocol version, adopting an
/// older version's saved outbox once its leader is gone (→ 277.7
/// measured), 276.7 → 277.9 KiB; for a review's fixes to those (an
/// unreadable leader's copy kept aside, the corrections forgotten when the
/// last fetch ends), 277.9 → 278.0 KiB: 277.76 measured; for a message far
/// back loaded by a page of its own, not every page between, and read on
/// from there across the hole (the history held in stretches, pages after a
/// seq, "Loading later messages…"), 278.0 → 280.5 KiB: 279.9 measured; for
/// a link opened in a new tab fetching the page around its message beside
/// the room's newest page, not after a second copy of it (one round trip
/// less), 280.5 → 281.0 KiB: 280.6 measured; for a review's fixes to it
/// (the page read on from before the message, so a recent one joins the
/// newest page; not added where it would stand as the newest; a wait "Jump
/// to latest" ends) and a mention in the rooms list named once the room's
/// members are fetched, and a second review's fixes (the page kept for the
/// message it was fetched for, and only while awaited; the members fetched
/// once who is online is heard, again if it failed) and a third's (a
/// direct conversation's link not left waiting for notices it never holds;
/// a failed fetch asked again for sure), 281.0 → 281.2 KiB: 281.1, then
/// 280.9 measured; for "Show Seen" under your name (the setting, its words
/// in two languages, asking the server with the token retry the rename
/// had, "Seen" following a change made here or on another device), with
/// the dead `caught_up` field removed, 281.2 → 283.0 KiB: 283.0, then
/// 282.7 measured (once "Seen" hid while off, not forgotten and fetched
/// again), 282.8 with a second review's fixes (a change brought by a token
/// refresh told to the other tabs; a save sends only what its form changed),
/// 282.9 with the session carried in the note to the other tabs; for a new
/// name or settings told by the server to every tab and device, also as a
/// connection opens (the tabs' note and the refresh's hand-on gone, the
/// form's save and the frame one path), 282.9 → 282.8 measured; for a
/// review's fixes to it (a refresh answered after keeps the name told
/// meanwhile, never another person's session written, the name form sends
/// a name only if changed since it opened), 283.0 → 283.2 KiB: 282.97
/// measured, too close to the line for the brotli figure's drift with
/// layout; for a tab that keeps what the other tabs tell it while it does
/// not know yet whether it leads, 283.2 → 283.4 KiB: 283.16 measured; then
/// 283.35 with a review's fixes to it (no "leading" kept, at most 1,000
/// notes) and the connection badge first in the header (it grows without
/// moving the buttons after it), and 283.13 with a direct conversation's
/// first line ("your conversation with Jun"); for a conversation opened
/// here showing none of its notices once a rooms list says what it is
/// (they came before), 283.4 → 283.8 KiB: 283.6 measured; with that
/// conversation's first line reworded in Korean after a review (the same
/// length, the code laid out otherwise), 283.8 → 284.0 KiB: 283.86 measured;
/// 283.96 with a conversation's notices kept out by its timeline alone, the
/// composer quoting the message answered, and a conversation's header saying
/// whether the other person is online in place of a members panel; for
/// search results cut to a few lines from near their match and the rooms'
/// and the ticker's headings, 284.0 → 284.4 KiB: 284.28 measured; for a
/// phone's message buttons under the message tapped, scrolled into view,
/// 284.4 → 284.6 KiB: 284.44 measured; for a UX review's fixes on a phone
/// (a message unselected once she taps beside it, writes, answers or
/// edits; an edit ended hands the focus back without the keyboard),
/// 284.6 → 285.0 KiB: 284.79 measured.
pub const BUNDLE_BUDGET_KIB: f64 = 285.0;

/// What the web app is built from: a change to any of these rebuilds it
/// (`std_for_size` holds the standard library's build flags).
const INPUTS: &[&str] = &[
    ".cargo",
    "src",
    "style",
    "public",
    "crates",
    "index.html",
    "Trunk.toml",
    "Cargo.toml",
    "Cargo.lock",
    "xtask/src/std_for_size.rs",
];

/// `trunk build --release --offline` into dist/, then prints the brotli sizes.
/// Skipped when dist/ is this build's own and newer than every input:
/// wasm-opt alone takes tens of seconds, and a second `cargo xtask serve`
/// should start in seconds.
pub fn build(tools: &Tools) -> anyhow::Result<PathBuf> {
    let dist = root().join("dist");
    let stamp = root().join("target").join("web-build-stamp");
    if is_fresh(&dist) && built_here(&dist, &stamp) {
        step("the web app in dist/ is up to date");
    } else {
        step("building the web app (trunk build --release)");
        let mut trunk = tools.command("trunk");
        cmd::run(std_for_size::configure(&mut trunk).args(["build", "--release", "--offline"]).current_dir(root()))?;
        minify_js(tools, &dist)?;
        mark_built_here(&dist, &stamp)?;
    }
    precompress(&dist)?;
    report_sizes(&dist)?;
    Ok(dist)
}

/// Minifies wasm-bindgen's JS loader with terser (1.7 KiB less brotli) and puts
/// its new hash in index.html's `integrity` attribute, which the browser checks.
/// Trunk's own minifier fails on the loader (`export { … as default }`) and
/// leaves it as it is.
fn minify_js(tools: &Tools, dist: &Path) -> anyhow::Result<()> {
    step("minifying the JS loader (terser)");
    let index_path = dist.join("index.html");
    let mut index =
        std::fs::read_to_string(&index_path).with_context(|| format!("cannot read {}", index_path.display()))?;
    for js in bundle_files(dist)?.into_iter().filter(|path| path.extension().is_some_and(|ext| ext == "js")) {
        let before = integrity(&std::fs::read(&js)?);
        cmd::run(tools.command("terser").arg(&js).args(["--module", "--compress", "--mangle", "--output"]).arg(&js))?;
        let after = integrity(&std::fs::read(&js)?);
        if !index.contains(&before) {
            bail!("index.html has no integrity hash for {}", js.display());
        }
        index = index.replace(&before, &after);
    }
    std::fs::write(&index_path, index)?;
    Ok(())
}

/// A subresource-integrity value, as Trunk writes them.
fn integrity(bytes: &[u8]) -> String {
    format!("sha384-{}", base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes)))
}

/// Files the server sends compressed: it serves `x.br` / `x.gz` in place of
/// `x` to browsers that accept them, so nothing is compressed per request.
const COMPRESSED_KINDS: [&str; 5] = ["wasm", "js", "css", "html", "svg"];

/// Writes a brotli (quality 11) and a gzip (best) copy beside every file the
/// browser downloads. Done on every build, so no copy is ever older than its
/// original.
fn precompress(dist: &Path) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dist).with_context(|| format!("cannot read {}", dist.display()))? {
        let path = entry?.path();
        if !path.extension().is_some_and(|ext| COMPRESSED_KINDS.iter().any(|kind| ext == *kind)) {
            continue;
        }
        let bytes = std::fs::read(&path)?;
        std::fs::write(with_suffix(&path, "br"), brotli(&bytes)?)?;
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gzip.write_all(&bytes)?;
        std::fs::write(with_suffix(&path, "gz"), gzip.finish()?)?;
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// The built bundle's brotli size if it is over [`BUNDLE_BUDGET_KIB`].
pub fn over_budget(dist: &Path) -> anyhow::Result<Option<f64>> {
    let total: usize = bundle_files(dist)?
        .iter()
        .map(|file| std::fs::read(file).map_err(anyhow::Error::from).and_then(|bytes| Ok(brotli(&bytes)?.len())))
        .sum::<anyhow::Result<usize>>()?;
    Ok(Some(kib(total)).filter(|size| *size > BUNDLE_BUDGET_KIB))
}

/// The wasm and JavaScript a user downloads to open the app, by name.
fn bundle_files(dist: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dist)
        .with_context(|| format!("cannot read {}", dist.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "wasm" || ext == "js"))
        // The service worker is copied as it is, and is not part of what a
        // page loads to open.
        .filter(|path| path.file_name().is_some_and(|name| name != "sw.js"))
        .collect();
    files.sort();
    Ok(files)
}

/// Whether dist/ holds the app this build last wrote, by the hash of its
/// wasm and JS kept in `stamp`. A bare `trunk build` (or `trunk serve`)
/// writes a dist/ as new, but with the shipped standard library and the
/// loader not minified: bigger than what users get, so it would be served,
/// and measured, in error. index.html is left out: a deployment may set its
/// socket URL there (README.md), which needs no new build.
fn built_here(dist: &Path, stamp: &Path) -> bool {
    app_hash(dist).is_ok_and(|hash| std::fs::read_to_string(stamp).is_ok_and(|kept| kept == hash))
}

fn mark_built_here(dist: &Path, stamp: &Path) -> anyhow::Result<()> {
    if let Some(folder) = stamp.parent() {
        std::fs::create_dir_all(folder)?;
    }
    std::fs::write(stamp, app_hash(dist)?).with_context(|| format!("cannot write {}", stamp.display()))
}

fn app_hash(dist: &Path) -> anyhow::Result<String> {
    let mut hash = Sha384::new();
    for file in bundle_files(dist)? {
        hash.update(std::fs::read(&file)?);
    }
    Ok(base64::engine::general_purpose::STANDARD.encode(hash.finalize()))
}

fn is_fresh(dist: &Path) -> bool {
    let Some(built) = modified(&dist.join("index.html")) else { return false };
    INPUTS.iter().all(|input| newest(&root().join(input)).is_none_or(|changed| changed < built))
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest modification time of a file, or of any file below a folder.
fn newest(path: &Path) -> Option<std::time::SystemTime> {
    let here = modified(path);
    let below = std::fs::read_dir(path).into_iter().flatten().flatten().filter_map(|entry| {
        let path = entry.path();
        // Build output and installed packages are not inputs.
        let skip = path.file_name().is_some_and(|name| name == "target" || name == "node_modules" || name == "fuzz");
        (!skip).then(|| newest(&path)).flatten()
    });
    here.into_iter().chain(below).max()
}

fn report_sizes(dist: &Path) -> anyhow::Result<()> {
    let mut total_raw = 0;
    let mut total_brotli = 0;
    for file in bundle_files(dist)? {
        let bytes = std::fs::read(&file)?;
        let compressed = brotli(&bytes)?.len();
        total_raw += bytes.len();
        total_brotli += compressed;
        println!(
            "    {:<48} {:>8.1} KiB, brotli {:>7.1} KiB",
            file.file_name().unwrap_or_default().to_string_lossy(),
            kib(bytes.len()),
            kib(compressed)
        );
    }
    println!(
        "    web bundle (wasm + js): {:.1} KiB, brotli {:.1} KiB (budget {BUNDLE_BUDGET_KIB:.1} KiB)",
        kib(total_raw),
        kib(total_brotli)
    );
    Ok(())
}

/// Compressed the way the server sends it: brotli, quality 11.
pub fn brotli(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        writer.write_all(bytes)?;
    }
    Ok(out)
}

fn kib(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dist_written_by_something_else_is_not_taken_for_this_build() {
        let folder = tempfile::tempdir().unwrap();
        let (dist, stamp) = (folder.path(), folder.path().join("target/stamp"));
        std::fs::write(dist.join("app.js"), "export{a as default}").unwrap();
        std::fs::write(dist.join("app_bg.wasm"), "\0asm").unwrap();
        assert!(!built_here(dist, &stamp), "nothing built here yet");

        mark_built_here(dist, &stamp).unwrap();
        assert!(built_here(dist, &stamp));

        // Its socket URL set for a deployment: still this build.
        std::fs::write(dist.join("index.html"), "<meta name=hanmadi-socket-url content=wss://chat>").unwrap();
        assert!(built_here(dist, &stamp));

        // A bare `trunk build` over it, its loader not minified.
        std::fs::write(dist.join("app.js"), "export { a as default };").unwrap();
        assert!(!built_here(dist, &stamp));
    }
}
