//! A throwaway PostgreSQL cluster on a free port, for the storage tests and the scale benchmark.

use std::{path::PathBuf, process::Command};

/// A PostgreSQL cluster of its own, stopped and deleted when dropped.
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    /// Starts a cluster; panics when PostgreSQL is not installed.
    pub fn start() -> Self {
        Self::try_start(false).expect("PostgreSQL's server is installed (cargo xtask test installs it)")
    }

    /// Starts a cluster, or `None` when PostgreSQL's server is not installed. A `durable`
    /// cluster flushes its log to disk as a production one does (tests skip that, for speed).
    pub fn try_start(durable: bool) -> Option<Self> {
        let bin = std::fs::read_dir("/usr/lib/postgresql").ok().and_then(|versions| {
            versions.flatten().map(|v| v.path().join("bin")).find(|b| b.join("initdb").exists())
        })?;
        // initdb refuses to run as root; as root, the cluster belongs to the postgres user.
        let as_postgres = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        let dir = tempfile::tempdir().unwrap();
        if as_postgres {
            run(Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir.path()));
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let cluster = Self { dir, bin, port, as_postgres };
        let data = cluster.data();
        cluster
            .run_tool("initdb", &["-D", &data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
        let durability = if durable { "" } else { " -c fsync=off -c full_page_writes=off" };
        let server_options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1{durability}",
            cluster.dir.path().display()
        );
        let log = cluster.dir.path().join("log").display().to_string();
        cluster
            .run_tool("pg_ctl", &["-D", &data, "-l", &log, "-o", &server_options, "-w", "-t", "60", "start"]);
        Some(cluster)
    }

    /// The data directory.
    pub fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    /// A PostgreSQL program, run as the cluster's owner.
    fn tool(&self, name: &str) -> Command {
        let program = self.bin.join(name);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        }
    }

    fn run_tool(&self, name: &str, args: &[&str]) {
        run(self.tool(name).args(args).current_dir(self.dir.path()));
    }

    /// A fresh, empty database in the cluster.
    pub async fn database(&self, name: &str) -> String {
        let admin = format!("postgres://postgres@127.0.0.1:{}/postgres", self.port);
        let mut connection = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.unwrap();
        sqlx::Executor::execute(&mut connection, format!("CREATE DATABASE {name}").as_str()).await.unwrap();
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self.tool("pg_ctl").args(["-D", &data, "-m", "immediate", "stop"]).output();
    }
}

fn run(command: &mut Command) {
    let output = command.output().expect("the command starts");
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
