//! The emulator's state: companies, connections, pull operations, the profile and the catalog.
//! In memory by default; with a state file, every change is written through so a restart keeps it.

use crate::{
    catalog::{self, Platform},
    sync::PullRecord,
};
use codat::{Company, Connection, ConnectionStatus, Profile};
use serde::{Deserialize, Serialize};
use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{Mutex, MutexGuard, PoisonError},
};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

/// Everything the emulator remembers, behind one lock: it is a test double, not a database.
#[derive(Debug)]
pub struct Store {
    inner: Mutex<Inner>,
    file: Option<PathBuf>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Inner {
    companies: Vec<Company>,
    connections: HashMap<String, Vec<Connection>>,
    pulls: HashMap<String, Vec<PullRecord>>,
    profile: Option<Profile>,
    /// Files uploaded per company (Codat's Files API).
    #[serde(default)]
    files: HashMap<String, Vec<UploadedFile>>,
    /// What each company's accounting platform says of the business now, where set
    /// (`/_emulator/companies/{id}/info`); else a default made from the company.
    #[serde(default)]
    platform_info: HashMap<String, CompanyInfo>,
    /// What each read of the `company` data type found, by the read's id.
    #[serde(default)]
    info_reads: HashMap<String, CompanyInfo>,
}

/// A business as its accounting platform names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyInfo {
    /// Its name.
    pub company_name: String,
    /// Its registration number.
    pub registration_number: String,
}

/// A file a company uploaded through a file upload connection.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UploadedFile {
    /// The name it was sent with.
    pub file_name: String,
    /// The kind of the file upload integration it came through.
    pub source_type: codat::SourceType,
    /// When it arrived (RFC 3339, UTC).
    pub uploaded: String,
    /// Its bytes.
    pub content: Vec<u8>,
}

impl Store {
    /// A store whose Link pages redirect to `redirect_url` until the profile changes; with
    /// `file`, loaded from it when it exists and written to on every change.
    pub fn new(redirect_url: String, file: Option<PathBuf>) -> Self {
        let mut inner: Inner = file
            .as_ref()
            .and_then(|path| std::fs::read(path).ok())
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        inner.profile.get_or_insert_with(|| Profile {
            name: "Codat emulator".into(),
            logo_url: None,
            icon_url: None,
            redirect_url,
            white_list_urls: Some(Vec::new()),
            confirm_company_name: Some(false),
            other: Default::default(),
        });
        Self { inner: Mutex::new(inner), file }
    }

