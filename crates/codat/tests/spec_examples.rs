//! Every example in Codat's published spec, for the schemas this crate models, parses into the
//! crate's types: the spec's own words are the test data (`spec/Codat-Platform.json`).

use codat::{
    Branding, Company, CompanyAccessToken, Connection, ConnectionWebhookPayload, DataStatus, DataStatuses,
    ErrorMessage, Integration, Page, Profile, PullOperation, ReadCompletedPayload, WebhookConsumer,
    WebhookConsumers, WebhookEvent,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

fn spec() -> Value {
    serde_json::from_str(include_str!("../spec/Codat-Platform.json")).expect("the spec is JSON")
}

fn parses<T: DeserializeOwned>(value: &Value) -> Result<(), String> {
    serde_json::from_value::<T>(value.clone()).map(drop).map_err(|e| e.to_string())
}

/// Parses a JSON value into one of the crate's models.
type Parser = fn(&Value) -> Result<(), String>;

/// The model for a schema, by the `$ref` the spec uses for it.
fn parser(schema_ref: &str) -> Option<Parser> {
    let name = schema_ref.strip_prefix("#/components/schemas/")?;
    Some(match name {
        "Company" => parses::<Company>,
        "Companies" => parses::<Page<Company>>,
        "Connection" => parses::<Connection>,
        "Connections" => parses::<Page<Connection>>,
        "Integration" => parses::<Integration>,
        "Integrations" => parses::<Page<Integration>>,
        "Branding" => parses::<Branding>,
        "DataStatus" => parses::<DataStatus>,
        "DataStatuses" => parses::<DataStatuses>,
        "PullOperation" => parses::<PullOperation>,
        "PullOperations" => parses::<Page<PullOperation>>,
        "Profile" => parses::<Profile>,
        "CompanyAccessToken" => parses::<CompanyAccessToken>,
        "ErrorMessage" => parses::<ErrorMessage>,
        "WebhookConsumer" => parses::<WebhookConsumer>,
        "WebhookConsumer/definitions/webhookConsumers" => parses::<WebhookConsumers>,
        "ConnectionWebhook" => parses::<WebhookEvent<ConnectionWebhookPayload>>,
        "ReadCompletedWebhook" => parses::<WebhookEvent<ReadCompletedPayload>>,
        _ => return None,
    })
}

/// Follows a `$ref` to a response or request body object.
fn resolve<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => spec.pointer(reference.trim_start_matches('#')).unwrap_or(value),
        None => value,
    }
}

/// `(where, schema $ref, example)` for every JSON example of a modelled schema.
fn examples(spec: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    let mut collect = |place: String, media: &Value| {
        let Some(schema_ref) = media.pointer("/schema/$ref").and_then(Value::as_str) else { return };
        if parser(schema_ref).is_none() {
            return;
        }
        let named = media.get("examples").and_then(Value::as_object).into_iter().flatten();
        for (name, example) in named {
            if let Some(value) = example.get("value") {
                found.push((format!("{place} «{name}»"), schema_ref.to_owned(), value.clone()));
            }
        }
        if let Some(value) = media.get("example") {
            found.push((place.clone(), schema_ref.to_owned(), value.clone()));
        }
    };
    for (path, operations) in spec["paths"].as_object().into_iter().flatten() {
        for (method, operation) in operations.as_object().into_iter().flatten() {
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                let media = &resolve(spec, response)["content"]["application/json"];
                collect(format!("{method} {path} {status}"), media);
            }
        }
    }
    for (event, hook) in spec["webhooks"].as_object().into_iter().flatten() {
        collect(
            format!("webhook {event}"),
            &resolve(spec, &hook["post"]["requestBody"])["content"]["application/json"],
        );
    }
    for (name, schema) in spec["components"]["schemas"].as_object().into_iter().flatten() {
        let schema_ref = format!("#/components/schemas/{name}");
        if parser(&schema_ref).is_some() {
            for (index, value) in schema["examples"].as_array().into_iter().flatten().enumerate() {
                found.push((format!("schema {name} example {index}"), schema_ref.clone(), value.clone()));
            }
        }
    }
    found
}

#[test]
fn every_example_of_a_modelled_schema_parses() {
    let spec = spec();
    let examples = examples(&spec);
    assert!(examples.len() >= 40, "only {} examples found: the walk over the spec is broken", examples.len());
    let failures: Vec<String> = examples
        .iter()
        .filter_map(|(place, schema_ref, value)| {
            parser(schema_ref)
                .and_then(|parse| parse(value).err())
                .map(|error| format!("{place} as {schema_ref}: {error}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} examples do not parse:\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n")
    );
}

#[test]
fn every_date_time_in_the_connection_examples_is_read() {
    let spec = spec();
    for (place, schema_ref, value) in examples(&spec) {
        if schema_ref.ends_with("/Connection") {
            let connection: Connection = serde_json::from_value(value).unwrap();
            assert!(codat::parse_date_time(&connection.created).is_some(), "{place}: {}", connection.created);
        }
    }
}
