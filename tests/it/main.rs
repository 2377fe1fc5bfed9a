//! The integration tests, in one crate so that Bevy, burn and wgpu are linked once, not once per
//! file (as ripgrep's `tests/integration` does). Each module drives ganimate as a user does:
//! the binary on the command line, the app headless or in a window, or the library's API.

mod app;
mod cli;
mod closing;
mod common;
mod conditional;
mod data;
mod faults;
mod fuzz;
mod gpu;
mod headless;
mod judge;
mod toy;
mod training;
mod video;
#[cfg(target_os = "linux")]
mod window;
