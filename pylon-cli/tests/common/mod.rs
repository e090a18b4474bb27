//! The real `pylon` binary against the stateful fake Pylon, which runs on
//! its own runtime in the test process.

#![allow(dead_code)]

use std::process::Command;

use pylon_sdk_tests::TOKEN;
use pylon_sdk_tests::fake::{FakeConfig, FakePylon};

/// A fake Pylon and the runtime serving it.
pub struct Fake {
    pub pylon: FakePylon,
    _runtime: tokio::runtime::Runtime,
}

impl Fake {
    pub fn start(config: FakeConfig) -> Fake {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime for the fake");
        let pylon = runtime.block_on(FakePylon::start(config));
        Fake {
            pylon,
            _runtime: runtime,
        }
    }

    /// `pylon` pointed at the fake, with the test token in the environment.
    pub fn pylon(&self) -> assert_cmd::Command {
        let mut command = assert_cmd::Command::from_std(self.std_pylon());
        command.timeout(std::time::Duration::from_secs(60));
        command
    }

    /// The same, as a `std::process::Command` (to spawn and kill).
    pub fn std_pylon(&self) -> Command {
        let mut command = bare_pylon();
        command
            .env("PYLON_API_TOKEN", TOKEN)
            .args(["--base-url", &self.pylon.base_url()]);
        command
    }
}

/// `pylon` with no token and no base URL from the environment.
pub fn bare_pylon() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pylon"));
    command
        .env_remove("PYLON_API_TOKEN")
        .env_remove("PYLON_BASE_URL")
        .env_remove("RUST_LOG");
    command
}

/// The text of a command's stdout or stderr.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
