//! What happens after a change: `connection.*` events, and reads that progress over time and
//! end with `read.completed.initial` (or `read.completed`).

use crate::{sync, sync::PullRecord, Emulator};
use codat::{Connection, ConnectionWebhookPayload, ReadCompletedPayload};
use std::{sync::Arc, time::Duration};

impl Emulator {
    /// Sends a `connection.*` event about `connection`.
    pub fn emit_connection(&self, event_type: &str, company_id: &str, connection: &Connection) {
        let Some(company) = self.store.company(company_id) else { return };
        let payload = ConnectionWebhookPayload {
            reference_company: codat::CompanyReference::of(&company),
            connection: connection.clone(),
        };
        self.webhooks.emit(event_type, &payload, &company.tags);
    }

    /// Queues a read of every data type the connection's platform offers on linking, and sends
    /// `read.completed.initial` (or `read.completed`) when the last one completes.
    pub fn start_sync(self: &Arc<Self>, company_id: &str, connection: &Connection, initial: bool) {
        let now = sync::now_ms();
        let duration = self.config.sync_duration.as_millis() as i64;
        let data_types = sync::first_sync_data_types(connection.source_type);
        let records =
            sync::schedule(company_id, &connection.id, connection.source_type, data_types, now, duration);
        self.store.insert_pulls(company_id, records.clone());
        self.finish_later(company_id, &connection.id, records, initial);
    }

    /// Queues a read of one data type.
    pub fn queue_pull(
        self: &Arc<Self>,
        company_id: &str,
        connection: &Connection,
        data_type: &str,
    ) -> PullRecord {
        let duration = self.config.sync_duration.as_millis() as i64;
        let records = sync::schedule(
            company_id,
            &connection.id,
            connection.source_type,
            &[data_type],
            sync::now_ms(),
            duration,
        );
        self.store.insert_pulls(company_id, records.clone());
        self.finish_later(company_id, &connection.id, records.clone(), false);
        records.into_iter().next().expect("one data type makes one record")
    }

    fn finish_later(
        self: &Arc<Self>,
        company_id: &str,
        connection_id: &str,
        records: Vec<PullRecord>,
        initial: bool,
    ) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let (emulator, company_id, connection_id) =
            (self.clone(), company_id.to_owned(), connection_id.to_owned());
        let end = records.iter().map(|r| r.end_ms).max().unwrap_or_default();
        runtime.spawn(async move {
            let wait = (end - sync::now_ms()).max(0) as u64;
            tokio::time::sleep(Duration::from_millis(wait)).await;
            emulator.complete_sync(&company_id, &connection_id, &records, initial);
        });
    }

    fn complete_sync(&self, company_id: &str, connection_id: &str, records: &[PullRecord], initial: bool) {
        let completed = sync::iso(records.iter().map(|r| r.end_ms).max().unwrap_or_default());
        self.store.update_connection(company_id, connection_id, |c| c.last_sync = Some(completed.clone()));
        let Some(company) = self.store.update_company(company_id, |c| c.last_sync = Some(completed.clone()))
        else {
            return;
        };
        let now = sync::now_ms();
        let payload = ReadCompletedPayload {
            reference_company: codat::CompanyReference::of(&company),
            modified_from_date: None,
            data_types: records
                .iter()
                .map(|r| codat::DataTypeReadSummary {
                    connection_id: r.connection_id.clone(),
                    data_type: r.data_type.clone(),
                    records_modified: true,
                    status: r.status_at(now).0,
                    issues: None,
                })
                .collect(),
        };
        let event_type = if initial { "read.completed.initial" } else { "read.completed" };
        self.webhooks.emit(event_type, &payload, &company.tags);
    }
}
