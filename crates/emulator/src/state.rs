//! The emulator's in-memory state: companies, connections, the profile and the catalog.

use crate::catalog::{self, Platform};
use codat::{Company, Connection, ConnectionStatus, Profile};
use std::{collections::HashMap, sync::Mutex};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

/// Everything the emulator remembers. One lock: the emulator is a test double, not a database.
#[derive(Debug)]
pub struct Store {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    companies: Vec<Company>,
    connections: HashMap<String, Vec<Connection>>,
    profile: Profile,
}

impl Store {
    /// An empty store whose Link pages redirect to `redirect_url` until the profile changes.
    pub fn new(redirect_url: String) -> Self {
        Self {
            inner: Mutex::new(Inner {
                companies: Vec::new(),
                connections: HashMap::new(),
                profile: Profile {
                    name: "Codat emulator".into(),
                    logo_url: None,
                    icon_url: None,
                    redirect_url,
                    white_list_urls: Some(Vec::new()),
                    confirm_company_name: Some(false),
                },
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds a company and returns it.
    pub fn insert_company(&self, company: Company) -> Company {
        let mut inner = self.lock();
        inner.connections.insert(company.id.clone(), Vec::new());
        inner.companies.push(company.clone());
        company
    }

    /// All companies, oldest first, with their connections.
    pub fn companies(&self) -> Vec<Company> {
        let inner = self.lock();
        inner.companies.iter().map(|c| with_connections(&inner, c)).collect()
    }

    /// One company with its connections.
    pub fn company(&self, company_id: &str) -> Option<Company> {
        let inner = self.lock();
        inner.companies.iter().find(|c| c.id == company_id).map(|c| with_connections(&inner, c))
    }

    /// Adds a connection to a company; `None` when the company does not exist.
    pub fn insert_connection(&self, company_id: &str, connection: Connection) -> Option<Connection> {
        let mut inner = self.lock();
        let list = inner.connections.get_mut(company_id)?;
        list.push(connection.clone());
        Some(connection)
    }

    /// A company's connections; `None` when the company does not exist.
    pub fn connections(&self, company_id: &str) -> Option<Vec<Connection>> {
        self.lock().connections.get(company_id).cloned()
    }

    /// One connection of a company.
    pub fn connection(&self, company_id: &str, connection_id: &str) -> Option<Connection> {
        self.lock().connections.get(company_id)?.iter().find(|c| c.id == connection_id).cloned()
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
        let mut inner = self.lock();
        let connection = inner.connections.get_mut(company_id)?.iter_mut().find(|c| c.id == connection_id)?;
        change(connection);
        Some(connection.clone())
    }

    /// The client's profile.
    pub fn profile(&self) -> Profile {
        self.lock().profile.clone()
    }

    /// Replaces the client's profile.
    pub fn set_profile(&self, profile: Profile) -> Profile {
        self.lock().profile = profile.clone();
        profile
    }
}

fn with_connections(inner: &Inner, company: &Company) -> Company {
    let mut company = company.clone();
    company.data_connections = inner.connections.get(&company.id).cloned().unwrap_or_default();
    company
}

/// The platforms the emulator offers.
#[derive(Debug, Clone)]
pub struct Catalog {
    platforms: Vec<Platform>,
}

impl Catalog {
    /// The shipped platform list.
    pub fn shipped() -> Self {
        Self { platforms: catalog::platforms() }
    }

    /// Every platform, in list order.
    pub fn all(&self) -> &[Platform] {
        &self.platforms
    }

    /// The platform with this key.
    pub fn get(&self, key: &str) -> Option<&Platform> {
        self.platforms.iter().find(|p| p.key == key)
    }
}

/// Now, in the ISO-8601 form Codat uses.
pub fn now() -> String {
    OffsetDateTime::now_utc().format(&Rfc3339).unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}
