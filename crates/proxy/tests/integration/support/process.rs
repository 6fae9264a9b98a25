//! The server as operators run it: the `codat-connect-server` binary in its own process,
//! configured by environment variables, its output kept line by line, stopped with SIGTERM.

use std::{
    io::{BufRead as _, BufReader},
    process::{Child, Command, ExitStatus, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// A running `codat-connect-server`.
pub struct ServerProcess {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    /// The origin it serves on.
    pub url: String,
}

/// Whether a program is on the `PATH` (tests that need one skip, saying so, without it).
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

impl ServerProcess {
    /// Starts the binary with `env` (and no example lender), and waits until it says where it
    /// serves and `/readyz` answers 200.
    pub async fn start(env: &[(&str, String)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_codat-connect-server"));
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("LISTEN", "127.0.0.1:0")
            .env("SHUTDOWN_DRAIN_SECONDS", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("the server binary starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        for output in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(output).lines().map_while(Result::ok) {
                    lines.lock().unwrap().push(line);
                }
            });
        }
        let mut server = Self { child, lines, url: String::new() };
        server.url = server.printed("Codat Connect is serving on ").await;
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = http.get(format!("{}/readyz", server.url)).send().await;
            if ready.is_ok_and(|answer| answer.status() == 200) {
                return server;
            }
            assert!(Instant::now() < deadline, "the server never became ready:\n{}", server.output());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// What the server printed after `prefix` on a line of its own, once it has.
    pub async fn printed(&self, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let found = self.lines().iter().find_map(|line| line.strip_prefix(prefix).map(str::to_owned));
            if let Some(found) = found {
                return found.trim().to_owned();
            }
            assert!(Instant::now() < deadline, "the server never printed {prefix:?}:\n{}", self.output());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Every line it wrote so far (standard output and error).
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// Its output as one text, for failure messages.
    pub fn output(&self) -> String {
        self.lines().join("\n")
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM, as container runtimes and Kubernetes do.
    pub fn terminate(&self) {
        let sent = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status().unwrap();
        assert!(sent.success());
    }

    /// Waits for it to exit (at most a minute) and returns how it ended.
    pub async fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit:\n{}", self.output());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
