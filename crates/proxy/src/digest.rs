//! The one digest the server takes: SHA-256, for what is stored of a secret, the consent
//! terms' version and image ETags.

/// The SHA-256 of `bytes` in lower-case hex: what is stored of a secret, and image ETags.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
