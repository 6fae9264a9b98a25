//! The names of the web app's strings a lender may override (`TEXT_OVERRIDES`), declared once:
//! [`with_message_keys!`] hands the list, with what each string is, to a macro of the caller's
//! (the web app's catalogue builds its `Messages` struct from it; [`MESSAGE_KEYS`] is its names).

/// Calls `$callback! { /// doc \n name, ... }` with every string of the web app's catalogue, in
/// order; the order is the index the server sends an override under.
#[macro_export]
macro_rules! with_message_keys {
    ($callback:ident) => {
        $callback! {
        /// Header link to skip to the main content.
            skip_to_content,
        /// Accessible name of the main navigation.
            navigation,
        /// Navigation: the picker.
            nav_connect,
        /// Navigation: the connections.
            nav_connections,
        /// The badge's alternative text.
            powered_by,
        /// Title of the sign-up page.
            title_sign_up,
        /// Title of the picker.
            title_connect,
        /// Title of the return page.
            title_callback,
        /// Title of the connections page.
            title_connections,
        /// Title and heading of the not-found page.
            not_found,
        /// Text of the not-found page.
            not_found_text,
        /// Link back from the not-found page.
            go_to_platforms,
        /// Sign-up heading.
            sign_up_heading,
        /// Sign-up introduction.
            sign_up_lead,
        /// Label of the sign-up form's business name field.
            business_name,
        /// Label of the sign-up form's work email field.
            work_email,
        /// Submit button.
            continue_label,
        /// Submit button while waiting.
            setting_up,
        /// Generic loading status.
            loading,
        /// Greeting for a signed-in visitor; `{name}`.
            welcome_back,
        /// Picker introduction.
            picker_lead,
        /// Accessible name of the tabs.
            kind_of_platform,
        /// Label of the accounting tab.
            tab_accounting,
        /// Label of the banking tab.
            tab_banking,
        /// Label of the commerce tab.
            tab_commerce,
        /// Heading of the accounting tab.
            heading_accounting,
        /// Heading of the banking tab.
            heading_banking,
        /// Heading of the commerce tab.
            heading_commerce,
        /// Search box placeholder and name.
            search_platforms,
        /// Before the other name of a platform the search found it by ("Also known as QBO").
            also_known_as,
        /// Status while the Link page opens.
            opening_sign_in,
        /// Status while the grid loads.
            loading_platforms,
        /// Empty grid.
            no_platforms,
        /// Search without results; `{text}`.
            no_match,
        /// A card's accessible name; `{name}`.
            connect_platform,
        /// A beta platform's card, named with the badge it shows (WCAG 2.5.3, label in name).
            connect_beta_platform,
        /// Badge on beta platforms.
            beta,
        /// On a platform's card when most businesses' recent attempts at it failed (the card
        /// still starts a connection: the owner may try anyway).
            platform_degraded,
        /// On a phone, before consent to a platform that connects only from its own computer;
        /// `{platform}`.
            desktop_only_note,
        /// The button that makes a one-time link to continue on that computer.
            continue_on_computer,
        /// Above the link, once made.
            continue_link_ready,
        /// "Someone else handles your books?" summary, under the grid.
            handoff,
        /// What it offers.
            handoff_text,
        /// The field for the person's name.
            handoff_person,
        /// The field for a note to them.
            handoff_note,
        /// The button that makes their link.
            handoff_send,
        /// Above their link, once made.
            handoff_ready,
        /// In the consent step, for a platform the business started connecting; `{platform}`.
            consent_continues,
        /// In the consent step, for a platform that lost its access; `{platform}`.
            consent_reconnects,
        /// In the consent step, for a platform linked already (a bank: another account);
        /// `{platform}`.
            consent_another,
        /// On a linked accounting platform whose business changed since it was read before;
        /// `{now}`, `{was}`.
            company_changed,
        /// "No software for this? Send documents instead" summary, where the lender takes them.
            documents,
        /// What to send, and the limits.
            documents_text,
        /// The file chooser's label (files may be dropped on the section too).
            documents_choose,
        /// The progress bar's label while one is sent; `{name}`.
            documents_sending,
        /// A file refused before sending, by its type; `{name}`.
            documents_wrong_type,
        /// A file refused before sending, empty or too large; `{name}`.
            documents_wrong_size,
        /// The list of what was sent.
            documents_sent,
        /// "I'll do this later" summary, while a required kind is missing (also the reason
        /// "I'll do it later").
            later,
        /// Its optional question.
            later_why,
        /// The question's first choice: no answer.
            later_unsaid,
        /// A reason: none of the platforms is theirs.
            later_not_mine,
        /// A reason: they do not have the login.
            later_no_login,
        /// A reason: they are not comfortable sharing.
            later_not_comfortable,
        /// A reason: something else.
            later_other,
        /// The field for their own words.
            later_words,
        /// The button that leaves (with or without an answer).
            later_leave,
        /// Said once they left where there is no lender's page to go back to.
            later_thanks,

        /// The existing accounting platform; `{name}`.
            accounting_connected,
        /// Link to manage it.
            manage,
        /// "Can't find your platform?" summary.
            cant_find,
        /// Its explanation.
            cant_find_text,
        /// Its question: which software the owner uses.
            cant_find_ask,
        /// Its button, sending the answer to the lender.
            cant_find_send,
        /// Said once the answer is sent.
            cant_find_thanks,
        /// Notice without a session.
            start_here,
        /// Link to sign up.
            sign_up,
        /// Retry button.
            try_again,
        /// Return page: checking; `{platform}`.
            checking_connection,
        /// Fallback platform name.
            your_platform,
        /// Return page: connected; `{platform}`.
            platform_connected,
        /// Return page: thanks.
            connected_thanks,
        /// Return page: not finished; `{platform}`.
            not_finished_heading,
        /// Its explanation.
            not_finished_text,
        /// Confirmation failed; `{platform}`.
            could_not_confirm,
        /// Next step: the connections.
            view_connections,
        /// Next step: another platform.
            choose_another,
        /// Outcome 201; `{platform}`.
            nothing_changed,
        /// Its explanation.
            nothing_changed_text,
        /// Outcome 403; `{platform}`.
            cancelled,
        /// Its explanation.
            cancelled_text,
        /// Outcome 500; `{platform}`.
            failed,
        /// With Codat's message; `{message}`.
            failed_with_message,
        /// Without a message.
            failed_text,
        /// Outcome 501; `{platform}`.
            not_supported,
        /// Its explanation.
            not_supported_text,
        /// Unknown outcome.
            unknown_outcome,
        /// Its explanation; `{status}`, `{detail}`.
            unknown_outcome_text,
        /// Sync heading while reading.
            reading_your_data,
        /// Sync heading when done.
            all_set,
        /// The first sync finished, but some data types could not be read.
            sync_needs_attention,
        /// What to do when some data types could not be read.
            sync_failed_next_step,
        /// Button: read the data again.
            read_again,
        /// Status while the sync status loads.
            checking_progress,
        /// Summary before any data type.
            sync_starting,
        /// Summary when all read.
            sync_done,
        /// Summary with failures; `{failed}`.
            sync_done_with_failures,
        /// Summary while reading; `{done}`, `{total}`.
            sync_progress,
        /// Data type states.
            state_waiting,
        /// State: reading.
            state_reading,
        /// State: done.
            state_done,
        /// State: failed.
            state_failed,
        /// State: not available.
            state_not_available,
        /// Connection statuses.
            status_connected,
        /// Status: pending.
            status_not_finished,
        /// Status: unlinked.
            status_disconnected,
        /// Status: deauthorized.
            status_needs_reconnecting,
        /// Status: unknown.
            status_unknown,
        /// Connections page introduction.
            connections_lead,
        /// Loading status.
            loading_connections,
        /// Empty list.
            no_connections,
        /// Link to the picker.
            connect_a_platform,
        /// Link to add more.
            connect_another,
        /// Row dates; `{created}`, `{last_sync}`.
            connection_dates,
        /// No sync yet.
            not_yet,
        /// Action on a pending connection.
            finish_connecting,
        /// Action on a disconnected one.
            reconnect,
        /// Action: unlink.
            disconnect,
        /// Action: delete.
            remove,
        /// Dialog title; `{platform}`.
            disconnect_title,
        /// Dialog text.
            disconnect_text,
        /// Dialog title; `{platform}`.
            remove_title,
        /// Dialog text.
            remove_text,
        /// Dialog confirm label.
            remove_confirm,
        /// Dialog cancel label.
            cancel,
        /// Unreadable answer.
            error_bad_answer,
        /// Error status; `{status}`.
            error_status,
        /// Network failure.
            error_unreachable,
        /// Shows the next cards of a long grid; `{count}` more match.
            show_more_platforms,
        /// Embedded: the button that closes the app.
            close,
        /// Standalone: the header's button that ends the session.
            sign_out,
        /// Embedded: the button that ends the flow after a success.
            done,
        /// Embedded, instead of "Done" while a required kind is missing; `{kinds}`.
            finish_needs,
        /// The lender's checklist, for screen readers.
            checklist_label,
        /// Checklist: a kind the lender requires, not yet connected.
            required,
        /// Checklist: an optional kind, not yet connected.
            optional_skip,
        /// A lender's link that was already used or expired.
            link_used,
        /// Consent dialog title; `{platform}`.
            consent_title,
        /// Consent: before the data types; `{platform}`.
            consent_reads,
        /// Consent: how much history; `{months}`.
            consent_history,
        /// Consent: heading of the lender's purpose.
            consent_why,
        /// Consent: heading of the period.
            consent_how_long,
        /// Consent: the lender's terms.
            consent_terms,
        /// Consent: the lender's privacy notice.
            consent_privacy,
        /// Consent: back to the grid.
            consent_decline,
        /// Consent: agree and open Link.
            consent_agree,
        /// A connection's consent receipt; `{date}`, `{count}`, `{version}`.
            receipt_given,
        /// The receipt when someone the owner handed the linking to agreed; `{person}` too.
            receipt_given_by,
        /// A connection lost its access; `{platform}`.
            attention_reauth,
        /// Some data could not be read.
            attention_reads_failed,
        /// Embedded: while the owner signs in in the popup; `{name}`.
            finish_in_window,
        /// Embedded: the popup was blocked.
            window_blocked,
        /// Embedded: opens the popup after it was blocked.
            open_sign_in_window,
        /// Embedded: the popup was closed before the owner finished.
            window_closed,
        /// In the popup, once its report is sent.
            you_can_close,
        /// Embedded: the host page's options were refused.
            embed_refused,
        /// Embedded: the session token has expired or is unknown.
            session_ended,
        }
    };
}

/// The names of a list given by [`with_message_keys!`], as a constant.
macro_rules! names_of {
    ($( $(#[$meta:meta])* $name:ident, )*) => {
        /// The name of every string of the web app's catalogue a lender may override
        /// (`TEXT_OVERRIDES`), in the order the server numbers them.
        pub const MESSAGE_KEYS: &[&str] = &[$(stringify!($name)),*];
    };
}

crate::with_message_keys!(names_of);
