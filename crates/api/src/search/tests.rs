use super::{
    typos::{edit_distance, prefix_distance},
    *,
};
use std::collections::HashMap;

/// The emulator's catalogue (Codat's platforms and keys) of one kind, with the aliases the
/// server ships: each platform's name and aliases, in the grid's order.
fn catalogue(kind: &str) -> Vec<(String, Vec<String>)> {
    let aliases: HashMap<String, Vec<String>> =
        serde_json::from_str(include_str!("../../../proxy/data/platform_aliases.json")).unwrap();
    include_str!("../../../emulator/data/platforms.tsv")
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            (fields[2] == kind)
                .then(|| (fields[1].to_owned(), aliases.get(fields[0]).cloned().unwrap_or_default()))
        })
        .collect()
}

fn index(platforms: &[(String, Vec<String>)]) -> SearchIndex {
    SearchIndex::new(
        platforms.iter().map(|(name, aliases)| (name.as_str(), aliases.as_slice())),
        str::to_lowercase,
    )
}

/// What owners type, and the platform that must come first.
const FIRST_RESULTS: &[(&str, &str, &str)] = &[
    ("Accounting", "QBO", "QuickBooks Online"),
    ("Accounting", "qbd", "QuickBooks Desktop"),
    ("Accounting", "QB", "QuickBooks Online"),
    ("Accounting", "Quickbooks", "QuickBooks Online"),
    ("Accounting", "quikbooks onlin", "QuickBooks Online"),
    ("Accounting", "quickbooks desk", "QuickBooks Desktop"),
    ("Accounting", "quickbooks pro", "QuickBooks Desktop"),
    ("Accounting", "QuickBooks en ligne", "QuickBooks Online"),
    ("Accounting", "intuit", "QuickBooks Online"),
    ("Accounting", "Intacct", "Sage Intacct"),
    ("Accounting", "D365", "Dynamics 365 Business Central"),
    ("Accounting", "Business Central", "Dynamics 365 Business Central"),
    ("Accounting", "Navision", "Dynamics 365 Business Central"),
    ("Accounting", "navison", "Dynamics 365 Business Central"),
    ("Accounting", "dynamics ax", "Dynamics 365 Finance & Operations"),
    ("Accounting", "NetSuite", "Oracle NetSuite"),
    ("Accounting", "netsuit", "Oracle NetSuite"),
    ("Accounting", "ns", "Oracle NetSuite"),
    ("Accounting", "oracle", "Oracle NetSuite"),
    ("Accounting", "MYOB AccountRight", "MYOB Business"),
    ("Accounting", "Sage 50", "Sage 50 (UK)"),
    ("Accounting", "Sage 200", "Sage 200 Standard"),
    ("Accounting", "Sage one", "Sage Accounting"),
    ("Accounting", "sage comptabilite", "Sage Accounting"),
    ("Accounting", "Xero Practice", "Xero"),
    ("Accounting", "Xeor", "Xero"),
    ("Accounting", "XERO", "Xero"),
    ("Accounting", "  xero  ", "Xero"),
    ("Accounting", "free agent", "FreeAgent"),
    ("Accounting", "freshbook", "FreshBooks"),
    ("Accounting", "frshbooks", "FreshBooks"),
    ("Accounting", "exact", "Exact (Netherlands)"),
    ("Accounting", "exact uk", "Exact (UK)"),
    ("Accounting", "wave", "Wave"),
    ("Accounting", "workday", "Workday"),
    ("Accounting", "sandbox", "Sandbox"),
    ("Banking", "chase", "Plaid"),
    ("Banking", "schwab", "Plaid"),
    ("Banking", "desjardins", "Plaid"),
    ("Banking", "banque nationale", "Plaid"),
    ("Banking", "barclays", "TrueLayer"),
    ("Banking", "Societe Generale", "TrueLayer"),
    ("Banking", "revolt", "TrueLayer"),
    ("Banking", "plaid", "Plaid"),
    ("Commerce", "amazon", "Amazon Seller Central"),
    ("Commerce", "amz", "Amazon Seller Central"),
    ("Commerce", "shopfy", "Shopify"),
    ("Commerce", "strpe", "Stripe"),
    ("Commerce", "square pos", "Square"),
    ("Commerce", "lightspeed", "Lightspeed K"),
    ("Commerce", "big commerce", "BigCommerce"),
];