    fn read(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `change` under the lock and writes the state file afterwards.
    fn write<T>(&self, change: impl FnOnce(&mut Inner) -> T) -> T {
        let mut inner = self.read();
        let result = change(&mut inner);
        if let Some(path) = &self.file {
            if let Err(error) = save(path, &inner) {
                tracing::warn!(path = %path.display(), %error, "emulator state not saved");
            }
        }
        result
    }

    /// Adds a company and returns it.
    pub fn insert_company(&self, company: Company) -> Company {
        self.write(|inner| {
            inner.connections.insert(company.id.clone(), Vec::new());
            inner.companies.push(company.clone());
        });
        company
    }

    /// All companies, oldest first, with their connections.
    pub fn companies(&self) -> Vec<Company> {
        let inner = self.read();
        inner.companies.iter().map(|c| with_connections(&inner, c)).collect()
    }

    /// One company with its connections.
    pub fn company(&self, company_id: &str) -> Option<Company> {
        let inner = self.read();
        inner.companies.iter().find(|c| c.id == company_id).map(|c| with_connections(&inner, c))
    }

    /// Applies `change` to a company and returns it updated.
    pub fn update_company(&self, company_id: &str, change: impl FnOnce(&mut Company)) -> Option<Company> {
        self.write(|inner| {
            let company = inner.companies.iter_mut().find(|c| c.id == company_id)?;
            change(company);
            let company = company.clone();
            Some(with_connections(inner, &company))
        })
    }

    /// Deletes a company with its connections and pulls; the deleted company, if it existed.
    pub fn delete_company(&self, company_id: &str) -> Option<Company> {
        self.write(|inner| {
            let index = inner.companies.iter().position(|c| c.id == company_id)?;
            let company = inner.companies.remove(index);
            inner.connections.remove(company_id);
            inner.pulls.remove(company_id);
            inner.files.remove(company_id);
            inner.platform_info.remove(company_id);
            Some(company)
        })
    }

    /// Adds a connection to a company; `None` when the company does not exist.
    pub fn insert_connection(&self, company_id: &str, connection: Connection) -> Option<Connection> {
        self.write(|inner| {
            inner.connections.get_mut(company_id)?.push(connection.clone());
            Some(connection)
        })
    }

    /// A company's connections; `None` when the company does not exist.
    pub fn connections(&self, company_id: &str) -> Option<Vec<Connection>> {
        self.read().connections.get(company_id).cloned()
    }

    /// Companies with at least one linked connection (Codat's "active" companies).
    pub fn active_company_count(&self) -> u64 {
        let inner = self.read();
        inner
            .connections
            .values()
            .filter(|connections| connections.iter().any(|c| c.status == codat::ConnectionStatus::Linked))
            .count() as u64
    }

    /// One connection of a company.
    pub fn connection(&self, company_id: &str, connection_id: &str) -> Option<Connection> {
        self.read().connections.get(company_id)?.iter().find(|c| c.id == connection_id).cloned()
    }

    /// Changes a connection's status and returns the updated connection.
    pub fn set_connection_status(
        &self,
        company_id: &str,
        connection_id: &str,
        status: ConnectionStatus,
    ) -> Option<Connection> {
        self.update_connection(company_id, connection_id, |connection| connection.status = status)
    }

    /// Applies `change` to a connection and returns the updated connection.
    pub fn update_connection(
        &self,
        company_id: &str,
        connection_id: &str,
        change: impl FnOnce(&mut Connection),
    ) -> Option<Connection> {
        self.write(|inner| {
            let connection =
                inner.connections.get_mut(company_id)?.iter_mut().find(|c| c.id == connection_id)?;
            change(connection);
            Some(connection.clone())
        })
    }

    /// Removes a connection; the removed connection, if it existed.
    pub fn delete_connection(&self, company_id: &str, connection_id: &str) -> Option<Connection> {
        self.write(|inner| {
            let list = inner.connections.get_mut(company_id)?;
            let index = list.iter().position(|c| c.id == connection_id)?;
            Some(list.remove(index))
        })
    }

    /// Records pull operations for a company; a read of the `company` data type finds what the
    /// platform says of the business now.
    pub fn insert_pulls(&self, company_id: &str, records: Vec<PullRecord>) {
        self.write(|inner| {
            let now = platform_info(inner, company_id);
            for record in records.iter().filter(|r| r.data_type == "company") {
                inner.info_reads.insert(record.id.clone(), now.clone());
            }
            inner.pulls.entry(company_id.to_owned()).or_default().extend(records)
        });
    }

    /// Sets what the company's accounting platform says of the business from now on (its next
    /// read of `company` finds it).
    pub fn set_platform_info(&self, company_id: &str, info: CompanyInfo) {
        self.write(|inner| inner.platform_info.insert(company_id.to_owned(), info));
    }

    /// What the latest read of `company` that had ended by `now_ms` found; `None` before any.
    pub fn company_info_read(&self, company_id: &str, now_ms: i64) -> Option<CompanyInfo> {
        let inner = self.read();
        let pulls = inner.pulls.get(company_id)?;
        let latest = pulls
            .iter()
            .filter(|p| p.data_type == "company" && p.supported && !p.fails && p.end_ms <= now_ms)
            .max_by_key(|p| p.end_ms)?;
        inner.info_reads.get(&latest.id).cloned()
    }

    /// A company's pull operations, oldest first.
    pub fn pulls(&self, company_id: &str) -> Vec<PullRecord> {
        self.read().pulls.get(company_id).cloned().unwrap_or_default()
    }

    /// Stores files a company uploaded.
    pub fn insert_files(&self, company_id: &str, files: Vec<UploadedFile>) {
        self.write(|inner| inner.files.entry(company_id.to_owned()).or_default().extend(files));
    }

    /// A company's uploaded files, oldest first.
    pub fn files(&self, company_id: &str) -> Vec<UploadedFile> {
        self.read().files.get(company_id).cloned().unwrap_or_default()
    }

    /// The client's profile.
    pub fn profile(&self) -> Profile {
        self.read().profile.clone().unwrap_or_else(|| Profile {
            name: String::new(),
            logo_url: None,
            icon_url: None,
            redirect_url: String::new(),
            white_list_urls: None,
            confirm_company_name: None,
            other: Default::default(),
        })
    }

    /// Replaces the client's profile.
    pub fn set_profile(&self, profile: Profile) -> Profile {
        self.write(|inner| inner.profile = Some(profile.clone()));
        profile
    }
}

/// What the platform says of the business now: as set, else made from the company (its
/// description, which names the business, else its name; and a registration number of eight
/// digits from its id).
fn platform_info(inner: &Inner, company_id: &str) -> CompanyInfo {
    if let Some(info) = inner.platform_info.get(company_id) {
        return info.clone();
    }
    let company = inner.companies.iter().find(|c| c.id == company_id);
    let described = company.and_then(|c| c.description.clone()).filter(|d| !d.trim().is_empty());
    let name = described.or_else(|| company.map(|c| c.name.clone())).unwrap_or_default();
    let digits: String = company_id.bytes().map(|b| char::from(b'0' + b % 10)).take(8).collect();
    CompanyInfo { company_name: name, registration_number: digits }
}

fn with_connections(inner: &Inner, company: &Company) -> Company {
    let mut company = company.clone();
    company.data_connections = inner.connections.get(&company.id).cloned().unwrap_or_default();
    company
}

/// Writes the state to a temporary file and renames it over the old one, so a crash mid-write
/// never leaves a torn file.
fn save(path: &std::path::Path, inner: &Inner) -> std::io::Result<()> {
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, serde_json::to_vec(inner)?)?;
    std::fs::rename(temporary, path)
}

