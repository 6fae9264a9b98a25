//! Mounts the Codat Connect app on the page.

fn main() {
    console_error_panic_hook::set_once();
    // When the app began to run, for `cargo xtask bench`'s cold-load phases.
    if let Some(performance) = web_sys::window().and_then(|window| window.performance()) {
        let _ = performance.mark("cc-app-start");
    }
    codat_connect::embed::start();
    if codat_connect::embed::refused_reason().is_some() {
        leptos::mount::mount_to_body(codat_connect::pages::embed_refused::EmbedRefusedPage);
        return;
    }
    if codat_connect::popup::report_link_return() {
        // The Link popup's return page: its opener carries on; this window closes itself.
        leptos::mount::mount_to_body(codat_connect::popup::LinkWindowPage);
        return;
    }
    leptos::mount::mount_to_body(codat_connect::App);
}
