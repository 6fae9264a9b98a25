//! What happens after a change: `connection.*` events, and reads that progress over time, each
//! data type ending with `read.completed` (and `read.completed.initial` when first stored).

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

    /// Queues a read of every data type the connection's platform offers on linking, one after
    /// another; each sends `read.completed` as it ends, and `read.completed.initial` too the first
    /// time its data is stored. On the first sync, the data types configured to fail end in
    /// `FetchError` (a later read of them succeeds).
    pub fn start_sync(self: &Arc<Self>, company_id: &str, connection: &Connection, initial: bool) {
        let now = sync::now_ms();
        let duration = self.config.sync_duration.as_millis() as i64;
        let data_types = sync::first_sync_data_types(connection.source_type);
        let mut records =
            sync::schedule(company_id, &connection.id, connection.source_type, data_types, now, duration);
        if initial {
            for record in &mut records {
                record.fails = self.config.failing_data_types.contains(&record.data_type);
            }
        }
        self.store.insert_pulls(company_id, records.clone());
        self.finish_later(company_id, records);
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
        self.finish_later(company_id, records.clone());
        records.into_iter().next().expect("one data type makes one record")
    }

    fn finish_later(self: &Arc<Self>, company_id: &str, records: Vec<PullRecord>) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        for record in records {
            let (emulator, company_id) = (self.clone(), company_id.to_owned());
            runtime.spawn(async move {
                let wait = (record.end_ms - sync::now_ms()).max(0) as u64;
                tokio::time::sleep(Duration::from_millis(wait)).await;
                emulator.complete_read(&company_id, &record);
            });
        }
    }

    fn complete_read(&self, company_id: &str, record: &PullRecord) {
        let now = sync::now_ms();
        let status = record.status_at(now).0;
        let stored = status == codat::PullStatus::Complete;
        let company = if stored {
            let completed = sync::iso(record.end_ms);
            self.store.update_connection(company_id, &record.connection_id, |c| {
                c.last_sync = Some(completed.clone())
            });
            self.store.update_company(company_id, |c| c.last_sync = Some(completed.clone()))
        } else {
            self.store.company(company_id)
        };
        let Some(company) = company else { return };
        let payload = ReadCompletedPayload {
            reference_company: codat::CompanyReference::of(&company),
            modified_from_date: None,
            data_types: vec![codat::DataTypeReadSummary {
                connection_id: record.connection_id.clone(),
                data_type: record.data_type.clone(),
                records_modified: stored,
                status,
                issues: None,
            }],
        };
        self.webhooks.emit("read.completed", &payload, &company.tags);
        if stored && self.first_stored(company_id, &record.data_type) {
            self.webhooks.emit("read.completed.initial", &payload, &company.tags);
        }
    }
}