#[test]
fn the_likely_platform_comes_first_for_what_owners_type() {
    let mut wrong = Vec::new();
    for (kind, query, expected) in FIRST_RESULTS {
        let platforms = catalogue(kind);
        let first = index(&platforms).find(query).first().map(|found| platforms[found.card].0.clone());
        if first.as_deref() != Some(*expected) {
            wrong.push(format!("{query:?} ({kind}): {first:?}, not {expected:?}"));
        }
    }
    assert!(FIRST_RESULTS.len() >= 40);
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn a_blank_search_shows_every_card_in_order_and_nonsense_none() {
    let platforms = catalogue("Accounting");
    let all: Vec<usize> = index(&platforms).find("  ").iter().map(|found| found.card).collect();
    assert_eq!(all, (0..platforms.len()).collect::<Vec<_>>());
    assert_eq!(index(&platforms).find(""), every_card(platforms.len()));
    assert!(index(&platforms).find("zzqq").is_empty());
}

#[test]
fn the_part_that_matched_is_given_in_the_text_that_matched() {
    let platforms = vec![
        ("QuickBooks Online".to_owned(), vec!["QB".to_owned(), "QBO".to_owned()]),
        ("Sage Intacct".to_owned(), vec![]),
        ("TrueLayer".to_owned(), vec!["Société Générale".to_owned()]),
    ];
    let grid = index(&platforms);
    let found = &grid.find("quickb")[0];
    assert_eq!((found.closeness, found.alias, found.span), (Closeness::Start, None, (0, 6)));
    let found = &grid.find("qbo")[0];
    assert_eq!((found.closeness, found.alias, found.span), (Closeness::Whole, Some(1), (0, 3)));
    let found = &grid.find("intacct")[0];
    assert_eq!((found.closeness, found.span), (Closeness::WordStart, (5, 12)));
    let found = &grid.find("societe gen")[0];
    assert_eq!((found.closeness, found.alias, found.span), (Closeness::Start, Some(0), (0, 11)));
    let found = &grid.find("intact")[0];
    assert_eq!((found.closeness, found.span), (Closeness::Typos(1), (5, 12)));
}

#[test]
fn typos_are_forgiven_by_the_word_s_length_and_words_in_any_order() {
    let platforms = vec![("Xero".to_owned(), vec![]), ("QuickBooks Online".to_owned(), vec![])];
    let grid = index(&platforms);
    assert!(grid.find("xro").iter().any(|found| found.card == 0), "one typo in three letters");
    assert!(grid.find("xr").is_empty(), "none in two");
    assert_eq!(grid.find("online quickbooks")[0].closeness, Closeness::Typos(0));
    assert!(grid.find("quxckbxxks").is_empty(), "three typos in ten letters");
    let numbered = vec![("Test platform 0012".to_owned(), vec![]), ("Sage 200 Standard".to_owned(), vec![])];
    assert!(index(&numbered).find("test platform 008").is_empty(), "no typo in a number");
    assert!(index(&numbered).find("sage 20").iter().any(|found| found.card == 1));
    let books = vec![("FreshBooks".to_owned(), vec!["Fresh Books".to_owned()])];
    assert!(
        index(&books).find("qbo").is_empty(),
        "a short word is not the start of a longer one with a typo"
    );
}

#[test]
fn a_text_is_split_around_its_span_and_whole_when_the_span_does_not_fit() {
    assert_eq!(split_at_span("Société Générale", (0, 7)), ["", "Société", " Générale"].map(String::from));
    assert_eq!(split_at_span("Xero", (0, 0)), ["Xero", "", ""].map(String::from));
    assert_eq!(split_at_span("Xero", (2, 9)), ["Xero", "", ""].map(String::from));
}

#[test]
fn edits_count_a_swap_as_one() {
    let chars = |text: &str| text.chars().collect::<Vec<char>>();
    assert_eq!(edit_distance(&chars("xeor"), &chars("xero")), 1);
    assert_eq!(edit_distance(&chars("kitten"), &chars("sitting")), 3);
    assert_eq!(prefix_distance(&chars("onlin"), &chars("online")), 0);
}
