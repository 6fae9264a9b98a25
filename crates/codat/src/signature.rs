//! Webhook signatures as Codat's webhook service (Svix, "Standard Webhooks") makes them:
//! `v1,` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")), where the key is the base64
//! after the secret's `whsec_` prefix.

use base64::{engine::general_purpose::STANDARD, Engine as _};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Longest `webhook-signature` header read, in bytes.
pub const MAX_SIGNATURE_HEADER: usize = 1024;

/// Most entries read from a `webhook-signature` header.
pub const MAX_SIGNATURES: usize = 8;

/// A webhook signing secret (`whsec_...`). `Debug` never shows it.
#[derive(Clone)]
pub struct WebhookSecret {
    key: Vec<u8>,
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(****)")
    }
}

/// Why a secret could not be read.
#[derive(Debug, thiserror::Error)]
#[error("a webhook secret is `whsec_` followed by base64")]
pub struct BadSecret;

impl WebhookSecret {
    /// Reads a `whsec_...` secret (the prefix is optional, as in Svix's libraries).
    pub fn parse(text: &str) -> Result<Self, BadSecret> {
        let encoded = text.trim().strip_prefix("whsec_").unwrap_or(text.trim());
        let key = STANDARD.decode(encoded).map_err(|_| BadSecret)?;
        if key.is_empty() {
            return Err(BadSecret);
        }
        Ok(Self { key })
    }

    /// A new random secret, in its `whsec_` form.
    pub fn generate() -> String {
        let mut key = [0u8; 24];
        getrandom::fill(&mut key).expect("the operating system's random source is available");
        format!("whsec_{}", STANDARD.encode(key))
    }

    /// The `webhook-signature` header value for one message.
    pub fn sign(&self, message_id: &str, timestamp: i64, body: &[u8]) -> String {
        format!("v1,{}", STANDARD.encode(self.mac(message_id, timestamp, body).finalize().into_bytes()))
    }

    /// Whether any `v1,` entry of a (space-separated) signature header matches, compared in
    /// constant time. The body is hashed once, whatever the header holds; a header longer than
    /// [`MAX_SIGNATURE_HEADER`] or with more than [`MAX_SIGNATURES`] entries is refused before
    /// any hashing (Svix sends one entry per active secret: one, or two while a secret rotates).
    pub fn verify(&self, message_id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
        if header.len() > MAX_SIGNATURE_HEADER || header.split_whitespace().count() > MAX_SIGNATURES {
            return false;
        }
        // The state after the body; each candidate only finishes a copy of it.
        let hashed = self.mac(message_id, timestamp, body);
        header.split_whitespace().filter_map(|entry| entry.strip_prefix("v1,")).any(|signature| {
            STANDARD
                .decode(signature)
                .is_ok_and(|bytes| !bytes.is_empty() && hashed.clone().verify_slice(&bytes).is_ok())
        })
    }

    fn mac(&self, message_id: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(message_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    const BODY: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;

    #[test]
    fn signs_the_published_svix_test_vector() {
        let secret = WebhookSecret::parse(SECRET).unwrap();
        assert_eq!(secret.sign(ID, 1649367553, BODY), "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=");
    }

    #[test]
    fn verifies_any_matching_entry_and_nothing_else() {
        let secret = WebhookSecret::parse(SECRET).unwrap();
        let good = secret.sign(ID, 1649367553, BODY);
        assert!(secret.verify(ID, 1649367553, BODY, &format!("v1,bm9wZQ== {good}")));
        assert!(!secret.verify(ID, 1649367553, b"{}", &good));
        assert!(!secret.verify(ID, 1649367554, BODY, &good));
        assert!(!secret.verify(ID, 1649367553, BODY, "v1,"));
        assert!(!secret.verify(ID, 1649367553, BODY, ""));
    }

    #[test]
    fn a_header_with_too_many_entries_or_bytes_is_refused_even_with_a_good_one() {
        let secret = WebhookSecret::parse(SECRET).unwrap();
        let good = secret.sign(ID, 1649367553, BODY);
        let padded = |n: usize| format!("{} {good}", vec!["v1,bm9wZQ=="; n].join(" "));
        assert!(secret.verify(ID, 1649367553, BODY, &padded(MAX_SIGNATURES - 1)));
        assert!(!secret.verify(ID, 1649367553, BODY, &padded(MAX_SIGNATURES)));
        let long = format!("v1,{} {good}", "A".repeat(MAX_SIGNATURE_HEADER));
        assert!(!secret.verify(ID, 1649367553, BODY, &long));
    }

    #[test]
    fn a_generated_secret_round_trips() {
        let text = WebhookSecret::generate();
        assert!(text.starts_with("whsec_"));
        assert!(WebhookSecret::parse(&text).is_ok());
        assert!(WebhookSecret::parse("whsec_***").is_err());
    }
}
