//! One platform in the integration grid: its logo, name and branded connect button.

use crate::search::Found;
use codat_connect_api::IntegrationCard as Card;
use leptos::prelude::*;

/// `text` with the characters from `span`'s start to its end marked (`<mark>`), when the span
/// holds any.
fn marked(text: &str, span: Option<(usize, usize)>) -> impl IntoView {
    let chars: Vec<char> = text.chars().collect();
    match span.filter(|(start, end)| start < end && *end <= chars.len()) {
        Some((start, end)) => {
            let part = |from: usize, to: usize| chars[from..to].iter().collect::<String>();
            view! { {part(0, start)}<mark>{part(start, end)}</mark>{part(end, chars.len())} }.into_any()
        }
        None => text.to_owned().into_any(),
    }
}

/// A card that starts connecting its platform when chosen. The platform's own button image
/// swaps to its hover image on hover and keyboard focus (pure CSS, so strict CSPs hold).
#[component]
pub fn IntegrationCard(
    /// The platform, with its logo and branded button images.
    card: Card,
    /// Called with the platform's key and name when the card is chosen.
    #[prop(into)]
    on_connect: Callback<(String, String)>,
    /// True while any connection is being started, to prevent double starts.
    #[prop(into)]
    busy: Signal<bool>,
    /// True once the grid has been painted: the hover images come then, out of the way of the
    /// first paint (each is one more image to decode on a slow phone).
    #[prop(into)]
    hover_ready: Signal<bool>,
    /// Among the first cards, in view at once: its images load at once rather than as they
    /// near the screen.
    eager: bool,
    /// How the search found it: the part of its name marked, or the alias that matched shown.
    #[prop(into)]
    matched: Signal<Option<Found>>,
) -> impl IntoView {
    let key = card.platform_key.clone();
    let name = card.name.clone();
    let m = crate::i18n::messages();
    // The name holds every word the card shows (its Beta badge too), for voice control.
    let label = if card.is_beta { m.connect_beta_platform } else { m.connect_platform };
    let label = crate::i18n::fill(label, &[("name", &card.name)]);
    let aliases = card.aliases.clone();
    let alias =
        move || matched.get().and_then(|found| Some((aliases.get(found.alias?)?.clone(), found.span)));
    let alias_shown = alias.clone();
    // The alias shown is part of the card's name too (label in name).
    let label = move || match alias_shown() {
        Some((alias, _)) => format!("{label} ({} {alias})", m.also_known_as),
        None => label.clone(),
    };
    let name_text = card.name.clone();
    let name_span = move || matched.get().filter(|found| found.alias.is_none()).map(|found| found.span);
    // Most platforms have no connect button of their own: a plain one in the theme's colours
    // stands in (the card's accessible name already says what it does).
    // A card in view at first loads its images at once: lazy loading would wait for layout to
    // ask for them (a frame or more on a slow phone). Every other image, written into the
    // grid's answer or not, loads as it nears the screen: each is a document to parse and an
    // image to decode on the phone's one busy thread.
    let loading = move |src: &str| if eager || src.starts_with("data:") { "eager" } else { "lazy" };
    let button_images = match card.button_url.clone() {
        Some(default) => {
            let hover = card.button_hover_url.clone().unwrap_or_else(|| default.clone());
            view! {
                <span class="brand-button">
                    <img class="brand-button-default" alt="" height="36" loading=loading(&default) src=default/>
                    // Not lazy: shown only on hover, it would load then and flash. Until it is
                    // there, hovering keeps the default image (CSS).
                    {move || hover_ready.get().then(|| {
                        view! {
                            <img class="brand-button-hover" src=hover.clone() alt="" height="36" fetchpriority="low"/>
                        }
                    })}
                </span>
            }
            .into_any()
        }
        None => view! { <span class="plain-button" aria-hidden="true">{m.nav_connect}</span> }.into_any(),
    };
    view! {
        <li class="integration-card">
            <button
                type="button"
                class="integration-button"
                aria-label=label
                data-platform=card.platform_key.clone()
                disabled=move || busy.get()
                on:click=move |_| on_connect.run((key.clone(), name.clone()))
            >
                // First in the text, last on screen (CSS `order`): the card's words then read
                // "Connect Wave" as its name does (WCAG 2.5.3, label in name); the spaces keep
                // the words apart for assistive technology.
                {button_images}
                " "
                // `elementtiming`: the browser records when the logo was painted (`cargo xtask
                // bench`, and any real-user monitoring the lender runs).
                <img class="integration-logo" alt="" width="48" height="48" loading=loading(&card.logo_url) src=card.logo_url
                    elementtiming="cc-logo"/>
                <span class="integration-name">{move || marked(&name_text, name_span())}</span>
                {move || alias().map(|(alias, span)| view! {
                    <span class="integration-alias">{m.also_known_as}" "{marked(&alias, Some(span))}</span>
                })}
                // The space keeps "Workday Beta" two words for assistive technology (label in name).
                {card.is_beta.then(|| view! { " " <span class="beta-badge">{m.beta}</span> })}
            </button>
        </li>
    }
}
