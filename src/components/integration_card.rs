//! One platform in the integration grid: its logo, name and branded connect button.

use codat_connect_api::search::{split_at_span, Found};
use codat_connect_api::IntegrationCard as Card;
use leptos::prelude::*;

/// Where the grid's search found a card, read as the search changes: the alias that matched
/// (its place in the card's aliases, `None` for the name) and the characters of it that did.
#[derive(Debug, Clone, Copy)]
pub struct SearchMatch {
    /// The search's results, best first.
    pub results: Memo<Vec<Found>>,
    /// The card's place in the grid.
    pub card: usize,
}

impl SearchMatch {
    fn get(self) -> Option<(Option<usize>, (usize, usize))> {
        self.results.with(|all| {
            all.iter().find(|found| found.card == self.card).map(|found| (found.alias, found.span))
        })
    }
}

/// A card that starts connecting its platform when chosen. The platform's own button image
/// swaps to its hover image on hover and keyboard focus (pure CSS, so strict CSPs hold).
#[component]
pub fn IntegrationCard(
    /// The platform, with its logo and branded button images.
    card: Card,
    /// Called with the platform when the card is chosen.
    #[prop(into)]
    on_connect: Callback<crate::picker::Chosen>,
    /// True while any connection is being started, to prevent double starts.
    #[prop(into)]
    busy: Signal<bool>,
    /// True once the grid has been painted: the button images come then, out of the way of the
    /// first paint (each is one more image to decode on a slow phone).
    #[prop(into)]
    grid_painted: Signal<bool>,
    /// Among the first cards, in view at once: its images load at once rather than as they
    /// near the screen.
    eager: bool,
    /// How the search found it: the part of its name marked, or the alias that matched shown.
    matched: SearchMatch,
) -> impl IntoView {
    let key = card.platform_key.clone();
    let name = card.name.clone();
    let desktop_only = card.desktop_only;
    let m = crate::i18n::messages();
    // The name holds every word the card shows (its Beta badge too), for voice control.
    let label = if card.is_beta { m.connect_beta_platform } else { m.connect_platform };
    let label = crate::i18n::fill(label, &[("name", &card.name)]);
    // A platform most businesses failed at lately says so; its card still connects (try anyway),
    // and the name says what the card shows (label in name).
    let label = if card.degraded { format!("{label}. {}", m.platform_degraded) } else { label };
    let aliases = card.aliases.clone();
    let alias = move || {
        let (place, span) = matched.get()?;
        aliases.get(place?).map(|alias| (alias.clone(), span))
    };
    let alias_shown = alias.clone();
    // The alias shown is part of the card's name too (label in name; not in parentheses, which
    // assistive technology may leave out).
    let label = move || match alias_shown() {
        Some((alias, _)) => format!("{label}, {} {alias}", m.also_known_as),
        None => label.clone(),
    };
    let name_text = card.name.clone();
    let name_parts = move || {
        let span = matched.get().filter(|(place, _)| place.is_none()).map_or((0, 0), |(_, span)| span);
        split_at_span(&name_text, span)
    };
    let alias_parts = {
        let alias = alias.clone();
        move || alias().map_or_else(Default::default, |(text, span)| split_at_span(&text, span))
    };
    let (name_1, name_2, name_3) = (name_parts.clone(), name_parts.clone(), name_parts);
    let (alias_1, alias_2, alias_3) = (alias_parts.clone(), alias_parts.clone(), alias_parts);
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
                // The platform's button art (its default and hover images) comes just after
                // the grid's first paint: the logos and names paint first, without waiting for
                // a phone to rasterise a button image per card (the space is kept, so nothing
                // moves). The hover image is not lazy: shown only on hover, it would load then
                // and flash.
                <span class="brand-button">
                    {move || grid_painted.get().then(|| {
                        view! {
                            <img class="brand-button-default" alt="" height="36" loading=loading(&default) src=default.clone()/>
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
                on:click=move |_| on_connect.run(crate::picker::Chosen {
                    key: key.clone(),
                    name: name.clone(),
                    desktop_only,
                })
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
                // The part the search matched is marked; the other name it matched by, shown.
                <span class="integration-name">
                    {move || { let [before, _, _] = name_1(); before }}
                    <mark>{move || { let [_, part, _] = name_2(); part }}</mark>
                    {move || { let [_, _, after] = name_3(); after }}
                </span>
                // The space keeps the name and the alias apart as words (label in name).
                " "
                <span class="integration-alias" hidden=move || alias().is_none()>
                    {m.also_known_as}" "{move || { let [before, _, _] = alias_1(); before }}
                    <mark>{move || { let [_, part, _] = alias_2(); part }}</mark>
                    {move || { let [_, _, after] = alias_3(); after }}
                </span>
                // The space keeps "Workday Beta" two words for assistive technology (label in name).
                {card.is_beta.then(|| view! { " " <span class="beta-badge">{m.beta}</span> })}
                {card.degraded.then(|| view! { " " <span class="integration-health">{m.platform_degraded}</span> })}
            </button>
        </li>
    }
}