/// The platforms the emulator offers, each enabled or not.
#[derive(Debug)]
pub struct Catalog {
    platforms: Mutex<Vec<Platform>>,
}

impl Catalog {
    /// The shipped platform list, all enabled but those in `disabled`, plus `synthetic` made-up
    /// ones.
    pub fn shipped(disabled: &[String], synthetic: usize) -> Self {
        let mut platforms = catalog::platforms();
        platforms.extend(catalog::synthetic(synthetic));
        for platform in &mut platforms {
            platform.enabled = !disabled.contains(&platform.key);
        }
        Self { platforms: Mutex::new(platforms) }
    }

    /// Every platform, in list order.
    pub fn all(&self) -> Vec<Platform> {
        self.platforms.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The platform with this key.
    pub fn get(&self, key: &str) -> Option<Platform> {
        self.platforms.lock().unwrap_or_else(PoisonError::into_inner).iter().find(|p| p.key == key).cloned()
    }

    /// The platform a connection is to, by its integration id (connections may leave out
    /// `integrationKey`).
    pub fn of_connection(&self, connection: &Connection) -> Option<Platform> {
        let platforms = self.platforms.lock().unwrap_or_else(PoisonError::into_inner);
        platforms.iter().find(|p| p.integration_id == connection.integration_id).cloned()
    }

    /// Enables or disables a platform; false when the key is unknown.
    pub fn set_enabled(&self, key: &str, enabled: bool) -> bool {
        let mut platforms = self.platforms.lock().unwrap_or_else(PoisonError::into_inner);
        match platforms.iter_mut().find(|p| p.key == key) {
            Some(platform) => {
                platform.enabled = enabled;
                true
            }
            None => false,
        }
    }
}

/// Now, in the ISO-8601 form Codat uses.
pub fn now() -> String {
    OffsetDateTime::now_utc().format(&Rfc3339).unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company(id: &str) -> Company {
        Company {
            id: id.into(),
            name: "m_1".into(),
            description: None,
            redirect: "https://x.test".into(),
            last_sync: None,
            created: None,
            created_by_user_name: None,
            products: Vec::new(),
            tags: Default::default(),
            data_connections: Vec::new(),
        }
    }

    #[test]
    fn a_state_file_keeps_companies_across_restarts() {
        let dir = std::env::temp_dir().join(format!("emulator-state-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("state.json");
        Store::new("https://r.test".into(), Some(file.clone())).insert_company(company("c1"));
        let reopened = Store::new("https://r.test".into(), Some(file));
        assert!(reopened.company("c1").is_some());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn deleting_a_company_removes_its_connections() {
        let store = Store::new("https://r.test".into(), None);
        store.insert_company(company("c1"));
        assert!(store.delete_company("c1").is_some());
        assert!(store.connections("c1").is_none());
        assert!(store.delete_company("c1").is_none());
    }
}
