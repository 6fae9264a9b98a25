//! `codat-emulator`: the emulator alone, as an offline Codat for a lender's own tests.

use codat_emulator::{router, Emulator, EmulatorConfig};
use std::net::SocketAddr;

const USAGE: &str =
    "usage: codat-emulator [--listen ADDR] [--api-key KEY] [--public-url URL] [--redirect-url TEMPLATE]";

#[tokio::main]
async fn main() {
    let mut listen: SocketAddr = ([127, 0, 0, 1], 4010).into();
    let mut api_key = "emulator-key".to_owned();
    let mut public_url = None;
    let mut redirect_url = "http://127.0.0.1:8080/callback?statusCode={statusCode}&connectionId={connectionId}&errorMessage={errorMessage}".to_owned();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let Some(value) = args.next() else { exit_with(USAGE) };
        match flag.as_str() {
            "--listen" => {
                listen = value
                    .parse()
                    .unwrap_or_else(|_| exit_with("--listen takes an address such as 127.0.0.1:4010"))
            }
            "--api-key" => api_key = value,
            "--public-url" => public_url = Some(value),
            "--redirect-url" => redirect_url = value,
            _ => exit_with(USAGE),
        }
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .unwrap_or_else(|e| exit_with(&format!("cannot listen on {listen}: {e}")));
    let public_url = public_url.unwrap_or_else(|| format!("http://{listen}"));
    println!("Codat emulator on {public_url} (API key: {api_key})");
    let emulator = Emulator::new(EmulatorConfig { public_url, api_keys: vec![api_key], redirect_url });
    if let Err(e) = axum::serve(listener, router(emulator)).await {
        exit_with(&format!("server error: {e}"));
    }
}

fn exit_with(message: &str) -> ! {
    eprintln!("{message}");
    std::process::exit(2)
}
